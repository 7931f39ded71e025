/**
 * The contract every training method implements, so the CLI, the Worker, the race and the
 * benchmark drive CRONOS, CRONOS-AM and the first-order optimizers the same way:
 *
 *   const trainer = await (await METHODS[id].load())(data, settings, env);
 *   for (;;) { const m = await trainer.step(); …; if (trainer.finished(m)) break; }
 *   const model = await trainer.model();        // predict, draw, export
 *   const state = await trainer.saveState();    // continue later, exactly
 *   trainer.dispose();                          // frees every GPU buffer it made
 *
 * A method reports one flat metrics record per step and *describes* its metrics
 * ({@link MetricDescriptor}), so panels draw whatever a method reports without knowing it.
 */
import type { Architecture } from './deep/types';
import type { TestSet } from './solver';
import type { Dataset, DeviceKind, Network, Problem } from './types';

/** The charts a metric can be drawn on; each method picks the ones that fit. */
export type MetricChart = 'objective' | 'residuals' | 'accuracy' | 'cone' | 'inner' | 'rho' | 'loss' | 'optimizer';

/** How one metric is shown: its label, unit and scale, and the chart it belongs on. */
export interface MetricDescriptor {
  /** The key in the metrics record. */
  readonly key: string;
  /** A short label for legends and tables. */
  readonly label: string;
  /** 'fraction' values in [0, 1] are shown as percentages; '' for unitless numbers. */
  readonly unit: '' | 'fraction' | 'ms' | 'count';
  /** Drawn on a logarithmic y-axis. */
  readonly log: boolean;
  readonly chart: MetricChart;
  /**
   * Drawing hints: a dashed or dotted line, steps, "this is the stopping threshold of that
   * metric", or `marker`: an event count (CRONOS-AM's head solves) drawn not as a line but as a
   * mark along the x-axis of every chart of the method at each step where it is > 0.
   */
  readonly style?: { readonly dash?: 'dash' | 'dot'; readonly shape?: 'hv'; readonly thresholdOf?: string; readonly marker?: true };
  /**
   * Reported, exported and shown as a read-out, but drawn on no chart (its chart then only says
   * where it would belong); the page's charts skip it.
   */
  readonly readoutOnly?: true;
  /** One sentence for tooltips and the docs. */
  readonly help: string;
}

/**
 * One step's metrics: plain numbers and flags (structured-clone friendly, JSON friendly), keyed
 * by the method's {@link MetricDescriptor} keys. `iter` counts completed steps from 1 and
 * `timeMs` is the wall time of this step alone.
 */
export type MetricsRecord = { readonly iter: number; readonly timeMs: number; readonly [key: string]: number | boolean };

/** Why a run ended by itself. */
export type FinishReason = 'converged' | 'max-iterations';

/**
 * Everything a trainer needs to continue exactly where it was: iterates, duals, optimizer moments,
 * step sizes, RNG positions, the iteration count. Typed arrays travel as they are (postMessage,
 * session files); `version` is the state layout of `method`, checked by `loadState`.
 */
export interface TrainerState {
  readonly format: 'cronos-playground-state';
  /** The registry id of the method that saved it (solver/methods/index.ts). */
  readonly method: string;
  readonly version: number;
  /** Completed steps. */
  readonly iteration: number;
  readonly scalars: Readonly<Record<string, number>>;
  readonly arrays: Readonly<Record<string, Float64Array | Float32Array | Int32Array | Uint32Array>>;
}

