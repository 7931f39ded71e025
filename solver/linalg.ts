/**
 * Float64 dense linear algebra on row-major `Float64Array`s: the GEMM kernels of the CPU solver
 * and the small (r ≤ ~64) factorisations of the Nyström preconditioner (spec §5.3.2).
 * Matrix arguments are always followed by their dimensions; `out` arguments may be reused
 * between calls so the solver's inner loops allocate nothing.
 */

/** ⟨a, b⟩ over the first `len` entries (default: all of `a`). */
export function dot(a: Float64Array, b: Float64Array, len = a.length): number {
  let s = 0;
  for (let t = 0; t < len; t++) s += a[t] * b[t];
  return s;
}

/** Euclidean (Frobenius) norm of all entries. */
export function norm2(a: Float64Array): number {
  // Scaled sum so that huge/tiny entries cannot overflow/underflow the squares.
  let scale = 0;
  for (let t = 0; t < a.length; t++) scale = Math.max(scale, Math.abs(a[t]));
  if (scale === 0 || !Number.isFinite(scale)) return scale;
  let s = 0;
  for (let t = 0; t < a.length; t++) {
    const v = a[t] / scale;
    s += v * v;
  }
  return scale * Math.sqrt(s);
}

/** Σ a² (no scaling; used in hot loops where entries are known to be moderate). */
export function sumSquares(a: Float64Array): number {
  let s = 0;
  for (let t = 0; t < a.length; t++) s += a[t] * a[t];
  return s;
}

/** max |a| (0 for an empty array). */
export function maxAbs(a: Float64Array): number {
  let m = 0;
  for (let t = 0; t < a.length; t++) {
    const v = Math.abs(a[t]);
    if (v > m) m = v;
  }
  return m;
}

/** m×m identity. */
export function identity(m: number): Float64Array {
  const I = new Float64Array(m * m);
  for (let i = 0; i < m; i++) I[i * m + i] = 1;
  return I;
}

/** Transpose of an m×n matrix (n×m result). */
export function transpose(A: Float64Array, m: number, n: number, out: Float64Array = new Float64Array(m * n)): Float64Array {
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) out[j * m + i] = A[i * n + j];
  return out;
}

/**
 * The 4×4 register block of {@link matmul} and {@link matmulTA}: for r, q < 4 and j < n,
 * out[o0 + r·n + j] += Σ_q a_rq · B[b0 + q·n + j] with a_rq = A[a + r·rs + q·cs] (matmul reads A
 * by rows, rs = k and cs = 1; matmulTA by columns, rs = 1 and cs = m). Row r's coefficients are
 * held in locals and summed left to right as a_r0·c0 + a_r1·c1 + a_r2·c2 + a_r3·c3 (both callers
 * rely on that order for bit-identical results).
 */
function block4x4(out: Float64Array, o0: number, B: Float64Array, b0: number, n: number, A: Float64Array, a: number, rs: number, cs: number): void {
  const a1 = a + rs, a2 = a1 + rs, a3 = a2 + rs;
  const x0 = A[a], x1 = A[a + cs], x2 = A[a + 2 * cs], x3 = A[a + 3 * cs];
  const y0 = A[a1], y1 = A[a1 + cs], y2 = A[a1 + 2 * cs], y3 = A[a1 + 3 * cs];
  const z0 = A[a2], z1 = A[a2 + cs], z2 = A[a2 + 2 * cs], z3 = A[a2 + 3 * cs];
  const w0 = A[a3], w1 = A[a3 + cs], w2 = A[a3 + 2 * cs], w3 = A[a3 + 3 * cs];
  const o1 = o0 + n, o2 = o1 + n, o3 = o2 + n;
  const b1 = b0 + n, b2 = b1 + n, b3 = b2 + n;
  for (let j = 0; j < n; j++) {
    const c0 = B[b0 + j], c1 = B[b1 + j], c2 = B[b2 + j], c3 = B[b3 + j];
    out[o0 + j] += x0 * c0 + x1 * c1 + x2 * c2 + x3 * c3;
    out[o1 + j] += y0 * c0 + y1 * c1 + y2 * c2 + y3 * c3;
    out[o2 + j] += z0 * c0 + z1 * c1 + z2 * c2 + z3 * c3;
    out[o3 + j] += w0 * c0 + w1 * c1 + w2 * c2 + w3 * c3;
  }
}

