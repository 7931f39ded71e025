/**
 * The WebGPU solver's saved state, buffer ownership and memory plan: a run split at iteration 40
 * and continued in a fresh solver follows the straight run (float tolerance), CPU states load
 * into GPU solvers and back, dispose() destroys every buffer the solver created, and the memory
 * plan (solver/gpu/buffers.ts) is the sum of the buffers really allocated.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CpuSolver } from '../../../solver/cpu/admm';
import type { GpuContext } from '../../../solver/gpu/context';
import { GpuSolver } from '../../../solver/gpu/admm';
import { gpuMemoryPlan } from '../../../solver/gpu/buffers';
import { DEFAULT_CONFIG, LEGACY_CONFIG, type SolverConfig } from '../../../solver/types';
import { makeProblem, testConfig } from '../../support/cpu-fixtures';
import { countSubmitsAndMaps } from '../../support/gpu-probe';
import { gpuContext, randomDataset, randomProblem, relError, runSteps as run } from '../../support/helpers';
import { buildProblem } from '../../../solver/problem';

let ctx: GpuContext;
beforeAll(async () => {
  ctx = await gpuContext();
});
afterAll(() => ctx?.destroy());


const rel = (a: number, b: number): number => Math.abs(a - b) / Math.max(Math.abs(b), 1e-30);

// The problems of tests/solver/cpu/state.test.ts, whose ρ₀ makes residual balancing change ρ after iteration 40.
describe.each([
  { model: 'relu' as const, classes: 2, rho: 50 },
  { model: 'gated' as const, classes: undefined, rho: 1e-9 },
])('GPU save at 40, load, continue to 80 ($model)', ({ model, classes, rho }) => {
  it('follows the straight run to float tolerance, with ρ changes in both halves', async () => {
    const problem = makeProblem({ model, n: 40, d: 4, P: 6, beta: 0.05, seed: 3, classes });
    const config = testConfig(problem, { rho, adaptiveRho: true, rank: 8, pcgIters: 8, admmIters: 80 });
    const straight = await GpuSolver.create(ctx, problem, config);
    const ref = await run(straight, 80);
    const refU = (await straight.solution()).U;
    straight.dispose();
    const rhos = ref.map((m) => m.rho);
    expect(new Set(rhos.slice(0, 40)).size).toBeGreaterThan(1);
    expect(new Set(rhos.slice(40)).size).toBeGreaterThan(1);

    const first = await GpuSolver.create(ctx, problem, config);
    const got = await run(first, 40);
    const saved = await first.saveState();
    first.dispose();
    const second = await GpuSolver.create(ctx, problem, config);
    await second.loadState(saved);
    got.push(...(await run(second, 40)));
    const U = (await second.solution()).U;
    second.dispose();
    for (let k = 0; k < 80; k++) {
      expect(got[k].rho).toBe(ref[k].rho);
      expect(rel(got[k].objective, ref[k].objective)).toBeLessThanOrEqual(1e-4);
    }
    expect(relError(U, refU)).toBeLessThanOrEqual(1e-4);
  });
});

describe('states move between devices (float64 ↔ float32)', () => {
  const model = 'relu' as const;
  const problem = randomProblem({ n: 120, d: 8, P: 6, classes: 2, model, beta: 0.05, seed: 5 });
  // Tight PCG, fixed ρ: both devices follow the exact-solve trajectory (as in solver.test.ts).
  const config: SolverConfig = { ...LEGACY_CONFIG, model, P: 6, rho: 0.5, rank: 8, pcgIters: 60, pcgTol: 1e-6, admmIters: 30 };

  it('a CPU state continued on the GPU, and a GPU state continued on the CPU, match the CPU run', async () => {
    const cpu = new CpuSolver(problem, config);
    await run(cpu, 20);
    const cpuState = await cpu.saveState();
    const cpuNext = await run(cpu, 10);

    const gpu = await GpuSolver.create(ctx, problem, config);
    await gpu.loadState(cpuState);
    const gpuNext = await run(gpu, 10);
    expect(gpuNext[0].iter).toBe(21);
    for (let k = 0; k < 10; k++) expect(rel(gpuNext[k].objective, cpuNext[k].objective)).toBeLessThan(1e-3);

    const back = new CpuSolver(problem, config);
    await back.loadState(await gpu.saveState());
    gpu.dispose();
    const backNext = await run(back, 1);
    const cpuMore = await run(cpu, 1);
    expect(backNext[0].iter).toBe(31);
    expect(rel(backNext[0].objective, cpuMore[0].objective)).toBeLessThan(1e-3);
  });
});

/** Counts the buffers created on ctx.device while `fn` runs, and which of them were destroyed. */
async function trackBuffers<T>(fn: () => Promise<T>): Promise<{ result: T; created: { buf: GPUBuffer; size: number; label: string; stack: string }[]; destroyed: Set<GPUBuffer>; stop: () => void }> {
  const device = ctx.device;
  const created: { buf: GPUBuffer; size: number; label: string; stack: string }[] = [];
  const destroyed = new Set<GPUBuffer>();
  const origCreate = device.createBuffer.bind(device);
  const proto = Object.getPrototypeOf(origCreate({ size: 16, usage: GPUBufferUsage.COPY_DST })) as GPUBuffer;
  const origDestroy = proto.destroy;
  device.createBuffer = (desc: GPUBufferDescriptor): GPUBuffer => {
    const buf = origCreate(desc);
    created.push({ buf, size: desc.size, label: desc.label ?? '', stack: new Error().stack ?? '' });
    return buf;
  };
  proto.destroy = function (this: GPUBuffer): undefined {
    destroyed.add(this);
    return origDestroy.call(this);
  };
  const stop = (): void => {
    device.createBuffer = origCreate;
    proto.destroy = origDestroy;
  };
  try {
    return { result: await fn(), created, destroyed, stop };
  } catch (e) {
    stop();
    throw e;
  }
}

