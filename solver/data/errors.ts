/**
 * The one error type of data loading, so the UI and the CLI can show where a file is wrong
 * (file, line, column) instead of a stack trace.
 */

/** Where in an input file a problem was found. */
export interface DataLocation {
  /** File name as the user gave it (path in the CLI, File.name in the browser). */
  file: string;
  /** 1-based line in the file; the header is line 1. */
  row?: number;
  /** Column name from the header. */
  column?: string;
}

/**
 * Bad or unusable input data. The message is complete on its own (it names the file, the
 * line/column/value or size, and what to do); the fields let a UI highlight the spot.
 */
export class DataError extends Error {
  override name = 'DataError';
  readonly file: string;
  readonly row: number | undefined;
  readonly column: string | undefined;

  constructor(message: string, where: DataLocation) {
    super(message);
    this.file = where.file;
    this.row = where.row;
    this.column = where.column;
  }
}

/** `file`, `file, line 3` or `file, line 3, column "x"` — the prefix of every message. */
export function locate(where: DataLocation): string {
  let s = where.file;
  if (where.row !== undefined) s += `, line ${where.row}`;
  if (where.column !== undefined) s += `, column "${where.column}"`;
  return s;
}

/** Quotes a cell value for a message, shortened so a huge cell cannot flood the terminal. */
export function quoteValue(v: string): string {
  const short = v.length > 40 ? `${v.slice(0, 37)}...` : v;
  return JSON.stringify(short);
}
