/**
 * Loads plotly.js on first use, as its own chunk, so the page (controls, banners, canvases) is
 * up before the charting library has been parsed.
 */
import type PlotlyModule from 'plotly.js/lib/core';

/** The plotly.js API. */
export type Plotly = typeof PlotlyModule;

let loading: Promise<Plotly> | null = null;

/** The plotly.js partial bundle (loaded once). */
export function loadPlotly(): Promise<Plotly> {
  loading ??= import('./plotlyBundle').then((m) => m.default);
  return loading;
}
