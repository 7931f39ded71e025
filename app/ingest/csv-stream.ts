/**
 * Streaming CSV ingestion for the data Worker: reads a dropped File/Blob (or a string) in
 * chunks, with progress, and builds a columnar table of bounded size.
 *
 * Why not Papa.parse(file, { chunk }) directly: papaparse's file streamer needs FileReader (not
 * in Node, so the path the Worker runs could not be tested), guesses the line-break style once
 * from the first chunk (mixed \r\n / \n files then merge rows), and gives no line numbers. Here
 * the chunks are cut at record boundaries (records.ts mirrors papaparse's quote rules) and each
 * chunk of whole records is parsed by papaparse, so quoting behaves exactly as papaparse's, every
 * row knows its file line, and reading stops as soon as the row cap is reached.
 */
import Papa from 'papaparse';
import { DataError, locate, type Notice } from '../../data/errors';
import { detectDelimiter, detectQuoteChar, looksLikeHeader, uniqueColumnNames } from '../../data/dialect';
import { formatCount, plural } from '../../data/format';
import { countNewlines, NewlineNormalizer, RecordSplitter } from '../../data/records';
import { createRng, RNG_STREAM, type Rng } from '../../solver/rng';
import { formatBytes } from '../../data/size';
import { ColumnTableBuilder, type ColumnTable } from '../../data/table';

/** Progress of a read: bytes of the file (UTF-16 code units for a string input) and data rows. */
export interface CsvProgress {
  bytesRead: number;
  totalBytes: number;
  rows: number;
}

/** Options of {@link streamCsv}; all optional. */
export interface CsvStreamOptions {
  /** Name for messages (default: the File's name, else "data.csv"). */
  fileName?: string;
  /** Bytes read per chunk (default 1 MiB). */
  chunkBytes?: number;
  /** Most data rows kept (default 200,000). */
  maxRows?: number;
  /** Most cells kept, rows × columns (default 16,000,000 ≈ 200 MB in the table). */
  maxCells?: number;
  /**
   * When the file has more rows than the cap: 'truncate' (default) keeps the first rows and stops
   * reading; 'subsample' reads the whole file and keeps a seeded uniform random sample.
   */
  overflow?: 'truncate' | 'subsample';
  /** Seed of 'subsample' (default 0). */
  seed?: number;
  /** Data rows returned for the preview table (default 20). */
  previewRows?: number;
  /** First row is a header: true, false or 'auto' (default: detected). */
  header?: boolean | 'auto';
  /** Delimiter, or 'auto' (default: detected among comma, tab, semicolon, pipe). */
  delimiter?: string;
  /** Quote character, or 'auto' (default). */
  quoteChar?: string;
  /** Rows with the wrong number of fields: 'error' (default, names the line) or 'skip' (counted). */
  raggedRows?: 'error' | 'skip';
  /** Longest record, in characters, before the file is rejected as unreadable (default 8 Mi). */
  maxRecordChars?: number;
  /** Called after every chunk. */
  onProgress?: (p: CsvProgress) => void;
  /** Aborts the read (the user dropped another file); rejects with the signal's reason. */
  signal?: AbortSignal;
}

/** How the file was read (shown next to the preview, each with an override). */
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

/** Result of {@link streamCsv}. */
export interface CsvStreamResult {
  table: ColumnTable;
  /** Column names and the first data rows as text, for the preview table. */
  preview: { header: string[]; rows: string[][] };
  dialect: CsvDialect;
  status: CsvStatus;
  /** Rows in the table. */
  rowsKept: number;
  /** Data rows read from the file (all of them unless 'truncated'). */
  rowsSeen: number;
  /** The row cap that applied: min(maxRows, maxCells / columns). */
  rowCap: number;
  bytesRead: number;
  totalBytes: number;
  /** The cap message when status is not 'complete' (also in `notices`). */
  message: string | null;
  notices: Notice[];
}

const DEFAULTS = { chunkBytes: 1 << 20, maxRows: 200_000, maxCells: 16_000_000, previewRows: 20, maxRecordChars: 8 << 20 } as const;
/** Records looked at before deciding whether the first one is a header. */
const HEADER_SAMPLE = 50;
/** Characters of normalised text collected before guessing the delimiter and quote. */
const DIALECT_SAMPLE = 64 * 1024;

/** One chunk of decoded text and the input bytes it came from. */
interface TextChunk {
  text: string;
  bytes: number;
}

/** A source of decoded text chunks. */
interface TextSource {
  totalBytes: number;
  bom: boolean;
  encoding: CsvDialect['encoding'];
  next(): Promise<TextChunk | null>;
}

/**
 * Reads `input` as CSV (see the file comment). Throws a {@link DataError} for an empty or binary
 * file, a header without rows, ragged rows (unless skipped), malformed quotes and runaway
 * records; a file over the row cap is not an error but a 'truncated' or 'subsampled' result.
 */
