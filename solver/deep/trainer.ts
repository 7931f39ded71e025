/**
 * The first-order methods (Adam, AdamW, SGD, DAdapt-Adam) as one {@link Trainer}: a step is one
 * epoch of minibatch updates (or `logEvery` minibatches, never crossing an epoch's end), then a
 * full evaluation of the training and test splits. The arithmetic is a {@link DeepBackend}'s:
 * the float64 CPU reference, or the WebGPU backend loaded on demand.
 */
import { checkStateHeader, type FinishReason, type MetricDescriptor, type MetricsRecord, type Trainer, type TrainerEnv, type TrainerState, type TrainedModel, type TrainingData } from '../trainer';
import { pick, validateValues, type ParamTable, type Values } from '../params/table';
import type { Network } from '../types';
import { parseArch } from './arch';
import { createCpuDeepBackend } from './cpu/backend';
import { deepSplits, inputShape, outputsFor } from './data';
import { initParams } from './init';
import { deepMetrics, type DeepMetrics } from './metrics';
import { OPTIMIZER_DEFAULTS, momentNames, scalarNames } from './optimizers';
import { DEFAULT_ARCH, type DeepSettings } from './params';
import { MinibatchSampler } from './sampler';
import type { Architecture, DeepBackend, DeepBackendInit, OptimizerConfig, OptimizerKind } from './types';

/** Layout version of a saved deep-method state (bump when its arrays or scalars change meaning). */
export const DEEP_STATE_VERSION = 1;

/** The ids of the four first-order methods, which are also their optimizer kinds. */
// Not derived from the registry's MethodId: the registry's type is inferred from these factories.
export type DeepMethodId = OptimizerKind;

/** The optimizer settings of method `kind` from its settings (DAdapt: γ = 1; unused fields 0). */
export function optimizerConfig(kind: OptimizerKind, s: DeepSettings): OptimizerConfig {
  const lr = kind === 'dadapt-adam' ? OPTIMIZER_DEFAULTS.dadaptLr : s.lr;
  if (!(typeof lr === 'number' && lr > 0 && Number.isFinite(lr))) throw new Error(`The learning rate ${String(lr)} is not a number > 0.`);
  const momentum = kind === 'sgd' ? (s.momentum ?? 0) : 0;
  if (!(momentum >= 0 && momentum < 1)) throw new Error(`The momentum ${momentum} is not in [0, 1).`);
  const weightDecay = kind === 'adamw' || kind === 'dadapt-adam' ? (s.weightDecay ?? 0) : 0;
  if (!(weightDecay >= 0 && Number.isFinite(weightDecay))) throw new Error(`The weight decay ${weightDecay} is not a number ≥ 0.`);
  const { beta1, beta2, eps, d0 } = OPTIMIZER_DEFAULTS;
  return { kind, lr, momentum, beta1, beta2, eps, weightDecay, d0 };
}

/** Everything a backend is built from, for method `kind` on `data` (throws naming bad settings or data). */
export function deepInit(kind: OptimizerKind, data: TrainingData, s: DeepSettings): DeepBackendInit {
  const { train, test, classes } = deepSplits(data, s.loss);
  const input = inputShape(data.train.featureNames, data.train.d, s.image);
  const arch = parseArch(s.arch ?? DEFAULT_ARCH, { input, outputs: outputsFor(s.loss, classes), bias: s.bias });
  return { arch, loss: s.loss, optimizer: optimizerConfig(kind, s), train, test, theta: initParams(arch, s.seed) };
}

/** The backend of `env.device` (the GPU one is imported only when asked for). */
export async function createDeepBackend(init: DeepBackendInit, env: TrainerEnv): Promise<DeepBackend> {
  if (env.device === 'cpu') return createCpuDeepBackend(init);
  const { createGpuDeepBackend } = await import('./gpu/backend');
  return createGpuDeepBackend(init, env.gpu);
}

/**
 * The model's plain two-layer form where there is one: the last three layers Dense(m, no bias) →
 * ReLU → Dense(C, no bias) give W1 (in×m) and w2 (m×C) acting on the input of that Dense —
 * the raw rows for `mlp:m`, the features φ(x) of deeper MLPs (`d` is then the feature width).
 * Other networks (CNNs, biases) have no such form: m = 0. Predictions always use `deep`.
 */
