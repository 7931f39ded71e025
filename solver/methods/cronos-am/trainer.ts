/**
 * CRONOS-AM (spec §7) as a {@link Trainer}: a network `x ↦ head(φ_θ(x))` whose feature layers φ
 * are trained by minibatch DAdapt-Adam with the head frozen, and whose head
 * `Dense(C·2P, no bias) → ReLU → Dense(C, no bias)` is set every `checkpoint` minibatches by a
 * CRONOS solve on X̃ = φ(X_train) (fresh patterns D = 1[X̃g ≥ 0], the same seed every solve).
 * One reported step is one epoch (or `logEvery` minibatches), as the other deep methods.
 *
 * It composes what exists: the deep backend (solver/deep, either device) for φ and the feature
 * steps, buildProblem + createSolver (the CRONOS ADMM of either device) for the head, and
 * recoverNetwork (spec §6.1) for the head's weights.
 */
import { createSolver, sharedGpuContext } from '../../index';
import type { AdmmState } from '../../admm/driver';
import { featureEnd, layerShapes, paramLayout, parseArch, shapeSize } from '../../deep/arch';
import { deepSplits, inputShape, outputsFor } from '../../deep/data';
import { initParams } from '../../deep/init';
import { OPTIMIZER_DEFAULTS } from '../../deep/optimizers';
import { DEFAULT_ARCH } from '../../deep/params';
import { MinibatchSampler } from '../../deep/sampler';
import { createDeepBackend, DEEP_FINGERPRINT_NAMES, MinibatchTrainer, type FingerprintNames } from '../../deep/trainer';
import type { Architecture, DeepBackend, DeepBackendInit, OptimizerConfig, ParamSlot } from '../../deep/types';
import { matmul, matmulTA } from '../../linalg';
import { buildProblem } from '../../problem';
import { recoverNetwork } from '../../recovery';
import type { CronosSolver } from '../../solver';
import type { Trainer, TrainerEnv, TrainerState, TrainingData } from '../../trainer';
import type { Dataset, IterationMetrics, Network, Problem, SolverConfig } from '../../types';
import { CRONOS_AM_METRICS, type CronosAmMetrics } from './metrics';
import type { CronosAmParams } from './params';

/** Layout version of a saved CRONOS-AM state (bump when its arrays or scalars change meaning). */
export const CRONOS_AM_STATE_VERSION = 1;

/** The fixed PCG tolerance of a head solve: the official CRONOS-AM solver (`optimizers/admm.py`) uses 1e-6. */
export const HEAD_PCG_TOL = 1e-6;

/** The network of a CRONOS-AM run and where its parts sit. */
export interface AmLayout {
  readonly arch: Architecture;
  /** `layers[0, featureEnd)` are φ; `layers[featureEnd]` is the head's first Dense. */
  readonly featureEnd: number;
  /** Width of φ(x) (the convex program's d). */
  readonly featureWidth: number;
  /** Outputs C of the final Dense (1 for two classes, one per class otherwise). */
  readonly outputs: number;
  /** Sampled patterns of each head solve; the head is C·2P wide. */
  readonly P: number;
  /** θ[0, trainable) are the feature parameters (the head's are frozen). */
  readonly trainable: number;
  /** The head's two kernels in θ. */
  readonly head1: ParamSlot;
  readonly head2: ParamSlot;
}

/**
 * The CRONOS-AM network: the feature layers of `archText` (everything before its final Dense)
 * followed by the head `Dense(C·2P, no bias) → ReLU → Dense(C, no bias)`. Throws naming a bad
 * architecture text or a network too small to have features.
 */
