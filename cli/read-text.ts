/**
 * The CLI's file reading: bytes → text for the one CSV reader (data/csv-reader.ts), with the
 * failures a user can act on (missing file, a folder, permissions, broken gzip) as DataErrors.
 */
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { DataError } from '../data/errors';

/**
 * Reads a CSV file as text (gzip-compressed files are inflated), or throws a DataError saying why
 * not. UTF-16 needs its byte-order mark; a file that is not valid UTF-8 is read as Windows-1252
 * (the usual encoding of such exports), and `log` is told so with the first line that is not UTF-8.
 */
export function readText(path: string, log?: (line: string) => void): string {
  let buf: Buffer;
  try {
    buf = readFileSync(path);
  } catch (e) {
    throw cannotRead(path, e);
  }
  if (buf.length >= 2 && buf[0] === 0x1f && buf[1] === 0x8b) {
    try {
      buf = gunzipSync(buf);
    } catch {
      throw new DataError(`${path}: the file looks gzip-compressed but does not inflate. Give a plain or valid gzip CSV file.`, { file: path });
    }
  }
  const refusal = archiveRefusal(path, buf);
  if (refusal) throw refusal;
  // A byte-order mark picks UTF-16 (as on the page); the reader strips a UTF-8 BOM itself.
  if (buf.length >= 2 && buf[0] === 0xff && buf[1] === 0xfe) return new TextDecoder('utf-16le').decode(buf);
  if (buf.length >= 2 && buf[0] === 0xfe && buf[1] === 0xff) return new TextDecoder('utf-16be').decode(buf);
  const bad = firstInvalidUtf8(buf);
  if (bad >= 0 && !buf.includes(0)) {
    let line = 1;
    for (let i = 0; i < bad; i++) if (buf[i] === 0x0a) line++;
    log?.(`note: ${path}, line ${line}: the file is not valid UTF-8; it is read as Windows-1252 (Latin-1). Save it as UTF-8 if the text looks wrong.`);
    return new TextDecoder('windows-1252').decode(buf);
  }
  // A binary file (NUL bytes) is rejected by the CSV reader itself, with the same message as the page's.
  return buf.toString('utf8');
}

/** The DataError for a file the system would not read (missing, a folder, permissions, …). */
export function cannotRead(path: string, e: unknown): DataError {
  const code = (e as NodeJS.ErrnoException).code;
  const why =
    code === 'ENOENT' ? 'no such file; check the path' : code === 'EISDIR' ? 'this is a folder; give a CSV file' : code === 'EACCES' ? 'permission denied; make it readable' : (e as Error).message;
  return new DataError(`${path}: cannot read the file (${why}).`, { file: path });
}

/** The refusal of a zip archive or an office workbook from its first bytes (null for anything else). */
export function archiveRefusal(path: string, head: Uint8Array): DataError | null {
  if (!(head.length >= 4 && head[0] === 0x50 && head[1] === 0x4b && (head[2] === 0x03 || head[2] === 0x05) && (head[3] === 0x04 || head[3] === 0x06))) return null;
  const office = /\.(xlsx|xlsm|ods|docx)$/i.test(path);
  return new DataError(
    office
      ? `${path}: this is a spreadsheet workbook, not a CSV file. Save the sheet as CSV (UTF-8) and give that file.`
      : `${path}: this is a .zip archive, not a CSV file. The CLI reads CSV files (plain or gzip); unzip it first, or drop a zip of image folders on the page.`,
    { file: path },
  );
}

/** The offset of the first byte that breaks UTF-8 (bad lead, missing continuation, overlong or surrogate), or −1. */
export function firstInvalidUtf8(b: Uint8Array): number {
  let i = 0;
  while (i < b.length) {
    const c = b[i];
    if (c < 0x80) {
      i++;
      continue;
    }
    const len = c >= 0xc2 && c <= 0xdf ? 2 : c >= 0xe0 && c <= 0xef ? 3 : c >= 0xf0 && c <= 0xf4 ? 4 : 0;
    if (len === 0 || i + len > b.length) return i;
    for (let k = 1; k < len; k++) if ((b[i + k] & 0xc0) !== 0x80) return i;
    // Overlong 3- and 4-byte forms, UTF-16 surrogates and code points above U+10FFFF.
    if ((c === 0xe0 && b[i + 1] < 0xa0) || (c === 0xed && b[i + 1] >= 0xa0) || (c === 0xf0 && b[i + 1] < 0x90) || (c === 0xf4 && b[i + 1] >= 0x90)) return i;
    i += len;
  }
  return -1;
}
