/** Shared test fixtures: seeded random problems and the dawn.node GPU context. */
import { writeFileSync } from 'node:fs';
import { createGpuContext, type GpuContext } from '../../solver/gpu/context';
import { nodeGpu } from '../../solver/gpu/node-gpu';
import { buildProblem } from '../../solver/problem';
import { createRng } from '../../solver/rng';
import type { Dataset, ModelKind, Problem } from '../../solver/types';

/** A Gaussian dataset with `classes` labels that depend on the features (so it is learnable). */
export function randomDataset(n: number, d: number, classes: number, seed: number): Dataset {
  const rng = createRng(seed, 99);
  const X = new Float64Array(n * d);
  for (let k = 0; k < X.length; k++) X[k] = rng.normal();
  const w = Array.from({ length: classes * d }, () => rng.normal());
  const labels = new Int32Array(n);
  for (let j = 0; j < n; j++) {
    let best = 0;
    let bestScore = -Infinity;
    for (let c = 0; c < classes; c++) {
      let s = 0;
      for (let k = 0; k < d; k++) s += Math.abs(X[j * d + k]) * w[c * d + k] + 0.3 * X[j * d + k] * w[((c + 1) % classes) * d + k];
      if (s > bestScore) {
        bestScore = s;
        best = c;
      }
    }
    labels[j] = best;
  }
  return {
    X, n, d, labels,
    classNames: Array.from({ length: classes }, (_, c) => `c${c}`),
    featureNames: Array.from({ length: d }, (_, k) => `x${k}`),
  };
}

/** A random problem for the given model. */
export function randomProblem(opts: { n: number; d: number; P: number; classes: number; model: ModelKind; beta?: number; seed?: number }): Problem {
  const data = randomDataset(opts.n, opts.d, opts.classes, opts.seed ?? 1);
  return buildProblem(data, { model: opts.model, P: opts.P, beta: opts.beta ?? 0.1, seed: opts.seed ?? 1 });
}

/** Uniform random vector in [−1, 1). */
export function randomVector(len: number, seed: number): Float64Array {
  const rng = createRng(seed, 77);
  return Float64Array.from({ length: len }, () => 2 * rng.uniform() - 1);
}

/** max|a − b| / max|b|. */
export function relError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let num = 0;
  let den = 0;
  for (let i = 0; i < b.length; i++) {
    num = Math.max(num, Math.abs(a[i] - b[i]));
    den = Math.max(den, Math.abs(b[i]));
  }
  return den === 0 ? num : num / den;
}

/** ⟨a, b⟩ in float64. */
export function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

/** A fresh dawn.node device for one test file. */
export function gpuContext(): Promise<GpuContext> {
  return createGpuContext(nodeGpu());
}

/** Runs `steps` steps of a solver or trainer and returns their metrics in order. */
export async function runSteps<M>(solver: { step(): Promise<M> }, steps: number): Promise<M[]> {
  const out: M[] = [];
  for (let k = 0; k < steps; k++) out.push(await solver.step());
  return out;
}

/** Writes `rows` rows of two features with an XOR-like label rule (same/other) from row `offset` to `path` as CSV; returns `path`. */
export function writeXorCsv(path: string, rows: number, offset = 0): string {
  const lines = ['a,b,label'];
  for (let j = offset; j < offset + rows; j++) {
    const a = Math.sin(j * 1.7) * 2;
    const b = Math.cos(j * 0.9) * 2;
    lines.push(`${a.toFixed(4)},${b.toFixed(4)},${a * b > 0 ? 'same' : 'other'}`);
  }
  writeFileSync(path, `${lines.join('\n')}\n`);
  return path;
}
