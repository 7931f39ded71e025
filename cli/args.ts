/**
 * Command-line parsing of `cronos train`. Strict on purpose: an unknown flag or a bad value is
 * an error (a typo such as `--admm-iter 500` must not silently train with the default).
 */
import { DEFAULT_CONFIG, type DeviceKind, type SolverConfig } from '../solver/types';

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
  config: SolverConfig;
}

/** `{ help: true }` for --help, otherwise the parsed arguments. */
export type ParsedArgs = { help: true } | { help: false; args: TrainArgs };

/** The --help text. */
export const USAGE = `Train a convex two-layer ReLU network with CRONOS (ADMM + Nyström-preconditioned CG).

usage: npm run cronos -- train --data TRAIN.csv [options]

data
  --data FILE            training CSV with a header row (required)
  --test FILE            test CSV with the same columns; gives the test accuracy
  --split F              no --test: hold out a seeded, stratified fraction F in (0,1) of --data
                         as the test set (default: no split, test accuracy null)
  --label COLUMN         label column name (default: the last column)
                         Features are all other columns (numeric); they are z-scored per column
                         with the training mean/std (constant columns become 0).
model and solver
  --model relu|gated     convex ReLU (cone-constrained) or gated ReLU (default ${DEFAULT_CONFIG.model})
  --P N                  sampled activation patterns (default ${DEFAULT_CONFIG.P})
  --beta B               group-lasso weight β ≥ 0 (default ${DEFAULT_CONFIG.beta})
  --rho R                ADMM penalty ρ > 0 (default ${DEFAULT_CONFIG.rho})
  --adaptive-rho         residual balancing of ρ
  --rank R               Nyström preconditioner rank, 0 = none (default ${DEFAULT_CONFIG.rank})
  --admm-iters N         maximum ADMM iterations (default ${DEFAULT_CONFIG.admmIters})
  --pcg-iters N          maximum PCG iterations per ADMM step (default ${DEFAULT_CONFIG.pcgIters})
  --pcg-tol T            fixed absolute PCG tolerance (default: the schedule 1/(1+k)^1.2)
  --tol T                ε_abs = ε_rel of the stopping rule (default ${DEFAULT_CONFIG.tol})
  --seed S               seed of gates, sketch and split (default ${DEFAULT_CONFIG.seed})
  --no-warm-start        start PCG from 0 each step (the official code's behaviour)
  --device gpu|cpu       WebGPU (dawn.node) or the float64 CPU reference (default gpu)
output
  --out FILE             result JSON (config, data, per-iteration history, final metrics,
                         network); printed to stdout when omitted
  --export-problem FILE  the cross-check JSON of spec §10: {X, y, D, beta, model, U, W}
                         (a list with one object per class when there are more than 2 classes)
  -h, --help             this text

Progress (one line per ADMM iteration) goes to stderr. Exit code 0 on success, 1 on any error.`;

type FlagKind = 'string' | 'posInt' | 'nonNegInt' | 'nonNeg' | 'positive' | 'fraction' | 'model' | 'device' | 'bool';

const FLAGS: Record<string, FlagKind> = {
  '--data': 'string',
  '--test': 'string',
  '--label': 'string',
  '--split': 'fraction',
  '--model': 'model',
  '--P': 'posInt',
  '--beta': 'nonNeg',
  '--rho': 'positive',
  '--adaptive-rho': 'bool',
  '--rank': 'nonNegInt',
  '--pcg-tol': 'nonNeg',
  '--admm-iters': 'posInt',
  '--pcg-iters': 'posInt',
  '--tol': 'positive',
  '--seed': 'nonNegInt',
  '--device': 'device',
  '--no-warm-start': 'bool',
  '--out': 'string',
  '--export-problem': 'string',
};

const NUMBER = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;

function parseValue(flag: string, kind: FlagKind, raw: string): string | number {
  const bad = (what: string): UsageError => new UsageError(`${flag}: ${JSON.stringify(raw)} is not ${what}.`);
  switch (kind) {
    case 'string':
      if (raw === '') throw bad('a non-empty value');
      return raw;
    case 'model':
      if (raw !== 'relu' && raw !== 'gated') throw bad('a model; use relu or gated');
      return raw;
    case 'device':
      if (raw !== 'gpu' && raw !== 'cpu') throw bad('a device; use gpu or cpu');
      return raw;
    default: {
      if (!NUMBER.test(raw)) throw bad('a number');
      const v = Number(raw);
      if (!Number.isFinite(v)) throw bad('a finite number');
      if (kind === 'posInt' && !(Number.isInteger(v) && v >= 1)) throw bad('an integer ≥ 1');
      if (kind === 'nonNegInt' && !(Number.isInteger(v) && v >= 0 && v <= 0xffffffff)) throw bad('an integer in [0, 4294967295]');
      if (kind === 'nonNeg' && !(v >= 0)) throw bad('a number ≥ 0');
      if (kind === 'positive' && !(v > 0)) throw bad('a number > 0');
      if (kind === 'fraction' && !(v > 0 && v < 1)) throw bad('a fraction strictly between 0 and 1');
      return v;
    }
  }
}

