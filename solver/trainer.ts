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
import type { MethodId } from './methods/index';
import type { TestSet } from './solver';
import type { Dataset, DeviceKind, Network } from './types';

export type { MethodId };

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
  /** Drawing hints: a dashed or dotted line, steps, or "this is the stopping threshold of that metric". */
  readonly style?: { readonly dash?: 'dash' | 'dot'; readonly shape?: 'hv'; readonly thresholdOf?: string };
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
  readonly method: MethodId;
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
   * CRONOS only: the convex iterate u and its group-sparse copy v (d×K, solver/types.ts layout),
   * from which the views draw neuron norms and the exports write the convex weights.
   */
  readonly convex?: { readonly U: Float64Array; readonly V: Float64Array };
  /**
   * The deep-network methods (Adam, AdamW, SGD, DAdapt-Adam): the architecture and its flat θ
   * (solver/deep/types.ts layout), from which predictions are made. `network` is then only the
   * plain two-layer part where the network has one (solver/deep/trainer.ts twoLayerView).
   */
  readonly deep?: { readonly arch: Architecture; readonly theta: Float64Array };
}

/** One training run of one method. */
export interface Trainer<M extends MetricsRecord = MetricsRecord> {
  readonly method: MethodId;
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
  /** Moves the step budget of this run (the page's iteration cap can change while it runs). */
  setBudget(steps: number): void;
  /** The current model, read back as float64. */
  model(): Promise<TrainedModel>;
  /** A copy of everything needed to continue exactly (see {@link TrainerState}). */
  saveState(): Promise<TrainerState>;
  /** Continues from `state` (made by the same method on the same data and settings); throws on a mismatch. */
  loadState(state: TrainerState): Promise<void>;
  /** Frees every GPU buffer this trainer created (not the shared GPU context). */
  dispose(): void;
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
export function checkStateHeader(state: TrainerState, method: MethodId, version: number): void {
  if (state.format !== 'cronos-playground-state') throw new Error('This is not a saved training state (wrong format tag).');
  if (state.method !== method) throw new Error(`The saved state is of method "${state.method}", not "${method}".`);
  if (state.version !== version) throw new Error(`The saved ${method} state has layout version ${state.version}; this version reads ${version}.`);
  if (!Number.isInteger(state.iteration) || state.iteration < 0) throw new Error(`The saved state's iteration count ${state.iteration} is not a whole number ≥ 0.`);
}
