/**
 * What the visualisations show, computed from the problem and the current solution (u, v): the
 * pattern matrix D subsampled by class, group norms per neuron, the gate hyperplanes of 2-D data,
 * the decision boundary on a grid, first-layer weights as images, confusion matrices. Pure
 * functions: the Worker calls them, the unit tests check them, the page only draws the results.
 */
import type { Standardization } from '../data/preprocess';
import { columnNorms, predictNetwork, recoverNetwork } from '../solver/recovery';
import type { TestSet } from '../solver/solver';
import { paramLayout } from '../solver/deep/arch';
import { predictModel } from '../solver/predict';
import type { TrainedModel } from '../solver/trainer';
import type { Network, Problem } from '../solver/types';
import type { ConfusionView, GateLines, PatternView, Snapshot, WeightTiles } from './protocol';
import { featurize } from './features';

/** Rows of D drawn at most (a heatmap taller than this only aliases). */
export const MAX_PATTERN_ROWS = 300;
/** Side of the decision-boundary grid (TensorFlow Playground uses 100; 50 is plenty upscaled). */
export const BOUNDARY_GRID = 50;
/** Weight images drawn at most. */
export const MAX_WEIGHT_TILES = 24;

/**
 * Row indices for the D heatmap: grouped by class (class 0 first), each class keeping its share
 * of `maxRows` (at least one row), picked evenly through the class in file order. All rows when
 * there are at most `maxRows`.
 */
export function patternRowSample(labels: Int32Array, numClasses: number, maxRows: number): Int32Array {
  const byClass: number[][] = Array.from({ length: numClasses }, () => []);
  for (let j = 0; j < labels.length; j++) byClass[labels[j]].push(j);
  const n = labels.length;
  const out: number[] = [];
  for (const rows of byClass) {
    if (rows.length === 0) continue;
    const k = n <= maxRows ? rows.length : Math.max(1, Math.min(rows.length, Math.round((maxRows * rows.length) / n)));
    for (let t = 0; t < k; t++) out.push(rows[Math.floor((t * rows.length) / k)]);
  }
  return Int32Array.from(out);
}

/** The D heatmap data: sampled rows of the n×P pattern matrix with their classes. */
export function patternView(problem: Pick<Problem, 'D' | 'P' | 'n'>, labels: Int32Array, numClasses: number, maxRows = MAX_PATTERN_ROWS): PatternView {
  const rows = patternRowSample(labels, numClasses, maxRows);
  const { P } = problem;
  const D = new Uint8Array(rows.length * P);
  const rowClass = new Uint8Array(rows.length);
  rows.forEach((j, r) => {
    D.set(problem.D.subarray(j * P, (j + 1) * P), r * P);
    rowClass[r] = labels[j];
  });
  return { rows: rows.length, P, D, rowClass, totalRows: problem.n };
}

/**
 * Per pattern i and sign block s, √(Σ_c ‖column (c·S+s)·P+i‖²): the strength of the neuron pair
 * that pattern i contributes, over all one-vs-all classes. Index s·P + i.
 */
export function patternStrength(norms: Float64Array, p: Pick<Problem, 'C' | 'S' | 'P'>): Float64Array {
  const { C, S, P } = p;
  const out = new Float64Array(S * P);
  for (let c = 0; c < C; c++) {
    for (let s = 0; s < S; s++) {
      for (let i = 0; i < P; i++) {
        const v = norms[(c * S + s) * P + i];
        out[s * P + i] += v * v;
      }
    }
  }
  for (let t = 0; t < out.length; t++) out[t] = Math.sqrt(out[t]);
  return out;
}

/** 1 for every pattern whose group-sparse v has a non-zero column (the group lasso keeps it). */
export function activePatterns(normsV: Float64Array, p: Pick<Problem, 'C' | 'S' | 'P'>): Uint8Array {
  const strength = patternStrength(normsV, p);
  const out = new Uint8Array(p.P);
  for (let s = 0; s < p.S; s++) for (let i = 0; i < p.P; i++) if (strength[s * p.P + i] > 0) out[i] = 1;
  return out;
}

