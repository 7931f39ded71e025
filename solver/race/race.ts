/**
 * The race engine: every run of a {@link RaceConfig} (each method, each learning-rate draw of a
 * tuned one) created through the method registry and stepped one step at a time, always the
 * unfinished run whose own clock is least, so that at any moment every run has had about the same
 * compute time and a curve against time compares methods fairly. A run's clock counts only its
 * own work (its creation and its steps) measured by the injected clock, so tests run on a fake
 * clock and a Worker can interleave the race with its messages. No Node API: the page's Worker
 * and the CLI drive the same object, and {@link Race.results} is plain JSON data at any moment.
 */
import { METHODS, type MethodRegistry } from '../methods/index';
import { defaultsOf, type AnyValues, type ParamTable } from '../params/table';
import type { MetricsRecord, Trainer, TrainerEnv, TrainingData } from '../trainer';
import { raceConfigProblems, type RaceConfig } from './config';
import { raceLearningRates } from './lr';
import type { CurvePoint } from './stats';
import { raceTimeGrid, summariseMethod, type MethodSummary, type RaceRun, type RunEnd } from './summary';

/** Seconds on some monotonic clock (default `performance.now() / 1000`). */
export type Clock = () => number;

/** One run to make: a method, its learning rate (null: untuned) and every setting of its table. */
export interface RunPlan {
  readonly method: string;
  readonly lr: number | null;
  readonly settings: Settings;
}

/** A run's settings: every field of its method's table. */
export type Settings = Record<string, string | number | boolean>;

/** The results document (CLI race.json, the page's race view). */
export interface RaceResults {
  readonly format: 'cronos-race';
  readonly version: 1;
  readonly config: RaceConfig;
  /** The common time grid of every method's `band_time`. */
  readonly time_grid_s: readonly number[];
  readonly methods: readonly MethodSummary[];
}

/** What one {@link Race.step} did. */
export interface RaceStep {
  /** Index of the run in {@link Race.runs}. */
  readonly run: number;
  readonly method: string;
  readonly lr: number | null;
  /** The point it added (none when it failed before its first step). */
  readonly point: CurvePoint | null;
  /** Set when this step ended the run. */
  readonly end: RunEnd | null;
}

/** Where a race runs and what it is timed with. */
export interface RaceOptions {
  readonly config: RaceConfig;
  readonly data: TrainingData;
  readonly env: TrainerEnv;
  readonly clock?: Clock;
  /** The methods to look ids up in (the tests' fixtures); default the registry. */
  readonly methods?: MethodRegistry;
}

/** Invalid race settings or data; the message says what to change. */
export class RaceConfigError extends Error {
  override name = 'RaceConfigError';
}

/**
 * The settings of one run of `method` (table `params`): its defaults, with the race's shared
 * settings where its table has them — the architecture, the epoch budget, the batch, the seed
 * (the same initial weights and minibatches for every deep method of one architecture), one
 * reported step per epoch — the learning rate of its draw, and CRONOS's iteration cap.
 */
export function runSettings(config: RaceConfig, params: ParamTable, lr: number | null): Settings {
  const s: Settings = { ...defaultsOf(params) };
  const shared: AnyValues = { arch: config.arch, epochs: config.epochs, batch: config.batch, seed: config.seed, logEvery: 0, lr: lr ?? undefined };
  for (const [k, v] of Object.entries(shared)) if (v !== undefined && Object.hasOwn(params, k)) s[k] = v;
  // CRONOS's cap is its budget setting; CRONOS-AM's admmIters is per head solve and keeps its default.
  if (config.cronosIters !== undefined && params.admmIters?.change === 'limit') s.admmIters = config.cronosIters;
  return s;
}

/** Every run of `config` in table order: each method once, a tuned method once per learning rate. */
export function planRace(config: RaceConfig, methods: MethodRegistry = METHODS): RunPlan[] {
  const lrs = raceLearningRates(config, methods);
  return config.methods.flatMap((m) => (lrs[m] ?? [null]).map((lr) => ({ method: m, lr, settings: runSettings(config, methods[m].params, lr) })));
}

/** The curve point of a step: CRONOS's epoch is its ADMM iteration (docs/spec.md §8), a deep method's its `epoch`. */
export function curvePoint(m: MetricsRecord, time_s: number): CurvePoint {
  const epoch = typeof m.epoch === 'number' ? m.epoch : m.iter;
  const acc = typeof m.testAccuracy === 'number' && Number.isFinite(m.testAccuracy) ? m.testAccuracy : null;
  return { time_s, epoch, test_accuracy: acc };
}

