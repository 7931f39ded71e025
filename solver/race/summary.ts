/**
 * A race's results: each run's curve and numbers, and per method the summary over its draws —
 * median curve with a 5th–95th percentile band on epochs and on the race's common time grid,
 * peak and final test accuracy (the best draw's, and their range over draws), the best learning
 * rate, the time to reach a target accuracy and the time spent. Everything is plain JSON data
 * (structured-clone friendly), so the Worker posts it and the CLI writes it as it is.
 */
import { bandOn, epochGrid, evenGrid, median, type BandPoint, type CurvePoint } from './stats';

/** How a run ended: its stopping rule, its budget, or an error (its curve is then what it reached). */
export type RunEnd = 'converged' | 'max-iterations' | 'failed';

/** One run of a race: a method at one learning rate (null: untuned). */
export interface RaceRun {
  readonly method: string;
  readonly lr: number | null;
  readonly curve: readonly CurvePoint[];
  /** Null while it runs. */
  readonly end: RunEnd | null;
  /** The error of a failed run. */
  readonly error?: string;
}

/** The numbers of one run (the `runs` of a method's summary). */
export interface RunSummary {
  readonly lr: number | null;
  /** Highest test accuracy over its curve; null when it reported none. */
  readonly peak_test_accuracy: number | null;
  /** Test accuracy after its last step. */
  readonly final_test_accuracy: number | null;
  /** Its own clock at its last step. */
  readonly time_s: number;
  /** Its own clock when its test accuracy first reached the race's target; null: never (or no target). */
  readonly time_to_target_s: number | null;
  readonly end: RunEnd | null;
  readonly error?: string;
  readonly curve: readonly CurvePoint[];
}

/** The summary of one method over its draws. */
export interface MethodSummary {
  readonly method: string;
  /** The best draw's (highest peak test accuracy; ties: higher final, then the earlier draw). */
  readonly peak_test_accuracy: number | null;
  readonly final_test_accuracy: number | null;
  /** [min, max] over draws; null when no draw reported an accuracy. */
  readonly peak_test_accuracy_range: readonly [number, number] | null;
  readonly final_test_accuracy_range: readonly [number, number] | null;
  /** Seconds of all its runs together (tuning included: what the method cost the race). */
  readonly time_s: number;
  /** Median over draws of a run's time. */
  readonly median_run_time_s: number;
  /** Median over draws of the time to the target accuracy; null when at least half never reached it (or no target). */
  readonly time_to_target_s: number | null;
  /** Tuned methods only: the best draw's learning rate, and every draw's. */
  readonly best_lr?: number;
  readonly lrs?: readonly number[];
  /** The median curve on epochs: median test accuracy and median own time over draws at each epoch. */
  readonly curve: readonly CurvePoint[];
  /** Median and 5th–95th percentiles over draws, on epochs. */
  readonly band_epochs: readonly BandPoint[];
  /** The same on the race's common time grid (seconds). */
  readonly band_time: readonly BandPoint[];
  readonly runs: readonly RunSummary[];
}

/** Positions of the common time grid. */
export const TIME_GRID_POINTS = 50;

/** The test accuracies a curve reported. */
function accuracies(curve: readonly CurvePoint[]): number[] {
  return curve.flatMap((p) => (p.test_accuracy === null ? [] : [p.test_accuracy]));
}

/** The clock when `curve` first reached `target`, or null. */
export function timeToTarget(curve: readonly CurvePoint[], target: number | undefined): number | null {
  if (target === undefined) return null;
  return curve.find((p) => p.test_accuracy !== null && p.test_accuracy >= target)?.time_s ?? null;
}

/** The numbers of one run. */
export function summariseRun(run: RaceRun, target?: number): RunSummary {
  const acc = accuracies(run.curve);
  const last = run.curve[run.curve.length - 1];
  return {
    lr: run.lr,
    peak_test_accuracy: acc.length > 0 ? Math.max(...acc) : null,
    final_test_accuracy: last?.test_accuracy ?? null,
    time_s: last?.time_s ?? 0,
    time_to_target_s: timeToTarget(run.curve, target),
    end: run.end,
    ...(run.error !== undefined ? { error: run.error } : {}),
    curve: run.curve,
  };
}

