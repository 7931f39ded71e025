/**
 * Accuracy: train and test curves per iteration, the final figures of the run, and the
 * confusion matrices of the recovered two-layer network on train and test rows. A regression
 * run (user data with a numeric target) shows R² and MSE instead, in the target's units, and
 * no confusion matrices.
 */
import { memo, useMemo } from 'react';
import type { MetricChart, MetricDescriptor, MetricsRecord } from '../../solver/trainer';
import { fmt, pct } from '../format';
import { numberOf, type MetricsHistory, type XAxis } from '../history';
import { ACCURACY_PANEL_CHARTS, CHART_VIEWS, figureLabel, figureTestId, REGRESSION_METRICS, type ChartView } from '../plots/chartViews';
import { StreamChart } from '../plots/StreamChart';
import { onChart, tracesFor, yTypeOf, ySuffixOf } from '../plots/traces';
import type { DataSummary, Snapshot } from '../protocol';
import { ConfusionMatrix } from './ConfusionMatrix';
import { Panel } from './Panel';

/** One chart of the panel: the descriptors' chart, how it is shown, and a caption when there are several. */
interface FitChart {
  readonly chart: MetricChart;
  readonly view: ChartView;
  readonly caption?: string;
}

/** How one task's fit is shown: figures (the latest value of each metric), then the charts. */
interface FitView {
  readonly title: string;
  readonly subtitle: string;
  readonly metrics: readonly MetricDescriptor[];
  readonly charts: readonly FitChart[];
}

const REGRESSION_CHARTS: readonly FitChart[] = [
  { chart: 'accuracy', view: { id: 'chart-r2', title: 'R²', label: 'Train and test R² per iteration', height: 190 }, caption: 'R² (1 = perfect, 0 = predicting the mean)' },
  { chart: 'loss', view: { id: 'chart-mse', title: 'MSE', label: 'Train and test mean squared error per iteration, log scale', height: 190 }, caption: 'Mean squared error, log scale' },
];

/** The view of a classification run: the method's accuracy-panel metrics and charts. */
function classificationView(metrics: readonly MetricDescriptor[]): FitView {
  return {
    title: 'Accuracy',
    subtitle: 'Train accuracy of the convex model sign(Fu); test accuracy and confusion matrices of the recovered ReLU network.',
    metrics: metrics.filter((d) => ACCURACY_PANEL_CHARTS.includes(d.chart) && !d.readoutOnly),
    charts: ACCURACY_PANEL_CHARTS.filter((c) => onChart(metrics, c).length > 0).map((chart) => ({ chart, view: CHART_VIEWS[chart] })),
  };
}

/** The view of a regression run (user data with a numeric target). */
function regressionView(problem: DataSummary): FitView {
  const target = problem.target?.name ?? 'target';
  return {
    title: 'Fit (regression)',
    subtitle: `Regression on "${target}": R² and mean squared error in the target's units, train (convex model Fu) and test (recovered ReLU network). Accuracy and confusion matrices do not apply.`,
    metrics: REGRESSION_METRICS,
    charts: REGRESSION_CHARTS,
  };
}

/** A latest value as a figure: fractions as percentages. */
function figureValue(latest: MetricsRecord | null, d: MetricDescriptor): string {
  const v = numberOf(latest, d.key);
  if (v === undefined) return '—';
  return d.unit === 'fraction' ? pct(v) : fmt(v, 4);
}

/** Props of {@link AccuracyPanel}. */
export interface AccuracyPanelProps {
  /** What the method reports (its descriptors); the accuracy chart's metrics are drawn here. */
  metrics: readonly MetricDescriptor[];
  history: MetricsHistory;
  version: number;
  xAxis: XAxis;
  latest: MetricsRecord | null;
  snapshot: Snapshot | null;
  problem: DataSummary | null;
  /** What one point is, for the x-axis title (see ConvergencePanel). */
  stepName?: string;
}

/** Accuracy (or regression fit) figures and curves, and the confusion matrices. */
export const AccuracyPanel = memo(function AccuracyPanel({ metrics, history, version, xAxis, latest, snapshot, problem, stepName }: AccuracyPanelProps) {
  const regression = problem?.task === 'regression' ? problem : null;
  const fit = useMemo(() => (regression ? regressionView(regression) : classificationView(metrics)), [regression, metrics]);
  // Traces built once per view, so the memoised charts see the same ones on every new point.
  const traces = useMemo(() => fit.charts.map((c) => tracesFor(fit.metrics, c.chart, c.view.palette)), [fit]);
  const classNames = problem?.task === 'regression' ? [] : (problem?.classNames ?? []);
  const chart = (c: FitChart, i: number) => {
    const drawn = onChart(fit.metrics, c.chart);
    return (
      <StreamChart
        id={c.view.id}
        label={c.view.label}
        traces={traces[i]}
        history={history}
        version={version}
        xAxis={xAxis}
        yType={yTypeOf(drawn)}
        ySuffix={ySuffixOf(drawn)}
        height={c.view.height}
        stepName={stepName}
      />
    );
  };
  return (
    <Panel title={fit.title} subtitle={fit.subtitle} testId="accuracy">
      <dl className="figures">
        {fit.metrics.map((d) => (
          <div key={d.key} title={d.help}>
            <dt>{figureLabel(d.label)}</dt>
            <dd data-testid={figureTestId(d.key)}>{figureValue(latest, d)}</dd>
          </div>
        ))}
        <div>
          <dt>Objective</dt>
          <dd>{latest ? fmt(numberOf(latest, 'objective') ?? NaN, 5) : '—'}</dd>
        </div>
        <div>
          <dt>Hidden units</dt>
          <dd data-testid="hidden-units" title="Neurons of the network recovered from u (spec §6.1)">
            {snapshot ? snapshot.hidden : '—'}
          </dd>
        </div>
      </dl>
      {fit.charts.length === 1 && !fit.charts[0].caption ? (
        chart(fit.charts[0], 0)
      ) : (
        <div className="chart-grid">
          {fit.charts.map((c, i) => (
            <figure key={c.view.id}>
              <figcaption>{c.caption ?? c.view.title}</figcaption>
              {chart(c, i)}
            </figure>
          ))}
        </div>
      )}
      {snapshot && classNames.length > 0 && (
        <div className="confusions">
          <ConfusionMatrix caption={`Train (${problem?.n ?? 0} rows) · ${pct(snapshot.trainAccuracy)}`} counts={snapshot.confusion.train} classNames={classNames} testId="confusion-train" />
          {snapshot.confusion.test && (
            <ConfusionMatrix caption={`Test (${problem?.nTest ?? 0} rows) · ${pct(snapshot.testAccuracy)}`} counts={snapshot.confusion.test} classNames={classNames} testId="confusion-test" />
          )}
        </div>
      )}
    </Panel>
  );
});