export async function streamCsv(input: Blob | string, opts: CsvStreamOptions = {}): Promise<CsvStreamResult> {
  const file = opts.fileName ?? (typeof input !== 'string' && 'name' in input && typeof input.name === 'string' && input.name ? input.name : 'data.csv');
  const chunkBytes = Math.max(16, opts.chunkBytes ?? DEFAULTS.chunkBytes);
  const source = typeof input === 'string' ? stringSource(input, chunkBytes) : await blobSource(input, chunkBytes);
  const reader = new CsvReader(file, source, opts);
  return reader.run();
}

/** The state of one read; {@link streamCsv} is its only user. */
class CsvReader {
  private readonly notices: Notice[] = [];
  private readonly normalizer = new NewlineNormalizer();
  private splitter: RecordSplitter | null = null;
  private sample = '';
  private delimiter = ',';
  private quoteChar = '"';
  private line = 1;
  private bytesRead = 0;
  private early: { cells: string[]; line: number }[] = [];
  private header: string[] | null = null;
  private headerIsRow = true;
  private headerDetected = false;
  private builder: ColumnTableBuilder | null = null;
  private rowCap = 0;
  private rowsSeen = 0;
  /** Characters of the kept rows (cells plus delimiters), to estimate a truncated file's rows. */
  private charsKept = 0;
  private stopped = false;
  private ragged = { count: 0, first: 0 };
  private trailingEmpty = 0;
  private replacementSeen = false;
  private readonly preview: string[][] = [];
  private readonly rng: Rng;

  constructor(
    private readonly file: string,
    private readonly source: TextSource,
    private readonly opts: CsvStreamOptions,
  ) {
    this.rng = createRng(opts.seed ?? 0, RNG_STREAM.data);
  }

