/**
 * The playground's settings: one plain object (what the controls edit and what the Worker
 * receives), derived from the parameter tables — the page's own (app/params.ts) and the
 * method's (solver/methods/) — with its limits, the preset values the menus offer, and which
 * part of the pipeline a change invalidates (TensorFlow Playground's state.ts, minus the URL:
 * share links are app/share/'s business).
 */
import { CRONOS_PARAMS, type CronosParams } from '../solver/methods/cronos/params';
import { changeLevelOf, clampValue, clampValues, defaultsOf, dearer, pick, type NumberParam, type OptionalNumberParam, type Param, type ChangeLevel } from '../solver/params/table';
import { PAPER_CONFIG, type SolverConfig } from '../solver/types';
import { PAGE_PARAMS, type PageParams } from './params';
import { sameCsvSource, type CsvSource } from './share/wire-source';

export type { ChangeLevel } from '../solver/params/table';
export type { MethodId } from '../solver/methods';

/** Which solver the Worker uses: WebGPU with CPU fallback, or one of them explicitly. */
export type DevicePreference = PageParams['device'];

/**
 * Everything the user can set: the page table's fields (method, dataset, noise, testFraction,
 * device, and the dataSeed/splitSeed a share link may set apart from `seed`; unset: `seed`) and
 * the method's (CRONOS: model, P, beta, rho, …, seed, and pcgTol — unset: the spec's schedule).
 */
export interface Settings extends PageParams, CronosParams {
  /** A CSV from a share link or session file (app/share/wire-source.ts); it replaces `dataset`. */
  csv?: CsvSource;
}

/** Every table the page's settings come from (page first: its order is the controls' fallback). */
export const SETTINGS_TABLE = { ...PAGE_PARAMS, ...CRONOS_PARAMS };

/**
 * Defaults: the solver's (spec §4.7) except where the tables declare a page default (the
 * iteration cap, the tolerance and the seed), chosen so a run on the built-in sets ends within
 * seconds on a GPU and the ε-optimal badge is reachable.
 */
export const DEFAULT_SETTINGS: Settings = defaultsOf(SETTINGS_TABLE, 'page');

/** Inclusive bounds and integrality of one numeric setting. */
export interface NumericLimit {
  min: number;
  max: number;
  integer: boolean;
}

/** The numeric settings with a default (each has page limits; the optional ones are not clamped). */
export type NumericKey = { [K in keyof Settings]-?: Settings[K] extends number ? (undefined extends Settings[K] ? never : K) : never }[keyof Settings];

function isNumeric(p: Param): p is NumberParam | OptionalNumberParam {
  return p.type === 'number' || p.type === 'integer';
}

function numericParam(key: NumericKey): NumberParam | OptionalNumberParam {
  return SETTINGS_TABLE[key];
}

function limitsOf(): Record<NumericKey, NumericLimit> {
  const out: Partial<Record<NumericKey, NumericLimit>> = {};
  for (const [key, p] of Object.entries(SETTINGS_TABLE)) {
    if (!isNumeric(p) || p.optional) continue;
    // Every numeric page setting needs bounds: the controls and the link reader clamp to them.
    if (!p.limits) throw new Error(`settings table: ${key} has no limits`);
    out[key as NumericKey] = { ...p.limits, integer: p.type === 'integer' };
  }
  return out as Record<NumericKey, NumericLimit>;
}

/**
 * Bounds of every numeric setting (the controls and the URL parser share them). They match the
 * share link's bounds (app/share/state.ts LIMITS) where the solver copes: P ≤ 1024, rank ≤ 256,
 * 32-bit seeds, no test split (0), long runs; β, ρ and the noise stay clamped to useful ranges.
 */
export const LIMITS: Readonly<Record<NumericKey, NumericLimit>> = limitsOf();

function presetsOf(): Partial<Record<NumericKey, readonly number[]>> {
  const out: Partial<Record<NumericKey, readonly number[]>> = {};
  for (const [key, p] of Object.entries(SETTINGS_TABLE)) if (isNumeric(p) && !p.optional && p.presets) out[key as NumericKey] = p.presets;
  return out;
}

/** Values the menus offer (a value from the URL outside the list is shown as an extra entry). */
export const PRESETS: Readonly<Partial<Record<NumericKey, readonly number[]>>> = presetsOf();

/** The menu values of `key` (empty when it has none). */
export function presets(key: NumericKey): readonly number[] {
  return PRESETS[key] ?? [];
}

/** `v` clamped to the limits of `key` (rounded for integer settings); NaN gives the default. */
export function clampSetting(key: NumericKey, v: number): number {
  return clampValue(numericParam(key), v, 'page');
}

/** A copy of `s` with every numeric field inside its limits. */
export function clampSettings(s: Settings): Settings {
  return clampValues(SETTINGS_TABLE, s, 'page');
}

/** The solver configuration of these settings (an unset pcgTol stays unset: the spec's schedule). */
export function toSolverConfig(s: Settings): SolverConfig {
  return pick(CRONOS_PARAMS, s);
}

/**
 * The level of the change from `prev` to `next` (the dearest field that differs; each field's
 * level is declared in its table). The seed drives the data, the split and the gates, so it
 * rebuilds the problem.
 */
export function changeLevel(prev: Settings, next: Settings): ChangeLevel {
  // csv by content: the Worker compares settings that each crossed postMessage as a copy.
  const csv: ChangeLevel = sameCsvSource(prev.csv, next.csv) ? 'none' : 'problem';
  return dearer(csv, changeLevelOf(SETTINGS_TABLE, { ...prev, csv: undefined }, { ...next, csv: undefined }));
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

/** `s` with the solver settings of `preset` (the model, data and seeds stay) (and no fixed PCG tolerance: both presets use the schedule). */
function withSolverPreset(s: Settings, preset: SolverConfig): Settings {
  // The preconditioner too: the paper's run is Nyström's, the fast defaults' is auto (block).
  const { rho, adaptiveRho, rank, preconditioner, admmIters, pcgIters, tol, warmStart, alpha, anderson, rhoRace, rhoBeta, stopRule } = preset;
  const out: Settings = { ...s, rho, adaptiveRho, rank, preconditioner, admmIters, pcgIters, tol, warmStart, alpha, anderson, rhoRace, rhoBeta, stopRule };
  delete out.pcgTol;
  return out;
}

/** The page's "Paper settings": the official CRONOS behaviour (PAPER_CONFIG) with the current model and data. */
export function withPaperSettings(s: Settings): Settings {
  return withSolverPreset(s, PAPER_CONFIG);
}

/** The page's "Fast defaults": the page's default solver settings with the current model and data. */
export function withFastSettings(s: Settings): Settings {
  return withSolverPreset(s, toSolverConfig(DEFAULT_SETTINGS));
}
