/**
 * `npm run cronos -- race --data TRAIN --test TEST [--methods …] [--arch …] [--epochs E]
 * [--batch B] [--lr-draws K] [--seed S] --out race.json`: the race of solver/race/ on the CLI's
 * data pipeline (cli/data.ts). Flags come from the race's table (solver/race/params.ts) and the
 * CLI's own data, device and output tables; progress goes to stderr, the results table to
 * stdout, and race.json (and the optional CSV table) is written atomically only when the race is
 * complete, so a bad flag, bad data or a method that cannot run at all leaves no file.
 */
import { DataError } from '../data/errors';
import { METHODS, type MethodRegistry } from '../solver/methods/index';
import { defaultsOf, FlagError, flagHelp, parseFlags, text, type Values } from '../solver/params/table';
import { DEFAULT_RACE, raceConfigProblems, type RaceConfig } from '../solver/race/config';
import { resultsTable, resultsToJson, tableToCsv, type RaceTableRow } from '../solver/race/export';
import { RACE_PARAMS } from '../solver/race/params';
import { Race, type RaceResults, type RaceStep } from '../solver/race/race';
import type { TrainerEnv } from '../solver/trainer';
import { UsageError } from './args';
import { loadTrainingData } from './data';
import { checkWritable, writeFilesAtomically } from './output';
import { trainerEnv } from './train-method';
import { CLI_DATA_PARAMS, CLI_OUTPUT_PARAMS, CLI_RUN_PARAMS } from './params';

/** The race's output flags: race.json and the table as CSV. */
const RACE_OUTPUT_PARAMS = {
  out: { ...CLI_OUTPUT_PARAMS.out, cli: { ...CLI_OUTPUT_PARAMS.out.cli, help: 'race JSON: per method its summary, curve and runs (one per lr draw)' } },
  csv: text({ label: 'table file', change: 'none', cli: { flag: '--csv', arg: 'FILE', help: 'the results table as CSV (one row per method)' } }),
} as const;

/** Every flag of `race`. */
const RACE_FLAGS = { ...CLI_DATA_PARAMS, ...RACE_PARAMS, device: CLI_RUN_PARAMS.device, ...RACE_OUTPUT_PARAMS };

/** What `cronos race` was asked to do. */
export interface RaceArgs {
  readonly data: string;
  readonly test: string | undefined;
  readonly label: string | undefined;
  readonly split: number | undefined;
  readonly device: 'gpu' | 'cpu';
  readonly out: string | undefined;
  readonly csv: string | undefined;
  readonly config: RaceConfig;
}

/** `race --help`. */
export function raceUsage(): string {
  return [
    'Race training methods on one dataset: test accuracy against epochs and against compute time,',
    'tuned methods (Adam, AdamW, SGD) over seeded learning-rate draws, every run stepped fairly by',
    'its own clock (docs/spec.md §8).',
    '',
    'usage: npm run cronos -- race --data TRAIN.csv --test TEST.csv [options] --out race.json',
    '',
    'data',
    ...flagHelp(CLI_DATA_PARAMS),
    'race',
    ...flagHelp(RACE_PARAMS),
    ...flagHelp({ device: CLI_RUN_PARAMS.device }),
    'output',
    ...flagHelp(RACE_OUTPUT_PARAMS),
    '  -h, --help             this text',
    '',
    'Progress (one line per finished run) goes to stderr, the results table to stdout.',
    'Exit code 0 on success, 1 on any error (then no file is written).',
  ].join('\n');
}

/** The method list of `--methods`: known ids, each once. */
function methodList(raw: string | undefined): string[] {
  if (raw === undefined) return [...DEFAULT_RACE.methods];
  return raw.split(',').map((m) => m.trim()).filter((m) => m !== '');
}

/** Parses `race`'s flags (without the word `race`); throws {@link UsageError}. */
export function parseRaceArgs(argv: readonly string[], methods: MethodRegistry = METHODS): RaceArgs {
  let given: Partial<Values<typeof RACE_FLAGS>>;
  try {
    given = parseFlags(RACE_FLAGS, argv);
  } catch (e) {
    throw e instanceof FlagError ? new UsageError(e.message) : e;
  }
  const v = { ...defaultsOf(RACE_FLAGS), ...given };
  const { data, test, split, cronosIters, target } = v;
  if (data === undefined) throw new UsageError('--data TRAIN.csv is required.');
  if (test !== undefined && split !== undefined) throw new UsageError('--split and --test exclude each other: a test file is already a held-out set.');
  if (test === undefined && split === undefined) throw new UsageError('a race compares test accuracy: give --test TEST.csv or --split F.');
  const config: RaceConfig = {
    methods: methodList(v.methods),
    arch: v.arch ?? DEFAULT_RACE.arch,
    epochs: v.epochs,
    batch: v.batch,
    lrDraws: v.lrDraws,
    seed: v.seed,
    lrMode: v.lrMode,
    ...(cronosIters !== undefined ? { cronosIters } : {}),
    ...(target !== undefined ? { targetAccuracy: target } : {}),
  };
  const archProblem = RACE_PARAMS.arch.check(config.arch);
  if (archProblem !== null) throw new UsageError(`--arch: ${archProblem}`);
  const problems = raceConfigProblems(config, Object.keys(methods));
  if (problems.length > 0) throw new UsageError(`--methods/--epochs/…: ${problems.join(' ')}`);
  const { out, csv } = v;
  if (out !== undefined && out === csv) throw new UsageError('--out and --csv name the same file.');
  return { data, test, label: v.label, split, device: v.device, out, csv, config };
}

