/**
 * Command-line parsing of `cronos train`. Strict on purpose: an unknown flag or a bad value is
 * an error (a typo such as `--admm-iter 500` must not silently train with the default).
 */
import { DEFAULT_METHOD, METHODS, methodOf, type MethodRegistry } from '../solver/methods/index';
import { CRONOS_PARAMS } from '../solver/methods/cronos/params';
import { choice, defaultsOf, defineTable, FlagError, flagHelp, parseFlags, pickGiven, type AnyValues, type ParamTable } from '../solver/params/table';
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
  /** The method's registry id (`--method`, default cronos). */
  method: string;
  /** Every setting of the method: its table's defaults with the flags given (CRONOS: the same as `config`). */
  settings: AnyValues;
  /** Test hook: destroy the GPU device just before this iteration. */
  simulateDeviceLoss: number | undefined;
  /** CRONOS's settings (its defaults when another method runs). */
  config: SolverConfig;
}

/** `--method`: which registered method trains (its flags are then that method's table's). */
function methodTable(methods: MethodRegistry): ParamTable {
  const ids = Object.keys(methods);
  return defineTable({
    method: choice(ids, {
      default: DEFAULT_METHOD,
      label: 'method',
      change: 'problem',
      cli: { flag: '--method', arg: ids.join('|'), help: 'training method (--help --method ID lists its flags)', noun: 'method' },
    }),
  });
}

/** Every flag of `train` with `method`'s, one table (key order is irrelevant to the parser). */
function trainFlags(method: ParamTable, methods: MethodRegistry): ParamTable {
  const parts = [methodTable(methods), CLI_DATA_PARAMS, method, CLI_RUN_PARAMS, CLI_OUTPUT_PARAMS];
  // A method's key or flag that is also the CLI's own would silently shadow one of them.
  const keys = new Set<string>();
  const flags = new Set<string>();
  for (const part of parts) {
    for (const [key, p] of Object.entries(part)) {
      if (keys.has(key) || (p.cli && flags.has(p.cli.flag))) throw new Error(`cli: the setting ${key}${p.cli ? ` (${p.cli.flag})` : ''} is declared twice; a method's table must not reuse the CLI's own settings`);
      keys.add(key);
      if (p.cli) flags.add(p.cli.flag);
    }
  }
  return Object.assign({}, ...parts) as ParamTable;
}

/** The --help text of `method`: the frame here, every flag's line from its table (CRONOS: the text before methods existed plus the `--method` line). */
export function usageFor(method: string = DEFAULT_METHOD, methods: MethodRegistry = METHODS): string {
  const info = methodOf(method, methods);
  const cronos = method === DEFAULT_METHOD;
  const output = cronos ? CLI_OUTPUT_PARAMS : withoutConvexOutputs(CLI_OUTPUT_PARAMS);
  return [
    cronos ? 'Train a convex two-layer ReLU network with CRONOS (ADMM + Nyström-preconditioned CG).' : `Train with ${info.title}: ${info.summary}`,
    '',
    `usage: npm run cronos -- train --data TRAIN.csv ${cronos ? '' : `--method ${method} `}[options]`,
    '',
    'data',
    ...flagHelp(CLI_DATA_PARAMS),
    cronos ? 'model and solver' : `method ${method}`,
    ...flagHelp(methodTable(methods)),
    ...flagHelp(info.params),
    ...flagHelp(CLI_RUN_PARAMS),
    'output',
    ...flagHelp(output),
    '  -h, --help             this text',
    '',
    cronos ? 'Progress (one line per ADMM iteration) goes to stderr. Exit code 0 on success, 1 on any error.' : 'Progress (one line per step) goes to stderr. Exit code 0 on success, 1 on any error.',
  ].join('\n');
}

/** The output flags without CRONOS's convex cross-check file. */
function withoutConvexOutputs(table: typeof CLI_OUTPUT_PARAMS): ParamTable {
  const { exportProblem: _convexOnly, ...rest } = table;
  return rest;
}

/** The method named by `--method ID` / `--method=ID` in `argv` (default CRONOS); an unknown id is a usage error. */
function methodArg(argv: readonly string[], methods: MethodRegistry = METHODS): string {
  let id: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--method') id = argv[i + 1];
    else if (argv[i].startsWith('--method=')) id = argv[i].slice('--method='.length);
    else continue;
    if (id === undefined || id.startsWith('--')) throw new UsageError('--method needs a value.');
  }
  if (id === undefined) return DEFAULT_METHOD;
  if (!Object.hasOwn(methods, id)) throw new UsageError(`--method: ${JSON.stringify(id)} is not a method; use ${Object.keys(methods).join(' or ')}.`);
  return id;
}