export function amLayout(archText: string, opts: { input: DeepBackendInit['arch']['input']; classes: number; P: number; bias: CronosAmParams['bias'] }): AmLayout {
  const outputs = outputsFor('mse', opts.classes);
  const user = parseArch(archText, { input: opts.input, outputs, bias: opts.bias });
  const end = featureEnd(user);
  const width = outputs * 2 * opts.P;
  const arch: Architecture = {
    input: opts.input,
    layers: [...user.layers.slice(0, end), { kind: 'dense', out: width, bias: false }, { kind: 'relu' }, { kind: 'dense', out: outputs, bias: false }],
  };
  const shapes = layerShapes(arch);
  const featureWidth = shapeSize(end === 0 ? arch.input : shapes[end - 1]);
  const slots = paramLayout(arch);
  const head1 = slots.find((s) => s.layer === end && s.name === 'kernel');
  const head2 = slots.find((s) => s.layer === end + 2 && s.name === 'kernel');
  if (!head1 || !head2) throw new Error('The CRONOS-AM head has no kernels (internal layout error).');
  return { arch, featureEnd: end, featureWidth, outputs, P: opts.P, trainable: head1.offset, head1, head2 };
}

/**
 * Writes the recovered network `net` (spec §6.1: W1 d̃×m, w2 m×C with one non-zero per row) into
 * the head's kernels of θ: the units of class c go, in recovery order, to the hidden columns of
 * class c's block [c·2P, (c+1)·2P); every other entry of both kernels is zero, so the last Dense
 * is block-diagonal (one-vs-all heads on shared features) and pruned units are zero columns.
 * Returns θ (changed in place).
 */
export function writeHead(theta: Float64Array, layout: AmLayout, net: Network): Float64Array {
  const { head1, head2, outputs: C, P, featureWidth: d } = layout;
  const width = C * 2 * P;
  if (net.d !== d || net.C !== C) throw new Error(`The recovered head is ${net.d}×${net.m}×${net.C}; the network needs ${d} features and ${C} outputs.`);
  theta.fill(0, head1.offset, head1.offset + head1.size);
  theta.fill(0, head2.offset, head2.offset + head2.size);
  const used = new Int32Array(C);
  for (let h = 0; h < net.m; h++) {
    let c = 0;
    while (c < C && net.w2[h * C + c] === 0) c++;
    if (c === C) continue;
    if (used[c] >= 2 * P) throw new Error(`Class ${c} recovered more than 2P = ${2 * P} units (internal error).`);
    const col = c * 2 * P + used[c]++;
    for (let k = 0; k < d; k++) theta[head1.offset + k * width + col] = net.W1[k * net.m + h];
    theta[head2.offset + col * C + c] = net.w2[h * C + c];
  }
  return theta;
}

/** The end of a head solve, kept for the next one's warm start and for saved states. */
export interface HeadSolution {
  /** d̃×K iterate u, its group-sparse copy v and the scaled dual λ of u = v. */
  readonly u: Float64Array;
  readonly v: Float64Array;
  readonly lambda: Float64Array;
  /** n×K cone slack s and scaled cone dual ν, and the n×P patterns D they belong to. */
  readonly s: Float64Array;
  readonly nu: Float64Array;
  readonly D: Uint8Array;
}

/**
 * An ADMM state of `problem` (new features X̃, new patterns D) that starts where the previous
 * head solve ended: u, v, λ as they were (a neuron's weights on φ(x) keep their meaning); the
 * cone slack and dual (s, ν) of row j and column i kept where pattern D[j, i] did not change
 * (the same constraint), and s = max(Gu, 0), ν = 0 where it flipped (a new constraint); Gᵀs and
 * Gᵀν recomputed on X̃. k = 0, so the solve counts its iterations from 1.
 */
export function warmHeadState(problem: Problem, prev: HeadSolution, rho: number): AdmmState {
  const { n, d, P, K, D, X } = problem;
  const Z = matmul(X, prev.u, n, d, K);
  const s = new Float64Array(n * K);
  const nu = new Float64Array(n * K);
  const Es = new Float64Array(n * K);
  const Enu = new Float64Array(n * K);
  for (let j = 0; j < n; j++) {
    for (let col = 0; col < K; col++) {
      const t = j * K + col;
      const p = j * P + (col % P);
      const e = D[p] ? 1 : -1;
      if (D[p] === prev.D[p]) {
        s[t] = prev.s[t];
        nu[t] = prev.nu[t];
      } else s[t] = Math.max(e * Z[t], 0);
      Es[t] = e * s[t];
      Enu[t] = e * nu[t];
    }
  }
  // Gᵀz = Xᵀ(E ∘ z).
  const GtS = matmulTA(X, Es, n, d, K);
  const GtNu = matmulTA(X, Enu, n, d, K);
  return { version: 1, k: 0, rho, arrays: { u: prev.u.slice(), v: prev.v.slice(), lambda: prev.lambda.slice(), s, nu, GtS, GtNu } };
}

