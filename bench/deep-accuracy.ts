/**
 * `npm run bench -- accuracy [--pair A/B]… [--rows N] [--test N] [--epochs E] [--batch B]
 * [--device gpu|cpu] [--out FILE.json]`: test accuracy of every deep method on Fashion-MNIST pairs
 * at 28×28 (bench/fmnist.ts: N balanced training rows, default 4000; every test row of the two
 * classes unless --test), standardised as the product does, network `mlp:256,256`, the paper's
 * loss (MSE on ±1), batch 256, 10 epochs of shuffled minibatches. Methods through the registry
 * (solver/methods/index.ts), so what runs is what the page and the CLI run: Adam and SGD
 * (momentum 0.9) over a small learning-rate grid, AdamW (lr 1e-3, weight decay 1e-4),
 * DAdapt-Adam (no lr), and CRONOS-AM with its defaults when the registry has it.
 *
 * The test accuracy reported is the one after the last epoch (no early stopping). "Best-tuned
 * Adam" picks the lr with the best *test* accuracy: an upper bound of what tuning gives, marked as
 * such. bench/deep_accuracy_sklearn.py runs scikit-learn's MLPClassifier on the same rows.
 */
import { writeFileSync } from 'node:fs';
import { nodeGpu } from '../solver/gpu/node-gpu';
import { METHOD_IDS, METHODS, type MethodId, type MethodInfo } from '../solver/methods/index';
import { defaultsOf, type AnyValues } from '../solver/params/table';
import type { Trainer, TrainerEnv, TrainingData } from '../solver/trainer';
import { classIndex, FMNIST_CLASSES, fmnistPair, readIdx } from './fmnist';

/** The learning-rate grids (half-decades around each method's default). */
export const LR_GRID: Readonly<Record<'adam' | 'sgd', readonly number[]>> = {
  adam: [3e-4, 1e-3, 3e-3],
  sgd: [3e-3, 1e-2, 3e-2],
};

/** One run of the table: a method and its settings beyond the shared ones. */
export interface RunSpec {
  readonly method: string;
  readonly label: string;
  readonly settings: AnyValues;
}

/** Harness options (from the command line). */
export interface AccuracyOptions {
  readonly pairs: readonly (readonly [number, number])[];
  readonly rows: number;
  readonly testRows: number;
  readonly epochs: number;
  readonly batch: number;
  readonly device: 'gpu' | 'cpu';
  readonly out: string | null;
  /** Method ids to run (all when empty). */
  readonly methods: readonly string[];
  /** CRONOS-AM variants (`--am key=value,…`, one per flag) run instead of its defaults; empty = defaults. */
  readonly amVariants: readonly AnyValues[];
}

/** What one run gave. */
export interface RunResult {
  readonly pair: string;
  readonly label: string;
  readonly trainAccuracy: number;
  readonly testAccuracy: number;
  readonly seconds: number;
}

const USAGE = 'usage: npm run bench -- accuracy [--pair Pullover/Bag]… [--rows 4000] [--test 0] [--epochs 10] [--batch 256] [--device gpu|cpu] [--methods adam,sgd,…] [--am checkpoint=5,admmIters=20]… [--out results.json]';

function intFlag(name: string, raw: string | undefined, min: number): number {
  const v = Number(raw);
  if (raw === undefined || !(Number.isInteger(v) && v >= min)) throw new Error(`${name} ${raw ?? '(missing)'} is not a whole number ≥ ${min}. ${USAGE}`);
  return v;
}

/**
 * Parses one `--am` value `key=value,…` into CRONOS-AM overrides: numbers as numbers, true/false
 * as flags, anything else as text (the factory checks names and ranges against its table).
 */
export function parseAmVariant(raw: string): AnyValues {
  const out: Record<string, number | string | boolean> = {};
  for (const part of raw.split(',').filter((p) => p !== '')) {
    const eq = part.indexOf('=');
    if (eq <= 0) throw new Error(`--am ${JSON.stringify(raw)}: ${JSON.stringify(part)} is not key=value (e.g. --am checkpoint=5,admmIters=20). ${USAGE}`);
    const key = part.slice(0, eq);
    const text = part.slice(eq + 1);
    const num = Number(text);
    out[key] = text === 'true' ? true : text === 'false' ? false : text !== '' && Number.isFinite(num) ? num : text;
  }
  if (Object.keys(out).length === 0) throw new Error(`--am needs key=value pairs (e.g. --am checkpoint=5). ${USAGE}`);
  return out as AnyValues;
}

