/**
 * Issue 9: the accelerated defaults (over-relaxation α, safeguarded Anderson acceleration, ρ = c·β,
 * certified-gap stopping) reach a CERTIFIED relative gap of 1e-4 on small problems within a bounded
 * number of iterations, and what they stop at is the optimum of an independent long run (plain
 * ADMM, exact u-solve, residual tolerance 1e-10) to 1e-4. Plus the pieces: Anderson's safeguard
 * and least squares, the ρ race's bookkeeping.
 */
import { describe, expect, it } from 'vitest';
import { Anderson, leastSquares } from '../../../solver/admm/anderson';
import { raceCandidates, raceWinner, RhoRace } from '../../../solver/admm/rho-race';
import { CpuSolver } from '../../../solver/cpu/admm';
import { certifiedRelativeGap } from '../../../solver/residuals';
import { runCronos } from '../../../solver/solver';
import { DEFAULT_CONFIG, LEGACY_CONFIG, type IterationMetrics, type ModelKind } from '../../../solver/types';
import { randomProblem } from '../../support/helpers';

describe.each([
  { model: 'relu' as ModelKind, classes: 2, seed: 7, beta: 1, bound: 1500 },
  { model: 'relu' as ModelKind, classes: 2, seed: 8, beta: 0.01, bound: 1500 },
  { model: 'gated' as ModelKind, classes: 2, seed: 2, beta: 0.1, bound: 200 },
  { model: 'gated' as ModelKind, classes: 3, seed: 5, beta: 0.05, bound: 200 },
])('accelerated defaults: $model, $classes classes, β = $beta', ({ model, classes, seed, beta, bound }) => {
  it(`certify 1e-4 within ${bound} iterations and stop at the reference optimum to 1e-4`, async () => {
    const problem = randomProblem({ n: 60, d: 5, P: 8, classes, model, beta, seed });
    const base = { model, P: 8, beta };
    const history = await runCronos(new CpuSolver(problem, { ...DEFAULT_CONFIG, ...base, admmIters: bound }));
    const last = history[history.length - 1];
    expect(last.converged).toBe(true);
    expect(certifiedRelativeGap(last.objective, last.dualObjective)).toBeLessThanOrEqual(1e-4);
    const ref = await runCronos(new CpuSolver(problem, { ...LEGACY_CONFIG, ...base, rho: 1, adaptiveRho: true, tol: 1e-10, admmIters: 40000 }, undefined, { exactSolve: true }));
    const fStar = ref[ref.length - 1].objective;
    expect(ref[ref.length - 1].converged).toBe(true);
    expect(Math.abs(last.objective - fStar) / fStar).toBeLessThanOrEqual(1e-4);
    // The certificate is a certificate: every bound on the way is below f*.
    for (const m of history) expect(m.dualObjective).toBeLessThanOrEqual(fStar * (1 + 1e-9));
  });
});

describe('Anderson acceleration', () => {
  it('solves the small least squares (normal equations) exactly', () => {
    // cols e1, e2 in R³, g = (1, 2, 3): γ = (1, 2), residual (0, 0, 3).
    const g = Float64Array.of(1, 2, 3);
    const gamma = leastSquares([Float64Array.of(1, 0, 0), Float64Array.of(0, 1, 0)], g) as Float64Array;
    expect(gamma[0]).toBeCloseTo(1, 6);
    expect(gamma[1]).toBeCloseTo(2, 6);
  });

  it('finds the fixed point of a linear contraction much faster than plain iteration', () => {
    // T(x) = Mx + c with M = diag(0.99, 0.9, 0.5): plain iteration needs ~1800 steps for 1e-8.
    const M = [0.99, 0.9, 0.5];
    const c = Float64Array.of(1, 1, 1);
    const xStar = M.map((m, i) => c[i] / (1 - m));
    const T = (x: Float64Array): Float64Array => Float64Array.from(x, (v, i) => M[i] * v + c[i]);
    const aa = new Anderson(5, 3);
    let x: Float64Array = new Float64Array(3);
    let steps = 0;
    for (; steps < 100; steps++) {
      const f = T(x);
      x = aa.next(f) ?? f;
      if (Math.max(...x.map((v, i) => Math.abs(v - xStar[i]))) < 1e-8) break;
    }
    expect(steps).toBeLessThan(20);
  });

  it('rejects an extrapolation whose residual grew and falls back to the last plain step', () => {
    const aa = new Anderson(3, 1);
    // Plain steps towards 0, then a "map" that jumps away: the safeguard must reject.
    expect(aa.next(Float64Array.of(1))).toBeNull(); // x0 = 0 → f = 1, no history yet
    const x2 = aa.next(Float64Array.of(0.5)) as Float64Array; // an extrapolation
    expect(x2).not.toBeNull();
    const back = aa.next(Float64Array.of(x2[0] + 100)) as Float64Array; // residual 100 > 0.5
    expect(aa.rejected).toBe(1);
    expect(back[0]).toBe(0.5);
  });
});

describe('ρ race', () => {
  const metrics = (objective: number, coneViolation: number): IterationMetrics => ({ objective, coneViolation, maxAbsXU: 1 }) as IterationMetrics;

  it('centres on β, or on ρ when β = 0', () => {
    expect(raceCandidates(0.1, 5)).toEqual([0.1 * 0.1, 0.1 * 0.3, 0.1, 0.1 * 3, 0.1 * 10]);
    expect(raceCandidates(0, 2)).toEqual([0.2, 0.6, 2, 6, 20]);
  });

  it('picks the lowest objective among the nearly feasible candidates', () => {
    const e = (rho: number, f: number, v: number) => ({ rho, last: metrics(f, v), state: rho });
    // The infeasible candidate has the lowest f but must not win.
    expect(raceWinner([e(1, 5, 0), e(2, 1, 0.5), e(3, 4, 1e-4)])).toBe(2);
    // None feasible: the least violation wins.
    expect(raceWinner([e(1, 5, 0.2), e(2, 1, 0.5)])).toBe(0);
  });

  it('runs each candidate its steps, then resumes the winner', () => {
    const race = new RhoRace<number>([1, 2], 2);
    expect(race.before()).toEqual({ kind: 'start', rho: 1 });
    expect(race.count()).toBe(false);
    expect(race.count()).toBe(true);
    expect(race.record(metrics(3, 0), 10)).toEqual({ kind: 'none' });
    expect(race.before()).toEqual({ kind: 'start', rho: 2 });
    race.count();
    race.count();
    expect(race.record(metrics(2, 0), 20)).toEqual({ kind: 'resume', rho: 2, state: 20 });
    expect(race.running).toBe(false);
  });

  it('a raced CPU run reports its race steps and continues from the winner', async () => {
    const problem = randomProblem({ n: 40, d: 4, P: 4, classes: 2, model: 'relu', beta: 0.1, seed: 3 });
    const solver = new CpuSolver(problem, { ...DEFAULT_CONFIG, P: 4, beta: 0.1, rhoRace: 5, admmIters: 40, stopRule: 'residuals', tol: 1e-12 });
    const h = await runCronos(solver);
    expect(h.length).toBe(40);
    expect(h.slice(0, 25).map((m) => m.rho)).toEqual([0.01, 0.03, 0.1, 0.3, 1].flatMap((r) => Array(5).fill(r)).map((r) => expect.closeTo(r, 12)));
    expect(solver.raceWinner()).not.toBeNull();
    expect(h[30].rho).toBeCloseTo(solver.raceWinner() as number, 12);
  });
});