/**
 * The settings of every head solve (spec §7.2: fixed iterations, PCG tolerance 1e-6, fixed ρ, the
 * run's preconditioner — Nyström by default; the block one of spec §5.5 solves heads closer to
 * optimal but measured lower test accuracy, spec §7.6).
 */
export function headSolverConfig(s: Pick<CronosAmParams, 'P' | 'beta' | 'rho' | 'rank' | 'admmIters' | 'pcgIters' | 'seed' | 'preconditioner'>): SolverConfig {
  // tol 0: no stopping rule, the official solver runs admm_iters steps (an exact optimum still stops it).
  return { model: 'relu', P: s.P, beta: s.beta, rho: s.rho, adaptiveRho: false, rank: s.rank, admmIters: s.admmIters, pcgIters: s.pcgIters, tol: 0, seed: s.seed, warmStart: true, pcgTol: HEAD_PCG_TOL, preconditioner: s.preconditioner,
    // The official head solve: plain ADMM at the given ρ (issue 9's acceleration is not measured here).
    alpha: 1, rhoBeta: 0, rhoRace: 0, anderson: 0, stopRule: 'residuals' };
}

/** DAdapt-Adam at γ = 1 with the run's weight decay (spec §7.4). */
function featureOptimizer(weightDecay: number): OptimizerConfig {
  const { beta1, beta2, eps, d0, dadaptLr } = OPTIMIZER_DEFAULTS;
  return { kind: 'dadapt-adam', lr: dadaptLr, momentum: 0, beta1, beta2, eps, weightDecay, d0 };
}

/** The arrays of a {@link HeadSolution}, saved as `head.<name>`. */
const HEAD_KEYS = ['u', 'v', 'lambda', 's', 'nu', 'D'] as const;

/** What the trainer needs besides the backend. */
export interface AmSetup {
  readonly layout: AmLayout;
  readonly settings: CronosAmParams;
  /** The training rows' labels and class names (the head's targets are built from them). */
  readonly labels: Int32Array;
  readonly classNames: readonly string[];
  readonly hasTest: boolean;
  /** GPU entry point for the head solver (dawn.node's in Node); navigator.gpu when omitted. */
  readonly gpu?: GPU;
}

/** The fingerprint fields of a CRONOS-AM run, as a refusal names them. */
const AM_FINGERPRINT_NAMES: FingerprintNames = {
  ...DEEP_FINGERPRINT_NAMES,
  featureWidth: 'feature width',
  P: 'head patterns P',
  checkpoint: 'checkpoint',
};

/** A CRONOS-AM run. */
export class CronosAmTrainer extends MinibatchTrainer<CronosAmMetrics> implements Trainer<CronosAmMetrics> {
  readonly method = 'cronos-am' as const;
  readonly metrics = CRONOS_AM_METRICS;
  /** Minibatch steps taken (the checkpoint rule counts these). */
  private minibatches = 0;
  private headSolvesTotal = 0;
  private last: HeadSolution | null = null;
  private lastObjective = NaN;
  private lastNeurons = 0;
  /** The head solver while a solve runs (dispose frees it mid-solve too). */
  private inner: CronosSolver | null = null;
  private disposed = false;

  constructor(
    backend: DeepBackend,
    sampler: MinibatchSampler,
    readonly setup: AmSetup,
  ) {
    super(backend, sampler, setup.settings);
    backend.setTrainable(setup.layout.trainable);
  }

  /** The latest head solution (u, v, λ on φ(X) of that moment), or null before the first solve. */
  get headSolution(): HeadSolution | null {
    return this.last;
  }

