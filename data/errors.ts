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
  /** Member of an archive (path inside a .zip) or of a dropped folder. */
  entry?: string;
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
  readonly entry: string | undefined;

  constructor(message: string, where: DataLocation) {
    super(message);
    this.file = where.file;
    this.row = where.row;
    this.column = where.column;
    this.entry = where.entry;
  }
}

/** `file`, `file, line 3` or `file, line 3, column "x"` — the prefix of every message. */
export function locate(where: DataLocation): string {
  let s = where.file;
  if (where.entry !== undefined) s += `, entry "${where.entry}"`;
  if (where.row !== undefined) s += `, line ${where.row}`;
  if (where.column !== undefined) s += `, column "${where.column}"`;
  return s;
}

/** Quotes a cell value for a message, shortened so a huge cell cannot flood the terminal. */
export function quoteValue(v: string): string {
  const short = v.length > 40 ? `${v.slice(0, 37)}...` : v;
  return JSON.stringify(short);
}

/**
 * A problem that did not stop loading (a column left out, values imputed, rows skipped). Same
 * location fields as {@link DataError}, so the UI can show both the same way.
 */
export interface Notice extends DataLocation {
  level: 'info' | 'warning';
  message: string;
}

/** A DataError (or anything thrown) as a plain object that survives postMessage. */
export interface ErrorInfo extends DataLocation {
  /** True for a {@link DataError} (bad input); false for a bug or an environment failure. */
  dataError: boolean;
  message: string;
}

/**
 * Converts whatever a loader threw into an {@link ErrorInfo}. Structured clone drops the custom
 * fields of an Error, so a Worker posts this instead of the error itself.
 */
export function errorInfo(e: unknown, file = 'the data'): ErrorInfo {
  if (e instanceof DataError) {
    const info: ErrorInfo = { dataError: true, message: e.message, file: e.file };
    if (e.row !== undefined) info.row = e.row;
    if (e.column !== undefined) info.column = e.column;
    if (e.entry !== undefined) info.entry = e.entry;
    return info;
  }
  const why = e instanceof Error ? e.message : String(e);
  return {
    dataError: false,
    file,
    message: `${file}: unexpected failure while reading the data (${why}). The previous dataset is still loaded; please report this.`,
  };
}
