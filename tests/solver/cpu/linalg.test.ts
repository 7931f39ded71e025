import { describe, expect, it } from 'vitest';
import {
  cholesky,
  choleskySolve,
  gram,
  matmul,
  matmulTA,
  matmulTB,
  norm2,
  qrThin,
  solveLower,
  solveLowerT,
  spectralNorm,
  svdThin,
  symEig,
  transpose,
} from '../../../solver/linalg';
import { gaussian, naiveMatmul, relErr } from '../../support/cpu-fixtures';

/** ‖QᵀQ − I‖_max for an m×n Q. */
function orthError(Q: Float64Array, m: number, n: number): number {
  const QtQ = naiveMatmul(transpose(Q, m, n), Q, n, m, n);
  let e = 0;
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) e = Math.max(e, Math.abs(QtQ[i * n + j] - (i === j ? 1 : 0)));
  return e;
}

describe('GEMM kernels', () => {
  // Odd sizes exercise every remainder path of the 4×4 register blocking.
  const shapes: [number, number, number][] = [
    [1, 1, 1],
    [3, 5, 2],
    [7, 9, 11],
    [8, 4, 16],
    [13, 6, 3],
  ];
  it.each(shapes)('matmul, matmulTA, matmulTB agree with a naive triple loop (%i×%i×%i)', (m, k, n) => {
    const A = gaussian(m * k, m * 100 + k);
    const B = gaussian(k * n, k * 100 + n + 1);
    const ref = naiveMatmul(A, B, m, k, n);
    expect(relErr(matmul(A, B, m, k, n), ref)).toBeLessThan(1e-14);
    expect(relErr(matmulTA(transpose(A, m, k), B, k, m, n), ref)).toBeLessThan(1e-14);
    expect(relErr(matmulTB(A, transpose(B, k, n), m, k, n), ref)).toBeLessThan(1e-14);
    const acc = gaussian(m * n, 5);
    const accRef = Float64Array.from(acc, (v, t) => v + ref[t]);
    expect(relErr(matmul(A, B, m, k, n, Float64Array.from(acc), true), accRef)).toBeLessThan(1e-14);
    expect(relErr(matmulTA(transpose(A, m, k), B, k, m, n, Float64Array.from(acc), true), accRef)).toBeLessThan(1e-14);
  });

  it('gram is XᵀX and exactly symmetric', () => {
    const X = gaussian(37 * 6, 3);
    const G = gram(X, 37, 6);
    expect(relErr(G, naiveMatmul(transpose(X, 37, 6), X, 6, 37, 6))).toBeLessThan(1e-14);
    for (let i = 0; i < 6; i++) for (let j = 0; j < 6; j++) expect(G[i * 6 + j]).toBe(G[j * 6 + i]);
  });

  it('norm2 is overflow-safe', () => {
    expect(norm2(Float64Array.of(3e200, 4e200))).toBeCloseTo(5e200, -190);
    expect(norm2(Float64Array.of(3, 4))).toBeCloseTo(5, 14);
  });
});

describe('QR', () => {
  it.each([
    [50, 7],
    [9, 9],
    [200, 1],
  ])('thin QR of %i×%i: Q orthonormal, R upper triangular with diag ≥ 0, QR = A', (m, n) => {
    const A = gaussian(m * n, m + n);
    const { Q, R } = qrThin(A, m, n);
    expect(orthError(Q, m, n)).toBeLessThan(1e-13);
    for (let i = 0; i < n; i++) {
      expect(R[i * n + i]).toBeGreaterThanOrEqual(0);
      for (let j = 0; j < i; j++) expect(R[i * n + j]).toBe(0);
    }
    expect(relErr(naiveMatmul(Q, R, m, n, n), A)).toBeLessThan(1e-13);
  });

  it('QR of a rank-deficient matrix still returns orthonormal Q', () => {
    const m = 30;
    const n = 4;
    const A = gaussian(m * n, 9);
    for (let i = 0; i < m; i++) {
      A[i * n + 2] = 2 * A[i * n + 0]; // dependent column
      A[i * n + 3] = 0; // zero column
    }
    const { Q, R } = qrThin(A, m, n);
    expect(orthError(Q, m, n)).toBeLessThan(1e-13);
    expect(relErr(naiveMatmul(Q, R, m, n, n), A)).toBeLessThan(1e-13);
  });

  it('re-orthonormalising an orthonormal matrix returns it (no sign flips)', () => {
    const { Q } = qrThin(gaussian(40 * 5, 4), 40, 5);
    expect(relErr(qrThin(Q, 40, 5).Q, Q)).toBeLessThan(1e-14);
  });
});

