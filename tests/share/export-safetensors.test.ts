/** safetensors writer and reader: round trips and the byte layout of the format. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { networkTensors, networkToSafetensors, readSafetensors, writeSafetensors, type SafeTensor } from '../../solver/export/safetensors';
import { colIndex } from '../../solver/types';
import { randomRun } from '../support/export-fixtures';

/** Header length, header JSON text (with padding) and the data part of a file. */
function split(bytes: Uint8Array): { N: number; headerText: string; header: Record<string, unknown>; data: Uint8Array } {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const N = Number(view.getBigUint64(0, true));
  const headerText = new TextDecoder().decode(bytes.subarray(8, 8 + N));
  return { N, headerText, header: JSON.parse(headerText) as Record<string, unknown>, data: bytes.subarray(8 + N) };
}

/** A file with a hand-made header and data part (for the reader's error paths). */
function file(header: unknown, data: Uint8Array = new Uint8Array(0), declared?: number): Uint8Array {
  const json = new TextEncoder().encode(JSON.stringify(header));
  const out = new Uint8Array(8 + json.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(declared ?? json.length), true);
  out.set(json, 8);
  out.set(data, 8 + json.length);
  return out;
}

const tensorArb: fc.Arbitrary<SafeTensor> = fc
  .tuple(fc.constantFrom('F32' as const, 'F64' as const), fc.array(fc.integer({ min: 0, max: 4 }), { maxLength: 3 }))
  .chain(([dtype, shape]) => {
    const count = shape.reduce((a, b) => a * b, 1);
    const data = dtype === 'F64' ? fc.float64Array({ minLength: count, maxLength: count }) : fc.float32Array({ minLength: count, maxLength: count });
    return data.map((d): SafeTensor => ({ dtype, shape, data: d }));
  });

