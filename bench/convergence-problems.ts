/**
 * The problems of the convergence benchmark (`npm run bench -- convergence`, issue 9): small
 * slices of the built-in datasets and a synthetic set, ReLU and gated, binary and 3-class, sized
 * so that a float64 CPU run to a certified gap of 1e-4 takes seconds. Rows are a seeded
 * stratified-free prefix shuffle (the same rows every run) and features are z-scored (spec §2.2).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseDataset } from '../data/csv';
import { standardize } from '../data/preprocess';
import { buildProblem } from '../solver/problem';
import { createRng } from '../solver/rng';
import type { Dataset, ModelKind, Problem } from '../solver/types';

/** One benchmark problem. */
export interface BenchProblem {
  name: string;
  problem: Problem;
}

const DATASETS = join(import.meta.dirname, '..', 'public', 'datasets');

/** `rows` rows of `data` picked by a seeded shuffle, keeping only the classes in `keep` (relabelled 0…). */
function slice(data: Dataset, rows: number, seed: number, keep?: string[]): Dataset {
  const classIndex = keep ? keep.map((c) => data.classNames.indexOf(c)) : data.classNames.map((_, i) => i);
  if (classIndex.some((i) => i < 0)) throw new Error(`convergence problems: classes ${String(keep)} not all in [${data.classNames.join(', ')}]`);
  const idx: number[] = [];
  for (let j = 0; j < data.n; j++) if (classIndex.includes(data.labels[j])) idx.push(j);
  const rng = createRng(seed, 31);
  for (let i = idx.length - 1; i > 0; i--) {
    const j = Math.floor(rng.uniform() * (i + 1));
    [idx[i], idx[j]] = [idx[j], idx[i]];
  }
  const take = idx.slice(0, Math.min(rows, idx.length));
  const { d } = data;
  const X = new Float64Array(take.length * d);
  const labels = new Int32Array(take.length);
  take.forEach((j, r) => {
    X.set(data.X.subarray(j * d, (j + 1) * d), r * d);
    labels[r] = classIndex.indexOf(data.labels[j]);
  });
  return { X, n: take.length, d, labels, classNames: classIndex.map((i) => data.classNames[i]), featureNames: data.featureNames };
}

function csv(file: string): Dataset {
  return parseDataset(readFileSync(join(DATASETS, file), 'utf8'), file);
}

/** A Gaussian dataset whose labels are a random two-layer ReLU teacher's sign (learnable, not separable by a line). */
function synthetic(n: number, d: number, seed: number): Dataset {
  const rng = createRng(seed, 41);
  const X = Float64Array.from({ length: n * d }, () => rng.normal());
  const H = 4;
  const W = Float64Array.from({ length: d * H }, () => rng.normal());
  const labels = new Int32Array(n);
  for (let j = 0; j < n; j++) {
    let out = 0;
    for (let h = 0; h < H; h++) {
      let a = 0;
      for (let k = 0; k < d; k++) a += X[j * d + k] * W[k * H + h];
      out += (h % 2 === 0 ? 1 : -1) * Math.max(a, 0);
    }
    labels[j] = out + 0.3 * rng.normal() > 0 ? 1 : 0;
  }
  return { X, n, d, labels, classNames: ['a', 'b'], featureNames: Array.from({ length: d }, (_, k) => `x${k}`) };
}

function make(name: string, data: Dataset, model: ModelKind, P: number, beta: number, seed = 0): BenchProblem {
  const { train } = standardize(data);
  return { name: `${name} ${model} P=${P} β=${beta}`, problem: buildProblem(train, { model, P, beta, seed }) };
}

/**
 * The benchmark set: Fashion-MNIST 10×10 (pullover vs bag), breast cancer, digits one-vs-all
 * (3 classes), a synthetic teacher set; each ReLU and gated. β spans 1e-3 to 1 because the best
 * ρ scales with it (research-wave2 §3.1), which is what a ρ rule must cope with.
 */
export function convergenceProblems(): BenchProblem[] {
  const fm = slice(csv('fmnist-pullover-bag-10x10-train.csv'), 300, 1);
  const bc = slice(csv('breast-cancer.csv'), 300, 2);
  const dg = slice(csv('digits-8x8.csv'), 300, 3, ['0', '1', '2']);
  const sy = synthetic(200, 8, 4);
  const out: BenchProblem[] = [];
  for (const model of ['relu', 'gated'] as ModelKind[]) {
    out.push(make('fmnist-10x10 n=300', fm, model, 8, 1e-3));
    out.push(make('breast-cancer n=300', bc, model, 8, 0.1));
    out.push(make('digits 0/1/2 one-vs-all n=300', dg, model, 4, 0.01));
    out.push(make('synthetic n=200 d=8', sy, model, 8, 1));
  }
  return out;
}
