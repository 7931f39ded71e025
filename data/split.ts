/**
 * Seeded stratified train/test split, for when the user has one file and wants a test accuracy.
 * Uses its own RNG stream, so changing P or the gates' seed use does not move rows around.
 */
import { createRng, RNG_STREAM } from '../solver/rng';
import type { Dataset } from '../solver/types';

/** The rows `index` of `data`, in that order; every other field (names, file) is kept. */
export function subsetRows<T extends Dataset>(data: T, index: ArrayLike<number>): T {
  const { d } = data;
  const m = index.length;
  const X = new Float64Array(m * d);
  const labels = new Int32Array(m);
  for (let r = 0; r < m; r++) {
    const j = index[r];
    X.set(data.X.subarray(j * d, (j + 1) * d), r * d);
    labels[r] = data.labels[j];
  }
  return { ...data, X, labels, n: m };
}

/** Result of {@link stratifiedSplit}: both parts, and which original rows went where. */
export interface SplitResult<T extends Dataset> {
  train: T;
  test: T;
  /** Original row numbers (0-based, ascending) of each part. */
  trainIndex: Int32Array;
  testIndex: Int32Array;
}

/**
 * Puts round(fraction · count) rows of every class into the test part, chosen by a
 * Fisher–Yates shuffle seeded with (`seed`, RNG_STREAM.split). A class with at least 2 rows
 * keeps at least one row on each side; a class with one row stays in train. Rows keep
 * their file order within each part.
 */
export function stratifiedSplit<T extends Dataset>(data: T, testFraction: number, seed: number): SplitResult<T> {
  if (!(testFraction > 0 && testFraction < 1)) throw new RangeError(`test fraction must be in (0, 1), got ${testFraction}`);
  const rng = createRng(seed, RNG_STREAM.split);
  const C = data.classNames.length;
  const byClass: number[][] = Array.from({ length: C }, () => []);
  for (let j = 0; j < data.n; j++) byClass[data.labels[j]].push(j);
  const isTest = new Uint8Array(data.n);
  for (const rows of byClass) {
    const m = rows.length;
    for (let i = m - 1; i > 0; i--) {
      const k = Math.floor(rng.uniform() * (i + 1));
      const t = rows[i];
      rows[i] = rows[k];
      rows[k] = t;
    }
    const nTest = m < 2 ? 0 : Math.min(m - 1, Math.max(1, Math.round(m * testFraction)));
    for (let i = 0; i < nTest; i++) isTest[rows[i]] = 1;
  }
  const trainIdx: number[] = [];
  const testIdx: number[] = [];
  for (let j = 0; j < data.n; j++) (isTest[j] ? testIdx : trainIdx).push(j);
  const trainIndex = Int32Array.from(trainIdx);
  const testIndex = Int32Array.from(testIdx);
  return { train: subsetRows(data, trainIndex), test: subsetRows(data, testIndex), trainIndex, testIndex };
}
