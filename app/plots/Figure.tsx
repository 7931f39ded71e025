/**
 * A plotly.js figure that is replaced as a whole when its data changes (Plotly.react, which
 * diffs). For small views refreshed with each snapshot (neuron norms), not for streaming curves.
 */
import { memo, useEffect, useRef } from 'react';
import type { Data, Layout } from 'plotly.js/lib/core';
import { Throttle } from '../frames';
import { CHART_CONFIG } from './chartLayout';
import { loadPlotly, type Plotly } from './loadPlotly';

/** Least time between two redraws of a figure. */
const MIN_FIGURE_REDRAW_MS = 500;

/** Props of {@link Figure}. */
export interface FigureProps {
  id: string;
  label: string;
  data: Data[];
  layout: Partial<Layout>;
  /** Least milliseconds between two redraws (default {@link MIN_FIGURE_REDRAW_MS}); read once, at mount. */
  minRedrawMs?: number;
}

/** A plotly.js figure redrawn (rate-limited, within the frame budget) when `data` or `layout` change. */
export const Figure = memo(function Figure({ id, label, data, layout, minRedrawMs = MIN_FIGURE_REDRAW_MS }: FigureProps) {
  const el = useRef<HTMLDivElement>(null);
  const plotly = useRef<Plotly | null>(null);
  const latest = useRef({ data, layout });
  latest.current = { data, layout };
  const throttle = useRef<Throttle | null>(null);

  useEffect(() => {
    let cancelled = false;
    const node = el.current;
    const t = new Throttle(minRedrawMs, () => {
      if (!plotly.current || !node) return;
      // A user-timing measure per redraw, so a slow page can be told apart from a slow machine.
      const mark = performance.mark(`redraw ${id}`);
      void plotly.current.react(node, latest.current.data, latest.current.layout, CHART_CONFIG);
      performance.measure(`redraw ${id}`, mark.name);
    });
    throttle.current = t;
    void loadPlotly().then((p) => {
      if (cancelled) return;
      plotly.current = p;
      t.request();
    });
    return () => {
      cancelled = true;
      t.cancel();
      if (plotly.current && node) plotly.current.purge(node);
    };
  }, []);

  useEffect(() => {
    throttle.current?.request();
  }, [data, layout]);

  return <div id={id} ref={el} className="chart" role="img" aria-label={label} style={{ height: layout.height ?? 200 }} />;
});