export function twoLayerView(arch: Architecture, theta: Float64Array, slots: DeepBackend['slots']): Network {
  const L = arch.layers.length;
  const [a, r, b] = [arch.layers[L - 3], arch.layers[L - 2], arch.layers[L - 1]];
  const out = b && b.kind === 'dense' ? b.out : 1;
  if (a?.kind === 'dense' && !a.bias && r?.kind === 'relu' && b?.kind === 'dense' && !b.bias) {
    const k1 = slots.find((s) => s.layer === L - 3 && s.name === 'kernel');
    const k2 = slots.find((s) => s.layer === L - 1 && s.name === 'kernel');
    if (k1 && k2) {
      return { model: 'relu', d: k1.shape[0], m: a.out, C: out, W1: theta.slice(k1.offset, k1.offset + k1.size), w2: theta.slice(k2.offset, k2.offset + k2.size) };
    }
  }
  const head = slots.find((s) => s.layer === L - 1 && s.name === 'kernel');
  return { model: 'relu', d: head ? head.shape[0] : 0, m: 0, C: out, W1: new Float64Array(0), w2: new Float64Array(0) };
}

/** What a saved minibatch run's fingerprint fields are called in a refusal (`names[k]`). */
export type FingerprintNames = Readonly<Record<string, string>>;

/**
 * What every minibatch-trained deep network shares, whatever else a step does (the first-order
 * methods; CRONOS-AM adds its head solves): the reporting interval, the epoch budget, the full
 * evaluation after a step, the network, and saving and restoring θ, the optimizer and the sampler.
 * A subclass says what a step is, what its saved state must match and what else it saves.
 */
export abstract class MinibatchTrainer<M extends DeepMetricsBase> {
  protected iter = 0;
  /** Steps in all (epochs × steps per epoch unless moved by setBudget). */
  protected budget: number;
  /** Minibatches per step (an epoch's worth when `logEvery` is 0). */
  protected readonly perStep: number;

  constructor(
    /** The device backend; the trainer owns it (dispose frees it). */
    readonly backend: DeepBackend,
    readonly sampler: MinibatchSampler,
    run: Pick<DeepSettings, 'logEvery' | 'epochs'>,
  ) {
    this.perStep = run.logEvery > 0 ? Math.min(run.logEvery, sampler.batchesPerEpoch) : sampler.batchesPerEpoch;
    this.budget = run.epochs * this.stepsPerEpoch;
  }

  /** Reported steps per epoch (the last of an epoch may have fewer minibatches). */
  get stepsPerEpoch(): number {
    return Math.ceil(this.sampler.batchesPerEpoch / this.perStep);
  }

  get device(): DeepBackend['device'] {
    return this.backend.device;
  }

  /** Why the backend's GPU device was lost, or null (solver/resilience.ts recovers the run). */
  deviceLost(): string | null {
    return this.backend.deviceLost?.() ?? null;
  }

  /** Destroys the backend's GPU device (the device-loss test hooks); nothing on the CPU. */
  loseDevice(): void {
    this.backend.loseDevice?.();
  }

  get iteration(): number {
    return this.iter;
  }

  /** The epoch budget (no convergence rule for minibatch methods). */
  finished(m: M): FinishReason | null {
    return m.iter >= this.budget ? 'max-iterations' : null;
  }

  setBudget(steps: number): void {
    this.budget = steps;
  }

  /** The whole network; `network` is its plain two-layer form where it has one ({@link twoLayerView}). */
  async model(): Promise<TrainedModel> {
    const theta = await this.backend.getParams();
    const { arch, slots } = this.backend;
    return { network: twoLayerView(arch, theta, slots), deep: { arch, theta } };
  }

  /** Minibatches the next step takes: `perStep`, never past the epoch's end. */
  protected minibatchesThisStep(): number {
    return Math.min(this.perStep, this.sampler.batchesPerEpoch - this.sampler.position.batch);
  }

