/**
 * What a race runs: which methods, on which architecture, for how many epochs, with how many
 * learning-rate draws per tuned method, and the paper's learning-rate ranges. Plain data (no
 * Node API), so the page's Worker and the CLI build the same {@link RaceConfig}.
 */
import { DEFAULT_ARCH } from '../deep/params';
import type { ParamTable } from '../params/table';

/** How the learning rates of a tuned method are chosen: seeded log-uniform draws, or a log-spaced grid. */
export type LrMode = 'random' | 'grid';

/** The bounds (l, u) of a learning-rate range 10^[l, u], as base-10 exponents. */
export type LrRange = readonly [lo: number, hi: number];

/** Everything a race needs besides the data and the device. */
export interface RaceConfig {
  /** Registry ids (solver/methods/index.ts), in table order. */
  readonly methods: readonly string[];
  /** Architecture of every deep method (solver/deep/arch.ts text); CRONOS ignores it. */
  readonly arch: string;
  /** The epoch budget of every deep method (the same for all, so curves end alike). */
  readonly epochs: number;
  /** Minibatch size of every deep method. */
  readonly batch: number;
  /** K: learning rates per tuned method (one run each); an untuned method runs once. */
  readonly lrDraws: number;
  /** Seeds the learning-rate draws, and the initial weights and minibatches of every deep run. */
  readonly seed: number;
  readonly lrMode: LrMode;
  /** Per tuned method, its range; a method not listed takes {@link paperLrRange} of `arch`. */
  readonly lrRanges?: Readonly<Record<string, LrRange>>;
  /** The accuracy (a fraction) whose first crossing each summary times; none: no such column. */
  readonly targetAccuracy?: number;
  /** CRONOS's ADMM iteration cap; its table's default when absent. */
  readonly cronosIters?: number;
}

/**
 * Whether the race draws learning rates for a method with table `params`: it does for every
 * method with an `lr` setting (Adam, AdamW, SGD). DAdapt-Adam and CRONOS-AM have none (they run
 * at γ = 1, D-Adaptation sets the step) and CRONOS has no step size: each of those runs once.
 */
export function isTuned(params: ParamTable): boolean {
  return Object.hasOwn(params, 'lr');
}

/** The paper's range 10^U[l, u]: (−5.5, −1.5) for an MLP, (−3.5, −1.5) for a CNN. */
export function paperLrRange(arch: string): LrRange {
  return arch.trim().startsWith('cnn') ? [-3.5, -1.5] : [-5.5, -1.5];
}

/** The range of `method` in `config`. */
export function lrRangeOf(config: RaceConfig, method: string): LrRange {
  return config.lrRanges?.[method] ?? paperLrRange(config.arch);
}

/** Every method the race knows, in the table order of the paper's comparison. */
export const RACE_METHODS: readonly string[] = ['cronos', 'cronos-am', 'adam', 'adamw', 'sgd', 'dadapt-adam'];

/** A race of every method on the default network, 5 draws, seed 0. */
export const DEFAULT_RACE: RaceConfig = { methods: RACE_METHODS, arch: DEFAULT_ARCH, epochs: 50, batch: 256, lrDraws: 5, seed: 0, lrMode: 'random' };

/** What is wrong with `config` against the registered ids `known`, one sentence each (empty when it is fine). */
export function raceConfigProblems(config: RaceConfig, known: readonly string[]): string[] {
  const out: string[] = [];
  if (config.methods.length === 0) out.push('a race needs at least one method.');
  for (const m of config.methods) if (!known.includes(m)) out.push(`${JSON.stringify(m)} is not a method; use some of ${known.join(', ')}.`);
  const dup = config.methods.find((m, i) => config.methods.indexOf(m) !== i);
  if (dup !== undefined) out.push(`method ${dup} is listed twice.`);
  const whole = (v: number, min: number): boolean => Number.isInteger(v) && v >= min;
  if (!whole(config.epochs, 1)) out.push(`epochs ${config.epochs} is not a whole number ≥ 1.`);
  if (!whole(config.batch, 1)) out.push(`batch ${config.batch} is not a whole number ≥ 1.`);
  if (!whole(config.lrDraws, 1)) out.push(`lrDraws ${config.lrDraws} is not a whole number ≥ 1.`);
  if (!whole(config.seed, 0)) out.push(`seed ${config.seed} is not a whole number ≥ 0.`);
  if (config.cronosIters !== undefined && !whole(config.cronosIters, 1)) out.push(`cronosIters ${config.cronosIters} is not a whole number ≥ 1.`);
  const t = config.targetAccuracy;
  if (t !== undefined && !(t > 0 && t <= 1)) out.push(`targetAccuracy ${t} is not a fraction in (0, 1].`);
  for (const [m, [lo, hi]] of Object.entries(config.lrRanges ?? {})) {
    if (!(Number.isFinite(lo) && Number.isFinite(hi) && lo <= hi)) out.push(`the lr range of ${m} [${lo}, ${hi}] is not two exponents lo ≤ hi.`);
  }
  return out;
}
