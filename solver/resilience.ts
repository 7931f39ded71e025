/**
 * Never lose a run: a layer over any {@link Trainer} that keeps the last good state and survives
 * GPU device loss and numerical breakdowns. The CLI and the Worker step a {@link ResilientRun}
 * instead of the trainer itself:
 *
 *   const run = await ResilientRun.start({ create: (device) => …, device: 'gpu', onEvent });
 *   for (;;) { const m = await run.step(); …; if (run.trainer.finished(m)) break; }
 *
 * - Checkpoints: the trainer's `saveState()` is kept every `interval` steps. The interval adapts
 *   so that saving costs at most `checkpointBudget` (5 %) of the stepping time: interval =
 *   ⌈saveMs / (budget · stepMs)⌉, at least 1. A GPU save is one read-back of the iterates, much
 *   cheaper than an ADMM step (1/500 to 1/18 of a step on the emulated adapters of
 *   tests/solver/gpu/resilience.test.ts), so the interval is 1 or 2 and a recovery replays little.
 * - Device loss (`GPUDevice.lost`, or a step that fails on a lost device): a new trainer is created
 *   (on a new device: the factory is asked again), the checkpoint is loaded and the steps done
 *   since are replayed silently, so the caller sees one unbroken sequence of iterations and the
 *   final result equals an uninterrupted run (deterministic kernels: to float32 tolerance). At the
 *   loss after `maxDeviceLosses` recoveries, or when no new GPU trainer can be had, the run goes on
 *   on the CPU.
 * - Numerical breakdown (NaN/Inf iterates, divergence): the trainer is put back to the last good
 *   iteration (checkpoint + replay) and the step rejects with {@link RunBrokeDownError}; the
 *   trainer's `model()` and `saveState()` are then those of the last good iteration, never NaN.
 *
 * Every such happening is reported as a {@link RunEvent} (result.json `events`, the page's notice).
 */
import type { MetricsRecord, Trainer, TrainerState } from './trainer';
import type { DeviceKind } from './types';

/** What happened to a run. */
export type RunEventType = 'device-lost' | 'recovered' | 'fallback-cpu' | 'breakdown' | 'restored-last-good' | 'simulated-device-loss' | 'simulated-nan';

/** One happening of a run (result.json `events`). `iteration`: completed iterations when it happened. */
export interface RunEvent {
  readonly iteration: number;
  readonly type: RunEventType;
  readonly detail: string;
}

/** One trainer on one device, with what the layer needs to watch that device. */
export interface Attempt<T extends Trainer> {
  readonly trainer: T;
  /** Why the device was lost, or null while it is fine (a CPU attempt is never lost). */
  lost(): string | null;
  /** Destroys the device (the `--simulate-device-loss` hook); absent on the CPU. */
  loseDevice?(): void;
}

/** Options of {@link ResilientRun.start}. */
export interface ResilienceOptions<T extends Trainer> {
  /**
   * Makes a new trainer at iteration 0 on `device`. Called again after a loss: for 'gpu' it must
   * then use a new device (e.g. sharedGpuContext makes one when the old one is lost).
   */
  create(device: DeviceKind): Promise<Attempt<T>>;
  /** The device to start on. */
  device: DeviceKind;
  /** A trainer already made on `device` (at iteration 0) to start with instead of calling `create`. */
  first?: Attempt<T>;
  /** A saved state to start from (a resumed run); checked by the trainer's loadState. */
  initial?: TrainerState | null;
  /** Largest fraction of the stepping time spent on checkpoints (default 0.05). */
  checkpointBudget?: number;
  /** GPU losses recovered on a new device (default 2); the next loss moves the run to the CPU. */
  maxDeviceLosses?: number;
  /** Test hook: destroy the device just before iteration K runs (the CLI's --simulate-device-loss K). */
  simulateDeviceLoss?: number;
  /** Test hook: make the state non-finite (NaN, or ±Infinity) just before iteration K runs. */
  simulateNaN?: { iteration: number; value: number };
  onEvent?(e: RunEvent): void;
}

/** The run stopped at its last good iteration after a numerical breakdown; the message says what to change. */
export class RunBrokeDownError extends Error {
  override name = 'RunBrokeDownError';

  constructor(
    /** The breakdown (e.g. AdmmDivergedError, whose message says what to change). */
    readonly breakdown: Error,
    /** The iteration the trainer is back at (the last one whose iterates were finite). */
    readonly lastGood: number,
  ) {
    super(`${breakdown.message} The run stopped at iteration ${lastGood}, its last good state; the model and exports are that iteration's.`);
  }
}

/**
 * True for the errors of a numerical breakdown: divergence (AdmmDivergedError) and any
 * `…BreakdownError` (a PCG or Cholesky breakdown). Checked by name so this module imports no solver.
 */
