/**
 * Activation patterns: the pattern matrix D (sampled rows grouped by class × the P sampled
 * patterns), faded where the group lasso has pruned the pattern's neurons, and the group norms
 * ‖v⁺ᵢ‖ / ‖v⁻ᵢ‖ per pattern as bars: how many neurons this dataset needs at this β.
 */
import { memo, useEffect, useMemo, useRef } from 'react';
import type { Data } from 'plotly.js/lib/core';
import { classColor, type Rgb } from '../colors';
import { paintCells } from '../draw';
import { chartLayout } from '../plots/chartLayout';
import { Figure } from '../plots/Figure';
import type { PatternView, ProblemSummary, Snapshot } from '../protocol';
import { activePatterns, patternStrength } from '../snapshot';
import { Panel } from './Panel';

const ON_ACTIVE: Rgb = [31, 78, 121];
const ON_PRUNED: Rgb = [176, 190, 204];
const OFF: Rgb = [244, 246, 248];

/** Props of {@link PatternsPanel}. */
export interface PatternsPanelProps {
  view: PatternView | null;
  problem: ProblemSummary | null;
  snapshot: Snapshot | null;
}

/** D heatmap and neuron-norm bars. */
export const PatternsPanel = memo(function PatternsPanel({ view, problem, snapshot }: PatternsPanelProps) {
  const active = useMemo(() => (snapshot && problem ? activePatterns(snapshot.normsV, problem) : null), [snapshot, problem]);
  const kept = active ? active.reduce((s, v) => s + v, 0) : 0;
  return (
    <Panel
      title="Activation patterns"
      subtitle={
        view && problem ? (
          <>
            D: {view.rows} of {view.totalRows} training rows (grouped by class) × P = {view.P} patterns; dark = xᵀgᵢ ≥ 0, faded = pattern pruned by the group lasso.
          </>
        ) : (
          'The pattern matrix D and the neurons the group lasso keeps.'
        )
      }
      testId="patterns"
      actions={
        active && (
          <span className="chip" data-testid="active-patterns">
            {kept} / {active.length} patterns kept
          </span>
        )
      }
    >
      {view && problem ? <PatternHeatmap view={view} active={active} classes={problem.classNames.length} /> : <div className="placeholder">Waiting for the problem…</div>}
      {/* Kept mounted between runs (snapshot null = all zero) so the figure is not rebuilt each time. */}
      {problem && <NeuronNorms problem={problem} snapshot={snapshot} />}
    </Panel>
  );
});

/** The D heatmap with a class strip on the left. */
function PatternHeatmap({ view, active, classes }: { view: PatternView; active: Uint8Array | null; classes: number }) {
  const main = useRef<HTMLCanvasElement>(null);
  const strip = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    if (!main.current || !strip.current) return;
    const { P, D, rowClass, rows } = view;
    paintCells(main.current, P, rows, (x, y) => (D[y * P + x] ? (active && !active[x] ? ON_PRUNED : ON_ACTIVE) : OFF));
    paintCells(strip.current, 1, rows, (_, y) => classColor(rowClass[y], classes));
  }, [view, active, classes]);
  return (
    <div className="heatmap" data-testid="pattern-heatmap">
      <canvas ref={strip} className="class-strip" aria-hidden="true" />
      <canvas ref={main} className="pixels" role="img" aria-label={`Pattern matrix D, ${view.rows} rows by ${view.P} patterns`} />
    </div>
  );
}

/** Group norms per pattern: v⁺ up, v⁻ down (ReLU), summed in quadrature over classes. */
function NeuronNorms({ problem, snapshot }: { problem: ProblemSummary; snapshot: Snapshot | null }) {
  const normsV = snapshot && snapshot.normsV.length === problem.K ? snapshot.normsV : null;
  const data = useMemo<Data[]>(() => {
    const strength = normsV ? patternStrength(normsV, problem) : new Float64Array(problem.S * problem.P);
    const x = Array.from({ length: problem.P }, (_, i) => i + 1);
    const plus = Array.from(strength.subarray(0, problem.P));
    if (problem.S === 1) return [{ type: 'bar', name: '‖vᵢ‖', x, y: plus, marker: { color: '#1f6fb2' }, hovertemplate: 'pattern %{x}: %{y:.3g}<extra></extra>' }];
    const minus = Array.from(strength.subarray(problem.P, 2 * problem.P), (v) => -v);
    return [
      { type: 'bar', name: '‖v⁺ᵢ‖', x, y: plus, marker: { color: '#1f6fb2' }, hovertemplate: 'pattern %{x}: %{y:.3g}<extra>v⁺</extra>' },
      { type: 'bar', name: '−‖v⁻ᵢ‖', x, y: minus, marker: { color: '#e8841a' }, hovertemplate: 'pattern %{x}: %{y:.3g}<extra>v⁻</extra>' },
    ];
  }, [normsV, problem]);
  const layout = useMemo(
    () => ({
      ...chartLayout({ yType: 'linear', height: 170 }),
      barmode: 'relative' as const,
      bargap: 0.15,
      hovermode: 'closest' as const,
    }),
    [problem.S],
  );
  return (
    <figure>
      <figcaption>
        Neuron norms (v, all classes) <span className="readout">{normsV ? countNonZero(normsV) : 0} of {problem.K} columns non-zero</span>
      </figcaption>
      {problem.S === 2 && (
        <ul className="legend" aria-label="Legend">
          <li>
            <span className="swatch" style={{ background: '#1f6fb2' }} />
            ‖v⁺ᵢ‖ (up)
          </li>
          <li>
            <span className="swatch" style={{ background: '#e8841a' }} />
            ‖v⁻ᵢ‖ (down)
          </li>
        </ul>
      )}
      <Figure id="chart-norms" label="Group norm of each pattern's neurons" data={data} layout={layout} />
      <div className="x-label">pattern i</div>
    </figure>
  );
}

/** Number of positive entries. */
function countNonZero(v: Float64Array): number {
  let k = 0;
  for (const x of v) if (x > 0) k++;
  return k;
}
