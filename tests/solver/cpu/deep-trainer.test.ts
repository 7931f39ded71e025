/**
 * The four first-order methods through the registry and the Trainer contract on the CPU: Adam
 * learns a separable problem (> 95% train accuracy), DAdapt-Adam learns without a learning rate,
 * a saved state continues bit for bit, mismatched states are refused, a CNN reads the image shape
 * off the pixel columns, and no test split gives NaN test metrics (as CRONOS).
 */
import { describe, expect, it } from 'vitest';
import { pixelFeatureNames } from '../../../data/images';
import { DeepTrainer } from '../../../solver/deep/trainer';
import { METHODS, type MethodId } from '../../../solver/methods/index';
import { defaultsOf } from '../../../solver/params/table';
import type { MetricsRecord, Trainer, TrainingData } from '../../../solver/trainer';
import type { Dataset } from '../../../solver/types';
import { createRng } from '../../../solver/rng';
import { runSteps } from '../../support/helpers';

/** Two Gaussian blobs at ±μ in d dimensions (linearly separable with margin), labels 0/1. */
function blobs(n: number, d: number, seed: number, featureNames?: string[]): Dataset {
  const rng = createRng(seed, 123);
  const X = new Float64Array(n * d);
  const labels = new Int32Array(n);
  for (let j = 0; j < n; j++) {
    labels[j] = j % 2;
    for (let k = 0; k < d; k++) X[j * d + k] = rng.normal() * 0.7 + (k < 2 ? (labels[j] ? 1 : -1) : 0);
  }
  return { X, n, d, labels, classNames: ['a', 'b'], featureNames: featureNames ?? Array.from({ length: d }, (_, k) => `x${k}`) };
}

const train = blobs(120, 6, 1);
const test = blobs(60, 6, 2);
const data: TrainingData = { train, test: { X: test.X, n: test.n, labels: test.labels } };

type DeepId = Exclude<MethodId, 'cronos'>;

async function trainer(id: DeepId, over: Record<string, number | string> = {}, d: TrainingData = data): Promise<Trainer> {
  const settings = { ...defaultsOf(METHODS[id].params), arch: 'mlp:16', batch: 16, epochs: 30, ...over };
  const create = (await METHODS[id].load()) as (data: TrainingData, s: typeof settings, env: { device: 'cpu' }) => Promise<Trainer>;
  return create(d, settings, { device: 'cpu' });
}

const strip = (m: MetricsRecord) => ({ ...m, timeMs: 0 });

