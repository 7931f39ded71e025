/**
 * Seeded pseudo-random numbers, identical in every JS engine, so that a seed reproduces the same
 * gates and sketch in the browser, in a Worker and in Node.
 */

/** A stream of uniforms in [0,1) and standard normals. */
export interface Rng {
  uniform(): number;
  normal(): number;
}

/** xoshiro128** seeded through splitmix32; `stream` separates independent uses of one seed. */
export function createRng(seed: number, stream = 0): Rng {
  let x = (Math.trunc(seed) ^ Math.imul(stream + 1, 0x9e3779b9)) >>> 0;
  const split = (): number => {
    x = (x + 0x9e3779b9) >>> 0;
    let z = x;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
  const s = new Uint32Array([split(), split(), split(), split()]);
  const next = (): number => {
    const result = Math.imul(rotl(Math.imul(s[1], 5), 7), 9) >>> 0;
    const t = (s[1] << 9) >>> 0;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 11);
    return result;
  };
  let spare: number | null = null;
  const uniform = (): number => (next() * 2 ** 21 + (next() >>> 11)) / 2 ** 53;
  return {
    uniform,
    normal(): number {
      if (spare !== null) {
        const v = spare;
        spare = null;
        return v;
      }
      // Box–Muller; 1 − u keeps the log argument in (0, 1].
      const u1 = 1 - uniform();
      const u2 = uniform();
      const r = Math.sqrt(-2 * Math.log(u1));
      spare = r * Math.sin(2 * Math.PI * u2);
      return r * Math.cos(2 * Math.PI * u2);
    },
  };
}

function rotl(v: number, k: number): number {
  return ((v << k) | (v >>> (32 - k))) >>> 0;
}

/** Seed streams, so that changing P does not change the Nyström sketch's randomness and so on. */
export const RNG_STREAM = { gates: 1, nystrom: 2, split: 3, data: 4, deepInit: 5, deepSampler: 6, raceLr: 7 } as const;
