import { describe, expect, it } from 'vitest';
import { CronosOperators } from '../../../solver/cpu/operators';
import { pcg } from '../../../solver/cpu/pcg';
import type { BatchedPreconditioner } from '../../../solver/cpu/pcg';
import { batchToFlat, blockToFlat, flatToBatch, flatToBlock } from '../../../solver/layout';
import { cholesky, choleskySolve, matmulTA, symEig } from '../../../solver/linalg';
import {
  EPS_F32,
  nystromApply,
  nystromCoefficients,
  nystromFromSketch,
  orthonormalTestMatrix,
} from '../../../solver/nystrom-core';
import type { ModelKind } from '../../../solver/types';
import { gaussian, makeProblem, naiveMatmul, nrm, relErr } from '../../support/cpu-fixtures';

/** Dense M (N×N) of the preconditioner by applying it to the unit vectors. */
function denseM(U: Float64Array, lambda: Float64Array, N: number, r: number, mu: number): Float64Array {
  const M = new Float64Array(N * N);
  const e = new Float64Array(N);
  const out = new Float64Array(N);
  for (let b = 0; b < N; b++) {
    e.fill(0);
    e[b] = 1;
    nystromApply(U, lambda, N, r, mu, e, out);
    for (let a = 0; a < N; a++) M[a * N + b] = out[a];
  }
  return M;
}

/** A dense SPD N×N test matrix Q diag(spectrum) Qᵀ. */
function spdWithSpectrum(N: number, spectrum: number[], seed: number): Float64Array {
  const k = spectrum.length;
  const Q = orthonormalTestMatrix(N, k, seed);
  const QD = new Float64Array(N * k);
  for (let a = 0; a < N; a++) for (let j = 0; j < k; j++) QD[a * k + j] = Q[a * k + j] * spectrum[j];
  const H = new Float64Array(N * N);
  for (let a = 0; a < N; a++)
    for (let b = 0; b < N; b++) {
      let s = 0;
      for (let j = 0; j < k; j++) s += QD[a * k + j] * Q[b * k + j];
      H[a * N + b] = s;
    }
  return H;
}

describe('Nyström core', () => {
  it('Ω is orthonormal and reproducible from the seed', () => {
    const O = orthonormalTestMatrix(50, 6, 42);
    const OtO = matmulTA(O, O, 50, 6, 6);
    for (let i = 0; i < 6; i++) for (let j = 0; j < 6; j++) expect(OtO[i * 6 + j]).toBeCloseTo(i === j ? 1 : 0, 13);
    expect(orthonormalTestMatrix(50, 6, 42)).toEqual(O);
    expect(orthonormalTestMatrix(50, 6, 43)).not.toEqual(O);
  });

  it('recovers a PSD matrix of rank ≤ r (up to the float32-sized shift)', () => {
    const N = 40;
    const r = 6;
    const H = spdWithSpectrum(N, [50, 20, 5, 1], 7);
    const Omega = orthonormalTestMatrix(N, r, 1);
    const Y = naiveMatmul(H, Omega, N, N, r);
    const { U, lambda } = nystromFromSketch(Omega, Y, N, r);
    for (let j = 1; j < r; j++) expect(lambda[j]).toBeLessThanOrEqual(lambda[j - 1]);
    for (let j = 0; j < r; j++) expect(lambda[j]).toBeGreaterThanOrEqual(0);
    const approx = new Float64Array(N * N);
    for (let a = 0; a < N; a++)
      for (let b = 0; b < N; b++) {
        let s = 0;
        for (let j = 0; j < r; j++) s += U[a * r + j] * lambda[j] * U[b * r + j];
        approx[a * N + b] = s;
      }
    // The shift ν = √N·2⁻²³·‖Y‖ perturbs the eigenvalues by O(ν).
    const nu = Math.sqrt(N) * EPS_F32 * 50;
    expect(relErr(approx, H)).toBeLessThan(10 * nu);
    expect(lambda[0]).toBeCloseTo(50, 3);
    expect(lambda[4]).toBeLessThan(10 * nu);
  });

  it('matches the textbook Y_ν (ΩᵀY_ν)⁻¹ Y_νᵀ for a full-rank sketch', () => {
    const N = 30;
    const r = 5;
    const H = spdWithSpectrum(N, [9, 7, 4, 3, 2, 1.5, 1, 0.5], 8);
    const Omega = orthonormalTestMatrix(N, r, 2);
    const Y = naiveMatmul(H, Omega, N, N, r);
    const { U, lambda } = nystromFromSketch(Omega, Y, N, r);
    const { values } = symEig(matmulTA(Y, Y, N, r, r), r);
    const nu = Math.sqrt(N) * EPS_F32 * Math.sqrt(values[0]);
    const Ynu = Y.map((v, t) => v + nu * Omega[t]);
    const L = cholesky(matmulTA(Omega, Ynu, N, r, r), r) as Float64Array;
    const ref = new Float64Array(N * N);
    const row = new Float64Array(r);
    for (let a = 0; a < N; a++) {
      for (let j = 0; j < r; j++) row[j] = Ynu[a * r + j];
      choleskySolve(L, r, row);
      for (let b = 0; b < N; b++) {
        let s = 0;
        for (let j = 0; j < r; j++) s += row[j] * Ynu[b * r + j];
        ref[a * N + b] = s;
      }
    }
    // U diag(Λ̂ + ν) Uᵀ = Y_ν (ΩᵀY_ν)⁻¹ Y_νᵀ (no eigenvalue was clipped here).
    for (let j = 0; j < r; j++) expect(lambda[j]).toBeGreaterThan(0);
    const approx = new Float64Array(N * N);
    for (let a = 0; a < N; a++)
      for (let b = 0; b < N; b++) {
        let s = 0;
        for (let j = 0; j < r; j++) s += U[a * r + j] * (lambda[j] + nu) * U[b * r + j];
        approx[a * N + b] = s;
      }
    expect(relErr(approx, ref)).toBeLessThan(1e-10);
  });

  it('falls back to an eigen-shift when the core is not positive definite', () => {
    const N = 20;
    const r = 4;
    // An indefinite "sketch": the core ΩᵀY has a negative eigenvalue.
    const H = spdWithSpectrum(N, [5, 3, -8], 3);
    const Omega = orthonormalTestMatrix(N, r, 4);
    const Y = naiveMatmul(H, Omega, N, N, r);
    expect(cholesky(matmulTA(Omega, Y, N, r, r), r)).toBeNull(); // the fallback path is taken
    const { U, lambda } = nystromFromSketch(Omega, Y, N, r);
    expect(Array.from(lambda).every((v) => Number.isFinite(v) && v >= 0)).toBe(true);
    const UtU = matmulTA(U, U, N, r, r);
    for (let i = 0; i < r; i++) for (let j = 0; j < r; j++) expect(UtU[i * r + j]).toBeCloseTo(i === j ? 1 : 0, 12);
  });

  it('coefficients c_j = (λ̂_r + μ)/(λ̂_j + μ) − 1 lie in (−1, 0] and vanish for the last', () => {
    const c = nystromCoefficients(Float64Array.of(100, 10, 1), 0.5);
    expect(c[2]).toBe(0);
    expect(c[0]).toBeCloseTo(1.5 / 100.5 - 1, 15);
    for (const v of c) expect(v > -1 && v <= 0).toBe(true);
  });
});

