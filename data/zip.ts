/**
 * A defensive .zip reader for dropped image datasets. It reads the central directory itself
 * (fflate's unzipSync trusts the sizes an archive declares) and inflates one entry at a time
 * with fflate's streaming Inflate in small pushes, counting bytes as they come out, so a zip
 * bomb (a tiny archive that inflates to gigabytes, or one that lies about its sizes) is stopped
 * after at most one push past a cap instead of exhausting the Worker's memory.
 */
import { Inflate } from 'fflate';
import { DataError } from './errors';
import { formatCount } from './format';
import { formatBytes } from './size';

/**
 * A cap was hit (too many entries, an entry or the archive inflating past its cap, or an entry
 * inflating past its declared size): the archive as a whole is refused, not just one file.
 */
export class ArchiveLimitError extends DataError {
  override name = 'ArchiveLimitError';
}

/** Caps on what an archive may expand to. */
export interface ZipLimits {
  /** Most entries (files and folders) in the central directory. */
  maxEntries: number;
  /** Most bytes one entry may inflate to. */
  maxEntryBytes: number;
  /** Most bytes all entries read from one archive may inflate to together. */
  maxTotalBytes: number;
}

/** Defaults sized for image datasets in a browser tab. */
export const DEFAULT_ZIP_LIMITS: ZipLimits = {
  maxEntries: 200_000,
  maxEntryBytes: 64 * 1024 * 1024,
  maxTotalBytes: 1024 * 1024 * 1024,
};

/** One central-directory record. */
export interface ZipEntry {
  /** Path inside the archive, '/'-separated. */
  name: string;
  /** 0 stored, 8 deflate (others are reported as unsupported when read). */
  method: number;
  compressedSize: number;
  /** Declared inflated size (checked while inflating, never trusted). */
  size: number;
  crc: number;
  encrypted: boolean;
  isDirectory: boolean;
  /** Offset of the local header. */
  offset: number;
}

/** An opened archive: its entries, and a reader that enforces the caps. */
export interface ZipArchive {
  fileName: string;
  entries: ZipEntry[];
  /** Bytes inflated so far by {@link ZipArchive.read} (counts toward maxTotalBytes). */
  readonly inflatedBytes: number;
  /** The contents of one entry; throws a DataError when it is corrupt or breaks a cap. */
  read(entry: ZipEntry): Uint8Array;
}

/** Compressed bytes handed to the inflater at a time: bounds one push's output to ≈ 1032× this. */
const PUSH_BYTES = 8 * 1024;
const SIG_EOCD = 0x06054b50;
const SIG_CENTRAL = 0x02014b50;
const SIG_LOCAL = 0x04034b50;

/**
 * Reads the central directory of `bytes`. Throws a DataError (naming `fileName`) when it is not a
 * zip, is split into parts, uses ZIP64, is corrupt, or has more than `maxEntries` entries.
 */
