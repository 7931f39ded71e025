/**
 * Parameter tables: every setting declared once (TensorFlow Playground's `state.ts` PROPS, made
 * typed), and the pure helpers derived from a table — defaults, clamping and validation, the CLI
 * parser and its `--help` lines, the share-link fields, and what a change invalidates. A table
 * yields its settings type ({@link Values}), so adding an entry adds a typed field everywhere.
 *
 * No browser or Node API here: the page, the Worker, the CLI and the tests all read the tables.
 */
import { NUMBER } from '../../data/cells';
import { has, inRange, int, Invalid, num, object, oneOf, bool, type NumberRange } from './validate';

/**
 * What a change of a setting invalidates, from cheapest to dearest: nothing; only the iteration
 * cap (the run continues); the solver (same problem, new state); the problem (rebuilt).
 */
export type ChangeLevel = 'none' | 'limit' | 'solver' | 'problem';

const LEVEL_RANK: Record<ChangeLevel, number> = { none: 0, limit: 1, solver: 2, problem: 3 };

/**
 * Where a default is read. The table's `default` is the solver's (library, CLI, benchmarks); the
 * page overrides a few (`pageDefault`) so a run on the built-in sets ends within seconds.
 */
export type Surface = 'solver' | 'page';

/** Bounds of a number: inclusive `min`/`max`, exclusive `above`/`below`. */
export type Range = NumberRange;

/** The command-line flag of a setting. */
export interface CliSpec {
  /** The flag, e.g. `--admm-iters`. */
  flag: string;
  /** The `--help` text; `\n` starts an indented continuation line. */
  help: string;
  /** The value's name in `--help` (`N`, `FILE`); enums default to `a|b`. */
  arg?: string;
  /** Valid values on the command line (numbers; defaults to the link's range). */
  range?: Range;
  /** Booleans: the flag sets `false` (`--no-warm-start`) instead of `true` (`--adaptive-rho`). */
  negate?: boolean;
  /** Replaces ` (default X)` at the end of the help ('' prints nothing). */
  defaultText?: string;
  /** Enums: what a value is, for the error message (`a model; use relu or gated`). */
  noun?: string;
}

/** Both ends of an integer's link range (int() needs them). */
export interface IntegerBounds extends Range {
  min: number;
  max: number;
}

/** The share-link field of a setting. */
export interface LinkSpec {
  /** The field name in the link's JSON (frozen once links carry it). */
  key: string;
  /** Valid values in a link (numbers; integers need both ends). */
  range?: Range;
}

/** How the page's controls show a setting. */
export interface ControlSpec {
  /**
   * `menu`: the presets (plus an off-menu value); `select`: the enum's choices; `radio`:
   * segmented buttons; `check`: a checkbox; `text`: a text field (a text setting, checked by
   * its `check` when committed); `custom`: the page renders it itself.
   */
  kind: 'menu' | 'select' | 'radio' | 'check' | 'text' | 'custom';
  /** The fieldset it belongs to (`model`, `solver`, `data`). */
  group: string;
  /** `data-testid` of the form element (the e2e tests select by it). */
  testId?: string;
  /** Numbers in a menu: `setting` (1e-3 style, fmtSetting) or `plain` (String). */
  format?: 'plain' | 'setting';
  /** Position within the group when it differs from the table order (the CLI's). */
  order?: number;
}

interface ParamBase<V> {
  /** The label of the control (and of messages). */
  label: string;
  /** The setting's name inside a sentence (the page's notices); defaults to `label`. */
  short?: string;
  /** One sentence under the control. */
  help?: string;
  /** What a change invalidates (see {@link ChangeLevel}). */
  change: ChangeLevel;
  cli?: CliSpec;
  link?: LinkSpec;
  control?: ControlSpec;
  /** The page's default where it differs from `default`. */
  pageDefault?: V;
}

/** A real or integer setting with a default, page limits and optional menu presets. */
export interface NumberParam extends ParamBase<number> {
  type: 'number' | 'integer';
  default: number;
  /** The page's inclusive bounds (clamping); absent: never clamped. */
  limits?: { min: number; max: number };
  /** Spans decades: menus and sliders step in powers of ten. */
  logScale?: boolean;
  /** The values the page's menu offers. */
  presets?: readonly number[];
  optional?: false;
}