/** [min, max] of the non-null values, or null. */
function rangeOf(values: readonly (number | null)[]): [number, number] | null {
  const v = values.filter((x): x is number => x !== null);
  return v.length > 0 ? [Math.min(...v), Math.max(...v)] : null;
}

/** Index of the best run: highest peak, then highest final, then the first. */
function bestIndex(runs: readonly RunSummary[]): number {
  const key = (x: number | null): number => x ?? -Infinity;
  let best = 0;
  for (let i = 1; i < runs.length; i++) {
    const a = runs[i];
    const b = runs[best];
    if (key(a.peak_test_accuracy) > key(b.peak_test_accuracy) || (key(a.peak_test_accuracy) === key(b.peak_test_accuracy) && key(a.final_test_accuracy) > key(b.final_test_accuracy))) best = i;
  }
  return best;
}

/** The clock of `curve` at epoch `e`: its last point with epoch ≤ e, else null. */
function timeAtEpoch(curve: readonly CurvePoint[], e: number): number | null {
  let t: number | null = null;
  for (const p of curve) {
    if (p.epoch > e) break;
    t = p.time_s;
  }
  return t;
}

/** The median curve of `curves` at every epoch any of them reached. */
function medianCurve(curves: readonly (readonly CurvePoint[])[], band: readonly BandPoint[]): CurvePoint[] {
  return band.map((b) => {
    const times = curves.map((c) => timeAtEpoch(c, b.x)).filter((t): t is number => t !== null);
    return { epoch: b.x, time_s: median(times), test_accuracy: b.median };
  });
}

/**
 * The summary of `method` over its runs (one per draw; an untuned method has one), with the time
 * band on `timeGrid` and the time to `target`.
 */
export function summariseMethod(method: string, runs: readonly RaceRun[], timeGrid: readonly number[], target?: number): MethodSummary {
  const summaries = runs.map((r) => summariseRun(r, target));
  const curves = runs.map((r) => r.curve);
  const band_epochs = bandOn(curves, 'epoch', epochGrid(curves));
  const best = summaries[bestIndex(summaries)];
  const times = summaries.map((s) => s.time_s);
  // A run that never reached the target counts as infinitely slow: the median is then a time only when most runs got there.
  const toTarget = summaries.map((s) => s.time_to_target_s ?? Infinity);
  const medianToTarget = target !== undefined && toTarget.length > 0 ? median(toTarget) : Infinity;
  const tuned = runs.some((r) => r.lr !== null);
  return {
    method,
    peak_test_accuracy: best?.peak_test_accuracy ?? null,
    final_test_accuracy: best?.final_test_accuracy ?? null,
    peak_test_accuracy_range: rangeOf(summaries.map((s) => s.peak_test_accuracy)),
    final_test_accuracy_range: rangeOf(summaries.map((s) => s.final_test_accuracy)),
    time_s: times.reduce((a, b) => a + b, 0),
    median_run_time_s: times.length > 0 ? median(times) : 0,
    time_to_target_s: Number.isFinite(medianToTarget) ? medianToTarget : null,
    ...(tuned && best?.lr != null ? { best_lr: best.lr, lrs: summaries.map((s) => s.lr ?? NaN) } : {}),
    curve: medianCurve(curves, band_epochs),
    band_epochs,
    band_time: bandOn(curves, 'time_s', timeGrid),
    runs: summaries,
  };
}

/** The common time grid of a race: 0 to its longest run's clock. */
export function raceTimeGrid(runs: readonly RaceRun[], points = TIME_GRID_POINTS): number[] {
  const end = Math.max(0, ...runs.map((r) => r.curve[r.curve.length - 1]?.time_s ?? 0));
  return evenGrid(end, points);
}
