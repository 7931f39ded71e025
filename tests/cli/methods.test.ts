/**
 * `cronos train --method ID`: the method's flags from its table, other methods' flags refused by
 * name, its own `--help`, and the generic run (cli/train-method.ts) with result.json and a
 * resumable state, driven with the tests' fixture method (tests/support/fixture-method.ts). The
 * process itself only knows the product registry, so the pieces are tested with the fixture
 * injected; `--method cronos` and the CRONOS paths are the cli suites'.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseArgs, usageFor } from '../../cli/args';
import { dataHash } from '../../cli/state-file';
import { trainMethod } from '../../cli/train-method';
import { leastSquares, LSQ_PARAMS, signTargets, WITH_LSQ } from '../support/fixture-method';

const dir = mkdtempSync(join(tmpdir(), 'cronos-methods-'));
const file = (name: string): string => join(dir, name);

/** Two noisy features and a bias-free linear label rule, 60 rows; a seeded-free deterministic table. */
function writeData(name: string, flip = false, offset = 0): string {
  const lines = ['a,b,label'];
  for (let j = offset; j < offset + 60; j++) {
    const a = Math.sin(j * 1.7) * 2;
    const b = Math.cos(j * 0.9) + 0.3 * a;
    const pos = a - 0.5 * b > 0 !== flip;
    lines.push(`${a.toFixed(4)},${b.toFixed(4)},${pos ? 'yes' : 'no'}`);
  }
  writeFileSync(file(name), `${lines.join('\n')}\n`);
  return file(name);
}

function args(argv: string[]) {
  const r = parseArgs(argv, WITH_LSQ);
  if (r.help) throw new Error('help');
  return r.args;
}

const quiet = (): void => {};

