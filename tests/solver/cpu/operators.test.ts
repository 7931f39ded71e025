import { describe, expect, it } from 'vitest';
import { CronosOperators } from '../../../solver/cpu/operators';
import { batchToFlat, blockToFlat, flatIndex, flatToBatch, flatToBlock } from '../../../solver/layout';
import { colIndex } from '../../../solver/types';
import type { ModelKind } from '../../../solver/types';
import { ata, denseF, denseG, gaussian, inner, makeProblem, mtv, mv, relErr } from '../../support/cpu-fixtures';

describe('layout', () => {
  const d = 3;
  const P = 4;
  it.each([1, 2])('batched ↔ flat follows colIndex and the official flattening (S = %i)', (S) => {
    const B = 3;
    const K = B * S * P;
    const N = S * d * P;
    // Encode (b, s, k, i) in the value so any misplacement is visible.
    const M = new Float64Array(d * K);
    for (let b = 0; b < B; b++)
      for (let s = 0; s < S; s++)
        for (let k = 0; k < d; k++)
          for (let i = 0; i < P; i++) M[k * K + colIndex({ S, P }, b, s, i)] = 1000 * b + 100 * s + 10 * k + i;
    const F = batchToFlat(M, d, P, S, B);
    expect(F.length).toBe(N * B);
    for (let b = 0; b < B; b++)
      for (let s = 0; s < S; s++)
        for (let k = 0; k < d; k++)
          for (let i = 0; i < P; i++) expect(F[flatIndex(d, P, s, k, i) * B + b]).toBe(1000 * b + 100 * s + 10 * k + i);
    expect(flatToBatch(F, d, P, S, B)).toEqual(M);
    const x = blockToFlat(M, d, P, S, B, 2);
    for (let f = 0; f < N; f++) expect(x[f]).toBe(F[f * B + 2]);
    const back = new Float64Array(d * K);
    for (let b = 0; b < B; b++) flatToBlock(blockToFlat(M, d, P, S, B, b), d, P, S, B, b, back);
    expect(back).toEqual(M);
  });

  it('flatIndex is s·dP + k·P + i', () => {
    expect(flatIndex(5, 7, 1, 2, 3)).toBe(35 + 14 + 3);
  });
});

