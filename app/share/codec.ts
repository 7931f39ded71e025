/**
 * Byte-level helpers of the share link and the session file: base64 / base64url, raw DEFLATE
 * and gzip with a hard cap on the inflated size (a small input must not expand into gigabytes),
 * and CRC-32, which fflate's gunzip does not verify: a corrupted link or file is rejected
 * instead of decoding into different data.
 */
import { Gunzip, Inflate, deflateSync, gzipSync } from 'fflate';
import { Invalid } from './validate';

const STD = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const URL_SAFE = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

function lookup(alphabet: string): Int16Array {
  const t = new Int16Array(128).fill(-1);
  for (let i = 0; i < 64; i++) t[alphabet.charCodeAt(i)] = i;
  return t;
}
const STD_LOOKUP = lookup(STD);
const URL_LOOKUP = lookup(URL_SAFE);

/** Base64 of `bytes`: standard alphabet with padding, or base64url without padding (`url`). */
export function toBase64(bytes: Uint8Array, url = false): string {
  const a = url ? URL_SAFE : STD;
  const parts: string[] = [];
  let chunk = '';
  let i = 0;
  for (; i + 2 < bytes.length; i += 3) {
    const v = (bytes[i] << 16) | (bytes[i + 1] << 8) | bytes[i + 2];
    chunk += a[v >>> 18] + a[(v >>> 12) & 63] + a[(v >>> 6) & 63] + a[v & 63];
    // Joining fixed-size pieces keeps long strings from degrading into deep rope chains.
    if (chunk.length >= 8192) {
      parts.push(chunk);
      chunk = '';
    }
  }
  const rest = bytes.length - i;
  if (rest === 1) {
    const v = bytes[i] << 16;
    chunk += a[v >>> 18] + a[(v >>> 12) & 63] + (url ? '' : '==');
  } else if (rest === 2) {
    const v = (bytes[i] << 16) | (bytes[i + 1] << 8);
    chunk += a[v >>> 18] + a[(v >>> 12) & 63] + a[(v >>> 6) & 63] + (url ? '' : '=');
  }
  parts.push(chunk);
  return parts.join('');
}

/**
 * Bytes of a base64 (standard, padding required) or base64url (`url`, no padding) string.
 * Throws {@link Invalid} on any other character, a bad length or non-zero trailing bits, so every
 * byte string has exactly one accepted encoding.
 */
export function fromBase64(s: string, what: string, url = false): Uint8Array {
  const table = url ? URL_LOOKUP : STD_LOOKUP;
  let len = s.length;
  if (!url) {
    if (len % 4 !== 0) throw new Invalid(`${what}: base64 length must be a multiple of 4`);
    if (s.endsWith('==')) len -= 2;
    else if (s.endsWith('=')) len -= 1;
  }
  if (len % 4 === 1) throw new Invalid(`${what}: truncated base64`);
  const out = new Uint8Array(Math.floor((len * 3) / 4));
  let o = 0;
  let acc = 0;
  let bits = 0;
  for (let i = 0; i < len; i++) {
    const c = s.charCodeAt(i);
    const v = c < 128 ? table[c] : -1;
    if (v < 0) throw new Invalid(`${what}: invalid character at position ${i}`);
    acc = ((acc << 6) | v) & 0xffffff;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[o++] = (acc >>> bits) & 0xff;
    }
  }
  if (bits > 0 && (acc & ((1 << bits) - 1)) !== 0) throw new Invalid(`${what}: non-canonical base64 ending`);
  return out;
}

let crcTable: Uint32Array | null = null;

