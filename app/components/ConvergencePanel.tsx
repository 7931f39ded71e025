/**
 * The optimality certificate as it forms: objective (at u and at the group-sparse v), primal and
 * dual residuals against their stopping thresholds ε_pri and ε_dual, the cone violation of the
 * ReLU program and the PCG iterations of each ADMM step. Log scales where values span decades,
 * no smoothing (full-batch ADMM has no noise to hide), x-axis = iteration or solver time.
 */
import { memo } from 'react';
import type { IterationMetrics, ModelKind } from '../../solver/types';
import { certifiedGap, fmt } from '../format';
import { logSafe, type MetricsHistory, type XAxis } from '../history';
import { StreamChart, type TraceSpec } from '../plots/StreamChart';
import { Panel } from './Panel';

const C = { blue: '#1f6fb2', orange: '#e8841a', red: '#c0392b', purple: '#7b4fa6', green: '#2e8b57', grey: '#6b7785' };

const OBJECTIVE: TraceSpec[] = [
  { name: 'f(u)', value: (m) => logSafe(m.objective), color: C.blue },
  { name: 'f(v), group-sparse', value: (m) => logSafe(m.objectiveV), color: C.orange, dash: 'dash' },
  // A certified lower bound on f* (solver/residuals.ts): the gap to it bounds the suboptimality.
  { name: 'dual bound ≤ f*', value: (m) => logSafe(m.dualObjective), color: C.green, dash: 'dot' },
];

const RESIDUALS: TraceSpec[] = [
  { name: 'primal r', value: (m) => logSafe(m.primalResidual), color: C.blue },
  { name: 'ε_pri', value: (m) => logSafe(m.epsPrimal), color: C.blue, dash: 'dot', width: 1.5 },
  { name: 'dual s', value: (m) => logSafe(m.dualResidual), color: C.red },
  { name: 'ε_dual', value: (m) => logSafe(m.epsDual), color: C.red, dash: 'dot', width: 1.5 },
];
const CONE: TraceSpec[] = [{ name: 'max(0, −Gu)∞', value: (m) => logSafe(m.coneViolation), color: C.purple }];
const PCG: TraceSpec[] = [{ name: 'PCG iterations', value: (m) => m.pcgIterations, color: C.green, shape: 'hv' }];

/** Props of {@link ConvergencePanel}. */
export interface ConvergencePanelProps {
  history: MetricsHistory;
  version: number;
  xAxis: XAxis;
  onXAxis(axis: XAxis): void;
  latest: IterationMetrics | null;
  model: ModelKind | null;
}

/** The convergence charts with their x-axis switch and latest values. */
export const ConvergencePanel = memo(function ConvergencePanel({ history, version, xAxis, onXAxis, latest, model }: ConvergencePanelProps) {
  return (
    <Panel
      title="Convergence"
      subtitle="ADMM on the convex program: the run is ε-optimal when both residuals fall below their thresholds."
      className="wide"
      testId="convergence"
      actions={<AxisSwitch value={xAxis} onChange={onXAxis} />}
    >
      <div className="chart-grid">
        <figure>
          <figcaption>
            Objective <Readout v={latest?.objective} />{' '}
            <span title="Certified lower bound on the optimum f* (the dual objective at a dual-feasible point built from this iterate). While the cone violation is not ~0, f(u) itself can lie below f*.">
              <Readout v={latest?.dualObjective} prefix="f* ≥ " />
            </span>
            {latest && certifiedGap(latest) !== undefined && latest.coneViolation <= 1e-4 * Math.max(latest.maxAbsXU, 1e-12) && (
              <span title="(f(u) − dual bound) / f(u), with u feasible to 1e-4·max|XU|: how far, at most, f(u) is above f*">
                {' '}
                <Readout v={certifiedGap(latest)} prefix="gap ≤ " digits={2} />
              </span>
            )}
          </figcaption>
          <StreamChart id="chart-objective" label="Objective per iteration, log scale" traces={OBJECTIVE} history={history} version={version} xAxis={xAxis} yType="log" />
        </figure>
        <figure>
          <figcaption>
            Residuals <Readout v={latest?.primalResidual} prefix="r " /> <Readout v={latest?.dualResidual} prefix="s " />
          </figcaption>
          <StreamChart id="chart-residuals" label="Primal and dual residuals with their thresholds, log scale" traces={RESIDUALS} history={history} version={version} xAxis={xAxis} yType="log" />
        </figure>
        <figure>
          <figcaption>
            Cone violation {model === 'gated' ? <span className="muted">(none: gated ReLU has no cone constraints)</span> : <Readout v={latest?.coneViolation} />}
          </figcaption>
          <StreamChart id="chart-cone" label="Cone violation per iteration, log scale" traces={CONE} history={history} version={version} xAxis={xAxis} yType="log" />
        </figure>
        <figure>
          <figcaption>
            PCG iterations per ADMM step <Readout v={latest?.pcgIterations} digits={3} />
          </figcaption>
          <StreamChart id="chart-pcg" label="PCG iterations per ADMM step" traces={PCG} history={history} version={version} xAxis={xAxis} yType="linear" />
        </figure>
      </div>
    </Panel>
  );
});

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
  return (
    <div className="segmented small" role="radiogroup" aria-label="x-axis">
      {(
        [
          ['iteration', 'Iteration'],
          ['time', 'Time'],
        ] as const
      ).map(([axis, text]) => (
        <label key={axis} className={value === axis ? 'on' : ''}>
          <input type="radio" name="x-axis" value={axis} checked={value === axis} onChange={() => onChange(axis)} data-testid={`x-${axis}`} />
          {text}
        </label>
      ))}
    </div>
  );
}
