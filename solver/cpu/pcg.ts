/**
 * Preconditioned conjugate gradients (spec §4.3) run on B independent systems at once: the
 * right-hand sides are the blocks of a batched rows × (B·blockCols) matrix (one block per class).
 * Each block has its own α, β and stopping test, so the iterates equal B separate PCG runs;
 * batching only shares the operator passes (one GEMM for all classes).
 */

/** out = Op(x) on a whole batched matrix; `out` never aliases `x`. */
export type BatchedOperator = (x: Float64Array, out: Float64Array) => void;

/** out = M(x) for the blocks with active[b] = 1 (others may be left untouched). */
export type BatchedPreconditioner = (x: Float64Array, out: Float64Array, active: Uint8Array) => void;

/** Shape of a batched matrix: `rows` × (`blocks`·`blockCols`), row-major. */
export interface BlockShape {
  rows: number;
  blocks: number;
  blockCols: number;
}

/** Stopping rule and start of one PCG call. */
export interface PcgOptions {
  /** Absolute tolerance on the recursive residual ‖r_b‖₂ of each block. */
  tol: number;
  /** Maximum iterations per block. */
  maxIter: number;
  /** Use the incoming `x` as x0 (r0 = b − A x0); otherwise start from 0 (official cold start). */
  warmStart: boolean;
}

/** Per-block outcome. */
export interface PcgResult {
  iterations: Int32Array;
  /** Final recursive residual norms ‖r_b‖₂. */
  residualNorms: Float64Array;
}

/** Per-block inner products ⟨a_b, c_b⟩ of two batched matrices. */
export function blockDots(a: Float64Array, c: Float64Array, shape: BlockShape, out: Float64Array): Float64Array {
  const { rows, blocks, blockCols } = shape;
  const cols = blocks * blockCols;
  out.fill(0, 0, blocks);
  for (let k = 0; k < rows; k++) {
    for (let b = 0; b < blocks; b++) {
      const o = k * cols + b * blockCols;
      let s = 0;
      for (let t = 0; t < blockCols; t++) s += a[o + t] * c[o + t];
      out[b] += s;
    }
  }
  return out;
}

/** y_b += alpha_b · x_b for every block b with alpha_b ≠ 0. */
function blockAxpy(alpha: Float64Array, x: Float64Array, y: Float64Array, shape: BlockShape): void {
  const { rows, blocks, blockCols } = shape;
  const cols = blocks * blockCols;
  for (let k = 0; k < rows; k++) {
    for (let b = 0; b < blocks; b++) {
      const a = alpha[b];
      if (a === 0) continue;
      const o = k * cols + b * blockCols;
      for (let t = 0; t < blockCols; t++) y[o + t] += a * x[o + t];
    }
  }
}

/** p_b = z_b + beta_b p_b for the active blocks. */
function blockXpay(z: Float64Array, beta: Float64Array, p: Float64Array, active: Uint8Array, shape: BlockShape): void {
  const { rows, blocks, blockCols } = shape;
  const cols = blocks * blockCols;
  for (let k = 0; k < rows; k++) {
    for (let b = 0; b < blocks; b++) {
      if (!active[b]) continue;
      const be = beta[b];
      const o = k * cols + b * blockCols;
      for (let t = 0; t < blockCols; t++) p[o + t] = z[o + t] + be * p[o + t];
    }
  }
}

/**
 * Solves A x_b = rhs_b for every block b by PCG (spec §4.3), in place in `x`. Without a
 * preconditioner M = I. Stops a block when ‖r_b‖ ≤ tol (recursive residual) or after maxIter.
 */
export function pcg(
  applyA: BatchedOperator,
  applyM: BatchedPreconditioner | null,
  rhs: Float64Array,
  x: Float64Array,
  shape: BlockShape,
  opts: PcgOptions,
): PcgResult {
  const { blocks } = shape;
  const len = shape.rows * blocks * shape.blockCols;
  const r = new Float64Array(len);
  const z = applyM ? new Float64Array(len) : r;
  const p = new Float64Array(len);
  const w = new Float64Array(len);
  const active = new Uint8Array(blocks);
  const iterations = new Int32Array(blocks);
  const residualNorms = new Float64Array(blocks);
  const rz = new Float64Array(blocks);
  const rzNew = new Float64Array(blocks);
  const alpha = new Float64Array(blocks);
  const beta = new Float64Array(blocks);
  const tmp = new Float64Array(blocks);

  if (opts.warmStart) {
    applyA(x, w);
    for (let t = 0; t < len; t++) r[t] = rhs[t] - w[t];
  } else {
    x.fill(0, 0, len);
    r.set(rhs.subarray(0, len));
  }
  blockDots(r, r, shape, tmp);
  let anyActive = false;
  for (let b = 0; b < blocks; b++) {
    residualNorms[b] = Math.sqrt(tmp[b]);
    // A zero residual must stop even at tol = 0 (α would be 0/0).
    active[b] = residualNorms[b] > opts.tol && residualNorms[b] > 0 && opts.maxIter > 0 ? 1 : 0;
    anyActive ||= active[b] === 1;
  }
  if (!anyActive) return { iterations, residualNorms };
  if (applyM) applyM(r, z, active);
  p.set(z);
  blockDots(r, z, shape, rz);

  while (anyActive) {
    applyA(p, w);
    blockDots(w, p, shape, tmp);
    for (let b = 0; b < blocks; b++) {
      alpha[b] = 0;
      if (!active[b]) continue;
      if (!(tmp[b] > 0)) {
        // Breakdown (pᵀAp ≤ 0 only from rounding once converged): stop this block.
        active[b] = 0;
        continue;
      }
      alpha[b] = rz[b] / tmp[b];
    }
    blockAxpy(alpha, p, x, shape);
    for (let b = 0; b < blocks; b++) alpha[b] = -alpha[b];
    blockAxpy(alpha, w, r, shape);
    blockDots(r, r, shape, tmp);
    anyActive = false;
    for (let b = 0; b < blocks; b++) {
      if (alpha[b] === 0) continue;
      iterations[b]++;
      residualNorms[b] = Math.sqrt(tmp[b]);
      if (!(residualNorms[b] > opts.tol) || iterations[b] >= opts.maxIter) active[b] = 0;
      anyActive ||= active[b] === 1;
    }
    if (!anyActive) break;
    if (applyM) applyM(r, z, active);
    blockDots(r, z, shape, rzNew);
    for (let b = 0; b < blocks; b++) {
      beta[b] = active[b] ? rzNew[b] / rz[b] : 0;
      if (active[b]) rz[b] = rzNew[b];
    }
    blockXpay(z, beta, p, active, shape);
  }
  return { iterations, residualNorms };
}
