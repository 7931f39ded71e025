/**
 * The one CSV reader of the project: text (whole, or in chunks of any size) → records → a
 * columnar {@link ColumnTable}. The CLI, the built-in datasets, share-link CSVs (inline or URL)
 * and the page's dropped files all read through it, so one file reads the same everywhere; only
 * what happens to the table afterwards differs (csv.ts: strict, every cell a number; encode.ts:
 * the page's typed columns, one-hot, missing-value handling).
 *
 * Pure string processing (papaparse in string mode), no browser or Node API: the Worker and Node
 * both import it. The browser adapter (app/ingest/csv-stream.ts) only decodes a Blob into text
 * chunks and reports progress.
 *
 * Choices where the two former readers disagreed, in favour of what a user expects:
 * - Dialect: the delimiter (comma, tab, semicolon, pipe) that splits the first 50 records into
 *   the same number of fields most consistently (not the header line alone: `Smith, J` in a
 *   semicolon file must not make it a comma file); `'` quotes only in files with no `"` at all.
 *   The guess always reads the first {@link DIALECT_SAMPLE} characters, so it never depends on
 *   how the text was chunked.
 * - Decimal commas (`1,5`) are numbers in semicolon files, in features and labels alike.
 * - A UTF-8 BOM is dropped; \r\n, \r and \n end lines, also mixed in one file; quoted fields may
 *   hold delimiters, doubled quotes and line breaks; blank lines are skipped; cells are trimmed.
 * - The header is detected from the first 50 records (see dialect.ts `looksLikeHeader`), unless
 *   the caller says; a header-less file gets the names column_1, column_2, ...
 * - Empty trailing fields beyond the header width (`1,2,x,` from a spreadsheet) are dropped
 *   with a notice; any other field-count mismatch is a ragged row.
 */
import Papa from 'papaparse';
import { createRng, RNG_STREAM, type Rng } from '../solver/rng';
import { detectDelimiter, detectQuoteChar, looksLikeHeader, uniqueColumnNames } from './dialect';
import { DataError, locate, type Notice } from './errors';
import { formatCount, plural } from './format';
import { countNewlines, NewlineNormalizer, RecordSplitter } from './records';
import { formatBytes } from './size';
import { ColumnTableBuilder, type ColumnTable } from './table';

/** How the file was read (the page shows it next to the preview, each with an override). */
export interface CsvDialect {
  delimiter: string;
  quoteChar: string;
  header: boolean;
  /** The header setting was detected rather than given. */
  headerDetected: boolean;
  bom: boolean;
  encoding: 'utf-8' | 'utf-16le' | 'utf-16be';
  /** `1,5` is read as 1.5 (semicolon files). */
  decimalComma: boolean;
}

/** Whether all rows were kept. */
export type CsvStatus = 'complete' | 'truncated' | 'subsampled';

/** Options of {@link CsvTableReader}; all optional. */
export interface CsvReaderOptions {
  /** Most data rows kept (default: no limit). */
  maxRows?: number;
  /** Most cells kept, rows × columns (default: no limit). */
  maxCells?: number;
  /**
   * When the file has more rows than the cap: 'truncate' (default) keeps the first rows and stops
   * reading; 'subsample' reads the whole file and keeps a seeded uniform random sample.
   */
  overflow?: 'truncate' | 'subsample';
  /** Seed of 'subsample' (default 0). */
  seed?: number;
  /** Data rows kept as text for a preview table (default 20). */
  previewRows?: number;
  /** First row is a header: true, false or 'auto' (default: detected). */
  header?: boolean | 'auto';
  /** Delimiter, or 'auto' (default: detected among comma, tab, semicolon, pipe). */
  delimiter?: string;
  /** Quote character, or 'auto' (default). */
  quoteChar?: string;
  /** Rows with the wrong number of fields: 'error' (default, names the line) or 'skip' (counted). */
  raggedRows?: 'error' | 'skip';
  /** Blank or repeated header names: 'rename' (default, `x_2`, with a notice) or 'error' (names both columns). */
  duplicateNames?: 'rename' | 'error';
  /** Longest record, in characters, before the file is rejected as unreadable (default 8 Mi). */
  maxRecordChars?: number;
  /** Most distinct strings kept per column (default 10,000; see table.ts). */
  maxLevels?: number;
  /**
   * Who reads the messages: 'page' (a dropped file: "drop a CSV file", offers "skip malformed
   * rows") or 'file' (default: the CLI, the catalogue and share links).
   */
  audience?: 'page' | 'file';
  /** How the text was decoded (the browser adapter knows; a string is UTF-8). */
  encoding?: CsvDialect['encoding'];
  /** The decoder already removed a byte-order mark. */
  bom?: boolean;
}

