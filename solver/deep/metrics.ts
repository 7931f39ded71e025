/**
 * What a deep-network trainer reports each step, described once (solver/trainer.ts
 * MetricDescriptor) so the page's charts, the CSV export and the docs show the same series.
 */
import type { MetricDescriptor, MetricsRecord } from '../trainer';
import type { OptimizerKind } from './types';

/** The record of one step of a deep trainer; DAdapt-Adam adds `d`, its distance estimate. */
export type DeepMetrics = MetricsRecord & {
  /** Epochs completed (fractional when a step is a part of an epoch, `logEvery`). */
  readonly epoch: number;
  /** Mean loss of the minibatches of this step, each at the θ before its update. */
  readonly batchLoss: number;
  readonly trainLoss: number;
  readonly trainAccuracy: number;
  /** NaN without a test split (as CRONOS's testAccuracy). */
  readonly testLoss: number;
  readonly testAccuracy: number;
};

/** The series every deep method reports, in legend order. */
export const DEEP_METRICS: readonly MetricDescriptor[] = [
  { key: 'batchLoss', label: 'minibatch loss', unit: '', log: true, chart: 'loss', style: { dash: 'dot' }, help: 'Mean training loss of the minibatches of this step, each before its update.' },
  { key: 'trainLoss', label: 'train loss', unit: '', log: true, chart: 'loss', help: 'Training loss of the whole training set after this step.' },
  { key: 'testLoss', label: 'test loss', unit: '', log: true, chart: 'loss', style: { dash: 'dash' }, help: 'Loss on the test set after this step.' },
  { key: 'trainAccuracy', label: 'train', unit: 'fraction', log: false, chart: 'accuracy', help: 'Training accuracy: sign of the output for two classes with MSE, else the argmax.' },
  { key: 'testAccuracy', label: 'test', unit: 'fraction', log: false, chart: 'accuracy', help: 'Test accuracy of the network after this step.' },
  { key: 'epoch', label: 'epoch', unit: 'count', log: false, chart: 'optimizer', readoutOnly: true, help: 'Epochs completed.' },
];

/** DAdapt-Adam's extra series: its distance estimate d, which sets the step size. */
export const DADAPT_METRIC: MetricDescriptor = {
  key: 'd', label: 'd (D-Adaptation)', unit: '', log: true, chart: 'optimizer', style: { shape: 'hv' },
  help: 'The D-Adaptation estimate of the distance to the solution; the step size is d·lr times the bias correction.',
};

/** The descriptors of optimizer `kind`. */
export function deepMetrics(kind: OptimizerKind): readonly MetricDescriptor[] {
  return kind === 'dadapt-adam' ? [...DEEP_METRICS, DADAPT_METRIC] : DEEP_METRICS;
}