/** A number without a default: unset means "the solver's own rule" (e.g. pcgTol's schedule). */
export interface OptionalNumberParam extends ParamBase<number> {
  type: 'number' | 'integer';
  optional: true;
  limits?: { min: number; max: number };
}

/** An on/off setting. */
export interface BooleanParam extends ParamBase<boolean> {
  type: 'boolean';
  default: boolean;
}

/** One of a fixed list of strings. */
export interface EnumParam<V extends string = string> extends ParamBase<V> {
  type: 'enum';
  values: readonly V[];
  default: V;
  /** Text of each value in the page's control, and its hint when selected. */
  choices?: Partial<Record<V, { label: string; help?: string }>>;
}

/** A free string without a default (CLI file names). */
export interface TextParam extends ParamBase<string> {
  type: 'text';
  optional: true;
  /**
   * What is wrong with `text`, in words a person can act on (e.g. the architecture parser's
   * message), or null when it is usable; the page's text field shows it instead of committing.
   * Only what the text alone decides: the data-dependent checks come when the run is built.
   */
  check?(text: string): string | null;
}

/** Any declared setting. */
export type Param = NumberParam | OptionalNumberParam | BooleanParam | EnumParam | TextParam;

/** A table: setting key → declaration. Key order is the CLI's and the link's order. */
export type ParamTable = Readonly<Record<string, Param>>;

/** The value type of one declaration. */
export type ValueOf<P> = P extends EnumParam<infer V> ? V : P extends BooleanParam ? boolean : P extends TextParam ? string : number;

type OptionalKeys<T extends ParamTable> = { [K in keyof T]: T[K] extends { optional: true } ? K : never }[keyof T];
type RequiredKeys<T extends ParamTable> = Exclude<keyof T, OptionalKeys<T>>;

/** The settings object a table declares: required fields, and optional ones for default-less entries. */
export type Values<T extends ParamTable> = {
  -readonly [K in RequiredKeys<T>]: ValueOf<T[K]>;
} & {
  -readonly [K in OptionalKeys<T>]?: ValueOf<T[K]>;
};

/** Any settings record (what the generic helpers read). */
export type AnyValues = Record<string, string | number | boolean | undefined>;

// ---------------------------------------------------------------- declaring

// The builders return their argument's own type (plus the tag), so a table keeps what each
// entry declares: `CRONOS_PARAMS.P.link.range` is known to exist, enum values stay literal.

/** A real setting. */
export function real<S extends Omit<NumberParam, 'type'>>(spec: S): S & { type: 'number' } {
  return { ...spec, type: 'number' };
}

/** An integer setting. */
export function integer<S extends Omit<NumberParam, 'type'>>(spec: S): S & { type: 'integer' } {
  return { ...spec, type: 'integer' };
}

/** A real or integer setting without a default. */
export function optionalNumber<S extends Omit<OptionalNumberParam, 'optional'>>(spec: S): S & { optional: true } {
  return { ...spec, optional: true };
}

/** An on/off setting. */
export function flag<S extends Omit<BooleanParam, 'type'>>(spec: S): S & { type: 'boolean' } {
  return { ...spec, type: 'boolean' };
}

/** One of `values` (the literal types survive, so the settings field is the union). */
export function choice<const V extends string, S extends Omit<EnumParam<V>, 'type' | 'values'> = Omit<EnumParam<V>, 'type' | 'values'>>(
  values: readonly V[],
  spec: S & Omit<EnumParam<V>, 'type' | 'values'>,
): S & { type: 'enum'; values: readonly V[] } {
  return { ...spec, type: 'enum', values };
}

/** A free string without a default. */
export function text<S extends Omit<TextParam, 'type' | 'optional'>>(spec: S): S & { type: 'text'; optional: true } {
  return { ...spec, type: 'text', optional: true };
}

/** Declares a table, keeping each entry's precise type (so {@link Values} is exact). */
export function defineTable<const T extends ParamTable>(table: T): T {
  return table;
}

// ---------------------------------------------------------------- derived helpers

