/**
 * What one CSV cell means: a number, a missing value, NaN/Inf, or text. The one CSV reader
 * (csv-reader.ts → table.ts) classifies every cell with these rules, so the CLI, the catalogue,
 * share links and dropped files accept exactly the same spellings.
 */

/** A plain decimal number such as `-1.5e3` (no thousands separators, no hex). */
export const NUMBER = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;
/** `1,5` in semicolon files (the spreadsheet export convention where comma is the decimal mark). */
export const DECIMAL_COMMA = /^[+-]?\d+,\d+(?:[eE][+-]?\d+)?$/;
/** Spellings of NaN and infinity that spreadsheets and numpy write. */
export const NON_FINITE = /^[+-]?(?:nan|inf|infinity)$/i;
/**
 * Tokens that mean "no value" (lower-cased). Papa's dynamicTyping only knows "", so `?` (UCI) or
 * `NA` (R) would otherwise make a numeric column look categorical.
 */
const MISSING = new Set(['', 'na', 'n/a', 'null', 'none', '?', '-']);

/** How a cell was read; text cells are stored as a level index ≥ 0 instead. */
export const CELL = {
  number: -1,
  missing: -2,
  /** NaN, ±Inf, or a number too large for a float64. */
  nonFinite: -3,
  /** Text in a column that already has too many distinct strings to keep them all. */
  textOverflow: -4,
} as const;

/** The kinds of a non-text cell. */
export type CellKind = (typeof CELL)[keyof typeof CELL];

/** True for a missing-value token (case-insensitive; the cell is already trimmed). */
export function isMissingCell(v: string): boolean {
  return v.length <= 4 && MISSING.has(v.toLowerCase());
}

/**
 * The number a trimmed cell holds, or NaN when it holds none (then see {@link isMissingCell}
 * and {@link NON_FINITE}). Returns ±Infinity for an overflowing literal such as `1e400`.
 */
export function cellNumber(v: string, decimalComma: boolean): number {
  if (NUMBER.test(v)) return Number(v);
  if (decimalComma && DECIMAL_COMMA.test(v)) return Number(v.replace(',', '.'));
  return NaN;
}

/**
 * Classifies a trimmed cell: returns {@link CELL}.number (and stores the value in `out[0]`),
 * .missing, .nonFinite, or null for text. `out` avoids an object per cell on million-row files.
 */
export function classifyCell(v: string, decimalComma: boolean, out: Float64Array): CellKind | null {
  const x = cellNumber(v, decimalComma);
  if (x === x) {
    out[0] = x;
    return Number.isFinite(x) ? CELL.number : CELL.nonFinite;
  }
  if (isMissingCell(v)) return CELL.missing;
  if (NON_FINITE.test(v)) return CELL.nonFinite;
  return null;
}
