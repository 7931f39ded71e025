/**
 * Saved ADMM state on the CPU (solver/admm/driver.ts saveState/loadState): a run split at
 * iteration 40 and continued in a fresh solver is the straight 80-iteration run, bit for bit,
 * with residual balancing changing ρ in both halves; and bad states are rejected with a reason.
 */
import { describe, expect, it } from 'vitest';
import { CpuSolver } from '../../../solver/cpu/admm';
import { AdmmDivergedError, throwIfDiverged, type AdmmState } from '../../../solver/admm/driver';
import type { IterationMetrics, ModelKind } from '../../../solver/types';
import { gaussian, makeProblem, testConfig } from '../../support/cpu-fixtures';

/** Every metric but the wall time, for exact comparison. */
function exact(m: IterationMetrics): Omit<IterationMetrics, 'timeMs'> {
  const { timeMs: _t, ...rest } = m;
  return rest;
}

function expectSameBits(a: Float64Array, b: Float64Array): void {
  expect(a.length).toBe(b.length);
  for (let t = 0; t < a.length; t++) if (!Object.is(a[t], b[t])) expect.fail(`index ${t}: ${a[t]} ≠ ${b[t]}`);
}

// ρ₀ far from balanced (chosen so that residual balancing still changes ρ after iteration 40).
describe.each<{ model: ModelKind; classes: number | undefined; exactSolve: boolean; rho: number }>([
  { model: 'relu', classes: 2, exactSolve: false, rho: 50 },
  { model: 'gated', classes: undefined, exactSolve: false, rho: 1e-9 },
  { model: 'relu', classes: undefined, exactSolve: true, rho: 50 },
])('save at 40, load into a fresh solver, continue to 80 ($model, classes $classes, exact $exactSolve)', ({ model, classes, exactSolve, rho }) => {
  const p = makeProblem({ model, n: 40, d: 4, P: 6, beta: 0.05, seed: 3, classes });
  const cfg = testConfig(p, { rho, adaptiveRho: true, rank: 8, pcgIters: 8 });
  const test = { X: gaussian(15 * 4, 9), n: 15, labels: Int32Array.from({ length: 15 }, (_, i) => i % (classes ?? 2)), targets: classes ? undefined : gaussian(15, 11) };

  it('equals the straight run bit for bit (every metric, u and v)', async () => {
    const straight = new CpuSolver(p, cfg, test, { exactSolve });
    const ref: IterationMetrics[] = [];
    for (let k = 0; k < 80; k++) ref.push(await straight.step());
    const rhos = ref.map((m) => m.rho);
    expect(new Set(rhos.slice(0, 40)).size).toBeGreaterThan(1);
    expect(new Set(rhos.slice(40)).size).toBeGreaterThan(1);

    const first = new CpuSolver(p, cfg, test, { exactSolve });
    const got: IterationMetrics[] = [];
    for (let k = 0; k < 40; k++) got.push(await first.step());
    const saved = await first.saveState();
    expect(saved.k).toBe(40);
    const second = new CpuSolver(p, cfg, test, { exactSolve });
    await second.loadState(saved);
    for (let k = 40; k < 80; k++) got.push(await second.step());

    expect(got.map(exact)).toEqual(ref.map(exact));
    for (let k = 0; k < 80; k++) {
      for (const key of Object.keys(exact(ref[k])) as (keyof IterationMetrics)[]) {
        if (!Object.is(got[k][key], ref[k][key])) expect.fail(`iteration ${k + 1}, ${key}: ${String(got[k][key])} ≠ ${String(ref[k][key])}`);
      }
    }
    const a = await straight.solution();
    const b = await second.solution();
    expectSameBits(b.U, a.U);
    expectSameBits(b.V, a.V);
  });
});

describe('loadState validation', () => {
  const p = makeProblem({ model: 'relu', n: 20, d: 3, P: 4, beta: 0.1, seed: 1 });
  const cfg = testConfig(p, { rank: 4 });

  it('rejects another version, a wrong array length, a missing array and a bad ρ', async () => {
    const s = await new CpuSolver(p, cfg).saveState();
    const solver = new CpuSolver(p, cfg);
    await expect(solver.loadState({ ...s, version: 2 } as unknown as AdmmState)).rejects.toThrow(/version 2/);
    await expect(solver.loadState({ ...s, arrays: { ...s.arrays, u: new Float64Array(3) } })).rejects.toThrow(/u has 3 values; this problem needs 24/);
    const { nu: _nu, ...noNu } = s.arrays;
    await expect(solver.loadState({ ...s, arrays: noNu })).rejects.toThrow(/needs \[.*nu.*\]/);
    await expect(solver.loadState({ ...s, rho: -1 })).rejects.toThrow(/ρ must be a positive/);
    // A gated solver's state does not fit a ReLU problem.
    const g = makeProblem({ model: 'gated', n: 20, d: 3, P: 4, beta: 0.1, seed: 1 });
    const gs = await new CpuSolver(g, testConfig(g, { rank: 4 })).saveState();
    await expect(solver.loadState(gs)).rejects.toThrow(/this problem needs/);
  });
});

describe('divergence', () => {
  it('throwIfDiverged names the iteration and what to change', () => {
    const p = makeProblem({ model: 'relu', n: 20, d: 3, P: 4, beta: 0.1, seed: 1 });
    const m = new CpuSolver(p, testConfig(p)).stepSync();
    expect(() => throwIfDiverged(m)).not.toThrow();
    let err: unknown;
    try {
      throwIfDiverged({ ...m, iter: 7, dualResidual: Number.POSITIVE_INFINITY });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(AdmmDivergedError);
    expect((err as AdmmDivergedError).iter).toBe(7);
    expect((err as Error).message).toMatch(/diverged at iteration 7 .*larger ρ, adaptive ρ, more PCG iterations, or the CPU device/);
  });

  it('the solver throws AdmmDivergedError when the data make the iterates non-finite', async () => {
    const p = makeProblem({ model: 'relu', n: 20, d: 3, P: 4, beta: 0.1, seed: 1 });
    const bad = { ...p, Y: Float64Array.from(p.Y, (y, i) => (i === 0 ? Number.NaN : y)) };
    const solver = new CpuSolver(bad, testConfig(bad, { rank: 0 }));
    await expect(solver.step()).rejects.toThrow(AdmmDivergedError);
  });
});