/**
 * One output row of the 4×4 block: out[oi + j] += a0·B[b0 + j] + a1·B[b0 + n + j] + a2·… + a3·…,
 * in that order, with a_q = A[a + q·cs].
 */
function row1x4(out: Float64Array, oi: number, B: Float64Array, b0: number, n: number, A: Float64Array, a: number, cs: number): void {
  const a0 = A[a], a1 = A[a + cs], a2 = A[a + 2 * cs], a3 = A[a + 3 * cs];
  const b1 = b0 + n, b2 = b1 + n, b3 = b2 + n;
  for (let j = 0; j < n; j++) out[oi + j] += a0 * B[b0 + j] + a1 * B[b1 + j] + a2 * B[b2 + j] + a3 * B[b3 + j];
}

/** One output row of a single k: out[oi + j] += a·B[b0 + j] (the remainders of the blocked loops). */
function row1x1(out: Float64Array, oi: number, B: Float64Array, b0: number, n: number, a: number): void {
  for (let j = 0; j < n; j++) out[oi + j] += a * B[b0 + j];
}

/**
 * out = A·B (A m×k, B k×n), or out += A·B with `accumulate`. Register-blocked 4 rows × 4 k: each
 * pass over four output rows carries sixteen multiply-adds per loaded B entry group, which is
 * about twice as fast in V8 as the plain i-k-j loop (measured 2.7 vs 1.3 GMAC/s).
 */
export function matmul(A: Float64Array, B: Float64Array, m: number, k: number, n: number, out: Float64Array = new Float64Array(m * n), accumulate = false): Float64Array {
  if (!accumulate) out.fill(0, 0, m * n);
  let i = 0;
  for (; i + 3 < m; i += 4) {
    const r0 = i * k;
    let t = 0;
    for (; t + 3 < k; t += 4) block4x4(out, i * n, B, t * n, n, A, r0 + t, k, 1);
    for (; t < k; t++) {
      // Four rows of one k: each output row takes its own single product, as in the i-tail.
      for (let r = 0; r < 4; r++) row1x1(out, (i + r) * n, B, t * n, n, A[r0 + r * k + t]);
    }
  }
  for (; i < m; i++) {
    const ai = i * k;
    let t = 0;
    for (; t + 3 < k; t += 4) row1x4(out, i * n, B, t * n, n, A, ai + t, 1);
    for (; t < k; t++) row1x1(out, i * n, B, t * n, n, A[ai + t]);
  }
  return out;
}

/**
 * out = Aᵀ·B (A k×m, B k×n, out m×n), or out += Aᵀ·B. Streams the rows of A and B once (the
 * long dimension k = n samples in Xᵀ·Z), four at a time, and updates four output rows per pass
 * (4×4 register blocking) while the small output stays in cache.
 */
export function matmulTA(A: Float64Array, B: Float64Array, k: number, m: number, n: number, out: Float64Array = new Float64Array(m * n), accumulate = false): Float64Array {
  if (!accumulate) out.fill(0, 0, m * n);
  let t = 0;
  for (; t + 3 < k; t += 4) {
    const a0 = t * m;
    const b0 = t * n;
    let i = 0;
    for (; i + 3 < m; i += 4) block4x4(out, i * n, B, b0, n, A, a0 + i, 1, m);
    for (; i < m; i++) row1x4(out, i * n, B, b0, n, A, a0 + i, m);
  }
  for (; t < k; t++) {
    for (let i = 0; i < m; i++) row1x1(out, i * n, B, t * n, n, A[t * m + i]);
  }
  return out;
}

/** out = A·Bᵀ (A m×k, B n×k, out m×n): row-by-row dot products. */
export function matmulTB(
  A: Float64Array,
  B: Float64Array,
  m: number,
  k: number,
  n: number,
  out: Float64Array = new Float64Array(m * n),
): Float64Array {
  for (let i = 0; i < m; i++) {
    const ai = i * k;
    for (let j = 0; j < n; j++) {
      const bj = j * k;
      let s = 0;
      for (let t = 0; t < k; t++) s += A[ai + t] * B[bj + t];
      out[i * n + j] = s;
    }
  }
  return out;
}