/** The trained model in a form every view and export understands. */
export interface TrainedModel {
  /** The plain network (spec §6.1 for CRONOS). */
  readonly network: Network;
  /**
   * CRONOS only: the convex iterate u and its group-sparse copy v (d×K, solver/types.ts layout)
   * and the convex program they solve (patterns D, gates), from which the Worker draws the
   * pattern, neuron-norm and boundary views and the exports write the convex weights. A method
   * without it gets the metrics-only views.
   */
  readonly convex?: { readonly U: Float64Array; readonly V: Float64Array; readonly problem: Problem };
  /**
   * The model's outputs for n standardised rows (n×C scores, C = `network.C`), when neither
   * `network` nor `deep` computes them; solver/predict.ts predictModel picks the right one.
   */
  predict?(X: Float64Array, n: number): Float64Array;
  /**
   * The deep-network methods (Adam, AdamW, SGD, DAdapt-Adam, CRONOS-AM): the architecture and its
   * flat θ (solver/deep/types.ts layout), from which predictions are made. `network` is then only
   * the plain two-layer part where the network has one (solver/deep/trainer.ts twoLayerView).
   */
  readonly deep?: { readonly arch: Architecture; readonly theta: Float64Array };
}

/** One training run of one method. */
export interface Trainer<M extends MetricsRecord = MetricsRecord> {
  /** Its method's registry id (solver/methods/index.ts). */
  readonly method: string;
  /** Where it really runs (a GPU request may have fallen back to the CPU). */
  readonly device: DeviceKind;
  /** What `step` reports, in display order. */
  readonly metrics: readonly MetricDescriptor[];
  /** Completed steps (0 before the first; the loaded state's count after `loadState`). */
  readonly iteration: number;
  /** Runs one step (an ADMM iteration, a minibatch) and returns its metrics. */
  step(): Promise<M>;
  /** Whether the run is over after these metrics: its stopping rule, or its step budget. */
  finished(m: M): FinishReason | null;
  /**
   * Moves the budget of this run to `steps`, the new value of its method's `change: 'limit'`
   * setting (CRONOS: ADMM iterations; a method whose cap is in epochs gets epochs): the page's
   * cap can change while it runs, and `finished` then decides with the new budget.
   */
  setBudget(steps: number): void;
  /** The current model, read back as float64. */
  model(): Promise<TrainedModel>;
  /** A copy of everything needed to continue exactly (see {@link TrainerState}). */
  saveState(): Promise<TrainerState>;
  /** Continues from `state` (made by the same method on the same data and settings); throws on a mismatch. */
  loadState(state: TrainerState): Promise<void>;
  /** Frees every GPU buffer this trainer created (not the shared GPU context). */
  dispose(): void;
  /**
   * Why its GPU device was lost, or null while it is fine; solver/resilience.ts trainerAttempt
   * watches it to recover the run on a new device. Absent: the run's device loss shows only as a
   * failed step (a CPU trainer is never lost).
   */
  deviceLost?(): string | null;
  /** Destroys its GPU device (the device-loss test hooks); absent on the CPU. */
  loseDevice?(): void;
  /** The PCG preconditioner in use and why (the page's GPU panel), for a method that solves with PCG. */
  preconditionerInUse?(): string | null;
}

/** The data every method trains on: standardised rows, and the test rows when there are any. */
export interface TrainingData {
  readonly train: Dataset;
  readonly test: TestSet | null;
  /** Regression: the target of every training row in its own units (labels are then all 0). */
  readonly targets?: Float64Array;
}

/** Where a trainer runs (no silent fallback: a GPU request that cannot be met throws). */
export interface TrainerEnv {
  readonly device: DeviceKind;
  /** GPU entry point (dawn.node's in Node); navigator.gpu when omitted. */
  readonly gpu?: GPU;
}

/**
 * Checks that `state` belongs to `method` at `version`, with a message a person can act on
 * (session files are user input).
 */
export function checkStateHeader(state: TrainerState, method: string, version: number): void {
  if (state.format !== 'cronos-playground-state') throw new Error('This is not a saved training state (wrong format tag).');
  if (state.method !== method) throw new Error(`The saved state is of method "${state.method}", not "${method}".`);
  if (state.version !== version) throw new Error(`The saved ${method} state has layout version ${state.version}; this version reads ${version}.`);
  if (!Number.isInteger(state.iteration) || state.iteration < 0) throw new Error(`The saved state's iteration count ${state.iteration} is not a whole number ≥ 0.`);
}