  /** Loss and accuracy on the training rows and the test rows (NaN without a test split). */
  protected async evaluateSplits(hasTest: boolean): Promise<Splits> {
    const train = await this.backend.evaluate('train');
    const test = hasTest ? await this.backend.evaluate('test') : { loss: NaN, accuracy: NaN };
    return { train, test };
  }

  /**
   * Ends a step: counts it and gives the fields every minibatch method reports first — the step,
   * its time since `t0`, the real epochs (sampler passes over the training rows), the minibatch
   * loss and the evaluation of both splits ({@link evaluateSplits}).
   */
  protected stepRecord(t0: number, batchLoss: number, splits: Splits): DeepStepRecord {
    this.iter += 1;
    const p = this.sampler.position;
    return {
      iter: this.iter,
      timeMs: performance.now() - t0,
      epoch: p.epoch + p.batch / this.sampler.batchesPerEpoch,
      batchLoss,
      trainLoss: splits.train.loss,
      trainAccuracy: splits.train.accuracy,
      testLoss: splits.test.loss,
      testAccuracy: splits.test.accuracy,
    };
  }

  /** What must match between a saved state and this run (a mismatch is refused, named). */
  protected abstract fingerprint(): Record<string, number>;

  /**
   * The state of θ, the optimizer and the sampler: `extra` scalars go between the sampler
   * position and the optimizer's, `extraArrays` after the optimizer's.
   */
  protected async deepState(version: number, extra: Record<string, number>, extraArrays: Record<string, Float64Array | Int32Array> = {}): Promise<TrainerState> {
    const opt = await this.backend.getOptimizerState();
    const arrays: Record<string, Float64Array | Int32Array> = { theta: await this.backend.getParams() };
    for (const [k, a] of Object.entries(opt.arrays)) arrays[`opt.${k}`] = a;
    const scalars: Record<string, number> = { ...this.fingerprint(), samplerEpoch: this.sampler.position.epoch, samplerBatch: this.sampler.position.batch, ...extra };
    for (const [k, v] of Object.entries(opt.scalars)) scalars[`opt.${k}`] = v;
    return { format: 'cronos-playground-state', method: this.method, version, iteration: this.iter, scalars, arrays: { ...arrays, ...extraArrays } };
  }

  /** Its registry id (the saved state's `method`). */
  abstract readonly method: string;

  /**
   * Checks `state` against this run — header, fingerprint (refusals name the field by `names`), θ
   * — then `check` (a subclass's own fields; it must change nothing), the optimizer and the
   * sampler position, and only then restores θ, the optimizer, the sampler and the step count, so
   * a refused state changes nothing.
   */
  protected restoreDeep(state: TrainerState, version: number, optimizer: OptimizerKind, names: FingerprintNames, check: () => void = () => undefined): void {
    checkStateHeader(state, this.method, version);
    for (const [k, v] of Object.entries(this.fingerprint())) {
      if (state.scalars[k] !== v) throw new Error(`The saved ${this.method} state was made with ${names[k]} ${String(state.scalars[k])}; this run has ${v}. Continue it with the same data and settings.`);
    }
    const theta = state.arrays.theta;
    if (!(theta instanceof Float64Array || theta instanceof Float32Array) || theta.length !== this.backend.paramCount) throw new Error(`The saved state's θ is missing or does not have ${this.backend.paramCount} values.`);
    check();
    const arrays: Record<string, Float64Array> = {};
    for (const name of momentNames(optimizer)) {
      const a = state.arrays[`opt.${name}`];
      if (a) arrays[name] = Float64Array.from(a);
    }
    const scalars: Record<string, number> = {};
    for (const name of scalarNames(optimizer)) scalars[name] = state.scalars[`opt.${name}`];
    // Check the sampler position first, so a refused state changes nothing (setOptimizerState checks the moments).
    const position = { epoch: state.scalars.samplerEpoch, batch: state.scalars.samplerBatch };
    this.sampler.checkPosition(position);
    this.backend.setOptimizerState({ scalars, arrays });
    this.sampler.position = position;
    this.backend.setParams(Float64Array.from(theta));
    this.iter = state.iteration;
  }
}

