/**
 * Reading the batched convex variable (types.ts: d×K, column (c·S + s)·P + i) per class, the
 * shape every export uses: for class c, `U` is the d×P block of sign s = 0 and, for ReLU, `W`
 * the d×P block of s = 1 (the spec's u and w; the network output is Σᵢ DᵢX(uᵢ − wᵢ)).
 */
import type { ModelKind } from '../types';

/** The convex solution an export may include. */
export interface ConvexWeights {
  /** d×K batched matrix (the solution's U or V). */
  U: Float64Array;
  /** Number of activation patterns P. */
  P: number;
}

/** Per-class blocks of one convex solution, each d×P row-major. */
export interface ConvexBlocks {
  U: Float64Array;
  /** ReLU only. */
  W?: Float64Array;
}

/** Splits `w` into per-class d×P blocks; throws a RangeError when its size does not match. */
export function convexBlocks(w: ConvexWeights, model: ModelKind, d: number, C: number): ConvexBlocks[] {
  const S = model === 'relu' ? 2 : 1;
  const { P } = w;
  const K = C * S * P;
  if (!Number.isInteger(P) || P < 1 || w.U.length !== d * K) {
    throw new RangeError(`convex weights have ${w.U.length} entries, expected d·C·S·P = ${d}·${C}·${S}·${P} = ${d * K}`);
  }
  const block = (c: number, s: number): Float64Array => {
    const out = new Float64Array(d * P);
    for (let k = 0; k < d; k++) for (let i = 0; i < P; i++) out[k * P + i] = w.U[k * K + (c * S + s) * P + i];
    return out;
  };
  return Array.from({ length: C }, (_, c) => (S === 2 ? { U: block(c, 0), W: block(c, 1) } : { U: block(c, 0) }));
}

/** Rows of an r×c row-major matrix as nested arrays; non-finite values become null (JSON has no NaN). */
export function nestedRows(a: ArrayLike<number>, rows: number, cols: number): (number | null)[][] {
  const out: (number | null)[][] = [];
  for (let r = 0; r < rows; r++) {
    const row = new Array<number | null>(cols);
    for (let c = 0; c < cols; c++) {
      const v = a[r * cols + c];
      row[c] = Number.isFinite(v) ? v : null;
    }
    out.push(row);
  }
  return out;
}