export function openZip(bytes: Uint8Array, fileName: string, limits: Partial<ZipLimits> = {}): ZipArchive {
  const caps: ZipLimits = { ...DEFAULT_ZIP_LIMITS, ...limits };
  const corrupt = (what: string): DataError =>
    new DataError(`${fileName}: the archive is damaged (${what}). Re-create the .zip with a zip tool, or drop the folder itself.`, { file: fileName });
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const u16 = (p: number): number => view.getUint16(p, true);
  const u32 = (p: number): number => view.getUint32(p, true);

  let eocd = -1;
  for (let p = bytes.length - 22; p >= Math.max(0, bytes.length - 22 - 0xffff); p--) {
    if (u32(p) === SIG_EOCD) {
      eocd = p;
      break;
    }
  }
  if (eocd < 0) {
    throw new DataError(`${fileName}: this is not a .zip archive (no zip directory found). Drop a .zip made with a zip tool, or drop the folder itself.`, {
      file: fileName,
    });
  }
  const count = u16(eocd + 10);
  const cdSize = u32(eocd + 12);
  const cdOffset = u32(eocd + 16);
  if (u16(eocd + 4) !== 0 || u16(eocd + 6) !== 0 || u16(eocd + 8) !== count) {
    throw new DataError(`${fileName}: this is one part of a split (multi-volume) archive. Join the parts into one .zip first.`, { file: fileName });
  }
  if (count === 0xffff || cdOffset === 0xffffffff || cdSize === 0xffffffff) {
    throw new DataError(`${fileName}: this is a ZIP64 archive, which is not supported. Zip fewer or smaller files, or drop the folder itself.`, { file: fileName });
  }
  if (count > caps.maxEntries) {
    throw new ArchiveLimitError(
      `${fileName}: the archive has ${formatCount(count)} entries, more than the ${formatCount(caps.maxEntries)} this page reads. Use fewer images per class.`,
      { file: fileName },
    );
  }
  if (cdOffset + cdSize > eocd) throw corrupt('the directory lies outside the file');

  const entries: ZipEntry[] = [];
  let p = cdOffset;
  for (let i = 0; i < count; i++) {
    if (p + 46 > eocd || u32(p) !== SIG_CENTRAL) throw corrupt(`directory record ${i + 1} is missing`);
    const flags = u16(p + 8);
    const nameLen = u16(p + 28);
    const next = p + 46 + nameLen + u16(p + 30) + u16(p + 32);
    if (next > eocd) throw corrupt(`directory record ${i + 1} runs past the directory`);
    const name = decodeName(bytes.subarray(p + 46, p + 46 + nameLen), (flags & 0x800) !== 0)
      .replace(/\\/g, '/')
      .replace(/^\/+/, '');
    const size = u32(p + 24);
    const compressedSize = u32(p + 20);
    const offset = u32(p + 42);
    if (size === 0xffffffff || compressedSize === 0xffffffff || offset === 0xffffffff) {
      throw new DataError(`${fileName}: entry "${name}" uses ZIP64 sizes, which are not supported. Zip smaller files.`, { file: fileName, entry: name });
    }
    entries.push({ name, method: u16(p + 10), compressedSize, size, crc: u32(p + 16), encrypted: (flags & 1) !== 0, isDirectory: name.endsWith('/'), offset });
    p = next;
  }

  let inflated = 0;
  const read = (entry: ZipEntry): Uint8Array => {
    const where = { file: fileName, entry: entry.name };
    const fail = (what: string): DataError => new DataError(`${fileName}: entry "${entry.name}" ${what}`, where);
    const refuse = (what: string): DataError => new ArchiveLimitError(`${fileName}: entry "${entry.name}" ${what}`, where);
    if (entry.encrypted) throw fail('is encrypted. Re-create the .zip without a password.');
    if (entry.method !== 0 && entry.method !== 8) {
      throw fail(`uses compression method ${entry.method}; only stored and deflate are supported. Re-create the .zip with a standard zip tool.`);
    }
    if (entry.size > caps.maxEntryBytes) {
      throw refuse(`would inflate to ${formatBytes(entry.size)}, more than the ${formatBytes(caps.maxEntryBytes)} per file this page reads. Use smaller images.`);
    }
    if (inflated + entry.size > caps.maxTotalBytes) throw totalCap(entry.size);
    const o = entry.offset;
    if (o + 30 > bytes.length || u32(o) !== SIG_LOCAL) throw fail('has no local header (the archive is damaged). Re-create the .zip.');
    const start = o + 30 + u16(o + 26) + u16(o + 28);
    const end = start + entry.compressedSize;
    if (end > bytes.length) throw fail('is cut off (the archive is incomplete). Download or create it again.');
    const src = bytes.subarray(start, end);
    let out: Uint8Array;
    if (entry.method === 0) {
      if (entry.compressedSize !== entry.size) throw fail('has inconsistent sizes (the archive is damaged). Re-create the .zip.');
      out = src.slice();
    } else {
      const res = inflateCapped(src, entry.size);
      if (!res.ok) {
        if (res.why === 'overflow') {
          throw refuse(`inflates to more than its declared ${formatBytes(entry.size)}: the archive is damaged or a zip bomb, so it was not read any further. Re-create the .zip.`);
        }
        if (res.why === 'short') throw fail(`inflates to ${formatBytes(res.written)}, not its declared ${formatBytes(entry.size)} (the archive is damaged). Re-create the .zip.`);
        throw fail(`is not valid deflate data (${res.detail}); the archive is damaged. Re-create the .zip.`);
      }
      out = res.data;
    }
    if (crc32(out) !== entry.crc) throw fail('fails its checksum (the archive is damaged). Re-create the .zip.');
    inflated += out.length;
    return out;
  };
  const totalCap = (next: number): DataError =>
    new ArchiveLimitError(
      `${fileName}: the archive inflates to more than ${formatBytes(caps.maxTotalBytes)} (read ${formatBytes(inflated)}, next entry ${formatBytes(next)}), ` +
        'the most this page unpacks from one .zip; it may be a zip bomb. Use fewer or smaller images.',
      { file: fileName },
    );
  return {
    fileName,
    entries,
    get inflatedBytes() {
      return inflated;
    },
    read,
  };
}

/** Outcome of {@link inflateCapped}. */
type InflateOutcome = { ok: true; data: Uint8Array } | { ok: false; why: 'overflow' | 'short' | 'invalid'; written: number; detail: string };

/**
 * Inflates raw deflate `src` into a buffer of exactly `size` bytes, PUSH_BYTES of input at a
 * time, stopping as soon as the output would pass `size` (the declared size, already capped).
 */
function inflateCapped(src: Uint8Array, size: number): InflateOutcome {
  const out = new Uint8Array(size);
  let written = 0;
  let overflow = false;
  const inflater = new Inflate((chunk) => {
    if (overflow || written + chunk.length > size) {
      overflow = true;
      return;
    }
    out.set(chunk, written);
    written += chunk.length;
  });
  try {
    for (let p = 0; ; p += PUSH_BYTES) {
      const last = p + PUSH_BYTES >= src.length;
      inflater.push(src.subarray(p, Math.min(src.length, p + PUSH_BYTES)), last);
      if (overflow) return { ok: false, why: 'overflow', written, detail: '' };
      if (last) break;
    }
  } catch (e) {
    return { ok: false, why: 'invalid', written, detail: e instanceof Error ? e.message : String(e) };
  }
  return written === size ? { ok: true, data: out } : { ok: false, why: 'short', written, detail: '' };
}

/** Entry names: UTF-8 when flagged or valid, else byte-per-character (CP437 approximated). */
function decodeName(raw: Uint8Array, utf8: boolean): string {
  try {
    return new TextDecoder('utf-8', { fatal: !utf8 }).decode(raw);
  } catch {
    return String.fromCharCode(...raw);
  }
}

let crcTable: Uint32Array | null = null;

/** CRC-32 (IEEE), as stored in zip headers. */
export function crc32(data: Uint8Array): number {
  if (crcTable === null) {
    crcTable = new Uint32Array(256);
    for (let i = 0; i < 256; i++) {
      let c = i;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      crcTable[i] = c >>> 0;
    }
  }
  const t = crcTable;
  let c = 0xffffffff;
  for (let i = 0; i < data.length; i++) c = t[(c ^ data[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
