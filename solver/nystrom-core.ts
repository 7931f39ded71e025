/**
 * Randomized Nyström preconditioner algebra (spec §5), in float64, shared by the CPU and the
 * WebGPU solver: the GPU only computes the sketch Y = A·Ω; everything r-sized happens here.
 * All matrices are in the spec's flat per-class order (length N = S·d·P, see layout.ts), N×r row-major.
 */
import { createRng, RNG_STREAM } from './rng';
import { cholesky, matmulTA, qrThin, solveLower, spectralNorm, svdThin, symEig } from './linalg';

/** Machine epsilon of float32 (2⁻²³), the scale of the shift for a sketch that may come from a float32 GPU. */
export const EPS_F32 = 2 ** -23;

/** The factored approximation A ≈ U·diag(lambda)·Uᵀ. */
export interface NystromFactor {
  /** N×r row-major, orthonormal columns. */
  U: Float64Array;
  /** r eigenvalue estimates Λ̂, descending, ≥ 0. */
  lambda: Float64Array;
}

/**
 * Orthonormal Gaussian test matrix Ω (N×r row-major): i.i.d. N(0,1) entries drawn in row-major
 * order from `createRng(seed, RNG_STREAM.nystrom)`, then the Q of a thin QR (spec §5.1).
 */
export function orthonormalTestMatrix(N: number, r: number, seed: number): Float64Array {
  if (r > N) throw new Error(`Nyström rank ${r} exceeds the dimension N = ${N}`);
  const rng = createRng(seed, RNG_STREAM.nystrom);
  const G = new Float64Array(N * r);
  for (let t = 0; t < G.length; t++) G[t] = rng.normal();
  return qrThin(G, N, r).Q;
}

/**
 * Builds the Nyström factor from a sketch Y = A·Ω (spec §5.1 with the fixes of §5.3):
 * shift ν = √N·2⁻²³·‖Y‖₂ (meaningful even when Y came from float32), Y_ν = Y + νΩ, core ΩᵀY_ν
 * symmetrised, Cholesky C (eigen-shift fallback if the core is not numerically PD),
 * Bᵀ = Y_ν·C⁻ᵀ, thin SVD Bᵀ = U·Σ·Vᵀ, Λ̂ = max(Σ² − ν, 0); U is re-orthonormalised in float64.
 */
export function nystromFromSketch(Omega: Float64Array, Y: Float64Array, N: number, r: number): NystromFactor {
  if (r === 0) return { U: new Float64Array(0), lambda: new Float64Array(0) };
  const nu = Math.sqrt(N) * EPS_F32 * spectralNorm(Y, N, r);
  const Ynu = new Float64Array(N * r);
  for (let t = 0; t < Ynu.length; t++) Ynu[t] = Y[t] + nu * Omega[t];
  const core = matmulTA(Omega, Ynu, N, r, r);
  for (let i = 0; i < r; i++) {
    for (let j = i + 1; j < r; j++) {
      const avg = 0.5 * (core[i * r + j] + core[j * r + i]);
      core[i * r + j] = avg;
      core[j * r + i] = avg;
    }
  }
  const C = choleskyWithShift(core, r, nu);
  // Row f of Bᵀ = Y_ν C⁻ᵀ solves C·z = (row f of Y_ν)ᵀ.
  const Bt = Ynu;
  const row = new Float64Array(r);
  for (let f = 0; f < N; f++) {
    for (let j = 0; j < r; j++) row[j] = Bt[f * r + j];
    solveLower(C, r, row);
    for (let j = 0; j < r; j++) Bt[f * r + j] = row[j];
  }
  const { U, s } = svdThin(Bt, N, r);
  const lambda = new Float64Array(r);
  for (let j = 0; j < r; j++) lambda[j] = Math.max(s[j] * s[j] - nu, 0);
  // Q of an already orthonormal U is U itself (non-negative R diagonal), polished to float64 rounding.
  return { U: qrThin(U, N, r).Q, lambda };
}

/**
 * Cholesky of the r×r core; if it is not numerically PD, shift by |λ_min| + ν (sketchyopts-style,
 * spec §5.3.3) and retry with ten-fold larger shifts.
 */
function choleskyWithShift(core: Float64Array, r: number, nu: number): Float64Array {
  const direct = cholesky(core, r);
  if (direct) return direct;
  const { values } = symEig(core, r);
  const lmin = values[r - 1];
  let trace = 0;
  for (let i = 0; i < r; i++) trace += Math.abs(core[i * r + i]);
  let shift = Math.max(Math.abs(lmin) + nu, 2 ** -52 * Math.max(trace, Number.MIN_VALUE));
  const shifted = new Float64Array(core);
  for (let attempt = 0; attempt < 30; attempt++, shift *= 10) {
    for (let i = 0; i < r; i++) shifted[i * r + i] = core[i * r + i] + shift;
    const L = cholesky(shifted, r);
    if (L) return L;
  }
  throw new Error('Nyström core is not positive definite even after shifting');
}

/**
 * Coefficients c_j = (λ̂_r + μ)/(λ̂_j + μ) − 1 ∈ (−1, 0] of the preconditioner M = I + U·diag(c)·Uᵀ
 * (the cancellation-friendly form of spec §5.2); λ̂_r is the last (smallest) kept eigenvalue.
 */
export function nystromCoefficients(lambda: Float64Array, mu: number): Float64Array {
  const r = lambda.length;
  const c = new Float64Array(r);
  if (r === 0) return c;
  const lr = lambda[r - 1];
  for (let j = 0; j < r; j++) c[j] = (lr + mu) / (lambda[j] + mu) - 1;
  return c;
}

/**
 * out = x + U·(c ∘ (Uᵀx)) for precomputed coefficients c (see {@link nystromCoefficients}).
 * `out` may alias `x`; `work` (length r) avoids an allocation per call.
 */
export function nystromApplyCoeffs(
  U: Float64Array,
  coeffs: Float64Array,
  N: number,
  r: number,
  x: Float64Array,
  out: Float64Array,
  work: Float64Array = new Float64Array(r),
): Float64Array {
  work.fill(0, 0, r);
  for (let f = 0; f < N; f++) {
    const xf = x[f];
    if (xf === 0) continue;
    const uf = f * r;
    for (let j = 0; j < r; j++) work[j] += U[uf + j] * xf;
  }
  for (let j = 0; j < r; j++) work[j] *= coeffs[j];
  for (let f = 0; f < N; f++) {
    const uf = f * r;
    let s = 0;
    for (let j = 0; j < r; j++) s += U[uf + j] * work[j];
    out[f] = x[f] + s;
  }
  return out;
}

/**
 * Applies the inverse Nyström preconditioner of spec §5.2,
 * M x = (λ̂_r + μ)·U(Λ̂ + μI)⁻¹Uᵀx + (x − UUᵀx) = x + U(c ∘ (Uᵀx)); CRONOS uses μ = ρ.
 */
export function nystromApply(
  U: Float64Array,
  lambda: Float64Array,
  N: number,
  r: number,
  mu: number,
  x: Float64Array,
  out: Float64Array,
  work?: Float64Array,
): Float64Array {
  return nystromApplyCoeffs(U, nystromCoefficients(lambda, mu), N, r, x, out, work);
}

/** The Nyström rank a solver uses: the configured rank, clamped to the system size N = S·d·P (both devices). */
export function effectiveRank(rank: number, N: number): number {
  return Math.max(0, Math.min(Math.floor(rank), N));
}