export function isNumericalBreakdown(e: unknown): e is Error {
  return e instanceof Error && (e.name === 'AdmmDivergedError' || e.name.endsWith('BreakdownError'));
}

/** Every element of every float array of `state` set to `value` (the NaN-injection hook). */
export function poisonedState(state: TrainerState, value: number): TrainerState {
  const arrays: Record<string, TrainerState['arrays'][string]> = {};
  for (const [name, a] of Object.entries(state.arrays)) {
    arrays[name] = a instanceof Float64Array || a instanceof Float32Array ? (a.slice().fill(value) as typeof a) : a;
  }
  return { ...state, arrays };
}

/** The checkpoint interval that keeps saving at or under `budget` of the stepping time. */
export function checkpointInterval(saveMs: number, stepMs: number, budget: number): number {
  if (!(saveMs > 0) || !(stepMs > 0)) return 1;
  return Math.max(1, Math.ceil(saveMs / (budget * stepMs)));
}

/** A trainer that survives device loss and stops cleanly on a breakdown (see the module comment). */
export class ResilientRun<T extends Trainer<M>, M extends MetricsRecord = MetricsRecord> {
  private attempt: Attempt<T>;
  private checkpoint: TrainerState;
  /** Completed iterations the caller has seen. */
  private done: number;
  private losses = 0;
  private saveMs = 0;
  private stepMs = 0;
  private readonly budget: number;
  private readonly maxLosses: number;
  private simulateLoss: number | undefined;
  /** The step budget set by the caller, carried over to a new trainer after a recovery. */
  private budget_: number | null = null;
  private simulateNaN: { iteration: number; value: number } | undefined;
  private readonly log: RunEvent[] = [];

  private constructor(
    private readonly opts: ResilienceOptions<T>,
    attempt: Attempt<T>,
    checkpoint: TrainerState,
    saveMs: number,
  ) {
    this.attempt = attempt;
    this.checkpoint = checkpoint;
    this.done = checkpoint.iteration;
    this.saveMs = saveMs;
    this.budget = opts.checkpointBudget ?? 0.05;
    this.maxLosses = opts.maxDeviceLosses ?? 2;
    this.simulateLoss = opts.simulateDeviceLoss;
    this.simulateNaN = opts.simulateNaN;
  }

  /** Creates the first trainer, loads `initial` when given and takes the first checkpoint. */
  static async start<T extends Trainer<M>, M extends MetricsRecord = MetricsRecord>(opts: ResilienceOptions<T>): Promise<ResilientRun<T, M>> {
    const attempt = opts.first ?? (await opts.create(opts.device));
    try {
      if (opts.initial) await attempt.trainer.loadState(opts.initial);
      const t0 = performance.now();
      const checkpoint = await attempt.trainer.saveState();
      return new ResilientRun<T, M>(opts, attempt, checkpoint, performance.now() - t0);
    } catch (e) {
      attempt.trainer.dispose();
      throw e;
    }
  }

  /** The trainer now (a new object after a recovery: read it again after each step). */
  get trainer(): T {
    return this.attempt.trainer;
  }

  /** Everything that happened so far, in order. */
  get events(): readonly RunEvent[] {
    return this.log;
  }

  /** The iteration of the kept checkpoint. */
  get checkpointIteration(): number {
    return this.checkpoint.iteration;
  }

  /** Steps between checkpoints now (adapts to the measured costs). */
  get interval(): number {
    return checkpointInterval(this.saveMs, this.stepMs, this.budget);
  }

  /**
   * One step of the trainer: recovers from device loss on the way; rejects with
   * {@link RunBrokeDownError} (trainer back at the last good iteration) on a breakdown.
   */
  async step(): Promise<M> {
    for (;;) {
      await this.applyHooks();
      if (this.attempt.lost() === null) {
        try {
          const m = await this.attempt.trainer.step();
          await this.afterStep(m);
          return m;
        } catch (e) {
          // A failed step on a lost device is a loss; dawn and browsers set `lost` by the time the step rejects.
          if (this.attempt.lost() === null) {
            if (isNumericalBreakdown(e)) throw await this.stopAtLastGood(e);
            throw e;
          }
        }
      }
      await this.recover(this.attempt.lost() ?? 'GPU device lost');
    }
  }

  /** Continues from `state` (a session file, --resume): the trainer loads it and it is the new checkpoint. */
  async loadState(state: TrainerState): Promise<void> {
    await this.attempt.trainer.loadState(state);
    this.checkpoint = await this.attempt.trainer.saveState();
    this.done = this.checkpoint.iteration;
  }

