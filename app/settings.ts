/**
 * The playground's settings: one plain object (what the controls edit and what the Worker
 * receives), derived from the parameter tables — the page's own (app/params.ts) and the
 * method's (solver/methods/) — with its limits, the preset values the menus offer, and which
 * part of the pipeline a change invalidates (TensorFlow Playground's state.ts, minus the URL:
 * share links are app/share/'s business).
 */
import { CRONOS_PARAMS } from '../solver/methods/cronos/params';
import { METHODS, methodOf, type MethodId, type MethodRegistry } from '../solver/methods';
import {
  changeLevelOf,
  clampValue,
  clampValues,
  defaultsOf,
  dearer,
  scopedTables,
  pick,
  type ChangeLevel,
  type NumberParam,
  type OptionalNumberParam,
  type Param,
  type ParamTable,
  type ScopedTables,
  type AnyValues,
  type Values,
} from '../solver/params/table';
import { PAPER_CONFIG, type SolverConfig } from '../solver/types';
import { PAGE_PARAMS, type PageParams } from './params';
import { sameCsvSource, type CsvSource } from './share/wire-source';

export type { ChangeLevel } from '../solver/params/table';
export type { MethodId } from '../solver/methods';

/** Which solver the Worker uses: WebGPU with CPU fallback, or one of them explicitly. */
export type DevicePreference = PageParams['device'];

type UnionToIntersection<U> = (U extends unknown ? (x: U) => void : never) extends (x: infer I) => void ? I : never;

type CronosValues = Values<typeof CRONOS_PARAMS>;

/**
 * The settings of every registered method in one record: CRONOS's, and each other method's fields
 * that neither the page nor CRONOS declares (a key two of them share with the same meaning holds
 * one value). A field declared before with another meaning lives under `method.key`
 * ({@link ScopedSettings}; see {@link settingsKey}).
 */
export type MethodSettings = CronosValues &
  UnionToIntersection<{ [K in Exclude<MethodId, 'cronos'>]: Omit<Values<(typeof METHODS)[K]['params']>, keyof PageParams | keyof CronosValues> }[Exclude<MethodId, 'cronos'>]>;

/** The fields of a method that an earlier table declares with another meaning, under `method.key`. */
export type ScopedSettings = { [key: `${string}.${string}`]: string | number | boolean | undefined };

/**
 * Everything the user can set: the page table's fields (method, dataset, noise, testFraction,
 * device, and the dataSeed/splitSeed a share link may set apart from `seed`; unset: `seed`) and
 * the fields of every method's table (CRONOS: model, P, beta, rho, …, seed, and pcgTol — unset:
 * the spec's schedule). Only `method`'s fields are used by a run ({@link methodValues}); the
 * others keep their values while another method is selected.
 */
export type Settings = PageParams &
  MethodSettings &
  ScopedSettings & {
    /** A CSV from a share link or session file (app/share/wire-source.ts); it replaces `dataset`. */
    csv?: CsvSource;
  };

function layoutOf(methods: MethodRegistry): ScopedTables {
  return scopedTables([{ scope: 'page', table: PAGE_PARAMS }, ...Object.values(methods).map((m) => ({ scope: m.id, table: m.params }))]);
}

const LAYOUT = layoutOf(METHODS);

function layout(methods: MethodRegistry): ScopedTables {
  return methods === METHODS ? LAYOUT : layoutOf(methods);
}

/**
 * The page's table and every method's, merged (solver/params/table.ts scopedTables: a key an
 * earlier table declares with another meaning is stored as `method.key`). Page first: its order
 * is the controls' fallback.
 */
export function settingsTable(methods: MethodRegistry = METHODS): ParamTable {
  return layout(methods).table;
}

/** Where method `id`'s setting `key` lives in the page's settings (`key`, or `id.key`). */
export function settingsKey(id: string, key: string, methods: MethodRegistry = METHODS): string {
  return layout(methods).keys[id]?.[key] ?? key;
}

/** The fields of method `id` from `settings`, under the method's own keys (what its factory and link read). */
export function methodValues(settings: Settings, id: string = settings.method, methods: MethodRegistry = METHODS): Record<string, string | number | boolean> {
  const all: Readonly<AnyValues> = { ...settings, csv: undefined };
  const out: Record<string, string | number | boolean> = {};
  for (const [key, at] of Object.entries(layout(methods).keys[id] ?? {})) {
    const v = all[at];
    if (v !== undefined) out[key] = v;
  }
  return out;
}

