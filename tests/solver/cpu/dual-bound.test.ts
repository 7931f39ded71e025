/**
 * The dual lower bound reported every iteration (IterationMetrics.dualObjective) is a certificate:
 * it never exceeds the optimum f* of a tightly converged exact-solve run, and it closes the gap
 * at the optimum (weak and strong duality, solver/residuals.ts).
 */
import { describe, expect, it } from 'vitest';
import { CpuSolver } from '../../../solver/cpu/admm';
import { coneMultiplierScale, dualLowerBound } from '../../../solver/residuals';
import { runCronos } from '../../../solver/solver';
import { LEGACY_CONFIG, type ModelKind } from '../../../solver/types';
import { denseF, denseG, makeProblem } from '../../support/cpu-fixtures';
import { randomProblem } from '../../support/helpers';

describe.each([
  { model: 'relu' as ModelKind, classes: 2, seed: 2 },
  { model: 'gated' as ModelKind, classes: 2, seed: 2 },
  { model: 'gated' as ModelKind, classes: 3, seed: 5 },
])('dual bound: $model, $classes classes', ({ model, classes, seed }) => {
  it('stays below f* at every iteration and meets it at the optimum', async () => {
    const problem = randomProblem({ n: 60, d: 5, P: 8, classes, model, beta: 0.1, seed });
    const config = { ...LEGACY_CONFIG, model, P: 8, rho: 1, adaptiveRho: true, rank: 10, tol: 1e-10, admmIters: 40000 };
    const history = await runCronos(new CpuSolver(problem, config, undefined, { exactSolve: true }));
    const last = history[history.length - 1];
    expect(last.converged).toBe(true);
    const fStar = last.objective;
    for (const m of history) expect(m.dualObjective).toBeLessThanOrEqual(fStar * (1 + 1e-9));
    expect((fStar - last.dualObjective) / fStar).toBeLessThan(1e-6);
    // Early iterates are far from optimal, and the bound says so.
    expect(history[0].objective - history[0].dualObjective).toBeGreaterThan(1e-3 * fStar);
  });
});

describe('dualLowerBound', () => {
  it('takes the best feasible multiple t of the dual direction', () => {
    // q(t) = −½t²‖z‖² − t⟨z, y⟩ with ‖z‖² = 4, ⟨z, y⟩ = −1 peaks at t = ¼ (q = ⅛), inside [0, β/m] = [0, ½].
    expect(dualLowerBound(0.5, 4, -1, 1)).toBeCloseTo(0.125, 12);
    // Peak t = ¾ beyond the feasible end β/m = ¼: t = ¼, q = −⅛ + ¾.
    expect(dualLowerBound(0.5, 4, -3, 2)).toBeCloseTo(-0.125 + 0.75, 12);
    // ⟨z, y⟩ ≥ 0: no positive multiple helps, t = 0.
    expect(dualLowerBound(0.5, 4, 1, 1)).toBe(0);
  });

  it('scales a column\'s cone multiplier by argmin_{c ≥ 0} ‖a + c·b‖', () => {
    // a = (1, 0), b = (−2, 1): ⟨a, b⟩ = −2, ‖b‖² = 5 → c = 0.4, ‖a + cb‖² = 0.04 + 0.16 < ‖a‖² = 1.
    expect(coneMultiplierScale(-2, 5)).toBeCloseTo(0.4, 15);
    // b points away from −a (⟨a, b⟩ ≥ 0) or vanishes: no multiplier.
    expect(coneMultiplierScale(3, 5)).toBe(0);
    expect(coneMultiplierScale(-1, 0)).toBe(0);
  });
});

describe('the tightened bound (issue 9) against the construction before it', () => {
  it('is never below the raw point (c = 1, t = min(1, β/m)) and stays below f*', async () => {
    const problem = makeProblem({ model: 'relu', n: 50, d: 4, P: 5, beta: 0.1, seed: 4, classes: 2 });
    const { n, d, P, K, Y, beta } = problem;
    const N = 2 * d * P;
    const F = denseF(problem);
    const G = denseG(problem);
    const config = { ...LEGACY_CONFIG, model: 'relu' as const, P, beta, rho: 0.3 };
    const ref = await runCronos(new CpuSolver(problem, { ...config, tol: 1e-10, admmIters: 40000, adaptiveRho: true }, undefined, { exactSolve: true }));
    const fStar = ref[ref.length - 1].objective;
    const solver = new CpuSolver(problem, config, undefined, { exactSolve: true });
    for (let k = 1; k <= 200; k++) {
      const m = solver.stepSync();
      if (![1, 10, 50, 200].includes(k)) continue;
      const st = solver.state();
      // u in the dense flat order s·dP + k·P + i; ν rows (s, i, j).
      const u = new Float64Array(N);
      for (let s = 0; s < 2; s++) for (let f = 0; f < d; f++) for (let i = 0; i < P; i++) u[s * d * P + f * P + i] = st.U[f * K + s * P + i];
      const nu = new Float64Array(2 * P * n);
      for (let s = 0; s < 2; s++) for (let i = 0; i < P; i++) for (let j = 0; j < n; j++) nu[(s * P + i) * n + j] = st.nu[j * K + s * P + i];
      const z = Float64Array.from({ length: n }, (_, j) => F.subarray(j * N, (j + 1) * N).reduce((acc, v, c) => acc + v * u[c], 0) - Y[j]);
      // w = Fᵀz + ρGᵀν, column g = (s, i) holds the d entries s·dP + f·P + i.
      const w = new Float64Array(N);
      for (let c = 0; c < N; c++) {
        let acc = 0;
        for (let j = 0; j < n; j++) acc += F[j * N + c] * z[j];
        for (let r = 0; r < 2 * P * n; r++) acc += st.rho * G[r * N + c] * nu[r];
        w[c] = acc;
      }
      let maxNorm = 0;
      for (let s = 0; s < 2; s++) {
        for (let i = 0; i < P; i++) {
          let sq = 0;
          for (let f = 0; f < d; f++) sq += w[s * d * P + f * P + i] ** 2;
          maxNorm = Math.max(maxNorm, Math.sqrt(sq));
        }
      }
      const zz = z.reduce((a, v) => a + v * v, 0);
      const zy = z.reduce((a, v, j) => a + v * Y[j], 0);
      const t = Math.min(1, beta / maxNorm);
      const raw = -0.5 * t * t * zz - t * zy;
      expect(m.dualObjective).toBeGreaterThanOrEqual(raw - 1e-12 * Math.abs(raw));
      expect(m.dualObjective).toBeLessThanOrEqual(fStar * (1 + 1e-9));
    }
  });
});
