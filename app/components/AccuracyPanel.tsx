/**
 * Accuracy: train and test curves per iteration, the final figures of the run, and the
 * confusion matrices of the recovered two-layer network on train and test rows.
 */
import { memo } from 'react';
import type { IterationMetrics } from '../../solver/types';
import { fmt, pct } from '../format';
import { finiteOrNull, type MetricsHistory, type XAxis } from '../history';
import { StreamChart, type TraceSpec } from '../plots/StreamChart';
import type { ProblemSummary, Snapshot } from '../protocol';
import { ConfusionMatrix } from './ConfusionMatrix';
import { Panel } from './Panel';

const ACCURACY: TraceSpec[] = [
  { name: 'train (convex model)', value: (m) => finiteOrNull(100 * m.trainAccuracy), color: '#1f6fb2' },
  { name: 'test (recovered network)', value: (m) => finiteOrNull(100 * m.testAccuracy), color: '#e8841a' },
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
