/**
 * Spec §10.1 tests 3 and 4 for the WebGPU solver: with residual balancing it reaches the optimum
 * of a float64 exact-solve ADMM run to 1e-10 (relative gap ≤ 1e-4, cone violation ≤ 1e-4·max|XU|),
 * and the recovered two-layer network attains the convex objective. ADMM needs thousands of
 * iterations here (spec §4.5), so scripts/test.sh runs this file on the fastest CPU adapter.
 * Also: the defaults (Woodbury preconditioner) on two real-data slices of the convergence bench.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CpuSolver } from '../../../solver/cpu/admm';
import type { GpuContext } from '../../../solver/gpu/context';
import { GpuSolver } from '../../../solver/gpu/admm';
import { coneViolation, convexObjective, nonConvexObjective, recoverNetwork } from '../../../solver/recovery';
import { runCronos } from '../../../solver/solver';
import { DEFAULT_CONFIG, LEGACY_CONFIG, type ModelKind, type SolverConfig } from '../../../solver/types';
import { convergenceProblems } from '../../../bench/convergence-problems';
import { gpuContext, randomProblem } from '../../support/helpers';

let ctx: GpuContext;
beforeAll(async () => {
  ctx = await gpuContext();
});
afterAll(() => ctx?.destroy());

describe.each([
  { model: 'relu' as ModelKind, classes: 2, seed: 2 },
  { model: 'gated' as ModelKind, classes: 2, seed: 2 },
  { model: 'relu' as ModelKind, classes: 3, seed: 5 },
  { model: 'gated' as ModelKind, classes: 3, seed: 5 },
])('optimality with residual balancing: $model, $classes classes', ({ model, classes, seed }) => {
  it('reaches relative gap ≤ 1e-4 and violation ≤ 1e-4·max|XU|, and the recovered net attains f(u)', async () => {
    // The spec's verification size (§10): n=60, d=5, P=8, β=0.1.
    const problem = randomProblem({ n: 60, d: 5, P: 8, classes, model, beta: 0.1, seed });
    const base: SolverConfig = { ...LEGACY_CONFIG, model, P: 8, rho: 1, adaptiveRho: true, rank: 10 };
    // Reference optimum: exact u-solves in float64, to the spec's 1e-10 level.
    const ref = new CpuSolver(problem, { ...base, tol: 1e-10, admmIters: 40000 }, undefined, { exactSolve: true });
    const refHist = await runCronos(ref);
    expect(refHist[refHist.length - 1].converged).toBe(true);
    const fStar = refHist[refHist.length - 1].objective;

    const gpu = await GpuSolver.create(ctx, problem, { ...base, tol: 1e-6, admmIters: 12000, pcgIters: 10 });
    const hist = await runCronos(gpu);
    const last = hist[hist.length - 1];
    const { U } = await gpu.solution();
    const f = convexObjective(problem, U);
    expect(Math.abs(f - fStar) / fStar).toBeLessThanOrEqual(1e-4);
    expect(Math.abs(last.objective - fStar) / fStar).toBeLessThanOrEqual(1e-4);
    expect(coneViolation(problem, U)).toBeLessThanOrEqual(1e-4 * last.maxAbsXU);
    // The dual bound is valid at every float32 iterate, and certifies the optimum to within the
    // accuracy of the inexact u-solves (PCG tolerance 1/(1+k)^1.2, so looser for short runs).
    for (const m of hist) expect(m.dualObjective).toBeLessThanOrEqual(fStar * (1 + 1e-5));
    expect((fStar - last.dualObjective) / fStar).toBeLessThanOrEqual(1e-2);
    // Recovery (spec §6.1): the non-convex objective of (W1, w2) equals f(u) up to the violation.
    const net = recoverNetwork(problem, U, { pruneRel: 0 });
    const fNet = nonConvexObjective(net, problem.X, problem.n, problem.Y, problem.beta);
    expect(Math.abs(fNet - f) / f).toBeLessThanOrEqual(1e-3);
    gpu.dispose();
  });
});


describe.each([
  // Issue 9's shape of check: real data, the defaults, 1,500 iterations. The FMNIST slice must also
  // certify early: before the warm-start residual fix (spec §5.5) its cone violation stalled at ~5e-3.
  { name: 'fmnist-10x10 n=300 relu', certifyWithin: 400 },
  // 3 classes: f is at f* to 4e-7 by 1,500 iterations, but the float32 certificate reaches 1e-4
  // only about then (spec §5.6), so certifying is not asked of it.
  { name: 'digits 0/1/2 one-vs-all n=300 relu', certifyWithin: null },
])('the defaults on the GPU: $name', ({ name, certifyWithin }) => {
  it(`reaches f* of a float64 exact run to 1e-4 within 1,500 iterations, feasible${certifyWithin ? `, certified within ${certifyWithin}` : ''}`, async () => {
    const found = convergenceProblems().find((b) => b.name.startsWith(name));
    if (!found) throw new Error(`no bench problem ${name}`);
    const problem = found.problem;
    const config: SolverConfig = { ...DEFAULT_CONFIG, model: problem.model, P: problem.P, beta: problem.beta };
    // Certified to 1e-6 (the float64 certificate itself levels off near 1e-7 on the FMNIST slice).
    const ref = new CpuSolver(problem, { ...config, tol: 1e-6, admmIters: 20000 });
    const refHist = await runCronos(ref);
    expect(refHist[refHist.length - 1].converged).toBe(true);
    const fStar = refHist[refHist.length - 1].objective;
    const gpu = await GpuSolver.create(ctx, problem, config);
    expect(gpu.preconditionerInUse()?.kind).toBe('woodbury');
    const hist = await runCronos(gpu);
    const last = hist[hist.length - 1];
    console.log(`${name}: GPU defaults stopped at ${last.iter} (converged ${last.converged}), |f − f*|/f* = ${(Math.abs(last.objective - fStar) / fStar).toExponential(2)}`);
    expect(last.iter).toBeLessThanOrEqual(DEFAULT_CONFIG.admmIters);
    if (certifyWithin !== null) {
      expect(last.converged).toBe(true);
      expect(last.iter).toBeLessThanOrEqual(certifyWithin);
    }
    const { U } = await gpu.solution();
    expect(Math.abs(convexObjective(problem, U) - fStar) / fStar).toBeLessThanOrEqual(1e-4);
    expect(coneViolation(problem, U)).toBeLessThanOrEqual(1e-4 * last.maxAbsXU);
    gpu.dispose();
  });
});