/** Gram matrix XᵀX (d×d) of an n×d matrix; computed on the upper triangle and mirrored so it is exactly symmetric. */
export function gram(X: Float64Array, n: number, d: number): Float64Array {
  const Gm = matmulTA(X, X, n, d, d);
  for (let i = 0; i < d; i++) for (let j = i + 1; j < d; j++) Gm[j * d + i] = Gm[i * d + j];
  return Gm;
}

/**
 * Lower Cholesky factor L (A = L·Lᵀ) of a symmetric m×m matrix (only the lower triangle is read),
 * or null when A is not numerically positive definite.
 */
export function cholesky(A: Float64Array, m: number): Float64Array | null {
  const L = new Float64Array(m * m);
  for (let j = 0; j < m; j++) {
    let s = A[j * m + j];
    for (let t = 0; t < j; t++) s -= L[j * m + t] * L[j * m + t];
    if (!(s > 0) || !Number.isFinite(s)) return null;
    const ljj = Math.sqrt(s);
    L[j * m + j] = ljj;
    for (let i = j + 1; i < m; i++) {
      let v = A[i * m + j];
      for (let t = 0; t < j; t++) v -= L[i * m + t] * L[j * m + t];
      L[i * m + j] = v / ljj;
    }
  }
  return L;
}

/** Solves L·x = b in place (L lower m×m), x overwrites b. */
export function solveLower(L: Float64Array, m: number, b: Float64Array): Float64Array {
  for (let i = 0; i < m; i++) {
    let s = b[i];
    const li = i * m;
    for (let t = 0; t < i; t++) s -= L[li + t] * b[t];
    b[i] = s / L[li + i];
  }
  return b;
}

/** Solves Lᵀ·x = b in place (L lower m×m), x overwrites b. */
export function solveLowerT(L: Float64Array, m: number, b: Float64Array): Float64Array {
  for (let i = m - 1; i >= 0; i--) {
    let s = b[i];
    for (let t = i + 1; t < m; t++) s -= L[t * m + i] * b[t];
    b[i] = s / L[i * m + i];
  }
  return b;
}

/** Solves (L·Lᵀ)·x = b in place, given the Cholesky factor L. */
export function choleskySolve(L: Float64Array, m: number, b: Float64Array): Float64Array {
  return solveLowerT(L, m, solveLower(L, m, b));
}

/**
 * Householder thin QR of an m×n matrix (m ≥ n): A = Q·R with Q m×n orthonormal, R n×n upper
 * triangular with a non-negative diagonal (so re-orthonormalising an orthonormal matrix returns
 * it unchanged up to rounding, without sign flips).
 */
export function qrThin(A: Float64Array, m: number, n: number): { Q: Float64Array; R: Float64Array } {
  if (m < n) throw new Error(`qrThin needs m ≥ n (got ${m}×${n})`);
  const W = Float64Array.from(A.subarray(0, m * n));
  const V = new Float64Array(m * n); // column j: Householder vector of step j (unit length or 0)
  const col = new Float64Array(n);
  for (let j = 0; j < n; j++) {
    let nx = 0;
    for (let i = j; i < m; i++) nx = Math.hypot(nx, W[i * n + j]);
    if (nx === 0) continue;
    const x0 = W[j * n + j];
    const alpha = x0 >= 0 ? -nx : nx;
    let vn2 = 0;
    for (let i = j; i < m; i++) {
      const v = i === j ? x0 - alpha : W[i * n + j];
      V[i * n + j] = v;
      vn2 += v * v;
    }
    const vn = Math.sqrt(vn2);
    if (vn === 0) continue;
    for (let i = j; i < m; i++) V[i * n + j] /= vn;
    // W[j:, j:] −= 2 v (vᵀ W[j:, j:])
    col.fill(0);
    for (let i = j; i < m; i++) {
      const v = V[i * n + j];
      if (v === 0) continue;
      for (let c = j; c < n; c++) col[c] += v * W[i * n + c];
    }
    for (let i = j; i < m; i++) {
      const v = 2 * V[i * n + j];
      if (v === 0) continue;
      for (let c = j; c < n; c++) W[i * n + c] -= v * col[c];
    }
  }
  const R = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let c = i; c < n; c++) R[i * n + c] = W[i * n + c];
  // Q = H_0 ⋯ H_{n−1} [I_n; 0], applied from the last reflector backwards.
  const Q = new Float64Array(m * n);
  for (let i = 0; i < n; i++) Q[i * n + i] = 1;
  for (let j = n - 1; j >= 0; j--) {
    col.fill(0);
    for (let i = j; i < m; i++) {
      const v = V[i * n + j];
      if (v === 0) continue;
      for (let c = 0; c < n; c++) col[c] += v * Q[i * n + c];
    }
    for (let i = j; i < m; i++) {
      const v = 2 * V[i * n + j];
      if (v === 0) continue;
      for (let c = 0; c < n; c++) Q[i * n + c] -= v * col[c];
    }
  }
  for (let j = 0; j < n; j++) {
    if (R[j * n + j] >= 0) continue;
    for (let c = j; c < n; c++) R[j * n + c] = -R[j * n + c];
    for (let i = 0; i < m; i++) Q[i * n + j] = -Q[i * n + j];
  }
  return { Q, R };
}

