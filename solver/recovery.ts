/**
 * From the convex solution to a plain two-layer network, prediction and objectives (spec §6).
 * The convex variable U is the d×K batched matrix of types.ts (column (c·S + s)·P + i).
 */
import { matmul } from './linalg';
import type { Network, Problem } from './types';

/**
 * Recovers the network of spec §6.1: every column u with ‖u‖ > pruneRel·max‖u_j‖ becomes a hidden
 * unit with first-layer weights u/√‖u‖ and output weight ±√‖u‖ (− for the U⁻ block) in the
 * column of its class; w2 (m×C) therefore has one non-zero per row. The relative pruning drops
 * the float noise that would otherwise leave many tiny neurons (spec §5.3.8). Gated units keep
 * their gate vector (the column of `problem.gates` of their pattern).
 */
export function recoverNetwork(problem: Problem, U: Float64Array, opts: { pruneRel?: number } = {}): Network {
  const pruneRel = opts.pruneRel ?? 1e-6;
  const { d, P, S, C, K } = problem;
  const norms = columnNorms(U, d, K);
  let maxNorm = 0;
  for (let col = 0; col < K; col++) maxNorm = Math.max(maxNorm, norms[col]);
  const kept: number[] = [];
  for (let col = 0; col < K; col++) if (norms[col] > 0 && norms[col] > pruneRel * maxNorm) kept.push(col);
  const m = kept.length;
  const W1 = new Float64Array(d * m);
  const w2 = new Float64Array(m * C);
  const gates = problem.model === 'gated' ? new Float64Array(d * m) : undefined;
  kept.forEach((col, h) => {
    const c = Math.floor(col / (S * P));
    const s = Math.floor(col / P) % S;
    const i = col % P;
    const root = Math.sqrt(norms[col]);
    for (let k = 0; k < d; k++) W1[k * m + h] = U[k * K + col] / root;
    w2[h * C + c] = s === 0 ? root : -root;
    if (gates) for (let k = 0; k < d; k++) gates[k * m + h] = problem.gates[k * P + i];
  });
  const net: Network = { model: problem.model, d, m, C, W1, w2 };
  if (gates) net.gates = gates;
  return net;
}

/** Euclidean norms of the K columns of a d×K matrix. */
export function columnNorms(U: Float64Array, d: number, K: number, out: Float64Array = new Float64Array(K)): Float64Array {
  out.fill(0, 0, K);
  for (let k = 0; k < d; k++) {
    const row = k * K;
    for (let col = 0; col < K; col++) out[col] += U[row + col] * U[row + col];
  }
  for (let col = 0; col < K; col++) out[col] = Math.sqrt(out[col]);
  return out;
}

/** Hidden activations (n×m): relu(X W1), or 1[X g ≥ 0] ∘ (X W1) for gated nets (spec §6.2). */
export function hiddenActivations(net: Network, X: Float64Array, n: number): Float64Array {
  const H = matmul(X, net.W1, n, net.d, net.m);
  if (net.model === 'relu') {
    for (let t = 0; t < H.length; t++) if (H[t] < 0) H[t] = 0;
    return H;
  }
  if (!net.gates) throw new Error('a gated network needs its gate vectors');
  const XG = matmul(X, net.gates, n, net.d, net.m);
  for (let t = 0; t < H.length; t++) if (!(XG[t] >= 0)) H[t] = 0;
  return H;
}

/** Network outputs ŷ (n×C) for n rows of X. */
export function predictNetwork(net: Network, X: Float64Array, n: number): Float64Array {
  return matmul(hiddenActivations(net, X, n), net.w2, n, net.m, net.C);
}

/** Index of the largest of C scores in row j (first one on ties). */
function argmaxRow(scores: Float64Array, j: number, C: number): number {
  let best = 0;
  for (let c = 1; c < C; c++) if (scores[j * C + c] > scores[j * C + best]) best = c;
  return best;
}

/**
 * Accuracy in [0,1] against class labels: C = 1 compares sign(ŷ) with the ±1 target of the label
 * (label 1 ↦ +1, any other ↦ −1, as in problem.ts's signTargets; sign(0) = 0 is always wrong);
 * C > 1 compares argmax_c ŷ_c with the label.
 */