describe.each<ModelKind>(['relu', 'gated'])('Nyström preconditioner on the CRONOS matrix A (%s)', (model) => {
  const p = makeProblem({ model, n: 120, d: 8, P: 6, beta: 0.1, seed: 5 });
  const ops = new CronosOperators(p);
  const { d, P, S } = p;
  const N = S * d * P;
  const rank = 12;
  const rho = 0.05;
  const Omega = orthonormalTestMatrix(N, rank, 9);
  const Y = batchToFlat(ops.applyA(flatToBatch(Omega, d, P, S, rank), rank, rho, new Float64Array(d * rank * S * P)), d, P, S, rank);
  const { U, lambda } = nystromFromSketch(Omega, Y, N, rank);

  it('M is symmetric to 1e-10 and positive definite, with spectrum in [(λ̂_r+μ)/(λ̂_1+μ), 1]', () => {
    const M = denseM(U, lambda, N, rank, rho);
    let asym = 0;
    let scale = 0;
    for (let a = 0; a < N; a++)
      for (let b = 0; b < N; b++) {
        asym = Math.max(asym, Math.abs(M[a * N + b] - M[b * N + a]));
        scale = Math.max(scale, Math.abs(M[a * N + b]));
      }
    expect(asym).toBeLessThan(1e-10 * scale);
    const { values } = symEig(M, N);
    const lo = (lambda[rank - 1] + rho) / (lambda[0] + rho);
    expect(values[N - 1]).toBeGreaterThan(0);
    expect(values[N - 1]).toBeGreaterThan(lo * (1 - 1e-9));
    expect(values[0]).toBeLessThan(1 + 1e-9);
  });

  it('PCG needs no more iterations with Nyström than without (fixed relative tolerance)', () => {
    const C = 2;
    const shape = { rows: d, blocks: C, blockCols: S * P };
    const b = gaussian(d * C * S * P, 17);
    const tol = 1e-8 * nrm(b);
    const applyA = (x: Float64Array, out: Float64Array): void => {
      ops.applyA(x, C, rho, out);
    };
    const flat = new Float64Array(N);
    const applyM: BatchedPreconditioner = (x, out, active) => {
      for (let c = 0; c < C; c++) {
        if (!active[c]) continue;
        blockToFlat(x, d, P, S, C, c, flat);
        nystromApply(U, lambda, N, rank, rho, flat, flat);
        flatToBlock(flat, d, P, S, C, c, out);
      }
    };
    const opts = { tol, maxIter: 5000, warmStart: false };
    const x0 = new Float64Array(b.length);
    const plain = pcg(applyA, null, b, x0, shape, opts);
    const x1 = new Float64Array(b.length);
    const pre = pcg(applyA, applyM, b, x1, shape, opts);
    for (let c = 0; c < C; c++) {
      expect(plain.residualNorms[c]).toBeLessThanOrEqual(tol);
      expect(pre.residualNorms[c]).toBeLessThanOrEqual(tol);
      expect(pre.iterations[c]).toBeLessThanOrEqual(plain.iterations[c]);
    }
    // Both solve the same system: true residual small, solutions agree.
    const Ax = ops.applyA(x1, C, rho, new Float64Array(b.length));
    expect(nrm(Ax.map((v, t) => v - b[t]))).toBeLessThan(1e-6 * nrm(b));
    expect(relErr(x1, x0)).toBeLessThan(1e-6);
  });
});