/** Parses the command line (defaults: Pullover/Bag and Shirt/T-shirt, 4000 rows, 10 epochs, batch 256, GPU). */
export function parseAccuracyArgs(argv: readonly string[]): AccuracyOptions {
  const pairs: [number, number][] = [];
  let rows = 4000;
  let testRows = 0;
  let epochs = 10;
  let batch = 256;
  let device: 'gpu' | 'cpu' = 'gpu';
  let out: string | null = null;
  let methods: string[] = [];
  const amVariants: AnyValues[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const next = (): string | undefined => argv[++i];
    if (a === '--pair') {
      const v = next() ?? '';
      const parts = v.split('/').length === 2 ? v.split('/') : v.split(':');
      // "T-shirt/top" contains a slash: accept "Shirt/T-shirt" and "6:0" forms.
      if (parts.length !== 2) throw new Error(`--pair ${JSON.stringify(v)} is not two classes like Pullover/Bag or 2:8. ${USAGE}`);
      pairs.push([classIndex(parts[0]!), classIndex(parts[1]!)]);
    } else if (a === '--rows') rows = intFlag('--rows', next(), 2);
    else if (a === '--test') testRows = intFlag('--test', next(), 0);
    else if (a === '--epochs') epochs = intFlag('--epochs', next(), 1);
    else if (a === '--batch') batch = intFlag('--batch', next(), 1);
    else if (a === '--device') {
      const v = next();
      if (v !== 'gpu' && v !== 'cpu') throw new Error(`--device ${v ?? '(missing)'}: use gpu or cpu.`);
      device = v;
    } else if (a === '--out') out = next() ?? null;
    else if (a === '--am') amVariants.push(parseAmVariant(next() ?? ''));
    else if (a === '--methods') {
      methods = (next() ?? '').split(',').filter((m) => m !== '');
      const unknown = methods.filter((m) => !(METHOD_IDS as readonly string[]).includes(m));
      if (unknown.length > 0 || methods.length === 0) throw new Error(`--methods ${methods.join(',') || '(missing)'}: ${unknown.join(', ') || 'nothing'} is not a registered method; use some of ${METHOD_IDS.join(', ')}.`);
    }
    else throw new Error(`unknown argument ${JSON.stringify(a)}. ${USAGE}`);
  }
  if (pairs.length === 0) pairs.push([2, 8], [6, 0]);
  return { pairs, rows, testRows, epochs, batch, device, out, methods, amVariants };
}

/** The runs of the table: the grids, AdamW, DAdapt-Adam, and CRONOS-AM if registered. */
export function runSpecs(registered: readonly string[], amVariants: readonly AnyValues[] = []): RunSpec[] {
  const runs: RunSpec[] = [];
  for (const lr of LR_GRID.adam) runs.push({ method: 'adam', label: `Adam lr=${lr}`, settings: { lr } });
  for (const lr of LR_GRID.sgd) runs.push({ method: 'sgd', label: `SGD(μ=0.9) lr=${lr}`, settings: { lr, momentum: 0.9 } });
  runs.push({ method: 'adamw', label: 'AdamW lr=0.001 wd=1e-4', settings: { lr: 1e-3, weightDecay: 1e-4 } });
  runs.push({ method: 'dadapt-adam', label: 'DAdapt-Adam (no lr)', settings: {} });
  if (registered.includes('cronos-am')) {
    if (amVariants.length === 0) runs.push({ method: 'cronos-am', label: 'CRONOS-AM (defaults)', settings: {} });
    for (const v of amVariants) {
      const label = `AM ${Object.entries(v).map(([k, x]) => `${k}=${String(x)}`).join(',')}`;
      runs.push({ method: 'cronos-am', label, settings: v });
    }
  }
  return runs;
}

