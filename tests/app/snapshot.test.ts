/**
 * The snapshot computations behind the views: D sampling by class, group norms per pattern,
 * gate lines of 2-D data, line clipping, the decision grid, confusion matrices, weight images,
 * and a whole snapshot of a real (CPU-solved) problem checked against the solver's own metrics.
 */
import { describe, expect, it } from 'vitest';
import { appendBias, featurize } from '../../app/features';
import {
  activePatterns,
  clipLine,
  computeSnapshot,
  confusionAccuracy,
  confusionMatrix,
  decisionGrid,
  gateLines,
  patternRowSample,
  patternStrength,
  patternView,
  weightTiles,
} from '../../app/snapshot';
import { CpuSolver } from '../../solver/cpu/admm';
import { standardize, type Standardization } from '../../data/preprocess';
import { stratifiedSplit } from '../../data/split';
import { syntheticDataset } from '../../data/synthetic';
import { buildProblem } from '../../solver/problem';
import { accuracyFromLabels, predictNetwork, recoverNetwork } from '../../solver/recovery';
import { createRng } from '../../solver/rng';
import { LEGACY_CONFIG, type Network } from '../../solver/types';

const identityStats = (d: number): Standardization => ({ mean: new Float64Array(d), std: new Float64Array(d).fill(1), constant: new Uint8Array(d) });

describe('patternRowSample / patternView', () => {
  it('keeps every row, grouped by class in file order, when there are few', () => {
    const labels = Int32Array.from([1, 0, 2, 0, 1, 2, 0]);
    expect(Array.from(patternRowSample(labels, 3, 10))).toEqual([1, 3, 6, 0, 4, 2, 5]);
  });

  it('subsamples each class in proportion, evenly through the class', () => {
    const labels = new Int32Array(1000);
    for (let j = 0; j < 1000; j++) labels[j] = j % 10 < 6 ? 0 : j % 10 < 9 ? 1 : 2;
    const rows = patternRowSample(labels, 3, 100);
    const classes = Array.from(rows, (j) => labels[j]);
    expect(classes.filter((c) => c === 0)).toHaveLength(60);
    expect(classes.filter((c) => c === 1)).toHaveLength(30);
    expect(classes.filter((c) => c === 2)).toHaveLength(10);
    expect(classes).toEqual([...classes].sort());
    expect(new Set(rows).size).toBe(rows.length);
    // Evenly spread: the class-0 picks cover the file from start to end.
    const zeros = Array.from(rows).filter((j) => labels[j] === 0);
    expect(zeros[0]).toBeLessThan(20);
    expect(zeros[zeros.length - 1]).toBeGreaterThan(950);
  });

  it('a tiny class keeps at least one row', () => {
    const labels = new Int32Array(1000);
    labels[500] = 1;
    const rows = patternRowSample(labels, 2, 50);
    expect(Array.from(rows, (j) => labels[j]).filter((c) => c === 1)).toHaveLength(1);
  });

  it('copies the sampled rows of D with their classes', () => {
    const P = 3;
    const D = Uint8Array.from([1, 0, 0, 0, 1, 0, 0, 0, 1, 1, 1, 0]);
    const v = patternView({ D, P, n: 4 }, Int32Array.from([1, 0, 1, 0]), 2, 10);
    expect(v.rows).toBe(4);
    expect(v.totalRows).toBe(4);
    expect(Array.from(v.rowClass)).toEqual([0, 0, 1, 1]);
    expect(Array.from(v.D)).toEqual([0, 1, 0, 1, 1, 0, 1, 0, 0, 0, 0, 1]);
  });
});

describe('patternStrength / activePatterns', () => {
  it('combines the classes in quadrature per sign block and pattern', () => {
    // C = 2, S = 2, P = 3: columns (c·S + s)·P + i.
    const p = { C: 2, S: 2, P: 3 };
    const norms = new Float64Array(12);
    norms[0] = 3; // c0 s0 i0
    norms[6] = 4; // c1 s0 i0
    norms[5] = 1; // c0 s1 i2
    const s = patternStrength(norms, p);
    expect(Array.from(s)).toEqual([5, 0, 0, 0, 0, 1]);
    expect(Array.from(activePatterns(norms, p))).toEqual([1, 0, 1]);
  });
});

