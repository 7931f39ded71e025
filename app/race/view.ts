/**
 * What the race view draws, from a race's results (pure, tested in Node): the chart's traces
 * (per method the median test accuracy over its draws with a 5th–95th percentile band, against
 * seconds or epochs), the legend's entries (method and best learning rate), and the results
 * table sorted by any column.
 */
import type { Data } from 'plotly.js/lib/core';
import { METHODS } from '../../solver/methods/index';
import type { BandPoint, MethodSummary, RaceResults, RaceTableRow } from '../../solver/race/index';
import { classColor, css, type Rgb } from '../colors';
import { fmt } from '../format';

/** The chart's x-axis: each run's own clock, or epochs. */
export type RaceAxis = 'time' | 'epochs';

/** A method's display name (its registry title; the id for one the registry lacks). */
export function methodTitle(id: string): string {
  return Object.hasOwn(METHODS, id) ? METHODS[id as keyof typeof METHODS].title : id;
}

/** The colour of the method at position `i` of the race (distinct for every method). */
export function methodColor(i: number): Rgb {
  // Ten qualitative colours: more than the six methods, never the two-class orange/blue pair.
  return classColor(i, 10);
}

/** The band of `m` on `axis`. */
function bandOf(m: MethodSummary, axis: RaceAxis): readonly BandPoint[] {
  return axis === 'time' ? m.band_time : m.band_epochs;
}

/** Two traces per method: the 5th–95th band as one closed filled outline (fewer traces draw faster), and the median. */
export function raceTraces(r: RaceResults, axis: RaceAxis): Data[] {
  return r.methods.flatMap((m, i) => {
    const band = bandOf(m, axis);
    const x = band.map((b) => b.x);
    const back = [...band].reverse();
    const color = methodColor(i);
    const name = methodTitle(m.method);
    return [
      {
        type: 'scatter',
        mode: 'lines',
        x: [...x, ...back.map((b) => b.x)],
        y: [...band.map((b) => 100 * b.p95), ...back.map((b) => 100 * b.p5)],
        fill: 'toself',
        fillcolor: css(color, 0.16),
        line: { width: 0, color: css(color) },
        hoverinfo: 'skip',
        showlegend: false,
        name: `${name} 5th–95th`,
      },
      { type: 'scatter', mode: 'lines', x, y: band.map((b) => 100 * b.median), line: { width: 2, color: css(color) }, name, hovertemplate: `${name}: %{y:.1f} %<extra></extra>` },
    ] satisfies Data[];
  });
}

/** One entry of the chart's legend. */
export interface LegendEntry {
  readonly method: string;
  readonly title: string;
  readonly color: string;
  /** "best lr 1.2e-3", or why there is none ("untuned", "no step size"). */
  readonly note: string;
}

/** The legend: each method with its best learning rate (the untuned ones say so). */
export function raceLegend(r: RaceResults): LegendEntry[] {
  return r.methods.map((m, i) => ({
    method: m.method,
    title: methodTitle(m.method),
    color: css(methodColor(i)),
    note: m.best_lr !== undefined ? `best lr ${fmt(m.best_lr, 2)}` : m.method === 'cronos' ? 'no step size' : 'untuned (γ = 1)',
  }));
}

/** A sortable column of the results table. */
export type RaceSortKey = 'method' | 'peak_test_accuracy' | 'final_test_accuracy' | 'best_lr' | 'time_to_target_s' | 'time_s';

/** A sort: column and direction. */
export interface RaceSort {
  readonly key: RaceSortKey;
  readonly descending: boolean;
}

/** Rows sorted by `sort`; empty cells (null) last either way, ties in race order. */
export function sortRows(rows: readonly RaceTableRow[], sort: RaceSort): RaceTableRow[] {
  const sign = sort.descending ? -1 : 1;
  const order = rows.map((row, i) => ({ row, i }));
  order.sort((a, b) => {
    const x = a.row[sort.key];
    const y = b.row[sort.key];
    if (x === null || y === null) return x === y ? a.i - b.i : x === null ? 1 : -1;
    const c = typeof x === 'string' || typeof y === 'string' ? String(x).localeCompare(String(y)) : x - y;
    return c !== 0 ? sign * c : a.i - b.i;
  });
  return order.map((o) => o.row);
}

/** The next sort after a click on `key`: the same column flips, another starts with its natural order. */
export function nextSort(prev: RaceSort, key: RaceSortKey): RaceSort {
  if (prev.key === key) return { key, descending: !prev.descending };
  // Accuracies read best first; times, rates and names smallest first.
  return { key, descending: key === 'peak_test_accuracy' || key === 'final_test_accuracy' };
}

/** An accuracy with its range over draws: "91.2 % (88.0–91.2)", or "—". */
export function accuracyCell(v: number | null, lo: number | null, hi: number | null, draws: number): string {
  if (v === null) return '—';
  const main = `${(100 * v).toFixed(1)} %`;
  return draws > 1 && lo !== null && hi !== null ? `${main} (${(100 * lo).toFixed(1)}–${(100 * hi).toFixed(1)})` : main;
}

/** Seconds for the table: "1.23 s", "—" for none. */
export function secondsCell(v: number | null): string {
  return v === null || !Number.isFinite(v) ? '—' : `${v < 10 ? v.toFixed(2) : v.toFixed(1)} s`;
}