/** Starts `spec` through the registry with the shared settings of the harness. */
async function start(spec: RunSpec, data: TrainingData, o: AccuracyOptions, env: TrainerEnv): Promise<Trainer> {
  if (!(METHOD_IDS as readonly string[]).includes(spec.method)) throw new Error(`method ${spec.method} is not in the registry (solver/methods/index.ts).`);
  // The registry's entries are typed per method; the harness passes each its own table's defaults
  // with the shared overrides, which the factory checks against that table by name.
  const info = METHODS[spec.method as MethodId] as unknown as MethodInfo;
  const settings: AnyValues = { ...defaultsOf(info.params), arch: 'mlp:256,256', loss: 'mse', epochs: o.epochs, batch: o.batch, sampling: 'shuffle', logEvery: 0, seed: 0, ...spec.settings };
  const factory = (await info.load()) as unknown as (d: TrainingData, s: AnyValues, e: TrainerEnv) => Promise<Trainer>;
  return factory(data, settings, env);
}

async function runOne(spec: RunSpec, data: TrainingData, o: AccuracyOptions, env: TrainerEnv, pair: string): Promise<RunResult> {
  const t0 = performance.now();
  const trainer = await start(spec, data, o, env);
  try {
    let m = await trainer.step();
    while (!trainer.finished(m)) m = await trainer.step();
    const trainAccuracy = Number(m['trainAccuracy']);
    const testAccuracy = Number(m['testAccuracy']);
    return { pair, label: spec.label, trainAccuracy, testAccuracy, seconds: (performance.now() - t0) / 1000 };
  } finally {
    trainer.dispose();
  }
}

const pct = (v: number): string => (Number.isFinite(v) ? `${(100 * v).toFixed(2)}%` : 'n/a');

/** The harness: every pair, every run, a table per pair and the best-tuned Adam. */
export async function runAccuracy(argv: readonly string[]): Promise<void> {
  const o = parseAccuracyArgs(argv);
  const env: TrainerEnv = o.device === 'gpu' ? { device: 'gpu', gpu: nodeGpu() } : { device: 'cpu' };
  const train = readIdx('train');
  const test = readIdx('t10k');
  const specs = runSpecs(METHOD_IDS, o.amVariants).filter((r) => o.methods.length === 0 || o.methods.includes(r.method));
  if (!(METHOD_IDS as readonly string[]).includes('cronos-am')) console.log('CRONOS-AM is not in the registry yet: not run.');
  console.log(`mlp:256,256, MSE on ±1, ${o.epochs} epochs, batch ${o.batch}, shuffled, seed 0, device ${o.device}; ${o.rows} training rows per pair (balanced)\n`);
  const all: RunResult[] = [];
  const t0 = performance.now();
  for (const classes of o.pairs) {
    const name = `${FMNIST_CLASSES[classes[0]]} vs ${FMNIST_CLASSES[classes[1]]}`;
    const data = fmnistPair(classes, o.rows, o.testRows, train, test);
    console.log(`${name}: ${data.train.n} train rows, ${data.test!.n} test rows`);
    const results: RunResult[] = [];
    for (const spec of specs) {
      const r = await runOne(spec, data, o, env, name);
      results.push(r);
      console.log(`  ${r.label.padEnd(34)} train ${pct(r.trainAccuracy).padStart(7)}  test ${pct(r.testAccuracy).padStart(7)}  (${r.seconds.toFixed(0)} s)`);
    }
    const adam = results.filter((r) => r.label.startsWith('Adam '));
    if (adam.length > 0) {
      const best = adam.reduce((a, b) => (b.testAccuracy > a.testAccuracy ? b : a));
      console.log(`  best-tuned Adam: ${best.label} at ${pct(best.testAccuracy)} (picked on test accuracy: an upper bound of tuning)`);
    }
    console.log('');
    all.push(...results);
  }
  console.log(`total ${((performance.now() - t0) / 1000).toFixed(0)} s for ${all.length} runs`);
  if (o.out) writeFileSync(o.out, JSON.stringify({ options: o, results: all }, null, 2) + '\n');
}
