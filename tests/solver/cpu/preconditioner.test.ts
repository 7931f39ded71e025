/**
 * The block preconditioner M = I ⊗ (I + XᵀX)⁻¹ (spec §5.5) on the CPU: the block structure
 * checked against the dense system built from the spec's definitions, far fewer PCG iterations
 * than Nyström on correlated (pixel-like) features, the same optimum as an exact-solve ADMM, and
 * how the `preconditioner` setting resolves.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CpuSolver } from '../../../solver/cpu/admm';
import { cholesky, symEig } from '../../../solver/linalg';
import { blockFactor, blockInverseFactor, blockSolve, transposeSquare, BLOCK_MAX_D, resolvePreconditioner } from '../../../solver/preconditioner';
import { activationPatterns, sampleGates } from '../../../solver/problem';
import type { IterationMetrics, ModelKind, Problem } from '../../../solver/types';
import { ROOT } from '../../support/paths';
import { ata, denseF, denseG, gaussian, makeProblem, testConfig } from '../../support/cpu-fixtures';

/**
 * A problem whose features share a strong common factor, like neighbouring pixels: XᵀX has one
 * eigenvalue far above the rest, and GᵀG = I ⊗ XᵀX repeats it 2P times (spec §5.4), more than a
 * rank-10 sketch can flatten.
 */
function correlatedProblem(model: ModelKind, n: number, d: number, P: number, seed: number): Problem {
  const base = makeProblem({ model, n, d, P, beta: 1e-3, seed });
  const f = gaussian(n, seed + 100);
  const X = Float64Array.from(base.X, (v, t) => v + 4 * f[Math.floor(t / d)]);
  const gates = sampleGates(d, P, seed);
  return { ...base, X, gates, D: activationPatterns(X, n, d, gates, P) };
}

/** Dense A = I + FᵀF/ρ + GᵀG and its parts, one class, flat order s·dP + k·P + i. */
function denseParts(p: Problem, rho: number): { A: Float64Array; FtF: Float64Array; N: number } {
  const N = p.S * p.d * p.P;
  const FtF = ata(denseF(p), p.n, N);
  const GtG = p.model === 'relu' ? ata(denseG(p), p.S * p.P * p.n, N) : new Float64Array(N * N);
  const A = new Float64Array(N * N);
  for (let t = 0; t < N * N; t++) A[t] = GtG[t] + FtF[t] / rho;
  for (let a = 0; a < N; a++) A[a * N + a] += 1;
  return { A, FtF, N };
}

/** M⁻¹ = I ⊗ (I + XᵀX) written densely in the flat order (entry (s,k,i),(s,k',i) = (I + XᵀX)[k,k']). */
function denseBlock(p: Problem): Float64Array {
  const { n, d, P, S, X } = p;
  const N = S * d * P;
  const B = new Float64Array(N * N);
  for (let s = 0; s < S; s++)
    for (let i = 0; i < P; i++)
      for (let k = 0; k < d; k++)
        for (let l = 0; l < d; l++) {
          let g = k === l ? 1 : 0;
          for (let j = 0; j < n; j++) g += X[j * d + k] * X[j * d + l];
          B[(s * d * P + k * P + i) * N + (s * d * P + l * P + i)] = g;
        }
  return B;
}