describe('deep methods as Trainers (CPU)', () => {
  it('Adam reaches > 95% train accuracy on separable blobs; the record has every described metric', async () => {
    const t = await trainer('adam', { lr: 1e-2 });
    expect(t).toBeInstanceOf(DeepTrainer);
    expect(t.device).toBe('cpu');
    const history = await runSteps(t, 30);
    const last = history[29];
    for (const m of t.metrics) expect(typeof last[m.key]).toBe('number');
    expect(history.map((m) => m.epoch)).toEqual(Array.from({ length: 30 }, (_, k) => k + 1));
    expect(last.trainAccuracy).toBeGreaterThan(0.95);
    expect(last.testAccuracy).toBeGreaterThan(0.9);
    expect(last.trainLoss as number).toBeLessThan((history[0].trainLoss as number) / 2);
    expect(t.finished(history[28])).toBeNull();
    expect(t.finished(last)).toBe('max-iterations');
    const model = await t.model();
    expect(model.deep?.theta.length).toBe(6 * 16 + 16);
    // mlp:16 without biases is exactly a two-layer network: W1 is 6×16, w2 16×1.
    expect(model.network).toMatchObject({ d: 6, m: 16, C: 1 });
    expect(Array.from(model.network.W1)).toEqual(Array.from(model.deep?.theta.slice(0, 96) ?? []));
    t.dispose();
  });

  it('DAdapt-Adam learns without a learning rate; its d grows from d₀', async () => {
    const t = await trainer('dadapt-adam');
    const history = await runSteps(t, 30);
    expect(history[29].trainAccuracy).toBeGreaterThan(0.9);
    expect(history[29].d as number).toBeGreaterThan(1e-4);
    expect(t.metrics.map((m) => m.key)).toContain('d');
    t.dispose();
  });

  it('SGD and AdamW train too, with softmax cross-entropy and several steps per epoch (logEvery)', async () => {
    for (const id of ['sgd', 'adamw'] as const) {
      const t = await trainer(id, { loss: 'softmax-ce', logEvery: 3, epochs: 8, lr: id === 'sgd' ? 0.05 : 1e-2 });
      // 120 rows / 16 = 8 batches per epoch, 3 per step: steps of 3, 3, 2 minibatches.
      const history = await runSteps(t, 24);
      expect(history.slice(0, 3).map((m) => m.epoch)).toEqual([3 / 8, 6 / 8, 1]);
      expect(t.finished(history[23])).toBe('max-iterations');
      expect(history[23].trainAccuracy).toBeGreaterThan(0.9);
      t.dispose();
    }
  });

  for (const id of ['adam', 'dadapt-adam', 'sgd'] as const) {
    it(`${id}: a state saved after 4 steps continues to 9 exactly as a straight run`, async () => {
      const over = { sampling: id === 'sgd' ? 'replacement' : 'shuffle', logEvery: 5 };
      const straight = await trainer(id, over);
      const ref = (await runSteps(straight, 9)).map(strip);
      const first = await trainer(id, over);
      await runSteps(first, 4);
      const state = await first.saveState();
      expect(state).toMatchObject({ format: 'cronos-playground-state', method: id, version: 1, iteration: 4 });
      const second = await trainer(id, over);
      await second.loadState(state);
      expect(second.iteration).toBe(4);
      expect((await runSteps(second, 5)).map(strip)).toEqual(ref.slice(4));
      expect(Array.from((await second.model()).deep?.theta ?? [])).toEqual(Array.from((await straight.model()).deep?.theta ?? []));
    });
  }

  it('refuses a state of another method, other settings or a damaged θ, changing nothing', async () => {
    const a = await trainer('adam');
    await runSteps(a, 2);
    const state = await a.saveState();
    await expect((await trainer('adamw')).loadState(state)).rejects.toThrow(/method "adam", not "adamw"/);
    const other = await trainer('adam', { batch: 32 });
    await expect(other.loadState(state)).rejects.toThrow(/batch size 16; this run has 32/);
    const fresh = await trainer('adam');
    const before = await fresh.saveState();
    await expect(fresh.loadState({ ...state, arrays: { ...state.arrays, theta: new Float64Array(3) } })).rejects.toThrow(/θ is missing or does not have 112 values/);
    await expect(fresh.loadState({ ...state, scalars: { ...state.scalars, samplerBatch: 99 } })).rejects.toThrow(/batch 99\) is not valid/);
    expect(await fresh.saveState()).toEqual(before);
  });

  it('a CNN reads the image shape off px_y_x columns; without a test split the test metrics are NaN', async () => {
    const img = blobs(40, 36, 3, pixelFeatureNames(6, 1));
    const t = await trainer('adam', { arch: 'cnn:2', epochs: 2, batch: 8 }, { train: img, test: null });
    const [m] = await runSteps(t, 1);
    expect(Number.isNaN(m.testAccuracy)).toBe(true);
    expect(Number.isNaN(m.testLoss)).toBe(true);
    expect(Number.isFinite(m.trainLoss as number)).toBe(true);
    // Conv3x3(2) + bias, then 3·3·2 → 1 Dense + bias; no two-layer form (m = 0).
    const model = await t.model();
    expect(model.deep?.theta.length).toBe(9 * 2 + 2 + 18 + 1);
    expect(model.network.m).toBe(0);
    await expect(trainer('adam', { arch: 'cnn', image: '5x5x1' }, { train: img, test: null })).rejects.toThrow(/Image shape 5x5x1 holds 25 values, but the data has 36 features/);
  });

  it('bad settings and data get clear messages', async () => {
    await expect(trainer('adam', { arch: 'mlp:abc' })).rejects.toThrow(/"abc" is not a hidden width/);
    await expect(trainer('adam', {}, { ...data, targets: new Float64Array(train.n) })).rejects.toThrow(/regression target/);
    await expect(trainer('sgd', { epochs: 0, momentum: NaN })).rejects.toThrow(/Bad sgd settings: Momentum μ \(momentum\): NaN is not a finite number; Epochs \(epochs\): 0 is outside \[1, 10000\]/);
    await expect(trainer('adam', {}, data).then((t) => t.step()).then(() => 'ok')).resolves.toBe('ok');
  });
});
