/**
 * The optimality certificate as it forms: objective (at u and at the group-sparse v), primal and
 * dual residuals against their stopping thresholds ε_pri and ε_dual, the cone violation of the
 * ReLU program and the PCG iterations of each ADMM step. Log scales where values span decades,
 * no smoothing (full-batch ADMM has no noise to hide), x-axis = iteration or solver time.
 */
import { memo, useMemo, type ReactNode } from 'react';
import type { MetricDescriptor, MetricsRecord } from '../../solver/trainer';
import type { ModelKind } from '../../solver/types';
import { OUTPUT_SCALE_FLOOR } from '../../solver/residuals';
import { certifiedGap, fmt } from '../format';
import { numberOf, type MetricsHistory, type XAxis } from '../history';
import { ACCURACY_PANEL_CHARTS, CHART_VIEWS } from '../plots/chartViews';
import { StreamChart } from '../plots/StreamChart';
import { chartsOf, onChart, tracesFor, yTypeOf, ySuffixOf } from '../plots/traces';
import { Panel } from './Panel';
import { Segmented } from './Segmented';

/** Props of {@link ConvergencePanel}. */
export interface ConvergencePanelProps {
  /** What the method reports (its descriptors): one chart per chart id they use. */
  metrics: readonly MetricDescriptor[];
  history: MetricsHistory;
  version: number;
  xAxis: XAxis;
  onXAxis(axis: XAxis): void;
  latest: MetricsRecord | null;
  model: ModelKind | null;
  /** What one point of a method without a convex program is (the x-axis title); CRONOS: an ADMM iteration. */
  stepName?: string;
}

/** The convergence charts with their x-axis switch and latest values. */
export const ConvergencePanel = memo(function ConvergencePanel({ metrics, history, version, xAxis, onXAxis, latest, model, stepName }: ConvergencePanelProps) {
  // Built once per method, so the memoised charts see the same traces on every new point.
  const charts = useMemo(
    () =>
      chartsOf(metrics)
        .filter((c) => !ACCURACY_PANEL_CHARTS.includes(c))
        .map((chart) => ({ chart, view: CHART_VIEWS[chart], drawn: onChart(metrics, chart), traces: tracesFor(metrics, chart, CHART_VIEWS[chart].palette) })),
    [metrics],
  );
  return (
    <Panel
      title="Convergence"
      subtitle={
        model
          ? 'ADMM on the convex program. Headline: the certified gap — how far f(u) can at most be above the global optimum f*, proven by the dual bound.'
          : 'The training curves of the method, one point per reported step: losses, and the state of its optimizer.'
      }
      className="wide"
      testId="convergence"
      actions={<AxisSwitch value={xAxis} onChange={onXAxis} />}
    >
      <CertifiedGapHeadline latest={latest} />
      <div className="chart-grid">
        {charts.map(({ chart, view, drawn, traces }) => (
          <figure key={chart}>
            <figcaption>
              {view.title} {captionReadouts(drawn, latest, model)}
            </figcaption>
            <StreamChart
              id={view.id}
              label={view.label}
              traces={traces}
              history={history}
              version={version}
              xAxis={xAxis}
              yType={yTypeOf(drawn)}
              ySuffix={ySuffixOf(drawn)}
              height={view.height}
              stepName={stepName}
            />
          </figure>
        ))}
      </div>
    </Panel>
  );
});

/**
 * The read-outs after a chart's title. CRONOS's captions (the certified gap, the residual pair,
 * the cone note for gated nets) apply wherever their metric keys are on the chart; any other
 * chart shows the latest value of each metric it draws (thresholds aside).
 */
