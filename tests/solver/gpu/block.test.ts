/**
 * The block preconditioner on the GPU (solver/gpu/block.ts, spec §5.5): its apply against the
 * float64 inverse of I + XᵀX, block-preconditioned PCG against the float64 CPU solver, and far
 * fewer PCG iterations than Nyström on the GPU too.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CpuSolver } from '../../../solver/cpu/admm';
import { GpuSolver } from '../../../solver/gpu/admm';
import { GpuBlockPreconditioner } from '../../../solver/gpu/block';
import type { GpuContext } from '../../../solver/gpu/context';
import { destroyDispatches, readF32, runDispatches, uploadF32 } from '../../../solver/gpu/kernel';
import { columns } from '../../../solver/gpu/operators';
import { blockFactor, blockSolve } from '../../../solver/preconditioner';
import { LEGACY_CONFIG, type SolverConfig } from '../../../solver/types';
import { gpuContext, randomProblem, randomVector, relError, runSteps } from '../../support/helpers';

let ctx: GpuContext;
beforeAll(async () => {
  ctx = await gpuContext();
});
afterAll(() => ctx?.destroy());

describe('GpuBlockPreconditioner', () => {
  // d = 7 and K = 2·2·5 = 20 exercise the unaligned (non-vec4) paths of the GEMM.
  it.each([7, 12])('z = (I + XᵀX)⁻¹ x matches float64 two-triangular-solve (d = %i)', async (d) => {
    const problem = randomProblem({ n: 50, d, P: 5, classes: 2, model: 'relu', seed: 2 });
    const g = { n: problem.n, d, P: problem.P, S: problem.S, B: problem.C };
    const K = columns(g);
    const block = new GpuBlockPreconditioner(ctx, g, problem.X);
    const x = randomVector(d * K, 9);
    const xb = uploadF32(ctx, x, 'x');
    const zb = uploadF32(ctx, new Float32Array(d * K), 'z');
    const list = block.apply(xb, zb);
    runDispatches(ctx, list);
    const z = await readF32(ctx, zb, d * K);
    const want = blockSolve(blockFactor(problem.X, problem.n, d), d, x, K, new Float64Array(d * K));
    expect(relError(z, want)).toBeLessThan(1e-5);
    destroyDispatches(list);
    for (const b of [xb, zb]) b.destroy();
    block.destroy();
    expect(block.liveBuffers).toBe(0);
  });
});

describe('block-preconditioned PCG: GPU against the float64 CPU solver', () => {
  const problem = randomProblem({ n: 120, d: 8, P: 6, classes: 2, model: 'relu', beta: 0.05, seed: 5 });
  const config: SolverConfig = { ...LEGACY_CONFIG, model: 'relu', P: 6, rho: 0.5, rank: 8, pcgIters: 60, pcgTol: 1e-6, admmIters: 20, preconditioner: 'block', warmStart: false };

  it('the same iterates after 1 and 5 steps, and nearly the same PCG iteration counts', async () => {
    const gpu = await GpuSolver.create(ctx, problem, config);
    const cpu = new CpuSolver(problem, config);
    expect(gpu.preconditionerInUse()?.kind).toBe('block');
    expect(cpu.preconditionerInUse()?.kind).toBe('block');
    for (const k of [1, 4]) {
      const g = await runSteps(gpu, k);
      const c = await runSteps(cpu, k);
      const a = g[k - 1];
      const b = c[k - 1];
      expect(Math.abs(a.objective - b.objective) / b.objective).toBeLessThan(1e-4);
      expect(Math.abs(a.pcgIterations - b.pcgIterations)).toBeLessThanOrEqual(Math.max(2, 0.2 * b.pcgIterations));
      const [gs, cs] = await Promise.all([gpu.solution(), cpu.solution()]);
      expect(relError(gs.U, cs.U)).toBeLessThan(1e-3);
    }
    gpu.dispose();
  });

  it('needs fewer PCG iterations than Nyström on the GPU as well (correlated features)', async () => {
    // A common factor in every feature: XᵀX's top eigenvalue repeats 2P times in GᵀG (spec §5.4).
    const base = randomProblem({ n: 160, d: 12, P: 6, classes: 2, model: 'relu', beta: 0.05, seed: 8 });
    const f = randomVector(base.n, 4);
    const X = Float64Array.from(base.X, (v, t) => v + 4 * f[Math.floor(t / base.d)]);
    const correlated = { ...base, X };
    const counts: Record<string, number> = {};
    for (const preconditioner of ['block', 'nystrom'] as const) {
      const solver = await GpuSolver.create(ctx, correlated, { ...config, preconditioner, rho: 0.1, pcgIters: 300 });
      counts[preconditioner] = (await solver.step()).pcgIterations;
      solver.dispose();
    }
    console.log(`GPU PCG iterations, first step, tol 1e-6: block ${counts.block}, Nyström(8) ${counts.nystrom}`);
    expect(counts.block).toBeGreaterThan(0);
    expect(counts.block).toBeLessThan(counts.nystrom);
  });
});
