import { defineConfig } from 'vite';

/** Vite config for the playground. WGSL sources are imported with `?raw` (built in). */
export default defineConfig({
  root: '.',
  publicDir: 'public',
  build: { outDir: 'dist', target: 'es2022', sourcemap: true },
  worker: { format: 'es' },
  server: { port: 5173 },
  preview: { port: 4173 },
});
