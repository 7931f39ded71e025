import { describe, expect, it } from 'vitest';
import { pcg } from '../../../solver/cpu/pcg';
import type { BatchedOperator, BlockShape } from '../../../solver/cpu/pcg';
import { cholesky, choleskySolve, gram } from '../../../solver/linalg';
import { gaussian, nrm, relErr } from '../../support/cpu-fixtures';

/**
 * A batched operator that applies a different dense SPD matrix to each block (so a mix-up of the
 * per-block α, β would show), on rows × (blocks·blockCols) matrices flattened per block row-major.
 */
function blockSystem(shape: BlockShape, seed: number): { apply: BatchedOperator; mats: Float64Array[]; dim: number } {
  const dim = shape.rows * shape.blockCols;
  const mats: Float64Array[] = [];
  for (let b = 0; b < shape.blocks; b++) {
    const M = gram(gaussian(2 * dim * dim, seed + b), 2 * dim, dim);
    for (let i = 0; i < dim; i++) M[i * dim + i] += 0.1 * (b + 1);
    mats.push(M);
  }
  const cols = shape.blocks * shape.blockCols;
  const get = (x: Float64Array, b: number): Float64Array => {
    const v = new Float64Array(dim);
    for (let k = 0; k < shape.rows; k++) for (let t = 0; t < shape.blockCols; t++) v[k * shape.blockCols + t] = x[k * cols + b * shape.blockCols + t];
    return v;
  };
  const apply: BatchedOperator = (x, out) => {
    for (let b = 0; b < shape.blocks; b++) {
      const v = get(x, b);
      for (let k = 0; k < shape.rows; k++)
        for (let t = 0; t < shape.blockCols; t++) {
          const row = k * shape.blockCols + t;
          let s = 0;
          for (let q = 0; q < dim; q++) s += mats[b][row * dim + q] * v[q];
          out[k * cols + b * shape.blockCols + t] = s;
        }
    }
  };
  return { apply, mats, dim };
}

function blockOf(x: Float64Array, shape: BlockShape, b: number): Float64Array {
  const cols = shape.blocks * shape.blockCols;
  const v = new Float64Array(shape.rows * shape.blockCols);
  for (let k = 0; k < shape.rows; k++) for (let t = 0; t < shape.blockCols; t++) v[k * shape.blockCols + t] = x[k * cols + b * shape.blockCols + t];
  return v;
}

describe('block PCG', () => {
  const shape: BlockShape = { rows: 3, blocks: 3, blockCols: 4 };
  const { apply, mats, dim } = blockSystem(shape, 1);
  const len = shape.rows * shape.blocks * shape.blockCols;
  const rhs = gaussian(len, 2);

  it('each block converges to its own dense solution with the absolute tolerance', () => {
    const x = new Float64Array(len);
    const res = pcg(apply, null, rhs, x, shape, { tol: 1e-10, maxIter: 500, warmStart: false });
    for (let b = 0; b < shape.blocks; b++) {
      expect(res.residualNorms[b]).toBeLessThanOrEqual(1e-10);
      const L = cholesky(mats[b], dim) as Float64Array;
      const exact = choleskySolve(L, dim, blockOf(rhs, shape, b));
      expect(relErr(blockOf(x, shape, b), exact)).toBeLessThan(1e-7);
      // CG in exact arithmetic needs at most dim iterations; allow rounding slack.
      expect(res.iterations[b]).toBeLessThanOrEqual(3 * dim);
    }
  });

  it('blocks are independent: the batched run equals single-block runs', () => {
    const x = new Float64Array(len);
    const res = pcg(apply, null, rhs, x, shape, { tol: 1e-6, maxIter: 7, warmStart: false });
    for (let b = 0; b < shape.blocks; b++) {
      const one: BlockShape = { rows: shape.rows, blocks: 1, blockCols: shape.blockCols };
      const applyOne: BatchedOperator = (v, out) => {
        // Embed the single block at position b of a zero batch, apply, extract.
        const big = new Float64Array(len);
        const cols = shape.blocks * shape.blockCols;
        for (let k = 0; k < shape.rows; k++) for (let t = 0; t < shape.blockCols; t++) big[k * cols + b * shape.blockCols + t] = v[k * shape.blockCols + t];
        const bigOut = new Float64Array(len);
        apply(big, bigOut);
        out.set(blockOf(bigOut, shape, b));
      };
      const xb = new Float64Array(shape.rows * shape.blockCols);
      const r1 = pcg(applyOne, null, blockOf(rhs, shape, b), xb, one, { tol: 1e-6, maxIter: 7, warmStart: false });
      expect(r1.iterations[0]).toBe(res.iterations[b]);
      expect(relErr(blockOf(x, shape, b), xb)).toBeLessThan(1e-12);
    }
  });

  it('respects maxIter, and a warm start at the solution needs no iteration', () => {
    const x = new Float64Array(len);
    const res = pcg(apply, null, rhs, x, shape, { tol: 0, maxIter: 3, warmStart: false });
    expect(Array.from(res.iterations)).toEqual([3, 3, 3]);
    pcg(apply, null, rhs, x, shape, { tol: 1e-12, maxIter: 500, warmStart: true });
    const again = pcg(apply, null, rhs, x, shape, { tol: 1e-9, maxIter: 500, warmStart: true });
    expect(Array.from(again.iterations)).toEqual([0, 0, 0]);
    // The reported residual is the true one at the warm start.
    const Ax = new Float64Array(len);
    apply(x, Ax);
    const r = Ax.map((v, t) => rhs[t] - v);
    for (let b = 0; b < shape.blocks; b++) expect(again.residualNorms[b]).toBeCloseTo(nrm(blockOf(r, shape, b)), 12);
  });

  it('stops at once for a zero right-hand side even with tol = 0', () => {
    const x = gaussian(len, 5);
    const res = pcg(apply, null, new Float64Array(len), x, shape, { tol: 0, maxIter: 10, warmStart: false });
    expect(Array.from(res.iterations)).toEqual([0, 0, 0]);
    expect(nrm(x)).toBe(0);
  });
});
