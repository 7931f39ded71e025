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
import { choleskySolve, matmul } from '../linalg';
import type { Problem } from '../types';
import type { CronosOperators } from './operators';
import { woodburyCore, woodburyFactor, woodburyH } from '../woodbury-core';

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
    const { n, d, K, C } = problem;
    this.H = woodburyH(problem, ops.gramX);
    this.core = woodburyCore(problem, this.H);
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
    return woodburyFactor(this.core, this.problem.n, rho);
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
