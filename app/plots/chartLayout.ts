/**
 * Shared plotly.js layout and config: small fixed margins, the page's font, no logo, and only
 * the buttons a reader needs (PNG export, reset zoom).
 */
import type { Config, Layout } from 'plotly.js/lib/core';

/** Font of every chart (the page's). */
export const CHART_FONT = { family: 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif', size: 11, color: '#3a4350' };

/** Grid and axis-line colour. */
const GRID = '#e6e9ee';

/** plotly.js config of every chart. */
export const CHART_CONFIG: Partial<Config> = {
  responsive: true,
  displaylogo: false,
  modeBarButtons: [['toImage', 'resetScale2d']],
  toImageButtonOptions: { format: 'png', scale: 2 },
};

/** Options of {@link chartLayout}. */
export interface ChartLayoutOptions {
  yType: 'log' | 'linear';
  yRange?: [number, number];
  ySuffix?: string;
  height: number;
  /** The chart has event marks (traces.ts `marker`): they need the hidden [0, 1] axis `y2`. */
  marks?: boolean;
}

/**
 * Layout of a line or bar chart. Titles, legends and automatic margins are left out on purpose:
 * plotly.js re-measures their text on every redraw (forcing a page layout), so the page draws
 * them in HTML around the plot instead.
 */
export function chartLayout(o: ChartLayoutOptions): Partial<Layout> {
  return {
    height: o.height,
    autosize: true,
    margin: { l: 48, r: 10, t: 6, b: 22 },
    font: CHART_FONT,
    paper_bgcolor: 'rgba(0,0,0,0)',
    plot_bgcolor: '#ffffff',
    showlegend: false,
    hovermode: 'x unified',
    // Keeps a user's zoom while points stream in and after axis switches.
    uirevision: 'keep',
    // 'allow': plotly otherwise measures every tick label against every other on each redraw.
    xaxis: { gridcolor: GRID, zeroline: false, automargin: false, ticklabeloverflow: 'allow' },
    yaxis: {
      type: o.yType,
      gridcolor: GRID,
      zeroline: false,
      exponentformat: 'power',
      nticks: 5,
      automargin: false,
      ticklabeloverflow: 'allow',
      ticksuffix: o.ySuffix ?? '',
      ...(o.yRange ? { range: o.yRange, autorange: false } : { autorange: true }),
    },
    ...(o.marks ? { yaxis2: { overlaying: 'y' as const, range: [0, 1], fixedrange: true, visible: false } } : {}),
  };
}
