/**
 * Entry point of the solver package: builds a CRONOS solver on the requested device.
 * The GPU context is created once per process (Node) or per Worker (browser) and shared.
 */
import { CpuSolver } from './cpu/admm';
import { createGpuContext, type GpuContext } from './gpu/context';
import { GpuSolver } from './gpu/admm';
import type { CronosSolver, TestSet } from './solver';
import type { DeviceKind, Problem, SolverConfig } from './types';

export { runCronos } from './solver';
export type { CronosSolver, RunOptions, TestSet } from './solver';
export { AdmmDivergedError, throwIfDiverged } from './admm/driver';
export type { AdmmState } from './admm/driver';

let shared: Promise<GpuContext> | null = null;

/**
 * The process-wide GPU context. In Node, pass dawn.node's GPU (solver/gpu/node-gpu.ts); in a page
 * or Worker, leave `gpu` undefined to use navigator.gpu. Throws WebGpuUnavailableError.
 */
export function sharedGpuContext(gpu?: GPU): Promise<GpuContext> {
  if (!shared) {
    shared = createGpuContext(gpu).catch((e: unknown) => {
      shared = null;
      throw e;
    });
  }
  return shared;
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