/**
 * The Jacobi rotation (c, s) that zeroes the off-diagonal entry whose cot 2φ is `x`: the smaller
 * root t = sign(x)/(|x| + √(x² + 1)) of t² + 2xt − 1 = 0, c = 1/√(t² + 1), s = t·c (Golub & Van
 * Loan 8.5.2; the small root keeps the rotation within π/4, which is what makes the sweeps converge).
 */
function jacobiRotation(x: number): [number, number] {
  const t = (x >= 0 ? 1 : -1) / (Math.abs(x) + Math.sqrt(x * x + 1));
  const c = 1 / Math.sqrt(t * t + 1);
  return [c, t * c];
}

/**
 * Applies the rotation (c, s) to two lines of a matrix in place: for k < len, with
 * u = M[p + k·stride] and w = M[q + k·stride], u ← c·u − s·w and w ← s·u + c·w. Columns p, q of a
 * row-major m×m matrix start at p and q with stride m; rows p, q start at p·m and q·m, stride 1.
 */
function rotate(M: Float64Array, len: number, p: number, q: number, c: number, s: number, stride: number): void {
  for (let k = 0; k < len; k++) {
    const u = M[p + k * stride];
    const w = M[q + k * stride];
    M[p + k * stride] = c * u - s * w;
    M[q + k * stride] = s * u + c * w;
  }
}

/**
 * Eigendecomposition of a symmetric m×m matrix by cyclic Jacobi rotations (accurate, O(m³) per
 * sweep; meant for m ≤ ~100). Returns eigenvalues in descending order and the eigenvectors as
 * the columns of the row-major m×m `vectors`.
 */
export function symEig(A: Float64Array, m: number): { values: Float64Array; vectors: Float64Array } {
  const a = new Float64Array(m * m);
  // Symmetrise so that a slightly asymmetric input cannot stall the sweeps.
  for (let i = 0; i < m; i++) for (let j = 0; j < m; j++) a[i * m + j] = 0.5 * (A[i * m + j] + A[j * m + i]);
  const v = identity(m);
  let total = 0;
  for (let t = 0; t < m * m; t++) total += a[t] * a[t];
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    for (let i = 0; i < m; i++) for (let j = i + 1; j < m; j++) off += a[i * m + j] * a[i * m + j];
    if (off <= 1e-32 * total || off === 0) break;
    for (let p = 0; p < m - 1; p++) {
      for (let q = p + 1; q < m; q++) {
        const apq = a[p * m + q];
        if (apq === 0) continue;
        const app = a[p * m + p];
        const aqq = a[q * m + q];
        const [c, s] = jacobiRotation((aqq - app) / (2 * apq));
        rotate(a, m, p, q, c, s, m);
        rotate(a, m, p * m, q * m, c, s, 1);
        a[p * m + q] = 0;
        a[q * m + p] = 0;
        rotate(v, m, p, q, c, s, m);
      }
    }
  }
  const order = Array.from({ length: m }, (_, i) => i).sort((x, y) => a[y * m + y] - a[x * m + x]);
  const values = new Float64Array(m);
  const vectors = new Float64Array(m * m);
  order.forEach((src, dst) => {
    values[dst] = a[src * m + src];
    for (let k = 0; k < m; k++) vectors[k * m + dst] = v[k * m + src];
  });
  return { values, vectors };
}

