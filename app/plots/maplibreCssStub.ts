/**
 * Stands in for maplibre-gl's stylesheet, which plotly.js's trace registry requires for map
 * traces; the page registers none (see vite.config.ts), so nothing is needed.
 */
export {};
