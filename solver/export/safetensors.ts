/**
 * The safetensors format (huggingface/safetensors), written by hand because it is tiny:
 *
 *   8 bytes   N, the header length, unsigned 64-bit little-endian
 *   N bytes   UTF-8 JSON: { "__metadata__"?: {string: string},
 *                          "<name>": { "dtype": "F32" | "F64", "shape": [...], "data_offsets": [begin, end] }, ... }
 *             padded with spaces so that 8 + N is a multiple of 8
 *   rest      the tensors' little-endian, row-major bytes; offsets are relative to this part,
 *             which they cover exactly (no holes, no overlaps)
 *
 * Tensors are stored by descending element size, then by name (the reference writer's order),
 * so every tensor starts aligned to its element size. `torch`/`numpy`/`safetensors` load the
 * output with `safetensors.numpy.load_file`.
 */
import type { Network } from '../types';
import { convexBlocks, type ConvexWeights } from './layout';

/** Element types this module reads and writes. */
export type SafeDtype = 'F32' | 'F64';

/** One tensor: row-major data of `shape`. */
export interface SafeTensor {
  dtype: SafeDtype;
  shape: number[];
  data: Float32Array | Float64Array;
}

/** A parsed file. */
export interface SafetensorsFile {
  tensors: Record<string, SafeTensor>;
  metadata: Record<string, string>;
}

/** The reference implementation's cap on the header (it refuses larger ones). */
export const MAX_HEADER_BYTES = 100_000_000;

const SIZE: Record<SafeDtype, number> = { F32: 4, F64: 8 };

/** The safetensors bytes of `tensors` and string `metadata`. Throws a RangeError on a bad tensor. */
export function writeSafetensors(tensors: Record<string, SafeTensor>, metadata?: Record<string, string>): Uint8Array {
  const names = Object.keys(tensors).sort((a, b) => SIZE[tensors[b].dtype] - SIZE[tensors[a].dtype] || (a < b ? -1 : a > b ? 1 : 0));
  const header: Record<string, unknown> = {};
  if (metadata && Object.keys(metadata).length > 0) header.__metadata__ = { ...metadata };
  let offset = 0;
  for (const name of names) {
    if (name === '__metadata__') throw new RangeError('"__metadata__" is reserved and cannot name a tensor');
    const t = tensors[name];
    const count = t.shape.reduce((a, b) => a * b, 1);
    if (!t.shape.every((n) => Number.isInteger(n) && n >= 0)) throw new RangeError(`tensor ${name}: shape must be non-negative integers`);
    if (count !== t.data.length) throw new RangeError(`tensor ${name}: shape [${t.shape.join(', ')}] holds ${count} values, data has ${t.data.length}`);
    if ((t.dtype === 'F64') !== (t.data instanceof Float64Array)) throw new RangeError(`tensor ${name}: dtype ${t.dtype} does not match its ${t.data.constructor.name}`);
    const bytes = count * SIZE[t.dtype];
    // defineProperty: a tensor named "__proto__" must become a key, not a prototype.
    Object.defineProperty(header, name, { value: { dtype: t.dtype, shape: t.shape.slice(), data_offsets: [offset, offset + bytes] }, enumerable: true });
    offset += bytes;
  }
  let json = new TextEncoder().encode(JSON.stringify(header));
  const padded = Math.ceil(json.length / 8) * 8;
  if (padded !== json.length) {
    const p = new Uint8Array(padded).fill(0x20);
    p.set(json);
    json = p;
  }
  const out = new Uint8Array(8 + padded + offset);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(padded), true);
  out.set(json, 8);
  let pos = 8 + padded;
  for (const name of names) {
    const t = tensors[name];
    if (t.dtype === 'F64') for (let i = 0; i < t.data.length; i++, pos += 8) view.setFloat64(pos, t.data[i], true);
    else for (let i = 0; i < t.data.length; i++, pos += 4) view.setFloat32(pos, t.data[i], true);
  }
  return out;
}

function fail(msg: string): never {
  throw new RangeError(`not a valid safetensors file: ${msg}`);
}

/**
 * Parses safetensors bytes with F32/F64 tensors. Checks the header length, the JSON, every
 * dtype, shape and offset, and that the offsets tile the data exactly; throws a RangeError
 * naming the problem. Tensors are copied out, so the result does not alias `bytes`.
 */
