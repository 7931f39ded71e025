/**
 * Flat declarations of the commonest kinds of table entry: a number picked from a menu of
 * presets, and one of a few choices. Most settings name their link field after their key and let
 * the command line and links accept exactly the page limits (the factories check every value
 * against those limits, so a flag must not accept what the run then refuses); these builders
 * write that down once instead of in every entry. An entry whose flag or link range differs says
 * so (`cliRange`, `linkRange`): v1 share links keep the ranges they always had.
 *
 * The result is an ordinary entry of solver/params/table.ts, the same object the long form gives.
 */
import { choice, integer, real, type ChangeLevel, type CliSpec, type ControlSpec, type EnumParam, type IntegerBounds, type LinkSpec, type NumberParam, type Range } from './table';

/** What a table entry says about itself in words, and what its change invalidates. */
interface Described {
  label: string;
  /** The name inside a sentence (defaults to `label`). */
  short?: string;
  help?: string;
  change: ChangeLevel;
}

/** The command line of an entry: its flag and `--help` text. */
interface Flagged {
  flag: string;
  cliHelp: string;
  /** Replaces ` (default X)` after the help. */
  defaultText?: string;
}

/** Where the page shows an entry. */
interface Placed {
  /** Fieldset (`model`, `solver`, `data`). */
  group: string;
  /** `data-testid` of the control; none: the control has no test id. */
  testId?: string;
  /** Position in the fieldset when it is not the table's. */
  order?: number;
}

/** A number entry: see {@link menuInteger} and {@link menuReal}. */
export interface MenuNumberSpec<L extends Range> extends Described, Flagged, Placed {
  default: number;
  pageDefault?: number;
  /** The page's inclusive bounds, and what the flag and the link accept unless said otherwise. */
  min: number;
  max: number;
  logScale?: boolean;
  presets?: readonly number[];
  /** The value's name in `--help` (`N`, `LR`). */
  arg: string;
  /** What the flag accepts where it is not `[min, max]`. */
  cliRange?: Range;
  /** What a link accepts where it is not `[min, max]`. */
  linkRange?: L;
  /** How a menu writes the values (`setting`: 1e-3 style); `custom`: the page draws the control itself. */
  format?: 'plain' | 'setting' | 'custom';
}

/** What the builders give: a table entry whose flag, link field and control are known to exist. */
export type Declared<P, L extends LinkSpec = { key: string; range: Range }> = P & { cli: CliSpec; link: L; control: ControlSpec };

/** A number entry of link field `key` (shared by {@link menuInteger} and {@link menuReal}). */
function numberEntry<L extends Range>(key: string, s: MenuNumberSpec<L>): Declared<Omit<NumberParam, 'type'>, { key: string; range: L | IntegerBounds }> {
  const limits = { min: s.min, max: s.max };
  const control = s.format === 'custom' ? { kind: 'custom' as const, group: s.group, testId: s.testId } : { kind: 'menu' as const, group: s.group, testId: s.testId, format: s.format ?? 'plain', order: s.order };
  return dropUndefined({
    default: s.default,
    pageDefault: s.pageDefault,
    label: s.label,
    short: s.short,
    help: s.help,
    change: s.change,
    limits,
    logScale: s.logScale,
    presets: s.presets,
    cli: dropUndefined({ flag: s.flag, arg: s.arg, help: s.cliHelp, range: s.cliRange ?? limits, defaultText: s.defaultText }),
    link: { key, range: s.linkRange ?? limits },
    control: dropUndefined(control),
  });
}

/** An integer setting (link field `key`); a link range, when given, needs both ends (`int()`). */
export function menuInteger(key: string, spec: MenuNumberSpec<IntegerBounds>): Declared<NumberParam & { type: 'integer' }, { key: string; range: IntegerBounds }> {
  return integer(numberEntry(key, spec));
}

/** A real setting (link field `key`). */
export function menuReal(key: string, spec: MenuNumberSpec<Range>): Declared<NumberParam & { type: 'number' }> {
  return real(numberEntry(key, spec));
}

/** A choice entry: see {@link choiceOf}. */
export interface ChoiceSpec<V extends string> extends Described, Flagged, Placed {
  default: V;
  /** The control's text and hint of each value. */
  choices: Record<V, { label: string; help?: string }>;
  /** What a value is in the flag's error message (`a model; use relu or gated`). */
  noun: string;
  /** A few values: segmented buttons; more: a select. */
  kind: 'radio' | 'select';
}

/** One of `values` (link field `key`), with its flag and page control. */
export function choiceOf<const V extends string>(key: string, values: readonly V[], s: ChoiceSpec<V>): Declared<EnumParam<V> & { type: 'enum' }, LinkSpec> {
  const spec: Declared<Omit<EnumParam<V>, 'type' | 'values'>, LinkSpec> = dropUndefined({
    default: s.default,
    label: s.label,
    short: s.short,
    help: s.help,
    change: s.change,
    choices: s.choices,
    cli: dropUndefined({ flag: s.flag, help: s.cliHelp, noun: s.noun, defaultText: s.defaultText }),
    link: { key },
    control: dropUndefined({ kind: s.kind, group: s.group, testId: s.testId, order: s.order }),
  });
  return choice(values, spec);
}

/**
 * `o` without its undefined fields, so a flat declaration yields the same object as the long form
 * (an absent `help` stays absent rather than present and undefined).
 */
function dropUndefined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}
