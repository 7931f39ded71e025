/**
 * Regression (a numeric target on the same least-squares objective): MSE and R² in the target's
 * units on both solvers, the GPU matching the float64 reference.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CpuSolver } from '../../solver/cpu/admm';
import type { GpuContext } from '../../solver/gpu/context';
import { GpuSolver } from '../../solver/gpu/admm';
import { buildRegressionProblem } from '../../solver/problem';
import { predictNetwork, recoverNetwork } from '../../solver/recovery';
import { createRng } from '../../solver/rng';
import { LEGACY_CONFIG, type IterationMetrics, type ModelKind, type SolverConfig } from '../../solver/types';
import { gpuContext } from '../support/helpers';

let ctx: GpuContext;
beforeAll(async () => {
  ctx = await gpuContext();
});
afterAll(() => ctx?.destroy());

/** y = 10 + 3·relu(x0 + x1) − 2·relu(x2) + noise: learnable by a two-layer ReLU net up to the offset. */
function data(n: number, d: number, seed: number): { X: Float64Array; y: Float64Array } {
  const rng = createRng(seed, 5);
  const X = Float64Array.from({ length: n * d }, () => rng.normal());
  const y = new Float64Array(n);
  for (let j = 0; j < n; j++) {
    const x = X.subarray(j * d, j * d + d);
    y[j] = 10 + 3 * Math.max(x[0] + x[1], 0) - 2 * Math.max(x[2], 0) + 0.05 * rng.normal();
  }
  return { X, y };
}

async function run(s: { step(): Promise<IterationMetrics> }, k: number): Promise<IterationMetrics> {
  let m: IterationMetrics | null = null;
  for (let i = 0; i < k; i++) m = await s.step();
  return m as IterationMetrics;
}

describe.each(['relu', 'gated'] as ModelKind[])('regression: %s', (model) => {
  it('fits a nonlinear target and reports MSE and R² consistently on CPU and GPU', async () => {
    const d = 5;
    const train = data(400, d, 1);
    const test = data(200, d, 2);
    // The network has no bias; a constant feature lets it carry the target's offset after standardisation.
    const withBias = (X: Float64Array, n: number): Float64Array => {
      const out = new Float64Array(n * (d + 1));
      for (let j = 0; j < n; j++) {
        out.set(X.subarray(j * d, j * d + d), j * (d + 1));
        out[j * (d + 1) + d] = 1;
      }
      return out;
    };
    const Xtr = withBias(train.X, 400);
    const Xte = withBias(test.X, 200);
    const problem = buildRegressionProblem({ X: Xtr, n: 400, d: d + 1 }, train.y, { model, P: 24, beta: 1e-3, seed: 0 });
    const testSet = { X: Xte, n: 200, labels: new Int32Array(0), targets: test.y };
    const config: SolverConfig = { ...LEGACY_CONFIG, model, P: 24, rho: 0.1, pcgIters: 20, admmIters: 20 };
    const cpu = await run(new CpuSolver(problem, config, testSet), 20);
    const gpuSolver = await GpuSolver.create(ctx, problem, config, testSet);
    const gpu = await run(gpuSolver, 20);
    expect(cpu.trainAccuracy).toBeNaN();
    expect(cpu.trainR2).toBeGreaterThan(0.95);
    expect(cpu.testR2).toBeGreaterThan(0.9);
    // MSE in the target's units: compare with the recovered network's predictions.
    const { U } = await gpuSolver.solution();
    const net = recoverNetwork(problem, U, { pruneRel: 0 });
    const pred = predictNetwork(net, Xte, 200);
    let mse = 0;
    for (let j = 0; j < 200; j++) mse += (pred[j] * problem.targetStd! + problem.targetMean! - test.y[j]) ** 2;
    expect(gpu.testMse).toBeCloseTo(mse / 200, 3);
    for (const key of ['trainMse', 'testMse', 'trainR2', 'testR2'] as const) {
      expect(Math.abs(gpu[key] - cpu[key])).toBeLessThan(1e-3 * Math.max(1, Math.abs(cpu[key])));
    }
    gpuSolver.dispose();
  });
});
