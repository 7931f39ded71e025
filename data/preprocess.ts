/**
 * Feature standardisation fitted on the training rows only (test rows reuse the training mean
 * and std, so no test information leaks into the model). Also re-exports the problem-size
 * check and the stratified split, the other steps between a parsed file and `buildProblem`.
 *
 * Constant columns: a feature whose training values are all equal carries no information and
 * has std 0; it is mapped to 0 in train AND test (whatever the test value), instead of dividing
 * by zero. Its `std` is reported as 0 and its name listed in `constantColumns`.
 */
import type { Dataset } from '../solver/types';

export { estimateGpuBuffers, formatBytes } from './size';
export type { BufferEstimate, BufferLimits } from './size';
export { stratifiedSplit, subsetRows } from './split';
export type { SplitResult } from './split';

/** Per-feature training statistics: x ↦ (x − mean)/std, or 0 where `constant`. */
export interface Standardization {
  mean: Float64Array;
  /** Population standard deviation (divides by n, like sklearn's StandardScaler). */
  std: Float64Array;
  /** 1 where every training value of the feature is equal. */
  constant: Uint8Array;
}

/** JSON-friendly summary for result files and the UI. */
export interface StandardizationReport {
  method: 'z-score per feature, fitted on the training rows';
  featureNames: string[];
  mean: number[];
  std: number[];
  /** Names of the constant training columns (mapped to 0 everywhere). */
  constantColumns: string[];
}

/** Mean and std of every column of the n×d row-major X (two passes, float64). */
export function fitStandardization(data: Pick<Dataset, 'X' | 'n' | 'd'>): Standardization {
  const { X, n, d } = data;
  const mean = new Float64Array(d);
  const std = new Float64Array(d);
  const min = new Float64Array(d).fill(Infinity);
  const max = new Float64Array(d).fill(-Infinity);
  for (let j = 0; j < n; j++) {
    for (let k = 0; k < d; k++) {
      const x = X[j * d + k];
      mean[k] += x;
      if (x < min[k]) min[k] = x;
      if (x > max[k]) max[k] = x;
    }
  }
  for (let k = 0; k < d; k++) mean[k] /= n;
  for (let j = 0; j < n; j++) {
    for (let k = 0; k < d; k++) {
      const t = X[j * d + k] - mean[k];
      std[k] += t * t;
    }
  }
  const constant = new Uint8Array(d);
  for (let k = 0; k < d; k++) {
    // min === max is exact; a rounding-level std of equal values would otherwise blow up.
    constant[k] = min[k] === max[k] ? 1 : 0;
    std[k] = constant[k] ? 0 : Math.sqrt(std[k] / n);
    if (!constant[k] && !(std[k] > 0 && Number.isFinite(std[k]) && Number.isFinite(mean[k]))) {
      // Values near the float64 limits: the sums over- or underflowed (e.g. 0 and 5e-324 give
      // std 0, so x/std would put NaN and ∞ into X). Redo this column with scaled sums.
      const robust = scaledMoments(X, n, d, k, Math.max(Math.abs(min[k]), Math.abs(max[k])));
      mean[k] = robust.mean;
      std[k] = robust.std;
      if (!(std[k] > 0 && Number.isFinite(std[k]))) {
        constant[k] = 1;
        std[k] = 0;
      }
    }
  }
  return { mean, std, constant };
}

/** Mean and population std of column k computed on x/scale, so neither sum leaves float64 range. */
function scaledMoments(X: Float64Array, n: number, d: number, k: number, scale: number): { mean: number; std: number } {
  let m = 0;
  for (let j = 0; j < n; j++) m += X[j * d + k] / scale;
  m /= n;
  let v = 0;
  for (let j = 0; j < n; j++) v += (X[j * d + k] / scale - m) ** 2;
  return { mean: m * scale, std: Math.sqrt(v / n) * scale };
}

/** A copy of `data` with X standardised by `stats` (fields other than X are kept). */
export function applyStandardization<T extends Pick<Dataset, 'X' | 'n' | 'd'>>(data: T, stats: Standardization): T {
  const { X, n, d } = data;
  if (stats.mean.length !== d) throw new RangeError(`standardisation has ${stats.mean.length} features, data has ${d}`);
  const out = new Float64Array(n * d);
  for (let j = 0; j < n; j++) {
    for (let k = 0; k < d; k++) {
      out[j * d + k] = stats.constant[k] ? 0 : (X[j * d + k] - stats.mean[k]) / stats.std[k];
    }
  }
  return { ...data, X: out };
}

/** Fits on `train`, applies to both; `test` is optional. */
export function standardize<T extends Dataset>(train: T, test?: T): { train: T; test: T | undefined; stats: Standardization } {
  const stats = fitStandardization(train);
  return { train: applyStandardization(train, stats), test: test ? applyStandardization(test, stats) : undefined, stats };
}

/** The statistics as plain arrays, with the constant columns named. */
export function standardizationReport(stats: Standardization, featureNames: string[]): StandardizationReport {
  return {
    method: 'z-score per feature, fitted on the training rows',
    featureNames: featureNames.slice(),
    mean: Array.from(stats.mean),
    std: Array.from(stats.std),
    constantColumns: featureNames.filter((_, k) => stats.constant[k] === 1),
  };
}
