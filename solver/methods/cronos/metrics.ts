/**
 * What CRONOS reports each ADMM iteration ({@link IterationMetrics}, spec §4.4 and §6.3), described
 * once so the page's charts, the CSV export and the docs list the same metrics with the same labels.
 */
import type { MetricDescriptor } from '../../trainer';
import type { IterationMetrics } from '../../types';

/** A descriptor whose key is a field of {@link IterationMetrics}. */
type CronosMetric = MetricDescriptor & { readonly key: keyof IterationMetrics & string };

/**
 * Every described CRONOS metric, grouped by chart, in legend order. ρ and the active neurons are
 * read-outs on the page (the GPU panel, the hidden-unit count), so they are `readoutOnly`; the
 * accuracy labels are the page's legend entries.
 */
export const CRONOS_METRICS: readonly CronosMetric[] = [
  { key: 'objective', label: 'f(u)', unit: '', log: true, chart: 'objective', help: 'Convex objective ½‖Fu − y‖² + β Σ‖u_i‖ at the iterate u.' },
  { key: 'objectiveV', label: 'f(v), group-sparse', unit: '', log: true, chart: 'objective', style: { dash: 'dash' }, help: 'The objective at the group-sparse copy v that the recovered network uses.' },
  { key: 'dualObjective', label: 'dual bound ≤ f*', unit: '', log: true, chart: 'objective', style: { dash: 'dot' }, help: 'A certified lower bound on the optimum: the dual objective at a dual-feasible point built from this iterate.' },
  { key: 'primalResidual', label: 'primal r', unit: '', log: true, chart: 'residuals', help: 'Primal residual of the ADMM splitting (spec §4.4).' },
  { key: 'epsPrimal', label: 'ε_pri', unit: '', log: true, chart: 'residuals', style: { dash: 'dot', thresholdOf: 'primalResidual' }, help: 'Stopping threshold of the primal residual.' },
  { key: 'dualResidual', label: 'dual s', unit: '', log: true, chart: 'residuals', help: 'Dual residual of the ADMM splitting (spec §4.4).' },
  { key: 'epsDual', label: 'ε_dual', unit: '', log: true, chart: 'residuals', style: { dash: 'dot', thresholdOf: 'dualResidual' }, help: 'Stopping threshold of the dual residual.' },
  { key: 'coneViolation', label: 'max(0, −Gu)∞', unit: '', log: true, chart: 'cone', help: 'Largest violation of the cone constraints (2D − I)Xu ≥ 0 (0 for gated ReLU).' },
  { key: 'pcgIterations', label: 'PCG iterations', unit: 'count', log: false, chart: 'inner', style: { shape: 'hv' }, help: 'Preconditioned CG iterations of this ADMM step (max over classes).' },
  { key: 'rho', label: 'ρ', unit: '', log: true, chart: 'rho', style: { shape: 'hv' }, readoutOnly: true, help: 'ADMM penalty of this step (changes with residual balancing).' },
  { key: 'trainAccuracy', label: 'train (convex model)', unit: 'fraction', log: false, chart: 'accuracy', help: 'Training accuracy of the convex model sign(Fu).' },
  { key: 'testAccuracy', label: 'test (recovered network)', unit: 'fraction', log: false, chart: 'accuracy', help: 'Test accuracy of the recovered network.' },
  { key: 'activeNeurons', label: 'active neurons', unit: 'count', log: false, chart: 'inner', readoutOnly: true, help: 'Columns of v that are not zero (hidden units of the recovered network).' },
];