/** What {@link CsvTableReader.end} returns. */
export interface CsvReadResult {
  /** The table; it may have no rows (the caller says what that means for it). */
  table: ColumnTable;
  /** Column names and the first data rows as text, for the preview table. */
  preview: { header: string[]; rows: string[][] };
  dialect: CsvDialect;
  status: CsvStatus;
  /** Data rows read from the file (all of them unless 'truncated'). */
  rowsSeen: number;
  /** The row cap that applied: min(maxRows, maxCells / columns). */
  rowCap: number;
  /** Rows skipped as ragged (raggedRows 'skip'). */
  skippedRows: number;
  /** Characters of the kept rows (cells plus delimiters), to estimate a truncated file's size in rows. */
  charsKept: number;
  notices: Notice[];
}

const DEFAULTS = { previewRows: 20, maxRecordChars: 8 << 20 } as const;
/** Characters of the file's start that {@link looksLikeUtf16} looks at. */
const UTF16_HINT_CHARS = 256;
/** Records looked at before deciding whether the first one is a header. */
const HEADER_SAMPLE = 50;
/** Characters of normalised text the delimiter and quote are guessed from. */
export const DIALECT_SAMPLE = 64 * 1024;

/**
 * Reads CSV text pushed in chunks of any size (see the file comment). Throws a {@link DataError}
 * for an empty or binary file, ragged rows (unless skipped), malformed quotes and runaway
 * records; a file over the row cap is not an error ({@link stopped} turns true under 'truncate').
 */
export class CsvTableReader {
  private readonly notices: Notice[] = [];
  private readonly normalizer = new NewlineNormalizer();
  private splitter: RecordSplitter | null = null;
  private sample = '';
  /** The first {@link UTF16_HINT_CHARS} characters of the text, for the NUL refusal's hint. */
  private head = '';
  private nulSeen = false;
  private started = false;
  private bom: boolean;
  private delimiter = ',';
  private quoteChar = '"';
  private line = 1;
  private early: { cells: string[]; line: number }[] = [];
  private header: string[] | null = null;
  private headerIsRow = true;
  private headerDetected = false;
  /** File line of the header row, for ragged-row messages. */
  private headerLine = 1;
  private builder: ColumnTableBuilder | null = null;
  private rowCap = 0;
  private rowsSeen = 0;
  private charsKept = 0;
  private done = false;
  private ragged = { count: 0, first: 0 };
  private trailingEmpty = 0;
  private replacementSeen = false;
  private readonly preview: string[][] = [];
  private readonly rng: Rng;

  constructor(
    private readonly file: string,
    private readonly opts: CsvReaderOptions = {},
  ) {
    this.rng = createRng(opts.seed ?? 0, RNG_STREAM.data);
    this.bom = opts.bom ?? false;
  }

  /** True once the row cap is reached under 'truncate': later text is ignored, stop reading. */
  get stopped(): boolean {
    return this.done;
  }

  /** Data rows read so far. */
  get rows(): number {
    return this.rowsSeen;
  }

  /** A file with NUL bytes is not text: the refusal, with a hint when its start looks like UTF-16 without a BOM. */
  private refuseNul(): never {
    const hint = looksLikeUtf16(this.head) ? ' It looks like UTF-16 text without a byte-order mark: save it as UTF-8 (or as UTF-16 with a BOM).' : '';
    throw new DataError(`${this.file}: the file contains NUL bytes, so it is not a text CSV file.${hint} Export it as CSV (UTF-8)${this.page ? ' and drop that file' : ' first'}.`, {
      file: this.file,
    });
  }

