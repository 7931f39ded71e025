/**
 * Seeded, stratified subsampling: the offer made when a dataset does not fit the GPU (plan.ts)
 * or is larger than the user wants to wait for. Class proportions are kept (every class keeps
 * at least one row when nMax allows), regression keeps the spread of the target.
 */
import { createRng, RNG_STREAM } from '../solver/rng';
import type { Dataset } from '../solver/types';
import { subsetRows } from './split';
import { quantileBins, selectRows, type RegressionDataset, type TabularDataset } from './tabular';

/**
 * At most `nMax` rows of `data`, drawn per class (or per target quantile) in proportion, seeded
 * by `seed`; rows keep their original order. Returns `data` itself when it already fits.
 */
export function subsample<T extends Dataset | TabularDataset>(data: T, nMax: number, seed: number): T {
  if (!(nMax >= 1)) throw new RangeError(`subsample size must be at least 1, got ${nMax}`);
  if (data.n <= nMax) return data;
  const index = subsampleIndex(strata(data), Math.floor(nMax), seed);
  if (isRegression(data)) return selectRows(data, index) as T;
  return subsetRows(data as Dataset, index) as T;
}

/**
 * The rows (ascending) of a stratified sample of size m from rows labelled `labels` (0..C−1):
 * m·share rows per class by largest remainder, then every non-empty class raised to one row
 * (taken from the largest quota) while m allows, then a seeded Fisher–Yates choice per class.
 */
export function subsampleIndex(s: { labels: ArrayLike<number>; count: number }, m: number, seed: number): Int32Array {
  const n = s.labels.length;
  const byClass: number[][] = Array.from({ length: s.count }, () => []);
  for (let i = 0; i < n; i++) byClass[s.labels[i]].push(i);
  const take = Math.min(m, n);
  const exact = byClass.map((rows) => (n > 0 ? (take * rows.length) / n : 0));
  const quota = exact.map(Math.floor);
  let rest = take - quota.reduce((a, b) => a + b, 0);
  const order = exact.map((e, c) => ({ c, frac: e - quota[c] })).sort((a, b) => b.frac - a.frac || a.c - b.c);
  for (const { c } of order) {
    if (rest === 0) break;
    if (quota[c] < byClass[c].length) {
      quota[c]++;
      rest--;
    }
  }
  const nonEmpty = byClass.filter((rows) => rows.length > 0).length;
  if (take >= nonEmpty) {
    for (let c = 0; c < s.count; c++) {
      if (byClass[c].length === 0 || quota[c] > 0) continue;
      let donor = 0;
      for (let k = 1; k < s.count; k++) if (quota[k] > quota[donor]) donor = k;
      quota[donor]--;
      quota[c] = 1;
    }
  }
  const rng = createRng(seed, RNG_STREAM.data);
  const chosen: number[] = [];
  byClass.forEach((rows, c) => {
    // Partial Fisher–Yates: the first quota[c] positions become a uniform random subset.
    for (let i = 0; i < quota[c]; i++) {
      const k = i + Math.floor(rng.uniform() * (rows.length - i));
      const t = rows[i];
      rows[i] = rows[k];
      rows[k] = t;
      chosen.push(rows[i]);
    }
  });
  return Int32Array.from(chosen).sort();
}

function isRegression(data: Dataset | TabularDataset): data is RegressionDataset {
  return 'task' in data && data.task === 'regression';
}

function strata(data: Dataset | TabularDataset): { labels: ArrayLike<number>; count: number } {
  if (isRegression(data)) return quantileBins(data.target);
  return { labels: data.labels, count: data.classNames.length };
}