  /** Moves the step budget of the trainer, and of the trainers that replace it after a loss. */
  setBudget(steps: number): void {
    this.budget_ = steps;
    this.attempt.trainer.setBudget(steps);
  }

  /** The device-loss test hook, armed while running (the page's e2e test): destroy the device before iteration `k`. */
  simulateDeviceLossAt(k: number): void {
    this.simulateLoss = k;
  }

  /** Frees the current trainer. */
  dispose(): void {
    this.attempt.trainer.dispose();
  }

  private emit(type: RunEventType, detail: string, iteration = this.done): void {
    const e: RunEvent = { iteration, type, detail };
    this.log.push(e);
    this.opts.onEvent?.(e);
  }

  /** The test hooks, each once: destroy the device, or poison the state, before the chosen iteration. */
  private async applyHooks(): Promise<void> {
    const next = this.done + 1;
    if (this.simulateLoss === next) {
      this.simulateLoss = undefined;
      if (this.attempt.loseDevice) {
        this.emit('simulated-device-loss', `test hook: the GPU device is destroyed before iteration ${next}`);
        this.attempt.loseDevice();
      }
    }
    if (this.simulateNaN?.iteration === next) {
      const { value } = this.simulateNaN;
      this.simulateNaN = undefined;
      this.emit('simulated-nan', `test hook: every iterate is set to ${value} before iteration ${next}`);
      await this.attempt.trainer.loadState(poisonedState(await this.attempt.trainer.saveState(), value));
    }
  }

  /** Counts the step and takes a checkpoint when the interval is reached. */
  private async afterStep(m: M): Promise<void> {
    this.done = m.iter;
    // A running mean of the step time (the first steps of a GPU run include warm-up).
    this.stepMs = this.stepMs === 0 ? m.timeMs : 0.9 * this.stepMs + 0.1 * m.timeMs;
    if (this.done - this.checkpoint.iteration < this.interval) return;
    const t0 = performance.now();
    const state = await this.attempt.trainer.saveState();
    this.saveMs = performance.now() - t0;
    this.checkpoint = state;
  }

  /** A trainer at the checkpoint, then the steps since replayed without reporting them. */
  private async rebuild(attempt: Attempt<T>): Promise<void> {
    if (this.budget_ !== null) attempt.trainer.setBudget(this.budget_);
    await attempt.trainer.loadState(this.checkpoint);
    while (attempt.trainer.iteration < this.done) {
      if (attempt.lost() !== null) throw new Error(attempt.lost() ?? 'GPU device lost');
      await attempt.trainer.step();
    }
  }

  /** After a device loss: a new GPU trainer from the checkpoint, or after too many losses the CPU. */
  private async recover(reason: string): Promise<void> {
    this.losses++;
    this.emit('device-lost', `${reason} (loss ${this.losses}); continuing from the checkpoint of iteration ${this.checkpoint.iteration}`);
    this.attempt.trainer.dispose();
    if (this.losses <= this.maxLosses) {
      try {
        const attempt = await this.opts.create('gpu');
        try {
          await this.rebuild(attempt);
        } catch (e) {
          attempt.trainer.dispose();
          throw e;
        }
        this.attempt = attempt;
        this.emit('recovered', `a new GPU device continues from iteration ${this.checkpoint.iteration} (replayed to ${this.done})`);
        return;
      } catch (e) {
        if (isNumericalBreakdown(e)) throw e;
        this.emit('fallback-cpu', `no new GPU device (${e instanceof Error ? e.message : String(e)}); the run continues on the CPU solver from iteration ${this.checkpoint.iteration}`);
      }
    } else {
      this.emit('fallback-cpu', `the GPU device was lost ${this.losses} times; the run continues on the CPU solver from iteration ${this.checkpoint.iteration}`);
    }
    const cpu = await this.opts.create('cpu');
    try {
      await this.rebuild(cpu);
    } catch (e) {
      cpu.trainer.dispose();
      throw e;
    }
    this.attempt = cpu;
  }

  /**
   * Puts the trainer back at the last good iteration (the one before the breakdown): the
   * checkpoint, then the steps since it replayed (deterministic, so finite again). Should the
   * replay break down too, the checkpoint itself is the last good state.
   */
  private async stopAtLastGood(e: Error): Promise<RunBrokeDownError> {
    this.emit('breakdown', e.message, this.done + 1);
    const trainer = this.attempt.trainer;
    try {
      await this.rebuild(this.attempt);
    } catch {
      await trainer.loadState(this.checkpoint);
      this.done = this.checkpoint.iteration;
    }
    this.emit('restored-last-good', `the trainer is back at iteration ${this.done}, its last finite state`);
    return new RunBrokeDownError(e, this.done);
  }
}