const pct = (x: number | null): string => (x === null ? '—' : `${(100 * x).toFixed(2)}%`);
const range = (lo: number | null, hi: number | null): string => (lo === null || hi === null ? '—' : `${pct(lo)}–${pct(hi)}`);

/** The results table as text, one line per method. */
export function formatTable(rows: readonly RaceTableRow[]): string {
  const head = ['method', 'runs', 'best lr', 'peak', 'peak range', 'final', 'final range', 'time s', 'to target s'];
  const body = rows.map((r) => [
    r.method,
    String(r.draws),
    r.best_lr === null ? '—' : r.best_lr.toExponential(2),
    pct(r.peak_test_accuracy),
    range(r.peak_min, r.peak_max),
    pct(r.final_test_accuracy),
    range(r.final_min, r.final_max),
    r.time_s.toFixed(2),
    r.time_to_target_s === null ? '—' : r.time_to_target_s.toFixed(2),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  return [head, ...body].map((cells) => cells.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd()).join('\n');
}

/** One line for a run that ended. */
function endLine(s: RaceStep, results: RaceResults): string {
  const run = results.methods.find((m) => m.method === s.method)?.runs.find((r) => r.lr === s.lr);
  const lr = s.lr === null ? '' : ` lr=${s.lr.toExponential(2)}`;
  if (!run) return `${s.method}${lr}: ${s.end}`;
  const why = run.error !== undefined ? `: ${run.error}` : '';
  return `${s.method}${lr}: ${s.end}${why} after ${run.curve.length} steps, peak ${pct(run.peak_test_accuracy)}, final ${pct(run.final_test_accuracy)}, ${run.time_s.toFixed(2)} s`;
}

/** Runs the race of `args` on `env` and returns its results. */
export async function runRace(args: RaceArgs, env: TrainerEnv, log: (s: string) => void, methods: MethodRegistry = METHODS): Promise<RaceResults> {
  const { trainData, testData } = loadTrainingData(args, args.config.seed, log);
  if (!testData || testData.n === 0) throw new DataError(`${args.test ?? args.data}: no test rows to race on.`, { file: args.test ?? args.data });
  const data = { train: trainData, test: { X: testData.X, n: testData.n, labels: testData.labels } };
  const race = new Race({ config: args.config, data, env, methods });
  try {
    return await race.run((s) => {
      if (s.end !== null) log(endLine(s, race.results()));
    });
  } finally {
    race.dispose();
  }
}

/** `cronos race`: parse, check the outputs, race, write race.json (and the CSV) atomically, print the table. */
export async function runRaceCli(argv: readonly string[], log: (s: string) => void, methods: MethodRegistry = METHODS): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(`${raceUsage()}\n`);
    return 0;
  }
  const args = parseRaceArgs(argv, methods);
  if (args.out !== undefined) checkWritable(args.out, '--out');
  if (args.csv !== undefined) checkWritable(args.csv, '--csv');
  const results = await runRace(args, await trainerEnv(args.device), log, methods);
  // A method none of whose runs could run is an error of the command (a batch too large, an
  // architecture that does not fit the data): say so and write nothing.
  const dead = results.methods.filter((m) => m.runs.every((r) => r.end === 'failed'));
  if (dead.length > 0) {
    throw new DataError(`${args.data}: ${dead.map((m) => `every run of ${m.method} failed (${m.runs[0]?.error ?? 'no step'})`).join('; ')}. No file was written.`, { file: args.data });
  }
  const rows = resultsTable(results);
  const files: { path: string; text: string }[] = [];
  if (args.out !== undefined) files.push({ path: args.out, text: resultsToJson(results, 1) });
  if (args.csv !== undefined) files.push({ path: args.csv, text: tableToCsv(rows) });
  writeFilesAtomically(files);
  await new Promise<void>((res) => process.stdout.write(`${formatTable(rows)}\n`, () => res()));
  for (const f of files) log(`wrote ${f.path}`);
  return 0;
}