  /**
   * One head solve: X̃ = φ(X_train) read from the backend, the convex program on it (fresh D, the
   * run's seed), `admmIters` ADMM steps, recovery, and the head written into θ. Returns the last
   * ADMM metrics. SHORTCUT on the GPU: φ(X) is read back and uploaded again (no buffer hand-over).
   */
  async solveHead(): Promise<IterationMetrics> {
    const { layout, settings } = this.setup;
    const Xf = await this.backend.features(layout.featureEnd);
    const n = this.setup.labels.length;
    const data: Dataset = { X: Xf, n, d: layout.featureWidth, labels: this.setup.labels, classNames: [...this.setup.classNames], featureNames: [] };
    const problem = buildProblem(data, { model: 'relu', P: settings.P, beta: settings.beta, seed: settings.seed });
    const config = headSolverConfig(settings);
    const gpu = this.setup.gpu;
    const solver = await createSolver(problem, config, { device: this.backend.device, ...(gpu ? { gpu } : {}) });
    this.inner = solver;
    let m: IterationMetrics | null = null;
    let state: AdmmState;
    try {
      if (settings.headWarmStart && this.last) await solver.loadState(warmHeadState(problem, this.last, config.rho));
      for (let k = 0; k < config.admmIters; k++) {
        m = await solver.step();
        if (m.converged) break;
      }
      state = await solver.saveState();
    } finally {
      // dispose() during the solve has freed it already.
      if (this.inner === solver) solver.dispose();
      this.inner = null;
    }
    if (this.disposed) throw new Error('The CRONOS-AM run was disposed during a head solve.');
    const { u, v, lambda, s, nu } = state.arrays;
    this.last = { u, v, lambda, s, nu, D: problem.D };
    const net = recoverNetwork(problem, u);
    this.backend.setParams(writeHead(await this.backend.getParams(), layout, net));
    this.lastObjective = (m as IterationMetrics).objective;
    this.lastNeurons = net.m;
    this.headSolvesTotal += 1;
    return m as IterationMetrics;
  }

  async step(): Promise<CronosAmMetrics> {
    const t0 = performance.now();
    const { checkpoint } = this.setup.settings;
    let headMs = 0;
    let featureMs = 0;
    let solves = 0;
    const steps = this.minibatchesThisStep();
    for (let k = 0; k < steps; k++) {
      if (this.minibatches % checkpoint === 0) {
        const h0 = performance.now();
        await this.solveHead();
        headMs += performance.now() - h0;
        solves += 1;
      }
      const f0 = performance.now();
      this.backend.step(this.sampler.next());
      this.minibatches += 1;
      featureMs += performance.now() - f0;
    }
    const f0 = performance.now();
    const { loss } = await this.backend.takeLoss();
    // The GPU backend records steps and submits at the read-back: count that wait as feature time.
    featureMs += performance.now() - f0;
    const splits = await this.evaluateSplits(this.setup.hasTest);
    const d = await this.backend.dEstimate();
    return {
      ...this.stepRecord(t0, loss, splits),
      d,
      headSolves: solves,
      headObjective: this.lastObjective,
      headNeurons: this.lastNeurons,
      headMs,
      featureMs,
    };
  }

  protected fingerprint(): Record<string, number> {
    const s = this.setup.settings;
    return {
      paramCount: this.backend.paramCount,
      featureWidth: this.setup.layout.featureWidth,
      P: s.P,
      trainRows: this.sampler.n,
      batchSize: this.sampler.batchSize,
      replacement: this.sampler.mode === 'replacement' ? 1 : 0,
      perStep: this.perStep,
      checkpoint: s.checkpoint,
      seed: this.sampler.seed,
    };
  }

  saveState(): Promise<TrainerState> {
    const last = this.last;
    const saved: Record<string, Float64Array | Int32Array> = {};
    if (last) for (const k of HEAD_KEYS) saved[`head.${k}`] = k === 'D' ? Int32Array.from(last.D) : last[k].slice();
    const counts = { minibatches: this.minibatches, headSolves: this.headSolvesTotal, headObjective: this.lastObjective, headNeurons: this.lastNeurons };
    return this.deepState(CRONOS_AM_STATE_VERSION, counts, saved);
  }

