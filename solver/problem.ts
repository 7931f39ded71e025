/**
 * Builds the convex program's data (spec §2): ±1 targets, Gaussian gates and patterns D.
 * Both solvers consume the same {@link Problem}, so they use the exact same D.
 */
import { createRng, RNG_STREAM } from './rng';
import type { TestSet } from './solver';
import type { Dataset, ModelKind, Problem } from './types';

/** Targets in ±1: binary → one column (class 1 ↦ +1, class 0 ↦ −1); C ≥ 3 → one-vs-all columns. */
export function signTargets(labels: Int32Array, numClasses: number): { Y: Float64Array; C: number } {
  const n = labels.length;
  if (numClasses <= 2) {
    const Y = new Float64Array(n);
    for (let j = 0; j < n; j++) Y[j] = labels[j] === 1 ? 1 : -1;
    return { Y, C: 1 };
  }
  const C = numClasses;
  const Y = new Float64Array(n * C).fill(-1);
  for (let j = 0; j < n; j++) Y[j * C + labels[j]] = 1;
  return { Y, C };
}

/** d×P gate matrix with i.i.d. N(0,1) entries, drawn from the `gates` stream of `seed`. */
export function sampleGates(d: number, P: number, seed: number): Float64Array {
  const rng = createRng(seed, RNG_STREAM.gates);
  const g = new Float64Array(d * P);
  for (let k = 0; k < g.length; k++) g[k] = rng.normal();
  return g;
}

/** D = 1[X·gates ≥ 0] (non-strict, no dedup, spec §2.1), computed in float64. */
export function activationPatterns(X: Float64Array, n: number, d: number, gates: Float64Array, P: number): Uint8Array {
  const D = new Uint8Array(n * P);
  const acc = new Float64Array(P);
  for (let j = 0; j < n; j++) {
    acc.fill(0);
    for (let k = 0; k < d; k++) {
      const x = X[j * d + k];
      if (x === 0) continue;
      const row = k * P;
      for (let i = 0; i < P; i++) acc[i] += x * gates[row + i];
    }
    for (let i = 0; i < P; i++) D[j * P + i] = acc[i] >= 0 ? 1 : 0;
  }
  return D;
}

/** Assembles the {@link Problem} for a dataset and the model settings. */
export function buildProblem(
  data: Dataset,
  opts: { model: ModelKind; P: number; beta: number; seed: number },
): Problem {
  const { n, d } = data;
  const { Y, C } = signTargets(data.labels, data.classNames.length);
  const gates = sampleGates(d, opts.P, opts.seed);
  const D = activationPatterns(data.X, n, d, gates, opts.P);
  const S = opts.model === 'relu' ? 2 : 1;
  return { model: opts.model, n, d, P: opts.P, C, S, K: C * S * opts.P, beta: opts.beta, X: data.X, Y, gates, D };
}

/**
 * A regression problem (issue: numeric targets): the same convex program with one real-valued
 * output. The target is standardised (the network has no bias, so centring matters) and the
 * metrics are reported back in the target's units.
 */
export function buildRegressionProblem(
  data: Pick<Dataset, 'X' | 'n' | 'd'>,
  target: Float64Array,
  opts: { model: ModelKind; P: number; beta: number; seed: number },
): Problem {
  const { n, d } = data;
  let mean = 0;
  for (let j = 0; j < n; j++) mean += target[j];
  mean /= n;
  let v = 0;
  for (let j = 0; j < n; j++) v += (target[j] - mean) ** 2;
  const std = Math.sqrt(v / n) || 1;
  const Y = Float64Array.from(target, (t) => (t - mean) / std);
  const gates = sampleGates(d, opts.P, opts.seed);
  const D = activationPatterns(data.X, n, d, gates, opts.P);
  const S = opts.model === 'relu' ? 2 : 1;
  return {
    model: opts.model, n, d, P: opts.P, C: 1, S, K: S * opts.P, beta: opts.beta, X: data.X, Y, gates, D,
    task: 'regression', targetMean: mean, targetStd: std,
  };
}

/** The test rows' targets in the solver's space: ±1 one-vs-all, or the standardised target. */
export function testTargets(problem: Problem, test: TestSet): Float64Array {
  if (problem.task === 'regression') {
    if (!test.targets) throw new Error('A regression problem needs test targets (TestSet.targets).');
    const mean = problem.targetMean ?? 0;
    const std = problem.targetStd ?? 1;
    return Float64Array.from(test.targets, (t) => (t - mean) / std);
  }
  return signTargets(test.labels, problem.C === 1 ? 2 : problem.C).Y;
}