describe('Cholesky and triangular solves', () => {
  it('L Lᵀ = A for an SPD matrix and solves agree', () => {
    const m = 12;
    const B = gaussian(20 * m, 1);
    const A = gram(B, 20, m);
    for (let i = 0; i < m; i++) A[i * m + i] += 0.5;
    const L = cholesky(A, m);
    expect(L).not.toBeNull();
    const Lm = L as Float64Array;
    for (let i = 0; i < m; i++) for (let j = i + 1; j < m; j++) expect(Lm[i * m + j]).toBe(0);
    expect(relErr(naiveMatmul(Lm, transpose(Lm, m, m), m, m, m), A)).toBeLessThan(1e-14);
    const x = gaussian(m, 2);
    const b = naiveMatmul(A, x, m, m, 1);
    expect(relErr(choleskySolve(Lm, m, Float64Array.from(b)), x)).toBeLessThan(1e-12);
    const y = gaussian(m, 3);
    expect(relErr(naiveMatmul(Lm, solveLower(Lm, m, Float64Array.from(y)), m, m, 1), y)).toBeLessThan(1e-13);
    expect(relErr(naiveMatmul(transpose(Lm, m, m), solveLowerT(Lm, m, Float64Array.from(y)), m, m, 1), y)).toBeLessThan(1e-13);
  });

  it('returns null for indefinite or singular matrices', () => {
    expect(cholesky(Float64Array.of(1, 2, 2, 1), 2)).toBeNull();
    expect(cholesky(Float64Array.of(1, 1, 1, 1), 2)).toBeNull();
    expect(cholesky(Float64Array.of(NaN), 1)).toBeNull();
  });
});

describe('symmetric eigendecomposition (Jacobi)', () => {
  it.each([1, 2, 6, 25])('V diag(w) Vᵀ = A, V orthogonal, values descending (m = %i)', (m) => {
    const B = gaussian(m * m, 10 + m);
    const A = new Float64Array(m * m);
    for (let i = 0; i < m; i++) for (let j = 0; j < m; j++) A[i * m + j] = B[i * m + j] + B[j * m + i];
    const { values, vectors } = symEig(A, m);
    expect(orthError(vectors, m, m)).toBeLessThan(1e-13);
    for (let i = 1; i < m; i++) expect(values[i]).toBeLessThanOrEqual(values[i - 1]);
    const VD = new Float64Array(m * m);
    for (let i = 0; i < m; i++) for (let j = 0; j < m; j++) VD[i * m + j] = vectors[i * m + j] * values[j];
    expect(relErr(naiveMatmul(VD, transpose(vectors, m, m), m, m, m), A)).toBeLessThan(1e-13);
  });

  it('spectral norm matches the largest singular value', () => {
    // A diag(3, 1) rotated: ‖A‖₂ = 3.
    const c = Math.cos(0.3);
    const s = Math.sin(0.3);
    const A = Float64Array.of(3 * c, -s, 3 * s, c, 0, 0);
    expect(spectralNorm(A, 3, 2)).toBeCloseTo(3, 12);
  });
});

describe('thin SVD', () => {
  it.each([
    [60, 8, 8],
    [60, 8, 3],
    [10, 10, 10],
  ])('%i×%i of rank %i: U, V orthonormal, U Σ Vᵀ = A, σ descending', (m, n, rank) => {
    const A = naiveMatmul(gaussian(m * rank, 21), gaussian(rank * n, 22), m, rank, n);
    const { U, s, V } = svdThin(A, m, n);
    expect(orthError(U, m, n)).toBeLessThan(1e-12);
    expect(orthError(V, n, n)).toBeLessThan(1e-12);
    for (let j = 1; j < n; j++) expect(s[j]).toBeLessThanOrEqual(s[j - 1]);
    for (let j = rank; j < n; j++) expect(s[j]).toBeLessThan(1e-12 * s[0]);
    const US = new Float64Array(m * n);
    for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) US[i * n + j] = U[i * n + j] * s[j];
    expect(relErr(naiveMatmul(US, transpose(V, n, n), m, n, n), A)).toBeLessThan(1e-12);
    // Singular values² are the eigenvalues of AᵀA.
    const { values } = symEig(naiveMatmul(transpose(A, m, n), A, n, m, n), n);
    for (let j = 0; j < rank; j++) expect(s[j] * s[j]).toBeCloseTo(values[j], 8);
  });
});
