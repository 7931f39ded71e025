/** Standardisation with training statistics, the stratified split, and the GPU size check. */
import { describe, expect, it } from 'vitest';
import {
  estimateGpuBuffers,
  fitStandardization,
  standardizationReport,
  standardize,
  stratifiedSplit,
} from '../../data/preprocess';
import type { Dataset } from '../../solver/types';

function dataset(rows: number[][], labels: number[], classNames = ['a', 'b']): Dataset {
  const d = rows[0].length;
  return {
    X: Float64Array.from(rows.flat()),
    n: rows.length,
    d,
    labels: Int32Array.from(labels),
    classNames,
    featureNames: Array.from({ length: d }, (_, k) => `f${k}`),
  };
}

describe('standardisation', () => {
  it('fits mean/std on the training rows and applies them to train and test', () => {
    const train = dataset([[1, 10], [3, 10], [5, 10]], [0, 1, 0]);
    const test = dataset([[7, 99], [1, 10]], [1, 0]);
    const { train: tr, test: te, stats } = standardize(train, test);
    const std0 = Math.sqrt(8 / 3); // population std of 1,3,5
    expect(stats.mean[0]).toBeCloseTo(3, 12);
    expect(stats.std[0]).toBeCloseTo(std0, 12);
    expect(tr.X[0]).toBeCloseTo(-2 / std0, 12);
    expect(tr.X[4]).toBeCloseTo(2 / std0, 12);
    // Test rows use the TRAIN statistics, not their own.
    expect(te!.X[0]).toBeCloseTo(4 / std0, 12);
    expect(te!.X[2]).toBeCloseTo(-2 / std0, 12);
    // Standardised train columns have mean 0 and std 1.
    const col = [tr.X[0], tr.X[2], tr.X[4]];
    expect(col.reduce((s, v) => s + v, 0)).toBeCloseTo(0, 12);
    expect(Math.sqrt(col.reduce((s, v) => s + v * v, 0) / 3)).toBeCloseTo(1, 12);
    // Inputs are not modified.
    expect(train.X[0]).toBe(1);
  });

  it('maps constant training columns to 0 in train and test and reports them', () => {
    const train = dataset([[0.1, 1], [0.1, 2], [0.1, 3]], [0, 1, 0]);
    const test = dataset([[5, 2]], [1]);
    const { train: tr, test: te, stats } = standardize(train, test);
    expect(stats.constant[0]).toBe(1);
    expect(stats.std[0]).toBe(0);
    expect([tr.X[0], tr.X[2], tr.X[4], te!.X[0]]).toEqual([0, 0, 0, 0]);
    expect(Number.isFinite(te!.X[1])).toBe(true);
    const report = standardizationReport(stats, train.featureNames);
    expect(report.constantColumns).toEqual(['f0']);
    expect(report.mean).toHaveLength(2);
  });

  it('uses the population std (divides by n)', () => {
    const s = fitStandardization({ X: Float64Array.from([0, 2]), n: 2, d: 1 });
    expect(s.std[0]).toBe(1);
  });
});

describe('stratified split', () => {
  const n = 103;
  const labels = Array.from({ length: n }, (_, j) => (j % 10 < 7 ? 0 : j % 10 < 9 ? 1 : 2));
  const data = dataset(
    Array.from({ length: n }, (_, j) => [j, -j]),
    labels,
    ['a', 'b', 'c'],
  );

  it('keeps every class proportion and covers all rows exactly once', () => {
    const { train, test, trainIndex, testIndex } = stratifiedSplit(data, 0.2, 0);
    expect(train.n + test.n).toBe(n);
    const all = [...trainIndex, ...testIndex].sort((a, b) => a - b);
    expect(all).toEqual(Array.from({ length: n }, (_, j) => j));
    for (let c = 0; c < 3; c++) {
      const total = labels.filter((l) => l === c).length;
      const inTest = Array.from(test.labels).filter((l) => l === c).length;
      expect(inTest).toBe(Math.round(total * 0.2));
    }
    // Rows travel with their features and keep file order.
    for (let r = 0; r < test.n; r++) expect(test.X[r * 2]).toBe(testIndex[r]);
    expect(Array.from(testIndex)).toEqual([...testIndex].sort((a, b) => a - b));
  });

  it('is reproducible for a seed and changes with the seed', () => {
    const a = stratifiedSplit(data, 0.3, 7).testIndex;
    const b = stratifiedSplit(data, 0.3, 7).testIndex;
    const c = stratifiedSplit(data, 0.3, 8).testIndex;
    expect(Array.from(a)).toEqual(Array.from(b));
    expect(Array.from(a)).not.toEqual(Array.from(c));
  });

  it('keeps at least one row of a class on each side, and a lone row in train', () => {
    const tiny = dataset([[1], [2], [3], [4], [5]], [0, 0, 0, 1, 1]);
    const lone = dataset([[1], [2], [3]], [0, 0, 1]);
    const s = stratifiedSplit(tiny, 0.01, 0);
    expect(Array.from(s.test.labels).sort()).toEqual([0, 1]);
    const t = stratifiedSplit(lone, 0.5, 0);
    expect(Array.from(t.train.labels)).toContain(1);
    expect(() => stratifiedSplit(tiny, 1, 0)).toThrow(RangeError);
  });
});

// The size check and its message (fewer rows, a smaller P, the CPU) are data/plan.ts's planDataset (tests/data/plan.test.ts).
describe('GPU buffer estimates', () => {
  it('list the solver buffers with their sizes', () => {
    const buffers = estimateGpuBuffers(3000, 100, 32, 1, 'relu');
    // X is n·d·4 bytes, the n×K matrices n·K·4 (K = C·S·P), the Nyström factor S·d·P·rank·4.
    const names = (s: string) => buffers.find((b) => b.name.startsWith(s))!.bytes;
    expect(names('X (')).toBe(3000 * 100 * 4);
    expect(names('slack')).toBe(3000 * 64 * 4);
    expect(names('Nyström factor')).toBe(2 * 100 * 32 * 10 * 4);
  });

  it('gated models have S = 1 and no slack/dual buffers', () => {
    const relu = estimateGpuBuffers(1000, 10, 8, 3, 'relu');
    const gated = estimateGpuBuffers(1000, 10, 8, 3, 'gated');
    expect(relu.find((b) => b.name.startsWith('X·U'))!.bytes).toBe(1000 * 48 * 4);
    expect(gated.find((b) => b.name.startsWith('X·U'))!.bytes).toBe(1000 * 24 * 4);
    expect(gated.some((b) => b.name.startsWith('slack'))).toBe(false);
  });

  it('list the Anderson ring when Anderson is on: (3 + 2m) iterates of the fixed-point map', () => {
    const off = estimateGpuBuffers(1000, 10, 8, 1, 'relu', 10, 0, 'block', 0);
    const on = estimateGpuBuffers(1000, 10, 8, 1, 'relu', 10, 0, 'block', 10);
    expect(off.some((b) => b.name.startsWith('Anderson memory'))).toBe(false);
    const ring = on.find((b) => b.name.startsWith('Anderson memory'));
    expect(ring).toBeDefined();
    expect(ring!.bytes).toBeGreaterThanOrEqual((3 + 2 * 10) * 2 * 10 * 8 * 4);
  });
});
