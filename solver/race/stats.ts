/**
 * The statistics of a race's summaries: quantiles with linear interpolation between order
 * statistics (numpy's default, so a Python check of a race reads the same numbers), and bands of
 * several curves on a common axis (epochs or seconds), each curve held at its last point.
 */

/** One point of a run's curve: its own clock, its epochs and the test accuracy after that step. */
export interface CurvePoint {
  /** Seconds of this run's own steps so far (the race's per-run clock). */
  readonly time_s: number;
  /** Epochs completed (CRONOS: ADMM iterations, docs/spec.md §8). */
  readonly epoch: number;
  /** Test accuracy as a fraction; null when the step reported none (NaN). */
  readonly test_accuracy: number | null;
}

/** The quantile p ∈ [0, 1] of `values` (not empty), interpolating linearly between order statistics. */
export function quantile(values: readonly number[], p: number): number {
  if (values.length === 0) throw new Error('quantile of no values');
  const s = [...values].sort((a, b) => a - b);
  const h = (s.length - 1) * p;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, s.length - 1);
  // An exact order statistic is returned as it is (0·∞ would make an infinite neighbour NaN).
  if (h === lo) return s[lo];
  return s[lo] + (h - lo) * (s[hi] - s[lo]);
}

/** The median of `values` (not empty). */
export function median(values: readonly number[]): number {
  return quantile(values, 0.5);
}

/** Median and 5th–95th percentile band at one position of the axis, over the curves that have a value there. */
export interface BandPoint {
  /** The position: an epoch count or seconds. */
  readonly x: number;
  readonly median: number;
  readonly p5: number;
  readonly p95: number;
  /** How many curves had a value (a curve has none before its first point). */
  readonly n: number;
}

/**
 * The value of `curve` at `x` on axis `key`: the test accuracy of its last point with key ≤ x
 * (a run's accuracy holds until its next step, and after its last), or null before its first
 * point or where that point reported none.
 */
export function valueAt(curve: readonly CurvePoint[], key: 'epoch' | 'time_s', x: number): number | null {
  let v: number | null = null;
  for (const p of curve) {
    if (p[key] > x) break;
    v = p.test_accuracy;
  }
  return v;
}

/** The band of `curves` at each position of `grid` on axis `key` (positions no curve reaches yet are left out). */
export function bandOn(curves: readonly (readonly CurvePoint[])[], key: 'epoch' | 'time_s', grid: readonly number[]): BandPoint[] {
  const out: BandPoint[] = [];
  for (const x of grid) {
    const vals = curves.map((c) => valueAt(c, key, x)).filter((v): v is number => v !== null);
    if (vals.length === 0) continue;
    out.push({ x, median: median(vals), p5: quantile(vals, 0.05), p95: quantile(vals, 0.95), n: vals.length });
  }
  return out;
}

/** `points` evenly spaced positions from 0 to `end` inclusive (`end` ≤ 0: just 0). */
export function evenGrid(end: number, points: number): number[] {
  if (!(end > 0) || points < 2) return [0];
  return Array.from({ length: points }, (_, i) => (end * i) / (points - 1));
}

/** Every distinct epoch of `curves`, ascending (the deep methods' curves share them; CRONOS has its iterations). */
export function epochGrid(curves: readonly (readonly CurvePoint[])[]): number[] {
  return [...new Set(curves.flatMap((c) => c.map((p) => p.epoch)))].sort((a, b) => a - b);
}
