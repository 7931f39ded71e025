/**
 * The CPU solver's exact u-solve for problems with few rows (spec §5.6), by Woodbury on the
 * block part of A:
 *
 *   A = B + FᵀF/ρ,  B = I ⊗ (I + XᵀX) (ReLU; GᵀG = I ⊗ XᵀX) or I (gated)
 *   A⁻¹b = y − B⁻¹Fᵀ (ρI + F B⁻¹ Fᵀ)⁻¹ F y,   y = B⁻¹b
 *
 * F B⁻¹ Fᵀ = S·(X H Xᵀ) ∘ (D Dᵀ), H = (I + XᵀX)⁻¹ (gated: H = I, S = 1): every column of a
 * pattern i contributes D_i X H Xᵀ D_i, and the S sign blocks of a pattern contribute alike. It
 * is n×n, the same for every class, and independent of ρ, so it is formed once; a ρ change only
 * refactors ρI + core. Setup is n²·(d + P) for the core and n³/3 for its Cholesky; a solve is
 * two products with X (F and Fᵀ), two d×d·d×K products and C triangular pairs of size n.
 */
import { cholesky, choleskySolve, matmul } from '../linalg';
import type { Problem } from '../types';
import type { CronosOperators } from './operators';
import { blockFactor } from '../preconditioner';

/** Exact solves with A(ρ) for one problem (see the file comment). */
export class WoodburySolve {
  private readonly H: Float64Array | null;
  private readonly core: Float64Array;
  private L: Float64Array;
  private readonly y: Float64Array;
  private readonly t: Float64Array;
  private readonly r: Float64Array;
  private readonly z: Float64Array;
  private readonly col: Float64Array;

  constructor(
    private readonly problem: Pick<Problem, 'model' | 'n' | 'd' | 'P' | 'C' | 'K' | 'X' | 'D'>,
    private readonly ops: CronosOperators,
    rho: number,
  ) {
    const { n, d, P, K, C, X, D } = problem;
    const relu = problem.model === 'relu';
    this.H = relu ? inverseFromCholesky(blockFactor(X, n, d, ops.gramX), d) : null;
    // XH (n×d), then core_jk = S·⟨(XH)_j, X_k⟩·#{i : D_ji = D_ki = 1}.
    const XH = this.H ? matmul(X, this.H, n, d, d) : X;
    const S = relu ? 2 : 1;
    const core = new Float64Array(n * n);
    for (let j = 0; j < n; j++) {
      for (let k = 0; k <= j; k++) {
        let shared = 0;
        for (let i = 0; i < P; i++) shared += D[j * P + i] & D[k * P + i];
        if (shared === 0) continue;
        let q = 0;
        for (let t = 0; t < d; t++) q += XH[j * d + t] * X[k * d + t];
        const v = S * shared * q;
        core[j * n + k] = v;
        core[k * n + j] = v;
      }
    }
    this.core = core;
    this.L = this.factorAt(rho);
    this.y = new Float64Array(d * K);
    this.r = new Float64Array(d * K);
    this.z = new Float64Array(d * K);
    this.t = new Float64Array(n * C);
    this.col = new Float64Array(n);
  }

  /** Refactors ρI + F B⁻¹ Fᵀ for a new ρ (the core is kept). */
  factor(rho: number): void {
    this.L = this.factorAt(rho);
  }

  private factorAt(rho: number): Float64Array {
    const n = this.problem.n;
    const M = Float64Array.from(this.core);
    for (let j = 0; j < n; j++) M[j * n + j] += rho;
    const L = cholesky(M, n);
    // ρI + (PSD core) is positive definite for ρ > 0; a failure means non-finite data or ρ.
    if (!L) throw new Error(`The exact u-solve could not factor ρI + F(I + XᵀX)⁻¹Fᵀ at ρ = ${rho}: the data or ρ are not finite.`);
    return L;
  }

  /** out = A(ρ)⁻¹ b for a d×K right-hand side (the batched layout); `out` must not alias `b`. */
  solve(b: Float64Array, out: Float64Array): void {
    const { n, d, K, C } = this.problem;
    const { y, t, r, z, col } = this;
    if (this.H) matmul(this.H, b, d, d, K, y);
    else y.set(b);
    this.ops.applyF(y, C, t);
    for (let c = 0; c < C; c++) {
      for (let j = 0; j < n; j++) col[j] = t[j * C + c];
      choleskySolve(this.L, n, col);
      for (let j = 0; j < n; j++) t[j * C + c] = col[j];
    }
    this.ops.applyFt(t, C, r);
    if (this.H) matmul(this.H, r, d, d, K, z);
    else z.set(r);
    for (let q = 0; q < d * K; q++) out[q] = y[q] - z[q];
  }
}

/** (L·Lᵀ)⁻¹ as a dense d×d matrix (column by column). */
function inverseFromCholesky(L: Float64Array, d: number): Float64Array {
  const H = new Float64Array(d * d);
  const e = new Float64Array(d);
  for (let j = 0; j < d; j++) {
    e.fill(0);
    e[j] = 1;
    const x = choleskySolve(L, d, e);
    for (let i = 0; i < d; i++) H[i * d + j] = x[i];
  }
  return H;
}