/** The fields every minibatch method's step reports first. */
export interface DeepMetricsBase extends MetricsRecord {
  iter: number;
}

/** Loss and accuracy of both splits after a step. */
export interface Splits {
  train: { loss: number; accuracy: number };
  test: { loss: number; accuracy: number };
}

/** What {@link MinibatchTrainer.stepRecord} gives: the first fields of every step's record. */
export interface DeepStepRecord extends DeepMetricsBase {
  timeMs: number;
  epoch: number;
  batchLoss: number;
  trainLoss: number;
  trainAccuracy: number;
  testLoss: number;
  testAccuracy: number;
}

/** A run of one first-order method. */
export class DeepTrainer extends MinibatchTrainer<DeepMetrics> implements Trainer<DeepMetrics> {
  readonly metrics: readonly MetricDescriptor[];

  constructor(
    readonly method: DeepMethodId,
    backend: DeepBackend,
    sampler: MinibatchSampler,
    readonly settings: DeepSettings,
    private readonly hasTest: boolean,
  ) {
    super(backend, sampler, settings);
    this.metrics = deepMetrics(method);
  }

  async step(): Promise<DeepMetrics> {
    const t0 = performance.now();
    const k = this.minibatchesThisStep();
    for (let b = 0; b < k; b++) this.backend.step(this.sampler.next());
    const { loss } = await this.backend.takeLoss();
    const splits = await this.evaluateSplits(this.hasTest);
    const d: Record<string, number> = this.method === 'dadapt-adam' ? { d: await this.backend.dEstimate() } : {};
    return { ...this.stepRecord(t0, loss, splits), ...d };
  }

  protected fingerprint(): Record<string, number> {
    return {
      paramCount: this.backend.paramCount,
      trainRows: this.sampler.n,
      batchSize: this.sampler.batchSize,
      replacement: this.sampler.mode === 'replacement' ? 1 : 0,
      perStep: this.perStep,
      seed: this.sampler.seed,
    };
  }

  saveState(): Promise<TrainerState> {
    return this.deepState(DEEP_STATE_VERSION, {});
  }

  async loadState(state: TrainerState): Promise<void> {
    this.restoreDeep(state, DEEP_STATE_VERSION, this.method, DEEP_FINGERPRINT_NAMES);
  }

  dispose(): void {
    this.backend.dispose();
  }
}

/** The fingerprint fields of a first-order run, as a refusal names them. */
export const DEEP_FINGERPRINT_NAMES: FingerprintNames = { paramCount: 'parameters', trainRows: 'training rows', batchSize: 'batch size', replacement: 'sampling (1 = with replacement)', perStep: 'minibatches per step', seed: 'seed' };

/** A trainer of method `kind` on `data` with `settings` on `env.device` (throws naming bad settings or data). */
export async function createDeepTrainer(kind: DeepMethodId, data: TrainingData, settings: DeepSettings, env: TrainerEnv): Promise<DeepTrainer> {
  const init = deepInit(kind, data, settings);
  const sampler = new MinibatchSampler(init.train.labels.length, settings.batch, settings.sampling, settings.seed);
  const backend = await createDeepBackend(init, env);
  return new DeepTrainer(kind, backend, sampler, settings, init.test !== null);
}

/**
 * The registry's factory of method `kind` with settings table `table`: keeps the fields the
 * table declares (a page's settings hold other methods' too), checks them against the table's
 * limits and starts the run.
 */
export function deepFactory<T extends ParamTable>(kind: DeepMethodId, table: T): (data: TrainingData, settings: Values<T> & DeepSettings, env: TrainerEnv) => Promise<DeepTrainer> {
  return (data, settings, env) => {
    const own = pick(table, settings);
    // Settings from a file or another caller than the page: refuse bad values by name.
    const problems = validateValues(table, own);
    if (problems.length > 0) return Promise.reject(new Error(`Bad ${kind} settings: ${problems.join('; ')}.`));
    return createDeepTrainer(kind, data, own as Values<T> & DeepSettings, env);
  };
}
