/**
 * The datasets the browser ingestion produces. Classification is the solver's {@link Dataset};
 * regression keeps a real-valued target instead of class labels (the solver minimises the same
 * least-squares objective with Y = the standardised target, C = 1; see regression.ts).
 */
import type { Dataset } from '../solver/types';

/** Which objective the labels feed. */
export type TaskKind = 'classification' | 'regression';

/** A classification dataset with where it came from. */
export interface ClassificationDataset extends Dataset {
  task: 'classification';
  fileName: string;
  /** The label column (for images: 'folder'). */
  labelColumn: string;
}

/** A regression dataset: n×d features and one real target per row (original units). */
export interface RegressionDataset {
  task: 'regression';
  /** n×d row-major features (already standardised). */
  X: Float64Array;
  n: number;
  d: number;
  featureNames: string[];
  /** The label column's values, in the file's units. */
  target: Float64Array;
  fileName: string;
  labelColumn: string;
}

/** Either kind; switch on `task`. */
export type TabularDataset = ClassificationDataset | RegressionDataset;

/** The rows `index` of `data`, in that order (labels or target follow the rows). */
export function selectRows<T extends TabularDataset>(data: T, index: ArrayLike<number>): T {
  const { d } = data;
  const m = index.length;
  const X = new Float64Array(m * d);
  for (let r = 0; r < m; r++) X.set(data.X.subarray(index[r] * d, (index[r] + 1) * d), r * d);
  if (data.task === 'classification') {
    const labels = new Int32Array(m);
    for (let r = 0; r < m; r++) labels[r] = data.labels[index[r]];
    return { ...data, X, n: m, labels };
  }
  const target = new Float64Array(m);
  for (let r = 0; r < m; r++) target[r] = data.target[index[r]];
  return { ...data, X, n: m, target };
}

/**
 * Strata for splitting and subsampling: the class of each row, or for regression the quantile
 * bin (up to `bins`) of its target, so both parts cover the whole target range.
 */
export function strataOf(data: TabularDataset, bins = 5): { labels: Int32Array; count: number } {
  if (data.task === 'classification') return { labels: data.labels, count: data.classNames.length };
  return quantileBins(data.target, bins);
}

/** Bin (0..count−1) of each value by rank: equal-count bins, at most `bins`, ≥ 2 rows a bin. */
export function quantileBins(values: ArrayLike<number>, bins = 5): { labels: Int32Array; count: number } {
  const n = values.length;
  const count = Math.max(1, Math.min(bins, Math.floor(n / 2)));
  const order = Int32Array.from({ length: n }, (_, i) => i).sort((a, b) => values[a] - values[b]);
  const labels = new Int32Array(n);
  for (let r = 0; r < n; r++) labels[order[r]] = Math.min(count - 1, Math.floor((r * count) / n));
  return { labels, count };
}
