/**
 * Safeguarded type-II Anderson acceleration of the ADMM fixed-point map ζ ↦ T(ζ) (spec §4.5;
 * research-wave2 §3.1: memory 10 with an SCS-style safeguard, a further 1.4–2.6× over
 * over-relaxation). ζ is the Douglas–Rachford variable of the backend (AdmmBackend.readFixedPoint):
 * every point it names gives a valid ADMM state (‖λ_g‖ ≤ β/ρ, ν ≤ 0, s∘ν = 0), so an
 * extrapolated ζ never breaks the dual bound's construction.
 *
 * Per step k, with x_k the input and f_k = T(x_k), g_k = f_k − x_k:
 *   γ = argmin ‖g_k − ΔG γ‖² + reg·‖γ‖²  (m×m normal equations, Cholesky, float64 on the host)
 *   x_{k+1} = f_k − ΔF γ
 * where ΔG, ΔF hold the last m differences of g and f. Safeguard: when the step taken was an
 * extrapolation and its residual ‖g‖ exceeds the residual of the last plain step, the point is
 * rejected: the next input is that plain step's output f and the memory is cleared. So a rejected
 * extrapolation costs one iteration and never more.
 */
import { cholesky, choleskySolve } from '../linalg';

/** Relative Tikhonov term of the m×m least squares (SCS uses 1e-8 too): keeps it positive definite. */
const REGULARISATION = 1e-8;

/** One Anderson accelerator for vectors of a fixed length. */
export class Anderson {
  private readonly dG: Float64Array[] = [];
  private readonly dF: Float64Array[] = [];
  private prevF: Float64Array | null = null;
  private prevG: Float64Array | null = null;
  /** Input of the step now being evaluated. */
  private x: Float64Array;
  /** Whether x is an extrapolated point (not the plain map's output). */
  private extrapolated = false;
  /** f and ‖g‖ of the last plain (accepted) step, for the safeguard. */
  private safeF: Float64Array | null = null;
  private safeNorm = Infinity;
  /** Extrapolations taken and rejected (for tests and reports). */
  accepted = 0;
  rejected = 0;

  constructor(
    readonly memory: number,
    readonly length: number,
  ) {
    if (!(Number.isInteger(memory) && memory >= 1)) throw new Error(`Anderson memory must be a positive integer (got ${memory}).`);
    this.x = new Float64Array(length);
  }

  /** Forgets the history (after a ρ change the scaled duals in ζ change meaning); x becomes `current`. */
  reset(current: Float64Array): void {
    this.dG.length = 0;
    this.dF.length = 0;
    this.prevF = null;
    this.prevG = null;
    this.safeF = null;
    this.safeNorm = Infinity;
    this.extrapolated = false;
    this.x.set(current);
  }

  /**
   * Given f = T(x) of the step just done, the next input: `null` to continue from f itself (plain
   * ADMM), or the point to continue from (extrapolated, or the safeguard's fallback).
   */
  next(f: Float64Array): Float64Array | null {
    const n = this.length;
    const g = new Float64Array(n);
    for (let i = 0; i < n; i++) g[i] = f[i] - this.x[i];
    const gNorm = Math.sqrt(dot(g, g));
    if (this.extrapolated && this.safeF && gNorm > this.safeNorm) {
      // Rejected: back to the last plain output, memory cleared.
      this.rejected++;
      const back = this.safeF;
      this.reset(back);
      return back;
    }
    if (this.prevF && this.prevG) {
      const dg = new Float64Array(n);
      const df = new Float64Array(n);
      for (let i = 0; i < n; i++) {
        dg[i] = g[i] - this.prevG[i];
        df[i] = f[i] - this.prevF[i];
      }
      this.dG.push(dg);
      this.dF.push(df);
      if (this.dG.length > this.memory) {
        this.dG.shift();
        this.dF.shift();
      }
    }
    this.prevF = Float64Array.from(f);
    this.prevG = g;
    this.safeF = this.prevF;
    this.safeNorm = gNorm;
    const gamma = this.dG.length > 0 ? leastSquares(this.dG, g) : null;
    if (!gamma) {
      this.extrapolated = false;
      this.x.set(f);
      return null;
    }
    const out = Float64Array.from(f);
    for (let j = 0; j < gamma.length; j++) {
      const df = this.dF[j];
      const c = gamma[j];
      for (let i = 0; i < n; i++) out[i] -= c * df[i];
    }
    this.accepted++;
    this.extrapolated = true;
    this.x.set(out);
    return out;
  }
}

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

/** argmin_γ ‖g − Σ_j γ_j cols_j‖² + reg‖γ‖² by the normal equations; null if they are not solvable. */
export function leastSquares(cols: Float64Array[], g: Float64Array): Float64Array | null {
  const m = cols.length;
  const M = new Float64Array(m * m);
  const rhs = new Float64Array(m);
  let trace = 0;
  for (let a = 0; a < m; a++) {
    for (let b = a; b < m; b++) {
      const v = dot(cols[a], cols[b]);
      M[a * m + b] = v;
      M[b * m + a] = v;
    }
    trace += M[a * m + a];
    rhs[a] = dot(cols[a], g);
  }
  if (!(trace > 0) || !Number.isFinite(trace)) return null;
  const reg = REGULARISATION * trace;
  for (let a = 0; a < m; a++) M[a * m + a] += reg;
  const L = cholesky(M, m);
  if (!L) return null;
  const gamma = choleskySolve(L, m, rhs);
  for (const v of gamma) if (!Number.isFinite(v)) return null;
  return gamma;
}
