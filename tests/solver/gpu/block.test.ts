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
import { buildProblem } from '../../../solver/problem';
import { DEFAULT_CONFIG, LEGACY_CONFIG, type SolverConfig } from '../../../solver/types';
import { gpuContext, randomDataset, randomProblem, randomVector, relError, runSteps } from '../../support/helpers';

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

describe('GpuBlockPreconditioner on ill-conditioned data (n < d, a common factor: pixels)', () => {
  // λ(I + XᵀX) spans 1 (the null space of X) to ~1e5, as on 28×28 images with fewer rows than
  // pixels. The explicit float32 inverse gave ‖(I + XᵀX)z − r‖/‖r‖ = 3e-2 here (4e-7 factored), and ADMM on the
  // GPU stalled; the factored apply z = Bᵀ(B r) keeps it at float32 rounding.
  it('z inverts I + XᵀX in the directions the data excite, to float32 accuracy', async () => {
    const n = 60;
    const d = 96;
    const base = randomProblem({ n, d, P: 2, classes: 2, model: 'relu', seed: 3 });
    const f = randomVector(n, 6);
    const X = Float64Array.from(base.X, (v, t) => v + 30 * (1 + f[Math.floor(t / d)]));
    const g = { n, d, P: base.P, S: base.S, B: base.C };
    const K = columns(g);
    // r = (I + XᵀX) v: a residual dominated by the large eigen-directions, as PCG's are.
    const v = randomVector(d * K, 11);
    const Xv = new Float64Array(n * K);
    for (let j = 0; j < n; j++) for (let k = 0; k < d; k++) for (let c = 0; c < K; c++) Xv[j * K + c] += X[j * d + k] * v[k * K + c];
    const applyM = (z: ArrayLike<number>): Float64Array => {
      const Xz = new Float64Array(n * K);
      for (let j = 0; j < n; j++) for (let k = 0; k < d; k++) for (let c = 0; c < K; c++) Xz[j * K + c] += X[j * d + k] * z[k * K + c];
      const out = Float64Array.from(z);
      for (let j = 0; j < n; j++) for (let k = 0; k < d; k++) for (let c = 0; c < K; c++) out[k * K + c] += X[j * d + k] * Xz[j * K + c];
      return out;
    };
    const r = applyM(v);
    const block = new GpuBlockPreconditioner(ctx, g, X);
    const rb = uploadF32(ctx, r, 'r');
    const zb = uploadF32(ctx, new Float32Array(d * K), 'z');
    const list = block.apply(rb, zb);
    runDispatches(ctx, list);
    const z = await readF32(ctx, zb, d * K);
    const Mz = applyM(z);
    let num = 0;
    let den = 0;
    for (let t = 0; t < d * K; t++) {
      num += (Mz[t] - r[t]) ** 2;
      den += r[t] ** 2;
    }
    const err = Math.sqrt(num / den);
    console.log(`ill-conditioned block apply: ‖(I + XᵀX)z − r‖/‖r‖ = ${err.toExponential(2)}`);
    expect(err).toBeLessThan(3e-5);
    destroyDispatches(list);
    for (const b of [rb, zb]) b.destroy();
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

describe('fewer rows than features (n < d) on the GPU', () => {
  // Pixel-like data: a common factor in every feature, n < d, and the default small ρ = 0.5·β.
  // The GPU with the block preconditioner used to drift from the float64 solver here (f 8.6e-3
  // against 1.5e-3 after 10 steps), which was blamed on null-space noise and led `auto` to take
  // Nyström when n < d. The cause was the warm-start residual b − A·u₀, which added Fᵀy/ρ and
  // subtracted FᵀFu₀/ρ as two 1/ρ-sized float32 vectors; it is now formed from Fu₀ − y
  // (combine.wgsl mode 3), block and Woodbury follow float64, and the rule is gone (spec §5.5).
  const n = 100;
  const d = 150;
  const data = randomDataset(n, d, 2, 4);
  const f = randomVector(n, 7);
  const X = Float64Array.from(data.X, (v, t) => v + 10 * (1 + f[Math.floor(t / d)]));
  const problem = buildProblem({ ...data, X }, { model: 'relu', P: 4, beta: 1e-3, seed: 2 });
  const config: SolverConfig = { ...DEFAULT_CONFIG, model: 'relu', P: 4, beta: 1e-3, anderson: 0 };

  it('auto (fixed ρ) takes the Woodbury preconditioner, block follows too, and both stay on the float64 exact run', async () => {
    const cpu = new CpuSolver(problem, config);
    expect(cpu.preconditionerInUse()?.kind).toBe('exact');
    const c = await runSteps(cpu, 20);
    for (const preconditioner of ['auto', 'block'] as const) {
      const gpu = await GpuSolver.create(ctx, problem, { ...config, preconditioner });
      expect(gpu.preconditionerInUse()?.kind).toBe(preconditioner === 'auto' ? 'woodbury' : 'block');
      const g = await runSteps(gpu, 20);
      for (const k of [9, 19]) {
        console.log(`n < d, ${preconditioner}, ${k + 1} steps: f GPU ${g[k].objective.toExponential(4)}, CPU (exact) ${c[k].objective.toExponential(4)}`);
        expect(Math.abs(g[k].objective / c[k].objective - 1), `${preconditioner}, step ${k + 1}`).toBeLessThan(1e-2);
      }
      gpu.dispose();
    }
  });

  it('with residual balancing, auto takes block on both devices (no n < d rule any more)', async () => {
    const balanced: SolverConfig = { ...config, adaptiveRho: true };
    const gpu = await GpuSolver.create(ctx, problem, balanced);
    const cpu = new CpuSolver(problem, balanced);
    expect(gpu.preconditionerInUse()?.kind).toBe('block');
    expect(cpu.preconditionerInUse()?.kind).toBe('block');
    // Not a float-accuracy check (the fixed-ρ test above is): the first u-systems are far from
    // solved within the PCG cap at ρ = 5e-4, float32 and float64 CG part there, and balancing then
    // doubles ρ at different steps. Both runs still settle alike.
    const g = await runSteps(gpu, 20);
    const c = await runSteps(cpu, 20);
    expect(Math.abs(g[19].objective / c[19].objective - 1)).toBeLessThan(3e-2);
    gpu.dispose();
  });
});
