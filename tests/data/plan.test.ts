/** Memory planning before allocation (row blocks of X, largest n that fits) and stratified subsampling. */
import { describe, expect, it } from 'vitest';
import { blockRows, planDataset } from '../../data/plan';
import { estimateGpuBuffers } from '../../data/size';
import { subsample, subsampleIndex } from '../../data/subsample';
import type { RegressionDataset } from '../../data/tabular';
import { rowsPerBlock } from '../../solver/gpu/rowblocks';
import type { Dataset } from '../../solver/types';

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;
const limits = { maxStorageBufferBindingSize: 128 * MiB, maxBufferSize: 256 * MiB };

describe('planDataset', () => {
  it('a small problem fits with X in one buffer', () => {
    const p = planDataset(1000, 20, 32, 1, 'relu', 10, limits);
    expect(p.fits).toBe(true);
    expect(p.x).toEqual({ bytes: 1000 * 20 * 4, blocks: 1, rowsPerBlock: 1000 });
    expect(p.maxRows).toBe(1000);
    expect(p.totalBytes).toBe(estimateGpuBuffers(1000, 20, 32, 1, 'relu', 10).reduce((s, b) => s + b.bytes * (b.copies ?? 1), 0));
    expect(p.message).toMatch(/^1,000 rows × 20 features fit: X takes 78\.1 KiB in one buffer; the solver needs about .* of GPU memory in all\.$/);
  });

  it('a wide X larger than one binding is split into row blocks of a multiple of 64 rows', () => {
    // 60,000 × 3072 (32×32 RGB) = 703 MiB of float32: far past a 128 MiB binding.
    const p = planDataset(60_000, 3072, 4, 1, 'gated', 0, { maxStorageBufferBindingSize: 128 * MiB, maxBufferSize: 4 * GiB });
    expect(p.fits).toBe(true);
    expect(p.x.rowsPerBlock % 64).toBe(0);
    expect(p.x.rowsPerBlock * 3072 * 4).toBeLessThanOrEqual(128 * MiB);
    expect(p.x.blocks).toBe(Math.ceil(60_000 / p.x.rowsPerBlock));
    expect(p.x.blocks).toBeGreaterThan(5);
    expect(p.message).toContain(`is stored in ${p.x.blocks} row blocks of up to ${p.x.rowsPerBlock.toLocaleString('en-US')} rows`);
  });

  it('uses the same rows per block as the GPU upload (solver/gpu/rowblocks.ts)', () => {
    for (const [d, limit] of [
      [1, 128 * MiB],
      [3, 1 * MiB],
      [784, 128 * MiB],
      [3072, 256 * MiB],
      [1000, 1_000_000],
    ]) {
      expect(blockRows(d, limit)).toBe(rowsPerBlock(d, limit));
    }
  });

  it('when an n-sized buffer cannot fit, names it and gives the largest n that fits', () => {
    const n = 1_000_000;
    const p = planDataset(n, 50, 32, 10, 'relu', 10, limits);
    expect(p.fits).toBe(false);
    expect(p.limitedBy).toMatch(/^(X·U|slack|dual|Gu|Nyström)/);
    expect(p.maxRows).toBeGreaterThan(0);
    expect(p.maxRows).toBeLessThan(n);
    expect(planDataset(p.maxRows, 50, 32, 10, 'relu', 10, limits).fits).toBe(true);
    expect(planDataset(p.maxRows + 1, 50, 32, 10, 'relu', 10, limits).fits).toBe(false);
    expect(p.message).toContain(`The largest training set that fits is ${p.maxRows.toLocaleString('en-US')} rows`);
    expect(p.message).toContain(`subsample to ${p.maxRows.toLocaleString('en-US')} training rows (stratified, seeded)`);
    expect(p.message).toContain('or run on the CPU');
  });

  it('respects a total memory budget and test rows', () => {
    const big = { maxStorageBufferBindingSize: GiB, maxBufferSize: GiB, memoryBudget: 200 * MiB };
    const p = planDataset(100_000, 100, 32, 1, 'relu', 10, big, { testRows: 20_000 });
    expect(p.fits).toBe(false);
    expect(p.limitedBy).toBe('memory budget');
    const fit = planDataset(p.maxRows, 100, 32, 1, 'relu', 10, big, { testRows: 20_000 });
    expect(fit.totalBytes).toBeLessThanOrEqual(200 * MiB);
    expect(p.buffers.some((b) => b.name.startsWith('test X'))).toBe(true);
  });

  it('says so when not even 64 rows of X fit a binding', () => {
    const p = planDataset(1000, 100_000, 4, 1, 'gated', 0, { maxStorageBufferBindingSize: 4 * MiB, maxBufferSize: 4 * MiB });
    expect(p.fits).toBe(false);
    expect(p.limitedBy).toBe('one row of X');
    expect(p.message).toContain('use fewer features');
  });
});

describe('subsample', () => {
  const data = (labels: number[], C: number): Dataset => ({
    X: Float64Array.from(labels.flatMap((l, i) => [i, l])),
    n: labels.length,
    d: 2,
    labels: Int32Array.from(labels),
    classNames: Array.from({ length: C }, (_, c) => `c${c}`),
    featureNames: ['row', 'label'],
  });

  it('keeps class proportions, at least one row per class, original order, and is seeded', () => {
    const labels = [...new Array<number>(900).fill(0), ...new Array<number>(90).fill(1), ...new Array<number>(10).fill(2)];
    const ds = data(labels, 3);
    const s = subsample(ds, 100, 7);
    expect(s.n).toBe(100);
    const counts = [0, 0, 0];
    for (const l of s.labels) counts[l]++;
    expect(counts).toEqual([90, 9, 1]);
    const rows = Array.from({ length: s.n }, (_, i) => s.X[i * 2]);
    expect(rows).toEqual([...rows].sort((a, b) => a - b));
    for (let i = 0; i < s.n; i++) expect(s.X[i * 2 + 1]).toBe(s.labels[i]);
    expect(Array.from(subsample(ds, 100, 7).X)).toEqual(Array.from(s.X));
    expect(Array.from(subsample(ds, 100, 8).X)).not.toEqual(Array.from(s.X));
    expect(subsample(ds, 5000, 1)).toBe(ds);
    const tiny = subsampleIndex({ labels: Int32Array.from(labels), count: 3 }, 3, 0);
    expect(Array.from(tiny, (i) => labels[i]).sort()).toEqual([0, 1, 2]);
  });

  it('subsamples regression data across the target range', () => {
    const n = 1000;
    const reg: RegressionDataset = {
      task: 'regression',
      X: Float64Array.from({ length: n }, (_, i) => i),
      n,
      d: 1,
      featureNames: ['i'],
      target: Float64Array.from({ length: n }, (_, i) => i * 2),
      fileName: 'r.csv',
      labelColumn: 'y',
    };
    const s = subsample(reg, 50, 0);
    expect(s.n).toBe(50);
    for (let i = 0; i < s.n; i++) expect(s.target[i]).toBe(s.X[i] * 2);
    // 10 rows from each target quintile.
    const bins = [0, 0, 0, 0, 0];
    for (const t of s.target) bins[Math.floor(t / 400)]++;
    expect(bins).toEqual([10, 10, 10, 10, 10]);
  });
});