  /** Reads the next chunk of text (a chunk may end anywhere, even between \r and \n). */
  push(chunk: string): void {
    if (this.done || chunk === '') return;
    let text = chunk;
    if (!this.started) {
      this.started = true;
      if (text.charCodeAt(0) === 0xfeff) {
        this.bom = true;
        text = text.slice(1);
      }
    }
    if (this.head.length < UTF16_HINT_CHARS) this.head += text.slice(0, UTF16_HINT_CHARS - this.head.length);
    if ((this.opts.encoding ?? 'utf-8') === 'utf-8' && (this.nulSeen || text.includes('\u0000'))) {
      this.nulSeen = true;
      // The refusal waits for the start of the file (or its end), so its UTF-16 hint does not depend on where chunks end.
      if (this.head.length >= UTF16_HINT_CHARS) this.refuseNul();
      return;
    }
    if (!this.replacementSeen && text.includes('\uFFFD')) {
      this.replacementSeen = true;
      const enc = (this.opts.encoding ?? 'utf-8').toUpperCase();
      this.notices.push({
        level: 'warning',
        file: this.file,
        message: `${this.file}: the file is not valid ${enc} text; unreadable characters are shown as \uFFFD. Save it as CSV (UTF-8) for the exact values.`,
      });
    }
    this.feed(this.normalizer.push(text), false);
  }

  /** Reads what is still held back and returns the table (see {@link CsvReadResult}). */
  end(): CsvReadResult {
    if (this.nulSeen) this.refuseNul();
    if (!this.done) this.feed(this.normalizer.flush(), true);
    if (this.builder === null) this.decideHeader();
    const file = this.file;
    const builder = this.builder;
    const header = this.header;
    if (builder === null || header === null) {
      throw new DataError(`${file}: the file is empty. ${this.page ? 'Drop' : 'Give'} a CSV file with a header row and one row per example.`, { file });
    }
    const table = builder.build();
    const notices = this.notices;
    if (this.ragged.count > 0) {
      notices.push({
        level: 'warning',
        file,
        row: this.ragged.first,
        message: `${file}: ${plural(this.ragged.count, 'row')} with a number of fields other than ${header.length} ${this.ragged.count === 1 ? 'was' : 'were'} skipped, the first at line ${this.ragged.first}.`,
      });
    }
    if (this.trailingEmpty > 0) {
      notices.push({ level: 'info', file, message: `${file}: ${plural(this.trailingEmpty, 'row')} ended with extra empty fields; they were ignored.` });
    }
    const status: CsvStatus = this.done ? 'truncated' : this.rowsSeen > table.n ? 'subsampled' : 'complete';
    return {
      table,
      preview: { header: header.slice(), rows: this.preview.map((r) => r.slice()) },
      dialect: {
        delimiter: this.delimiter,
        quoteChar: this.quoteChar,
        header: this.headerIsRow,
        headerDetected: this.headerDetected,
        bom: this.bom,
        encoding: this.opts.encoding ?? 'utf-8',
        decimalComma: this.delimiter === ';',
      },
      status,
      rowsSeen: this.rowsSeen,
      rowCap: this.rowCap,
      skippedRows: this.ragged.count,
      charsKept: this.charsKept,
      notices,
    };
  }

  private get page(): boolean {
    return this.opts.audience === 'page';
  }

  /** Passes normalised text on: first into the dialect sample, then through the splitter. */
  private feed(text: string, atEnd: boolean): void {
    if (this.splitter === null) {
      this.sample += text;
      if (this.sample.length < DIALECT_SAMPLE && !atEnd) return;
      this.startSplitter(atEnd);
      text = this.sample;
      this.sample = '';
    }
    const splitter = this.splitter;
    if (splitter === null) return;
    this.parsePiece(splitter.push(text));
    if (atEnd) this.parsePiece(splitter.end(), true);
    else if (splitter.pending > (this.opts.maxRecordChars ?? DEFAULTS.maxRecordChars)) {
      const what = splitter.inQuotes ? 'a quoted value that starts here is still not closed' : 'this line has no end';
      throw new DataError(
        `${locate({ file: this.file, row: this.line })}: ${what} after ${formatBytes(splitter.pending)}. ` +
          (splitter.inQuotes ? 'Close the quote (or remove the stray " character).' : 'Check that this is a CSV file with one row per line.'),
        { file: this.file, row: this.line },
      );
    }
  }

  /** Guesses the dialect (unless given) from exactly the first DIALECT_SAMPLE characters. */
  private startSplitter(atEnd: boolean): void {
    // Complete only when the whole file is in the sample: a sample that merely reached the size
    // may end in a cut record, whatever the chunk sizes were.
    const complete = atEnd && this.sample.length <= DIALECT_SAMPLE;
    const sample = complete ? this.sample : this.sample.slice(0, DIALECT_SAMPLE);
    const q = this.opts.quoteChar;
    this.quoteChar = q && q !== 'auto' ? q : detectQuoteChar(sample);
    const d = this.opts.delimiter;
    this.delimiter = d && d !== 'auto' ? d : detectDelimiter(sample, this.quoteChar, complete);
    this.splitter = new RecordSplitter(this.delimiter, this.quoteChar);
  }

