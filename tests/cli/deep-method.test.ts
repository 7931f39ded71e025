/**
 * `cronos train --method adam` through the generic CLI run (cli/train-method.ts) with the real
 * registry: a deep method trains for its epochs on a small CSV on the CPU, result.json has the
 * common shape, its accuracies agree with an independent forward pass of the saved network,
 * `--save-state`/`--resume` continue the run exactly, and bad flags are refused by name.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeXorCsv } from '../support/helpers';
import { parseArgs } from '../../cli/args';
import { trainMethod } from '../../cli/train-method';

const dir = mkdtempSync(join(tmpdir(), 'cronos-deep-cli-'));
const file = (name: string): string => join(dir, name);

/** The XOR-like CSV of tests/support/helpers.ts, 80 rows from `offset`, in this test's folder. */
function writeData(name: string, offset = 0): string {
  return writeXorCsv(file(name), 80, offset);
}

function args(argv: string[]) {
  const r = parseArgs(argv);
  if (r.help) throw new Error('help');
  return r.args;
}

const quiet = (): void => {};

/** Accuracy of the two-layer ReLU network of result.json on standardised rows, computed here from W1, w2 (C = 1: the sign). */
function accuracyOf(net: { d: number; m: number; W1: number[][]; w2: number[][] }, X: Float64Array, labels: Int32Array): number {
  let right = 0;
  for (let j = 0; j < labels.length; j++) {
    let f = 0;
    for (let h = 0; h < net.m; h++) {
      let z = 0;
      for (let i = 0; i < net.d; i++) z += X[j * net.d + i] * net.W1[i][h];
      f += Math.max(0, z) * net.w2[h][0];
    }
    if ((f > 0 ? 1 : 0) === labels[j]) right++;
  }
  return right / labels.length;
}

describe('a deep method through the generic CLI run', () => {
  const data = writeData('train.csv');
  const test = writeData('test.csv', 500);
  const flags = ['train', '--method', 'adam', '--data', data, '--test', test, '--arch', 'mlp:16', '--batch', '16', '--device', 'cpu'];
  const base = [...flags, '--lr', '0.01'];

  it('trains 2 epochs: result.json has the method, a history per epoch and accuracies equal to the saved network’s', async () => {
    const { result, stopped } = await trainMethod(args([...base, '--epochs', '2']), { device: 'cpu' }, quiet);
    expect(stopped).toBeNull();
    const r = JSON.parse(JSON.stringify(result)) as {
      method: string;
      history: { iter: number; epoch: number; timeMs: number; trainLoss: number; testLoss: number; trainAccuracy: number; testAccuracy: number }[];
      final: { iterations: number; train_accuracy: number; test_accuracy: number };
      network: { d: number; m: number; C: number; W1: number[][]; w2: number[][] };
      events: unknown[];
      stopped: unknown;
    };
    expect(r.method).toBe('adam');
    expect(r.history.map((m) => m.epoch)).toEqual([1, 2]);
    for (const m of r.history) {
      for (const v of [m.timeMs, m.trainLoss, m.testLoss]) expect(Number.isFinite(v) && v >= 0).toBe(true);
      for (const v of [m.trainAccuracy, m.testAccuracy]) expect(v >= 0 && v <= 1).toBe(true);
    }
    expect(r.final.iterations).toBe(2);
    expect(r.events).toEqual([]);
    expect(r.stopped).toBeNull();
    // The trainer's own last-epoch accuracies (its backend) equal the final model's through predictModel.
    expect(r.final.train_accuracy).toBe(r.history[1].trainAccuracy);
    expect(r.final.test_accuracy).toBe(r.history[1].testAccuracy);
    // …and an independent forward pass of the network written out (mlp:16, no biases: Dense→ReLU→Dense).
    expect(r.network).toMatchObject({ d: 2, m: 16, C: 1 });
    const { loadTrainingData } = await import('../../cli/data');
    const { trainData, testData } = loadTrainingData({ data, test, label: undefined, split: undefined }, 0, quiet);
    expect(accuracyOf(r.network, trainData.X, trainData.labels)).toBeCloseTo(r.final.train_accuracy, 12);
    expect(accuracyOf(r.network, testData!.X, testData!.labels)).toBeCloseTo(r.final.test_accuracy, 12);
  });

  it('--save-state after 1 epoch and --resume to 2 equals 2 epochs straight', async () => {
    const straight = await trainMethod(args([...base, '--epochs', '2']), { device: 'cpu' }, quiet);
    const first = await trainMethod(args([...base, '--epochs', '1', '--save-state', file('s1.json')]), { device: 'cpu' }, quiet);
    writeFileSync(file('s1.json'), first.stateText ?? '');
    const resumed = await trainMethod(args([...base, '--epochs', '2', '--resume', file('s1.json')]), { device: 'cpu' }, quiet);
    const last = (r: typeof straight) => (r.result.history as { trainLoss: number }[]).at(-1)?.trainLoss;
    expect(last(resumed)).toBe(last(straight));
    expect(resumed.result.network).toEqual(straight.result.network);
    await expect(trainMethod(args([...base, '--epochs', '1', '--resume', file('s1.json')]), { device: 'cpu' }, quiet)).rejects.toThrow(/already at step 1; raise --epochs above it/);
  });

  it('refuses bad flags by name', () => {
    expect(() => parseArgs([...base, '--P', '8'])).toThrow(/--P is a setting of method cronos, not of adam/);
    expect(() => parseArgs([...flags, '--lr', '-1'])).toThrow(/--lr: "-1"/);
    expect(() => parseArgs([...base, '--epochs', 'many'])).toThrow(/--epochs: "many"/);
  });
});