function entries(table: ParamTable): [string, Param][] {
  return Object.entries(table);
}

/** The default of `p` on `surface`, or undefined for a default-less entry. */
export function defaultOf(p: Param, surface: Surface = 'solver'): string | number | boolean | undefined {
  if ('optional' in p && p.optional) return undefined;
  if (surface === 'page' && p.pageDefault !== undefined) return p.pageDefault;
  return (p as NumberParam | BooleanParam | EnumParam).default;
}

/** The defaults of a table on `surface` (default-less entries are left out). */
export function defaultsOf<T extends ParamTable>(table: T, surface: Surface = 'solver'): Values<T> {
  const out: AnyValues = {};
  for (const [key, p] of entries(table)) {
    const d = defaultOf(p, surface);
    if (d !== undefined) out[key] = d;
  }
  return out as Values<T>;
}

/** The fields of `values` that `table` declares (e.g. the solver's part of the page's settings). */
export function pick<T extends ParamTable>(table: T, values: Values<T>): Values<T> {
  return pickGiven(table, values) as Values<T>;
}

/** The fields of `values` that `table` declares and that are set (e.g. the flags a CLI run gave). */
export function pickGiven<T extends ParamTable>(table: T, values: Partial<Values<T>>): Partial<Values<T>> {
  const v = values as AnyValues;
  const out: AnyValues = {};
  for (const key of Object.keys(table)) if (v[key] !== undefined) out[key] = v[key];
  return out as Partial<Values<T>>;
}

/** `v` inside the page limits of `p` (rounded for integers); a non-finite `v` gives the default. */
export function clampValue(p: NumberParam | OptionalNumberParam, v: number, surface: Surface = 'page'): number {
  if (!Number.isFinite(v)) {
    const d = defaultOf(p, surface);
    return typeof d === 'number' ? d : (p.limits?.min ?? 0);
  }
  const r = p.type === 'integer' ? Math.round(v) : v;
  return p.limits ? Math.min(p.limits.max, Math.max(p.limits.min, r)) : r;
}

/** A copy of `values` with every limited number of `table` clamped (unset optional ones stay unset). */
export function clampValues<T extends ParamTable, V extends Partial<Values<T>>>(table: T, values: V, surface: Surface = 'page'): V {
  const out: AnyValues = { ...(values as AnyValues) };
  for (const [key, p] of entries(table)) {
    const v = out[key];
    if ((p.type === 'number' || p.type === 'integer') && p.limits && typeof v === 'number') out[key] = clampValue(p, v, surface);
  }
  return out as V;
}

/** One number that {@link clampWithReport} changed. */
export interface ClampedField {
  key: string;
  /** The setting's name inside a sentence (`short`, else `label`). */
  name: string;
  from: number;
  to: number;
  limits: { min: number; max: number };
}

/** {@link clampValues}, plus which fields it changed (for notices such as "β 500 is outside …"). */
export function clampWithReport<T extends ParamTable, V extends Partial<Values<T>>>(table: T, values: V, surface: Surface = 'page'): { values: V; clamped: ClampedField[] } {
  const out = clampValues(table, values, surface);
  const before = values as AnyValues;
  const after = out as AnyValues;
  const clamped: ClampedField[] = [];
  for (const [key, p] of entries(table)) {
    const from = before[key];
    const to = after[key];
    if ((p.type === 'number' || p.type === 'integer') && p.limits && typeof from === 'number' && typeof to === 'number' && from !== to) {
      clamped.push({ key, name: p.short ?? p.label, from, to, limits: p.limits });
    }
  }
  return { values: out, clamped };
}

