/**
 * Charts built from metric descriptors (app/plots/traces.ts): CRONOS's descriptors give exactly
 * the page's traces of before the redesign (names, order, styles, colours), and a made-up
 * method's descriptors plot through the same code path with NaN/±Inf never drawn.
 */
import { describe, expect, it } from 'vitest';
import { MetricsHistory, numberOf } from '../../app/history';
import { ACCURACY_PANEL_CHARTS, CHART_VIEWS, figureLabel, figureTestId, REGRESSION_METRICS } from '../../app/plots/chartViews';
import { chartsOf, onChart, PALETTE, plotValue, seriesOf, tracesFor, yTypeOf, ySuffixOf, type TraceSpec } from '../../app/plots/traces';
import { csvColumns, metricsToCsv } from '../../solver/export/metrics-csv';
import { CRONOS_METRICS } from '../../solver/methods/cronos/metrics';
import type { MetricChart, MetricDescriptor, MetricsRecord } from '../../solver/trainer';

const BLUE = '#1f6fb2';
const ORANGE = '#e8841a';
const RED = '#c0392b';
const PURPLE = '#7b4fa6';
const GREEN = '#2e8b57';

/** The drawable part of a trace (value functions compared by what they return). */
const shape = (t: TraceSpec) => ({ name: t.name, color: t.color, dash: t.dash ?? 'solid', width: t.width ?? 2, shape: t.shape ?? 'linear' });

/** The traces of a CRONOS chart as the page draws them (with that chart's palette). */
const cronos = (chart: MetricChart) => tracesFor(CRONOS_METRICS, chart, CHART_VIEWS[chart].palette).map(shape);

const solid = { dash: 'solid', width: 2, shape: 'linear' } as const;

describe('CRONOS descriptors give the page its charts', () => {
  it('one chart per chart id in page order; ρ and the active neurons are read-outs only', () => {
    expect(chartsOf(CRONOS_METRICS)).toEqual(['objective', 'residuals', 'cone', 'inner', 'accuracy']);
    expect(chartsOf(CRONOS_METRICS).filter((c) => !ACCURACY_PANEL_CHARTS.includes(c)).map((c) => CHART_VIEWS[c].id)).toEqual(['chart-objective', 'chart-residuals', 'chart-cone', 'chart-pcg']);
    expect(CHART_VIEWS.accuracy.id).toBe('chart-accuracy');
  });

  it('objective: f(u), f(v) dashed, the dual bound dotted, on a log axis', () => {
    expect(cronos('objective')).toEqual([
      { name: 'f(u)', color: BLUE, ...solid },
      { name: 'f(v), group-sparse', color: ORANGE, ...solid, dash: 'dash' },
      { name: 'dual bound ≤ f*', color: GREEN, ...solid, dash: 'dot' },
    ]);
    expect(yTypeOf(onChart(CRONOS_METRICS, 'objective'))).toBe('log');
  });

  it('residuals: each threshold dotted, thinner, in the colour of its residual', () => {
    expect(cronos('residuals')).toEqual([
      { name: 'primal r', color: BLUE, ...solid },
      { name: 'ε_pri', color: BLUE, ...solid, dash: 'dot', width: 1.5 },
      { name: 'dual s', color: RED, ...solid },
      { name: 'ε_dual', color: RED, ...solid, dash: 'dot', width: 1.5 },
    ]);
  });

  it('cone violation (log), PCG iterations as steps (linear), accuracy in percent', () => {
    expect(cronos('cone')).toEqual([{ name: 'max(0, −Gu)∞', color: PURPLE, ...solid }]);
    expect(cronos('inner')).toEqual([{ name: 'PCG iterations', color: GREEN, ...solid, shape: 'hv' }]);
    expect(yTypeOf(onChart(CRONOS_METRICS, 'inner'))).toBe('linear');
    expect(cronos('accuracy')).toEqual([
      { name: 'train (convex model)', color: BLUE, ...solid },
      { name: 'test (recovered network)', color: ORANGE, ...solid },
    ]);
    expect(yTypeOf(onChart(CRONOS_METRICS, 'accuracy'))).toBe('linear');
    expect(ySuffixOf(onChart(CRONOS_METRICS, 'accuracy'))).toBe(' %');
    expect(ySuffixOf(onChart(CRONOS_METRICS, 'objective'))).toBeUndefined();
  });

  it('values: log axes drop non-positive and non-finite values, fractions become percent', () => {
    const [fu] = tracesFor(CRONOS_METRICS, 'objective');
    const [train, test] = tracesFor(CRONOS_METRICS, 'accuracy');
    const m = (fields: Record<string, number | boolean>): MetricsRecord => ({ iter: 1, timeMs: 1, ...fields });
    expect(fu.value(m({ objective: 2.5 }))).toBe(2.5);
    expect(fu.value(m({ objective: 0 }))).toBeNull();
    expect(fu.value(m({ objective: -1 }))).toBeNull();
    expect(fu.value(m({ objective: Infinity }))).toBeNull();
    expect(train.value(m({ trainAccuracy: 0.875 }))).toBe(87.5);
    expect(test.value(m({ testAccuracy: NaN }))).toBeNull();
  });

  it('regression: R² (linear) and MSE (log) of the same record, figures named as before', () => {
    expect(tracesFor(REGRESSION_METRICS, 'accuracy').map(shape)).toEqual([
      { name: 'train R² (convex model)', color: BLUE, ...solid },
      { name: 'test R² (recovered network)', color: ORANGE, ...solid },
    ]);
    expect(tracesFor(REGRESSION_METRICS, 'loss').map((t) => t.name)).toEqual(['train MSE', 'test MSE']);
    expect(yTypeOf(onChart(REGRESSION_METRICS, 'accuracy'))).toBe('linear');
    expect(yTypeOf(onChart(REGRESSION_METRICS, 'loss'))).toBe('log');
    const figures = [...onChart(CRONOS_METRICS, 'accuracy'), ...REGRESSION_METRICS];
    expect(figures.map((d) => figureLabel(d.label))).toEqual(['Train', 'Test', 'Train R²', 'Test R²', 'Train MSE', 'Test MSE']);
    expect(figures.map((d) => figureTestId(d.key))).toEqual(['train-accuracy', 'test-accuracy', 'train-r2', 'test-r2', 'train-mse', 'test-mse']);
  });
});

