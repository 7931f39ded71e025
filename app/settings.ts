/**
 * The playground's settings: one plain object (what the controls edit and what the Worker
 * receives), its limits, the preset values the menus offer, and which part of the pipeline a
 * change invalidates (TensorFlow Playground's state.ts, minus the URL: share links are
 * app/share/'s business).
 */
import { MAX_SYNTHETIC_NOISE } from '../data/synthetic';
import { DEFAULT_CONFIG, type ModelKind, type SolverConfig } from '../solver/types';
import { DEFAULT_DATASET, type DatasetId } from './datasets';
import { sameCsvSource, type CsvSource } from './share/wire-source';

/** Which solver the Worker uses: WebGPU with CPU fallback, or one of them explicitly. */
export type DevicePreference = 'auto' | 'gpu' | 'cpu';

/** Everything the user can set. */
export interface Settings {
  dataset: DatasetId;
  /** Noise of the 2-D generators, in [0, 0.5]. */
  noise: number;
  /** Fraction of rows held out for testing (datasets without a test file). */
  testFraction: number;
  model: ModelKind;
  P: number;
  beta: number;
  rho: number;
  adaptiveRho: boolean;
  rank: number;
  pcgIters: number;
  admmIters: number;
  tol: number;
  /** PCG starts from the previous u (solver default) instead of 0. */
  warmStart: boolean;
  seed: number;
  device: DevicePreference;
  /** Seed of the 2-D generators when a share link sets it apart from `seed` (unset: `seed`). */
  dataSeed?: number;
  /** Seed of the hold-out split when a share link sets it apart from `seed` (unset: `seed`). */
  splitSeed?: number;
  /** Fixed absolute PCG tolerance from a share link (unset: the spec's schedule). */
  pcgTol?: number;
  /** A CSV from a share link or session file (app/share/wire-source.ts); it replaces `dataset`. */
  csv?: CsvSource;
}

/**
 * Defaults: the solver's (spec §4.7) except the iteration cap and tolerance, chosen so a run on
 * the built-in sets ends within seconds on a GPU and the ε-optimal badge is reachable.
 */
export const DEFAULT_SETTINGS: Settings = {
  dataset: DEFAULT_DATASET,
  noise: 0.1,
  testFraction: 0.3,
  model: DEFAULT_CONFIG.model,
  P: DEFAULT_CONFIG.P,
  beta: DEFAULT_CONFIG.beta,
  rho: DEFAULT_CONFIG.rho,
  adaptiveRho: DEFAULT_CONFIG.adaptiveRho,
  rank: DEFAULT_CONFIG.rank,
  pcgIters: DEFAULT_CONFIG.pcgIters,
  admmIters: 500,
  tol: 1e-3,
  warmStart: DEFAULT_CONFIG.warmStart,
  seed: 1,
  device: 'auto',
};

/** Inclusive bounds and integrality of one numeric setting. */
export interface NumericLimit {
  min: number;
  max: number;
  integer: boolean;
}

/** The numeric settings. */
export type NumericKey = 'noise' | 'testFraction' | 'P' | 'beta' | 'rho' | 'rank' | 'pcgIters' | 'admmIters' | 'tol' | 'seed';

/**
 * Bounds of every numeric setting (the controls and the URL parser share them). They match the
 * share link's bounds (app/share/state.ts LIMITS) where the solver copes: P ≤ 1024, rank ≤ 256,
 * 32-bit seeds, no test split (0), long runs; β, ρ and the noise stay clamped to useful ranges.
 */
export const LIMITS: Record<NumericKey, NumericLimit> = {
  noise: { min: 0, max: MAX_SYNTHETIC_NOISE, integer: false },
  testFraction: { min: 0, max: 0.9, integer: false },
  P: { min: 1, max: 1024, integer: true },
  beta: { min: 0, max: 100, integer: false },
  rho: { min: 1e-4, max: 1e3, integer: false },
  rank: { min: 0, max: 256, integer: true },
  pcgIters: { min: 1, max: 10_000, integer: true },
  admmIters: { min: 1, max: 100_000, integer: true },
  tol: { min: 0, max: 1, integer: false },
  seed: { min: 0, max: 2 ** 32 - 1, integer: true },
};