  /** Parses whole records with papaparse and hands each non-blank one on with its line. */
  private parsePiece(piece: string, last = false): void {
    if (piece === '' || this.done) return;
    const res = Papa.parse<string[]>(piece, { delimiter: this.delimiter, quoteChar: this.quoteChar, newline: '\n', skipEmptyLines: false });
    const quoteError = res.errors.find((e) => e.type === 'Quotes');
    let line = this.line;
    const data = res.data;
    for (let r = 0; r < data.length && !this.done; r++) {
      const cells = data[r];
      if (quoteError && quoteError.row === r) {
        throw new DataError(
          `${locate({ file: this.file, row: line })}: malformed quotes (${quoteError.message.toLowerCase()}). ` +
            'Close every opened quote, double quotes inside quoted values ("") or remove the stray " character.',
          { file: this.file, row: line },
        );
      }
      const recLine = line;
      line += 1;
      for (const c of cells) if (c.indexOf('\n') !== -1) line += countNewlines(c);
      if (cells.length === 1 && cells[0].trim() === '') continue;
      this.record(cells, recLine);
    }
    if (!last) this.line += countNewlines(piece);
  }

  /** One non-blank record: header sampling, then rows. */
  private record(cells: string[], line: number): void {
    if (this.builder === null) {
      this.early.push({ cells, line });
      if (this.early.length > HEADER_SAMPLE) this.decideHeader();
      return;
    }
    this.row(cells, line);
  }

  /** Decides the header from the first records and replays them as rows. */
  private decideHeader(): void {
    const early = this.early;
    this.early = [];
    if (early.length === 0) return;
    const decimalComma = this.delimiter === ';';
    const given = this.opts.header;
    const firstCells = early[0].cells;
    this.headerDetected = given === undefined || given === 'auto';
    this.headerIsRow = this.headerDetected ? looksLikeHeader(firstCells, early.slice(1).map((e) => e.cells), decimalComma) : given === true;
    const raw = this.headerIsRow ? firstCells : firstCells.map((_, j) => `column_${j + 1}`);
    if (this.headerIsRow && this.opts.duplicateNames === 'error') rejectDuplicateNames(this.file, raw, early[0].line);
    const { names, renamed } = uniqueColumnNames(raw);
    this.headerLine = early[0].line;
    if (this.headerIsRow && renamed.length > 0) {
      this.notices.push({
        level: 'info',
        file: this.file,
        row: early[0].line,
        message:
          `${locate({ file: this.file, row: early[0].line })}: ${plural(renamed.length, 'column name')} ${renamed.length === 1 ? 'was' : 'were'} blank or repeated and renamed: ` +
          renamed.slice(0, 5).map((r) => `column ${r.index + 1} → "${r.to}"`).join(', ') + '.',
      });
    }
    this.header = names;
    const maxRows = Math.max(1, this.opts.maxRows ?? Infinity);
    const maxCells = Math.max(1, this.opts.maxCells ?? Infinity);
    this.rowCap = Math.max(1, Math.min(maxRows, Math.floor(maxCells / names.length)));
    this.builder = new ColumnTableBuilder(this.file, names, { capacity: this.rowCap, delimiter: this.delimiter, decimalComma, maxLevels: this.opts.maxLevels });
    for (const e of this.headerIsRow ? early.slice(1) : early) {
      if (this.done) break;
      this.row(e.cells, e.line);
    }
  }

