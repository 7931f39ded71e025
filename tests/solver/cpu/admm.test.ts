import { describe, expect, it } from 'vitest';
import { CpuSolver } from '../../../solver/cpu/admm';
import { cholesky, choleskySolve } from '../../../solver/linalg';
import { convexObjective } from '../../../solver/recovery';
import { colIndex } from '../../../solver/types';
import type { IterationMetrics, ModelKind, Problem } from '../../../solver/types';
import { ata, denseF, denseG, makeProblem, mtv, mv, nrm, testConfig } from '../../support/cpu-fixtures';

/** Flat vector of class c (spec order s·dP + k·P + i) read straight from the d×K matrix via colIndex. */
function classFlat(p: Problem, M: Float64Array, c: number): Float64Array {
  const { d, P, S, K } = p;
  const x = new Float64Array(S * d * P);
  for (let s = 0; s < S; s++)
    for (let k = 0; k < d; k++) for (let i = 0; i < P; i++) x[s * d * P + k * P + i] = M[k * K + colIndex(p, c, s, i)];
  return x;
}

/** n×K slack/dual of class c in the dense G's row order (s, i, j). */
function classRows(p: Problem, Z: Float64Array, c: number): Float64Array {
  const { n, P, S, K } = p;
  const z = new Float64Array(S * P * n);
  for (let s = 0; s < S; s++)
    for (let i = 0; i < P; i++) for (let j = 0; j < n; j++) z[(s * P + i) * n + j] = Z[j * K + colIndex(p, c, s, i)];
  return z;
}

interface Kkt {
  /** ‖Fᵀ(Fu − y) + ρ(λ + Gᵀν)‖ / ‖Fᵀy‖. */
  stationarity: number;
  /** max over groups with v ≠ 0 of ‖β u_g/‖u_g‖ − ρλ_g‖ / β. */
  groupNonZero: number;
  /** max over groups with v = 0 of max(0, ‖ρλ_g‖ − β) / β. */
  groupZeroExcess: number;
  /** max over groups with v = 0 of ‖u_g‖ / max‖u‖. */
  groupZeroSize: number;
  /** max(0, −Gu)_∞ / max|Xu|. */
  infeasibility: number;
  /** max ρ|ν ∘ Gu| / (max|ρν| · max|Xu|). */
  complementarity: number;
  /** max(ν) (must be ≤ 0: the cone multiplier −ρν is non-negative). */
  maxNu: number;
}

/** KKT conditions of the convex program at u with multipliers ρλ, −ρν, from naive dense F and G. */
function kktResiduals(p: Problem, st: ReturnType<CpuSolver['state']>): Kkt {
  const { n, d, P, S, C, beta } = p;
  const N = S * d * P;
  const Fd = denseF(p);
  const Gd = p.model === 'relu' ? denseG(p) : null;
  const rho = st.rho;
  const out: Kkt = { stationarity: 0, groupNonZero: 0, groupZeroExcess: 0, groupZeroSize: 0, infeasibility: 0, complementarity: 0, maxNu: -Infinity };
  let maxU = 0;
  for (let col = 0; col < p.K; col++) maxU = Math.max(maxU, nrm(Float64Array.from({ length: d }, (_, k) => st.U[k * p.K + col])));
  for (let c = 0; c < C; c++) {
    const u = classFlat(p, st.U, c);
    const v = classFlat(p, st.V, c);
    const lam = classFlat(p, st.lambda, c);
    const y = Float64Array.from({ length: n }, (_, j) => p.Y[j * C + c]);
    const r = mv(Fd, n, N, u).map((val, j) => val - y[j]);
    const grad = mtv(Fd, n, N, r);
    const mult = lam.map((l) => rho * l);
    let xuMax = 0;
    if (Gd) {
      const nu = classRows(p, st.nu, c);
      const gtnu = mtv(Gd, S * P * n, N, nu);
      for (let f = 0; f < N; f++) mult[f] += rho * gtnu[f];
      const gu = mv(Gd, S * P * n, N, u);
      for (const g of gu) xuMax = Math.max(xuMax, Math.abs(g));
      let nuMax = 0;
      for (const x of nu) nuMax = Math.max(nuMax, Math.abs(rho * x));
      for (let t = 0; t < gu.length; t++) {
        out.infeasibility = Math.max(out.infeasibility, -gu[t] / xuMax);
        out.complementarity = Math.max(out.complementarity, Math.abs(rho * nu[t] * gu[t]) / (nuMax * xuMax));
        out.maxNu = Math.max(out.maxNu, nu[t]);
      }
    }
    const station = grad.map((g, f) => g + mult[f]);
    out.stationarity = Math.max(out.stationarity, nrm(station) / nrm(mtv(Fd, n, N, y)));
    // Groups: column (s, i) of class c, d entries at s·dP + k·P + i.
    for (let s = 0; s < S; s++)
      for (let i = 0; i < P; i++) {
        const idx = Array.from({ length: d }, (_, k) => s * d * P + k * P + i);
        const ug = Float64Array.from(idx, (f) => u[f]);
        const vg = Float64Array.from(idx, (f) => v[f]);
        const lg = Float64Array.from(idx, (f) => rho * lam[f]);
        if (nrm(vg) > 0) {
          const nu2 = nrm(ug);
          out.groupNonZero = Math.max(out.groupNonZero, nrm(ug.map((x, k) => (beta * x) / nu2 - lg[k])) / beta);
        } else {
          out.groupZeroExcess = Math.max(out.groupZeroExcess, Math.max(0, nrm(lg) - beta) / beta);
          out.groupZeroSize = Math.max(out.groupZeroSize, nrm(ug) / maxU);
        }
      }
  }
  return out;
}

