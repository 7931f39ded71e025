/**
 * Per-column type detection over ALL rows of a table (ml5 typed columns from the first row and
 * got them wrong; one stray "?" deep in a file must not flip a column's type).
 */
import { CELL } from './cells';
import { DataError } from './errors';
import { quoteList } from './format';
import type { ColumnTable, RawColumn } from './table';

/** What a column is used as by default. */
export type ColumnType = 'numeric' | 'categorical' | 'constant' | 'mostly-missing';

/** Where a kind of cell first occurs, with its text, for messages. */
export interface CellRef {
  row: number;
  value: string;
}

/** Everything the UI's column card and the encoder need to know about one column. */
export interface ColumnProfile {
  name: string;
  index: number;
  type: ColumnType;
  numbers: number;
  missing: number;
  nonFinite: number;
  /** Text cells (including ones beyond the kept distinct strings). */
  text: number;
  /** Distinct text values (a lower bound when `textOverflow`). */
  distinctText: number;
  textOverflow: boolean;
  /** Range of the numeric cells; NaN when there are none. */
  min: number;
  max: number;
  /** First missing, non-finite and text cell (null when none). */
  firstMissing: number | null;
  firstNonFinite: CellRef | null;
  firstText: CellRef | null;
}

/** Options of {@link profileColumns}. */
export interface ProfileOptions {
  /** A column with more than this fraction of missing cells is 'mostly-missing' (default 0.5). */
  mostlyMissing?: number;
  /**
   * A numeric column may have up to this fraction of text cells and still count as numeric
   * (the text cells are then reported as bad values, default 0.1).
   */
  strayText?: number;
}

/** Profiles every column of `table`. */
export function profileColumns(table: ColumnTable, opts: ProfileOptions = {}): ColumnProfile[] {
  return table.columns.map((c, j) => profileColumn(table, c, j, opts));
}

/** Profiles one column (see {@link ColumnType} for the rules). */
export function profileColumn(table: ColumnTable, col: RawColumn, index: number, opts: ProfileOptions = {}): ColumnProfile {
  const mostlyMissing = opts.mostlyMissing ?? 0.5;
  const strayText = opts.strayText ?? 0.1;
  const n = table.n;
  let numbers = 0;
  let missing = 0;
  let nonFinite = 0;
  let text = 0;
  let min = Infinity;
  let max = -Infinity;
  let firstMissing: number | null = null;
  let firstNonFiniteRow: number | null = null;
  let firstText: CellRef | null = null;
  const usedLevels = new Uint8Array(col.levels.length);
  let distinctText = 0;
  for (let i = 0; i < n; i++) {
    const k = col.kinds[i];
    if (k === CELL.number) {
      numbers++;
      const x = col.values[i];
      if (x < min) min = x;
      if (x > max) max = x;
    } else if (k === CELL.missing) {
      missing++;
      if (firstMissing === null) firstMissing = table.lines[i];
    } else if (k === CELL.nonFinite) {
      nonFinite++;
      if (firstNonFiniteRow === null) firstNonFiniteRow = table.lines[i];
    } else {
      text++;
      if (firstText === null) firstText = { row: table.lines[i], value: k >= 0 ? col.levels[k] : '(text)' };
      if (k >= 0 && usedLevels[k] === 0) {
        usedLevels[k] = 1;
        distinctText++;
      }
    }
  }
  let firstNonFinite: CellRef | null = null;
  if (firstNonFiniteRow !== null) {
    const hint = col.firstNonFinite;
    firstNonFinite = { row: firstNonFiniteRow, value: hint && hint.row === firstNonFiniteRow ? hint.value : 'NaN/Inf' };
  }
  const present = numbers + text + nonFinite;
  let type: ColumnType;
  if (n === 0 || missing / n > mostlyMissing || present === 0) type = 'mostly-missing';
  else if (text > 0 && !(numbers > 0 && text <= strayText * (numbers + text))) {
    const distinct = distinctText + (col.levelsOverflow ? 1 : 0) + (numbers > 0 ? 1 : 0);
    type = distinct <= 1 && nonFinite === 0 ? 'constant' : 'categorical';
  } else if (numbers > 0 && min === max && nonFinite === 0 && text === 0) type = 'constant';
  else type = 'numeric';
  return {
    name: col.name,
    index,
    type,
    numbers,
    missing,
    nonFinite,
    text,
    distinctText,
    textOverflow: col.levelsOverflow,
    min: numbers > 0 ? min : NaN,
    max: numbers > 0 ? max : NaN,
    firstMissing,
    firstNonFinite,
    firstText,
  };
}

/** The label column picked when the user has not chosen one: the last column (ConvNetJS, NNDemo). */
export function defaultLabelColumn(table: Pick<ColumnTable, 'header'>): string {
  return table.header[table.header.length - 1];
}

/**
 * The column `name`, or a DataError that lists the columns (with a hint when only the case
 * differs) and ends with `fix`. The page and the CLI (which says how to pass a label) both use it.
 */
export function resolveColumn(table: Pick<ColumnTable, 'header' | 'fileName'>, name: string, role: 'label' | 'feature', fix = 'Pick one of them.'): string {
  if (table.header.includes(name)) return name;
  const file = table.fileName;
  const ci = table.header.find((h) => h.toLowerCase() === name.toLowerCase());
  const hint = ci !== undefined ? ` Did you mean ${JSON.stringify(ci)}? Names are case-sensitive.` : '';
  throw new DataError(`${file}: there is no ${role} column ${JSON.stringify(name)}. The columns are: ${quoteList(table.header, 20)}.${hint} ${fix}`, {
    file,
    row: 1,
    column: name,
  });
}

/**
 * The string of a cell as a category: its text level, or for a number its canonical spelling
 * (so "1" and "1.0" are one category, as in the CLI's label handling). Null for missing and
 * non-finite cells and for text beyond the kept levels.
 */
export function categoryOf(col: RawColumn, row: number): string | null {
  const k = col.kinds[row];
  if (k >= 0) return col.levels[k];
  if (k === CELL.number) return String(col.values[row]);
  return null;
}
