/**
 * The settings the four first-order methods (Adam, AdamW, SGD, DAdapt-Adam) share, declared
 * once (solver/params/table.ts), so each method's folder only lists which of them it takes and
 * its own defaults. Key order is the CLI's `--help` order.
 */
import { choiceOf, menuInteger, menuReal } from '../params/menu';
import { text } from '../params/table';
import { ArchError, parseArch, parseImageShape, type BiasMode } from './arch';
import type { LossKind, Sampling } from './types';

/** Largest 32-bit seed: the RNG truncates to 32 bits. */
const UINT32_MAX = 0xffffffff;

/** The architecture of a run that names none. */
export const DEFAULT_ARCH = 'mlp:256,256';

/** The message of `fn`'s ArchError, or null when it succeeds. */
function problemOf(fn: () => unknown): string | null {
  try {
    fn();
    return null;
  } catch (e) {
    if (e instanceof ArchError) return e.message;
    throw e;
  }
}

/**
 * What is wrong with an architecture text by itself (its syntax and widths), or null. An input
 * large enough for any pooling is assumed: whether the data's images fit is checked at build.
 */
export function archTextProblem(text: string): string | null {
  return problemOf(() => parseArch(text, { input: { h: 1 << 10, w: 1 << 10, c: 1 }, outputs: 1 }));
}

/** The network: architecture text, image shape, biases, loss. */
export const DEEP_MODEL_PARAMS = {
  arch: text({
    label: 'Architecture',
    short: 'architecture',
    help: `mlp:W1,W2,… (Dense→ReLU per width, then Dense) or cnn:C1,C2,… (Conv3x3→ReLU→AvgPool2 per count, then Dense); default ${DEFAULT_ARCH}.`,
    change: 'problem',
    cli: { flag: '--arch', arg: 'SPEC', help: 'network: mlp, mlp:256,256, cnn or cnn:32,64', defaultText: ` (default ${DEFAULT_ARCH})` },
    link: { key: 'arch' },
    check: archTextProblem,
    control: { kind: 'text', group: 'model', testId: 'arch' },
  }),
  image: text({
    label: 'Image shape',
    short: 'image shape',
    help: 'HxWxC of one example, e.g. 28x28x1; default: read off the pixel columns (px_y_x), else a flat vector.',
    change: 'problem',
    cli: { flag: '--image', arg: 'HxWxC', help: 'image shape of a row, e.g. 28x28x1', defaultText: ' (default: from the px_y_x column names)' },
    link: { key: 'image' },
    check: (t: string): string | null => problemOf(() => parseImageShape(t)),
    control: { kind: 'text', group: 'model', testId: 'image' },
  }),
  bias: choiceOf<BiasMode>('bias', ['paper', 'on', 'off'], {
    label: 'Biases', change: 'problem', default: 'paper',
    choices: {
      paper: { label: "paper's", help: 'As the official models: no bias in the MLP; biases in the CNN (Flax defaults).' },
      on: { label: 'on', help: 'A bias on every Dense and convolution.' },
      off: { label: 'off', help: 'No bias anywhere.' },
    },
    flag: '--bias', cliHelp: "biases: the paper's models (MLP none, CNN all), on or off", noun: 'bias mode',
    kind: 'select', group: 'model', testId: 'bias',
  }),
  loss: choiceOf<LossKind>('loss', ['mse', 'softmax-ce'], {
    label: 'Loss', change: 'problem', default: 'mse',
    choices: {
      mse: { label: 'MSE', help: "The paper's: mean over the batch of Σ (f − y)² against ±1 targets." },
      'softmax-ce': { label: 'cross-entropy', help: 'Softmax cross-entropy against one-hot targets.' },
    },
    flag: '--loss', cliHelp: 'training loss', noun: 'loss',
    kind: 'radio', group: 'model', testId: 'loss',
  }),
} as const;

// The builders (solver/params/menu.ts) give the CLI and the links the page limits: the factory
// checks every value against the limits, so the command line must not accept what the run then
// refuses.

