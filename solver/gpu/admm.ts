/**
 * CRONOS on WebGPU: the ADMM driver (solver/admm/driver.ts) over the WebGPU backend
 * (solver/gpu/backend.ts): every vector on the GPU, one command buffer and one small status
 * read-back per ADMM step.
 */
import { AdmmDriver } from '../admm/driver';
import type { TestSet } from '../solver';
import type { Problem, SolverConfig } from '../types';
import { GpuBackend } from './backend';
import { gpuMemoryPlan } from './buffers';
import type { GpuContext } from './context';

export { gpuMemoryPlan } from './buffers';

/** Options of {@link GpuSolver.create} beyond the shared config. */
export interface GpuSolverOptions {
  /** Largest row block of X in bytes (default: the adapter's binding limit). */
  xBlockBytes?: number;
}

/** The WebGPU CRONOS solver; create it with {@link GpuSolver.create}. */
export class GpuSolver extends AdmmDriver {
  private constructor(
    problem: Problem,
    config: SolverConfig,
    private readonly gpuBackend: GpuBackend,
    test: TestSet | undefined,
    /** The device it runs on, watched for loss (solver/resilience.ts). */
    private readonly ctx: GpuContext,
  ) {
    super('gpu', problem, config, gpuBackend, test);
  }

  /** Anderson extrapolations taken and rejected on the GPU so far (null without GPU Anderson); one read-back. */
  andersonCounts(): Promise<{ accepted: number; rejected: number } | null> {
    return this.gpuBackend.andersonCounts();
  }

  /** Why the device was lost, or null while it is fine. */
  deviceLost(): string | null {
    return this.ctx.lostReason;
  }

  /** Destroys the device (the device-loss test hook); every later step fails and `deviceLost` says why. */
  loseDevice(): void {
    this.ctx.destroy();
  }

  /** Allocates the solver on `ctx`, uploads the problem and builds the first preconditioner. */
  static async create(ctx: GpuContext, problem: Problem, config: SolverConfig, test?: TestSet, opts: GpuSolverOptions = {}): Promise<GpuSolver> {
    const lim = ctx.adapter.maxStorageBufferBindingSize;
    const plan = gpuMemoryPlan(problem, config, test?.n ?? 0, lim);
    if (plan.largestBinding > lim) {
      throw new Error(
        `The problem needs a ${mib(plan.largestBinding)} GPU buffer but this adapter allows at most ${mib(lim)} per binding ` +
          `(n=${problem.n}, d=${problem.d}, K=${problem.K}, rank=${config.rank}). Use fewer rows, a smaller P or rank, or --device cpu.`,
      );
    }
    if (config.model !== problem.model) throw new Error(`config.model (${config.model}) differs from the problem's model (${problem.model}).`);
    const backend = await GpuBackend.create(ctx, problem, config, test, opts.xBlockBytes ?? lim);
    return new GpuSolver(problem, config, backend, test, ctx);
  }
}

function mib(bytes: number): string {
  return `${(bytes / 2 ** 20).toFixed(1)} MiB`;
}
