/**
 * CRONOS-AM settings (spec §7): the deep-network pieces shared with the first-order methods
 * (solver/deep/params.ts), the head-solve settings of CRONOS where they mean the same thing
 * (solver/methods/cronos/params.ts) with the official CRONOS-AM defaults, and the one setting of
 * its own, `checkpoint`. No learning rate: the features' DAdapt-Adam runs at γ = 1 as in the
 * paper; no loss choice: the head is fitted by squared loss, so the features are trained on it too.
 */
import { DEEP_MODEL_PARAMS, DEEP_RUN_PARAMS, weightDecayParam } from '../../deep/params';
import { menuInteger } from '../../params/menu';
import { defineTable, flag, type Values } from '../../params/table';
import { CRONOS_PARAMS } from '../cronos/params';

/**
 * Minibatch steps between head solves. Default 10: the official CRONOS-AM scripts use 10 in
 * three of the five runners (`MLP_runner__.py`, `mlp_test.py`, `cnn_test.py` on CIFAR and
 * ImageNet-512) and 1/3/2 in the others; 1 (a full solve before every minibatch) makes each step
 * cost a pass over all training rows plus a CRONOS solve, several times a minibatch step on
 * either device, while the features move little in one step.
 */
export const DEFAULT_CHECKPOINT = 10;

/** The CRONOS-AM table (CLI, page controls, share link). */
export const CRONOS_AM_PARAMS = defineTable({
  arch: {
    ...DEEP_MODEL_PARAMS.arch,
    help: 'The feature layers φ: mlp:W1,W2,… (Dense→ReLU per width) or cnn:C1,C2,… (Conv3x3→ReLU→AvgPool2 per count, then flatten); the head Dense(2P)→ReLU→Dense replaces the last Dense. Default mlp:256,256.',
  },
  image: DEEP_MODEL_PARAMS.image,
  bias: { ...DEEP_MODEL_PARAMS.bias, help: "Biases of the feature layers (the convex head has none)." },
  P: {
    ...CRONOS_PARAMS.P,
    // The paper's P_S = 10: a head of width 20 per class.
    default: 10,
    // The menu offers the default (CRONOS's presets do not hold 10).
    presets: [4, 8, 10, 16, 32, 64, 128, 256],
    label: 'Head patterns P',
    help: 'Activation patterns of each head solve; the head has 2P hidden units per class.',
    cli: { flag: '--P', arg: 'N', help: 'sampled activation patterns of the head (width 2P per class)', range: { min: 1, max: 1024 } },
  },
  beta: CRONOS_PARAMS.beta,
  rho: {
    ...CRONOS_PARAMS.rho,
    // ρ = 10, not the official 1 (four of the five official runners): with 5 cold ADMM iterations
    // per solve ρ acts as a ridge on the head (its u-step solves (ρI + FᵀF)u = …), and the
    // stronger one keeps the network from fitting the training rows at the test rows' expense
    // (spec §7.6: +1.0 and +1.9 points of test accuracy on Shirt/T-shirt and Coat/Pullover).
    default: 10,
  },
  rank: CRONOS_PARAMS.rank,
  // The official CRONOS-AM runs use 4–7 ADMM iterations per head solve (5 in mlp_test/cnn_test).
  admmIters: menuInteger('admmIters', {
    label: 'ADMM iterations per head solve', short: 'ADMM iterations per head solve', change: 'solver',
    help: 'A fixed number of ADMM iterations each time the head is solved (no stopping rule, as the official code).',
    default: 5, min: 1, max: 10_000, presets: [1, 2, 5, 10, 20, 50, 100],
    flag: '--admm-iters', arg: 'N', cliHelp: 'ADMM iterations per head solve',
    group: 'solver', testId: 'admm-iters',
  }),
  pcgIters: CRONOS_PARAMS.pcgIters,
  preconditioner: {
    ...CRONOS_PARAMS.preconditioner,
    // Nyström (the official one), not the block preconditioner: with 5 ADMM iterations the block
    // solves the head closer to its optimum and the network fits the training rows more and the
    // test rows less (spec §7.6: −0.5 to −2.3 points of test accuracy on three pairs).
    default: 'nystrom',
  },
  checkpoint: menuInteger('checkpoint', {
    label: 'Head solve every (minibatches)', short: 'checkpoint', change: 'solver',
    help: 'Minibatch steps between CRONOS solves of the head (1 = before every step, as the official MLP runner).',
    default: DEFAULT_CHECKPOINT, min: 1, max: 100_000, logScale: true, presets: [1, 2, 3, 5, 10, 20, 50],
    flag: '--checkpoint', arg: 'N', cliHelp: 'minibatch steps between head solves',
    group: 'solver', testId: 'checkpoint',
  }),
  headWarmStart: flag({
    default: false,
    label: 'Warm-start head solves',
    help: "Start each head solve's ADMM from the previous solution (u, v, λ; slacks from the new patterns) instead of zero (the official code).",
    change: 'solver',
    cli: { flag: '--head-warm-start', help: 'start each head solve from the previous one instead of 0' },
    link: { key: 'headWarmStart' },
    control: { kind: 'check', group: 'solver', testId: 'head-warm-start' },
  }),
  weightDecay: weightDecayParam(0),
  epochs: DEEP_RUN_PARAMS.epochs,
  batch: DEEP_RUN_PARAMS.batch,
  sampling: DEEP_RUN_PARAMS.sampling,
  logEvery: DEEP_RUN_PARAMS.logEvery,
  seed: {
    ...DEEP_RUN_PARAMS.seed,
    help: 'Drives the initial weights, the minibatches, and the gates and sketch of every head solve (the same each solve, as the official code).',
  },
});

/** The settings CRONOS_AM_PARAMS declares. */
export type CronosAmParams = Values<typeof CRONOS_AM_PARAMS>;