/**
 * Buffers of the kernel layer rather than the solver (not in the plan): uniform parameter blocks
 * (kernel.ts paramsBuffer), the GEMMs' scratch (gemm.ts), read-back staging (readF32), and the
 * PCG gate's indirect arguments (a few bytes per dispatch).
 */
function kernelLayer(b: { label: string; stack: string }): boolean {
  return /paramsBuffer|gemm\.ts|readF32/.test(b.stack) || b.label === 'pcg gate template' || b.label === 'pcg indirect args';
}

describe.each([
  { model: 'relu' as const, classes: 3 },
  { model: 'gated' as const, classes: 2 },
])('GPU buffers ($model)', ({ model, classes }) => {
  const data = randomDataset(400, 6, classes, 9);
  const train = { ...data, n: 300, X: data.X.slice(0, 300 * 6), labels: data.labels.slice(0, 300) };
  const test = { n: 100, X: data.X.slice(300 * 6), labels: data.labels.slice(300) };
  const problem = buildProblem(train, { model, P: 5, beta: 0.01, seed: 2 });
  const config: SolverConfig = { ...LEGACY_CONFIG, model, P: 5, rank: 6, pcgIters: 5, admmIters: 3, adaptiveRho: false };
  // Small row blocks, so X (300 rows) and the test X are split (128 rows per block).
  const xBlockBytes = 4096;

  it('the memory plan is the sum of the buffers created (X in row blocks, test set, sketch)', async () => {
    const t = await trackBuffers(() => GpuSolver.create(ctx, problem, config, test, { xBlockBytes }));
    t.stop();
    const solverBytes = t.created.filter((b) => !kernelLayer(b)).reduce((s, b) => s + b.size, 0);
    const plan = gpuMemoryPlan(problem, config, test.n, xBlockBytes);
    expect(plan.xBlocks).toBe(3);
    expect(solverBytes).toBe(plan.total);
    t.result.dispose();
  });

  it('… and with the defaults (auto: Woodbury for ReLU, Nyström for gated; Anderson)', async () => {
    const auto: SolverConfig = { ...DEFAULT_CONFIG, model, P: 5, beta: 0.01, admmIters: 3 };
    // The adapter's own binding limit: W (n×n) must fit one binding, and 4 KiB blocks would refuse it.
    const t = await trackBuffers(() => GpuSolver.create(ctx, problem, auto, test));
    t.stop();
    expect(t.result.preconditionerInUse()?.kind).toBe(model === 'relu' ? 'woodbury' : 'nystrom');
    const solverBytes = t.created.filter((b) => !kernelLayer(b)).reduce((s, b) => s + b.size, 0);
    expect(solverBytes).toBe(gpuMemoryPlan(problem, auto, test.n, ctx.adapter.maxStorageBufferBindingSize).total);
    t.result.dispose();
  });

  it('dispose() destroys every buffer the solver created (stepping and save/load included)', async () => {
    const t = await trackBuffers(async () => {
      const solver = await GpuSolver.create(ctx, problem, { ...config, adaptiveRho: true, rho: 100 }, test, { xBlockBytes });
      await run(solver, 3);
      await solver.loadState(await solver.saveState());
      await solver.solution();
      solver.dispose();
      return solver;
    });
    t.stop();
    const mine = t.created.filter((b) => !/paramsBuffer|gemm\.ts/.test(b.stack));
    expect(mine.length).toBeGreaterThan(30);
    const leaked = mine.filter((b) => !t.destroyed.has(b.buf)).map((b) => b.label || '(unlabelled)');
    expect(leaked).toEqual([]);
  });
});

it('one ADMM step is one queue submission and one read-back (fixed ρ)', async () => {
  const problem = randomProblem({ n: 120, d: 8, P: 6, classes: 3, model: 'relu', beta: 0.05, seed: 5 });
  const config: SolverConfig = { ...LEGACY_CONFIG, model: 'relu', P: 6, rank: 8, pcgIters: 10, adaptiveRho: false };
  const solver = await GpuSolver.create(ctx, problem, config);
  await solver.step();
  try {
    expect(await countSubmitsAndMaps(ctx, async () => {
      await run(solver, 4);
    })).toEqual({ submits: 4, maps: 4 });
  } finally {
    solver.dispose();
  }
});
