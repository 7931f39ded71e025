/**
 * The metrics of the current run, kept outside React state: the convergence charts append the
 * points they have not drawn yet (Plotly.extendTraces) instead of re-rendering whole series.
 * Rows are any method's {@link MetricsRecord}s; charts look values up by descriptor key
 * (plots/traces.ts), so a new method's record plots without a change here.
 */
import type { MetricsRecord } from '../solver/trainer';
import type { FromWorker } from './protocol';

/** What the charts' x-axis shows: ADMM iteration, or solver seconds since the run started. */
export type XAxis = 'iteration' | 'time';

/** Metrics of one run, in arrival order (`M`: the method's record, e.g. CRONOS's IterationMetrics). */
export class MetricsHistory<M extends MetricsRecord = MetricsRecord> {
  /** Run the rows belong to (protocol run number; -1 before the first). */
  run = -1;
  readonly rows: M[] = [];
  /** Cumulative solver time in seconds after each row (pauses excluded). */
  readonly elapsed: number[] = [];

  /** Number of rows. */
  get length(): number {
    return this.rows.length;
  }

  /** Empties the history for run `run`. */
  reset(run: number): void {
    this.run = run;
    this.rows.length = 0;
    this.elapsed.length = 0;
  }

  /** Appends one step's metrics. */
  append(m: M): void {
    const before = this.elapsed.length > 0 ? this.elapsed[this.elapsed.length - 1] : 0;
    this.rows.push(m);
    this.elapsed.push(before + m.timeMs / 1000);
  }

  /** x values of rows [from, to) for `axis`. */
  xs(axis: XAxis, from = 0, to = this.rows.length): number[] {
    return axis === 'iteration' ? this.rows.slice(from, to).map((m) => m.iter) : this.elapsed.slice(from, to);
  }

  /** Mean milliseconds per step over the last `window` rows (NaN when empty). */
  recentMsPerStep(window = 20): number {
    const k = Math.min(window, this.rows.length);
    if (k === 0) return NaN;
    let sum = 0;
    for (let t = this.rows.length - k; t < this.rows.length; t++) sum += this.rows[t].timeMs;
    return sum / k;
  }
}

/** A value for a log-scaled axis: positive finite values pass, anything else is a gap (null). */
export function logSafe(v: number): number | null {
  return Number.isFinite(v) && v > 0 ? v : null;
}

/** A value for a linear axis: finite values pass, NaN/±Inf become a gap (null). */
export function finiteOrNull(v: number): number | null {
  return Number.isFinite(v) ? v : null;
}

/**
 * The number a record holds under `key`, or undefined (no record, no such metric, or a flag):
 * how read-outs look up a descriptor's value in any method's record.
 */
export function numberOf(m: MetricsRecord | null | undefined, key: string): number | undefined {
  const v = m?.[key];
  return typeof v === 'number' ? v : undefined;
}

/** Appends the metrics of a batch to `history`, starting afresh when a newer run appears. */
export function recordMetrics(history: MetricsHistory, messages: FromWorker[]): void {
  for (const m of messages) {
    if (m.run < history.run) continue;
    if (m.run > history.run && m.type !== 'error') history.reset(m.run);
    if (m.type === 'metrics') history.append(m.metrics);
  }
}