export function accuracyFromLabels(scores: Float64Array, n: number, C: number, labels: Int32Array): number {
  if (n === 0) return NaN;
  let correct = 0;
  for (let j = 0; j < n; j++) {
    if (C === 1) {
      const y = labels[j] === 1 ? 1 : -1;
      if (scores[j] * y > 0) correct++;
    } else if (argmaxRow(scores, j, C) === labels[j]) correct++;
  }
  return correct / n;
}

/**
 * Accuracy in [0,1] against ±1 targets Y (n×C): C = 1 uses sign(ŷ) == y (sign(0) wrong), C > 1
 * compares argmax of ŷ and of Y (the +1 entry of the one-vs-all row).
 */
export function accuracyFromTargets(scores: Float64Array, n: number, C: number, Y: Float64Array): number {
  if (n === 0) return NaN;
  let correct = 0;
  for (let j = 0; j < n; j++) {
    if (C === 1) {
      if (scores[j] * Y[j] > 0) correct++;
    } else if (argmaxRow(scores, j, C) === argmaxRow(Y, j, C)) correct++;
  }
  return correct / n;
}

/** Non-convex objective ½‖relu(XW1)w2 − Y‖² + (β/2)(‖W1‖²_F + ‖w2‖²) (spec §6.1). */
export function nonConvexObjective(net: Network, X: Float64Array, n: number, Y: Float64Array, beta: number): number {
  const pred = predictNetwork(net, X, n);
  let loss = 0;
  for (let t = 0; t < pred.length; t++) loss += (pred[t] - Y[t]) ** 2;
  let reg = 0;
  for (let t = 0; t < net.W1.length; t++) reg += net.W1[t] * net.W1[t];
  for (let t = 0; t < net.w2.length; t++) reg += net.w2[t] * net.w2[t];
  return 0.5 * loss + 0.5 * beta * reg;
}

/** The two parts of the convex objective and their sum (spec §1.2/§1.3). */
export interface ConvexObjectiveParts {
  /** ½‖F u − Y‖²_F. */
  loss: number;
  /** β Σ over all K columns ‖u[:, col]‖₂. */
  penalty: number;
  objective: number;
}

/** F u (n×C) straight from the definition Σ_i D_i X(u_{c,0,i} − u_{c,1,i}) (gated: Σ_i D_i X u_{c,0,i}). */
export function convexOutputs(problem: Problem, U: Float64Array): Float64Array {
  const { n, d, P, S, C, K, D } = problem;
  const Z = matmul(problem.X, U, n, d, K);
  const out: Float64Array = new Float64Array(n * C);
  for (let j = 0; j < n; j++) {
    for (let c = 0; c < C; c++) {
      let acc = 0;
      for (let s = 0; s < S; s++) {
        const sign = s === 0 ? 1 : -1;
        for (let i = 0; i < P; i++) if (D[j * P + i]) acc += sign * Z[j * K + (c * S + s) * P + i];
      }
      out[j * C + c] = acc;
    }
  }
  return out;
}

/** Convex objective ½‖Fu − Y‖² + β Σ‖u_col‖ with its parts. */
export function convexObjectiveParts(problem: Problem, U: Float64Array): ConvexObjectiveParts {
  const f = convexOutputs(problem, U);
  let loss = 0;
  for (let t = 0; t < f.length; t++) loss += (f[t] - problem.Y[t]) ** 2;
  loss *= 0.5;
  const norms = columnNorms(U, problem.d, problem.K);
  let sum = 0;
  for (let col = 0; col < problem.K; col++) sum += norms[col];
  const penalty = problem.beta * sum;
  return { loss, penalty, objective: loss + penalty };
}

/** Convex objective f(U) = ½‖Fu − Y‖²_F + β Σ‖u_col‖ (summed over classes). */
export function convexObjective(problem: Problem, U: Float64Array): number {
  return convexObjectiveParts(problem, U).objective;
}

/** Largest cone violation max(0, −min E ∘ (X u)) of U (0 for gated problems). */
export function coneViolation(problem: Problem, U: Float64Array): number {
  if (problem.model !== 'relu') return 0;
  const { n, d, P, K, D } = problem;
  const Z = matmul(problem.X, U, n, d, K);
  let v = 0;
  for (let j = 0; j < n; j++) {
    for (let col = 0; col < K; col++) {
      const g = D[j * P + (col % P)] ? Z[j * K + col] : -Z[j * K + col];
      if (-g > v) v = -g;
    }
  }
  return v;
}