  async run(): Promise<CsvStreamResult> {
    const { opts, source } = this;
    let first = true;
    while (!this.stopped) {
      if (opts.signal?.aborted) throw opts.signal.reason ?? new Error('aborted');
      const chunk = await source.next();
      if (chunk === null) break;
      this.bytesRead += chunk.bytes;
      let text = chunk.text;
      if (first) {
        if (source.encoding === 'utf-8' && text.includes('\u0000')) {
          throw new DataError(`${this.file}: the file contains NUL bytes, so it is not a text CSV file. Export it as CSV (UTF-8) and drop that file.`, { file: this.file });
        }
        first = false;
      }
      if (!this.replacementSeen && text.includes('\uFFFD')) {
        this.replacementSeen = true;
        this.notices.push({
          level: 'warning',
          file: this.file,
          message: `${this.file}: the file is not valid ${source.encoding.toUpperCase()} text; unreadable characters are shown as \uFFFD. Save it as CSV (UTF-8) for the exact values.`,
        });
      }
      text = this.normalizer.push(text);
      this.feed(text, false);
      opts.onProgress?.({ bytesRead: this.bytesRead, totalBytes: source.totalBytes, rows: this.rowsSeen });
    }
    if (!this.stopped) this.feed(this.normalizer.flush(), true);
    return this.finish();
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

  /** Guesses the dialect from the sample (unless given). */
  private startSplitter(complete: boolean): void {
    let sample = this.sample;
    if (sample.charCodeAt(0) === 0xfeff) sample = this.sample = sample.slice(1);
    const q = this.opts.quoteChar;
    this.quoteChar = q && q !== 'auto' ? q : detectQuoteChar(sample);
    const d = this.opts.delimiter;
    this.delimiter = d && d !== 'auto' ? d : detectDelimiter(sample, this.quoteChar, complete);
    this.splitter = new RecordSplitter(this.delimiter, this.quoteChar);
  }

  /** Parses whole records with papaparse and hands each non-blank one on with its line. */
  private parsePiece(piece: string, last = false): void {
    if (piece === '' || this.stopped) return;
    const res = Papa.parse<string[]>(piece, { delimiter: this.delimiter, quoteChar: this.quoteChar, newline: '\n', skipEmptyLines: false });
    const quoteError = res.errors.find((e) => e.type === 'Quotes');
    let line = this.line;
    const data = res.data;
    for (let r = 0; r < data.length && !this.stopped; r++) {
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
    const { names, renamed } = uniqueColumnNames(raw);
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
    const maxRows = Math.max(1, this.opts.maxRows ?? DEFAULTS.maxRows);
    const maxCells = Math.max(1, this.opts.maxCells ?? DEFAULTS.maxCells);
    this.rowCap = Math.max(1, Math.min(maxRows, Math.floor(maxCells / names.length)));
    this.builder = new ColumnTableBuilder(this.file, names, { capacity: this.rowCap, delimiter: this.delimiter, decimalComma });
    for (const e of this.headerIsRow ? early.slice(1) : early) {
      if (this.stopped) break;
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
      throw new DataError(
        `${locate({ file: this.file, row: line })}: this row has ${plural(cells.length, 'field')} but the header has ${width}, ` +
          `with delimiter ${JSON.stringify(this.delimiter)}. Make every row have one value per column (quote values that contain the delimiter), ` +
          'or choose "skip malformed rows".',
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
      this.stopped = true;
      return;
    }
    // Reservoir sampling (Algorithm R): every row ends up kept with the same probability.
    const slot = Math.floor(this.rng.uniform() * (seen + 1));
    if (slot < this.rowCap) builder.replace(slot, trimmed, line);
  }

  private finish(): CsvStreamResult {
    if (this.builder === null) this.decideHeader();
    const file = this.file;
    const builder = this.builder;
    const header = this.header;
    if (builder === null || header === null) {
      throw new DataError(`${file}: the file is empty. Drop a CSV file with a header row and one row per example.`, { file });
    }
    if (builder.n === 0) {
      const why = this.ragged.count > 0 ? ` (${plural(this.ragged.count, 'malformed row')} skipped)` : '';
      throw new DataError(`${file}: the file has a header but no data rows${why}. Add rows below the header, one per example.`, { file, row: 2 });
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
    let status: CsvStatus = 'complete';
    let message: string | null = null;
    const total = this.source.totalBytes;
    if (this.stopped) {
      status = 'truncated';
      // The rows kept so far show the average row length; the file size then gives its row count.
      const perRow = this.charsKept / Math.max(1, table.n);
      const estimate = Math.max(table.n + 1, Math.round(total / perRow / 1000) * 1000);
      message =
        `${file}: the file has more than ${formatCount(this.rowCap)} rows, the most this page keeps${this.capReason(header.length)}; ` +
        `it has about ${formatCount(estimate)} (estimated from its size, ${formatBytes(total)}). Read the first ${formatCount(table.n)} rows and stopped there. ` +
        `Training uses these rows. To draw a seeded random ${formatCount(this.rowCap)} rows from the whole file instead, choose "subsample".`;
    } else if (this.rowsSeen > table.n) {
      status = 'subsampled';
      message =
        `${file}: the file has ${formatCount(this.rowsSeen)} rows, more than the ${formatCount(this.rowCap)} this page keeps${this.capReason(header.length)}; ` +
        `kept a random sample of ${formatCount(table.n)} rows from the whole file (seed ${this.opts.seed ?? 0}).`;
    }
    if (message !== null) notices.unshift({ level: 'warning', file, message });
    return {
      table,
      preview: { header: header.slice(), rows: this.preview.map((r) => r.slice()) },
      dialect: {
        delimiter: this.delimiter,
        quoteChar: this.quoteChar,
        header: this.headerIsRow,
        headerDetected: this.headerDetected,
        bom: this.source.bom,
        encoding: this.source.encoding,
        decimalComma: this.delimiter === ';',
      },
      status,
      rowsKept: table.n,
      rowsSeen: this.rowsSeen,
      rowCap: this.rowCap,
      bytesRead: this.bytesRead,
      totalBytes: total,
      message,
      notices,
    };
  }

  /** " (16,000,000 cells / 785 columns)" when the cell cap, not the row cap, binds. */
  private capReason(columns: number): string {
    const maxRows = this.opts.maxRows ?? DEFAULTS.maxRows;
    if (this.rowCap >= maxRows) return '';
    return ` with ${formatCount(columns)} columns (at most ${formatCount(this.opts.maxCells ?? DEFAULTS.maxCells)} cells)`;
  }
}

/** A string in chunks of `size` code units (a chunk never ends inside a surrogate pair). */
function stringSource(text: string, size: number): TextSource {
  const bom = text.charCodeAt(0) === 0xfeff;
  let pos = bom ? 1 : 0;
  return {
    totalBytes: text.length - pos,
    bom,
    encoding: 'utf-8',
    async next() {
      if (pos >= text.length) return null;
      let end = Math.min(text.length, pos + size);
      const c = text.charCodeAt(end - 1);
      if (end < text.length && c >= 0xd800 && c <= 0xdbff) end++;
      const start = pos;
      pos = end;
      return { text: text.slice(start, end), bytes: end - start };
    },
  };
}

/** A Blob read slice by slice and decoded incrementally; the BOM picks UTF-8 or UTF-16. */
async function blobSource(blob: Blob, size: number): Promise<TextSource> {
  const head = new Uint8Array(await blob.slice(0, 3).arrayBuffer());
  let encoding: CsvDialect['encoding'] = 'utf-8';
  let bom = false;
  if (head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) bom = true;
  else if (head[0] === 0xff && head[1] === 0xfe) [encoding, bom] = ['utf-16le', true];
  else if (head[0] === 0xfe && head[1] === 0xff) [encoding, bom] = ['utf-16be', true];
  // The default ignoreBOM: false strips the BOM; `bom` already recorded that there was one.
  const decoder = new TextDecoder(encoding);
  let pos = 0;
  let done = false;
  return {
    totalBytes: blob.size,
    bom,
    encoding,
    async next() {
      if (done) return null;
      if (pos >= blob.size) {
        done = true;
        const rest = decoder.decode();
        return rest === '' ? null : { text: rest, bytes: 0 };
      }
      const end = Math.min(blob.size, pos + size);
      const bytes = new Uint8Array(await blob.slice(pos, end).arrayBuffer());
      pos = end;
      return { text: decoder.decode(bytes, { stream: true }), bytes: bytes.length };
    },
  };
}