/**
 * The gate hyperplanes gᵢᵀz = 0 of a 2-D set as lines a·x + b·y + c = 0 in the generator's
 * coordinates, undoing the z-scoring (z = ((x−m₁)/s₁, (y−m₂)/s₂, 1)). Null unless the raw data
 * is 2-D with a bias feature.
 */
export function gateLines(gates: Float64Array, P: number, stats: Standardization, bias: boolean): GateLines | null {
  if (!bias || stats.mean.length !== 2) return null;
  const a = new Float64Array(P);
  const b = new Float64Array(P);
  const c = new Float64Array(P);
  const scale = (k: number): number => (stats.constant[k] ? 0 : 1 / stats.std[k]);
  for (let i = 0; i < P; i++) {
    const g0 = gates[i] * scale(0);
    const g1 = gates[P + i] * scale(1);
    a[i] = g0;
    b[i] = g1;
    c[i] = gates[2 * P + i] - g0 * stats.mean[0] - g1 * stats.mean[1];
  }
  return { a, b, c };
}

/**
 * The part of the line a·x + b·y + c = 0 inside the square [−h, h]², as [x₁, y₁, x₂, y₂], or
 * null when the line misses the square (or is degenerate).
 */
export function clipLine(a: number, b: number, c: number, h: number): [number, number, number, number] | null {
  const pts: [number, number][] = [];
  const push = (x: number, y: number): void => {
    if (Math.abs(x) <= h * (1 + 1e-12) && Math.abs(y) <= h * (1 + 1e-12) && !pts.some(([px, py]) => Math.abs(px - x) < 1e-9 * h && Math.abs(py - y) < 1e-9 * h)) {
      pts.push([x, y]);
    }
  };
  if (b !== 0) {
    push(-h, (-c + a * h) / b);
    push(h, (-c - a * h) / b);
  }
  if (a !== 0) {
    push((-c + b * h) / a, -h);
    push((-c - b * h) / a, h);
  }
  if (pts.length < 2) return null;
  return [pts[0][0], pts[0][1], pts[1][0], pts[1][1]];
}

/**
 * Network output on a size×size grid of cell centres over [−h, h]² (row 0 = top, y = +h),
 * mapping each raw point through the training standardisation (and bias) first. Binary nets
 * give the score; multi-output nets the index of the winning class.
 */
export function decisionGrid(net: Network, size: number, h: number, stats: Standardization, bias: boolean): Float32Array {
  const d = net.d;
  const X = new Float64Array(size * size * d);
  const raw = new Float64Array(2);
  const row = new Float64Array(d);
  for (let r = 0; r < size; r++) {
    for (let q = 0; q < size; q++) {
      raw[0] = -h + ((q + 0.5) * 2 * h) / size;
      raw[1] = h - ((r + 0.5) * 2 * h) / size;
      X.set(featurize(raw, stats, bias, row), (r * size + q) * d);
    }
  }
  const out = new Float32Array(size * size);
  if (net.m === 0) return out;
  const scores = predictNetwork(net, X, size * size);
  for (let t = 0; t < size * size; t++) out[t] = net.C === 1 ? scores[t] : argmax(scores, t, net.C);
  return out;
}

/** Index of the largest of the C scores of row j (first on ties). */
function argmax(scores: Float64Array, j: number, C: number): number {
  let best = 0;
  for (let c = 1; c < C; c++) if (scores[j * C + c] > scores[j * C + best]) best = c;
  return best;
}

/** Predicted class of row j: score > 0 ↦ class 1 for binary outputs, argmax otherwise. */
export function predictedClass(scores: Float64Array, j: number, C: number): number {
  return C === 1 ? (scores[j] > 0 ? 1 : 0) : argmax(scores, j, C);
}

/** numClasses×numClasses counts, row = true class, column = predicted class. */
export function confusionMatrix(scores: Float64Array, n: number, C: number, labels: Int32Array, numClasses: number): Int32Array {
  const m = new Int32Array(numClasses * numClasses);
  for (let j = 0; j < n; j++) m[labels[j] * numClasses + predictedClass(scores, j, C)]++;
  return m;
}