/** CRC-32 (IEEE, the gzip trailer) of `bytes`. */
export function crc32(bytes: Uint8Array): number {
  if (!crcTable) {
    crcTable = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      crcTable[n] = c >>> 0;
    }
  }
  let c = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) c = crcTable[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** Raw DEFLATE (RFC 1951) at the highest level, with an optional preset dictionary. */
export function deflateRaw(bytes: Uint8Array, dictionary?: Uint8Array): Uint8Array {
  return deflateSync(bytes, dictionary ? { level: 9, dictionary } : { level: 9 });
}

/**
 * Inflates raw DEFLATE data (with the same preset `dictionary` it was made with) to at most
 * `maxBytes`. Raw DEFLATE has no checksum: callers add their own. Throws {@link Invalid}.
 */
export function inflateRawCapped(input: Uint8Array, maxBytes: number, what: string, dictionary?: Uint8Array): Uint8Array {
  if (input.length === 0) throw new Invalid(`${what}: truncated compressed data`);
  return inflateCapped(input, maxBytes, what, (ondata) => (dictionary ? new Inflate({ dictionary }, ondata) : new Inflate(ondata)));
}

/** gzip (RFC 1952) compression; mtime 0 so the same session exports to the same bytes. */
export function gzip(bytes: Uint8Array): Uint8Array {
  return gzipSync(bytes, { level: 6, mtime: 0 });
}

/** True when `bytes` starts with the gzip magic number. */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/** Decompresses through `stream`, feeding small slices so no single step can overshoot `maxBytes` by much. */
function inflateCapped(
  input: Uint8Array,
  maxBytes: number,
  what: string,
  make: (ondata: (chunk: Uint8Array, final: boolean) => void) => { push(chunk: Uint8Array, final?: boolean): void },
): Uint8Array {
  const chunks: Uint8Array[] = [];
  let total = 0;
  let done = false;
  const stream = make((chunk, final) => {
    total += chunk.length;
    if (total > maxBytes) throw new Invalid(`${what}: inflates to more than ${maxBytes} bytes`);
    chunks.push(chunk);
    if (final) done = true;
  });
  // DEFLATE expands at most ~1032×, so a slice of maxBytes/1024 bytes adds at most ~maxBytes per push.
  const slice = Math.max(64, Math.min(1 << 16, Math.floor(maxBytes / 1024)));
  try {
    if (input.length === 0) stream.push(input, true);
    for (let i = 0; i < input.length; i += slice) {
      const end = Math.min(input.length, i + slice);
      stream.push(input.subarray(i, end), end === input.length);
    }
  } catch (e) {
    if (e instanceof Invalid) throw e;
    throw new Invalid(`${what}: corrupt compressed data (${e instanceof Error ? e.message : String(e)})`);
  }
  if (!done) throw new Invalid(`${what}: truncated compressed data`);
  const out = new Uint8Array(total);
  let o = 0;
  for (const c of chunks) {
    out.set(c, o);
    o += c.length;
  }
  return out;
}

/**
 * Inflates single-member gzip data to at most `maxBytes` and checks the CRC-32 and length in its
 * trailer (a second member or trailing bytes fail the check). Throws {@link Invalid}.
 */
export function gunzipCapped(input: Uint8Array, maxBytes: number, what: string): Uint8Array {
  if (input.length < 18) throw new Invalid(`${what}: truncated gzip data`);
  const out = inflateCapped(input, maxBytes, what, (ondata) => new Gunzip(ondata));
  const t = input.length - 8;
  const crc = (input[t] | (input[t + 1] << 8) | (input[t + 2] << 16) | (input[t + 3] << 24)) >>> 0;
  const size = (input[t + 4] | (input[t + 5] << 8) | (input[t + 6] << 16) | (input[t + 7] << 24)) >>> 0;
  if (crc32(out) !== crc || out.length % 2 ** 32 !== size) throw new Invalid(`${what}: checksum mismatch (the file was altered or cut)`);
  return out;
}

const encoder = new TextEncoder();

/** UTF-8 bytes of `s`. */
export function utf8(s: string): Uint8Array {
  return encoder.encode(s);
}

/** Text of UTF-8 `bytes`; malformed UTF-8 throws {@link Invalid} rather than becoming U+FFFD. */
export function fromUtf8(bytes: Uint8Array, what: string): string {
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    throw new Invalid(`${what}: is not valid UTF-8 text`);
  }
}
