/**
 * The settings the four first-order methods (Adam, AdamW, SGD, DAdapt-Adam) share, declared
 * once (solver/params/table.ts), so each method's folder only lists which of them it takes and
 * its own defaults. Key order is the CLI's `--help` order.
 */
import { choice, integer, real, text } from '../params/table';
import type { BiasMode } from './arch';
import type { LossKind, Sampling } from './types';

/** Largest 32-bit seed: the RNG truncates to 32 bits. */
const UINT32_MAX = 0xffffffff;

/** The architecture of a run that names none. */
export const DEFAULT_ARCH = 'mlp:256,256';

/** The network: architecture text, image shape, biases, loss. */
export const DEEP_MODEL_PARAMS = {
  arch: text({
    label: 'Architecture',
    short: 'architecture',
    help: `mlp:W1,W2,… (Dense→ReLU per width, then Dense) or cnn:C1,C2,… (Conv3x3→ReLU→AvgPool2 per count, then Dense); default ${DEFAULT_ARCH}.`,
    change: 'problem',
    cli: { flag: '--arch', arg: 'SPEC', help: 'network: mlp, mlp:256,256, cnn or cnn:32,64', defaultText: ` (default ${DEFAULT_ARCH})` },
    link: { key: 'arch' },
    // A free-text field: the page renders it itself.
    control: { kind: 'custom', group: 'model', testId: 'arch' },
  }),
  image: text({
    label: 'Image shape',
    short: 'image shape',
    help: 'HxWxC of one example, e.g. 28x28x1; default: read off the pixel columns (px_y_x), else a flat vector.',
    change: 'problem',
    cli: { flag: '--image', arg: 'HxWxC', help: 'image shape of a row, e.g. 28x28x1', defaultText: ' (default: from the px_y_x column names)' },
    link: { key: 'image' },
    control: { kind: 'custom', group: 'model', testId: 'image' },
  }),
  bias: choice<BiasMode>(['paper', 'on', 'off'], {
    default: 'paper',
    label: 'Biases',
    change: 'problem',
    choices: {
      paper: { label: "paper's", help: 'As the official models: no bias in the MLP; biases in the CNN (Flax defaults).' },
      on: { label: 'on', help: 'A bias on every Dense and convolution.' },
      off: { label: 'off', help: 'No bias anywhere.' },
    },
    cli: { flag: '--bias', help: "biases: the paper's models (MLP none, CNN all), on or off", noun: 'bias mode' },
    link: { key: 'bias' },
    control: { kind: 'select', group: 'model', testId: 'bias' },
  }),
  loss: choice<LossKind>(['mse', 'softmax-ce'], {
    default: 'mse',
    label: 'Loss',
    change: 'problem',
    choices: {
      mse: { label: 'MSE', help: "The paper's: mean over the batch of Σ (f − y)² against ±1 targets." },
      'softmax-ce': { label: 'cross-entropy', help: 'Softmax cross-entropy against one-hot targets.' },
    },
    cli: { flag: '--loss', help: 'training loss', noun: 'loss' },
    link: { key: 'loss' },
    control: { kind: 'radio', group: 'model', testId: 'loss' },
  }),
} as const;

// The CLI ranges equal the page limits: the factory checks every value against the limits, so
// the command line must not accept what the run then refuses.

