/**
 * Accuracy: train and test curves per iteration, the final figures of the run, and the
 * confusion matrices of the recovered two-layer network on train and test rows. A regression
 * run (user data with a numeric target) shows R² and MSE instead, in the target's units, and
 * no confusion matrices.
 */
import { memo } from 'react';
import type { IterationMetrics } from '../../solver/types';
import { fmt, pct } from '../format';
import { finiteOrNull, logSafe, type MetricsHistory, type XAxis } from '../history';
import { StreamChart, type TraceSpec } from '../plots/StreamChart';
import type { ProblemSummary, Snapshot } from '../protocol';
import { ConfusionMatrix } from './ConfusionMatrix';
import { Panel } from './Panel';

const ACCURACY: TraceSpec[] = [
  { name: 'train (convex model)', value: (m) => finiteOrNull(100 * m.trainAccuracy), color: '#1f6fb2' },
  { name: 'test (recovered network)', value: (m) => finiteOrNull(100 * m.testAccuracy), color: '#e8841a' },
];

const R2: TraceSpec[] = [
  { name: 'train R² (convex model)', value: (m) => finiteOrNull(m.trainR2), color: '#1f6fb2' },
  { name: 'test R² (recovered network)', value: (m) => finiteOrNull(m.testR2), color: '#e8841a' },
];
const MSE: TraceSpec[] = [
  { name: 'train MSE', value: (m) => logSafe(m.trainMse), color: '#1f6fb2' },
  { name: 'test MSE', value: (m) => logSafe(m.testMse), color: '#e8841a' },
];

/** Props of {@link AccuracyPanel}. */
export interface AccuracyPanelProps {
  history: MetricsHistory;
  version: number;
  xAxis: XAxis;
  latest: IterationMetrics | null;
  snapshot: Snapshot | null;
  problem: ProblemSummary | null;
}

/** Accuracy curves, final figures and confusion matrices. */
export const AccuracyPanel = memo(function AccuracyPanel({ history, version, xAxis, latest, snapshot, problem }: AccuracyPanelProps) {
  if (problem?.task === 'regression') return <RegressionFit history={history} version={version} xAxis={xAxis} latest={latest} snapshot={snapshot} problem={problem} />;
  const classNames = problem?.classNames ?? [];
  return (
    <Panel title="Accuracy" subtitle="Train accuracy of the convex model sign(Fu); test accuracy and confusion matrices of the recovered ReLU network." testId="accuracy">
      <dl className="figures">
        <div>
          <dt>Train</dt>
          <dd data-testid="train-accuracy">{latest ? pct(latest.trainAccuracy) : '—'}</dd>
        </div>
        <div>
          <dt>Test</dt>
          <dd data-testid="test-accuracy">{latest ? pct(latest.testAccuracy) : '—'}</dd>
        </div>
        <div>
          <dt>Objective</dt>
          <dd>{latest ? fmt(latest.objective, 5) : '—'}</dd>
        </div>
        <div>
          <dt>Hidden units</dt>
          <dd data-testid="hidden-units" title="Neurons of the network recovered from u (spec §6.1)">
            {snapshot ? snapshot.hidden : '—'}
          </dd>
        </div>
      </dl>
      <StreamChart
        id="chart-accuracy"
        label="Train and test accuracy per iteration, percent"
        traces={ACCURACY}
        history={history}
        version={version}
        xAxis={xAxis}
        yType="linear"
       
        ySuffix=" %"
        height={190}
      />
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

/** R² and MSE (train and test) of a regression run, with their curves. */
function RegressionFit({ history, version, xAxis, latest, snapshot, problem }: AccuracyPanelProps) {
  const target = problem?.target?.name ?? 'target';
  return (
    <Panel
      title="Fit (regression)"
      subtitle={`Regression on "${target}": R² and mean squared error in the target's units, train (convex model Fu) and test (recovered ReLU network). Accuracy and confusion matrices do not apply.`}
      testId="accuracy"
    >
      <dl className="figures">
        <div>
          <dt>Train R²</dt>
          <dd data-testid="train-r2">{latest ? fmt(latest.trainR2, 4) : '—'}</dd>
        </div>
        <div>
          <dt>Test R²</dt>
          <dd data-testid="test-r2">{latest ? fmt(latest.testR2, 4) : '—'}</dd>
        </div>
        <div>
          <dt>Train MSE</dt>
          <dd data-testid="train-mse">{latest ? fmt(latest.trainMse, 4) : '—'}</dd>
        </div>
        <div>
          <dt>Test MSE</dt>
          <dd data-testid="test-mse">{latest ? fmt(latest.testMse, 4) : '—'}</dd>
        </div>
        <div>
          <dt>Objective</dt>
          <dd>{latest ? fmt(latest.objective, 5) : '—'}</dd>
        </div>
        <div>
          <dt>Hidden units</dt>
          <dd data-testid="hidden-units" title="Neurons of the network recovered from u (spec §6.1)">
            {snapshot ? snapshot.hidden : '—'}
          </dd>
        </div>
      </dl>
      <div className="chart-grid">
        <figure>
          <figcaption>R² (1 = perfect, 0 = predicting the mean)</figcaption>
          <StreamChart id="chart-r2" label="Train and test R² per iteration" traces={R2} history={history} version={version} xAxis={xAxis} yType="linear" height={190} />
        </figure>
        <figure>
          <figcaption>Mean squared error, log scale</figcaption>
          <StreamChart id="chart-mse" label="Train and test mean squared error per iteration, log scale" traces={MSE} history={history} version={version} xAxis={xAxis} yType="log" height={190} />
        </figure>
      </div>
    </Panel>
  );
}
