/**
 * The exact u-solve on the GPU (solver/gpu/woodbury.ts, spec §5.6): its apply equals the float64
 * A(ρ)⁻¹ of the CPU's Woodbury solve (ReLU and gated, binary and one-vs-all); `auto` takes it on
 * the GPU for few rows, a fixed ρ and a float32 error bound ε₃₂·(1 + λ̄/ρ) ≤ 0.1 (λ̄ = 2P for ReLU,
 * P·‖X‖_F² for gated), PCG then needs a handful of iterations per ADMM step, and the GPU run
 * follows the float64 CPU run (which solves exactly). Where the bound fails (gated ReLU on pixels
 * at small β) the float32 apply cancels to noise; tests/solver/cpu/woodbury.test.ts checks the rule.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CpuSolver } from '../../../solver/cpu/admm';
import { CronosOperators } from '../../../solver/cpu/operators';
import { WoodburySolve } from '../../../solver/cpu/woodbury';
import { GpuSolver } from '../../../solver/gpu/admm';
import { GpuBlockPreconditioner } from '../../../solver/gpu/block';
import type { GpuContext } from '../../../solver/gpu/context';
import { destroyDispatches, placeholderBuffer, readF32, runDispatches, uploadF32 } from '../../../solver/gpu/kernel';
import { columns } from '../../../solver/gpu/operators';
import { uploadRowBlocks } from '../../../solver/gpu/rowblocks';
import { GpuWoodburyPreconditioner } from '../../../solver/gpu/woodbury';
import { DEFAULT_CONFIG, type ModelKind } from '../../../solver/types';
import { gpuContext, randomProblem, randomVector, relError, runSteps } from '../../support/helpers';

let ctx: GpuContext;
beforeAll(async () => {
  ctx = await gpuContext();
});
afterAll(() => ctx?.destroy());

const CASES = [
  { model: 'relu' as ModelKind, classes: 2 },
  { model: 'relu' as ModelKind, classes: 3 },
  { model: 'gated' as ModelKind, classes: 2 },
  { model: 'gated' as ModelKind, classes: 3 },
];

describe.each(CASES)('GpuWoodburyPreconditioner: $model, $classes classes', ({ model, classes }) => {
  it('z = A(ρ)⁻¹ x equals the float64 Woodbury solve, also after a ρ change', async () => {
    // d = 7 and P = 5 exercise the unaligned GEMM paths; n = 45 is not a multiple of the tiles.
    const problem = randomProblem({ n: 45, d: 7, P: 5, classes, model, beta: 0.05, seed: 4 });
    const { n, d, P, S, C } = problem;
    const g = { n, d, P, S, B: C };
    const K = columns(g);
    const X = uploadRowBlocks(ctx, problem.X, n, d, 'X', ctx.adapter.maxStorageBufferBindingSize);
    const Dbuf = uploadF32(ctx, problem.D, 'D');
    const admm = ctx.device.createBuffer({ size: 16, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST });
    const block = model === 'relu' ? new GpuBlockPreconditioner(ctx, g, problem.X) : null;
    const wood = new GpuWoodburyPreconditioner(ctx, g, { X, D: Dbuf }, problem, block, { admm, dummy: placeholderBuffer(ctx) });
    const x = randomVector(d * K, 7);
    const xb = uploadF32(ctx, x, 'x');
    const zb = uploadF32(ctx, new Float32Array(d * K), 'z');
    const list = wood.apply(xb, zb);
    const ops = new CronosOperators(problem);
    for (const rho of [0.05, 0.5]) {
      wood.factor(rho);
      runDispatches(ctx, list);
      const z = await readF32(ctx, zb, d * K);
      const want = new Float64Array(d * K);
      new WoodburySolve(problem, ops, rho).solve(x, want);
      expect(relError(z, want), `ρ = ${rho}`).toBeLessThan(1e-4);
    }
    destroyDispatches(list);
    for (const b of [xb, zb, Dbuf, admm, ...X.blocks.map((bl) => bl.buffer)]) b.destroy();
    wood.destroy();
    block?.destroy();
    expect(wood.liveBuffers).toBe(0);
  });

  it('auto takes it (this gated core is well conditioned); PCG needs few iterations, and the run follows the float64 exact solve', async () => {
    const problem = randomProblem({ n: 60, d: 6, P: 6, classes, model, beta: 0.05, seed: 3 });
    const config = { ...DEFAULT_CONFIG, model, P: 6, beta: 0.05, admmIters: 200, anderson: 0 };
    const gpu = await GpuSolver.create(ctx, problem, config);
    const cpu = new CpuSolver(problem, config);
    expect(gpu.preconditionerInUse()?.kind).toBe('woodbury');
    expect(gpu.preconditionerInUse()?.reason).toMatch(/Woodbury.*60×60/);
    expect(cpu.preconditionerInUse()?.kind).toBe('exact');
    const steps = 30;
    const g = await runSteps(gpu, steps);
    const c = await runSteps(cpu, steps);
    for (let k = 0; k < steps; k++) {
      expect(Math.abs(g[k].objective - c[k].objective) / c[k].objective, `iteration ${k + 1}`).toBeLessThan(2e-4);
      // Warm-started PCG with A⁻¹ as its preconditioner: one to three iterations mop up float32 rounding.
      expect(g[k].pcgIterations, `iteration ${k + 1}`).toBeLessThanOrEqual(3);
    }
    const [gs, cs] = await Promise.all([gpu.solution(), cpu.solution()]);
    expect(relError(gs.U, cs.U)).toBeLessThan(5e-3);
    gpu.dispose();
  });
});