/** The run: epochs, batch size, sampling, reporting, seed. */
export const DEEP_RUN_PARAMS = {
  epochs: integer({
    default: 50,
    // The paper's 50; the page starts shorter so a CPU fallback run ends within a minute.
    pageDefault: 20,
    label: 'Epochs',
    short: 'epochs',
    change: 'limit',
    limits: { min: 1, max: 10_000 },
    logScale: true,
    presets: [5, 10, 20, 50, 100, 200],
    cli: { flag: '--epochs', arg: 'N', help: 'passes over the training rows', range: { min: 1, max: 10_000 } },
    link: { key: 'epochs', range: { min: 1, max: 10_000 } },
    control: { kind: 'menu', group: 'solver', testId: 'epochs', format: 'plain' },
  }),
  batch: integer({
    default: 256,
    label: 'Batch size',
    short: 'batch size',
    help: 'Rows per minibatch (at most the number of training rows).',
    change: 'solver',
    limits: { min: 1, max: 65_536 },
    logScale: true,
    presets: [32, 64, 128, 256, 512, 1024],
    cli: { flag: '--batch', arg: 'B', help: 'rows per minibatch', range: { min: 1, max: 65_536 } },
    link: { key: 'batch', range: { min: 1, max: 65_536 } },
    control: { kind: 'menu', group: 'solver', testId: 'batch', format: 'plain' },
  }),
  sampling: choice<Sampling>(['shuffle', 'replacement'], {
    default: 'shuffle',
    label: 'Minibatches',
    change: 'solver',
    choices: {
      shuffle: { label: 'shuffled epochs', help: 'A fresh permutation each epoch; every row once (scikit-learn).' },
      replacement: { label: 'with replacement', help: 'Independent uniform draws (the official CRONOS code).' },
    },
    cli: { flag: '--sampling', help: 'minibatch sampling', noun: 'sampling' },
    link: { key: 'sampling' },
    control: { kind: 'select', group: 'solver', testId: 'sampling' },
  }),
  logEvery: integer({
    default: 0,
    label: 'Report every (minibatches)',
    short: 'report interval',
    help: 'Minibatches per reported step; 0 = once per epoch.',
    change: 'solver',
    limits: { min: 0, max: 100_000 },
    cli: { flag: '--log-every', arg: 'N', help: 'minibatches per reported step, 0 = one epoch', range: { min: 0, max: 100_000 } },
    link: { key: 'logEvery', range: { min: 0, max: 100_000 } },
    control: { kind: 'menu', group: 'solver', testId: 'log-every', format: 'plain' },
  }),
  seed: integer({
    default: 0,
    pageDefault: 1,
    label: 'Seed',
    short: 'seed',
    help: 'Drives the initial weights and the minibatches.',
    change: 'solver',
    limits: { min: 0, max: UINT32_MAX },
    cli: { flag: '--seed', arg: 'S', help: 'seed of the initial weights and the minibatches', range: { min: 0, max: UINT32_MAX } },
    link: { key: 'seed', range: { min: 0, max: UINT32_MAX } },
    control: { kind: 'custom', group: 'data', testId: 'seed' },
  }),
} as const;

/** The learning rate, with a method's default. */
export function lrParam(defaultLr: number) {
  return real({
    default: defaultLr,
    label: 'Learning rate',
    short: 'learning rate',
    change: 'solver',
    limits: { min: 1e-8, max: 10 },
    logScale: true,
    presets: [1e-4, 3e-4, 1e-3, 3e-3, 1e-2, 3e-2, 0.1],
    cli: { flag: '--lr', arg: 'LR', help: 'learning rate', range: { min: 1e-8, max: 10 } },
    link: { key: 'lr', range: { above: 0 } },
    control: { kind: 'menu', group: 'solver', testId: 'lr', format: 'setting' },
  });
}

/** SGD's heavy-ball momentum μ. */
export const MOMENTUM_PARAM = real({
  default: 0.9,
  label: 'Momentum μ',
  short: 'momentum',
  help: 'm ← μm + g; θ ← θ − lr·m (0 = plain SGD).',
  change: 'solver',
  limits: { min: 0, max: 0.999 },
  presets: [0, 0.5, 0.9, 0.99],
  cli: { flag: '--momentum', arg: 'M', help: 'heavy-ball momentum', range: { min: 0, max: 0.999 } },
  link: { key: 'momentum', range: { min: 0, below: 1 } },
  control: { kind: 'menu', group: 'solver', testId: 'momentum', format: 'plain' },
});

/** Decoupled weight decay, with a method's default. */
export function weightDecayParam(defaultWd: number) {
  return real({
    default: defaultWd,
    label: 'Weight decay',
    short: 'weight decay',
    help: 'Decoupled: θ shrinks by lr·wd·θ each step (DAdapt: by the adapted step).',
    change: 'solver',
    limits: { min: 0, max: 1 },
    logScale: true,
    presets: [0, 1e-5, 1e-4, 1e-3, 1e-2],
    cli: { flag: '--weight-decay', arg: 'WD', help: 'decoupled weight decay', range: { min: 0, max: 1 } },
    link: { key: 'weightDecay', range: { min: 0 } },
    control: { kind: 'menu', group: 'solver', testId: 'weight-decay', format: 'setting' },
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
