/**
 * The linear operators of spec §3 (F, Fᵀ, G, Gᵀ, A) in float64, acting on the batched variable
 * layout (solver/layout.ts): a d × (B·S·P) matrix holding B blocks (the C classes, or the r
 * columns of a Nyström sketch). Every operator is a few GEMMs with B·P or B·S·P columns, so all
 * blocks share one pass over X.
 */
import { gram, matmul, matmulTA } from '../linalg';
import type { Problem } from '../types';

/** Scratch buffers for one block count B (reused across calls to avoid allocation in PCG). */
interface Scratch {
  /** d×(B·P): U⁺ − U⁻ per block (ReLU) or U (gated). */
  delta: Float64Array;
  /** n×(B·P): X·delta, then overwritten by D ∘ (f 1ᵀ). */
  z: Float64Array;
  /** n×B: F u. */
  f: Float64Array;
  /** d×(B·P): Xᵀ(D ∘ f 1ᵀ). */
  t: Float64Array;
}

/** F, Fᵀ, G, Gᵀ and A = I + FᵀF/ρ + GᵀG for one problem (spec §3), generic in the number of blocks. */
export class CronosOperators {
  readonly n: number;
  readonly d: number;
  readonly P: number;
  /** 2 for ReLU, 1 for gated. */
  readonly S: number;
  readonly relu: boolean;
  readonly X: Float64Array;
  readonly D: Uint8Array;
  /** XᵀX (d×d): GᵀG = I ⊗ XᵀX because E∘E = 1 (spec §3), so A never touches E. Null for gated. */
  readonly gramX: Float64Array | null;
  private readonly scratch = new Map<number, Scratch>();

  constructor(problem: Pick<Problem, 'model' | 'n' | 'd' | 'P' | 'X' | 'D'>) {
    this.n = problem.n;
    this.d = problem.d;
    this.P = problem.P;
    this.relu = problem.model === 'relu';
    this.S = this.relu ? 2 : 1;
    this.X = problem.X;
    this.D = problem.D;
    this.gramX = this.relu ? gram(problem.X, problem.n, problem.d) : null;
  }

  /** Number of columns B·S·P of a batched variable with B blocks. */
  cols(B: number): number {
    return B * this.S * this.P;
  }

  /** Drops the scratch buffers of block count B (e.g. after the one-off Nyström sketch). */
  release(B: number): void {
    this.scratch.delete(B);
  }

  private buffers(B: number): Scratch {
    let s = this.scratch.get(B);
    if (!s) {
      const { n, d, P } = this;
      s = {
        delta: new Float64Array(d * B * P),
        z: new Float64Array(n * B * P),
        f: new Float64Array(n * B),
        t: new Float64Array(d * B * P),
      };
      this.scratch.set(B, s);
    }
    return s;
  }

  /** out (n×cols) = X·u for a d×cols matrix u. */
  applyX(u: Float64Array, cols: number, out: Float64Array): Float64Array {
    return matmul(this.X, u, this.n, this.d, cols, out);
  }

  /** out (d×cols) = Xᵀ·z for an n×cols matrix z. */
  applyXt(z: Float64Array, cols: number, out: Float64Array, accumulate = false): Float64Array {
    return matmulTA(this.X, z, this.n, this.d, cols, out, accumulate);
  }

  /** delta = U⁺ − U⁻ per block (ReLU) or U (gated): F only sees this difference. */
  private signDifference(u: Float64Array, B: number, delta: Float64Array): void {
    const { d, P, S } = this;
    const K = B * S * P;
    const BP = B * P;
    for (let k = 0; k < d; k++) {
      for (let b = 0; b < B; b++) {
        const src = k * K + b * S * P;
        const dst = k * BP + b * P;
        if (S === 2) for (let i = 0; i < P; i++) delta[dst + i] = u[src + i] - u[src + P + i];
        else for (let i = 0; i < P; i++) delta[dst + i] = u[src + i];
      }
    }
  }

  /** out (n×B) = F·(X u) given Z = X·u (n×(B·S·P)): (Fu)_b = Σ_i D_i (Z⁺_i − Z⁻_i). */
  fFromXU(Z: Float64Array, B: number, out: Float64Array): Float64Array {
    const { n, P, S, D } = this;
    const K = B * S * P;
    for (let j = 0; j < n; j++) {
      const zr = j * K;
      const dr = j * P;
      for (let b = 0; b < B; b++) {
        const c0 = zr + b * S * P;
        let acc = 0;
        if (S === 2) {
          for (let i = 0; i < P; i++) if (D[dr + i]) acc += Z[c0 + i] - Z[c0 + P + i];
        } else {
          for (let i = 0; i < P; i++) if (D[dr + i]) acc += Z[c0 + i];
        }
        out[j * B + b] = acc;
      }
    }
    return out;
  }

  /** out (n×B) = F u: (F u)_b = Σ_i D_i X (u_{b,0,i} − u_{b,1,i}) (gated: Σ_i D_i X u_{b,0,i}). */
  applyF(u: Float64Array, B: number, out: Float64Array): Float64Array {
    const { n, d, P, D } = this;
    const BP = B * P;
    const sc = this.buffers(B);
    this.signDifference(u, B, sc.delta);
    matmul(this.X, sc.delta, n, d, BP, sc.z);
    for (let j = 0; j < n; j++) {
      const zr = j * BP;
      const dr = j * P;
      for (let b = 0; b < B; b++) {
        let acc = 0;
        const c0 = zr + b * P;
        for (let i = 0; i < P; i++) if (D[dr + i]) acc += sc.z[c0 + i];
        out[j * B + b] = acc;
      }
    }
    return out;
  }