/**
 * The results document of `runs` (every run of a race as it stands): per method of `config` its
 * summary over its runs. The summaries are derived, so a session file stores only the config and
 * the runs and rebuilds the rest with this.
 */
export function raceResultsOf(config: RaceConfig, runs: readonly RaceRun[]): RaceResults {
  const grid = raceTimeGrid(runs);
  const methods = config.methods.map((m) => summariseMethod(m, runs.filter((r) => r.method === m), grid, config.targetAccuracy));
  return { format: 'cronos-race', version: 1, config, time_grid_s: grid, methods };
}

/** One live run: its plan, its clock, its trainer once made. */
interface LiveRun {
  readonly plan: RunPlan;
  readonly curve: CurvePoint[];
  clock_s: number;
  trainer: Trainer | null;
  end: RunEnd | null;
  error?: string;
}

/** A race in progress; call {@link step} until {@link done}, then {@link results} (or read them any time). */
export class Race {
  readonly config: RaceConfig;
  private readonly live: LiveRun[];
  private readonly clock: Clock;
  private readonly methods: MethodRegistry;

  constructor(private readonly opts: RaceOptions) {
    this.methods = opts.methods ?? METHODS;
    const problems = raceConfigProblems(opts.config, Object.keys(this.methods));
    if (!opts.data.test || opts.data.test.n === 0) problems.push('a race compares test accuracy: give it test rows.');
    if (problems.length > 0) throw new RaceConfigError(problems.join(' '));
    this.config = opts.config;
    this.clock = opts.clock ?? ((): number => performance.now() / 1000);
    this.live = planRace(opts.config, this.methods).map((plan) => ({ plan, curve: [], clock_s: 0, trainer: null, end: null }));
  }

  /** Every run as it stands (curves grow as the race steps). */
  get runs(): readonly RaceRun[] {
    return this.live.map((r) => ({ method: r.plan.method, lr: r.plan.lr, curve: r.curve, end: r.end, ...(r.error !== undefined ? { error: r.error } : {}) }));
  }

  /** Whether every run has ended. */
  get done(): boolean {
    return this.live.every((r) => r.end !== null);
  }

  /** The run to step next: the unfinished one with the least own clock (the first of equals). */
  nextRun(): number | null {
    let next: number | null = null;
    this.live.forEach((r, i) => {
      if (r.end === null && (next === null || r.clock_s < this.live[next].clock_s)) next = i;
    });
    return next;
  }

  /** Steps the run that is furthest behind once (making its trainer first); null when the race is over. */
  async step(): Promise<RaceStep | null> {
    const i = this.nextRun();
    if (i === null) return null;
    const r = this.live[i];
    const t0 = this.clock();
    let point: CurvePoint | null = null;
    let timed = false;
    try {
      if (!r.trainer) r.trainer = await (await this.methods[r.plan.method].load())(this.opts.data, r.plan.settings, this.opts.env);
      const m = await r.trainer.step();
      r.clock_s += this.clock() - t0;
      timed = true;
      point = curvePoint(m, r.clock_s);
      r.curve.push(point);
      r.end = r.trainer.finished(m);
    } catch (e) {
      if (!timed) r.clock_s += this.clock() - t0;
      r.end = 'failed';
      r.error = e instanceof Error ? e.message : String(e);
    }
    // A finished run frees its buffers at once: the others still race on the same device.
    if (r.end !== null) this.release(r);
    return { run: i, method: r.plan.method, lr: r.plan.lr, point, end: r.end };
  }

  /** Steps until every run has ended. */
  async run(onStep?: (s: RaceStep) => void): Promise<RaceResults> {
    for (let s = await this.step(); s !== null; s = await this.step()) onStep?.(s);
    return this.results();
  }

  /** The results as they stand: per method its summary over the draws so far. */
  results(): RaceResults {
    return raceResultsOf(this.config, this.runs);
  }

  /** Frees every trainer still alive (a race stopped early). */
  dispose(): void {
    for (const r of this.live) this.release(r);
  }

  private release(r: LiveRun): void {
    r.trainer?.dispose();
    r.trainer = null;
  }
}