export function readSafetensors(bytes: Uint8Array): SafetensorsFile {
  if (bytes.length < 8) fail('shorter than the 8-byte header length');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n64 = view.getBigUint64(0, true);
  if (n64 > BigInt(Math.min(MAX_HEADER_BYTES, bytes.length - 8))) fail(`header length ${n64} exceeds the file or ${MAX_HEADER_BYTES} bytes`);
  const N = Number(n64);
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + N)));
  } catch {
    fail('the header is not UTF-8 JSON');
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) fail('the header is not a JSON object');
  const dataStart = 8 + N;
  const dataLength = bytes.length - dataStart;
  const metadata: Record<string, string> = {};
  const entries: { name: string; dtype: SafeDtype; shape: number[]; begin: number; end: number }[] = [];
  for (const [name, v] of Object.entries(header)) {
    if (name === '__metadata__') {
      if (typeof v !== 'object' || v === null || Array.isArray(v)) fail('__metadata__ is not an object');
      for (const [k, s] of Object.entries(v)) {
        if (typeof s !== 'string') fail(`__metadata__.${k} is not a string`);
        Object.defineProperty(metadata, k, { value: s, enumerable: true, writable: true, configurable: true });
      }
      continue;
    }
    if (typeof v !== 'object' || v === null || Array.isArray(v)) fail(`tensor ${name} is not an object`);
    const t = v as Record<string, unknown>;
    const keys = Object.keys(t).sort().join(',');
    if (keys !== 'data_offsets,dtype,shape') fail(`tensor ${name} must have exactly dtype, shape and data_offsets`);
    if (t.dtype !== 'F32' && t.dtype !== 'F64') fail(`tensor ${name} has dtype ${JSON.stringify(t.dtype)}; only F32 and F64 are supported`);
    const shape = t.shape;
    if (!Array.isArray(shape) || !shape.every((x): x is number => Number.isSafeInteger(x) && x >= 0)) fail(`tensor ${name} has an invalid shape`);
    const off = t.data_offsets;
    if (!Array.isArray(off) || off.length !== 2 || !off.every((x): x is number => Number.isSafeInteger(x) && x >= 0)) fail(`tensor ${name} has invalid data_offsets`);
    const [begin, end] = off as [number, number];
    const count = shape.reduce((a: number, b: number) => a * b, 1);
    if (end < begin || end > dataLength || end - begin !== count * SIZE[t.dtype]) fail(`tensor ${name}: data_offsets [${begin}, ${end}] do not match shape [${shape.join(', ')}] ${t.dtype} within ${dataLength} data bytes`);
    entries.push({ name, dtype: t.dtype, shape: shape.slice(), begin, end });
  }
  entries.sort((a, b) => a.begin - b.begin || a.end - b.end);
  let expect = 0;
  for (const e of entries) {
    if (e.begin !== expect) fail(`tensor ${e.name} starts at ${e.begin}, expected ${expect} (hole or overlap)`);
    expect = e.end;
  }
  if (expect !== dataLength) fail(`the tensors cover ${expect} of ${dataLength} data bytes`);
  const tensors: Record<string, SafeTensor> = {};
  for (const e of entries) {
    const count = (e.end - e.begin) / SIZE[e.dtype];
    const data = e.dtype === 'F64' ? new Float64Array(count) : new Float32Array(count);
    const base = dataStart + e.begin;
    for (let i = 0; i < count; i++) data[i] = e.dtype === 'F64' ? view.getFloat64(base + 8 * i, true) : view.getFloat32(base + 4 * i, true);
    // defineProperty: a tensor named "__proto__" must become a key, not a prototype.
    Object.defineProperty(tensors, e.name, { value: { dtype: e.dtype, shape: e.shape, data }, enumerable: true, writable: true, configurable: true });
  }
  return { tensors, metadata };
}

/** Options of {@link networkTensors}. */
export interface NetworkTensorOptions {
  /** F32 halves the file; F64 (default) is exact. */
  dtype?: SafeDtype;
  /** Adds `convex.<c>.U` (and `convex.<c>.W` for ReLU), d×P per class c. */
  convex?: ConvexWeights;
}

/** The tensors of `net`: `W1` [d, m], `w2` [m, C], `gates` [d, m] (gated only), and the convex blocks. */
export function networkTensors(net: Network, opts: NetworkTensorOptions = {}): Record<string, SafeTensor> {
  const dtype = opts.dtype ?? 'F64';
  const t = (data: Float64Array, shape: number[]): SafeTensor => ({ dtype, shape, data: dtype === 'F64' ? Float64Array.from(data) : Float32Array.from(data) });
  const out: Record<string, SafeTensor> = { W1: t(net.W1, [net.d, net.m]), w2: t(net.w2, [net.m, net.C]) };
  if (net.gates) out.gates = t(net.gates, [net.d, net.m]);
  if (opts.convex) {
    const { P } = opts.convex;
    convexBlocks(opts.convex, net.model, net.d, net.C).forEach((b, c) => {
      out[`convex.${c}.U`] = t(b.U, [net.d, P]);
      if (b.W) out[`convex.${c}.W`] = t(b.W, [net.d, P]);
    });
  }
  return out;
}

/**
 * `net` as a safetensors file, with `model`, `d`, `m`, `C` (and the caller's entries, e.g.
 * class names as JSON) in `__metadata__`.
 */
export function networkToSafetensors(net: Network, opts: NetworkTensorOptions & { metadata?: Record<string, string> } = {}): Uint8Array {
  const metadata: Record<string, string> = { format: 'cronos-network', model: net.model, d: String(net.d), m: String(net.m), C: String(net.C), ...opts.metadata };
  if (opts.convex) metadata.P = String(opts.convex.P);
  return writeSafetensors(networkTensors(net, opts), metadata);
}