/**
 * A flag of another method's table given to this one: a usage error naming the method it
 * belongs to, rather than "unknown option".
 */
function checkForeignFlags(argv: readonly string[], method: string, methods: MethodRegistry): void {
  const own = new Set(Object.values(trainFlags(methods[method].params, methods)).flatMap((p) => (p.cli ? [p.cli.flag] : [])));
  for (const tok of argv) {
    if (!tok.startsWith('--')) continue;
    const flag = tok.includes('=') ? tok.slice(0, tok.indexOf('=')) : tok;
    if (flag === '--export-problem' && method !== DEFAULT_METHOD) throw new UsageError(`--export-problem writes CRONOS's convex program; method ${method} has none.`);
    if (own.has(flag)) continue;
    const owner = Object.values(methods).find((m) => Object.values(m.params).some((p) => p.cli?.flag === flag));
    if (owner) throw new UsageError(`${flag} is a setting of method ${owner.id}, not of ${method}; add --method ${owner.id} or drop ${flag} (see --help --method ${method}).`);
  }
}

/** The table parser's errors as the CLI's {@link UsageError}. */
function parseTrainFlags(argv: readonly string[], table: ParamTable): AnyValues {
  try {
    return parseFlags(table, argv);
  } catch (e) {
    if (e instanceof FlagError) throw new UsageError(e.message);
    throw e;
  }
}

/** `{ help: true }` for --help (with the method whose flags to list), otherwise the parsed arguments. */
export type ParsedArgs = { help: true; method: string } | { help: false; args: TrainArgs };

/** Parses `argv` (without node and the script). Throws {@link UsageError} on any problem. */
export function parseArgs(argv: string[], methods: MethodRegistry = METHODS): ParsedArgs {
  if (argv.length === 0) throw new UsageError('no command given; use `train` or `race` (see --help).');
  if (argv.includes('--help') || argv.includes('-h')) return { help: true, method: methodArg(argv, methods) };
  const [command, ...rest] = argv;
  if (command !== 'train') throw new UsageError(`unknown command ${JSON.stringify(command)}; the commands are \`train\` and \`race\` (see --help).`);
  const method = methodArg(rest, methods);
  checkForeignFlags(rest, method, methods);
  const table = methods[method].params;
  const given = parseTrainFlags(rest, trainFlags(table, methods));
  const str = (k: string): string | undefined => (typeof given[k] === 'string' ? (given[k] as string) : undefined);
  const data = str('data');
  if (data === undefined) throw new UsageError('--data TRAIN.csv is required.');
  const split = typeof given.split === 'number' ? given.split : undefined;
  if (split !== undefined && str('test') !== undefined) throw new UsageError('--split and --test exclude each other: a test file is already a held-out set.');
  if (given.paper === true && method !== DEFAULT_METHOD) throw new UsageError(`--paper sets CRONOS's official solver behaviour; method ${method} has no such settings.`);
  const cronosGiven = method === DEFAULT_METHOD ? pickGiven(CRONOS_PARAMS, given as Partial<SolverConfig>) : {};
  // --paper swaps the defaults for the official behaviour; explicit flags still win.
  const config: SolverConfig = { ...(given.paper === true ? PAPER_CONFIG : DEFAULT_CONFIG), ...cronosGiven };
  // An explicit --rho is the ρ to use, unless --rho-beta is given too.
  if (cronosGiven.rho !== undefined && cronosGiven.rhoBeta === undefined) config.rhoBeta = 0;
  // CRONOS's settings are its config (--paper and the ρ rule included); another method's, its table's defaults and the flags given.
  const settings: AnyValues = method === DEFAULT_METHOD ? { ...config } : { ...defaultsOf(table), ...pickGiven(table, given) };
  const [out, exportProblem, saveState, resume] = [str('out'), str('exportProblem'), str('saveState'), str('resume')];
  const device = given.device === 'cpu' || given.device === 'gpu' ? given.device : defaultsOf(CLI_RUN_PARAMS).device;
  const simulateDeviceLoss = typeof given.simulateDeviceLoss === 'number' ? given.simulateDeviceLoss : undefined;
  if (simulateDeviceLoss !== undefined && device !== 'gpu') throw new UsageError('--simulate-device-loss destroys the GPU device, so it needs --device gpu.');
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
      test: str('test'),
      label: str('label'),
      split,
      device,
      out,
      exportProblem,
      saveState,
      resume,
      method,
      settings,
      simulateDeviceLoss,
      config,
    },
  };
}
