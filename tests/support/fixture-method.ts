/**
 * A second training method for the tests only: least squares by full-batch gradient descent on a
 * linear model (w is d×C, ±1 one-vs-all targets as CRONOS's). It is registered through the
 * registry seams (`MethodRegistry` arguments and `SessionEnv.methods`), never in the product, and
 * exercises every generic path a real second method takes: its own table (a fieldset of its own,
 * CLI flags, link fields, a 'limit' budget, the shared `seed`), its own metrics, no convex
 * program, a saved state.
 *
 * Its optimum is known in closed form (the normal equations XᵀX w = XᵀY), so tests can check
 * that what the generic paths ran really is gradient descent on this problem.
 */
import { METHODS, defineMethod, type MethodId, type MethodRegistry } from '../../solver/methods/index';
import { CRONOS_PARAMS } from '../../solver/methods/cronos/params';
import { defineTable, integer, real, type Values } from '../../solver/params/table';
import { checkStateHeader, type FinishReason, type MetricDescriptor, type MetricsRecord, type Trainer, type TrainerEnv, type TrainerState, type TrainedModel, type TrainingData } from '../../solver/trainer';
import type { Network } from '../../solver/types';

/** The fixture's id (not a registered MethodId: cast where product types ask for one). */
export const LSQ_ID = 'lsq';

/** The fixture's id where a product type wants a {@link MethodId}. */
export const LSQ_METHOD = LSQ_ID as string as MethodId;

/**
 * Its settings: a step size, a step budget, and CRONOS's seed (a key two methods share, declared
 * alike). Prefixed keys and flags, so no real method's table clashes with the fixture.
 */
export const LSQ_PARAMS = defineTable({
  lsqRate: real({
    default: 0.1,
    label: 'Step size η',
    change: 'solver',
    limits: { min: 1e-6, max: 10 },
    presets: [0.01, 0.1, 0.3, 1],
    cli: { flag: '--lsq-rate', arg: 'ETA', help: 'gradient step size η', range: { above: 0 } },
    link: { key: 'lsqRate', range: { above: 0, max: 10 } },
    control: { kind: 'menu', group: 'optimizer', testId: 'lsq-lr', format: 'setting' },
  }),
  lsqSteps: integer({
    default: 20,
    label: 'Steps (cap)',
    change: 'limit',
    limits: { min: 1, max: 100_000 },
    presets: [10, 20, 100, 1000],
    cli: { flag: '--lsq-steps', arg: 'N', help: 'gradient steps in all', range: { min: 1 } },
    link: { key: 'lsqSteps', range: { min: 1, max: 100_000 } },
    control: { kind: 'menu', group: 'optimizer', testId: 'lsq-steps', format: 'plain' },
  }),
  seed: { ...CRONOS_PARAMS.seed, help: 'Drives the data and the split (the fixture itself is deterministic).' },
});

/** The fixture's settings. */
export type LsqParams = Values<typeof LSQ_PARAMS>;

/** What a step reports. */
export const LSQ_METRICS: readonly MetricDescriptor[] = [
  { key: 'loss', label: 'loss ½‖Xw − Y‖²/n', unit: '', log: true, chart: 'loss', help: 'Mean squared training loss (halved).' },
  { key: 'gradNorm', label: '‖∇‖', unit: '', log: true, chart: 'optimizer', help: 'Norm of the gradient before the step.' },
  { key: 'trainAccuracy', label: 'train', unit: 'fraction', log: false, chart: 'accuracy', help: 'Training accuracy of sign(Xw) (argmax for several classes).' },
  { key: 'testAccuracy', label: 'test', unit: 'fraction', log: false, chart: 'accuracy', help: 'Test accuracy.' },
];

/** ±1 one-vs-all targets (n×C; C = 1 for two classes: label 1 ↦ +1). */
export function signTargets(labels: Int32Array, classes: number): { Y: Float64Array; C: number } {
  const C = classes <= 2 ? 1 : classes;
  const Y = new Float64Array(labels.length * C);
  labels.forEach((l, j) => {
    for (let c = 0; c < C; c++) Y[j * C + c] = (C === 1 ? l === 1 : l === c) ? 1 : -1;
  });
  return { Y, C };
}

/** X·w for n rows (n×C). */
export function linearScores(X: Float64Array, n: number, d: number, w: Float64Array, C: number): Float64Array {
  const out = new Float64Array(n * C);
  for (let j = 0; j < n; j++) for (let k = 0; k < d; k++) for (let c = 0; c < C; c++) out[j * C + c] += X[j * d + k] * w[k * C + c];
  return out;
}

function accuracy(scores: Float64Array, labels: Int32Array, C: number): number {
  if (labels.length === 0) return NaN;
  let hit = 0;
  labels.forEach((l, j) => {
    let pred: number;
    if (C === 1) pred = scores[j] > 0 ? 1 : 0;
    else {
      pred = 0;
      for (let c = 1; c < C; c++) if (scores[j * C + c] > scores[j * C + pred]) pred = c;
    }
    if (pred === l) hit++;
  });
  return hit / labels.length;
}

/** Least squares by gradient descent: w ← w − η·Xᵀ(Xw − Y)/n. */
export class LsqTrainer implements Trainer {
  readonly method = LSQ_ID;
  readonly device = 'cpu' as const;
  readonly metrics = LSQ_METRICS;
  private iter = 0;
  private budget: number;
  private w: Float64Array;
  private readonly Y: Float64Array;
  private readonly C: number;
  /** Trainers of this fixture not yet disposed (the tests' leak check). */
  static live = 0;

