/**
 * How the page shows each chart a method can put metrics on (solver/trainer.ts `MetricChart`):
 * its element id (tests and the chart export find it by id), caption title, accessible name and
 * colours. Which metrics a chart draws comes from the method's descriptors (plots/traces.ts).
 * Also the regression metrics the accuracy panel shows, and how a figure is named from a
 * descriptor. Pure, unit-tested in tests/app/traces.test.ts.
 */
import type { MetricChart, MetricDescriptor } from '../../solver/trainer';
import { PALETTE } from './traces';

/** The page's presentation of one chart. */
export interface ChartView {
  /** DOM id of the plot element. */
  readonly id: string;
  /** Caption title, before the read-outs. */
  readonly title: string;
  /** Accessible name (aria-label; the chart export menu lists it). */
  readonly label: string;
  /** Colours the chart's metrics take in turn (default {@link PALETTE}). */
  readonly palette?: readonly string[];
  /** Plot height in CSS pixels (default 210). */
  readonly height?: number;
}

const [BLUE, , GREEN, RED, PURPLE] = PALETTE;

/** Every chart's view; a Record so a new chart id fails to compile until it has one. */
export const CHART_VIEWS: Readonly<Record<MetricChart, ChartView>> = {
  objective: { id: 'chart-objective', title: 'Objective', label: 'Objective per iteration, log scale' },
  // Primal in blue, dual in red, each threshold in its residual's colour.
  residuals: { id: 'chart-residuals', title: 'Residuals', label: 'Primal and dual residuals with their thresholds, log scale', palette: [BLUE, RED] },
  cone: { id: 'chart-cone', title: 'Cone violation', label: 'Cone violation per iteration, log scale', palette: [PURPLE] },
  inner: { id: 'chart-pcg', title: 'PCG iterations per ADMM step', label: 'PCG iterations per ADMM step', palette: [GREEN] },
  accuracy: { id: 'chart-accuracy', title: 'Accuracy', label: 'Train and test accuracy per iteration, percent', height: 190 },
  rho: { id: 'chart-rho', title: 'Penalty ρ', label: 'Penalty ρ per step, log scale' },
  loss: { id: 'chart-loss', title: 'Loss', label: 'Training loss per step' },
  optimizer: { id: 'chart-optimizer', title: 'Optimizer', label: 'Optimizer state per step' },
};

/** Charts drawn in the accuracy panel; every other chart a method uses goes in the convergence panel. */
export const ACCURACY_PANEL_CHARTS: readonly MetricChart[] = ['accuracy'];

/**
 * What a regression run reports in place of accuracy (fields of CRONOS's record that its
 * descriptors leave out, as they apply to regression only), described the same way so they
 * plot through the same code path.
 */
export const REGRESSION_METRICS: readonly MetricDescriptor[] = [
  { key: 'trainR2', label: 'train R² (convex model)', unit: '', log: false, chart: 'accuracy', help: '1 − SSE/SST of the convex model Fu on the training rows.' },
  { key: 'testR2', label: 'test R² (recovered network)', unit: '', log: false, chart: 'accuracy', help: '1 − SSE/SST of the recovered network on the test rows.' },
  { key: 'trainMse', label: 'train MSE', unit: '', log: true, chart: 'loss', help: "Mean squared error of Fu in the target's units." },
  { key: 'testMse', label: 'test MSE', unit: '', log: true, chart: 'loss', help: "Mean squared error of the recovered network on the test rows, in the target's units." },
];

/** "train R² (convex model)" → "Train R²": a figure's heading from a legend label. */
export function figureLabel(label: string): string {
  const head = label.split(' (')[0];
  return head.charAt(0).toUpperCase() + head.slice(1);
}

/** "trainAccuracy" → "train-accuracy", "trainR2" → "train-r2": a figure's test id from its key. */
export function figureTestId(key: string): string {
  return key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}
