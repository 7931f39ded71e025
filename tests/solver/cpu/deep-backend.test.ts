/**
 * The CPU DeepBackend's own methods, against direct computations written here: φ(X) for the
 * CRONOS-AM split, predictions, evaluation, the batch-loss mean, a frozen head (setTrainable),
 * and its refusals of mismatched sizes.
 */
import { describe, expect, it } from 'vitest';
import { featureEnd, paramLayout, paramsBefore, parseArch } from '../../../solver/deep/arch';
import { createCpuDeepBackend } from '../../../solver/deep/cpu/backend';
import { initParams } from '../../../solver/deep/init';
import { OPTIMIZER_DEFAULTS } from '../../../solver/deep/optimizers';
import type { DeepBackendInit } from '../../../solver/deep/types';
import { gaussian } from '../../support/cpu-fixtures';
import { relError } from '../../support/helpers';

const n = 300, d = 5, m = 7;
const arch = parseArch(`mlp:${m}`, { input: { h: 1, w: 1, c: d }, outputs: 1 });
const X = gaussian(n * d, 1);
const labels = Int32Array.from({ length: n }, (_, j) => (X[j * d] > 0 ? 1 : 0));
const Y = Float64Array.from(labels, (l) => (l ? 1 : -1));
const { beta1, beta2, eps, d0 } = OPTIMIZER_DEFAULTS;
const init: DeepBackendInit = {
  arch, loss: 'mse',
  optimizer: { kind: 'adam', lr: 1e-2, momentum: 0, beta1, beta2, eps, weightDecay: 0, d0 },
  train: { X, Y, labels }, test: null, theta: initParams(arch, 4),
};

/** relu(X·W1) and its ·w2, straight from the definition. */
function reference(theta: Float64Array): { phi: Float64Array; f: Float64Array } {
  const phi = new Float64Array(n * m);
  const f = new Float64Array(n);
  for (let j = 0; j < n; j++) for (let i = 0; i < m; i++) {
    let s = 0;
    for (let k = 0; k < d; k++) s += X[j * d + k] * theta[k * m + i];
    phi[j * m + i] = Math.max(0, s);
    f[j] += phi[j * m + i] * theta[d * m + i];
  }
  return { phi, f };
}

describe('CPU DeepBackend', () => {
  it('features(featureEnd) is φ(X) = relu(X·W1); predict and evaluate follow from it (over several eval batches)', async () => {
    const b = createCpuDeepBackend(init);
    const { phi, f } = reference(init.theta);
    expect(relError(await b.features(featureEnd(arch)), phi)).toBeLessThan(1e-14);
    expect(relError(await b.predict('train'), f)).toBeLessThan(1e-14);
    const ev = await b.evaluate('train');
    expect(ev.loss).toBeCloseTo(f.reduce((s, v, j) => s + (v - Y[j]) ** 2, 0) / n, 12);
    expect(ev.accuracy).toBe(f.filter((v, j) => v * Y[j] > 0).length / n);
    await expect(b.evaluate('test')).rejects.toThrow(/no test split/);
    await expect(b.features(9)).rejects.toThrow(/layer end must be in \[0, 3\]/);
  });

  it('takeLoss is the mean of the steps since the last call; Adam reports d = 1', async () => {
    const b = createCpuDeepBackend(init);
    const before = await b.evaluate('train');
    b.step(Uint32Array.from({ length: n }, (_, j) => j));
    b.step(Uint32Array.of(0, 1, 2));
    const { loss, steps } = await b.takeLoss();
    expect(steps).toBe(2);
    expect(loss).toBeGreaterThan(0);
    expect(await b.takeLoss()).toEqual({ loss: NaN, steps: 0 });
    expect(await b.dEstimate()).toBe(1);
    // A single full-batch step's loss is the loss at the θ before it.
    const c = createCpuDeepBackend(init);
    c.step(Uint32Array.from({ length: n }, (_, j) => j));
    expect((await c.takeLoss()).loss).toBeCloseTo(before.loss, 12);
  });

  it('setTrainable(paramsBefore(featureEnd)) freezes the head: only the features move', async () => {
    const b = createCpuDeepBackend(init);
    const cut = paramsBefore(paramLayout(arch), featureEnd(arch));
    expect(cut).toBe(d * m);
    b.setTrainable(cut);
    for (let k = 0; k < 5; k++) b.step(Uint32Array.of(k, k + 10, k + 20));
    const theta = await b.getParams();
    expect(Array.from(theta.slice(cut))).toEqual(Array.from(init.theta.slice(cut)));
    expect(relError(theta.slice(0, cut), init.theta.slice(0, cut))).toBeGreaterThan(1e-4);
    expect(() => b.setTrainable(cut + 1000)).toThrow(/whole number in \[0, 42\]/);
  });

  it('refuses θ, rows and targets of the wrong size, and rows outside the training set', () => {
    expect(() => createCpuDeepBackend({ ...init, theta: new Float64Array(3) })).toThrow(/θ has 3 values; the architecture has 42/);
    expect(() => createCpuDeepBackend({ ...init, train: { ...init.train, Y: new Float64Array(2 * n) } })).toThrow(/training targets hold 600 values, not 300 rows × 1 outputs/);
    const b = createCpuDeepBackend(init);
    expect(() => b.step(Uint32Array.of(n))).toThrow(/Row 300 is not a training row/);
    expect(() => b.setParams(new Float64Array(5))).toThrow(/setParams got 5 values; θ has 42/);
  });
});
