/**
 * Per-iteration metrics as CSV (RFC 4180: comma-separated, CRLF line ends, fields quoted only
 * when they contain a comma, a quote or a line break). Numbers are written with JavaScript's
 * shortest round-trip formatting, so parsing a cell gives back the exact double; NaN (e.g. the
 * test accuracy without a test set) is an empty cell; booleans are `true` / `false`. The columns
 * are a method's described metrics ({@link csvColumns}), so any method's records export.
 */
import type { MetricDescriptor, MetricsRecord } from '../trainer';
import type { IterationMetrics } from '../types';

/**
 * Every field of {@link IterationMetrics} with its kind, in column order. Typed as a full Record,
 * so adding a metric to the interface fails to compile until it is listed here.
 */
export const METRIC_KINDS: Readonly<Record<keyof IterationMetrics, 'number' | 'boolean'>> = {
  iter: 'number',
  objective: 'number',
  loss: 'number',
  penalty: 'number',
  objectiveV: 'number',
  dualObjective: 'number',
  primalResidual: 'number',
  dualResidual: 'number',
  epsPrimal: 'number',
  epsDual: 'number',
  coneViolation: 'number',
  maxAbsXU: 'number',
  trainAccuracy: 'number',
  testAccuracy: 'number',
  trainMse: 'number',
  testMse: 'number',
  trainR2: 'number',
  testR2: 'number',
  pcgIterations: 'number',
  pcgResidual: 'number',
  rho: 'number',
  activeNeurons: 'number',
  timeMs: 'number',
  converged: 'boolean',
};

/**
 * A method's CSV columns: `iter`, its described metrics in descriptor order, the `extra` fields
 * its record holds beyond the descriptors, then `timeMs`; each key once.
 */
export function csvColumns(descriptors: readonly MetricDescriptor[], extra: readonly string[] = []): string[] {
  return [...new Set(['iter', ...descriptors.map((d) => d.key), ...extra, 'timeMs'])];
}

/**
 * CRONOS's CSV columns: every field of {@link IterationMetrics} in {@link METRIC_KINDS} order, the
 * header files exported before the descriptors existed already have (a method without such a
 * list takes `csvColumns(its descriptors, its extra fields)`).
 */
export const METRIC_COLUMNS = Object.keys(METRIC_KINDS) as (keyof IterationMetrics)[];

/** One RFC 4180 field. */
export function csvField(s: string): string {
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

function cell(v: number | boolean | undefined): string {
  // A record without the column (another method's) leaves it empty, like NaN.
  if (v === undefined) return '';
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  return Number.isNaN(v) ? '' : String(v);
}

/** The header and one row per step, each line ending in CRLF; `columns` default to CRONOS's. */
export function metricsToCsv(history: readonly MetricsRecord[], columns: readonly string[] = METRIC_COLUMNS): string {
  const lines = [columns.map(csvField).join(',')];
  for (const m of history) lines.push(columns.map((k) => csvField(cell(m[k]))).join(','));
  return `${lines.join('\r\n')}\r\n`;
}