/** Operators on B blocks vs the naive dense per-class matrices of the fixtures. */
describe.each<ModelKind>(['relu', 'gated'])('operators (%s)', (model) => {
  const p = makeProblem({ model, n: 23, d: 5, P: 6, beta: 0.1, seed: 3 });
  const ops = new CronosOperators(p);
  const { n, d, P, S } = p;
  const N = S * d * P;
  const B = 3;
  const K = B * S * P;
  const Fd = denseF(p);
  const u = gaussian(d * K, 11);
  const uFlat = batchToFlat(u, d, P, S, B);
  const col = (M: Float64Array, rows: number, cols: number, b: number): Float64Array =>
    Float64Array.from({ length: rows }, (_, a) => M[a * cols + b]);

  it('F u matches Σ_i D_i X (u_i − w_i) per block', () => {
    const f = ops.applyF(u, B, new Float64Array(n * B));
    for (let b = 0; b < B; b++) expect(relErr(col(f, n, B, b), mv(Fd, n, N, col(uFlat, N, B, b)))).toBeLessThan(1e-13);
    // fFromXU gives the same from Z = X u.
    const Z = ops.applyX(u, K, new Float64Array(n * K));
    expect(relErr(ops.fFromXU(Z, B, new Float64Array(n * B)), f)).toBeLessThan(1e-13);
  });

  it('Fᵀ r matches the dense transpose and ⟨Fu, r⟩ = ⟨u, Fᵀr⟩', () => {
    const r = gaussian(n * B, 12);
    const ftr = ops.applyFt(r, B, new Float64Array(d * K));
    const ftrFlat = batchToFlat(ftr, d, P, S, B);
    for (let b = 0; b < B; b++) expect(relErr(col(ftrFlat, N, B, b), mtv(Fd, n, N, col(r, n, B, b)))).toBeLessThan(1e-13);
    const fu = ops.applyF(u, B, new Float64Array(n * B));
    expect(Math.abs(inner(fu, r) - inner(u, ftr))).toBeLessThan(1e-12 * Math.abs(inner(fu, r)) + 1e-12);
  });

  it('A = I + FᵀF/ρ + GᵀG (GᵀG = I ⊗ XᵀX) matches the dense construction', () => {
    const rho = 0.37;
    const Ad = ata(Fd, n, N).map((v) => v / rho);
    for (let f = 0; f < N; f++) Ad[f * N + f] += 1;
    if (model === 'relu') {
      const GtG = ata(denseG(p), S * P * n, N);
      for (let t = 0; t < Ad.length; t++) Ad[t] += GtG[t];
    }
    const Au = ops.applyA(u, B, rho, new Float64Array(d * K));
    const AuFlat = batchToFlat(Au, d, P, S, B);
    for (let b = 0; b < B; b++) expect(relErr(col(AuFlat, N, B, b), mv(Ad, N, N, col(uFlat, N, B, b)))).toBeLessThan(1e-13);
    // Symmetry: ⟨Au, w⟩ = ⟨u, Aw⟩.
    const w = gaussian(d * K, 13);
    const Aw = ops.applyA(w, B, rho, new Float64Array(d * K));
    expect(Math.abs(inner(Au, w) - inner(u, Aw))).toBeLessThan(1e-12 * Math.abs(inner(Au, w)));
  });

  it('blocks are independent: B blocks at once = one block at a time', () => {
    const rho = 0.5;
    const all = ops.applyA(u, B, rho, new Float64Array(d * K));
    for (let b = 0; b < B; b++) {
      const one = flatToBatch(blockToFlat(u, d, P, S, B, b), d, P, S, 1);
      const Aone = ops.applyA(one, 1, rho, new Float64Array(d * S * P));
      expect(relErr(batchToFlat(Aone, d, P, S, 1), blockToFlat(all, d, P, S, B, b))).toBeLessThan(1e-14);
    }
  });

  if (model === 'relu') {
    const Gd = denseG(p);
    const rowsG = S * P * n;
    /** n×(B·S·P) batched z ↔ the dense G's row order (s, i, j) per block. */
    const zToDense = (z: Float64Array, b: number): Float64Array => {
      const out = new Float64Array(rowsG);
      for (let s = 0; s < S; s++)
        for (let i = 0; i < P; i++)
          for (let j = 0; j < n; j++) out[(s * P + i) * n + j] = z[j * K + colIndex({ S, P }, b, s, i)];
      return out;
    };

    it('G u matches (2D_i − I) X u_{s,i} and ⟨Gu, z⟩ = ⟨u, Gᵀz⟩', () => {
      const gu = ops.applyG(u, B, new Float64Array(n * K));
      for (let b = 0; b < B; b++) expect(relErr(zToDense(gu, b), mv(Gd, rowsG, N, col(uFlat, N, B, b)))).toBeLessThan(1e-13);
      const z = gaussian(n * K, 14);
      const gtz = ops.applyGt(z, B, new Float64Array(d * K));
      const gtzFlat = batchToFlat(gtz, d, P, S, B);
      for (let b = 0; b < B; b++) expect(relErr(col(gtzFlat, N, B, b), mtv(Gd, rowsG, N, zToDense(z, b)))).toBeLessThan(1e-13);
      expect(Math.abs(inner(gu, z) - inner(u, gtz))).toBeLessThan(1e-12 * Math.abs(inner(gu, z)));
    });

    it('GᵀG u = (I ⊗ XᵀX) u = Gᵀ(G u)', () => {
      const viaG = ops.applyGt(ops.applyG(u, B, new Float64Array(n * K)), B, new Float64Array(d * K));
      expect(relErr(ops.applyGtG(u, B, new Float64Array(d * K)), viaG)).toBeLessThan(1e-13);
    });
  } else {
    it('G does not exist for the gated model', () => {
      expect(() => ops.applyG(u, B, new Float64Array(n * K))).toThrow();
    });
  }
});
