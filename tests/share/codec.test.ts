/** Byte helpers of links and session files, checked against Node's Buffer and zlib. */
import fc from 'fast-check';
import { deflateRawSync, gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { crc32, deflateRaw, fromBase64, fromUtf8, gunzipCapped, gzip, inflateRawCapped, isGzip, toBase64, utf8 } from '../../app/share/codec';
import { Invalid } from '../../app/share/validate';

describe('base64 / base64url', () => {
  it('match Buffer on arbitrary bytes and round-trip', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        const b = Buffer.from(bytes);
        expect(toBase64(bytes)).toBe(b.toString('base64'));
        expect(toBase64(bytes, true)).toBe(b.toString('base64url'));
        expect(fromBase64(toBase64(bytes), 't')).toEqual(bytes);
        expect(fromBase64(toBase64(bytes, true), 't', true)).toEqual(bytes);
      }),
      { numRuns: 500 },
    );
  });

  it('accept exactly one encoding per byte string', () => {
    expect(() => fromBase64('QR', 't', true)).toThrow(/non-canonical/); // 'QQ' is the canonical form of "A"
    expect(() => fromBase64('QR==', 't')).toThrow(/non-canonical/);
    expect(() => fromBase64('QQ', 't')).toThrow(/multiple of 4/);
    expect(() => fromBase64('QQ==', 't', true)).toThrow(/invalid character/);
    expect(() => fromBase64('Q', 't', true)).toThrow(/truncated/);
    expect(() => fromBase64('a+b/', 't', true)).toThrow(Invalid);
    expect(() => fromBase64('a-b_', 't')).toThrow(Invalid);
    expect(fromBase64('QQ', 't', true)).toEqual(new Uint8Array([65]));
  });

  it('encode long inputs', () => {
    const big = new Uint8Array(1 << 20).map((_, i) => (i * 2654435761) >>> 24);
    expect(toBase64(big)).toBe(Buffer.from(big).toString('base64'));
  });
});

describe('checksums', () => {
  it('CRC-32 matches the trailer Node writes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 20_000 }), (bytes) => {
        const g = gzipSync(bytes);
        expect(crc32(bytes)).toBe(g.readUInt32LE(g.length - 8));
      }),
      { numRuns: 100 },
    );
    expect(crc32(utf8('123456789'))).toBe(0xcbf43926); // the standard check value
  });
});

describe('capped inflation', () => {
  it('inflates Node raw-deflate and gzip output, and its own, with and without a dictionary', () => {
    const dictionary = utf8('{"solver":{"P":64,"beta":0.01}}');
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 5000 }), (bytes) => {
        expect(inflateRawCapped(deflateRawSync(bytes), 5000, 't')).toEqual(bytes);
        expect(inflateRawCapped(deflateRaw(bytes), 5000, 't')).toEqual(bytes);
        expect(inflateRawCapped(deflateRawSync(bytes, { dictionary }), 5000, 't', dictionary)).toEqual(bytes);
        expect(inflateRawCapped(deflateRaw(bytes, dictionary), 5000, 't', dictionary)).toEqual(bytes);
        expect(gunzipCapped(gzipSync(bytes), 5000, 't')).toEqual(bytes);
        expect(gunzipCapped(gzip(bytes), 5000, 't')).toEqual(bytes);
        expect(isGzip(gzip(bytes))).toBe(true);
      }),
      { numRuns: 100 },
    );
  });

  it('stops a zip bomb at the cap, quickly', () => {
    const zeros = new Uint8Array(64 << 20);
    const zbomb = deflateRawSync(zeros, { level: 9 });
    const gbomb = gzipSync(zeros, { level: 9 });
    expect(zbomb.length).toBeLessThan(100_000);
    const t0 = performance.now();
    expect(() => inflateRawCapped(zbomb, 1 << 20, 'bomb')).toThrow('bomb: inflates to more than 1048576 bytes');
    expect(() => gunzipCapped(gbomb, 1 << 20, 'bomb')).toThrow('bomb: inflates to more than 1048576 bytes');
    expect(performance.now() - t0).toBeLessThan(3000);
    expect(inflateRawCapped(deflateRawSync(new Uint8Array(1000)), 1000, 't').length).toBe(1000);
    expect(() => inflateRawCapped(deflateRawSync(new Uint8Array(1001)), 1000, 't')).toThrow(/inflates to more than 1000/);
  });

  it('rejects truncation of a deflate stream, and corruption, truncation, trailing data and second members of gzip', () => {
    const text = utf8('the quick brown fox jumps over the lazy dog '.repeat(50));
    const z = deflateRaw(text);
    const g = gzip(text);
    for (let len = 0; len < z.length; len++) expect(() => inflateRawCapped(z.subarray(0, len), 1e6, 't')).toThrow(Invalid);
    for (let len = 0; len < g.length; len++) expect(() => gunzipCapped(g.subarray(0, len), 1e6, 't')).toThrow(Invalid);
    const gflipped = Uint8Array.from(g);
    gflipped[g.length - 6] ^= 1;
    expect(() => gunzipCapped(gflipped, 1e6, 't')).toThrow(/checksum mismatch/);
    const twoMembers = new Uint8Array([...g, ...gzip(utf8('more'))]);
    expect(() => gunzipCapped(twoMembers, 1e6, 't')).toThrow(Invalid);
    expect(() => gunzipCapped(new Uint8Array([...g, 0, 0, 0]), 1e6, 't')).toThrow(Invalid);
    fc.assert(
      fc.property(fc.nat(), fc.integer({ min: 1, max: 255 }), (pos, x) => {
        const m = Uint8Array.from(g);
        m[pos % m.length] ^= x;
        let out: Uint8Array | null = null;
        try {
          out = gunzipCapped(m, 1e6, 't');
        } catch (e) {
          expect(e).toBeInstanceOf(Invalid);
        }
        // Only header fields and padding bits may change without an error; the data cannot.
        if (out) expect(out).toEqual(text);
      }),
      { numRuns: 500 },
    );
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (junk) => {
        try {
          inflateRawCapped(junk, 1e5, 't');
        } catch (e) {
          expect(e).toBeInstanceOf(Invalid);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('UTF-8 decoding is strict', () => {
    expect(fromUtf8(utf8('héllo ✓'), 't')).toBe('héllo ✓');
    expect(() => fromUtf8(new Uint8Array([0xc3]), 't')).toThrow('t: is not valid UTF-8 text');
    expect(() => fromUtf8(new Uint8Array([0xed, 0xa0, 0x80]), 't')).toThrow(Invalid); // an encoded surrogate
  });
});
