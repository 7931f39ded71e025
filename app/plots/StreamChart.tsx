/**
 * A live line chart over the run's {@link MetricsHistory}: created once with plotly.js, then fed
 * only the new points with Plotly.extendTraces (under the frame budget of frames.ts). A new run
 * or an x-axis switch redraws it once from the history.
 */
import { memo, useEffect, useRef } from 'react';
import type { Data } from 'plotly.js/lib/core';
import { chartScheduler, Throttle } from '../frames';
import type { MetricsHistory, XAxis } from '../history';
import { CHART_CONFIG, chartLayout } from './chartLayout';
import { loadPlotly, type Plotly } from './loadPlotly';
import { seriesOf, type TraceSpec } from './traces';

export type { TraceSpec } from './traces';

/** Props of {@link StreamChart}. */
export interface StreamChartProps {
  /** DOM id of the plot element (tests read its `data`). */
  id: string;
  label: string;
  traces: TraceSpec[];
  history: MetricsHistory;
  /** Changes whenever rows were appended (the history itself is mutated in place). */
  version: number;
  xAxis: XAxis;
  yType: 'log' | 'linear';
  yRange?: [number, number];
  ySuffix?: string;
  height?: number;
  /** What one point is, for the x-axis title on the iteration axis (default: an ADMM iteration; a deep method's reported step). */
  stepName?: string;
}

interface PlotState {
  plotly: Plotly;
  drawn: number;
  run: number;
  axis: XAxis;
}

const X_TITLES: Record<XAxis, string> = { iteration: 'ADMM iteration', time: 'solver time (s)' };

/** The x-axis title: the time axis, or what one step of the method is. */
export function xTitle(axis: XAxis, stepName?: string): string {
  return axis === 'iteration' && stepName ? stepName : X_TITLES[axis];
}

/** Least time between two redraws of one chart (each extendTraces redraws the whole figure). */
export const MIN_REDRAW_MS = 400;

/** A streaming plotly.js line chart. */
export const StreamChart = memo(function StreamChart(props: StreamChartProps) {
  const el = useRef<HTMLDivElement>(null);
  const plot = useRef<PlotState | null>(null);
  const latest = useRef(props);
  latest.current = props;
  const throttle = useRef<Throttle | null>(null);

  useEffect(() => {
    let cancelled = false;
    const node = el.current;
    const t = new Throttle(MIN_REDRAW_MS, () => sync(plot.current, node, latest.current));
    throttle.current = t;
    const key = {};
    void loadPlotly().then((plotly) => {
      if (cancelled || !node) return;
      // Created through the frame scheduler too: six figures built in one task would block for long.
      chartScheduler.request(key, () => {
        if (cancelled) return;
        const p = latest.current;
        void plotly.newPlot(node, fullTraces(p), layoutOf(p), CHART_CONFIG);
        plot.current = { plotly, drawn: p.history.length, run: p.history.run, axis: p.xAxis };
      });
    });
    return () => {
      cancelled = true;
      t.cancel();
      chartScheduler.cancel(key);
      if (plot.current && node) plot.current.plotly.purge(node);
      plot.current = null;
    };
  }, []);

  useEffect(() => {
    throttle.current?.request();
  }, [props.version, props.xAxis, props.history.run]);

  return (
    <div className="stream-chart">
      {props.traces.length > 1 && <Legend traces={props.traces} />}
      <div id={props.id} ref={el} className="chart" role="img" aria-label={props.label} style={{ height: props.height ?? 210 }} />
      <div className="x-label" data-testid={`${props.id}-x`}>
        {xTitle(props.xAxis, props.stepName)}
      </div>
    </div>
  );
});

/**
 * The legend in HTML rather than plotly.js's: plotly measures legend text on every redraw,
 * which is a large share of a streaming update's cost.
 */
function Legend({ traces }: { traces: TraceSpec[] }) {
  return (
    <ul className="legend" aria-label="Legend">
      {traces.map((t) => (
        <li key={t.key}>
          <svg width="20" height="8" aria-hidden="true">
            {t.marker ? (
              <polygon points="10,0 15,8 5,8" fill={t.color} />
            ) : (
              <line x1="1" y1="4" x2="19" y2="4" stroke={t.color} strokeWidth={t.width ?? 2} strokeDasharray={t.dash === 'dash' ? '5 3' : t.dash === 'dot' ? '2 2' : undefined} />
            )}
          </svg>
          {t.name}
        </li>
      ))}
    </ul>
  );
}

/** Brings the plot up to date with the history: redraw after a run/axis change, else append. */
function sync(p: PlotState | null, node: HTMLDivElement | null, props: StreamChartProps): void {
  if (!p || !node) return;
  const { history, traces, xAxis } = props;
  if (p.run !== history.run || p.axis !== xAxis || p.drawn > history.length) {
    void p.plotly.react(node, fullTraces(props), layoutOf(props), CHART_CONFIG);
    p.run = history.run;
    p.axis = xAxis;
    p.drawn = history.length;
    return;
  }
  const from = p.drawn;
  const to = history.length;
  if (from === to) return;
  const { x, y } = seriesOf(history, traces, xAxis, from, to);
  const update = { x: traces.map(() => x), y };
  void p.plotly.extendTraces(node, update as unknown as Data, traces.map((_, i) => i));
  p.drawn = to;
}

/** Every trace with all points of the history. */
function fullTraces(props: StreamChartProps): Data[] {
  const { history, traces, xAxis } = props;
  const { x, y } = seriesOf(history, traces, xAxis);
  return traces.map((t, i): Data =>
    t.marker
      ? {
          // Event marks sit on a hidden [0, 1] axis over the plot, so they stay at its foot whatever the data's scale.
          type: 'scatter',
          mode: 'markers',
          name: t.name,
          x,
          y: y[i],
          yaxis: 'y2',
          marker: { symbol: 'triangle-up', size: 8, color: t.color },
          hovertemplate: t.name,
        }
      : {
    type: 'scatter',
    mode: 'lines',
    name: t.name,
    x,
    y: y[i],
    connectgaps: false,
    line: { color: t.color, dash: t.dash ?? 'solid', width: t.width ?? 2, shape: t.shape ?? 'linear' },
    hovertemplate: '%{y:.4g}',
  });
}

function layoutOf(props: StreamChartProps) {
  return chartLayout({ yType: props.yType, yRange: props.yRange, ySuffix: props.ySuffix, height: props.height ?? 210, marks: props.traces.some((t) => t.marker) });
}