describe('--method parsing', () => {
  it('takes the method’s flags with its defaults; CRONOS stays the default', () => {
    const a = args(['train', '--data', 'x.csv', '--method', 'lsq', '--lsq-rate', '0.5']);
    expect(a.method).toBe('lsq');
    expect(a.settings).toEqual({ lsqRate: 0.5, lsqSteps: LSQ_PARAMS.lsqSteps.default, seed: 0 });
    expect(args(['train', '--data', 'x.csv', '--method=lsq', '--lsq-steps', '7']).settings.lsqSteps).toBe(7);
    expect(args(['train', '--data', 'x.csv']).method).toBe('cronos');
  });

  it('refuses other methods’ flags, naming the method they belong to', () => {
    expect(() => parseArgs(['train', '--data', 'x.csv', '--method', 'lsq', '--P', '8'], WITH_LSQ)).toThrow('--P is a setting of method cronos, not of lsq; add --method cronos or drop --P (see --help --method lsq).');
    expect(() => parseArgs(['train', '--data', 'x.csv', '--lsq-rate', '0.5'], WITH_LSQ)).toThrow('--lsq-rate is a setting of method lsq, not of cronos');
    expect(() => parseArgs(['train', '--data', 'x.csv', '--method', 'lsq', '--export-problem', 'p.json'], WITH_LSQ)).toThrow(/--export-problem writes CRONOS's convex program; method lsq has none/);
    expect(() => parseArgs(['train', '--data', 'x.csv', '--method', 'adagrad'], WITH_LSQ)).toThrow(`--method: "adagrad" is not a method; use ${Object.keys(WITH_LSQ).join(' or ')}.`);
    expect(() => parseArgs(['train', '--data', 'x.csv', '--method'], WITH_LSQ)).toThrow('--method needs a value.');
    expect(() => parseArgs(['train', '--data', 'x.csv', '--method', 'lsq', '--lsq-rate', '0'], WITH_LSQ)).toThrow('--lsq-rate: "0" is not a number > 0.');
  });

  it('--help --method lists that method’s flags; plain --help is CRONOS’s', () => {
    expect(parseArgs(['--help', '--method', 'lsq'], WITH_LSQ)).toEqual({ help: true, method: 'lsq' });
    expect(parseArgs(['train', '--help'], WITH_LSQ)).toEqual({ help: true, method: 'cronos' });
    const text = usageFor('lsq', WITH_LSQ);
    expect(text).toContain(`method lsq\n  --method ${Object.keys(WITH_LSQ).join('|')}`);
    expect(text).toMatch(/\n {2}--lsq-rate ETA {9}gradient step size η \(default 0\.1\)\n/);
    expect(text).toMatch(/\n {2}--lsq-steps N {10}gradient steps in all \(default 20\)\n/);
    expect(text).not.toContain('--P N');
    expect(text).not.toContain('--export-problem');
    expect(usageFor('cronos')).toBe(usageFor());
  });
});

describe('the generic run of a method', () => {
  it('result.json: method, the history of its records, final accuracies; it is gradient descent', async () => {
    const data = writeData('lin.csv');
    const test = writeData('lin-test.csv', false, 1000);
    const { result } = await trainMethod(args(['train', '--data', data, '--test', test, '--method', 'lsq', '--lsq-rate', '0.5', '--lsq-steps', '300', '--device', 'cpu']), { device: 'cpu' }, quiet, WITH_LSQ);
    expect(result.method).toBe('lsq');
    expect(result.config).toEqual({ lsqRate: 0.5, lsqSteps: 300, seed: 0, device: 'cpu' });
    const history = result.history as { iter: number; loss: number }[];
    expect(history.map((m) => m.iter)).toEqual(Array.from({ length: 300 }, (_, i) => i + 1));
    const final = result.final as { iterations: number; train_accuracy: number; test_accuracy: number };
    expect(final.iterations).toBe(300);
    // A linear rule through the origin on z-scored features: a least-squares fit separates most rows.
    expect(final.train_accuracy).toBeGreaterThan(0.85);
    expect(final.test_accuracy).toBeGreaterThan(0.6);
    expect(final.test_accuracy).toBeLessThanOrEqual(1);
    // The exported network computes x·w with w the least-squares solution of the training rows.
    const d = result.data as { n: number; d: number };
    const net = result.network as { W1: number[][]; m: number };
    expect([d.d, net.m]).toEqual([2, 2]);
    const w = net.W1.map((row) => row[0]);
    const train = await trainRows(data);
    const optimum = leastSquares(train.X, train.n, train.d, signTargets(train.labels, 2).Y, 1);
    expect(w[0]).toBeCloseTo(optimum[0], 6);
    expect(w[1]).toBeCloseTo(optimum[1], 6);
  });

  it('--save-state at 5 and --resume to 12 equal a straight 12-step run; other data or settings are refused', async () => {
    const data = writeData('lin2.csv');
    const base = ['train', '--data', data, '--method', 'lsq', '--lsq-rate', '0.2', '--device', 'cpu'];
    const straight = await trainMethod(args([...base, '--lsq-steps', '12']), { device: 'cpu' }, quiet, WITH_LSQ);
    const first = await trainMethod(args([...base, '--lsq-steps', '5', '--save-state', file('s5.json')]), { device: 'cpu' }, quiet, WITH_LSQ);
    writeFileSync(file('s5.json'), first.stateText ?? '');
    const resumed = await trainMethod(args([...base, '--lsq-steps', '12', '--resume', file('s5.json')]), { device: 'cpu' }, quiet, WITH_LSQ);
    const strip = (h: unknown) => (h as { timeMs: number }[]).map((m) => ({ ...m, timeMs: 0 }));
    expect(strip(resumed.result.history)).toEqual(strip(straight.result.history).slice(5));
    expect(resumed.result.network).toEqual(straight.result.network);
    expect(resumed.result.resumed_from).toEqual({ file: file('s5.json'), iteration: 5 });
    const saved = JSON.parse(readFileSync(file('s5.json'), 'utf8')) as { method: string; config: Record<string, unknown>; data: { hash: string } };
    expect(saved.method).toBe('lsq');
    // The budget is not part of the match; the step size is.
    expect(saved.config).toEqual({ lsqRate: 0.2, seed: 0 });
    const otherLr = args(['train', '--data', data, '--method', 'lsq', '--lsq-rate', '0.3', '--device', 'cpu', '--lsq-steps', '12', '--resume', file('s5.json')]);
    await expect(trainMethod(otherLr, { device: 'cpu' }, quiet, WITH_LSQ)).rejects.toThrow(/saved with lsqRate = 0\.2, this run has 0\.3/);
    await expect(trainMethod(args([...base, '--lsq-steps', '5', '--resume', file('s5.json')]), { device: 'cpu' }, quiet, WITH_LSQ)).rejects.toThrow(/already at step 5; raise --lsq-steps above it/);
    // The same shape, other labels: the content hash refuses it.
    const other = writeData('lin3.csv', true);
    const otherArgs = args(['train', '--data', other, '--method', 'lsq', '--lsq-rate', '0.2', '--device', 'cpu', '--lsq-steps', '12', '--resume', file('s5.json')]);
    await expect(trainMethod(otherArgs, { device: 'cpu' }, quiet, WITH_LSQ)).rejects.toThrow(/other data of the same shape/);
    // A CRONOS resume of the fixture's state names the method to use.
    const cronos = args(['train', '--data', data, '--device', 'cpu', '--resume', file('s5.json')]);
    const { readStateFile } = await import('../../cli/state-file');
    const t = await trainRows(data);
    expect(() => readStateFile(file('s5.json'), { config: cronos.config, n: t.n, d: t.d, classes: t.classNames, X: t.X, labels: t.labels }, WITH_LSQ)).toThrow(/saved by method lsq; this run uses cronos. Resume with --method lsq/);
    expect(dataHash(t.X, t.labels)).toBe(saved.data.hash);
  });
});

/** The standardised training rows of `path`, as the CLI reads them. */
async function trainRows(path: string) {
  const { loadTrainingData } = await import('../../cli/data');
  return loadTrainingData({ data: path, test: undefined, label: undefined, split: undefined }, 0, quiet).trainData;
}
