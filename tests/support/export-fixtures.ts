/** Seeded random problems, convex solutions and networks for the export and session tests (CPU only). */
import { buildProblem } from '../../solver/problem';
import { recoverNetwork } from '../../solver/recovery';
import { createRng } from '../../solver/rng';
import type { Dataset, IterationMetrics, ModelKind, Network, Problem } from '../../solver/types';

/** A Gaussian n×d dataset with `classes` labels. */
export function gaussianDataset(n: number, d: number, classes: number, seed: number): Dataset {
  const rng = createRng(seed, 77);
  const X = new Float64Array(n * d);
  for (let k = 0; k < X.length; k++) X[k] = rng.normal();
  const labels = new Int32Array(n);
  for (let j = 0; j < n; j++) labels[j] = j % classes;
  return {
    X,
    n,
    d,
    labels,
    classNames: Array.from({ length: classes }, (_, c) => `class ${c}`),
    featureNames: Array.from({ length: d }, (_, k) => `f${k}`),
  };
}

/** A problem, a random convex solution U (d×K) with some zero columns, and its recovered network. */
export function randomRun(opts: { n: number; d: number; P: number; classes: number; model: ModelKind; seed: number }): {
  data: Dataset;
  problem: Problem;
  U: Float64Array;
  V: Float64Array;
  net: Network;
} {
  const data = gaussianDataset(opts.n, opts.d, opts.classes, opts.seed);
  const problem = buildProblem(data, { model: opts.model, P: opts.P, beta: 0.01, seed: opts.seed });
  const rng = createRng(opts.seed, 78);
  const U = new Float64Array(problem.d * problem.K);
  const V = new Float64Array(problem.d * problem.K);
  for (let col = 0; col < problem.K; col++) {
    if (rng.uniform() < 0.25) continue; // pruned neuron
    for (let k = 0; k < problem.d; k++) {
      U[k * problem.K + col] = rng.normal();
      V[k * problem.K + col] = U[k * problem.K + col] * 0.9;
    }
  }
  return { data, problem, U, V, net: recoverNetwork(problem, U) };
}

/** A plausible metrics history (NaN test accuracy, one infinite residual). */
export function fakeHistory(iters: number): IterationMetrics[] {
  return Array.from({ length: iters }, (_, i) => ({
    iter: i + 1,
    objective: 10 / (i + 1),
    loss: 8 / (i + 1),
    penalty: 2 / (i + 1),
    objectiveV: 10.5 / (i + 1),
    dualObjective: 9 / (i + 1) - 0.1,
    primalResidual: i === 0 ? Infinity : 1 / 3 ** i,
    dualResidual: 0.1 / (i + 1),
    epsPrimal: 1e-6,
    epsDual: 1e-6,
    coneViolation: 0,
    maxAbsXU: 3.25,
    trainAccuracy: 0.5 + i / (2 * iters),
    testAccuracy: NaN,
    trainMse: 0.1 * Math.PI,
    testMse: NaN,
    trainR2: NaN,
    testR2: NaN,
    pcgIterations: 20 - (i % 5),
    pcgResidual: 1e-7 * (i + 1),
    rho: 0.1,
    activeNeurons: 12,
    timeMs: 3.5 + i,
    converged: i === iters - 1,
  }));
}
