/**
 * The dual lower bound reported every iteration (IterationMetrics.dualObjective) is a certificate:
 * it never exceeds the optimum f* of a tightly converged exact-solve run, and it closes the gap
 * at the optimum (weak and strong duality, solver/residuals.ts).
 */
import { describe, expect, it } from 'vitest';
import { CpuSolver } from '../../../solver/cpu/admm';
import { dualLowerBound } from '../../../solver/residuals';
import { runCronos } from '../../../solver/solver';
import { DEFAULT_CONFIG, type ModelKind } from '../../../solver/types';
import { randomProblem } from '../../support/helpers';

describe.each([
  { model: 'relu' as ModelKind, classes: 2, seed: 2 },
  { model: 'gated' as ModelKind, classes: 2, seed: 2 },
  { model: 'gated' as ModelKind, classes: 3, seed: 5 },
])('dual bound: $model, $classes classes', ({ model, classes, seed }) => {
  it('stays below f* at every iteration and meets it at the optimum', async () => {
    const problem = randomProblem({ n: 60, d: 5, P: 8, classes, model, beta: 0.1, seed });
    const config = { ...DEFAULT_CONFIG, model, P: 8, rho: 1, adaptiveRho: true, rank: 10, tol: 1e-10, admmIters: 40000 };
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
  it('scales an infeasible dual point back into the feasible set', () => {
    // ‖z‖² = 4, ⟨z, y⟩ = −1; column norm 2β → t = ½.
    expect(dualLowerBound(0.5, 4, -1, 1)).toBeCloseTo(-0.5 * 0.25 * 4 + 0.5, 12);
    // Feasible already (norm ≤ β): t = 1.
    expect(dualLowerBound(0.5, 4, -3, 0.4)).toBeCloseTo(-2 + 3, 12);
  });
});
