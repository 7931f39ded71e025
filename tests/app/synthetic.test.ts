/**
 * The Playground-style 2-D generators: deterministic per seed, the right shapes and classes, and
 * the geometry each one promises (checked without noise, where labels are exact).
 */
import { describe, expect, it } from 'vitest';
import { MAX_SYNTHETIC_NOISE, SYNTHETIC_DOMAIN, SYNTHETIC_KINDS, syntheticDataset } from '../../data/synthetic';

const rows = (X: Float64Array, n: number) => Array.from({ length: n }, (_, j) => [X[2 * j], X[2 * j + 1]] as const);

describe('syntheticDataset', () => {
  it.each(SYNTHETIC_KINDS)('%s: same seed, same rows; another seed, other rows', (kind) => {
    const a = syntheticDataset(kind, { noise: 0.2, seed: 7 });
    const b = syntheticDataset(kind, { noise: 0.2, seed: 7 });
    const c = syntheticDataset(kind, { noise: 0.2, seed: 8 });
    expect(Array.from(a.X)).toEqual(Array.from(b.X));
    expect(Array.from(a.labels)).toEqual(Array.from(b.labels));
    expect(Array.from(a.X)).not.toEqual(Array.from(c.X));
  });

  it.each(SYNTHETIC_KINDS)('%s: n×2 features, two named classes, both present', (kind) => {
    const data = syntheticDataset(kind, { n: 300, noise: 0.1, seed: 1 });
    expect(data.n).toBe(300);
    expect(data.d).toBe(2);
    expect(data.X.length).toBe(600);
    expect(data.featureNames).toEqual(['x1', 'x2']);
    expect(data.classNames).toHaveLength(2);
    const ones = data.labels.reduce((s, v) => s + v, 0);
    expect(ones).toBeGreaterThan(50);
    expect(ones).toBeLessThan(250);
    for (const v of data.labels) expect(v === 0 || v === 1).toBe(true);
    for (const x of data.X) expect(Number.isFinite(x)).toBe(true);
  });

  it('xor without noise: class 1 exactly where x·y ≥ 0, points kept 0.3 off the axes', () => {
    const data = syntheticDataset('xor', { noise: 0, seed: 3 });
    rows(data.X, data.n).forEach(([x, y], j) => {
      expect(data.labels[j]).toBe(x * y >= 0 ? 1 : 0);
      expect(Math.abs(x)).toBeGreaterThanOrEqual(0.3);
      expect(Math.abs(y)).toBeGreaterThanOrEqual(0.3);
      expect(Math.max(Math.abs(x), Math.abs(y))).toBeLessThanOrEqual(5.3);
    });
  });

  it('circles without noise: a disc of radius 2.5 (class 1) inside a ring 3.5–5 (class 0)', () => {
    const data = syntheticDataset('circles', { noise: 0, seed: 4 });
    rows(data.X, data.n).forEach(([x, y], j) => {
      const r = Math.hypot(x, y);
      if (data.labels[j] === 1) expect(r).toBeLessThan(2.5);
      else {
        expect(r).toBeGreaterThanOrEqual(3.5);
        expect(r).toBeLessThanOrEqual(5);
      }
    });
    expect(data.labels.reduce((s, v) => s + v, 0)).toBe(250);
  });

  it('gaussian: class means near (2, 2) and (−2, −2); noise widens the blobs', () => {
    const spread = (noise: number) => {
      const data = syntheticDataset('gaussian', { n: 2000, noise, seed: 5 });
      const mean = [
        [0, 0],
        [0, 0],
      ];
      const count = [0, 0];
      let ss = 0;
      rows(data.X, data.n).forEach(([x, y], j) => {
        const c = data.labels[j];
        mean[c][0] += x;
        mean[c][1] += y;
        count[c]++;
        const m = c === 1 ? 2 : -2;
        ss += (x - m) ** 2 + (y - m) ** 2;
      });
      for (const c of [0, 1]) {
        const target = c === 1 ? 2 : -2;
        expect(mean[c][0] / count[c]).toBeCloseTo(target, 0);
        expect(mean[c][1] / count[c]).toBeCloseTo(target, 0);
      }
      return ss / (2 * data.n);
    };
    const tight = spread(0);
    const wide = spread(MAX_SYNTHETIC_NOISE);
    // Per-coordinate variance 0.5 at noise 0 and 4 at noise 0.5 (the Playground's mapping).
    expect(tight).toBeGreaterThan(0.4);
    expect(tight).toBeLessThan(0.6);
    expect(wide).toBeGreaterThan(3.5);
    expect(wide).toBeLessThan(4.5);
  });

  it('spiral: two arms of radius ≤ 5 (+ noise), the arms point-symmetric to each other', () => {
    const data = syntheticDataset('spiral', { n: 400, noise: 0, seed: 6 });
    const pts = rows(data.X, data.n);
    for (const [x, y] of pts) expect(Math.hypot(x, y)).toBeLessThanOrEqual(5 + 1e-9);
    // Without noise arm B (class 0) is arm A (class 1) rotated by π: (x, y) ↦ (−x, −y).
    const armA = pts.filter((_, j) => data.labels[j] === 1);
    const armB = pts.filter((_, j) => data.labels[j] === 0);
    expect(armA).toHaveLength(200);
    armA.forEach(([x, y], i) => {
      expect(armB[i][0]).toBeCloseTo(-x, 9);
      expect(armB[i][1]).toBeCloseTo(-y, 9);
    });
    const noisy = syntheticDataset('spiral', { n: 400, noise: 0.5, seed: 6 });
    for (const [x, y] of rows(noisy.X, noisy.n)) expect(Math.max(Math.abs(x), Math.abs(y))).toBeLessThanOrEqual(SYNTHETIC_DOMAIN);
  });

  it('rejects noise outside [0, 0.5] and too few points', () => {
    expect(() => syntheticDataset('xor', { noise: -0.1, seed: 1 })).toThrow(RangeError);
    expect(() => syntheticDataset('xor', { noise: 0.6, seed: 1 })).toThrow(/noise/);
    expect(() => syntheticDataset('xor', { n: 2, noise: 0, seed: 1 })).toThrow(/n ≥ 4/);
  });
});
