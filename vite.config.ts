import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

/**
 * Vite config for the playground. WGSL sources are imported with `?raw` (built in).
 * plotly.js's registry requires maplibre-gl's CSS for map traces; the page registers none, so
 * that import is replaced by an empty module. plotly.js (~1 MB minified) is its own lazily
 * loaded chunk, hence the raised size warning limit. Some of its dependencies read Node's
 * `global` (e.g. `global.matchMedia`), which browsers call `globalThis`.
 */
export default defineConfig({
  root: '.',
  publicDir: 'public',
  define: { global: 'globalThis' },
  resolve: {
    alias: [{ find: 'maplibre-gl/dist/maplibre-gl.css', replacement: fileURLToPath(new URL('./app/plots/maplibreCssStub.ts', import.meta.url)) }],
  },
  build: { outDir: 'dist', target: 'es2022', sourcemap: true, chunkSizeWarningLimit: 1200 },
  worker: { format: 'es' },
  server: { port: 5173 },
  preview: { port: 4173 },
});