  async loadState(state: TrainerState): Promise<void> {
    const minibatches = state.scalars.minibatches;
    let last: HeadSolution | null = null;
    this.restoreDeep(state, CRONOS_AM_STATE_VERSION, 'dadapt-adam', AM_FINGERPRINT_NAMES, () => {
      if (!(Number.isInteger(minibatches) && minibatches >= 0)) throw new Error(`The saved state's minibatch count ${String(minibatches)} is not a whole number ≥ 0.`);
      last = this.savedHead(state);
    });
    this.minibatches = minibatches;
    this.headSolvesTotal = state.scalars.headSolves ?? 0;
    this.lastObjective = state.scalars.headObjective ?? NaN;
    this.lastNeurons = state.scalars.headNeurons ?? 0;
    this.last = last;
  }

  /** The saved head solution (every array of {@link HEAD_KEYS} with its length, or none of them). */
  private savedHead(state: TrainerState): HeadSolution | null {
    const present = HEAD_KEYS.filter((k) => state.arrays[`head.${k}`] !== undefined);
    if (present.length === 0) return null;
    const { featureWidth, outputs, P } = this.setup.layout;
    const n = this.sampler.n;
    const K = outputs * 2 * P;
    const lengths: Record<(typeof HEAD_KEYS)[number], [number, string]> = {
      u: [featureWidth * K, 'd̃ × C·2P'], v: [featureWidth * K, 'd̃ × C·2P'], lambda: [featureWidth * K, 'd̃ × C·2P'],
      s: [n * K, 'n × C·2P'], nu: [n * K, 'n × C·2P'], D: [n * P, 'n × P'],
    };
    const get = (k: (typeof HEAD_KEYS)[number]): Float64Array => {
      const a = state.arrays[`head.${k}`];
      const [len, shape] = lengths[k];
      if (a === undefined || a.length !== len) throw new Error(`The saved state's head.${k} is missing or does not have ${len} values (${shape}).`);
      return Float64Array.from(a);
    };
    const D = get('D');
    if (!D.every((x) => x === 0 || x === 1)) throw new Error("The saved state's head.D holds values other than 0 and 1.");
    return { u: get('u'), v: get('v'), lambda: get('lambda'), s: get('s'), nu: get('nu'), D: Uint8Array.from(D) };
  }

  dispose(): void {
    this.disposed = true;
    this.inner?.dispose();
    this.inner = null;
    this.backend.dispose();
  }
}

/** A CRONOS-AM trainer on `data` with `settings` on `env.device` (throws naming bad settings or data). */
export async function createCronosAmTrainer(data: TrainingData, settings: CronosAmParams, env: TrainerEnv): Promise<CronosAmTrainer> {
  const { train, test, classes } = deepSplits(data, 'mse');
  const input = inputShape(data.train.featureNames, data.train.d, settings.image);
  const layout = amLayout(settings.arch ?? DEFAULT_ARCH, { input, classes, P: settings.P, bias: settings.bias });
  const init: DeepBackendInit = { arch: layout.arch, loss: 'mse', optimizer: featureOptimizer(settings.weightDecay), train, test, theta: initParams(layout.arch, settings.seed) };
  const sampler = new MinibatchSampler(train.labels.length, settings.batch, settings.sampling, settings.seed);
  const backend = await amBackend(init, env, settings.batch);
  try {
    return new CronosAmTrainer(backend, sampler, { layout, settings, labels: train.labels, classNames: data.train.classNames, hasTest: test !== null, ...(env.gpu ? { gpu: env.gpu } : {}) });
  } catch (e) {
    backend.dispose();
    throw e;
  }
}

/**
 * The deep backend of `env.device`. On the GPU it lives on the process-wide context that the
 * head's CRONOS solver uses too (one device for both, where φ(X) could later be handed over
 * without a read-back); the GPU module is imported only when asked for.
 */
async function amBackend(init: DeepBackendInit, env: TrainerEnv, batch: number): Promise<DeepBackend> {
  if (env.device === 'cpu') return createDeepBackend(init, env);
  const ctx = await sharedGpuContext(env.gpu);
  const { createGpuDeepBackendOn } = await import('../../deep/gpu/backend');
  return createGpuDeepBackendOn(ctx, init, { batchSize: Math.min(batch, init.train.labels.length) });
}
