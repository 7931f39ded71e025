/**
 * Shared helpers of the ingest-*.test.ts suites: catching DataErrors, and a minimal PNG encoder
 * and decoder (8-bit RGBA, filter 0) that stands in for the browser's createImageBitmap, so the
 * image pipeline runs in Node on real PNG files.
 */
import { unzlibSync, zlibSync } from 'fflate';
import { expect } from 'vitest';
import { streamCsv, type CsvStreamOptions } from '../../app/ingest/csv-stream';
import type { DecodeImage } from '../../app/ingest/images';
import { DataError } from '../../data/errors';
import type { RgbaImage } from '../../data/images';
import type { ColumnTable } from '../../data/table';
import { crc32 } from '../../data/zip';

/** The DataError thrown by `fn` (fails the test when nothing or something else is thrown). */
export function dataError(fn: () => unknown): DataError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(DataError);
    return e as DataError;
  }
  throw new Error('expected a DataError');
}

/** The DataError an async `fn` rejects with. */
export async function asyncDataError(fn: () => Promise<unknown>): Promise<DataError> {
  try {
    await fn();
  } catch (e) {
    expect(e).toBeInstanceOf(DataError);
    return e as DataError;
  }
  throw new Error('expected a DataError');
}

/** Streams CSV text into a table (name "data.csv"). */
export async function tableOf(text: string, opts: CsvStreamOptions = {}): Promise<ColumnTable> {
  return (await streamCsv(text, { fileName: 'data.csv', ...opts })).table;
}

/** An RGBA image filled by `f(x, y)` → [r, g, b, a]. */
export function makeImage(width: number, height: number, f: (x: number, y: number) => [number, number, number, number]): RgbaImage {
  const data = new Uint8Array(width * height * 4);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) data.set(f(x, y), (y * width + x) * 4);
  return { width, height, data };
}

function chunk(type: string, body: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + body.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, body.length);
  for (let i = 0; i < 4; i++) out[4 + i] = type.charCodeAt(i);
  out.set(body, 8);
  view.setUint32(8 + body.length, crc32(out.subarray(4, 8 + body.length)));
  return out;
}

/** A valid PNG (8-bit RGBA, no interlace, filter 0 on every row). */
export function encodePng(img: RgbaImage): Uint8Array<ArrayBuffer> {
  const ihdr = new Uint8Array(13);
  const v = new DataView(ihdr.buffer);
  v.setUint32(0, img.width);
  v.setUint32(4, img.height);
  ihdr.set([8, 6, 0, 0, 0], 8);
  const raw = new Uint8Array(img.height * (1 + img.width * 4));
  for (let y = 0; y < img.height; y++) raw.set(img.data.subarray(y * img.width * 4, (y + 1) * img.width * 4), y * (1 + img.width * 4) + 1);
  const parts = [new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', zlibSync(raw)), chunk('IEND', new Uint8Array(0))];
  const out = new Uint8Array(parts.reduce((s, p) => s + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** Decodes what {@link encodePng} writes; rejects anything else, like a browser rejects a broken file. */
export const decodeTestPng: DecodeImage = async (bytes) => {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let p = 8;
  let width = 0;
  let height = 0;
  const idat: Uint8Array[] = [];
  while (p + 12 <= bytes.length) {
    const len = view.getUint32(p);
    const type = String.fromCharCode(...bytes.subarray(p + 4, p + 8));
    if (p + 12 + len > bytes.length) throw new Error('truncated chunk');
    if (crc32(bytes.subarray(p + 4, p + 8 + len)) !== view.getUint32(p + 8 + len)) throw new Error(`bad CRC in ${type}`);
    const body = bytes.subarray(p + 8, p + 8 + len);
    if (type === 'IHDR') {
      width = new DataView(body.buffer, body.byteOffset).getUint32(0);
      height = new DataView(body.buffer, body.byteOffset).getUint32(4);
    } else if (type === 'IDAT') idat.push(body);
    else if (type === 'IEND') break;
    p += 12 + len;
  }
  if (width === 0 || idat.length === 0) throw new Error('no image data');
  const all = new Uint8Array(idat.reduce((s, c) => s + c.length, 0));
  let o = 0;
  for (const c of idat) {
    all.set(c, o);
    o += c.length;
  }
  const raw = unzlibSync(all);
  const data = new Uint8Array(width * height * 4);
  for (let y = 0; y < height; y++) data.set(raw.subarray(y * (1 + width * 4) + 1, (y + 1) * (1 + width * 4)), y * width * 4);
  return { width, height, data };
};