describe('the block structure of A (spec §5.5), against the dense system', () => {
  const p = makeProblem({ model: 'relu', n: 30, d: 4, P: 5, beta: 0.1, seed: 3 });
  for (const rho of [0.05, 1, 20]) {
    it(`ρ = ${rho}: A − FᵀF/ρ = I ⊗ (I + XᵀX) exactly, and M·A has ≥ N − n eigenvalues equal to 1, none below`, () => {
      const { A, FtF, N } = denseParts(p, rho);
      const B = denseBlock(p);
      let worst = 0;
      let scale = 0;
      for (let t = 0; t < N * N; t++) {
        worst = Math.max(worst, Math.abs(A[t] - FtF[t] / rho - B[t]));
        scale = Math.max(scale, Math.abs(A[t]));
      }
      expect(worst).toBeLessThan(1e-12 * scale);
      // Eigenvalues of L⁻¹ A L⁻ᵀ (L Lᵀ = M⁻¹) = 1 + eig(L⁻¹ FᵀF L⁻ᵀ)/ρ: rank(FᵀF) ≤ n, so ≥ N − n are exactly 1.
      const L = cholesky(B, N) as Float64Array;
      const T = new Float64Array(N * N);
      const col = new Float64Array(N);
      for (let c = 0; c < N; c++) {
        for (let r = 0; r < N; r++) col[r] = A[r * N + c];
        forwardSolve(L, N, col);
        for (let r = 0; r < N; r++) T[r * N + c] = col[r];
      }
      const S = new Float64Array(N * N);
      for (let r = 0; r < N; r++) {
        for (let c = 0; c < N; c++) col[c] = T[r * N + c];
        forwardSolve(L, N, col);
        for (let c = 0; c < N; c++) S[r * N + c] = col[c];
      }
      const { values } = symEig(S, N);
      const ones = Array.from(values).filter((v) => Math.abs(v - 1) < 1e-8).length;
      expect(Math.min(...values)).toBeGreaterThan(1 - 1e-9);
      expect(ones).toBeGreaterThanOrEqual(N - p.n);
    });
  }

  it('blockSolve and the factored inverse BᵀB (B = L⁻¹, the GPU apply) both invert I + XᵀX on a d×K matrix', () => {
    const { d } = p;
    const K = p.K;
    const L = blockFactor(p.X, p.n, d);
    const B = blockInverseFactor(L, d);
    const Bt = transposeSquare(B, d);
    // W = BᵀB, formed here only to apply it in the loop below.
    const W = new Float64Array(d * d);
    for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) for (let t = 0; t < d; t++) W[i * d + j] += Bt[i * d + t] * B[t * d + j];
    for (let i = 0; i < d; i++) for (let j = i + 1; j < d; j++) expect(B[i * d + j]).toBe(0);
    const x = gaussian(d * K, 5);
    // y = (I + XᵀX) x, computed from the definition.
    const y = new Float64Array(d * K);
    for (let k = 0; k < d; k++)
      for (let l = 0; l < d; l++) {
        let g = k === l ? 1 : 0;
        for (let j = 0; j < p.n; j++) g += p.X[j * d + k] * p.X[j * d + l];
        for (let c = 0; c < K; c++) y[k * K + c] += g * x[l * K + c];
      }
    const back = blockSolve(L, d, y, K, new Float64Array(d * K));
    const viaW = new Float64Array(d * K);
    for (let k = 0; k < d; k++) for (let l = 0; l < d; l++) for (let c = 0; c < K; c++) viaW[k * K + c] += W[k * d + l] * y[l * K + c];
    for (let t = 0; t < d * K; t++) {
      expect(back[t]).toBeCloseTo(x[t], 10);
      expect(viaW[t]).toBeCloseTo(x[t], 10);
    }
    for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) expect(W[i * d + j]).toBeCloseTo(W[j * d + i], 12);
  });

  it('non-finite data get a message, not a crash', () => {
    const X = Float64Array.from(p.X);
    X[3] = NaN;
    expect(() => blockFactor(X, p.n, p.d)).toThrow(/NaN or ±∞/);
  });
});

/** L·x = b in place, L lower (the test's own solve, independent of linalg's). */
function forwardSolve(L: Float64Array, m: number, b: Float64Array): void {
  for (let i = 0; i < m; i++) {
    let s = b[i];
    for (let t = 0; t < i; t++) s -= L[i * m + t] * b[t];
    b[i] = s / L[i * m + i];
  }
}

/** The first `rows` rows of the built-in Fashion-MNIST 10×10 training file, z-scored (spec §2.2), labels ±1. */
function fmnistProblem(rows: number, P: number): Problem {
  const lines = readFileSync(join(ROOT, 'public/datasets/fmnist-pullover-bag-10x10-train.csv'), 'utf8').trim().split('\n').slice(1, rows + 1);
  const d = lines[0].split(',').length - 1;
  const X = new Float64Array(rows * d);
  const labels = lines.map((l) => l.slice(l.lastIndexOf(',') + 1));
  const first = [...new Set(labels)].sort()[0];
  const Y = Float64Array.from(labels, (c) => (c === first ? -1 : 1));
  lines.forEach((l, j) => l.split(',').slice(0, d).forEach((v, k) => (X[j * d + k] = Number(v))));
  for (let k = 0; k < d; k++) {
    let mean = 0;
    for (let j = 0; j < rows; j++) mean += X[j * d + k] / rows;
    let sq = 0;
    for (let j = 0; j < rows; j++) sq += (X[j * d + k] - mean) ** 2 / rows;
    const sd = Math.sqrt(sq);
    for (let j = 0; j < rows; j++) X[j * d + k] = sd > 0 ? (X[j * d + k] - mean) / sd : 0;
  }
  const gates = sampleGates(d, P, 1);
  return { model: 'relu', n: rows, d, P, C: 1, S: 2, K: 2 * P, beta: 1e-3, X, Y, gates, D: activationPatterns(X, rows, d, gates, P) };
}

/** PCG iterations of the first ADMM step (cold start, b = Fᵀy/ρ) to a tight fixed tolerance. */
function firstSolve(p: Problem, preconditioner: 'block' | 'nystrom' | 'none', rho: number): number {
  const cfg = testConfig(p, { preconditioner, rho, rank: 10, adaptiveRho: false, warmStart: false, pcgIters: 5000, pcgTol: 1e-6 });
  return new CpuSolver(p, cfg).stepSync().pcgIterations;
}

