/**
 * The race's settings as a parameter table (solver/params/table.ts): the CLI's `cronos race`
 * flags and `--help` come from it, and the page's Race mode can take its limits and labels. The
 * architecture, epochs, batch and seed are the deep methods' own entries, so they mean the same.
 */
import { DEEP_MODEL_PARAMS, DEEP_RUN_PARAMS } from '../deep/params';
import { choice, defineTable, integer, optionalNumber, text } from '../params/table';
import { DEFAULT_RACE, RACE_METHODS, type LrMode } from './config';

/** The race table. */
export const RACE_PARAMS = defineTable({
  methods: text({
    label: 'Methods',
    change: 'problem',
    cli: { flag: '--methods', arg: 'LIST', help: 'comma-separated method ids', defaultText: ` (default ${RACE_METHODS.join(',')})` },
  }),
  arch: { ...DEEP_MODEL_PARAMS.arch, cli: { ...DEEP_MODEL_PARAMS.arch.cli, help: 'network of every deep method: mlp, mlp:256,256, cnn or cnn:32,64' } },
  epochs: { ...DEEP_RUN_PARAMS.epochs, default: DEFAULT_RACE.epochs, cli: { ...DEEP_RUN_PARAMS.epochs.cli, help: 'epoch budget of every deep method (CRONOS: its own cap)' } },
  batch: DEEP_RUN_PARAMS.batch,
  lrDraws: integer({
    default: DEFAULT_RACE.lrDraws,
    label: 'Learning-rate draws',
    change: 'problem',
    limits: { min: 1, max: 100 },
    cli: { flag: '--lr-draws', arg: 'K', help: 'learning rates per tuned method (Adam, AdamW, SGD), one run each', range: { min: 1, max: 100 } },
  }),
  lrMode: choice<LrMode>(['random', 'grid'], {
    default: DEFAULT_RACE.lrMode,
    label: 'Learning rates',
    change: 'problem',
    cli: { flag: '--lr-mode', help: "seeded log-uniform draws 10^U[l,u] or a log-spaced grid over the paper's\nrange (l,u) = (-5.5,-1.5) for an MLP, (-3.5,-1.5) for a CNN", noun: 'mode' },
  }),
  seed: { ...DEEP_RUN_PARAMS.seed, default: DEFAULT_RACE.seed, cli: { ...DEEP_RUN_PARAMS.seed.cli, help: 'seed of the lr draws, and of the initial weights and minibatches of\nevery deep run (the same for all)' } },
  cronosIters: optionalNumber({
    type: 'integer',
    label: 'CRONOS iteration cap',
    change: 'problem',
    cli: { flag: '--cronos-iters', arg: 'N', help: "CRONOS's ADMM iteration cap (it stops earlier at its certificate)", range: { min: 1, max: 100_000 }, defaultText: " (default: CRONOS's own)" },
  }),
  target: optionalNumber({
    type: 'number',
    label: 'Target accuracy',
    change: 'none',
    cli: { flag: '--target', arg: 'ACC', help: 'time each method to this test accuracy (a fraction)', range: { above: 0, max: 1 }, defaultText: ' (default: none)' },
  }),
});