function runUntilConverged(solver: CpuSolver, maxIters: number): IterationMetrics[] {
  const hist: IterationMetrics[] = [];
  for (let k = 0; k < maxIters; k++) {
    const m = solver.stepSync();
    hist.push(m);
    if (m.converged) break;
  }
  return hist;
}

/**
 * ADMM itself needs 3k–30k iterations to 1e-10 on such problems, depending on the draw (spec
 * §4.5); these data seeds are among the faster ones so the PCG runs fit the time budget. The
 * second case of each model has a larger β so that some groups are zero at the optimum.
 */
const OPTIMALITY_CASES: { model: ModelKind; beta: number; seed: number; sparse: boolean }[] = [
  { model: 'relu', beta: 0.1, seed: 4, sparse: false },
  { model: 'relu', beta: 0.5, seed: 2, sparse: true },
  { model: 'gated', beta: 0.1, seed: 4, sparse: false },
  { model: 'gated', beta: 1, seed: 6, sparse: true },
];

describe.each(OPTIMALITY_CASES)('optimality of the converged ADMM ($model, n=60, d=5, P=8, β=$beta)', ({ model, beta, seed, sparse }) => {
  const p = makeProblem({ model, n: 60, d: 5, P: 8, beta, seed });
  const cfg = testConfig(p, { rho: 1, adaptiveRho: true, tol: 1e-10, rank: 10, pcgIters: 50, warmStart: false });
  const exact = new CpuSolver(p, cfg, undefined, { exactSolve: true });
  const hist = runUntilConverged(exact, 20000);
  const last = hist[hist.length - 1];
  const fStar = last.objective;

  it('converges under residual balancing (ρ actually changes)', () => {
    expect(last.converged).toBe(true);
    expect(new Set(hist.map((m) => m.rho)).size).toBeGreaterThan(1);
    expect(Math.abs(convexObjective(p, exact.state().U) - fStar)).toBeLessThan(1e-12 * fStar);
  });

  it('satisfies the KKT conditions of the convex program (checked with naive dense F, G)', () => {
    const k = kktResiduals(p, exact.state());
    expect(k.stationarity).toBeLessThan(1e-8);
    expect(k.groupNonZero).toBeLessThan(1e-6);
    expect(k.groupZeroExcess).toBeLessThan(1e-8);
    expect(k.groupZeroSize).toBeLessThan(1e-8);
    if (model === 'relu') {
      expect(k.infeasibility).toBeLessThan(1e-8);
      expect(k.complementarity).toBeLessThan(1e-8);
      expect(k.maxNu).toBeLessThanOrEqual(0);
    }
    // Not trivially optimal: some neurons active (and, in the sparse cases, some pruned by the group lasso).
    expect(last.activeNeurons).toBeGreaterThan(0);
    if (sparse) expect(last.activeNeurons).toBeLessThan(p.K);
  });

  it('the same KKT check rejects an early, non-optimal iterate (negative control)', () => {
    const early = new CpuSolver(p, cfg, undefined, { exactSolve: true });
    for (let k = 0; k < 5; k++) early.stepSync();
    const k = kktResiduals(p, early.state());
    const worst = Math.max(k.groupNonZero, k.groupZeroExcess, k.groupZeroSize, k.infeasibility, k.complementarity);
    expect(worst).toBeGreaterThan(1e-3);
  });

  it('the PCG-based solver (Nyström, tolerance schedule, adaptive ρ) reaches a relative gap ≤ 1e-6', () => {
    const pcgSolver = new CpuSolver(p, { ...cfg, tol: 1e-12 });
    let m: IterationMetrics | undefined;
    for (let k = 0; k < (model === 'relu' ? 3000 : 500); k++) m = pcgSolver.stepSync();
    const mm = m as IterationMetrics;
    expect(Math.abs(mm.objective - fStar) / fStar).toBeLessThan(1e-6);
    expect(mm.coneViolation).toBeLessThan(1e-5 * mm.maxAbsXU);
    expect(mm.pcgIterations).toBeLessThanOrEqual(cfg.pcgIters);
  });
});