/**
 * Thin SVD A = U·diag(s)·Vᵀ of a tall m×n matrix (m ≥ n): Householder QR, then one-sided Jacobi
 * on Rᵀ. The left factor comes out as Q times an accumulated rotation, so U is orthonormal to
 * rounding even when singular values vanish (what the Nyström factor needs); singular values are
 * descending. Right vectors of zero singular values are completed to an orthonormal V.
 */
export function svdThin(A: Float64Array, m: number, n: number): { U: Float64Array; s: Float64Array; V: Float64Array } {
  const { Q, R } = qrThin(A, m, n);
  // W = Rᵀ; rotations J from the right make W's columns orthogonal: Rᵀ·J = W ⇒ R = J·Σ·Vᵀ.
  const W = transpose(R, n, n);
  const J = identity(n);
  for (let sweep = 0; sweep < 60; sweep++) {
    let rotated = false;
    for (let p = 0; p < n - 1; p++) {
      for (let q = p + 1; q < n; q++) {
        let alpha = 0;
        let beta = 0;
        let gamma = 0;
        for (let k = 0; k < n; k++) {
          const wp = W[k * n + p];
          const wq = W[k * n + q];
          alpha += wp * wp;
          beta += wq * wq;
          gamma += wp * wq;
        }
        if (gamma === 0 || Math.abs(gamma) <= 1e-15 * Math.sqrt(alpha * beta)) continue;
        rotated = true;
        const [c, s] = jacobiRotation((beta - alpha) / (2 * gamma));
        rotate(W, n, p, q, c, s, n);
        rotate(J, n, p, q, c, s, n);
      }
    }
    if (!rotated) break;
  }
  const sig = new Float64Array(n);
  for (let j = 0; j < n; j++) {
    let s2 = 0;
    for (let k = 0; k < n; k++) s2 += W[k * n + j] * W[k * n + j];
    sig[j] = Math.sqrt(s2);
  }
  const order = Array.from({ length: n }, (_, i) => i).sort((x, y) => sig[y] - sig[x]);
  const s = new Float64Array(n);
  const Jsorted = new Float64Array(n * n);
  const V = new Float64Array(n * n);
  const smax = sig[order[0]] ?? 0;
  const filled: number[] = [];
  order.forEach((src, dst) => {
    s[dst] = sig[src];
    for (let k = 0; k < n; k++) Jsorted[k * n + dst] = J[k * n + src];
    if (sig[src] > 1e-300 && sig[src] > 1e-15 * smax) {
      for (let k = 0; k < n; k++) V[k * n + dst] = W[k * n + src] / sig[src];
      filled.push(dst);
    }
  });
  completeOrthonormal(V, n, filled);
  const U = matmul(Q, Jsorted, m, n, n);
  return { U, s, V };
}

/** Fills the columns of the n×n matrix V not listed in `filled` so that V becomes orthonormal (Gram–Schmidt on unit vectors). */
function completeOrthonormal(V: Float64Array, n: number, filled: number[]): void {
  const have = new Set(filled);
  const basis = [...filled];
  let e = 0;
  const w = new Float64Array(n);
  for (let j = 0; j < n; j++) {
    if (have.has(j)) continue;
    for (; e < n; e++) {
      w.fill(0);
      w[e] = 1;
      for (let pass = 0; pass < 2; pass++) {
        for (const b of basis) {
          let proj = 0;
          for (let k = 0; k < n; k++) proj += V[k * n + b] * w[k];
          for (let k = 0; k < n; k++) w[k] -= proj * V[k * n + b];
        }
      }
      const nw = Math.sqrt(dot(w, w));
      if (nw > 0.5) {
        for (let k = 0; k < n; k++) V[k * n + j] = w[k] / nw;
        basis.push(j);
        e++;
        break;
      }
    }
  }
}

/** Spectral norm ‖A‖₂ of an m×n matrix (via the eigenvalues of the n×n Gram; fine for small n). */
export function spectralNorm(A: Float64Array, m: number, n: number): number {
  const { values } = symEig(matmulTA(A, A, m, n, n), n);
  return Math.sqrt(Math.max(values[0] ?? 0, 0));
}
