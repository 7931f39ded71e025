/**
 * Shared fixtures of the CPU solver tests: small random problems and naive dense operators
 * written straight from the spec's definitions (spec §1.2, §3), independent of solver/cpu/operators.ts.
 */
import { activationPatterns, sampleGates, signTargets } from '../../solver/problem';
import { createRng } from '../../solver/rng';
import type { ModelKind, Problem, SolverConfig } from '../../solver/types';
import { LEGACY_CONFIG } from '../../solver/types';

/** Test-only random stream id (distinct from the solver's streams). */
const TEST_STREAM = 77;

/** Standard normal n×d (or any length) array from a seed. */
export function gaussian(len: number, seed: number, stream = TEST_STREAM): Float64Array {
  const rng = createRng(seed, stream);
  const a = new Float64Array(len);
  for (let t = 0; t < len; t++) a[t] = rng.normal();
  return a;
}

/** A problem with Gaussian X, and either Gaussian targets (C = 1) or one-vs-all targets of random labels. */
export function makeProblem(opts: {
  model: ModelKind;
  n: number;
  d: number;
  P: number;
  beta: number;
  seed: number;
  /** Number of classes of random labels; omit for Gaussian regression targets (C = 1). */
  classes?: number;
}): Problem & { labels: Int32Array | null } {
  const { model, n, d, P, beta, seed } = opts;
  const X = gaussian(n * d, seed, TEST_STREAM);
  let Y: Float64Array;
  let C = 1;
  let labels: Int32Array | null = null;
  if (opts.classes) {
    const rng = createRng(seed, TEST_STREAM + 1);
    labels = Int32Array.from({ length: n }, () => Math.floor(rng.uniform() * (opts.classes as number)));
    ({ Y, C } = signTargets(labels, opts.classes));
  } else {
    Y = gaussian(n, seed, TEST_STREAM + 2);
  }
  const gates = sampleGates(d, P, seed);
  const D = activationPatterns(X, n, d, gates, P);
  const S = model === 'relu' ? 2 : 1;
  return { model, n, d, P, C, S, K: C * S * P, beta, X, Y, gates, D, labels };
}

/**
 * Solver settings for tests (defaults overridden). The preconditioner is Nyström unless a test
 * asks for another: the tests written before the setting existed test Nyström PCG.
 */
export function testConfig(problem: Problem, over: Partial<SolverConfig> = {}): SolverConfig {
  return { ...LEGACY_CONFIG, model: problem.model, P: problem.P, beta: problem.beta, ...over };
}

/** Dense F (n×N) of ONE class in the flat order s·dP + k·P + i: F[j, (s,k,i)] = ±D[j,i]·X[j,k]. */
export function denseF(p: Problem): Float64Array {
  const { n, d, P, S, X, D } = p;
  const N = S * d * P;
  const F = new Float64Array(n * N);
  for (let j = 0; j < n; j++)
    for (let s = 0; s < S; s++)
      for (let k = 0; k < d; k++)
        for (let i = 0; i < P; i++) F[j * N + s * d * P + k * P + i] = (s === 0 ? 1 : -1) * D[j * P + i] * X[j * d + k];
  return F;
}

/**
 * Dense G ((S·P·n)×N) of ONE class, rows ordered (s, i, j): G[(s,i,j), (s,k,i)] = E[j,i]·X[j,k]
 * with E = 2D − 1 (spec §1.2 cones (2D_i − I) X u_i ≥ 0).
 */
export function denseG(p: Problem): Float64Array {
  const { n, d, P, S, X, D } = p;
  const N = S * d * P;
  const G = new Float64Array(S * P * n * N);
  for (let s = 0; s < S; s++)
    for (let i = 0; i < P; i++)
      for (let j = 0; j < n; j++) {
        const row = (s * P + i) * n + j;
        const e = 2 * D[j * P + i] - 1;
        for (let k = 0; k < d; k++) G[row * N + s * d * P + k * P + i] = e * X[j * d + k];
      }
  return G;
}

/** y = M x for a dense rows×cols M. */
export function mv(M: Float64Array, rows: number, cols: number, x: Float64Array): Float64Array {
  const y = new Float64Array(rows);
  for (let a = 0; a < rows; a++) {
    let s = 0;
    for (let b = 0; b < cols; b++) s += M[a * cols + b] * x[b];
    y[a] = s;
  }
  return y;
}

/** y = Mᵀ x for a dense rows×cols M. */
export function mtv(M: Float64Array, rows: number, cols: number, x: Float64Array): Float64Array {
  const y = new Float64Array(cols);
  for (let a = 0; a < rows; a++) {
    const xa = x[a];
    for (let b = 0; b < cols; b++) y[b] += M[a * cols + b] * xa;
  }
  return y;
}

/** C = Aᵀ·A for a dense rows×cols A (naive triple loop). */
export function ata(A: Float64Array, rows: number, cols: number): Float64Array {
  const out = new Float64Array(cols * cols);
  for (let a = 0; a < rows; a++)
    for (let b = 0; b < cols; b++) {
      const v = A[a * cols + b];
      if (v === 0) continue;
      for (let c = 0; c < cols; c++) out[b * cols + c] += v * A[a * cols + c];
    }
  return out;
}

/** Naive C = A·B (m×k times k×n). */
export function naiveMatmul(A: Float64Array, B: Float64Array, m: number, k: number, n: number): Float64Array {
  const out = new Float64Array(m * n);
  for (let i = 0; i < m; i++)
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let t = 0; t < k; t++) s += A[i * k + t] * B[t * n + j];
      out[i * n + j] = s;
    }
  return out;
}

/** max |a − b| / max(1, max |b|). */
export function relErr(a: Float64Array, b: Float64Array): number {
  let err = 0;
  let scale = 0;
  for (let t = 0; t < b.length; t++) {
    err = Math.max(err, Math.abs(a[t] - b[t]));
    scale = Math.max(scale, Math.abs(b[t]));
  }
  return err / Math.max(scale, 1e-300);
}

/** Euclidean norm. */
export function nrm(a: Float64Array): number {
  let s = 0;
  for (let t = 0; t < a.length; t++) s += a[t] * a[t];
  return Math.sqrt(s);
}

/** Inner product. */
export function inner(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let t = 0; t < a.length; t++) s += a[t] * b[t];
  return s;
}
