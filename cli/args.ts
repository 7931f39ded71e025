/**
 * Command-line parsing of `cronos train`. Strict on purpose: an unknown flag or a bad value is
 * an error (a typo such as `--admm-iter 500` must not silently train with the default).
 */
import { CRONOS_PARAMS } from '../solver/methods/cronos/params';
import { defaultsOf, FlagError, flagHelp, parseFlags, pickGiven, type Values } from '../solver/params/table';
import { DEFAULT_CONFIG, PAPER_CONFIG, type DeviceKind, type SolverConfig } from '../solver/types';
import { CLI_DATA_PARAMS, CLI_OUTPUT_PARAMS, CLI_RUN_PARAMS } from './params';

/** Bad command line; the CLI prints the message and points to --help. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** Everything `cronos train` was asked to do. */
export interface TrainArgs {
  data: string;
  test: string | undefined;
  label: string | undefined;
  /** Test fraction for a seeded stratified split of --data (only without --test). */
  split: number | undefined;
  device: DeviceKind;
  out: string | undefined;
  exportProblem: string | undefined;
  /** Write the solver state at the end here (for --resume). */
  saveState: string | undefined;
  /** Continue from this saved state. */
  resume: string | undefined;
  /** Test hook: destroy the GPU device just before this iteration. */
  simulateDeviceLoss: number | undefined;
  config: SolverConfig;
}

/** `{ help: true }` for --help, otherwise the parsed arguments. */
export type ParsedArgs = { help: true } | { help: false; args: TrainArgs };

/** The method of `cronos train` (the registry's default until the CLI takes `--method`). */
const METHOD_PARAMS = CRONOS_PARAMS;

/** Every flag of `train`, one table (key order is irrelevant to the parser). */
const TRAIN_FLAGS = { ...CLI_DATA_PARAMS, ...METHOD_PARAMS, ...CLI_RUN_PARAMS, ...CLI_OUTPUT_PARAMS };

/** The --help text: the frame here, every flag's line from its table. */
export const USAGE = [
  'Train a convex two-layer ReLU network with CRONOS (ADMM + Nyström-preconditioned CG).',
  '',
  'usage: npm run cronos -- train --data TRAIN.csv [options]',
  '',
  'data',
  ...flagHelp(CLI_DATA_PARAMS),
  'model and solver',
  ...flagHelp(METHOD_PARAMS),
  ...flagHelp(CLI_RUN_PARAMS),
  'output',
  ...flagHelp(CLI_OUTPUT_PARAMS),
  '  -h, --help             this text',
  '',
  'Progress (one line per ADMM iteration) goes to stderr. Exit code 0 on success, 1 on any error.',
].join('\n');

/** The table parser's errors as the CLI's {@link UsageError}. */
function parseTrainFlags(argv: readonly string[]): Partial<Values<typeof TRAIN_FLAGS>> {
  try {
    return parseFlags(TRAIN_FLAGS, argv);
  } catch (e) {
    if (e instanceof FlagError) throw new UsageError(e.message);
    throw e;
  }
}

/** Parses `argv` (without node and the script). Throws {@link UsageError} on any problem. */
export function parseArgs(argv: string[]): ParsedArgs {
  if (argv.length === 0) throw new UsageError('no command given; use `train` (see --help).');
  if (argv.includes('--help') || argv.includes('-h')) return { help: true };
  const [command, ...rest] = argv;
  if (command !== 'train') throw new UsageError(`unknown command ${JSON.stringify(command)}; the only command is \`train\` (see --help).`);
  const given = parseTrainFlags(rest);
  const data = given.data;
  if (data === undefined) throw new UsageError('--data TRAIN.csv is required.');
  if (given.split !== undefined && given.test !== undefined) throw new UsageError('--split and --test exclude each other: a test file is already a held-out set.');
  // --paper swaps the defaults for the official behaviour; explicit flags still win.
  const config: SolverConfig = { ...(given.paper ? PAPER_CONFIG : DEFAULT_CONFIG), ...pickGiven(METHOD_PARAMS, given) };
  // An explicit --rho is the ρ to use, unless --rho-beta is given too.
  if (given.rho !== undefined && given.rhoBeta === undefined) config.rhoBeta = 0;
  const device = given.device ?? defaultsOf(CLI_RUN_PARAMS).device;
  if (given.simulateDeviceLoss !== undefined && device !== 'gpu') throw new UsageError('--simulate-device-loss destroys the GPU device, so it needs --device gpu.');
  const { out, exportProblem, saveState, resume } = given;
  const outputs = [['--out', out], ['--export-problem', exportProblem], ['--save-state', saveState]] as const;
  for (let i = 0; i < outputs.length; i++) {
    for (let j = i + 1; j < outputs.length; j++) {
      const [fa, a] = outputs[i];
      const [fb, b] = outputs[j];
      if (a !== undefined && a === b) throw new UsageError(`${fa} and ${fb} name the same file.`);
    }
  }
  return {
    help: false,
    args: {
      data,
      test: given.test,
      label: given.label,
      split: given.split,
      device,
      out,
      exportProblem,
      saveState,
      resume,
      simulateDeviceLoss: given.simulateDeviceLoss,
      config,
    },
  };
}