/** Values the menus offer (a value from the URL outside the list is shown as an extra entry). */
export const PRESETS = {
  P: [4, 8, 16, 32, 64, 128, 256],
  beta: [0, 1e-4, 1e-3, 1e-2, 0.1, 1, 10],
  rho: [1e-3, 0.01, 0.1, 1, 10],
  rank: [0, 5, 10, 20, 50],
  pcgIters: [5, 10, 20, 50, 100],
  admmIters: [50, 100, 200, 500, 1000, 2000, 5000],
  tol: [1e-2, 1e-3, 1e-4, 1e-5, 1e-6],
  testFraction: [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9],
} as const satisfies Partial<Record<NumericKey, readonly number[]>>;

/** `v` clamped to the limits of `key` (rounded for integer settings); NaN gives the default. */
export function clampSetting(key: NumericKey, v: number): number {
  const { min, max, integer } = LIMITS[key];
  if (!Number.isFinite(v)) return DEFAULT_SETTINGS[key];
  const r = integer ? Math.round(v) : v;
  return Math.min(max, Math.max(min, r));
}

/** A copy of `s` with every numeric field inside its limits. */
export function clampSettings(s: Settings): Settings {
  const out = { ...s };
  for (const key of Object.keys(LIMITS) as NumericKey[]) out[key] = clampSetting(key, s[key]);
  return out;
}

/** The solver configuration of these settings. */
export function toSolverConfig(s: Settings): SolverConfig {
  return {
    model: s.model,
    P: s.P,
    beta: s.beta,
    rho: s.rho,
    adaptiveRho: s.adaptiveRho,
    rank: s.rank,
    admmIters: s.admmIters,
    pcgIters: s.pcgIters,
    tol: s.tol,
    seed: s.seed,
    warmStart: s.warmStart,
    // Only when set: an absent pcgTol selects the spec's tolerance schedule.
    ...(s.pcgTol !== undefined ? { pcgTol: s.pcgTol } : {}),
  };
}

/**
 * What a settings change invalidates, from cheapest to dearest: nothing; only the iteration cap
 * (the run continues); the solver (same problem, new ADMM state and preconditioner); the problem
 * (data, split, gates and patterns are rebuilt). The seed drives the data, the split and the
 * gates, so it rebuilds the problem.
 */
export type ChangeLevel = 'none' | 'limit' | 'solver' | 'problem';

const PROBLEM_KEYS = ['dataset', 'noise', 'testFraction', 'model', 'P', 'beta', 'seed', 'dataSeed', 'splitSeed'] as const satisfies readonly (keyof Settings)[];
const SOLVER_KEYS = ['rho', 'adaptiveRho', 'rank', 'pcgIters', 'tol', 'warmStart', 'device', 'pcgTol'] as const satisfies readonly (keyof Settings)[];

/** The level of the change from `prev` to `next` (the dearest field that differs). */
export function changeLevel(prev: Settings, next: Settings): ChangeLevel {
  // csv by content: the Worker compares settings that each crossed postMessage as a copy.
  if (PROBLEM_KEYS.some((k) => prev[k] !== next[k]) || !sameCsvSource(prev.csv, next.csv)) return 'problem';
  if (SOLVER_KEYS.some((k) => prev[k] !== next[k])) return 'solver';
  if (prev.admmIters !== next.admmIters) return 'limit';
  return 'none';
}

/**
 * The entries of a preset menu showing `value`: the presets, plus `value` at its place in their
 * (ascending or descending) order when it is not one of them.
 */
export function menuOptions(presets: readonly number[], value: number): number[] {
  if (presets.includes(value)) return [...presets];
  const descending = presets.length > 1 && presets[0] > presets[presets.length - 1];
  return [...presets, value].sort((a, b) => (descending ? b - a : a - b));
}
