/**
 * Chart series built from a method's metric descriptors (solver/trainer.ts), so the page draws
 * whatever a method reports: the descriptors say which chart a metric belongs on, its label,
 * scale and line style; this module turns them into plotly series over a {@link MetricsHistory}.
 * Pure (no DOM, no plotly), unit-tested in tests/app/traces.test.ts.
 */
import type { MetricChart, MetricDescriptor, MetricsRecord } from '../../solver/trainer';
import { finiteOrNull, logSafe, type MetricsHistory, type XAxis } from '../history';

/** One series of a chart. */
export interface TraceSpec {
  /** The descriptor key the values come from. */
  key: string;
  name: string;
  /** The y value of a step (null leaves a gap: NaN, ±Inf, non-positive on a log axis, missing). */
  value: (m: MetricsRecord) => number | null;
  color: string;
  dash?: 'solid' | 'dash' | 'dot';
  width?: number;
  /** 'hv' draws a step line (integer counts). */
  shape?: 'linear' | 'hv';
  /** An event mark along the x-axis (a descriptor's `style.marker`): `value` is non-null only at steps with events. */
  marker?: true;
}

/** Height of event marks, as a fraction of the plot (they sit on a hidden [0, 1] axis over the chart). */
export const MARKER_Y = 0.04;

/** Line colours in the order a chart's metrics take them. */
export const PALETTE: readonly string[] = ['#1f6fb2', '#e8841a', '#2e8b57', '#c0392b', '#7b4fa6', '#6b7785'];

/** Stopping thresholds are drawn thinner than the metric they bound. */
const THRESHOLD_WIDTH = 1.5;

/** The charts a descriptor list uses, in order of first appearance (read-out-only metrics draw none). */
export function chartsOf(descriptors: readonly MetricDescriptor[]): MetricChart[] {
  const out: MetricChart[] = [];
  for (const d of descriptors) if (!d.readoutOnly && !d.style?.marker && !out.includes(d.chart)) out.push(d.chart);
  return out;
}

/** The descriptors drawn as lines on `chart`, in legend order (event marks are on every chart: {@link tracesFor}). */
export function onChart(descriptors: readonly MetricDescriptor[], chart: MetricChart): MetricDescriptor[] {
  return descriptors.filter((d) => d.chart === chart && !d.readoutOnly && !d.style?.marker);
}

/** A step's event mark: {@link MARKER_Y} where the count is a positive number, else no mark. */
export function markValue(m: MetricsRecord, key: string): number | null {
  const v = m[key];
  return typeof v === 'number' && v > 0 ? MARKER_Y : null;
}

/**
 * A record's value of `key` as drawn: fractions as percent, and only numbers the axis can show
 * (a NaN plotted as a number breaks plotly's autorange; TensorFlow Playground's silent-NaN bug).
 */
export function plotValue(m: MetricsRecord, d: Pick<MetricDescriptor, 'key' | 'unit' | 'log'>): number | null {
  const v = m[d.key];
  if (typeof v !== 'number') return null;
  const y = d.unit === 'fraction' ? 100 * v : v;
  return d.log ? logSafe(y) : finiteOrNull(y);
}

/**
 * The series of `chart`: one per drawn descriptor, in descriptor order. Metrics take `palette`'s
 * colours in turn; a stopping threshold (`style.thresholdOf`) takes the colour of its metric and
 * a thinner line, so a residual and its ε read as a pair. Event counts (`style.marker`) follow as
 * marks on every chart that has a line, whichever chart they name.
 */
export function tracesFor(descriptors: readonly MetricDescriptor[], chart: MetricChart, palette: readonly string[] = PALETTE): TraceSpec[] {
  const drawn = onChart(descriptors, chart);
  const colors = new Map<string, string>();
  let next = 0;
  for (const d of drawn) if (!d.style?.thresholdOf) colors.set(d.key, palette[next++ % palette.length]);
  const lines = drawn.map((d) => {
    const of = d.style?.thresholdOf;
    // A threshold whose metric is not on this chart still needs a colour of its own.
    const color = of !== undefined ? (colors.get(of) ?? palette[next++ % palette.length]) : (colors.get(d.key) ?? palette[0]);
    const trace: TraceSpec = { key: d.key, name: d.label, value: (m) => plotValue(m, d), color };
    if (d.style?.dash) trace.dash = d.style.dash;
    if (d.style?.shape) trace.shape = d.style.shape;
    if (of !== undefined) trace.width = THRESHOLD_WIDTH;
    return trace;
  });
  const marks = drawn.length === 0 ? [] : descriptors.filter((d) => d.style?.marker && !d.readoutOnly);
  return [...lines, ...marks.map((d): TraceSpec => ({ key: d.key, name: d.label, value: (m) => markValue(m, d.key), color: MARK_COLOR, marker: true }))];
}

/** Colour of event marks (neutral, so they never read as one of the chart's series). */
export const MARK_COLOR = '#6b7785';

/** The y-axis of a chart: logarithmic when every metric on it is. */
export function yTypeOf(descriptors: readonly MetricDescriptor[]): 'log' | 'linear' {
  return descriptors.length > 0 && descriptors.every((d) => d.log) ? 'log' : 'linear';
}

/** The y tick suffix of a chart: percent when every metric on it is a fraction. */
export function ySuffixOf(descriptors: readonly MetricDescriptor[]): string | undefined {
  return descriptors.length > 0 && descriptors.every((d) => d.unit === 'fraction') ? ' %' : undefined;
}

/** x values and one y array per trace for rows [from, to) of `history`: what plotly is fed. */
export function seriesOf(history: MetricsHistory, traces: readonly TraceSpec[], axis: XAxis, from = 0, to = history.length): { x: number[]; y: (number | null)[][] } {
  const rows = history.rows.slice(from, to);
  return { x: history.xs(axis, from, to), y: traces.map((t) => rows.map(t.value)) };
}