  constructor(
    private readonly data: TrainingData,
    private readonly lr: number,
    steps: number,
  ) {
    const { train } = data;
    ({ Y: this.Y, C: this.C } = signTargets(train.labels, train.classNames.length));
    this.w = new Float64Array(train.d * this.C);
    this.budget = steps;
    LsqTrainer.live++;
  }

  get iteration(): number {
    return this.iter;
  }

  async step(): Promise<MetricsRecord> {
    const t0 = performance.now();
    const { X, n, d, labels } = this.data.train;
    const C = this.C;
    const r = linearScores(X, n, d, this.w, C);
    let loss = 0;
    for (let t = 0; t < r.length; t++) {
      r[t] -= this.Y[t];
      loss += r[t] * r[t];
    }
    const g = new Float64Array(d * C);
    for (let j = 0; j < n; j++) for (let k = 0; k < d; k++) for (let c = 0; c < C; c++) g[k * C + c] += (X[j * d + k] * r[j * C + c]) / n;
    let gn = 0;
    for (let t = 0; t < g.length; t++) {
      gn += g[t] * g[t];
      this.w[t] -= this.lr * g[t];
    }
    this.iter++;
    const test = this.data.test;
    return {
      iter: this.iter,
      loss: loss / (2 * n),
      gradNorm: Math.sqrt(gn),
      trainAccuracy: accuracy(linearScores(X, n, d, this.w, C), labels, C),
      testAccuracy: test ? accuracy(linearScores(test.X, test.n, d, this.w, C), test.labels, C) : NaN,
      timeMs: performance.now() - t0,
    };
  }

  finished(m: MetricsRecord): FinishReason | null {
    return m.iter >= this.budget ? 'max-iterations' : null;
  }

  setBudget(steps: number): void {
    this.budget = steps;
  }

  /** The linear model as an exact two-layer ReLU network: x·w = relu(x·w) − relu(−x·w). */
  async model(): Promise<TrainedModel> {
    const d = this.data.train.d;
    const C = this.C;
    const W1 = new Float64Array(d * 2 * C);
    const w2 = new Float64Array(2 * C * C);
    for (let c = 0; c < C; c++) {
      for (let k = 0; k < d; k++) {
        W1[k * 2 * C + 2 * c] = this.w[k * C + c];
        W1[k * 2 * C + 2 * c + 1] = -this.w[k * C + c];
      }
      w2[2 * c * C + c] = 1;
      w2[(2 * c + 1) * C + c] = -1;
    }
    const network: Network = { model: 'relu', d, m: 2 * C, C, W1, w2 };
    const w = Float64Array.from(this.w);
    return { network, predict: (X, n) => linearScores(X, n, d, w, C) };
  }

  /** The weights (a copy). */
  weights(): Float64Array {
    return Float64Array.from(this.w);
  }

  async saveState(): Promise<TrainerState> {
    return { format: 'cronos-playground-state', method: LSQ_ID, version: 1, iteration: this.iter, scalars: {}, arrays: { w: Float64Array.from(this.w) } };
  }

  async loadState(state: TrainerState): Promise<void> {
    checkStateHeader(state, LSQ_ID, 1);
    const w = state.arrays.w;
    if (!w || w.length !== this.w.length) throw new Error(`The saved lsq state has ${w?.length ?? 0} weights; this problem has ${this.w.length}.`);
    this.w = Float64Array.from(w);
    this.iter = state.iteration;
  }

  dispose(): void {
    LsqTrainer.live--;
  }
}

/** The fixture's registry entry. */
export const LSQ_METHOD_INFO = defineMethod({
  id: LSQ_ID,
  title: 'Least squares (test fixture)',
  summary: 'A linear model fitted by gradient descent, for the tests of the generic method paths.',
  params: LSQ_PARAMS,
  metrics: LSQ_METRICS,
  load: async () => async (data: TrainingData, settings: LsqParams, env: TrainerEnv) => {
    if (env.device === 'gpu') throw new Error('The lsq fixture runs on the CPU only; use the device "cpu".');
    return new LsqTrainer(data, settings.lsqRate, settings.lsqSteps);
  },
});

/** The registry plus the fixture. */
export const WITH_LSQ: MethodRegistry = { ...METHODS, [LSQ_ID]: LSQ_METHOD_INFO };

/** The solution of the normal equations XᵀX w = XᵀY (Gaussian elimination with partial pivoting, float64). */
export function leastSquares(X: Float64Array, n: number, d: number, Y: Float64Array, C: number): Float64Array {
  const A = new Float64Array(d * d);
  const B = new Float64Array(d * C);
  for (let j = 0; j < n; j++) {
    for (let a = 0; a < d; a++) {
      for (let b = 0; b < d; b++) A[a * d + b] += X[j * d + a] * X[j * d + b];
      for (let c = 0; c < C; c++) B[a * C + c] += X[j * d + a] * Y[j * C + c];
    }
  }
  for (let col = 0; col < d; col++) {
    let piv = col;
    for (let r = col + 1; r < d; r++) if (Math.abs(A[r * d + col]) > Math.abs(A[piv * d + col])) piv = r;
    for (let k = 0; k < d; k++) [A[col * d + k], A[piv * d + k]] = [A[piv * d + k], A[col * d + k]];
    for (let c = 0; c < C; c++) [B[col * C + c], B[piv * C + c]] = [B[piv * C + c], B[col * C + c]];
    for (let r = 0; r < d; r++) {
      if (r === col) continue;
      const f = A[r * d + col] / A[col * d + col];
      for (let k = 0; k < d; k++) A[r * d + k] -= f * A[col * d + k];
      for (let c = 0; c < C; c++) B[r * C + c] -= f * B[col * C + c];
    }
  }
  for (let r = 0; r < d; r++) for (let c = 0; c < C; c++) B[r * C + c] /= A[r * d + r];
  return B;
}
