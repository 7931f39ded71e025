/**
 * Feature maps shared by the Worker (data preparation) and the snapshot code (decision grid):
 * the bias feature of the 2-D sets and the training standardisation of a single point.
 */
import type { Standardization } from '../data/preprocess';
import type { Dataset } from '../solver/types';

/** A copy of `data` with a constant-1 feature appended as the last column. */
export function appendBias<T extends Dataset>(data: T): T {
  const { n, d } = data;
  const X = new Float64Array(n * (d + 1));
  for (let j = 0; j < n; j++) {
    X.set(data.X.subarray(j * d, (j + 1) * d), j * (d + 1));
    X[j * (d + 1) + d] = 1;
  }
  return { ...data, X, d: d + 1, featureNames: [...data.featureNames, 'bias'] };
}

/**
 * The solver's feature vector of a raw point: z-scored with `stats` (constant features ↦ 0),
 * then the bias feature when `bias`. Used for the decision-boundary grid.
 */
export function featurize(raw: ArrayLike<number>, stats: Standardization, bias: boolean, out?: Float64Array): Float64Array {
  const d = stats.mean.length;
  const v = out ?? new Float64Array(d + (bias ? 1 : 0));
  for (let k = 0; k < d; k++) v[k] = stats.constant[k] ? 0 : (raw[k] - stats.mean[k]) / stats.std[k];
  if (bias) v[d] = 1;
  return v;
}
