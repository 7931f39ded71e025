/** Quantiles, bands and summaries against values computed by hand. */
import { describe, expect, it } from 'vitest';
import { bandOn, median, quantile, valueAt, type CurvePoint } from '../../../solver/race/stats';
import { summariseMethod } from '../../../solver/race/summary';

const pt = (time_s: number, epoch: number, test_accuracy: number | null): CurvePoint => ({ time_s, epoch, test_accuracy });

describe('quantiles', () => {
  it('interpolate linearly between order statistics (numpy default)', () => {
    // Sorted 1, 2, 3, 4, 10: position (n−1)p = 4p.
    const v = [10, 1, 3, 2, 4];
    expect(median(v)).toBe(3);
    expect(quantile(v, 0.05)).toBeCloseTo(1.2, 12); // 1 + 0.2·(2 − 1)
    expect(quantile(v, 0.95)).toBeCloseTo(8.8, 12); // 4 + 0.8·(10 − 4)
    expect(median([1, 2, 3, 4])).toBe(2.5);
    expect(quantile([7], 0.95)).toBe(7);
  });
});

describe('bands', () => {
  const a = [pt(1, 1, 0.5), pt(2, 2, 0.7), pt(3, 3, 0.8)];
  const b = [pt(2, 1, 0.6), pt(4, 2, 0.9)];
  it('hold a curve at its last point and leave it out before its first', () => {
    expect(valueAt(a, 'time_s', 0.5)).toBeNull();
    expect(valueAt(a, 'time_s', 2.5)).toBe(0.7);
    expect(valueAt(b, 'epoch', 3)).toBe(0.9);
  });
  it('take median and percentiles over the curves that have a value', () => {
    const band = bandOn([a, b], 'time_s', [0, 1, 3]);
    expect(band.map((p) => p.x)).toEqual([1, 3]);
    expect(band[0]).toMatchObject({ median: 0.5, n: 1 });
    // At 3 s: a 0.8, b 0.6 → median 0.7, p5 0.6 + 0.05·0.2, p95 0.6 + 0.95·0.2.
    expect(band[1].median).toBeCloseTo(0.7, 12);
    expect(band[1].p5).toBeCloseTo(0.61, 12);
    expect(band[1].p95).toBeCloseTo(0.79, 12);
  });
});

describe('summariseMethod', () => {
  const runs = [
    { method: 'adam', lr: 1e-3, end: 'max-iterations' as const, curve: [pt(1, 1, 0.5), pt(2, 2, 0.7), pt(3, 3, 0.8)] },
    { method: 'adam', lr: 1e-2, end: 'max-iterations' as const, curve: [pt(2, 1, 0.9), pt(4, 2, 0.6), pt(6, 3, 0.65)] },
    { method: 'adam', lr: 1e-4, end: 'max-iterations' as const, curve: [pt(1, 1, 0.4), pt(2, 2, 0.45), pt(3, 3, 0.5)] },
  ];
  const s = summariseMethod('adam', runs, [0, 3, 6], 0.75);
  it('picks the best draw by peak and gives the ranges over draws', () => {
    expect(s.best_lr).toBe(1e-2);
    expect(s.peak_test_accuracy).toBe(0.9);
    expect(s.final_test_accuracy).toBe(0.65);
    expect(s.peak_test_accuracy_range).toEqual([0.5, 0.9]);
    expect(s.final_test_accuracy_range).toEqual([0.5, 0.8]);
    expect(s.lrs).toEqual([1e-3, 1e-2, 1e-4]);
  });
  it('sums the time, medians the run time and the time to target (a run that never gets there is slowest)', () => {
    expect(s.time_s).toBe(12);
    expect(s.median_run_time_s).toBe(3);
    // Times to 0.75: 3, 2, never → median 3.
    expect(s.time_to_target_s).toBe(3);
    expect(s.runs.map((r) => r.time_to_target_s)).toEqual([3, 2, null]);
  });
  it('gives the median curve on epochs and the band on the time grid', () => {
    // Epoch 2: accuracies 0.7, 0.6, 0.45 → 0.6; own times 2, 4, 2 → 2.
    expect(s.curve[1]).toEqual({ epoch: 2, time_s: 2, test_accuracy: 0.6 });
    expect(s.band_epochs).toHaveLength(3);
    // At 3 s: 0.8, 0.9 (held from 2 s), 0.5 → median 0.8.
    expect(s.band_time.find((p) => p.x === 3)?.median).toBe(0.8);
  });
  it('an untuned method has no best_lr or lrs, and no target no time', () => {
    const u = summariseMethod('dadapt-adam', [{ ...runs[0], lr: null }], [0]);
    expect(u.best_lr).toBeUndefined();
    expect(u.lrs).toBeUndefined();
    expect(u.time_to_target_s).toBeNull();
  });
});