/** A method that does not exist: a made-up chart ('optimizer') and made-up keys. */
const MADE_UP: readonly MetricDescriptor[] = [
  { key: 'gradNorm', label: '‖g‖', unit: '', log: true, chart: 'optimizer', help: 'Gradient norm.' },
  { key: 'gradTarget', label: 'target ‖g‖', unit: '', log: true, chart: 'optimizer', style: { dash: 'dot', thresholdOf: 'gradNorm' }, help: 'Where it stops.' },
  { key: 'stepScale', label: 'step scale', unit: '', log: true, chart: 'optimizer', style: { dash: 'dash' }, help: 'DAdapt-style step estimate.' },
  { key: 'batchLoss', label: 'batch loss', unit: '', log: false, chart: 'loss', style: { shape: 'hv' }, help: 'Loss of the minibatch.' },
  { key: 'seen', label: 'rows seen', unit: 'count', log: false, chart: 'loss', readoutOnly: true, help: 'Not drawn.' },
];

function record(iter: number, fields: Record<string, number | boolean>): MetricsRecord {
  return { iter, timeMs: 100, ...fields };
}

describe('a made-up method plots through the same code path', () => {
  const history = new MetricsHistory();
  history.reset(0);
  history.append(record(1, { gradNorm: 4, gradTarget: 0.1, stepScale: 1, batchLoss: 2, seen: 32 }));
  history.append(record(2, { gradNorm: NaN, gradTarget: 0.1, stepScale: -1, batchLoss: Infinity, seen: 64 }));
  history.append(record(3, { gradNorm: 1, gradTarget: 0.1, batchLoss: -0.5, seen: 96 })); // no stepScale this step
  history.append(record(4, { gradNorm: true, gradTarget: 0.1, stepScale: 2, batchLoss: 1, seen: 128 }));

  it('charts and traces come from its descriptors; a threshold shares its metric colour', () => {
    expect(chartsOf(MADE_UP)).toEqual(['optimizer', 'loss']);
    const traces = tracesFor(MADE_UP, 'optimizer');
    expect(traces.map(shape)).toEqual([
      { name: '‖g‖', color: PALETTE[0], ...solid },
      { name: 'target ‖g‖', color: PALETTE[0], ...solid, dash: 'dot', width: 1.5 },
      { name: 'step scale', color: PALETTE[1], ...solid, dash: 'dash' },
    ]);
    expect(tracesFor(MADE_UP, 'loss').map((t) => t.key)).toEqual(['batchLoss']);
    expect(tracesFor(MADE_UP, 'objective')).toEqual([]);
  });

  it('NaN, ±Inf, non-positive on a log axis, flags and missing keys are gaps (null), never numbers', () => {
    const opt = seriesOf(history, tracesFor(MADE_UP, 'optimizer'), 'iteration');
    expect(opt.x).toEqual([1, 2, 3, 4]);
    expect(opt.y).toEqual([
      [4, null, 1, null],
      [0.1, 0.1, 0.1, 0.1],
      [1, null, null, 2],
    ]);
    const loss = seriesOf(history, tracesFor(MADE_UP, 'loss'), 'time', 1, 3);
    expect(loss.x).toEqual([0.2, 0.30000000000000004]);
    expect(loss.y).toEqual([[null, -0.5]]);
    for (const ys of [...opt.y, ...loss.y]) for (const y of ys) expect(y === null || Number.isFinite(y)).toBe(true);
  });

  it('read-outs and the CSV find the same keys', () => {
    expect(numberOf(history.rows[0], 'seen')).toBe(32);
    expect(numberOf(history.rows[3], 'gradNorm')).toBeUndefined();
    expect(numberOf(null, 'gradNorm')).toBeUndefined();
    expect(plotValue(history.rows[0], MADE_UP[0])).toBe(4);
    const columns = csvColumns(MADE_UP, ['seen', 'lr']);
    expect(columns).toEqual(['iter', 'gradNorm', 'gradTarget', 'stepScale', 'batchLoss', 'seen', 'lr', 'timeMs']);
    const csv = metricsToCsv(history.rows.slice(2, 4), columns).split('\r\n');
    expect(csv).toEqual([columns.join(','), '3,1,0.1,,-0.5,96,,100', '4,true,0.1,2,1,128,,100', '']);
  });
});

