/**
 * Entry point of the solver package: builds a CRONOS solver on the requested device.
 * The GPU context is created once per process (Node) or per Worker (browser) and shared.
 */
import { CpuSolver } from './cpu/admm';
import { createGpuContext, type BufferCensus, type GpuContext } from './gpu/context';
import { GpuSolver } from './gpu/admm';
import type { CronosSolver, TestSet } from './solver';
import type { DeviceKind, Problem, SolverConfig } from './types';

export { runCronos } from './solver';
export type { CronosSolver, RunOptions, TestSet } from './solver';
export { AdmmDivergedError, throwIfDiverged } from './admm/driver';
export type { AdmmState } from './admm/driver';

let shared: Promise<GpuContext> | null = null;
/** The resolved shared context, to notice that its device was lost. */
let sharedNow: GpuContext | null = null;

/**
 * The process-wide GPU context. In Node, pass dawn.node's GPU (solver/gpu/node-gpu.ts); in a page
 * or Worker, leave `gpu` undefined to use navigator.gpu. Throws WebGpuUnavailableError. Once its
 * device is lost (driver reset, `destroy()`), the next call makes a new device, so a run can
 * recover (solver/resilience.ts).
 */
export function sharedGpuContext(gpu?: GPU): Promise<GpuContext> {
  if (sharedNow?.lostReason) {
    shared = null;
    sharedNow = null;
  }
  if (!shared) {
    const made = createGpuContext(gpu).then(
      (ctx) => {
        if (shared === made) sharedNow = ctx;
        return ctx;
      },
      (e: unknown) => {
        if (shared === made) shared = null;
        throw e;
      },
    );
    shared = made;
  }
  return shared;
}

/**
 * The live-buffer count of the shared context's device, or null while there is none (no GPU run
 * yet, or its device was lost): asking never creates a device.
 */
export function sharedGpuBuffers(): BufferCensus | null {
  return sharedNow && !sharedNow.lostReason ? sharedNow.buffers : null;
}

/** Options of {@link createSolver}. */
export interface CreateSolverOptions {
  device: DeviceKind;
  test?: TestSet;
  /** GPU entry point (dawn.node's in Node); navigator.gpu when omitted. */
  gpu?: GPU;
}

/** A CRONOS solver for `problem` on the requested device (GPU errors propagate; no silent fallback). */
export async function createSolver(problem: Problem, config: SolverConfig, opts: CreateSolverOptions): Promise<CronosSolver> {
  if (opts.device === 'cpu') return new CpuSolver(problem, config, opts.test);
  const ctx = await sharedGpuContext(opts.gpu);
  return GpuSolver.create(ctx, problem, config, opts.test);
}