  /**
   * out (d×(B·S·P)) = Fᵀ r for r n×B: block (b, s=0, i) = XᵀD_i r_b, block (b, s=1, i) its negation
   * (`scale` multiplies the result; `accumulate` adds into out).
   */
  applyFt(r: Float64Array, B: number, out: Float64Array, scale = 1, accumulate = false): Float64Array {
    const sc = this.buffers(B);
    this.ftCore(r, B, sc);
    this.scatterT(sc.t, B, out, scale, accumulate);
    return out;
  }

  /** t = Xᵀ(D ∘ (r 1ᵀ)) per block (d×(B·P)). */
  private ftCore(r: Float64Array, B: number, sc: Scratch): void {
    const { n, d, P, D } = this;
    const BP = B * P;
    const m = sc.z;
    for (let j = 0; j < n; j++) {
      const mr = j * BP;
      const dr = j * P;
      for (let b = 0; b < B; b++) {
        const rv = r[j * B + b];
        const c0 = mr + b * P;
        for (let i = 0; i < P; i++) m[c0 + i] = D[dr + i] ? rv : 0;
      }
    }
    matmulTA(this.X, m, n, d, BP, sc.t);
  }

  /** out (+)= scale·(T, −T) per block, i.e. writes a d×(B·P) result of Fᵀ into the batched layout. */
  private scatterT(t: Float64Array, B: number, out: Float64Array, scale: number, accumulate: boolean): void {
    const { d, P, S } = this;
    const K = B * S * P;
    const BP = B * P;
    for (let k = 0; k < d; k++) {
      for (let b = 0; b < B; b++) {
        const src = k * BP + b * P;
        const dst = k * K + b * S * P;
        if (accumulate) {
          for (let i = 0; i < P; i++) out[dst + i] += scale * t[src + i];
          if (S === 2) for (let i = 0; i < P; i++) out[dst + P + i] -= scale * t[src + i];
        } else {
          for (let i = 0; i < P; i++) out[dst + i] = scale * t[src + i];
          if (S === 2) for (let i = 0; i < P; i++) out[dst + P + i] = -scale * t[src + i];
        }
      }
    }
  }

  /** out (+)= scale·FᵀF u (d×(B·S·P)). */
  applyFtF(u: Float64Array, B: number, out: Float64Array, scale = 1, accumulate = false): Float64Array {
    const sc = this.buffers(B);
    this.applyF(u, B, sc.f);
    this.ftCore(sc.f, B, sc);
    this.scatterT(sc.t, B, out, scale, accumulate);
    return out;
  }

  /** out = G u (n×(B·S·P), ReLU only): column col is E[:, i(col)] ∘ (X u[:, col]). */
  applyG(u: Float64Array, B: number, out: Float64Array): Float64Array {
    this.requireRelu('G');
    const cols = this.cols(B);
    this.applyX(u, cols, out);
    this.applySignsE(out, B);
    return out;
  }

  /** z ← E ∘ z in place for an n×(B·S·P) matrix (E = 2D − 1, column pattern i(col) = col mod P). */
  applySignsE(z: Float64Array, B: number): Float64Array {
    const { n, P, D } = this;
    const cols = this.cols(B);
    const blocks = cols / P;
    for (let j = 0; j < n; j++) {
      const dr = j * P;
      for (let g = 0; g < blocks; g++) {
        const c0 = j * cols + g * P;
        for (let i = 0; i < P; i++) if (!D[dr + i]) z[c0 + i] = -z[c0 + i];
      }
    }
    return z;
  }

  /** out (d×(B·S·P)) = Gᵀ z for z n×(B·S·P): Xᵀ(E ∘ z) column by column (z is not modified). */
  applyGt(z: Float64Array, B: number, out: Float64Array, work?: Float64Array): Float64Array {
    this.requireRelu('Gᵀ');
    const cols = this.cols(B);
    const ez = work ?? new Float64Array(this.n * cols);
    ez.set(z.subarray(0, this.n * cols));
    this.applySignsE(ez, B);
    return this.applyXt(ez, cols, out);
  }

  /** out (+)= GᵀG u = (I ⊗ XᵀX) u (ReLU only). */
  applyGtG(u: Float64Array, B: number, out: Float64Array, accumulate = false): Float64Array {
    this.requireRelu('GᵀG');
    return matmul(this.gramX as Float64Array, u, this.d, this.d, this.cols(B), out, accumulate);
  }

  /** out = A u = u + FᵀF u/ρ + GᵀG u (gated: u + FᵀF u/ρ). `out` must not alias `u`. */
  applyA(u: Float64Array, B: number, rho: number, out: Float64Array): Float64Array {
    const len = this.d * this.cols(B);
    if (this.relu) this.applyGtG(u, B, out);
    else out.fill(0, 0, len);
    for (let t = 0; t < len; t++) out[t] += u[t];
    this.applyFtF(u, B, out, 1 / rho, true);
    return out;
  }

  private requireRelu(what: string): void {
    if (!this.relu) throw new Error(`${what} exists only for the ReLU model`);
  }
}