describe('first ADMM step equals the dense u-update', () => {
  it.each<ModelKind>(['relu', 'gated'])('%s: u₁ = (I + FᵀF/ρ + GᵀG)⁻¹ Fᵀy/ρ, then v = prox, s = max(Gu, 0)', (model) => {
    const p = makeProblem({ model, n: 30, d: 4, P: 5, beta: 0.5, seed: 4 });
    const rho = 0.3;
    const solver = new CpuSolver(p, testConfig(p, { rho, adaptiveRho: false }), undefined, { exactSolve: true });
    solver.stepSync();
    const st = solver.state();
    const { n, d, P, S } = p;
    const N = S * d * P;
    const Fd = denseF(p);
    const A = ata(Fd, n, N).map((v) => v / rho);
    if (model === 'relu') {
      const GtG = ata(denseG(p), S * P * n, N);
      for (let t = 0; t < A.length; t++) A[t] += GtG[t];
    }
    for (let f = 0; f < N; f++) A[f * N + f] += 1;
    const b = mtv(Fd, n, N, p.Y).map((v) => v / rho);
    const u = choleskySolve(cholesky(A, N) as Float64Array, N, b);
    const uSolver = classFlat(p, st.U, 0);
    expect(nrm(uSolver.map((x, f) => x - u[f]))).toBeLessThan(1e-12 * nrm(u));
    // v = group prox of u (λ₀ = 0) with threshold β/ρ.
    const v = classFlat(p, st.V, 0);
    for (let s = 0; s < S; s++)
      for (let i = 0; i < P; i++) {
        const idx = Array.from({ length: d }, (_, k) => s * d * P + k * P + i);
        const ng = nrm(Float64Array.from(idx, (f) => u[f]));
        const shrink = Math.max(0, 1 - p.beta / rho / ng);
        for (const f of idx) expect(v[f]).toBeCloseTo(shrink * u[f], 12);
      }
    if (model === 'relu') {
      const gu = mv(denseG(p), S * P * n, N, u);
      const s = classRows(p, st.s, 0);
      const nu = classRows(p, st.nu, 0);
      for (let t = 0; t < gu.length; t++) {
        expect(s[t]).toBeCloseTo(Math.max(gu[t], 0), 12);
        expect(nu[t]).toBeCloseTo(Math.min(gu[t], 0), 12);
      }
    }
  });
});

/**
 * Spec §4.2 + §4.5 written out on dense per-class matrices (C = 1): exact u-solve, group prox with
 * the old λ, slack with the old ν, dual updates, residual balancing. An independent re-derivation
 * of the iteration to compare the solver's state with, step by step.
 */
interface NaiveState {
  u: Float64Array;
  v: Float64Array;
  lam: Float64Array;
  s: Float64Array;
  nu: Float64Array;
  rho: number;
}

