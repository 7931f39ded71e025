/**
 * Arrays inside session files: `{ "dtype": "f64" | "i32", "shape": [...], "base64": "..." }` with
 * little-endian data in standard base64. Exact (NaN, ±Infinity and −0 survive), about half the
 * size of decimal JSON, and one line to read in Python:
 * `np.frombuffer(base64.b64decode(t["base64"]), "<f8").reshape(t["shape"])`.
 */
import { fromBase64, toBase64 } from './codec';
import { Invalid, array, int, object, oneOf, own, required } from './validate';

/** A session array as written to JSON. */
export interface TensorJson {
  dtype: 'f64' | 'i32';
  shape: number[];
  base64: string;
}

/** Largest array in a session file (elements): 2^27 doubles are 1 GiB, far past any page's use. */
export const MAX_TENSOR_ELEMENTS = 2 ** 27;

/** `data` (row-major, `shape`) as a {@link TensorJson}. */
export function tensorToJson(data: Float64Array | Int32Array, shape: number[]): TensorJson {
  const count = shape.reduce((a, b) => a * b, 1);
  if (count !== data.length) throw new RangeError(`shape [${shape.join(', ')}] holds ${count} values, the array has ${data.length}`);
  const f64 = data instanceof Float64Array;
  const size = f64 ? 8 : 4;
  const bytes = new Uint8Array(data.length * size);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < data.length; i++) {
    if (f64) view.setFloat64(i * 8, data[i], true);
    else view.setInt32(i * 4, data[i], true);
  }
  return { dtype: f64 ? 'f64' : 'i32', shape: shape.slice(), base64: toBase64(bytes) };
}

/**
 * Reads a {@link TensorJson} of the expected dtype; `shape` entries that are numbers must match,
 * `null` entries are free and returned. Throws {@link Invalid}.
 */
export function tensorFromJson<D extends 'f64' | 'i32'>(
  v: unknown,
  path: string,
  dtype: D,
  shape: (number | null)[],
): { data: D extends 'f64' ? Float64Array : Int32Array; shape: number[] } {
  const o = object(v, path, ['dtype', 'shape', 'base64']);
  oneOf(required(o, 'dtype', path), `${path}.dtype`, [dtype]);
  const rawShape = array(required(o, 'shape', path), `${path}.shape`, shape.length);
  if (rawShape.length !== shape.length) throw new Invalid(`${path}.shape: must have ${shape.length} dimensions, got ${rawShape.length}`);
  const dims = rawShape.map((x, i) => {
    const want = shape[i];
    return want === null ? int(x, `${path}.shape[${i}]`, 0, MAX_TENSOR_ELEMENTS) : int(x, `${path}.shape[${i}]`, want, want);
  });
  const count = dims.reduce((a, b) => a * b, 1);
  if (count > MAX_TENSOR_ELEMENTS) throw new Invalid(`${path}: ${count} elements, more than ${MAX_TENSOR_ELEMENTS}`);
  const b64 = own(o, 'base64');
  if (typeof b64 !== 'string') throw new Invalid(`${path}.base64: must be a string`);
  const size = dtype === 'f64' ? 8 : 4;
  // Check the length before decoding, so a lying shape costs nothing.
  if (b64.length !== 4 * Math.ceil((count * size) / 3)) throw new Invalid(`${path}.base64: must hold ${count * size} bytes for shape [${dims.join(', ')}]`);
  const bytes = fromBase64(b64, `${path}.base64`);
  if (bytes.length !== count * size) throw new Invalid(`${path}.base64: must hold ${count * size} bytes, got ${bytes.length}`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (dtype === 'f64') {
    const out = new Float64Array(count);
    for (let i = 0; i < count; i++) out[i] = view.getFloat64(i * 8, true);
    return { data: out as D extends 'f64' ? Float64Array : Int32Array, shape: dims };
  }
  const out = new Int32Array(count);
  for (let i = 0; i < count; i++) out[i] = view.getInt32(i * 4, true);
  return { data: out as D extends 'f64' ? Float64Array : Int32Array, shape: dims };
}
