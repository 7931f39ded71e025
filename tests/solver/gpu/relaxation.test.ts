/**
 * Issue 9 on the WebGPU backend: over-relaxation α (group_prox.wgsl, slack_dual.wgsl) and the
 * tightened dual bound (dual_norms.wgsl: each column's cone multiplier scaled by its best c ≥ 0)
 * follow the float64 reference, and the bound stays a certificate (below a long reference f*).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CpuSolver } from '../../../solver/cpu/admm';
import type { GpuContext } from '../../../solver/gpu/context';
import { GpuSolver } from '../../../solver/gpu/admm';
import { LEGACY_CONFIG, type ModelKind, type SolverConfig } from '../../../solver/types';
import { gpuContext, randomProblem, runSteps as run } from '../../support/helpers';

let ctx: GpuContext;
beforeAll(async () => {
  ctx = await gpuContext();
});
afterAll(() => ctx?.destroy());

describe.each([
  { model: 'relu' as ModelKind, classes: 2 },
  { model: 'gated' as ModelKind, classes: 3 },
])('over-relaxed trajectory α = 1.6: $model, $classes classes', ({ model, classes }) => {
  it('matches the float64 reference after 1, 5 and 20 steps, dual bound included', async () => {
    const problem = randomProblem({ n: 120, d: 8, P: 6, classes, model, beta: 0.05, seed: 5 });
    const config: SolverConfig = { ...LEGACY_CONFIG, model, P: 6, rho: 0.5, rank: 8, pcgIters: 60, pcgTol: 1e-6, admmIters: 20, alpha: 1.6 };
    const gpu = await GpuSolver.create(ctx, problem, config);
    const g = await run(gpu, 20);
    const c = await run(new CpuSolver(problem, config), 20);
    // The same steps at α = 1 differ from these by far more than float32 noise (else the test could not fail).
    const plain = await run(new CpuSolver(problem, { ...config, alpha: 1 }), 5);
    expect(Math.abs(plain[4].primalResidual - c[4].primalResidual) / c[4].primalResidual).toBeGreaterThan(1e-2);
    for (const K of [1, 5, 20]) {
      const a = g[K - 1];
      const b = c[K - 1];
      expect(Math.abs(a.objective - b.objective) / b.objective).toBeLessThan(1e-3);
      expect(Math.abs(a.dualObjective - b.dualObjective) / b.objective).toBeLessThan(1e-3);
      expect(Math.abs(a.coneViolation - b.coneViolation)).toBeLessThanOrEqual(1e-3 * b.maxAbsXU);
    }
    gpu.dispose();
  });
});

it('the GPU dual bound stays below f* of a long float64 run', async () => {
  const problem = randomProblem({ n: 60, d: 5, P: 6, classes: 2, model: 'relu', beta: 0.1, seed: 3 });
  const config: SolverConfig = { ...LEGACY_CONFIG, model: 'relu', P: 6, rho: 0.3, rank: 8, pcgIters: 60, pcgTol: 1e-6, alpha: 1.6 };
  const ref = new CpuSolver(problem, { ...config, anderson: 10, stopRule: 'gap', tol: 1e-9 }, undefined, { exactSolve: true });
  let fStar = Infinity;
  for (let k = 0; k < 20000; k++) {
    const m = ref.stepSync();
    fStar = m.objective;
    if (m.converged) break;
  }
  const gpu = await GpuSolver.create(ctx, problem, config);
  const g = await run(gpu, 60);
  for (const m of g) expect(m.dualObjective).toBeLessThanOrEqual(fStar * (1 + 1e-5));
  expect(g[59].dualObjective).toBeGreaterThan(0.5 * fStar);
  gpu.dispose();
});