/** Trace / total of a confusion matrix (NaN when empty). */
export function confusionAccuracy(m: Int32Array, classes: number): number {
  let total = 0;
  let hit = 0;
  for (let t = 0; t < m.length; t++) total += m[t];
  for (let c = 0; c < classes; c++) hit += m[c * classes + c];
  return total === 0 ? NaN : hit / total;
}

/**
 * The first-layer weights of the (up to) `max` columns of U with the largest norms, as images
 * (RGB images: three interleaved values per pixel, as the features are laid out).
 * Columns at float-noise level (≤ 1e-6 of the largest) are left out, as recoverNetwork prunes them.
 */
export function weightTiles(
  U: Float64Array,
  p: Pick<Problem, 'd' | 'K'>,
  normsU: Float64Array,
  image: { width: number; height: number; channels?: 1 | 3 },
  max = MAX_WEIGHT_TILES,
): WeightTiles | null {
  const { d, K } = p;
  const channels = image.channels ?? 1;
  if (image.width * image.height * channels !== d) return null;
  let top = 0;
  for (let col = 0; col < K; col++) top = Math.max(top, normsU[col]);
  const cols: number[] = [];
  for (let col = 0; col < K; col++) if (normsU[col] > 0 && normsU[col] > 1e-6 * top) cols.push(col);
  cols.sort((x, y) => normsU[y] - normsU[x] || x - y);
  const chosen = cols.slice(0, max);
  const pixels = new Float32Array(chosen.length * d);
  chosen.forEach((col, t) => {
    for (let k = 0; k < d; k++) pixels[t * d + k] = U[k * K + col];
  });
  return {
    count: chosen.length,
    width: image.width,
    height: image.height,
    ...(channels === 3 ? { channels } : {}),
    pixels,
    column: Int32Array.from(chosen),
    norm: Float64Array.from(chosen, (col) => normsU[col]),
  };
}

/** What {@link computeSnapshot} needs besides the solution. */
export interface SnapshotContext {
  problem: Problem;
  /** Class of every training row. */
  trainLabels: Int32Array;
  numClasses: number;
  test: TestSet | null;
  stats: Standardization;
  bias: boolean;
  image: { width: number; height: number; channels?: 1 | 3 } | null;
  /** Half-width of the 2-D view; null for data that is not 2-D. */
  domain: number | null;
}

/** A {@link Snapshot} of the solution (U, V) after `iter` iterations; `recovered` is U's network when the caller has it already. */
export function computeSnapshot(ctx: SnapshotContext, U: Float64Array, V: Float64Array, iter: number, recovered?: Network): Snapshot {
  const { problem, numClasses } = ctx;
  const normsU = columnNorms(U, problem.d, problem.K);
  const normsV = columnNorms(V, problem.d, problem.K);
  const net = recovered ?? recoverNetwork(problem, U);
  // Regression has no classes: no confusion matrices, no accuracy (the metrics carry MSE and R²).
  const regression = problem.task === 'regression';
  const trainScores = net.m > 0 && !regression ? predictNetwork(net, problem.X, problem.n) : new Float64Array(problem.n * problem.C);
  const train = regression ? new Int32Array(0) : confusionMatrix(trainScores, problem.n, problem.C, ctx.trainLabels, numClasses);
  let test: Int32Array | null = null;
  if (ctx.test && ctx.test.n > 0 && !regression) {
    const s = net.m > 0 ? predictNetwork(net, ctx.test.X, ctx.test.n) : new Float64Array(ctx.test.n * problem.C);
    test = confusionMatrix(s, ctx.test.n, problem.C, ctx.test.labels, numClasses);
  }
  const confusion: ConfusionView = { classes: regression ? 0 : numClasses, train, test };
  return {
    iter,
    normsU,
    normsV,
    hidden: net.m,
    trainAccuracy: confusionAccuracy(train, numClasses),
    testAccuracy: test ? confusionAccuracy(test, numClasses) : NaN,
    confusion,
    boundary: ctx.domain !== null ? { size: BOUNDARY_GRID, values: decisionGrid(net, BOUNDARY_GRID, ctx.domain, ctx.stats, ctx.bias) } : null,
    tiles: ctx.image ? weightTiles(U, problem, normsU, ctx.image) : null,
  };
}

