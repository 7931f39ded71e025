/**
 * What a CRONOS-AM step reports: the deep methods' series (solver/deep/metrics.ts), DAdapt's d,
 * and the head solves — how many happened in the step (so a chart or a CSV can mark them), the
 * convex objective and width of the latest head, and where the time went.
 */
import type { DeepMetrics } from '../../deep/metrics';
import { DADAPT_METRIC, DEEP_METRICS } from '../../deep/metrics';
import type { MetricDescriptor } from '../../trainer';

/** One CRONOS-AM step's record. */
export type CronosAmMetrics = DeepMetrics & {
  /** DAdapt-Adam's distance estimate after the step. */
  readonly d: number;
  /** Head solves in this step (0 in steps between checkpoints). */
  readonly headSolves: number;
  /** Convex objective ½‖Fu − y‖² + βΣ‖u_i‖ of the latest head solve on its φ(X) (NaN before the first). */
  readonly headObjective: number;
  /** Hidden units of the latest head (columns of u not pruned, at most 2P per class). */
  readonly headNeurons: number;
  /** Milliseconds in head solves this step: φ(X), the patterns, ADMM, recovery, writing the head. */
  readonly headMs: number;
  /** Milliseconds in the minibatch steps of the features this step (forward, backward, DAdapt). */
  readonly featureMs: number;
};

/** The CRONOS-AM series, in legend order. */
export const CRONOS_AM_METRICS: readonly MetricDescriptor[] = [
  ...DEEP_METRICS,
  DADAPT_METRIC,
  { key: 'headSolves', label: 'head solves', unit: 'count', log: false, chart: 'optimizer', style: { marker: true }, help: 'CRONOS solves of the head during this step (it is frozen in between); the page marks them on the time axis of every chart.' },
  { key: 'headObjective', label: 'head f(u)', unit: '', log: true, chart: 'objective', style: { shape: 'hv' }, help: 'Convex objective of the latest head solve, on the features of that moment.' },
  { key: 'headNeurons', label: 'head units', unit: 'count', log: false, chart: 'inner', readoutOnly: true, help: 'Hidden units of the latest head (not pruned by the group lasso).' },
  { key: 'headMs', label: 'ms in head solves', unit: 'ms', log: false, chart: 'inner', readoutOnly: true, help: 'Wall time of this step spent solving the head (features of all rows, ADMM, recovery).' },
  { key: 'featureMs', label: 'ms in feature steps', unit: 'ms', log: false, chart: 'inner', readoutOnly: true, help: 'Wall time of this step spent in the minibatch steps of the features.' },
];