describe('event marks: CRONOS-AM head solves on the time axis of every chart', () => {
  it('are a mark on each chart with lines, not a chart or a line of their own', async () => {
    const { CRONOS_AM_METRICS } = await import('../../solver/methods/cronos-am/metrics');
    const { markValue, MARKER_Y } = await import('../../app/plots/traces');
    const charts = chartsOf(CRONOS_AM_METRICS);
    expect(charts.length).toBeGreaterThan(1);
    for (const chart of charts) {
      const traces = tracesFor(CRONOS_AM_METRICS, chart);
      const marks = traces.filter((t) => t.marker);
      expect(marks.map((t) => t.key)).toEqual(['headSolves']);
      expect(onChart(CRONOS_AM_METRICS, chart).some((d) => d.key === 'headSolves')).toBe(false);
      // Marks come after the chart's lines, so they never take a palette colour from a series.
      expect(traces[traces.length - 1].marker).toBe(true);
    }
    const rec = (headSolves: number) => ({ iter: 1, timeMs: 1, headSolves }) as MetricsRecord;
    expect(markValue(rec(0), 'headSolves')).toBeNull();
    expect(markValue(rec(2), 'headSolves')).toBe(MARKER_Y);
    expect(markValue({ iter: 1, timeMs: 1, headSolves: Number.NaN }, 'headSolves')).toBeNull();
    // A chart with no lines of the method gets no marks either.
    expect(tracesFor(CRONOS_AM_METRICS, 'residuals')).toEqual([]);
  });
});
