/**
 * dawn.node (npm `webgpu`) for Node: tests, benchmarks and the CLI. Never imported by the page.
 * The object returned by `create()` must stay reachable while any device lives, otherwise
 * dawn.node aborts the process; this module keeps it in a module-level variable.
 */
import { create, globals } from 'webgpu';

let gpuInstance: GPU | null = null;

/** The process-wide dawn.node GPU object (created once, kept alive until exit). */
export function nodeGpu(): GPU {
  if (!gpuInstance) {
    Object.assign(globalThis, globals);
    const flags = (process.env.CRONOS_DAWN_FLAGS ?? '').split(',').filter((s) => s.length > 0);
    gpuInstance = create(flags) as GPU;
  }
  return gpuInstance;
}