describe('PCG iterations: block vs Nyström rank 10', () => {
  // Pixels: XᵀX has a few dominant eigenvalues that GᵀG = I ⊗ XᵀX repeats 2P times (spec §5.4).
  const pixels = fmnistProblem(300, 6);
  for (const rho of [0.1, 1]) {
    it(`Fashion-MNIST 10×10 (n=300, d=100, P=6), ρ = ${rho}: block needs ≥ 4× fewer`, () => {
      const block = firstSolve(pixels, 'block', rho);
      const nys = firstSolve(pixels, 'nystrom', rho);
      const none = firstSolve(pixels, 'none', rho);
      console.log(`FMNIST ρ=${rho}: PCG iterations to 1e-6 — none ${none}, Nyström(10) ${nys}, block ${block}`);
      expect(block).toBeGreaterThan(0);
      expect(nys).toBeLessThan(5000);
      expect(4 * block).toBeLessThan(nys);
    });
  }
  // Gaussian features with a common factor: a milder spectrum, a smaller but clear gain.
  const factor = correlatedProblem('relu', 240, 16, 8, 11);
  it('Gaussian features with a common factor (n=240, d=16, P=8), ρ = 0.1: block needs ≥ 1.5× fewer', () => {
    const block = firstSolve(factor, 'block', 0.1);
    const nys = firstSolve(factor, 'nystrom', 0.1);
    console.log(`common factor ρ=0.1: PCG iterations to 1e-6 — Nyström(10) ${nys}, block ${block}`);
    expect(1.5 * block).toBeLessThan(nys);
  });
});

describe('block-preconditioned ADMM reaches the optimum of an exact-solve ADMM', () => {
  const p = makeProblem({ model: 'relu', n: 60, d: 5, P: 8, beta: 0.1, seed: 4 });
  const cfg = testConfig(p, { rho: 1, adaptiveRho: true, tol: 1e-10, rank: 10, pcgIters: 50, warmStart: false });
  it('relative gap ≤ 1e-6 and feasible, with ρ changing along the way (no rebuild needed)', () => {
    const exact = new CpuSolver(p, cfg, undefined, { exactSolve: true });
    let ref: IterationMetrics | undefined;
    for (let k = 0; k < 20000; k++) {
      ref = exact.stepSync();
      if (ref.converged) break;
    }
    const fStar = (ref as IterationMetrics).objective;
    expect((ref as IterationMetrics).converged).toBe(true);
    const solver = new CpuSolver(p, { ...cfg, preconditioner: 'block', tol: 1e-12 });
    expect(solver.preconditionerInUse()?.kind).toBe('block');
    const rhos = new Set<number>();
    let m: IterationMetrics | undefined;
    for (let k = 0; k < 3000; k++) {
      m = solver.stepSync();
      rhos.add(m.rho);
    }
    const mm = m as IterationMetrics;
    expect(rhos.size).toBeGreaterThan(1);
    expect(Math.abs(mm.objective - fStar) / fStar).toBeLessThan(1e-6);
    expect(mm.coneViolation).toBeLessThan(1e-5 * mm.maxAbsXU);
  });
});

describe('resolving the preconditioner setting', () => {
  const relu = { model: 'relu' as const, rank: 10 };
  it('auto: block for ReLU up to BLOCK_MAX_D and within one binding, else Nyström (or plain CG at rank 0)', () => {
    expect(resolvePreconditioner({ ...relu, preconditioner: 'auto' }, 100).kind).toBe('block');
    expect(resolvePreconditioner({ ...relu, preconditioner: 'auto' }, BLOCK_MAX_D + 1).kind).toBe('nystrom');
    expect(resolvePreconditioner({ ...relu, preconditioner: 'auto' }, 1000, 1000 * 1000 * 4 - 1).kind).toBe('nystrom');
    expect(resolvePreconditioner({ model: 'gated', rank: 10, preconditioner: 'auto' }, 100).kind).toBe('nystrom');
    expect(resolvePreconditioner({ model: 'gated', rank: 0, preconditioner: 'auto' }, 100).kind).toBe('none');
  });
  it('auto takes block for n < d too (the GPU used to take Nyström there, spec §5.5); an explicit block stays block', () => {
    expect(resolvePreconditioner({ ...relu, preconditioner: 'auto' }, 784, Infinity).kind).toBe('block');
    expect(resolvePreconditioner({ ...relu, preconditioner: 'block' }, 784, Infinity).kind).toBe('block');
  });
  it('block on gated ReLU falls back to Nyström and says why; nystrom at rank 0 is plain CG as before', () => {
    const r = resolvePreconditioner({ model: 'gated', rank: 10, preconditioner: 'block' }, 100);
    expect(r.kind).toBe('nystrom');
    expect(r.reason).toMatch(/needs the ReLU model/);
    expect(resolvePreconditioner({ ...relu, rank: 0, preconditioner: 'nystrom' }, 100).kind).toBe('none');
    expect(resolvePreconditioner({ ...relu, preconditioner: 'none' }, 100).kind).toBe('none');
  });
  it('an unknown value is named', () => {
    expect(() => resolvePreconditioner({ ...relu, preconditioner: 'jacobi' as 'auto' }, 10)).toThrow(/Unknown preconditioner "jacobi"/);
  });
});