/**
 * The first layer of a deep network as weight tiles (issue 10: "first-layer filters as images"):
 * a dense first layer on image rows gives one tile per unit (its in-weights as an image of the
 * data's shape), a 3×3 convolution one 3×3 tile per output channel (grey or RGB input). The
 * kernels are laid out like CRONOS's u (in × out, row-major; HWIO is (3·3·Cin) × Cout), so
 * {@link weightTiles} draws them, strongest (largest ‖w‖) first. Null when the first layer is
 * neither, or its input is not an image.
 */
export function deepFirstLayerTiles(
  deep: NonNullable<TrainedModel['deep']>,
  image: { width: number; height: number; channels?: 1 | 3 } | null,
  max = MAX_WEIGHT_TILES,
): WeightTiles | null {
  const slot = paramLayout(deep.arch).find((s) => s.name === 'kernel');
  if (!slot) return null;
  const layer = deep.arch.layers[slot.layer];
  const out = slot.shape[slot.shape.length - 1];
  const rows = slot.size / out;
  const kind = layer.kind === 'dense' || layer.kind === 'conv3x3' ? layer.kind : null;
  let tile: { width: number; height: number; channels?: 1 | 3 } | null = null;
  if (kind === 'dense') tile = image;
  else if (kind === 'conv3x3') {
    const cin = slot.shape[2];
    tile = cin === 1 ? { width: 3, height: 3 } : cin === 3 ? { width: 3, height: 3, channels: 3 } : null;
  }
  if (!tile || !kind) return null;
  const W = deep.theta.subarray(slot.offset, slot.offset + slot.size);
  const tiles = weightTiles(W, { d: rows, K: out }, columnNorms(W, rows, out), tile, max);
  return tiles && { ...tiles, layer: kind };
}

/** What {@link metricsSnapshot} needs: the rows and classes a method without a convex program is judged on. */
export interface MetricsViewContext {
  train: { X: Float64Array; n: number; labels: Int32Array };
  numClasses: number;
  test: TestSet | null;
  regression: boolean;
  /** The rows' pixel grid (image data), for a deep network's first-layer tiles. */
  image?: { width: number; height: number; channels?: 1 | 3 } | null;
}

/**
 * The metrics-only {@link Snapshot} of a method without a convex program: no neuron norms or
 * boundary, a deep network's first-layer tiles ({@link deepFirstLayerTiles}), and the confusion matrices and accuracy of its model's predictions
 * (`model.predict`, else the plain `network`). Regression: no confusion, NaN accuracy.
 */
export function metricsSnapshot(ctx: MetricsViewContext, model: TrainedModel, iter: number): Snapshot {
  const net = model.network;
  const predict = (X: Float64Array, n: number): Float64Array => (model.predict || model.deep || net.m > 0 ? predictModel(model, X, n) : new Float64Array(n * net.C));
  const classes = ctx.regression ? 0 : ctx.numClasses;
  const train = ctx.regression ? new Int32Array(0) : confusionMatrix(predict(ctx.train.X, ctx.train.n), ctx.train.n, net.C, ctx.train.labels, classes);
  const test = ctx.test && ctx.test.n > 0 && !ctx.regression ? confusionMatrix(predict(ctx.test.X, ctx.test.n), ctx.test.n, net.C, ctx.test.labels, classes) : null;
  return {
    iter,
    normsU: new Float64Array(0),
    normsV: new Float64Array(0),
    hidden: net.m,
    trainAccuracy: confusionAccuracy(train, classes),
    testAccuracy: test ? confusionAccuracy(test, classes) : NaN,
    confusion: { classes, train, test },
    boundary: null,
    tiles: model.deep ? deepFirstLayerTiles(model.deep, ctx.image ?? null) : null,
  };
}
