/**
 * tfjs-core + tfjs-backend-webgpu on dawn.node, for the benchmarks' comparisons. tfjs looks for
 * `navigator.gpu` (Node 20 has no navigator); the shim hands it dawn.node's GPU object and falls
 * back to a compatibility-level adapter (Dawn's OpenGL ES backend), which tfjs does not ask for
 * itself. tfjs requests its own device on the same adapter as ours.
 */
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildSync } from 'esbuild';
import { nodeGpu } from '../solver/gpu/node-gpu';

/** The tfjs-core module, typed. */
export type Tf = typeof import('@tensorflow/tfjs-core');

/**
 * tfjs-core's Node entry (dist/tf-core.node.js, CommonJS) registers no gradients, and its ESM
 * file that does (dist/register_all_gradients.js) uses extensionless imports Node cannot resolve.
 * esbuild (already installed with tsx and Vite) bundles that file into one CommonJS file, which
 * registers every gradient in tfjs's process-global registry (globalThis._tfGlobals), shared with
 * the engine tf-core.node.js made.
 */
function registerTfjsGradients(): void {
  const req = createRequire(import.meta.url);
  const out = join(tmpdir(), `cronos-tfjs-gradients-${process.pid}.cjs`);
  buildSync({ entryPoints: [req.resolve('@tensorflow/tfjs-core/dist/register_all_gradients.js')], bundle: true, format: 'cjs', platform: 'node', outfile: out, logLevel: 'error' });
  req(out);
}

/** Starts tfjs on the webgpu backend (once per process) and returns the tfjs-core module. */
export async function startTfjsWebgpu(): Promise<Tf> {
  const gpu = nodeGpu();
  const shim = {
    requestAdapter: async (o?: GPURequestAdapterOptions): Promise<GPUAdapter | null> =>
      (await gpu.requestAdapter(o)) ?? (await gpu.requestAdapter({ ...o, featureLevel: 'compatibility' })),
    getPreferredCanvasFormat: (): GPUTextureFormat => gpu.getPreferredCanvasFormat(),
    wgslLanguageFeatures: gpu.wgslLanguageFeatures,
  };
  Object.defineProperty(globalThis, 'navigator', { value: { gpu: shim }, configurable: true, writable: true });
  const tf = await import('@tensorflow/tfjs-core');
  registerTfjsGradients();
  await import('@tensorflow/tfjs-backend-webgpu');
  if (!(await tf.setBackend('webgpu'))) throw new Error('tfjs could not start its webgpu backend');
  await tf.ready();
  return tf;
}