describe('gateLines / clipLine', () => {
  it('the line a·x + b·y + c = 0 is exactly gᵀz(x, y) = 0 after standardisation and bias', () => {
    const rng = createRng(11);
    const P = 6;
    const gates = Float64Array.from({ length: 3 * P }, () => rng.normal());
    const stats: Standardization = { mean: Float64Array.from([0.7, -1.2]), std: Float64Array.from([2.5, 0.4]), constant: new Uint8Array(2) };
    const lines = gateLines(gates, P, stats, true);
    expect(lines).not.toBeNull();
    if (!lines) return;
    for (let t = 0; t < 50; t++) {
      const pt = [rng.uniform() * 12 - 6, rng.uniform() * 12 - 6];
      const z = featurize(pt, stats, true);
      for (let i = 0; i < P; i++) {
        const gz = gates[i] * z[0] + gates[P + i] * z[1] + gates[2 * P + i] * z[2];
        const line = lines.a[i] * pt[0] + lines.b[i] * pt[1] + lines.c[i];
        expect(line).toBeCloseTo(gz, 10);
      }
    }
    expect(gateLines(gates, P, stats, false)).toBeNull();
    expect(gateLines(gates, P, identityStats(3), true)).toBeNull();
  });

  it('clips a line to the square, or says it misses', () => {
    expect(clipLine(0, 1, -1, 6)).toEqual([-6, 1, 6, 1]);
    expect(clipLine(1, 0, 2, 6)).toEqual([-2, -6, -2, 6]);
    const diag = clipLine(1, -1, 0, 6);
    expect(diag).not.toBeNull();
    if (diag) expect([diag[0], diag[1], diag[2], diag[3]].map(Math.abs)).toEqual([6, 6, 6, 6]);
    expect(clipLine(0, 1, -7, 6)).toBeNull();
    expect(clipLine(0, 0, 1, 6)).toBeNull();
    const seg = clipLine(2, 3, -1, 6);
    expect(seg).not.toBeNull();
    if (seg) {
      expect(2 * seg[0] + 3 * seg[1] - 1).toBeCloseTo(0, 12);
      expect(2 * seg[2] + 3 * seg[3] - 1).toBeCloseTo(0, 12);
    }
  });
});

describe('decisionGrid', () => {
  const h = 6;
  const size = 4;
  const cell = (k: number) => -h + ((k + 0.5) * 2 * h) / size;
  it('evaluates the network at cell centres, row 0 at the top', () => {
    // relu(x) and relu(y) as one-neuron networks on (x, y, bias).
    const netX: Network = { model: 'relu', d: 3, m: 1, C: 1, W1: Float64Array.from([1, 0, 0]), w2: Float64Array.from([1]) };
    const netY: Network = { ...netX, W1: Float64Array.from([0, 1, 0]) };
    const gx = decisionGrid(netX, size, h, identityStats(2), true);
    const gy = decisionGrid(netY, size, h, identityStats(2), true);
    for (let r = 0; r < size; r++) {
      for (let q = 0; q < size; q++) {
        expect(gx[r * size + q]).toBeCloseTo(Math.max(0, cell(q)), 6);
        expect(gy[r * size + q]).toBeCloseTo(Math.max(0, -cell(r)), 6);
      }
    }
    expect(gy[0]).toBeGreaterThan(0);
    expect(gy[(size - 1) * size]).toBe(0);
  });

  it('uses the bias feature and the standardisation, and returns class indices for C > 1', () => {
    // Bias weight 1 and x weight −1 on standardised x (mean 2, std 2): output relu(1 − (x−2)/2).
    const stats: Standardization = { mean: Float64Array.from([2, 0]), std: Float64Array.from([2, 1]), constant: new Uint8Array(2) };
    const net: Network = { model: 'relu', d: 3, m: 1, C: 1, W1: Float64Array.from([-1, 0, 1]), w2: Float64Array.from([1]) };
    const g = decisionGrid(net, size, h, stats, true);
    for (let q = 0; q < size; q++) expect(g[q]).toBeCloseTo(Math.max(0, 1 - (cell(q) - 2) / 2), 6);
    const two: Network = { model: 'relu', d: 3, m: 2, C: 2, W1: Float64Array.from([1, -1, 0, 0, 0, 0]), w2: Float64Array.from([1, 0, 0, 1]) };
    const cls = decisionGrid(two, size, h, identityStats(2), true);
    for (let q = 0; q < size; q++) expect(cls[q]).toBe(cell(q) > 0 ? 0 : 1);
    const empty: Network = { model: 'relu', d: 3, m: 0, C: 1, W1: new Float64Array(0), w2: new Float64Array(0) };
    expect(Array.from(decisionGrid(empty, size, h, identityStats(2), true))).toEqual(new Array(size * size).fill(0));
  });
});

