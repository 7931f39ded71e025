/**
 * The user's own data (what the ingest session loaded) as the solver session's PreparedData,
 * and the pieces of a run that differ for it: regression problems and test sets, and the 2-D
 * view of a two-feature table. The ingest session has already split and standardised the rows
 * (statistics fitted on the training part), so nothing here touches the values again.
 */
import type { Standardization } from '../../data/preprocess';
import type { TabularDataset } from '../../data/tabular';
import { cronosProblem } from '../../solver/methods/cronos/trainer';
import type { TestSet } from '../../solver/solver';
import type { Dataset, ModelKind, Problem } from '../../solver/types';
import { USER_DATASET, type DatasetInfo } from '../datasets';
import type { CurrentDataset } from '../ingest/session';
import type { GateLines } from '../protocol';
import type { PreparedData } from './prepare';

/** The catalogue-like entry of a loaded dataset: its file name as the title, its pixel grid. */
export function userDatasetInfo(cur: Pick<CurrentDataset, 'summary'>): DatasetInfo {
  const { summary } = cur;
  const image = summary.image ? { width: summary.image.size, height: summary.image.size, channels: summary.image.channels } : null;
  const what = summary.source === 'images' ? 'images' : summary.task === 'regression' ? 'regression' : 'CSV';
  return { ...USER_DATASET, title: `Your data: ${summary.fileName} (${what})`, image };
}

/** Mean 0, std 1 for d features: the rows are z-scored already, so the views use them as they are. */
export function identityStandardization(d: number): Standardization {
  return { mean: new Float64Array(d), std: new Float64Array(d).fill(1), constant: new Uint8Array(d) };
}

/**
 * The loaded dataset as PreparedData. Regression rows get label 0 and no class names (the
 * views group rows by class); their targets travel in `targets`. A two-feature table gets the
 * 2-D view in z-score coordinates, without a bias feature (CRONOS has none; the user's table
 * is trained exactly as loaded).
 */
export function prepareUserData(cur: CurrentDataset): PreparedData {
  const train = asDataset(cur.train);
  const test = cur.test ? asDataset(cur.test) : null;
  const planar = train.d === 2 ? { train, test } : null;
  const prepared: PreparedData = {
    info: userDatasetInfo(cur),
    train,
    test,
    testSource: 'split',
    stats: identityStandardization(train.d),
    bias: false,
    planar,
  };
  if (planar) prepared.domain = planarDomain(train, test);
  if (cur.train.task === 'regression') {
    prepared.targets = { name: cur.train.labelColumn, train: cur.train.target, test: cur.test?.task === 'regression' ? cur.test.target : null };
  }
  return prepared;
}

/** A TabularDataset in the solver's Dataset shape (regression: one pseudo-class, all rows 0). */
function asDataset(t: TabularDataset): Dataset {
  if (t.task === 'classification') return { X: t.X, n: t.n, d: t.d, labels: t.labels, classNames: t.classNames, featureNames: t.featureNames };
  return { X: t.X, n: t.n, d: t.d, labels: new Int32Array(t.n), classNames: [], featureNames: t.featureNames };
}

/** The convex program of prepared data: ±1 one-vs-all targets, or the standardised regression target. */
export function buildPreparedProblem(prepared: PreparedData, opts: { model: ModelKind; P: number; beta: number; seed: number }): Problem {
  return cronosProblem({ train: prepared.train, test: null, ...(prepared.targets ? { targets: prepared.targets.train } : {}) }, opts);
}

/** The test rows for the solver's test metrics (regression carries targets; labels are unused then). */
export function preparedTestSet(prepared: PreparedData): TestSet | null {
  const test = prepared.test;
  if (!test) return null;
  if (prepared.targets) {
    if (!prepared.targets.test) return null;
    return { X: test.X, n: test.n, labels: new Int32Array(0), targets: prepared.targets.test };
  }
  return { X: test.X, n: test.n, labels: test.labels };
}

/**
 * Half-width of a square view that holds every point of a 2-D table: the largest |coordinate|
 * plus a margin, rounded up to a half unit (z-scores: usually 2.5 to 4).
 */
export function planarDomain(train: Pick<Dataset, 'X' | 'n' | 'd'>, test: Pick<Dataset, 'X' | 'n' | 'd'> | null): number {
  let max = 0;
  for (const data of test ? [train, test] : [train]) for (let i = 0; i < data.n * data.d; i++) max = Math.max(max, Math.abs(data.X[i]));
  if (!Number.isFinite(max) || max === 0) return 1;
  return Math.ceil(max * 1.08 * 2) / 2;
}

/** Gate hyperplanes gᵢᵀz = 0 of 2-D data without a bias feature: lines through the origin. */
export function originGateLines(gates: Float64Array, P: number): GateLines {
  return { a: gates.slice(0, P), b: gates.slice(P, 2 * P), c: new Float64Array(P) };
}

/**
 * Every point's target in the solver's units (standardised like the problem's Y), train rows
 * then test rows, to colour the scatter plot of a 2-D regression on the decision boundary's scale.
 */
export function standardisedTargets(prepared: PreparedData, problem: Pick<Problem, 'targetMean' | 'targetStd'>): Float32Array | null {
  const t = prepared.targets;
  if (!t) return null;
  const mean = problem.targetMean ?? 0;
  const std = problem.targetStd ?? 1;
  const out = new Float32Array(t.train.length + (t.test?.length ?? 0));
  t.train.forEach((v, i) => (out[i] = (v - mean) / std));
  t.test?.forEach((v, i) => (out[t.train.length + i] = (v - mean) / std));
  return out;
}