describe('safetensors', () => {
  it('arbitrary tensor sets and metadata round-trip bit-exactly', () => {
    fc.assert(
      fc.property(
        fc.dictionary(fc.string({ minLength: 1, maxLength: 12 }).filter((k) => k !== '__metadata__'), tensorArb, { maxKeys: 6 }),
        fc.dictionary(fc.string({ maxLength: 10 }), fc.string({ maxLength: 20 }), { maxKeys: 3 }),
        (tensors, metadata) => {
          const bytes = writeSafetensors(tensors, metadata);
          const back = readSafetensors(bytes);
          expect(Object.keys(back.tensors).sort()).toEqual(Object.keys(tensors).sort());
          for (const [name, t] of Object.entries(tensors)) {
            const b = back.tensors[name];
            expect(b.dtype).toBe(t.dtype);
            expect(b.shape).toEqual(t.shape);
            expect(new Uint8Array(b.data.buffer)).toEqual(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength));
          }
          expect(back.metadata).toEqual(Object.keys(metadata).length ? metadata : {});
        },
      ),
      { numRuns: 200 },
    );
  });

  it('byte layout: u64 LE header length, space padding to 8 bytes, contiguous offsets, F64 first, LE data', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string({ minLength: 1, maxLength: 8 }).filter((k) => k !== '__metadata__'), tensorArb, { minKeys: 1, maxKeys: 6 }), (tensors) => {
        const bytes = writeSafetensors(tensors, { format: 'test' });
        const { N, headerText, header, data } = split(bytes);
        expect((8 + N) % 8).toBe(0);
        expect(headerText.startsWith('{')).toBe(true);
        expect(headerText.trimEnd()).toBe(headerText.replace(/ +$/, ''));
        expect(headerText.length - headerText.replace(/ +$/, '').length).toBeLessThan(8);
        expect(header.__metadata__).toEqual({ format: 'test' });
        const entries = Object.entries(header)
          .filter(([k]) => k !== '__metadata__')
          .map(([name, v]) => ({ name, ...(v as { dtype: 'F32' | 'F64'; shape: number[]; data_offsets: [number, number] }) }));
        entries.sort((a, b) => a.data_offsets[0] - b.data_offsets[0] || a.data_offsets[1] - b.data_offsets[1]);
        let end = 0;
        let lastF64End = 0;
        let firstF32Begin = Infinity;
        for (const e of entries) {
          expect(e.data_offsets[0]).toBe(end);
          const size = e.dtype === 'F64' ? 8 : 4;
          expect(e.data_offsets[0] % size).toBe(0);
          expect(e.data_offsets[1] - e.data_offsets[0]).toBe(e.shape.reduce((a, b) => a * b, 1) * size);
          if (e.dtype === 'F32') firstF32Begin = Math.min(firstF32Begin, e.data_offsets[0]);
          else lastF64End = Math.max(lastF64End, e.data_offsets[1]);
          const view = new DataView(data.buffer, data.byteOffset + e.data_offsets[0]);
          const t = tensors[e.name];
          for (let i = 0; i < t.data.length; i++) {
            const v = e.dtype === 'F64' ? view.getFloat64(8 * i, true) : view.getFloat32(4 * i, true);
            expect(Object.is(v, t.data[i]) || (Number.isNaN(v) && Number.isNaN(t.data[i]))).toBe(true);
          }
          end = e.data_offsets[1];
        }
        expect(end).toBe(data.length);
        expect(bytes.length).toBe(8 + N + end);
        // Wider elements first keeps every tensor aligned to its element size.
        expect(lastF64End).toBeLessThanOrEqual(firstF32Begin);
      }),
      { numRuns: 200 },
    );
  });

  it('a known file, byte for byte', () => {
    const bytes = writeSafetensors({ b: { dtype: 'F32', shape: [2], data: new Float32Array([1, -2]) }, a: { dtype: 'F64', shape: [], data: new Float64Array([0.5]) } });
    const header = '{"a":{"dtype":"F64","shape":[],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[8,16]}}';
    const padded = header + ' '.repeat((8 - (header.length % 8)) % 8);
    const expected = Buffer.concat([
      Buffer.from([padded.length, 0, 0, 0, 0, 0, 0, 0]),
      Buffer.from(padded),
      Buffer.from(new Float64Array([0.5]).buffer),
      Buffer.from(new Float32Array([1, -2]).buffer),
    ]);
    expect(Buffer.from(bytes).equals(expected)).toBe(true);
  });

  it('matches the reference implementation byte for byte (file written by Python safetensors 0.8.0)', () => {
    // save_file({'b': np.array([1, -2], np.float32), 'a': np.array(0.5)}, path, metadata={'k': 'v'})
    const reference = Buffer.from(
      'iAAAAAAAAAB7Il9fbWV0YWRhdGFfXyI6eyJrIjoidiJ9LCJhIjp7ImR0eXBlIjoiRjY0Iiwic2hhcGUiOltdLCJkYXRhX29mZnNldHMiOlswLDhdfSwiYiI6eyJkdHlwZSI6IkYzMiIsInNoYXBlIjpbMl0sImRhdGFfb2Zmc2V0cyI6WzgsMTZdfX0gICAgAAAAAAAA4D8AAIA/AAAAwA==',
      'base64',
    );
    const f = readSafetensors(reference);
    expect(f).toEqual({
      tensors: { a: { dtype: 'F64', shape: [], data: new Float64Array([0.5]) }, b: { dtype: 'F32', shape: [2], data: new Float32Array([1, -2]) } },
      metadata: { k: 'v' },
    });
    expect(Buffer.from(writeSafetensors(f.tensors, f.metadata)).equals(reference)).toBe(true);
  });

  it('network tensors: W1, w2, gates and per-class convex blocks', () => {
    for (const model of ['relu', 'gated'] as const) {
      for (const classes of [2, 3]) {
        const { problem, U, net } = randomRun({ n: 30, d: 4, P: 5, classes, model, seed: 11 });
        const f = readSafetensors(networkToSafetensors(net, { convex: { U, P: problem.P }, metadata: { classNames: JSON.stringify(['a', 'b']) } }));
        expect(f.tensors.W1).toEqual({ dtype: 'F64', shape: [net.d, net.m], data: net.W1 });
        expect(f.tensors.w2).toEqual({ dtype: 'F64', shape: [net.m, net.C], data: net.w2 });
        if (model === 'gated') expect(f.tensors.gates.data).toEqual(net.gates);
        else expect(f.tensors.gates).toBeUndefined();
        expect(f.metadata).toMatchObject({ format: 'cronos-network', model, d: '4', m: String(net.m), C: String(problem.C), P: '5', classNames: '["a","b"]' });
        for (let c = 0; c < problem.C; c++) {
          for (let s = 0; s < problem.S; s++) {
            const t = f.tensors[`convex.${c}.${s === 0 ? 'U' : 'W'}`];
            expect(t.shape).toEqual([problem.d, problem.P]);
            for (let k = 0; k < problem.d; k++) {
              for (let i = 0; i < problem.P; i++) expect(t.data[k * problem.P + i]).toBe(U[k * problem.K + colIndex(problem, c, s, i)]);
            }
          }
        }
        expect(f.tensors[`convex.${problem.C}.U`]).toBeUndefined();
        const f32 = networkTensors(net, { dtype: 'F32' });
        expect(f32.W1.data).toEqual(Float32Array.from(net.W1));
      }
    }
  });

  it('an empty network (every neuron pruned) is a valid file', () => {
    const net = { model: 'relu' as const, d: 3, m: 0, C: 1, W1: new Float64Array(0), w2: new Float64Array(0) };
    const f = readSafetensors(networkToSafetensors(net));
    expect(f.tensors.W1.shape).toEqual([3, 0]);
    expect(f.tensors.w2.shape).toEqual([0, 1]);
  });

  it('the writer refuses inconsistent tensors and the reserved name', () => {
    expect(() => writeSafetensors({ x: { dtype: 'F64', shape: [2, 2], data: new Float64Array(3) } })).toThrow(/holds 4 values/);
    expect(() => writeSafetensors({ x: { dtype: 'F32', shape: [1], data: new Float64Array(1) } })).toThrow(/does not match/);
    expect(() => writeSafetensors({ x: { dtype: 'F64', shape: [-1], data: new Float64Array(0) } })).toThrow(RangeError);
    expect(() => writeSafetensors({ __metadata__: { dtype: 'F64', shape: [], data: new Float64Array(1) } })).toThrow(/reserved/);
  });

  it('a tensor named __proto__ is a key, not a prototype', () => {
    const tensors: Record<string, SafeTensor> = {};
    Object.defineProperty(tensors, '__proto__', { value: { dtype: 'F64', shape: [1], data: new Float64Array([7]) }, enumerable: true });
    const back = readSafetensors(writeSafetensors(tensors));
    expect(Object.getPrototypeOf(back.tensors)).toBe(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(back.tensors, '__proto__')?.value.data).toEqual(new Float64Array([7]));
  });

  it('the reader rejects malformed files with a message', () => {
    const t = (h: unknown, d?: Uint8Array, declared?: number): (() => unknown) => () => readSafetensors(file(h, d, declared));
    expect(() => readSafetensors(new Uint8Array(7))).toThrow(/shorter than/);
    expect(t({}, undefined, 10_000)).toThrow(/header length 10000 exceeds/);
    expect(() => readSafetensors(new Uint8Array([2, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff]))).toThrow(/not UTF-8 JSON/);
    expect(t([])).toThrow(/not a JSON object/);
    expect(t({ x: { dtype: 'BF16', shape: [1], data_offsets: [0, 2] } }, new Uint8Array(2))).toThrow(/dtype "BF16"; only F32 and F64/);
    expect(t({ x: { dtype: 'F32', shape: [2], data_offsets: [0, 4] } }, new Uint8Array(4))).toThrow(/do not match shape/);
    expect(t({ x: { dtype: 'F32', shape: [1.5], data_offsets: [0, 4] } }, new Uint8Array(4))).toThrow(/invalid shape/);
    expect(t({ x: { dtype: 'F32', shape: [1], data_offsets: [0, 4], extra: 1 } }, new Uint8Array(4))).toThrow(/exactly dtype, shape and data_offsets/);
    expect(t({ x: { dtype: 'F32', shape: [1], data_offsets: [4, 8] } }, new Uint8Array(8))).toThrow(/hole or overlap/);
    expect(
      t({ x: { dtype: 'F32', shape: [2], data_offsets: [0, 8] }, y: { dtype: 'F32', shape: [1], data_offsets: [4, 8] } }, new Uint8Array(8)),
    ).toThrow(/hole or overlap/);
    expect(t({ x: { dtype: 'F32', shape: [1], data_offsets: [0, 4] } }, new Uint8Array(12))).toThrow(/cover 4 of 12/);
    expect(t({ x: { dtype: 'F32', shape: [1], data_offsets: [0, 4] } }, new Uint8Array(2))).toThrow(/within 2 data bytes/);
    expect(t({ __metadata__: { a: 1 } })).toThrow(/__metadata__.a is not a string/);
    expect(t({ x: { dtype: 'F64', shape: [2 ** 40, 2 ** 40], data_offsets: [0, 8] } }, new Uint8Array(8))).toThrow(RangeError);
  });

  it('truncations and random byte changes of a valid file never escape as anything but RangeError', () => {
    const { net, U, problem } = randomRun({ n: 20, d: 3, P: 4, classes: 2, model: 'gated', seed: 5 });
    const good = networkToSafetensors(net, { convex: { U, P: problem.P } });
    fc.assert(
      fc.property(fc.nat(), fc.integer({ min: 1, max: 255 }), fc.nat({ max: 64 }), (pos, x, cut) => {
        const m = Uint8Array.from(good.subarray(0, good.length - cut));
        m[pos % m.length] ^= x;
        try {
          readSafetensors(m);
        } catch (e) {
          expect(e).toBeInstanceOf(RangeError);
        }
      }),
      { numRuns: 500 },
    );
  });
});
