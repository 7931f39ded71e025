/**
 * The contract shared by the float64 CPU reference (solver/cpu/admm.ts) and the WebGPU solver
 * (solver/gpu/admm.ts), and the outer loop that drives either one.
 */
import type { AdmmState } from './admm/driver';
import type { ResolvedPreconditioner } from './preconditioner';
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

/**
 * One CRONOS instance: state lives on its device; `step` runs one ADMM iteration (spec §4.2).
 * Both devices implement it as the one driver solver/admm/driver.ts over a device backend.
 */
export interface CronosSolver {
  readonly device: DeviceKind;
  readonly problem: Problem;
  readonly config: SolverConfig;
  /** Runs one ADMM iteration and returns its metrics; rejects with AdmmDivergedError when the iterates stop being finite. */
  step(): Promise<IterationMetrics>;
  /** The current iterate (u, v), read back as float64. */
  solution(): Promise<ConvexSolution>;
  /** Everything the next iteration reads (k, ρ and the ADMM vectors as float64); loads into either device. */
  saveState(): Promise<AdmmState>;
  /** Continues from a saved state of the same problem and config (validated; throws with what differs). */
  loadState(state: AdmmState): Promise<void>;
  /** Frees device resources. */
  dispose(): void;
  /** The PCG preconditioner in use and why (solver/preconditioner.ts); both devices' driver has it. */
  preconditionerInUse?(): ResolvedPreconditioner | undefined;
  /** Where Anderson acceleration runs: 'host' (CPU backend), 'device' (GPU), null when off or when it does not fit (both devices' driver has it). */
  andersonIn?(): 'host' | 'device' | null;
  /** GPU solvers: why the device was lost, or null while it is fine. */
  deviceLost?(): string | null;
  /** GPU solvers: destroys the device (the device-loss test hook). */
  loseDevice?(): void;
}

/** Options of {@link runCronos}. */
export interface RunOptions {
  /** Iterations to run at most (default `config.admmIters`). */
  maxIterations?: number;
}

/**
 * Runs `solver` until the stopping rule holds or `config.admmIters` (or `opts.maxIterations`)
 * iterations are done. The one outer loop of the CLI and the benchmark; a diverging run rejects
 * with the solver's AdmmDivergedError (its message says what to change).
 */
export async function runCronos(
  solver: CronosSolver,
  onIteration?: (m: IterationMetrics) => void,
  opts: RunOptions = {},
): Promise<IterationMetrics[]> {
  const history: IterationMetrics[] = [];
  const max = opts.maxIterations ?? solver.config.admmIters;
  for (let k = 0; k < max; k++) {
    const m = await solver.step();
    history.push(m);
    onIteration?.(m);
    if (m.converged) break;
  }
  return history;
}