function naiveAdmm(p: Problem, rho0: number, adaptive: boolean, steps: number): NaiveState[] {
  const { n, d, P, S, beta } = p;
  const N = S * d * P;
  const relu = p.model === 'relu';
  const Fd = denseF(p);
  const Gd = relu ? denseG(p) : new Float64Array(0);
  const m = S * P * n;
  const FtF = ata(Fd, n, N);
  const GtG = relu ? ata(Gd, m, N) : new Float64Array(N * N);
  const Fty = mtv(Fd, n, N, p.Y);
  let rho = rho0;
  let u: Float64Array = new Float64Array(N);
  let v: Float64Array = new Float64Array(N);
  const lam = new Float64Array(N);
  let s: Float64Array = new Float64Array(relu ? m : 0);
  const nu = new Float64Array(relu ? m : 0);
  const out: NaiveState[] = [];
  for (let k = 0; k < steps; k++) {
    const A = FtF.map((x, t) => x / rho + GtG[t]);
    for (let f = 0; f < N; f++) A[f * N + f] += 1;
    const b = Fty.map((x, f) => x / rho + v[f] - lam[f]);
    if (relu) {
      const g = mtv(Gd, m, N, s.map((x, t) => x - nu[t]));
      for (let f = 0; f < N; f++) b[f] += g[f];
    }
    u = choleskySolve(cholesky(A, N) as Float64Array, N, b);
    const vPrev = v;
    v = new Float64Array(N);
    for (let sb = 0; sb < S; sb++)
      for (let i = 0; i < P; i++) {
        const idx = Array.from({ length: d }, (_, kk) => sb * d * P + kk * P + i);
        const z = idx.map((f) => u[f] + lam[f]);
        const nz = Math.hypot(...z);
        const t = beta / rho;
        idx.forEach((f, q) => (v[f] = (1 - t / Math.max(t, nz)) * z[q]));
      }
    const sPrev = s;
    let gu: Float64Array = new Float64Array(0);
    if (relu) {
      gu = mv(Gd, m, N, u);
      s = gu.map((x, t) => Math.max(x + nu[t], 0));
      for (let t = 0; t < m; t++) nu[t] += gu[t] - s[t];
    }
    for (let f = 0; f < N; f++) lam[f] += u[f] - v[f];
    if (adaptive) {
      let rp2 = 0;
      for (let f = 0; f < N; f++) rp2 += (u[f] - v[f]) ** 2;
      for (let t = 0; t < gu.length; t++) rp2 += (gu[t] - s[t]) ** 2;
      const dv = v.map((x, f) => x - vPrev[f]);
      if (relu) {
        const g = mtv(Gd, m, N, s.map((x, t) => x - sPrev[t]));
        for (let f = 0; f < N; f++) dv[f] += g[f];
      }
      const rp = Math.sqrt(rp2);
      const rd = rho * nrm(dv);
      let factor = 1;
      if (rp > 10 * rd) factor = 2;
      else if (rd > 10 * rp) factor = 0.5;
      rho *= factor;
      for (let f = 0; f < N; f++) lam[f] /= factor;
      for (let t = 0; t < nu.length; t++) nu[t] /= factor;
    }
    out.push({ u, v, lam: Float64Array.from(lam), s, nu: Float64Array.from(nu), rho });
  }
  return out;
}

describe.each<ModelKind>(['relu', 'gated'])('step-by-step agreement with a naive dense ADMM (%s)', (model) => {
  it.each([false, true])('adaptiveRho = %s: u, v, λ, s, ν and ρ match for 60 steps', (adaptive) => {
    const p = makeProblem({ model, n: 25, d: 3, P: 4, beta: 0.2, seed: 9 });
    const steps = 60;
    const ref = naiveAdmm(p, 1, adaptive, steps);
    const solver = new CpuSolver(p, testConfig(p, { rho: 1, adaptiveRho: adaptive }), undefined, { exactSolve: true });
    const rhos = new Set<number>();
    const close = (a: Float64Array, b: Float64Array): void => {
      const scale = Math.max(1, ...Array.from(b, Math.abs));
      for (let t = 0; t < b.length; t++) expect(Math.abs(a[t] - b[t])).toBeLessThan(1e-9 * scale);
    };
    for (let k = 0; k < steps; k++) {
      solver.stepSync();
      const st = solver.state();
      expect(st.rho).toBe(ref[k].rho);
      rhos.add(st.rho);
      close(classFlat(p, st.U, 0), ref[k].u);
      close(classFlat(p, st.V, 0), ref[k].v);
      close(classFlat(p, st.lambda, 0), ref[k].lam);
      if (model === 'relu') {
        close(classRows(p, st.s, 0), ref[k].s);
        close(classRows(p, st.nu, 0), ref[k].nu);
      }
    }
    if (adaptive) expect(rhos.size).toBeGreaterThan(1);
  });
});