/** The run: epochs, batch size, sampling, reporting, seed. */
export const DEEP_RUN_PARAMS = {
  // The paper's 50 epochs; the page starts shorter so a CPU fallback run ends within a minute.
  epochs: menuInteger('epochs', {
    label: 'Epochs', short: 'epochs', change: 'limit',
    default: 50, pageDefault: 20, min: 1, max: 10_000, logScale: true, presets: [5, 10, 20, 50, 100, 200],
    flag: '--epochs', arg: 'N', cliHelp: 'passes over the training rows',
    group: 'solver', testId: 'epochs',
  }),
  batch: menuInteger('batch', {
    label: 'Batch size', short: 'batch size', change: 'solver', help: 'Rows per minibatch (at most the number of training rows).',
    default: 256, min: 1, max: 65_536, logScale: true, presets: [32, 64, 128, 256, 512, 1024],
    flag: '--batch', arg: 'B', cliHelp: 'rows per minibatch',
    group: 'solver', testId: 'batch',
  }),
  sampling: choiceOf<Sampling>('sampling', ['shuffle', 'replacement'], {
    label: 'Minibatches', change: 'solver', default: 'shuffle',
    choices: {
      shuffle: { label: 'shuffled epochs', help: 'A fresh permutation each epoch; every row once (scikit-learn).' },
      replacement: { label: 'with replacement', help: 'Independent uniform draws (the official CRONOS code).' },
    },
    flag: '--sampling', cliHelp: 'minibatch sampling', noun: 'sampling',
    kind: 'select', group: 'solver', testId: 'sampling',
  }),
  logEvery: menuInteger('logEvery', {
    label: 'Report every (minibatches)', short: 'report interval', change: 'solver', help: 'Minibatches per reported step; 0 = once per epoch.',
    default: 0, min: 0, max: 100_000,
    flag: '--log-every', arg: 'N', cliHelp: 'minibatches per reported step, 0 = one epoch',
    group: 'solver', testId: 'log-every',
  }),
  seed: menuInteger('seed', {
    label: 'Seed', short: 'seed', change: 'solver', help: 'Drives the initial weights and the minibatches.',
    default: 0, pageDefault: 1, min: 0, max: UINT32_MAX,
    flag: '--seed', arg: 'S', cliHelp: 'seed of the initial weights and the minibatches',
    group: 'data', testId: 'seed', format: 'custom',
  }),
} as const;

/** The learning rate, with a method's default. */
export function lrParam(defaultLr: number) {
  return menuReal('lr', {
    label: 'Learning rate', short: 'learning rate', change: 'solver',
    default: defaultLr, min: 1e-8, max: 10, logScale: true, presets: [1e-4, 3e-4, 1e-3, 3e-3, 1e-2, 3e-2, 0.1],
    flag: '--lr', arg: 'LR', cliHelp: 'learning rate', linkRange: { above: 0 },
    group: 'solver', testId: 'lr', format: 'setting',
  });
}

/** SGD's heavy-ball momentum μ. */
export const MOMENTUM_PARAM = menuReal('momentum', {
  label: 'Momentum μ', short: 'momentum', change: 'solver', help: 'm ← μm + g; θ ← θ − lr·m (0 = plain SGD).',
  default: 0.9, min: 0, max: 0.999, presets: [0, 0.5, 0.9, 0.99],
  flag: '--momentum', arg: 'M', cliHelp: 'heavy-ball momentum', linkRange: { min: 0, below: 1 },
  group: 'solver', testId: 'momentum',
});

/** Decoupled weight decay, with a method's default. */
export function weightDecayParam(defaultWd: number) {
  return menuReal('weightDecay', {
    label: 'Weight decay', short: 'weight decay', change: 'solver',
    help: 'Decoupled: θ shrinks by lr·wd·θ each step (DAdapt: by the adapted step).',
    default: defaultWd, min: 0, max: 1, logScale: true, presets: [0, 1e-5, 1e-4, 1e-3, 1e-2],
    flag: '--weight-decay', arg: 'WD', cliHelp: 'decoupled weight decay', linkRange: { min: 0 },
    group: 'solver', testId: 'weight-decay', format: 'setting',
  });
}

/** What the shared deep trainer reads (each method's table yields a subset with its own fields). */
export interface DeepSettings {
  arch?: string;
  image?: string;
  bias: BiasMode;
  loss: LossKind;
  epochs: number;
  batch: number;
  sampling: Sampling;
  logEvery: number;
  seed: number;
  /** Absent for DAdapt-Adam (its γ is 1). */
  lr?: number;
  /** SGD only. */
  momentum?: number;
  /** AdamW and DAdapt-Adam only. */
  weightDecay?: number;
}
