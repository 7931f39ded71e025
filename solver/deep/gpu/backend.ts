/**
 * PLACEHOLDER: the WebGPU deep backend is written in parallel on another branch against the same
 * contract (solver/deep/types.ts) and replaces this file at merge. It exists so that the trainer's
 * `await import('./gpu/backend')` compiles; asking for the GPU today fails with a clear message.
 */
import type { DeepBackend, DeepBackendInit } from '../types';

/** Not built yet: always throws (use device 'cpu' for the deep methods until the GPU backend lands). */
export function createGpuDeepBackend(init: DeepBackendInit, gpu?: GPU): Promise<DeepBackend> {
  void init;
  void gpu;
  return Promise.reject(new Error('the WebGPU deep backend is not built yet; run the deep methods on the CPU (device "cpu").'));
}
