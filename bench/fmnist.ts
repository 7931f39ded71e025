/**
 * Fashion-MNIST pairs at 28×28 for the accuracy harness, from the Debian package
 * dataset-fashion-mnist (IDX files, gzip). The selection rule is the one of the built-in sets
 * (scripts/make-datasets.ts): the first rows of each class in file order, balanced, so the same
 * package gives the same rows; bench/deep_accuracy_sklearn.py applies the same rule.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { standardize } from '../data/preprocess';
import type { Dataset } from '../solver/types';
import type { TrainingData } from '../solver/trainer';

/** Where the package puts the files (`dpkg -L dataset-fashion-mnist`). */
export const FMNIST_DIR = process.env.FMNIST_DIR ?? '/usr/share/datasets/fashion-mnist';

/** Class names by label (the dataset's README). */
export const FMNIST_CLASSES = ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot'] as const;

/** One IDX file pair: n images of rows×cols bytes and their labels. */
export interface Idx {
  readonly count: number;
  readonly rows: number;
  readonly cols: number;
  readonly pixels: Uint8Array;
  readonly labels: Uint8Array;
}

/** Reads `<prefix>-images-idx3-ubyte.gz` and `<prefix>-labels-idx1-ubyte.gz` (prefix train or t10k). */
export function readIdx(prefix: 'train' | 't10k', dir = FMNIST_DIR): Idx {
  const imgPath = join(dir, `${prefix}-images-idx3-ubyte.gz`);
  const lblPath = join(dir, `${prefix}-labels-idx1-ubyte.gz`);
  for (const p of [imgPath, lblPath]) {
    if (!existsSync(p)) throw new Error(`${p} is missing: install it with \`apt-get install -y dataset-fashion-mnist\`, or set FMNIST_DIR to the folder that holds the IDX .gz files.`);
  }
  const img = gunzipSync(readFileSync(imgPath));
  const lbl = gunzipSync(readFileSync(lblPath));
  if (img.readUInt32BE(0) !== 2051 || lbl.readUInt32BE(0) !== 2049) throw new Error(`${imgPath}: not an IDX image/label pair (magic numbers 2051/2049 expected).`);
  const count = img.readUInt32BE(4);
  if (lbl.readUInt32BE(4) !== count) throw new Error(`${imgPath}: ${count} images but ${lbl.readUInt32BE(4)} labels.`);
  const rows = img.readUInt32BE(8);
  const cols = img.readUInt32BE(12);
  return { count, rows, cols, pixels: new Uint8Array(img.buffer, img.byteOffset + 16, count * rows * cols), labels: new Uint8Array(lbl.buffer, lbl.byteOffset + 8, count) };
}

/** The class index of a name or a number 0–9 (clear message otherwise). */
export function classIndex(text: string): number {
  const t = text.trim();
  if (/^\d$/.test(t)) return Number(t);
  const i = FMNIST_CLASSES.findIndex((c) => c.toLowerCase() === t.toLowerCase() || c.split('/')[0]!.toLowerCase() === t.toLowerCase());
  if (i < 0) throw new Error(`${JSON.stringify(text)} is not a Fashion-MNIST class; use 0–9 or one of ${FMNIST_CLASSES.join(', ')}.`);
  return i;
}

/** Indices of the first `perClass` rows of each class in `classes`, in file order. */
export function firstOfClasses(idx: Idx, classes: readonly number[], perClass: number): number[] {
  const taken = new Map(classes.map((c) => [c, 0]));
  const out: number[] = [];
  for (let i = 0; i < idx.count; i++) {
    const t = taken.get(idx.labels[i]!);
    if (t !== undefined && t < perClass) {
      out.push(i);
      taken.set(idx.labels[i]!, t + 1);
    }
  }
  for (const [c, t] of taken) if (t < perClass) throw new Error(`only ${t} images of class ${c} (${FMNIST_CLASSES[c]}), wanted ${perClass}; ask for fewer rows.`);
  return out;
}

/** Raw pixels (0–255) of rows `which` as a Dataset of the pair: label 0 = classes[0], 1 = classes[1]. */
function pairDataset(idx: Idx, which: readonly number[], classes: readonly [number, number]): Dataset {
  const D = idx.rows * idx.cols;
  const X = new Float64Array(which.length * D);
  which.forEach((i, r) => {
    for (let k = 0; k < D; k++) X[r * D + k] = idx.pixels[i * D + k]!;
  });
  const labels = Int32Array.from(which, (i) => (idx.labels[i] === classes[1] ? 1 : 0));
  const featureNames: string[] = [];
  for (let y = 0; y < idx.rows; y++) for (let x = 0; x < idx.cols; x++) featureNames.push(`px_${y}_${x}`);
  return { X, n: which.length, d: D, labels, classNames: classes.map((c) => FMNIST_CLASSES[c]!), featureNames };
}

/**
 * A pair as the product trains it: `trainRows` training rows (half per class) and `testRows`
 * test rows (half per class; 0 = every test row of the two classes), each pixel z-scored with
 * the training mean and population std (a constant pixel becomes 0; data/preprocess.ts).
 */
export function fmnistPair(classes: readonly [number, number], trainRows: number, testRows: number, train: Idx, test: Idx): TrainingData {
  if (classes[0] === classes[1]) throw new Error(`a pair needs two different classes, got ${FMNIST_CLASSES[classes[0]]} twice.`);
  if (!(Number.isInteger(trainRows) && trainRows >= 2 && trainRows % 2 === 0)) throw new Error(`training rows ${trainRows}: give an even number ≥ 2 (half per class).`);
  const perTest = testRows === 0 ? Math.min(...classes.map((c) => test.labels.filter((l) => l === c).length)) : testRows / 2;
  const tr = pairDataset(train, firstOfClasses(train, classes, trainRows / 2), classes);
  const te = pairDataset(test, firstOfClasses(test, classes, perTest), classes);
  const s = standardize(tr, te);
  return { train: s.train, test: { X: s.test!.X, n: s.test!.n, labels: s.test!.labels } };
}
