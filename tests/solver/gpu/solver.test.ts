/**
 * Spec §10.1 tests 2–5 for the WebGPU solver (float32) against the float64 CPU reference:
 * trajectory agreement at fixed ρ, test accuracy of the recovered network, and the Nyström
 * preconditioner never being worse than none (optimality: optimality.test.ts).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CpuSolver } from '../../../solver/cpu/admm';
import type { GpuContext } from '../../../solver/gpu/context';
import { GpuSolver } from '../../../solver/gpu/admm';
import { readF32, runDispatches, storageBuffer, uploadF32 } from '../../../solver/gpu/kernel';
import { GpuNystrom } from '../../../solver/gpu/nystrom';
import { uploadRowBlocks } from '../../../solver/gpu/rowblocks';
import { columns, type Geometry } from '../../../solver/gpu/operators';
import { GpuPcg, PCG_STATE_FLOATS } from '../../../solver/gpu/pcg';
import { accuracyFromLabels, predictNetwork, recoverNetwork } from '../../../solver/recovery';
import { runCronos } from '../../../solver/solver';
import { LEGACY_CONFIG, type ModelKind, type SolverConfig } from '../../../solver/types';
import { buildProblem } from '../../../solver/problem';
import { gpuContext, randomDataset, randomProblem, randomVector, runSteps as run } from '../../support/helpers';

let ctx: GpuContext;
beforeAll(async () => {
  ctx = await gpuContext();
});
afterAll(() => ctx?.destroy());


describe.each([
  { model: 'relu' as ModelKind, classes: 2 },
  { model: 'gated' as ModelKind, classes: 2 },
  { model: 'relu' as ModelKind, classes: 3 },
])('trajectory at fixed ρ: $model, $classes classes', ({ model, classes }) => {
  it('matches the float64 reference after 1, 5 and 20 ADMM steps', async () => {
    const problem = randomProblem({ n: 120, d: 8, P: 6, classes, model, beta: 0.05, seed: 5 });
    // Spec §10.1 test 2: PCG run to a tight tolerance, so both follow the exact-solve trajectory.
    const config: SolverConfig = { ...LEGACY_CONFIG, model, P: 6, rho: 0.5, rank: 8, pcgIters: 60, pcgTol: 1e-6, admmIters: 20 };
    const gpu = await GpuSolver.create(ctx, problem, config);
    const cpu = new CpuSolver(problem, config);
    const g = await run(gpu, 20);
    const c = await run(cpu, 20);
    for (const K of [1, 5, 20]) {
      const a = g[K - 1];
      const b = c[K - 1];
      expect(Math.abs(a.objective - b.objective) / b.objective).toBeLessThan(1e-3);
      expect(Math.abs(a.coneViolation - b.coneViolation)).toBeLessThanOrEqual(1e-3 * b.maxAbsXU);
      expect(Math.abs(a.trainAccuracy - b.trainAccuracy)).toBeLessThanOrEqual(2 / problem.n);
    }
    gpu.dispose();
  });
});

it('reports the recovered network’s test accuracy', async () => {
  const data = randomDataset(400, 6, 2, 9);
  const train = { ...data, n: 300, X: data.X.slice(0, 300 * 6), labels: data.labels.slice(0, 300) };
  const test = { n: 100, X: data.X.slice(300 * 6), labels: data.labels.slice(300) };
  for (const model of ['relu', 'gated'] as ModelKind[]) {
    const problem = buildProblem(train, { model, P: 8, beta: 1e-3, seed: 4 });
    const gpu = await GpuSolver.create(ctx, problem, { ...LEGACY_CONFIG, model, P: 8, admmIters: 15 }, test);
    const hist = await runCronos(gpu);
    const { U } = await gpu.solution();
    const net = recoverNetwork(problem, U, { pruneRel: 0 });
    const acc = accuracyFromLabels(predictNetwork(net, test.X, test.n), test.n, problem.C, test.labels);
    expect(hist[hist.length - 1].testAccuracy).toBeCloseTo(acc, 2);
    expect(acc).toBeGreaterThan(0.6);
    gpu.dispose();
  }
});

describe.each(['relu', 'gated'] as ModelKind[])('Nyström preconditioner on the GPU: %s', (model) => {
  it('never needs more PCG iterations than plain CG', async () => {
    const problem = randomProblem({ n: 200, d: 20, P: 8, classes: 3, model, seed: 7 });
    const { n, d, P, S, C } = problem;
    const g: Geometry = { n, d, P, S, B: C };
    const K = columns(g);
    const data = { X: uploadRowBlocks(ctx, problem.X, n, d, 'X'), D: uploadF32(ctx, problem.D, 'D') };
    const b = randomVector(d * K, 3);
    let bNorm = 0;
    for (const v of b) bNorm += v * v;
    const rho = 0.05;
    const iterations = async (rank: number): Promise<number> => {
      const admm = ctx.device.createBuffer({ size: 16, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST });
      // Absolute tolerance = 1e-4·‖b‖ (every class block is below ‖b‖, so this is at least as strict per class).
      ctx.device.queue.writeBuffer(admm, 0, new Float32Array([rho, 0, 1e-4 * Math.sqrt(bNorm), 0]));
      const nys = new GpuNystrom(ctx, g, data, rank, 1);
      await nys.rebuild(rho, admm);
      const x = storageBuffer(ctx, d * K * 4, 'x');
      const r = uploadF32(ctx, b, 'r');
      const scratch = { Z: storageBuffer(ctx, n * K * 4, 'Z'), R: storageBuffer(ctx, n * K * 4, 'R'), dummy: storageBuffer(ctx, 16, 'dummy') };
      const pcg = new GpuPcg(ctx, g, data, scratch, nys, { x, r }, admm);
      const list = [...pcg.init];
      for (let t = 0; t < 400; t++) list.push(...pcg.iteration);
      runDispatches(ctx, list);
      const state = await readF32(ctx, pcg.state, C * PCG_STATE_FLOATS);
      let worst = 0;
      for (let c = 0; c < C; c++) {
        expect(state[c * PCG_STATE_FLOATS + 5]).toBe(0); // converged
        worst = Math.max(worst, state[c * PCG_STATE_FLOATS + 6]);
      }
      pcg.destroy();
      nys.destroy();
      return worst;
    };
    const plain = await iterations(0);
    const precond = await iterations(2 * P);
    expect(plain).toBeGreaterThan(5);
    expect(precond).toBeLessThanOrEqual(plain);
  });
});

describe.each(['relu', 'gated'] as ModelKind[])('X stored in row blocks: %s', (model) => {
  it('follows the same trajectory as one buffer', async () => {
    const data = randomDataset(330, 8, 2, 12);
    const train = { ...data, n: 260, X: data.X.slice(0, 260 * 8), labels: data.labels.slice(0, 260) };
    const test = { n: 70, X: data.X.slice(260 * 8), labels: data.labels.slice(260) };
    const problem = buildProblem(train, { model, P: 6, beta: 0.05, seed: 3 });
    // A tight PCG tolerance, so that rounding differences cannot change PCG's stopping step.
    const config: SolverConfig = { ...LEGACY_CONFIG, model, P: 6, rho: 0.5, rank: 6, pcgIters: 60, pcgTol: 1e-6, admmIters: 6 };
    const whole = await run(await GpuSolver.create(ctx, problem, config, test), 6);
    // 64-row blocks: 5 blocks for the training rows (the last one partial), 2 for the test rows.
    const blocked = await run(await GpuSolver.create(ctx, problem, config, test, { xBlockBytes: 64 * 8 * 4 }), 6);
    for (let k = 0; k < 6; k++) {
      expect(Math.abs(blocked[k].objective - whole[k].objective) / whole[k].objective).toBeLessThan(1e-4);
      expect(blocked[k].testAccuracy).toBeCloseTo(whole[k].testAccuracy, 6);
    }
  });
});

describe('a Nyström rank above the system size', () => {
  it('is clamped to N = S·d·P on the GPU as on the CPU (same trajectory)', async () => {
    // d = 3, P = 4, ReLU: N = 24 < rank 50 (a page preset).
    const problem = randomProblem({ n: 40, d: 3, P: 4, classes: 2, model: 'relu', seed: 4 });
    const config: SolverConfig = { ...LEGACY_CONFIG, P: 4, rank: 50, pcgIters: 30, pcgTol: 1e-7 };
    const gpu = await GpuSolver.create(ctx, problem, config);
    const cpu = new CpuSolver(problem, config);
    const g = await run(gpu, 5);
    const c = await run(cpu, 5);
    for (let k = 0; k < 5; k++) expect(Math.abs(g[k].objective - c[k].objective) / c[k].objective).toBeLessThan(1e-3);
    gpu.dispose();
  });
});