describe('confusionMatrix', () => {
  it('binary: score > 0 predicts class 1; rows are true classes', () => {
    const scores = Float64Array.from([0.5, -0.2, 0.1, -3, 0]);
    const labels = Int32Array.from([1, 1, 0, 0, 0]);
    const m = confusionMatrix(scores, 5, 1, labels, 2);
    expect(Array.from(m)).toEqual([2, 1, 1, 1]);
    expect(confusionAccuracy(m, 2)).toBeCloseTo(3 / 5, 12);
  });

  it('multi-class: argmax per row', () => {
    const scores = Float64Array.from([1, 0, 0, 0, 2, 1, 0, 0, 3, 5, 1, 1]);
    const labels = Int32Array.from([0, 1, 2, 1]);
    const m = confusionMatrix(scores, 4, 3, labels, 3);
    expect(Array.from(m)).toEqual([1, 0, 0, 1, 1, 0, 0, 0, 1]);
    expect(confusionAccuracy(m, 3)).toBe(0.75);
    expect(confusionAccuracy(new Int32Array(4), 2)).toBeNaN();
  });
});

describe('weightTiles', () => {
  it('orders columns by norm, drops zero columns and copies each column', () => {
    const d = 4;
    const K = 3;
    const U = new Float64Array(d * K);
    for (let k = 0; k < d; k++) {
      U[k * K + 0] = 1; // norm 2
      U[k * K + 2] = 3 * (k + 1); // norm 3·√30
    }
    const norms = Float64Array.from([2, 0, 3 * Math.sqrt(30)]);
    const t = weightTiles(U, { d, K }, norms, { width: 2, height: 2 });
    expect(t).not.toBeNull();
    if (!t) return;
    expect(t.count).toBe(2);
    expect(Array.from(t.column)).toEqual([2, 0]);
    expect(Array.from(t.pixels)).toEqual([3, 6, 9, 12, 1, 1, 1, 1]);
    expect(weightTiles(U, { d, K }, norms, { width: 3, height: 3 })).toBeNull();
    expect(weightTiles(U, { d, K }, norms, { width: 2, height: 2 }, 1)?.count).toBe(1);
  });
});

describe('computeSnapshot on a solved 2-D problem', () => {
  it('agrees with the solver: test accuracy, active neurons; the boundary separates the blobs', async () => {
    const all = syntheticDataset('gaussian', { n: 200, noise: 0.1, seed: 2 });
    const split = stratifiedSplit(all, 0.3, 2);
    const { train: zTrain, test: zTest, stats } = standardize(split.train, split.test);
    const train = appendBias(zTrain);
    const test = zTest ? appendBias(zTest) : null;
    expect(test).not.toBeNull();
    if (!test) return;
    const problem = buildProblem(train, { model: 'relu', P: 8, beta: 0.1, seed: 2 });
    const testSet = { X: test.X, n: test.n, labels: test.labels };
    const solver = new CpuSolver(problem, { ...LEGACY_CONFIG, P: 8, beta: 0.1, seed: 2 }, testSet);
    let last = await solver.step();
    for (let k = 1; k < 40; k++) last = await solver.step();
    const { U, V } = await solver.solution();
    const snap = computeSnapshot(
      { problem, trainLabels: train.labels, numClasses: 2, test: testSet, stats, bias: true, image: null, domain: 6 },
      U,
      V,
      last.iter,
    );
    const net = recoverNetwork(problem, U);
    expect(snap.iter).toBe(40);
    expect(snap.hidden).toBe(net.m);
    expect(snap.trainAccuracy).toBeCloseTo(accuracyFromLabels(predictNetwork(net, problem.X, problem.n), problem.n, 1, train.labels), 12);
    expect(snap.testAccuracy).toBeCloseTo(last.testAccuracy, 12);
    expect(snap.normsV.filter((v) => v > 0).length).toBe(last.activeNeurons);
    expect(snap.confusion.test?.reduce((s, v) => s + v, 0)).toBe(test.n);
    expect(snap.tiles).toBeNull();
    const b = snap.boundary;
    expect(b?.size).toBe(50);
    if (!b) return;
    // Cell nearest (2, 2) is blue (class 1, > 0), nearest (−2, −2) orange (< 0).
    const at = (x: number, y: number) => b.values[Math.floor(((6 - y) / 12) * b.size) * b.size + Math.floor(((x + 6) / 12) * b.size)];
    expect(at(2, 2)).toBeGreaterThan(0);
    expect(at(-2, -2)).toBeLessThan(0);
  });
});