/** Why `v` is not a valid value of the setting `key` (its label and the value named), or null. */
export function problemOf(key: string, p: Param, v: unknown): string | null {
  const name = `${p.label} (${key})`;
  switch (p.type) {
    case 'boolean':
      return typeof v === 'boolean' ? null : `${name}: ${String(v)} is not true or false`;
    case 'text':
      return typeof v === 'string' && v !== '' ? null : `${name}: ${JSON.stringify(v)} is not a non-empty string`;
    case 'enum':
      return typeof v === 'string' && p.values.includes(v) ? null : `${name}: ${JSON.stringify(v)} is not one of ${p.values.join(', ')}`;
    default: {
      if (typeof v !== 'number' || !Number.isFinite(v)) return `${name}: ${String(v)} is not a finite number`;
      if (p.type === 'integer' && !Number.isInteger(v)) return `${name}: ${v} is not an integer`;
      if (p.limits && (v < p.limits.min || v > p.limits.max)) return `${name}: ${v} is outside [${p.limits.min}, ${p.limits.max}]`;
      return null;
    }
  }
}

/** Every problem of `values` against `table` (empty when valid); unset optional entries are fine. */
export function validateValues(table: ParamTable, values: AnyValues): string[] {
  const out: string[] = [];
  for (const [key, p] of entries(table)) {
    const v = values[key];
    if (v === undefined && 'optional' in p && p.optional) continue;
    const problem = problemOf(key, p, v);
    if (problem !== null) out.push(problem);
  }
  return out;
}

/** The dearest {@link ChangeLevel} of the fields of `table` that differ between `prev` and `next`. */
export function changeLevelOf(table: ParamTable, prev: AnyValues, next: AnyValues): ChangeLevel {
  let level: ChangeLevel = 'none';
  for (const [key, p] of entries(table)) {
    if (prev[key] !== next[key] && LEVEL_RANK[p.change] > LEVEL_RANK[level]) level = p.change;
  }
  return level;
}

/** The dearer of two change levels. */
export function dearer(a: ChangeLevel, b: ChangeLevel): ChangeLevel {
  return LEVEL_RANK[a] >= LEVEL_RANK[b] ? a : b;
}

// ---------------------------------------------------------------- command line

/** A bad command line (the CLI wraps it in its own usage error). */
export class FlagError extends Error {
  override name = 'FlagError';
}

/** What a valid value is, for the CLI's messages (`an integer ≥ 1`, `a number > 0`). */
export function rangeWords(integral: boolean, r: Range): string {
  if (integral) return r.max !== undefined ? `an integer in [${r.min ?? 0}, ${r.max}]` : `an integer ≥ ${r.min ?? 0}`;
  if (r.above === 0 && r.below === 1 && r.min === undefined && r.max === undefined) return 'a fraction strictly between 0 and 1';
  const lo = r.above !== undefined ? `> ${r.above}` : r.min !== undefined ? `≥ ${r.min}` : '';
  const hi = r.below !== undefined ? `< ${r.below}` : r.max !== undefined ? `≤ ${r.max}` : '';
  const words = [lo, hi].filter(Boolean).join(' and ');
  return words === '' ? 'a finite number' : `a number ${words}`;
}

/** The value of flag `cli.flag` for entry `p` from its raw text, or a {@link FlagError}. */
export function parseFlagValue(p: Param, cli: CliSpec, raw: string): string | number {
  const bad = (what: string): FlagError => new FlagError(`${cli.flag}: ${JSON.stringify(raw)} is not ${what}.`);
  switch (p.type) {
    case 'text':
      if (raw === '') throw bad('a non-empty value');
      return raw;
    case 'enum':
      if (!p.values.includes(raw)) throw bad(`a ${cli.noun ?? 'value'}; use ${p.values.join(' or ')}`);
      return raw;
    case 'boolean':
      throw new FlagError(`${cli.flag} takes no value.`);
    default: {
      if (!NUMBER.test(raw)) throw bad('a number');
      const v = Number(raw);
      if (!Number.isFinite(v)) throw bad('a finite number');
      const integral = p.type === 'integer';
      const range = cli.range ?? p.link?.range ?? {};
      if ((integral && !Number.isInteger(v)) || !inRange(v, range)) throw bad(rangeWords(integral, range));
      return v;
    }
  }
}

/**
 * The settings of `table` given on the command line `argv` (flags only, `--flag value` or
 * `--flag=value`; booleans take no value). Strict: an unknown flag (with a case-insensitive
 * suggestion), a repeated one, a missing or bad value all throw {@link FlagError}.
 */
