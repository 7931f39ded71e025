/**
 * The CLI's CSV reading: a file → the strict table of data/csv.ts parseCsv. Small files are read
 * whole (cli/read-text.ts); a file of {@link STREAM_FROM_BYTES} or more is decoded and parsed in
 * chunks, because a JavaScript string holds at most 2²⁹ − 24 characters (~512 MiB): reading a
 * 700 MB CSV whole failed with V8's "Cannot create a string longer than …". Both paths make the
 * same decisions — gzip inflated, zip and workbooks refused, a byte-order mark picks UTF-16, a
 * file that is not valid UTF-8 (and has no NUL bytes) is read as Windows-1252 with a note naming
 * its first such line — so a file reads the same whatever its size (tests/data/odd-corpus.test.ts
 * runs the corpus through both).
 */
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { STRICT_READ } from '../data/csv';
import { CsvTableReader } from '../data/csv-reader';
import { DataError } from '../data/errors';
import type { ColumnTable } from '../data/table';
import { archiveRefusal, cannotRead, firstInvalidUtf8, readText } from './read-text';

/** Files at least this large are streamed (well under V8's string limit, so the whole-read path never meets it). */
export const STREAM_FROM_BYTES = 64 << 20;

/** Bytes per chunk of the streamed path. */
export const STREAM_CHUNK_BYTES = 16 << 20;

/** Options of {@link readCsvTable} (tests lower both to stream small files in tiny chunks). */
export interface ReadCsvOptions {
  streamFromBytes?: number;
  chunkBytes?: number;
}

/**
 * Reads `path` as a strict CSV table (data/csv.ts parseCsv), streaming large files; throws the
 * same DataErrors as the whole-file path (missing file, archive, binary, ragged rows, …).
 */
export function readCsvTable(path: string, log?: (line: string) => void, opts: ReadCsvOptions = {}): ColumnTable {
  let size: number;
  try {
    size = statSync(path).size;
  } catch (e) {
    throw cannotRead(path, e);
  }
  if (size < (opts.streamFromBytes ?? STREAM_FROM_BYTES)) return readCsvWhole(path, log);
  const chunk = Math.max(4, opts.chunkBytes ?? STREAM_CHUNK_BYTES);
  const head = readHead(path, 4);
  // A gzip file is inflated into one Buffer (Buffers may hold up to 4 GiB; only strings are capped) and decoded in chunks from there.
  const source: ByteSource = head[0] === 0x1f && head[1] === 0x8b ? bufferSource(inflate(path)) : fileSource(path, size);
  const first = source.read(0, 4);
  const refusal = archiveRefusal(path, first);
  if (refusal) throw refusal;
  const encoding = first[0] === 0xff && first[1] === 0xfe ? 'utf-16le' : first[0] === 0xfe && first[1] === 0xff ? 'utf-16be' : null;
  let decoder: TextDecoder;
  if (encoding) decoder = new TextDecoder(encoding);
  else {
    const scan = scanUtf8(source, chunk);
    if (scan.badLine !== null && !scan.hasNul) {
      log?.(`note: ${path}, line ${scan.badLine}: the file is not valid UTF-8; it is read as Windows-1252 (Latin-1). Save it as UTF-8 if the text looks wrong.`);
      decoder = new TextDecoder('windows-1252');
    } else {
      // ignoreBOM: the reader sees a UTF-8 byte-order mark and strips it itself, as on the whole-file path.
      decoder = new TextDecoder('utf-8', { ignoreBOM: true });
    }
  }
  const reader = new CsvTableReader(path, STRICT_READ);
  for (let at = 0; at < source.length; at += chunk) reader.push(decoder.decode(source.read(at, Math.min(chunk, source.length - at)), { stream: true }));
  reader.push(decoder.decode());
  return reader.end().table;
}

/** The whole-file path: the text in one string, through the same strict reader. */
function readCsvWhole(path: string, log?: (line: string) => void): ColumnTable {
  const reader = new CsvTableReader(path, STRICT_READ);
  reader.push(readText(path, log));
  return reader.end().table;
}

/** Bytes addressed by offset: a file on disk or an inflated Buffer. */
interface ByteSource {
  length: number;
  read(offset: number, length: number): Uint8Array;
}

function fileSource(path: string, size: number): ByteSource {
  return {
    length: size,
    read(offset, length) {
      const buf = Buffer.alloc(length);
      const fd = openSync(path, 'r');
      try {
        let got = 0;
        while (got < length) {
          const n = readSync(fd, buf, got, length - got, offset + got);
          if (n === 0) break;
          got += n;
        }
        return buf.subarray(0, got);
      } finally {
        closeSync(fd);
      }
    },
  };
}

function bufferSource(buf: Buffer): ByteSource {
  return { length: buf.length, read: (offset, length) => buf.subarray(offset, offset + length) };
}

function readHead(path: string, n: number): Uint8Array {
  try {
    return fileSource(path, n).read(0, n);
  } catch (e) {
    throw cannotRead(path, e);
  }
}

function inflate(path: string): Buffer {
  let raw: Buffer;
  try {
    raw = Buffer.from(fileSource(path, statSync(path).size).read(0, statSync(path).size));
  } catch (e) {
    throw cannotRead(path, e);
  }
  try {
    return gunzipSync(raw);
  } catch {
    throw new DataError(`${path}: the file looks gzip-compressed but does not inflate. Give a plain or valid gzip CSV file.`, { file: path });
  }
}

/**
 * One pass over the bytes: the line of the first byte that breaks UTF-8 (null when none) and
 * whether the file has NUL bytes (a binary file stays UTF-8, so the reader rejects it as binary).
 * A multi-byte sequence cut by a chunk boundary is carried into the next chunk.
 */
function scanUtf8(source: ByteSource, chunk: number): { badLine: number | null; hasNul: boolean } {
  let line = 1;
  let badLine: number | null = null;
  let hasNul = false;
  let carry = new Uint8Array(0);
  for (let at = 0; at < source.length; at += chunk) {
    const part = source.read(at, Math.min(chunk, source.length - at));
    if (part.includes(0)) hasNul = true;
    if (badLine !== null) continue;
    const bytes = carry.length > 0 ? concat(carry, part) : part;
    const last = at + chunk >= source.length;
    const cut = last ? bytes.length : completePrefix(bytes);
    const bad = firstInvalidUtf8(bytes.subarray(0, cut));
    const upTo = bad >= 0 ? bad : cut;
    for (let i = 0; i < upTo; i++) if (bytes[i] === 0x0a) line++;
    if (bad >= 0) badLine = line;
    carry = bytes.slice(cut);
  }
  return { badLine, hasNul };
}

/** Length of `b` without a trailing multi-byte sequence that may continue in the next chunk. */
function completePrefix(b: Uint8Array): number {
  for (let back = 1; back <= Math.min(3, b.length); back++) {
    const c = b[b.length - back];
    if ((c & 0xc0) === 0x80) continue; // a continuation byte: look further back for its lead
    const need = c >= 0xc2 && c <= 0xdf ? 2 : c >= 0xe0 && c <= 0xef ? 3 : c >= 0xf0 && c <= 0xf4 ? 4 : 1;
    return need > back ? b.length - back : b.length;
  }
  return b.length;
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}
