/**
 * Streaming CSV ingestion for the data Worker: decodes a dropped File/Blob (or a string) in
 * chunks, with progress and cancelling, and hands the text to the project's one CSV reader
 * (data/csv-reader.ts), which the CLI, the catalogue and share links use too, so a file reads
 * the same wherever it is opened.
 *
 * Why not Papa.parse(file, { chunk }) directly: papaparse's file streamer needs FileReader (not
 * in Node, so the path the Worker runs could not be tested), guesses the line-break style once
 * from the first chunk (mixed \r\n / \n files then merge rows), and gives no line numbers.
 */
import { DataError, type Notice } from '../../data/errors';
import { plural } from '../../data/format';
import { CsvTableReader, rowCapMessage, type CsvDialect, type CsvReaderOptions, type CsvStatus } from '../../data/csv-reader';
import type { ColumnTable } from '../../data/table';

export type { CsvDialect, CsvStatus } from '../../data/csv-reader';

/** Progress of a read: bytes of the file (UTF-16 code units for a string input) and data rows. */
export interface CsvProgress {
  bytesRead: number;
  totalBytes: number;
  rows: number;
}

/** Options of {@link streamCsv}; all optional (the reader's options with the page's caps as defaults). */
export interface CsvStreamOptions extends Omit<CsvReaderOptions, 'audience' | 'encoding' | 'bom' | 'maxLevels'> {
  /** Name for messages (default: the File's name, else "data.csv"). */
  fileName?: string;
  /** Bytes read per chunk (default 1 MiB). */
  chunkBytes?: number;
  /** Called after every chunk. */
  onProgress?: (p: CsvProgress) => void;
  /** Aborts the read (the user dropped another file); rejects with the signal's reason. */
  signal?: AbortSignal;
}

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

/** The page's caps: 200,000 rows, 16,000,000 cells (≈ 200 MB in the table). */
const DEFAULTS = { chunkBytes: 1 << 20, maxRows: 200_000, maxCells: 16_000_000 } as const;

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
  const source = typeof input === 'string' ? stringSource(input, chunkBytes) : await blobSource(input, chunkBytes, file);
  const { onProgress, signal } = opts;
  const read = readerOptions(opts);
  const caps = { maxRows: read.maxRows ?? DEFAULTS.maxRows, maxCells: read.maxCells ?? DEFAULTS.maxCells };
  const reader = new CsvTableReader(file, { ...read, ...caps, audience: 'page', encoding: source.encoding, bom: source.bom });
  let bytesRead = 0;
  while (!reader.stopped) {
    if (signal?.aborted) throw signal.reason ?? new Error('aborted');
    const chunk = await source.next();
    if (chunk === null) break;
    bytesRead += chunk.bytes;
    reader.push(chunk.text);
    onProgress?.({ bytesRead, totalBytes: source.totalBytes, rows: reader.rows });
  }
  const res = reader.end();
  const table = res.table;
  if (table.n === 0) {
    const why = res.skippedRows > 0 ? ` (${plural(res.skippedRows, 'malformed row')} skipped)` : '';
    throw new DataError(`${file}: the file has a header but no data rows${why}. Add rows below the header, one per example.`, { file, row: 2 });
  }
  const message = rowCapMessage(file, res, source.totalBytes, { ...caps, seed: read.seed });
  const notices = res.notices;
  if (message !== null) notices.unshift({ level: 'warning', file, message });
  return {
    table,
    preview: res.preview,
    dialect: res.dialect,
    status: res.status,
    rowsKept: table.n,
    rowsSeen: res.rowsSeen,
    rowCap: res.rowCap,
    bytesRead,
    totalBytes: source.totalBytes,
    message,
    notices,
  };
}

/** The options of `opts` that the reader takes (everything but the adapter's own). */
function readerOptions(opts: CsvStreamOptions): Omit<CsvReaderOptions, 'audience' | 'encoding' | 'bom'> {
  // The siblings of a rest element count as used: they are named only to leave them out.
  const { fileName, chunkBytes, onProgress, signal, ...read } = opts;
  return read;
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
async function blobSource(blob: Blob, size: number, file: string): Promise<TextSource> {
  const head = new Uint8Array(await blob.slice(0, 3).arrayBuffer());
  if (head[0] === 0x1f && head[1] === 0x8b) {
    throw new DataError(`${file}: this file is gzip-compressed. Decompress it first (e.g. gunzip) and drop the .csv inside.`, { file });
  }
  if (head[0] === 0x50 && head[1] === 0x4b && (head[2] === 0x03 || head[2] === 0x05)) {
    // A zip read as a table: most often a spreadsheet workbook (.xlsx, .ods).
    throw new DataError(
      `${file}: this is a zip archive (a spreadsheet workbook such as .xlsx is one), not a CSV file. Save the sheet as CSV (UTF-8) and drop that file, or drop a .zip of image folders as images.`,
      { file },
    );
  }
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
