/**
 * Float64 algebra of the exact u-solve (spec §5.6), shared by the CPU solver (solver/cpu/woodbury.ts,
 * which solves with it directly) and the WebGPU solver (solver/gpu/woodbury.ts, which uploads its
 * factors and uses it as PCG's preconditioner):
 *
 *   A(ρ) = B + FᵀF/ρ,  B = I ⊗ (I + XᵀX) (ReLU) or I (gated)
 *   A⁻¹b = y − B⁻¹Fᵀ (ρI + core)⁻¹ F y,   y = B⁻¹b,   core = F B⁻¹ Fᵀ = S·(X H Xᵀ) ∘ (D Dᵀ)
 *
 * with H = (I + XᵀX)⁻¹ (gated: H = I, S = 1). The core is n×n, the same for every class and
 * independent of ρ; a ρ change only refactors ρI + core.
 */
import { cholesky, choleskySolve, matmul } from './linalg';
import { blockFactor } from './preconditioner';
import type { Problem } from './types';

/** What the core needs of a problem. */
export type WoodburyProblem = Pick<Problem, 'model' | 'n' | 'd' | 'P' | 'X' | 'D'>;

/** H = (I + XᵀX)⁻¹ (d×d, ReLU) or null (gated: B = I). `gramX` is XᵀX when the caller has it. */
export function woodburyH(problem: WoodburyProblem, gramX: Float64Array | null = null): Float64Array | null {
  if (problem.model !== 'relu') return null;
  return inverseFromCholesky(blockFactor(problem.X, problem.n, problem.d, gramX), problem.d);
}

/**
 * core = S·(X H Xᵀ) ∘ (D Dᵀ) (n×n, row-major): entry (j, k) is S·⟨(XH)_j, X_k⟩ times the number of
 * patterns active on both rows j and k, since each pattern i contributes D_i X H Xᵀ D_i and the
 * S sign blocks of a pattern contribute alike. n²·(d + P)/2 flops.
 */
export function woodburyCore(problem: WoodburyProblem, H: Float64Array | null): Float64Array {
  const { n, d, P, X, D } = problem;
  const XH = H ? matmul(X, H, n, d, d) : X;
  const S = problem.model === 'relu' ? 2 : 1;
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
  return core;
}

/** Lower Cholesky factor of ρI + core (n×n); throws a clear message when it cannot (non-finite data or ρ). */
export function woodburyFactor(core: Float64Array, n: number, rho: number): Float64Array {
  const M = Float64Array.from(core);
  for (let j = 0; j < n; j++) M[j * n + j] += rho;
  const L = cholesky(M, n);
  // ρI + (PSD core) is positive definite for ρ > 0; a failure means non-finite data or ρ.
  if (!L) throw new Error(`The exact u-solve could not factor ρI + F(I + XᵀX)⁻¹Fᵀ at ρ = ${rho}: the data or ρ are not finite.`);
  return L;
}

/**
 * (L⁻¹)ᵀ for a lower triangular L (n×n, row-major): row j is column j of L⁻¹, the solution of
 * L·b = e_j by forward substitution, so every inner loop runs along a row of L (cache-friendly at
 * n in the thousands, unlike a column-wise fill of L⁻¹). n³/6 flops.
 */
export function inverseFactorTransposed(L: Float64Array, n: number): Float64Array {
  const Wt = new Float64Array(n * n);
  for (let j = 0; j < n; j++) {
    const row = j * n;
    // b_i = 0 for i < j; b_j = 1/L_jj; b_i = −Σ_{j≤t<i} L_it b_t / L_ii.
    Wt[row + j] = 1 / L[j * n + j];
    for (let i = j + 1; i < n; i++) {
      const li = i * n;
      let s = 0;
      for (let t = j; t < i; t++) s -= L[li + t] * Wt[row + t];
      Wt[row + i] = s / L[li + i];
    }
  }
  return Wt;
}

/** (L·Lᵀ)⁻¹ as a dense d×d matrix (column by column). */
export function inverseFromCholesky(L: Float64Array, d: number): Float64Array {
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