  /** One data row: shape check, preview, and keep (or stop, or reservoir-sample). */
  private row(cells: string[], line: number): void {
    const builder = this.builder;
    const header = this.header;
    if (builder === null || header === null) return;
    const width = header.length;
    if (cells.length > width && cells.slice(width).every((c) => c.trim() === '')) {
      // Spreadsheets often end every row with a delimiter; the empty extra fields carry nothing.
      cells = cells.slice(0, width);
      this.trailingEmpty++;
    }
    if (cells.length !== width) {
      if (this.opts.raggedRows === 'skip') {
        if (this.ragged.count++ === 0) this.ragged.first = line;
        return;
      }
      const headerLine = this.headerIsRow ? ` (line ${this.headerLine})` : '';
      throw new DataError(
        `${locate({ file: this.file, row: line })}: this row has ${plural(cells.length, 'field')} but the header${headerLine} has ${width}, ` +
          `with delimiter ${JSON.stringify(this.delimiter)}. Make every row have one value per header column (quote values that contain the delimiter)` +
          (this.page ? ', or choose "skip malformed rows".' : '.'),
        { file: this.file, row: line },
      );
    }
    const trimmed = cells.map((c) => c.trim());
    if (this.preview.length < (this.opts.previewRows ?? DEFAULTS.previewRows)) this.preview.push(trimmed);
    const seen = this.rowsSeen++;
    if (!builder.full) {
      builder.add(trimmed, line);
      for (const c of cells) this.charsKept += c.length + 1;
      return;
    }
    if ((this.opts.overflow ?? 'truncate') === 'truncate') {
      this.rowsSeen--;
      this.done = true;
      return;
    }
    // Reservoir sampling (Algorithm R): every row ends up kept with the same probability.
    const slot = Math.floor(this.rng.uniform() * (seen + 1));
    if (slot < this.rowCap) builder.replace(slot, trimmed, line);
  }
}

/** Throws when two header cells have the same (trimmed, non-blank) name. */
function rejectDuplicateNames(file: string, raw: string[], line: number): void {
  const seen = new Map<string, number>();
  raw.forEach((cell, j) => {
    const name = cell.trim() || `column_${j + 1}`;
    const prev = seen.get(name);
    if (prev !== undefined) {
      throw new DataError(
        `${locate({ file, row: line, column: name })}: the header names column ${prev + 1} and column ${j + 1} ` + 'the same. Give every column a unique name.',
        { file, row: line, column: name },
      );
    }
    seen.set(name, j);
  });
}

/** Reads a whole CSV string (the CLI, the catalogue, share links): one chunk through {@link CsvTableReader}. */
export function readCsvText(text: string, fileName: string, opts: CsvReaderOptions = {}): CsvReadResult {
  const reader = new CsvTableReader(fileName, opts);
  reader.push(text);
  return reader.end();
}

/** The message for a file read past its row cap (null when every row was kept). */
export function rowCapMessage(fileName: string, res: CsvReadResult, totalBytes: number, opts: Pick<CsvReaderOptions, 'maxRows' | 'maxCells' | 'seed'>): string | null {
  const { table, rowCap } = res;
  const columns = table.header.length;
  const maxRows = opts.maxRows ?? Infinity;
  const why = rowCap >= maxRows ? '' : ` with ${formatCount(columns)} columns (at most ${formatCount(opts.maxCells ?? Infinity)} cells)`;
  if (res.status === 'truncated') {
    // The rows kept so far show the average row length; the file size then gives its row count.
    const perRow = res.charsKept / Math.max(1, table.n);
    const estimate = Math.max(table.n + 1, Math.round(totalBytes / perRow / 1000) * 1000);
    return (
      `${fileName}: the file has more than ${formatCount(rowCap)} rows, the most this page keeps${why}; ` +
      `it has about ${formatCount(estimate)} (estimated from its size, ${formatBytes(totalBytes)}). Read the first ${formatCount(table.n)} rows and stopped there. ` +
      `Training uses these rows. To draw a seeded random ${formatCount(rowCap)} rows from the whole file instead, choose "subsample".`
    );
  }
  if (res.status === 'subsampled') {
    return (
      `${fileName}: the file has ${formatCount(res.rowsSeen)} rows, more than the ${formatCount(rowCap)} this page keeps${why}; ` +
      `kept a random sample of ${formatCount(table.n)} rows from the whole file (seed ${opts.seed ?? 0}).`
    );
  }
  return null;
}

/**
 * True when `text` (bytes read as UTF-8) has a NUL in every other position of its start, the
 * mark of ASCII-range UTF-16 text saved without a byte-order mark.
 */
export function looksLikeUtf16(text: string): boolean {
  const head = text.slice(0, UTF16_HINT_CHARS);
  if (head.length < 8) return false;
  let even = 0;
  let odd = 0;
  for (let i = 0; i < head.length; i++) {
    if (head.charCodeAt(i) !== 0) continue;
    if (i % 2 === 0) even++;
    else odd++;
  }
  const half = head.length / 2;
  return Math.max(even, odd) >= 0.8 * half && Math.min(even, odd) <= 0.05 * half;
}