/** Parses `argv` (without node and the script). Throws {@link UsageError} on any problem. */
export function parseArgs(argv: string[]): ParsedArgs {
  if (argv.length === 0) throw new UsageError('no command given; use `train` (see --help).');
  if (argv.includes('--help') || argv.includes('-h')) return { help: true };
  const [command, ...rest] = argv;
  if (command !== 'train') throw new UsageError(`unknown command ${JSON.stringify(command)}; the only command is \`train\` (see --help).`);
  const values = new Map<string, string | number | boolean>();
  for (let i = 0; i < rest.length; i++) {
    const tok = rest[i];
    const eq = tok.indexOf('=');
    const flag = tok.startsWith('--') && eq > 0 ? tok.slice(0, eq) : tok;
    const kind = FLAGS[flag];
    if (kind === undefined) {
      if (!tok.startsWith('-')) throw new UsageError(`unexpected argument ${JSON.stringify(tok)}; every option is a --flag (see --help).`);
      const near = Object.keys(FLAGS).find((f) => f.toLowerCase() === flag.toLowerCase());
      throw new UsageError(`unknown option ${flag}${near ? ` (did you mean ${near}?)` : ''}; see --help.`);
    }
    if (values.has(flag)) throw new UsageError(`${flag} is given more than once.`);
    if (kind === 'bool') {
      if (eq > 0 && tok.startsWith('--')) throw new UsageError(`${flag} takes no value.`);
      values.set(flag, true);
      continue;
    }
    let raw: string;
    if (eq > 0 && tok.startsWith('--')) raw = tok.slice(eq + 1);
    else {
      if (i + 1 >= rest.length) throw new UsageError(`${flag} needs a value.`);
      raw = rest[++i];
      if (raw.startsWith('--')) throw new UsageError(`${flag} needs a value, got the option ${raw}.`);
    }
    values.set(flag, parseValue(flag, kind, raw));
  }
  const str = (f: string): string | undefined => values.get(f) as string | undefined;
  const num = (f: string): number | undefined => values.get(f) as number | undefined;
  const data = str('--data');
  if (data === undefined) throw new UsageError('--data TRAIN.csv is required.');
  if (values.has('--split') && values.has('--test')) throw new UsageError('--split and --test exclude each other: a test file is already a held-out set.');
  const config: SolverConfig = {
    ...DEFAULT_CONFIG,
    model: (str('--model') as SolverConfig['model'] | undefined) ?? DEFAULT_CONFIG.model,
    P: num('--P') ?? DEFAULT_CONFIG.P,
    beta: num('--beta') ?? DEFAULT_CONFIG.beta,
    rho: num('--rho') ?? DEFAULT_CONFIG.rho,
    adaptiveRho: values.has('--adaptive-rho') || DEFAULT_CONFIG.adaptiveRho,
    rank: num('--rank') ?? DEFAULT_CONFIG.rank,
    admmIters: num('--admm-iters') ?? DEFAULT_CONFIG.admmIters,
    pcgIters: num('--pcg-iters') ?? DEFAULT_CONFIG.pcgIters,
    tol: num('--tol') ?? DEFAULT_CONFIG.tol,
    seed: num('--seed') ?? DEFAULT_CONFIG.seed,
    warmStart: values.has('--no-warm-start') ? false : DEFAULT_CONFIG.warmStart,
  };
  const pcgTol = num('--pcg-tol');
  if (pcgTol !== undefined) config.pcgTol = pcgTol;
  const out = str('--out');
  const exportProblem = str('--export-problem');
  if (out !== undefined && exportProblem !== undefined && out === exportProblem) throw new UsageError('--out and --export-problem name the same file.');
  return {
    help: false,
    args: {
      data,
      test: str('--test'),
      label: str('--label'),
      split: num('--split'),
      device: (str('--device') as DeviceKind | undefined) ?? 'gpu',
      out,
      exportProblem,
      config,
    },
  };
}