function captionReadouts(drawn: readonly MetricDescriptor[], latest: MetricsRecord | null, model: ModelKind | null): ReactNode {
  const has = (key: string) => drawn.some((d) => d.key === key);
  const v = (key: string) => numberOf(latest, key);
  if (has('objective') && has('dualObjective')) return <ObjectiveReadouts latest={latest} />;
  if (has('primalResidual') && has('dualResidual')) {
    return (
      <>
        <Readout v={v('primalResidual')} prefix="r " /> <Readout v={v('dualResidual')} prefix="s " />
      </>
    );
  }
  if (has('coneViolation')) return model === 'gated' ? <span className="muted">(none: gated ReLU has no cone constraints)</span> : <Readout v={v('coneViolation')} />;
  if (has('pcgIterations')) return <Readout v={v('pcgIterations')} digits={3} />;
  const shown = drawn.filter((d) => !d.style?.thresholdOf);
  return shown.map((d, i) => (
    <span key={d.key}>
      {i > 0 && ' '}
      <Readout v={v(d.key)} prefix={shown.length > 1 ? `${d.label} ` : ''} />
    </span>
  ));
}

/**
 * The headline figure: the certified relative gap (f(u) − dual bound)/f(u) once u is feasible
 * (cone violation ≤ 1e-4·max(max|XU|, 1), the solver's gap rule), else why there is none yet.
 */
function CertifiedGapHeadline({ latest }: { latest: MetricsRecord | null }) {
  const objective = numberOf(latest, 'objective');
  const dualObjective = numberOf(latest, 'dualObjective');
  const gap = objective !== undefined && dualObjective !== undefined ? certifiedGap({ objective, dualObjective }) : undefined;
  const feasible = isFeasible(latest);
  const text = gap === undefined ? '—' : feasible ? `≤ ${fmt(gap, 2)}` : 'u not yet feasible';
  return (
    <p className="headline" data-testid="certified-gap" title="(f(u) − dual bound)/f(u): an upper bound on (f(u) − f*)/f(u), certified by a dual-feasible point built from the iterate">
      Certified gap to the global optimum <strong>{text}</strong>
    </p>
  );
}

/** u satisfies the cones to 1e-4·max(max|XU|, 1) (the solver's gap rule); true without cones. */
function isFeasible(latest: MetricsRecord | null): boolean {
  const cone = numberOf(latest, 'coneViolation');
  const scale = numberOf(latest, 'maxAbsXU') ?? 0;
  if (cone === undefined || Number.isNaN(cone)) return false;
  return cone <= 1e-4 * Math.max(scale, OUTPUT_SCALE_FLOOR);
}

/** f(u), the certified lower bound on f* and, once u is feasible, the gap between them. */
function ObjectiveReadouts({ latest }: { latest: MetricsRecord | null }) {
  const objective = numberOf(latest, 'objective');
  const dualObjective = numberOf(latest, 'dualObjective');
  const gap = objective !== undefined && dualObjective !== undefined ? certifiedGap({ objective, dualObjective }) : undefined;
  // NaN (a method without a cone) fails the comparison: no gap read-out without feasibility.
  const feasible = isFeasible(latest);
  return (
    <>
      <Readout v={objective} />{' '}
      <span title="Certified lower bound on the optimum f* (the dual objective at a dual-feasible point built from this iterate). While the cone violation is not ~0, f(u) itself can lie below f*.">
        <Readout v={dualObjective} prefix="f* ≥ " />
      </span>
      {gap !== undefined && feasible && (
        <span title="(f(u) − dual bound) / f(u), with u feasible to 1e-4·max(max|XU|, 1): how far, at most, f(u) is above f*">
          {' '}
          <Readout v={gap} prefix="gap ≤ " digits={2} />
        </span>
      )}
    </>
  );
}

/** A latest value next to a chart caption. */
function Readout({ v, prefix = '', digits = 4 }: { v: number | undefined; prefix?: string; digits?: number }) {
  return (
    <span className="readout">
      {prefix}
      {v === undefined ? '—' : fmt(v, digits)}
    </span>
  );
}

/** Iteration / time toggle (a radio group, so arrow keys work). */
export function AxisSwitch({ value, onChange }: { value: XAxis; onChange(axis: XAxis): void }) {
  return <Segmented label="x-axis" name="x-axis" options={X_AXES} value={value} onChange={onChange} testIdPrefix="x-" />;
}

/** The charts' two x-axes. */
const X_AXES = [
  ['iteration', 'Iteration'],
  ['time', 'Time'],
] as const;
