/**
 * The contract shared by the float64 CPU reference (solver/cpu/admm.ts) and the WebGPU solver
 * (solver/gpu/admm.ts), and the outer loop that drives either one.
 */
import type { ConvexSolution, DeviceKind, IterationMetrics, Problem, SolverConfig } from './types';

/** Held-out rows for test metrics (features preprocessed like the training rows). */
export interface TestSet {
  X: Float64Array;
  n: number;
  /** Class index per row (classification). */
  labels: Int32Array;
  /** Target per row in its own units (regression problems; `labels` is then ignored). */
  targets?: Float64Array;
}

/** One CRONOS instance: state lives on its device; `step` runs one ADMM iteration (spec §4.2). */
export interface CronosSolver {
  readonly device: DeviceKind;
  readonly problem: Problem;
  readonly config: SolverConfig;
  /** Runs one ADMM iteration and returns its metrics. */
  step(): Promise<IterationMetrics>;
  /** The current iterate (u, v), read back as float64. */
  solution(): Promise<ConvexSolution>;
  /** Frees device resources. */
  dispose(): void;
}

/** Runs `solver` until the stopping rule holds or `config.admmIters` iterations are done. */
export async function runCronos(
  solver: CronosSolver,
  onIteration?: (m: IterationMetrics) => void,
): Promise<IterationMetrics[]> {
  const history: IterationMetrics[] = [];
  for (let k = 0; k < solver.config.admmIters; k++) {
    const m = await solver.step();
    history.push(m);
    onIteration?.(m);
    if (m.converged) break;
  }
  return history;
}
