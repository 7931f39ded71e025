/**
 * The decision boundary of a 2-D set, as TensorFlow Playground draws it: the recovered network's
 * output on a grid (canvas, upscaled by CSS), the training and test points on top, and the
 * sampled gate hyperplanes gᵢᵀx = 0, solid where the group lasso keeps the pattern. For a 2-D
 * regression the grid shows the predicted value and the points their target, on one scale.
 */
import { memo, useEffect, useMemo, useRef, useState } from 'react';
import { classColor, css, diverging, type Rgb } from '../colors';
import { fmt } from '../format';
import { paintCells } from '../draw';
import type { GateLines, PointView, ProblemSummary, Snapshot } from '../protocol';
import { activePatterns, clipLine } from '../snapshot';
import { Panel } from './Panel';

/** Share of white mixed into the background so the points stay readable (the Playground uses alpha). */
const WASH = 0.4;

/** Background colour of a network output: orange below 0, blue above, quantised like the Playground. */
export function boundaryColor(v: number): Rgb {
  const c = diverging(v, 10);
  return [Math.round(c[0] + (255 - c[0]) * WASH), Math.round(c[1] + (255 - c[1]) * WASH), Math.round(c[2] + (255 - c[2]) * WASH)];
}

/**
 * Standard deviations of the target at either end of the regression colour scale: most targets
 * lie within ±2σ, so the scale uses its range instead of saturating at ±1σ.
 */
export const REGRESSION_SPAN = 2;

/** Colour of a regression value given in the solver's standardised target units. */
export function regressionColor(z: number): Rgb {
  return boundaryColor(z / REGRESSION_SPAN);
}

/** Props of {@link DecisionBoundary}. */
export interface DecisionBoundaryProps {
  points: PointView;
  lines: GateLines | null;
  problem: ProblemSummary;
  snapshot: Snapshot | null;
}

/** Heatmap, points and hyperplanes of a 2-D problem. */
export const DecisionBoundary = memo(function DecisionBoundary({ points, lines, problem, snapshot }: DecisionBoundaryProps) {
  const [showLines, setShowLines] = useState(true);
  const [showTest, setShowTest] = useState(true);
  const canvas = useRef<HTMLCanvasElement>(null);
  const h = points.domain;
  const boundary = snapshot?.boundary ?? null;
  const regression = problem.task === 'regression';
  const target = problem.target;

  useEffect(() => {
    if (!canvas.current) return;
    const color = regression ? regressionColor : boundaryColor;
    if (!boundary) {
      paintCells(canvas.current, 1, 1, () => color(0));
      return;
    }
    const { size, values } = boundary;
    paintCells(canvas.current, size, size, (x, y) => color(values[y * size + x]));
  }, [boundary, regression]);

  const active = useMemo(() => (snapshot ? activePatterns(snapshot.normsV, problem) : null), [snapshot, problem]);
  const segments = useMemo(() => {
    if (!lines) return [];
    const out: { i: number; seg: [number, number, number, number] }[] = [];
    for (let i = 0; i < lines.a.length; i++) {
      const seg = clipLine(lines.a[i], lines.b[i], lines.c[i], h);
      if (seg) out.push({ i, seg });
    }
    return out;
  }, [lines, h]);
  const kept = active ? active.reduce((s, v) => s + v, 0) : 0;

  return (
    <Panel
      title="Decision boundary"
      subtitle={
        regression
          ? `Predicted ${target?.name ?? 'target'} of the recovered network over the plane (orange low, blue high); points coloured by their own value, with the sampled gate hyperplanes.`
          : 'Output of the recovered network over the plane (orange < 0 < blue), with the sampled gate hyperplanes.'
      }
      testId="boundary"
      actions={
        <div className="toggles">
          <label className="check">
            <input type="checkbox" checked={showLines} onChange={(e) => setShowLines(e.target.checked)} data-testid="show-hyperplanes" />
            Hyperplanes
          </label>
          <label className="check">
            <input type="checkbox" checked={showTest} onChange={(e) => setShowTest(e.target.checked)} />
            Test points
          </label>
        </div>
      }
    >
      <div className="boundary">
        <div className="boundary-box">
          <canvas
            ref={canvas}
            className="boundary-canvas"
            role="img"
            aria-label={`${regression ? 'Predicted value' : 'Decision boundary'} after ${snapshot?.iter ?? 0} iterations`}
            data-testid="boundary-canvas"
          />
          <svg className="boundary-overlay" viewBox={`${-h} ${-h} ${2 * h} ${2 * h}`} aria-hidden="true">
            <g transform="scale(1,-1)">
              {showLines &&
                segments.map(({ i, seg }) => (
                  <line
                    key={i}
                    x1={seg[0]}
                    y1={seg[1]}
                    x2={seg[2]}
                    y2={seg[3]}
                    className={active && active[i] ? 'gate kept' : 'gate pruned'}
                    vectorEffect="non-scaling-stroke"
                  />
                ))}
              <Points points={points} showTest={showTest} classes={problem.classNames.length} />
            </g>
          </svg>
        </div>
        <div className="boundary-legend">
          <span className="gradient" aria-hidden="true" />
          {regression && target ? (
            <span className="ticks" data-testid="boundary-scale">
              <span>{fmt(target.mean - REGRESSION_SPAN * target.std, 3)}</span>
              <span>{fmt(target.mean, 3)}</span>
              <span>{fmt(target.mean + REGRESSION_SPAN * target.std, 3)}</span>
            </span>
          ) : (
            <span className="ticks">
              <span>−1</span>
              <span>0</span>
              <span>+1</span>
            </span>
          )}
          <p>
            {regression && <span className="legend-item">predicted {target?.name ?? 'target'} (mean ± {REGRESSION_SPAN} std)</span>}
            {problem.classNames.map((name, c) => (
              <span key={name} className="legend-item">
                <span className="dot" style={{ background: css(classColor(c, problem.classNames.length)) }} /> {name}
              </span>
            ))}
            <span className="legend-item">
              <span className="dot test" /> test point
            </span>
          </p>
          {lines && (
            <p className="muted" data-testid="hyperplane-count">
              {kept} of {lines.a.length} hyperplanes kept (solid); {problem.dataset === 'user' ? 'both features z-scored, ' : ''}x, y ∈ [−{h}, {h}]
            </p>
          )}
        </div>
      </div>
    </Panel>
  );
});

/** The points (memoised apart from the background: they only change with the problem). */
const Points = memo(function Points({ points, showTest, classes }: { points: PointView; showTest: boolean; classes: number }) {
  const r = points.domain / 70;
  const items = [];
  for (let j = 0; j < points.x.length; j++) {
    const test = points.test[j] === 1;
    if (test && !showTest) continue;
    // Unwashed, so a point stands out from the background of the same value.
    const fill = points.value ? diverging(points.value[j] / REGRESSION_SPAN) : classColor(points.label[j], classes);
    items.push(<circle key={j} cx={points.x[j]} cy={points.y[j]} r={r} fill={css(fill)} className={test ? 'pt test' : 'pt'} vectorEffect="non-scaling-stroke" />);
  }
  return <g>{items}</g>;
});