export function parseFlags<T extends ParamTable>(table: T, argv: readonly string[]): Partial<Values<T>> {
  const byFlag = new Map<string, [string, Param, CliSpec]>();
  for (const [key, p] of entries(table)) if (p.cli) byFlag.set(p.cli.flag, [key, p, p.cli]);
  const out: AnyValues = {};
  const seen = new Set<string>();
  for (let i = 0; i < argv.length; i++) {
    const tok = argv[i];
    const eq = tok.indexOf('=');
    const inline = tok.startsWith('--') && eq > 0;
    const name = inline ? tok.slice(0, eq) : tok;
    const hit = byFlag.get(name);
    if (hit === undefined) {
      if (!tok.startsWith('-')) throw new FlagError(`unexpected argument ${JSON.stringify(tok)}; every option is a --flag (see --help).`);
      const near = [...byFlag.keys()].find((f) => f.toLowerCase() === name.toLowerCase());
      throw new FlagError(`unknown option ${name}${near ? ` (did you mean ${near}?)` : ''}; see --help.`);
    }
    const [key, p, cli] = hit;
    if (seen.has(name)) throw new FlagError(`${name} is given more than once.`);
    seen.add(name);
    if (p.type === 'boolean') {
      if (inline) throw new FlagError(`${name} takes no value.`);
      out[key] = !cli.negate;
      continue;
    }
    let raw: string;
    if (inline) raw = tok.slice(eq + 1);
    else {
      if (i + 1 >= argv.length) throw new FlagError(`${name} needs a value.`);
      raw = argv[++i];
      if (raw.startsWith('--')) throw new FlagError(`${name} needs a value, got the option ${raw}.`);
    }
    out[key] = parseFlagValue(p, cli, raw);
  }
  return out as Partial<Values<T>>;
}

/** Column where the help text of a flag starts. */
const HELP_COLUMN = 25;

/** The `--help` lines of the flags of `table`, in table order. */
export function flagHelp(table: ParamTable): string[] {
  const lines: string[] = [];
  for (const [, p] of entries(table)) {
    const cli = p.cli;
    if (!cli) continue;
    const arg = p.type === 'boolean' ? '' : ` ${cli.arg ?? (p.type === 'enum' ? p.values.join('|') : 'X')}`;
    const head = `  ${cli.flag}${arg}`;
    const d = defaultOf(p);
    const tail = cli.defaultText ?? (d === undefined || p.type === 'boolean' ? '' : ` (default ${String(d)})`);
    const [first, ...more] = `${cli.help}${tail}`.split('\n');
    lines.push(`${head.padEnd(HELP_COLUMN - 2)}  ${first}`, ...more.map((l) => `${' '.repeat(HELP_COLUMN)}${l}`));
  }
  return lines;
}

// ---------------------------------------------------------------- share link

/** The link field names of `table`, in table order (what a decoder allows). */
export function linkKeys(table: ParamTable): string[] {
  return entries(table).flatMap(([, p]) => (p.link ? [p.link.key] : []));
}

/**
 * The link fields of `values` that differ from `base` (a link lists only changes). Unset
 * optional entries are left out; `!==` treats −0 as 0, which is also what JSON writes.
 */
export function encodeLinkFields(table: ParamTable, values: AnyValues, base: AnyValues): Record<string, string | number | boolean> | undefined {
  const out: Record<string, string | number | boolean> = {};
  let changed = false;
  for (const [key, p] of entries(table)) {
    const v = values[key];
    if (!p.link || v === undefined || v === base[key]) continue;
    out[p.link.key] = v;
    changed = true;
  }
  return changed ? out : undefined;
}

/** The value of link field `path` for entry `p`, validated against its link range; throws {@link Invalid}. */
export function checkLinkValue(p: Param, v: unknown, path: string): string | number | boolean {
  switch (p.type) {
    case 'boolean':
      return bool(v, path);
    case 'enum':
      return oneOf(v, path, p.values);
    case 'text':
      if (typeof v !== 'string' || v === '') throw new Invalid(`${path}: must be a non-empty string`);
      return v;
    default: {
      const r = p.link?.range ?? {};
      if (p.type === 'integer') return int(v, path, r.min ?? 0, r.max ?? Number.MAX_SAFE_INTEGER);
      const x = num(v, path, r);
      if (r.below !== undefined && !(x < r.below)) throw new Invalid(`${path}: must be a finite number < ${r.below}, got ${x}`);
      return x;
    }
  }
}