/** `settings` with method `id`'s fields `values` (its own keys) put where they live. */
export function withMethodValues(settings: Settings, id: string, values: Readonly<AnyValues>, methods: MethodRegistry = METHODS): Settings {
  const out: AnyValues = {};
  for (const [key, v] of Object.entries(values)) out[settingsKey(id, key, methods)] = v;
  return { ...settings, ...out } as Settings;
}

/** Values of {@link SETTINGS_TABLE} as settings: the merged table declares every field of {@link Settings}, so they are by construction. */
function asSettings(values: AnyValues): Settings {
  return values as unknown as Settings;
}

/** Every table the page's settings come from (page first, then the methods in registry order). */
export const SETTINGS_TABLE = settingsTable() as typeof PAGE_PARAMS & typeof CRONOS_PARAMS & ParamTable;

/** The method picker's entries, in registry order. */
export function methodChoices(methods: MethodRegistry = METHODS): { id: string; title: string; summary: string }[] {
  return Object.values(methods).map(({ id, title, summary }) => ({ id, title, summary }));
}

/**
 * Defaults: the solver's (spec §4.7) except where the tables declare a page default (the
 * iteration cap, the tolerance and the seed), chosen so a run on the built-in sets ends within
 * seconds on a GPU and the ε-optimal badge is reachable.
 */
export const DEFAULT_SETTINGS: Settings = asSettings(defaultsOf(SETTINGS_TABLE, 'page'));

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
  const p: Param | undefined = SETTINGS_TABLE[key];
  if (!p || !isNumeric(p)) throw new Error(`settings table: ${key} is not a numeric setting`);
  return p;
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
  const { csv, ...values } = s;
  return { ...asSettings(clampValues(SETTINGS_TABLE, values as AnyValues, 'page')), ...(csv ? { csv } : {}) };
}

/** The solver configuration of these settings (an unset pcgTol stays unset: the spec's schedule). */
export function toSolverConfig(s: Settings): SolverConfig {
  // CRONOS's fields are always present (every method's are), whichever method is selected.
  return pick(CRONOS_PARAMS, s);
}

/**
 * The level of the change from `prev` to `next` (the dearest field that differs; each field's
 * level is declared in its table). The seed drives the data, the split and the gates, so it
 * rebuilds the problem.
 */
export function changeLevel(prev: Settings, next: Settings, methods: MethodRegistry = METHODS): ChangeLevel {
  // csv by content: the Worker compares settings that each crossed postMessage as a copy.
  const csv: ChangeLevel = sameCsvSource(prev.csv, next.csv) ? 'none' : 'problem';
  // Only the selected method's fields matter (another method's are kept but unused); a change of
  // method is a 'problem' change (the page table says so).
  const page = changeLevelOf(PAGE_PARAMS, { ...prev, csv: undefined }, { ...next, csv: undefined });
  const own = prev.method === next.method ? changeLevelOf(methodOf(next.method, methods).params, methodValues(prev, prev.method, methods), methodValues(next, next.method, methods)) : 'none';
  const level = dearer(page, own);
  return dearer(csv, level);
}

/**
 * The step budget of the selected method: its table's `change: 'limit'` setting (CRONOS:
 * admmIters), what the Worker passes to `Trainer.setBudget` and the transport shows as the cap;
 * null when the method has none.
 */
export function stepBudget(settings: Settings, methods: MethodRegistry = METHODS): number | null {
  const values = methodValues(settings, settings.method, methods);
  const method = Object.hasOwn(methods, settings.method) ? methods[settings.method] : undefined;
  for (const [key, p] of Object.entries(method?.params ?? {})) {
    const v = values[key];
    if (p.change === 'limit' && typeof v === 'number') return v;
  }
  return null;
}

/**
 * `settings` with the selected method's step budget raised for **Continue training** (doubled, at
 * least +50, within its limits), or unchanged when the method has no budget setting.
 */
export function withRaisedBudget(settings: Settings, methods: MethodRegistry = METHODS): Settings {
  const method = Object.hasOwn(methods, settings.method) ? methods[settings.method] : undefined;
  const entry = Object.entries(method?.params ?? {}).find(([, p]) => p.change === 'limit');
  const values = methodValues(settings, settings.method, methods);
  if (!entry) return settings;
  const [key, p] = entry;
  const v = values[key];
  if (typeof v !== 'number' || (p.type !== 'number' && p.type !== 'integer')) return settings;
  return withMethodValues(settings, settings.method, { [key]: clampValue(p, Math.max(v * 2, v + 50), 'page') }, methods);
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
