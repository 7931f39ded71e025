/**
 * The settings of `cronos train` that are not a method's: where the data comes from, where the
 * solver runs and where the results go. The method's own flags come from its table
 * (solver/methods/); cli/args.ts joins them in `--help` and the parser.
 */
import { choice, defineTable, flag, optionalNumber, text } from '../solver/params/table';

/** The data flags (`--help` section "data"). */
export const CLI_DATA_PARAMS = defineTable({
  data: text({ label: 'training CSV', change: 'problem', cli: { flag: '--data', arg: 'FILE', help: 'training CSV (required); the header row is detected as on the page' } }),
  test: text({ label: 'test CSV', change: 'problem', cli: { flag: '--test', arg: 'FILE', help: 'test CSV with the same columns; gives the test accuracy' } }),
  split: optionalNumber({
    type: 'number',
    label: 'test fraction',
    change: 'problem',
    cli: {
      flag: '--split',
      arg: 'F',
      help: 'no --test: hold out a seeded, stratified fraction F in (0,1) of --data\nas the test set',
      range: { above: 0, below: 1 },
      defaultText: ' (default: no split, test accuracy null)',
    },
  }),
  label: text({
    label: 'label column',
    change: 'problem',
    cli: {
      flag: '--label',
      arg: 'COLUMN',
      help: 'label column name (default: the last column)\nFeatures are all other columns (numeric); they are z-scored per column\nwith the training mean/std (constant columns become 0).',
    },
  }),
});

/** Where the solver runs (listed after the method's flags). */
export const CLI_RUN_PARAMS = defineTable({
  paper: flag({
    default: false,
    label: 'paper settings',
    change: 'solver',
    cli: {
      flag: '--paper',
      help: "the official CRONOS behaviour as defaults: fixed ρ = 0.1, no over-relaxation or\nacceleration, Nyström rank 10, PCG cold start, 50 ADMM iterations, residual stopping\nrule with tol 1e-6 (other flags still override)",
    },
  }),
  device: choice(['gpu', 'cpu'], {
    default: 'gpu',
    label: 'device',
    change: 'solver',
    cli: { flag: '--device', help: 'WebGPU (dawn.node) or the float64 CPU reference', noun: 'device' },
  }),
  simulateDeviceLoss: optionalNumber({
    type: 'integer',
    label: 'simulated device loss',
    change: 'none',
    cli: {
      flag: '--simulate-device-loss',
      arg: 'K',
      help: '(testing) destroy the GPU device just before iteration K; the run\ncontinues on a new device from its last checkpoint (result.json events)',
      range: { min: 1 },
      defaultText: '',
    },
  }),
  resume: text({
    label: 'saved state',
    change: 'solver',
    cli: {
      flag: '--resume',
      arg: 'FILE',
      help: 'continue from a state written by --save-state (same data and settings)\nup to --admm-iters iterations in total',
    },
  }),
});

/** The output flags (`--help` section "output"). */
export const CLI_OUTPUT_PARAMS = defineTable({
  out: text({
    label: 'result file',
    change: 'none',
    cli: { flag: '--out', arg: 'FILE', help: 'result JSON (config, data, per-iteration history, final metrics,\nnetwork); printed to stdout when omitted' },
  }),
  exportProblem: text({
    label: 'cross-check file',
    change: 'none',
    cli: {
      flag: '--export-problem',
      arg: 'FILE',
      help: 'the cross-check JSON of spec §10: {X, y, D, beta, model, U, W}\n(a list with one object per class when there are more than 2 classes)',
    },
  }),
  saveState: text({
    label: 'state file',
    change: 'none',
    cli: { flag: '--save-state', arg: 'FILE', help: 'the solver state at the end (iterates, duals, ρ, iteration count), for --resume' },
  }),
});