/**
 * The settings of `table` in the link object `raw` at `path`: omitted fields take `base`'s value
 * (unset when `base` has none), unknown fields are rejected. Throws {@link Invalid} naming the field.
 */
export function decodeLinkFields<T extends ParamTable>(table: T, raw: unknown, path: string, base: Partial<Values<T>>): Values<T> {
  const o = object(raw, path, linkKeys(table));
  const b = base as AnyValues;
  const out: AnyValues = {};
  for (const [key, p] of entries(table)) {
    if (!p.link) {
      if (b[key] !== undefined) out[key] = b[key];
      continue;
    }
    const k = p.link.key;
    // `undefined` only occurs in typed input (JSON has none): an optional property left unset.
    if (has(o, k) && o[k] !== undefined) out[key] = checkLinkValue(p, o[k], `${path}.${k}`);
    else if (b[key] !== undefined) out[key] = b[key];
  }
  return out as Values<T>;
}

// ---------------------------------------------------------------- several tables

/** The parts of a declaration that are only words (a method may phrase a shared setting its own way). */
function meaning(p: Param): unknown {
  const { label: _label, short: _short, help: _help, control: _control, ...rest } = p;
  const cli = rest.cli ? { ...rest.cli, help: undefined } : undefined;
  return { ...rest, cli };
}

/** JSON with sorted keys, so two declarations compare by content. */
function canonical(v: unknown): string {
  return JSON.stringify(v, (_k, x: unknown) =>
    typeof x === 'object' && x !== null && !Array.isArray(x) ? Object.fromEntries(Object.entries(x).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : x,
  );
}

/** {@link scopedTables}' result: the one table, and where each scope's keys went in it. */
export interface ScopedTables {
  /** Every entry: unscoped keys, then `scope.key` for the clashing ones. */
  readonly table: ParamTable;
  /** For each scope, its own key → the key in `table` (`key`, or `scope.key`). */
  readonly keys: Readonly<Record<string, Readonly<Record<string, string>>>>;
}

/**
 * Like {@link mergeTables}, but a key declared by an earlier table with another meaning is not an
 * error: the later scope's entry lives under `scope.key` (e.g. CRONOS-AM's `admmIters`, ADMM
 * iterations per head solve, beside CRONOS's iteration budget), so each method keeps its own
 * value. A shared key with the same meaning holds one value (e.g. `seed`).
 */
export function scopedTables(tables: readonly { scope: string; table: ParamTable }[]): ScopedTables {
  const out: Record<string, Param> = {};
  const keys: Record<string, Record<string, string>> = {};
  for (const { scope, table } of tables) {
    const own: Record<string, string> = {};
    for (const [key, p] of entries(table)) {
      const prev = out[key];
      const at = prev === undefined || canonical(meaning(prev)) === canonical(meaning(p)) ? key : `${scope}.${key}`;
      out[at] ??= p;
      own[key] = at;
    }
    keys[scope] = own;
  }
  return { table: out, keys };
}

/**
 * One table holding every entry of `tables` (first declaration wins for the wording). A key may
 * appear in several tables only with the same meaning — type, defaults, limits, presets, CLI
 * flag and range, link field, change level (e.g. `seed`); labels and help may differ. Throws
 * naming both owners otherwise, so a clash is found when the registry loads.
 */
export function mergeTables(tables: readonly { owner: string; table: ParamTable }[]): ParamTable {
  const out: Record<string, Param> = {};
  const ownerOf: Record<string, string> = {};
  for (const { owner, table } of tables) {
    for (const [key, p] of entries(table)) {
      const prev = out[key];
      if (prev === undefined) {
        out[key] = p;
        ownerOf[key] = owner;
      } else if (canonical(meaning(prev)) !== canonical(meaning(p))) {
        throw new Error(`parameter tables: "${key}" of ${owner} differs from "${key}" of ${ownerOf[key]}; rename one or declare both alike`);
      }
    }
  }
  return out;
}
