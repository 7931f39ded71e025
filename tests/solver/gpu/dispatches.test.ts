/**
 * GPU work per ADMM iteration, counted on the device (countWork): one submission and one
 * read-back per step, and the dispatches of one PCG iteration after the fusions of
 * pcg_step.wgsl (each scalar step with its update and the second level of its dot reduction)
 * and admm_rhs.wgsl (warm-start residual); Anderson acceleration on the GPU adds a fixed set.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GpuSolver } from '../../../solver/gpu/admm';
import { countWork, type GpuContext } from '../../../solver/gpu/context';
import { destroyDispatches, storageBuffer, uploadF32 } from '../../../solver/gpu/kernel';
import { applyGt, columns, matvecA, type Geometry } from '../../../solver/gpu/operators';
import { uploadRowBlocks, destroyRowBlocks } from '../../../solver/gpu/rowblocks';
import { LEGACY_CONFIG, type SolverConfig } from '../../../solver/types';
import { gpuContext, randomProblem } from '../../support/helpers';

let ctx: GpuContext;
beforeAll(async () => {
  ctx = await gpuContext();
});
afterAll(() => ctx?.destroy());

const problem = randomProblem({ n: 80, d: 6, P: 4, classes: 2, model: 'relu', beta: 0.05, seed: 3 });

/** Work of the second step of a fresh solver (the first one compiles pipelines). */
async function stepWork(config: SolverConfig): Promise<{ dispatches: number; submissions: number; readBacks: number }> {
  const solver = await GpuSolver.create(ctx, problem, config);
  await solver.step();
  const { census, stop } = countWork(ctx.device);
  try {
    await solver.step();
  } finally {
    stop();
    solver.dispose();
  }
  return census;
}

/** Dispatches of one application of A (the X passes), or of Gᵀ with `transposed`, built and freed here. */
function operatorDispatches(transposed = false): number {
  const g: Geometry = { n: problem.n, d: problem.d, P: problem.P, S: problem.S, B: problem.C };
  const K = columns(g);
  const X = uploadRowBlocks(ctx, problem.X, problem.n, problem.d, 'X');
  const D = uploadF32(ctx, problem.D, 'D');
  const bufs = [storageBuffer(ctx, problem.n * K * 4, 'Z'), storageBuffer(ctx, problem.n * K * 4, 'R'), storageBuffer(ctx, 16, 'dummy'), storageBuffer(ctx, problem.d * K * 4, 'in'), storageBuffer(ctx, problem.d * K * 4, 'out')];
  const admm = ctx.device.createBuffer({ size: 16, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST });
  const list = transposed
    ? applyGt(ctx, g, { X, D }, bufs[0], bufs[4])
    : matvecA(ctx, g, { X, D }, { Z: bufs[0], R: bufs[1], dummy: bufs[2] }, bufs[3], bufs[4], admm);
  const count = list.length;
  destroyDispatches(list);
  for (const b of [...bufs, D, admm]) b.destroy();
  destroyRowBlocks(X);
  return count;
}

const matvecDispatches = (): number => operatorDispatches();
const gtDispatches = (): number => operatorDispatches(true);

describe('GPU work per ADMM iteration', () => {
  // PCG tolerance 0: every step runs exactly pcgIters iterations.
  const base: SolverConfig = { ...LEGACY_CONFIG, model: 'relu', P: 4, rank: 6, pcgTol: 0, adaptiveRho: false, warmStart: false };

  it.each([
    // The block preconditioner is two products, t = B·r and z = Bᵀt (solver/gpu/block.ts).
    ['block', 2],
    ['nystrom', 2],
  ] as const)('%s: one PCG iteration = gate + A + two first-level dots + two fused steps + M (%i)', async (preconditioner, mDispatches) => {
    const few = await stepWork({ ...base, preconditioner, pcgIters: 2 });
    const many = await stepWork({ ...base, preconditioner, pcgIters: 6 });
    expect(few.submissions).toBe(1);
    expect(few.readBacks).toBe(1);
    const perIteration = (many.dispatches - few.dispatches) / 4;
    // gate (1) + A + 2 × block_dot + α-step + β-step (pcg_step.wgsl, which also finish the dots) + M.
    expect(perIteration).toBe(1 + matvecDispatches() + 2 + 2 + mDispatches);
  });

  it('the Woodbury preconditioner records a PCG budget, not the cap: still one submission and read-back, far fewer dispatches', async () => {
    // Fixed ρ and auto: Woodbury (solver/gpu/backend.ts WOODBURY_PCG_BUDGET); PCG converges in 1–3.
    const fixed: SolverConfig = { ...base, preconditioner: 'auto', pcgIters: 100, pcgTol: 1e-6, warmStart: true };
    const wood = await stepWork(fixed);
    const block = await stepWork({ ...fixed, preconditioner: 'block' });
    expect(wood.submissions).toBe(1);
    expect(wood.readBacks).toBe(1);
    expect(wood.dispatches * 5).toBeLessThan(block.dispatches);
  });

  it('warm start costs one application of A and nothing else (r = b − A·u₀ is fused into the rhs)', async () => {
    const cold = await stepWork({ ...base, preconditioner: 'block', pcgIters: 3 });
    const warm = await stepWork({ ...base, preconditioner: 'block', pcgIters: 3, warmStart: true });
    expect(warm.dispatches - cold.dispatches).toBe(matvecDispatches());
  });

  it('Anderson acceleration stays inside the one submission and read-back, at a fixed dispatch cost', async () => {
    const plain = await stepWork({ ...base, preconditioner: 'block', pcgIters: 3 });
    const accel = await stepWork({ ...base, preconditioner: 'block', pcgIters: 3, anderson: 10 });
    expect(accel.submissions).toBe(1);
    expect(accel.readBacks).toBe(1);
    // ‖g‖² (2: first level, finalize), decide, push, Gram, solve, the d×K and n×K applies (8),
    // then Gᵀs and Gᵀν as in every step: independent of m and of the PCG iterations.
    expect(accel.dispatches - plain.dispatches).toBe(8 + 2 * gtDispatches());
    const accelMore = await stepWork({ ...base, preconditioner: 'block', pcgIters: 3, anderson: 20 });
    expect(accelMore.dispatches).toBe(accel.dispatches);
  });
});
