/**
 * The forward and transposed products (solver/gpu/gemm.ts) against float64 CPU references, on
 * dawn.node: every epilogue and load, ragged shapes, α and base, and bit-reproducibility.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGpuContext, type GpuContext } from '../../../solver/gpu/context';
import { nodeGpu } from '../../../solver/gpu/node-gpu';
import { readF32, runDispatches, storageBuffer, uploadF32, writeF32 } from '../../../solver/gpu/kernel';
import {
  forwardProduct,
  transposedProduct,
  type ForwardEpilogue,
  type TransposedLoad,
} from '../../../solver/gpu/gemm';
import { createRng } from '../../../solver/rng';

let ctx: GpuContext;

beforeAll(async () => {
  ctx = await createGpuContext(nodeGpu());
});

afterAll(() => {
  ctx?.destroy();
});

/** Max abs error over max abs reference. */
function relErr(got: ArrayLike<number>, ref: ArrayLike<number>): number {
  expect(got.length).toBeGreaterThanOrEqual(ref.length);
  let err = 0;
  let scale = 0;
  for (let i = 0; i < ref.length; i++) {
    const g = got[i]!;
    if (!Number.isFinite(g)) return Infinity;
    err = Math.max(err, Math.abs(g - ref[i]!));
    scale = Math.max(scale, Math.abs(ref[i]!));
  }
  return scale === 0 ? err : err / scale;
}

interface Data {
  X: Float32Array;
  D: Float32Array;
}

/** Random f32 inputs; values are rounded to f32 first so the f64 reference sees the same numbers. */
function randomData(seed: number, n: number, d: number, P: number): Data {
  const rng = createRng(seed);
  const X = new Float32Array(n * d).map(() => rng.uniform() * 2 - 1);
  const D = new Float32Array(n * P).map(() => (rng.uniform() < 0.5 ? 1 : 0));
  return { X, D };
}

function randomMatrix(seed: number, len: number): Float32Array {
  const rng = createRng(seed);
  return new Float32Array(len).map(() => rng.uniform() * 2 - 1);
}

function forwardRef(
  X: Float32Array, n: number, d: number, U: Float32Array, K: number, D: Float32Array, P: number, mode: ForwardEpilogue,
): { out: Float64Array; out2: Float64Array } {
  const out = new Float64Array(n * K);
  const out2 = new Float64Array(n * K);
  for (let j = 0; j < n; j++) {
    for (let c = 0; c < K; c++) {
      let z = 0;
      for (let k = 0; k < d; k++) z += X[j * d + k]! * U[k * K + c]!;
      const dv = D[j * P + (c % P)]!;
      const o = j * K + c;
      if (mode === 'plain') out[o] = z;
      else if (mode === 'cone') {
        out[o] = z;
        out2[o] = (2 * dv - 1) * z;
      } else if (mode === 'relu') out[o] = Math.max(z, 0);
      else out[o] = dv * z;
    }
  }
  return { out, out2 };
}

interface TShape {
  n: number;
  d: number;
  K: number;
  P: number;
  S: number;
  C: number;
}

/** L(R) as an n×K float64 matrix, then α·XᵀL + base. */
function transposedRef(
  X: Float32Array, s: TShape, R: Float32Array, D: Float32Array, load: TransposedLoad, alpha: number, base?: Float32Array,
): Float64Array {
  const { n, d, K, P, S, C } = s;
  const L = new Float64Array(n * K);
  for (let j = 0; j < n; j++) {
    for (let col = 0; col < K; col++) {
      const i = col % P;
      const dv = D[j * P + i]!;
      if (load === 'plain') L[j * K + col] = R[j * K + col]!;
      else if (load === 'cone') L[j * K + col] = (2 * dv - 1) * R[j * K + col]!;
      else {
        const cs = Math.floor(col / P);
        const sign = cs % S === 1 ? -1 : 1;
        const c = Math.floor(cs / S);
        L[j * K + col] = sign * dv * R[j * C + c]!;
      }
    }
  }
  const out = new Float64Array(d * K);
  for (let j = 0; j < n; j++) {
    for (let a = 0; a < d; a++) {
      const x = X[j * d + a]!;
      if (x === 0) continue;
      for (let col = 0; col < K; col++) out[a * K + col] += x * L[j * K + col]!;
    }
  }
  for (let i = 0; i < d * K; i++) out[i] = alpha * out[i]! + (base ? base[i]! : 0);
  return out;
}

async function runForward(
  data: Data, n: number, d: number, U: Float32Array, K: number, P: number, mode: ForwardEpilogue,
): Promise<{ out: Float32Array; out2: Float32Array }> {
  const Xb = uploadF32(ctx, data.X, 'X');
  const Ub = uploadF32(ctx, U, 'U');
  const Db = uploadF32(ctx, data.D, 'D');
  // Pre-filled with NaN so an element the kernel forgets to write fails the comparison.
  const out = uploadF32(ctx, new Float32Array(n * K).fill(NaN), 'out');
  const out2 = mode === 'cone' ? uploadF32(ctx, new Float32Array(n * K).fill(NaN), 'out2') : undefined;
  const list = forwardProduct(ctx, { X: Xb, n, d, U: Ub, K, D: Db, P, out, out2, epilogue: mode });
  runDispatches(ctx, list);
  const res = { out: await readF32(ctx, out, n * K), out2: out2 ? await readF32(ctx, out2, n * K) : new Float32Array(0) };
  for (const b of [Xb, Ub, Db, out, out2]) b?.destroy();
  return res;
}

const TOL = 1e-5;

describe('forwardProduct', () => {
  const shapes: Array<{ n: number; d: number; K: number; P: number }> = [
    { n: 1, d: 1, K: 1, P: 1 },
    { n: 37, d: 13, K: 6, P: 3 },
    { n: 37, d: 100, K: 64, P: 32 },
    { n: 1031, d: 100, K: 130, P: 65 },
    { n: 1000, d: 13, K: 64, P: 16 },
    { n: 5, d: 8, K: 8, P: 4 },
    { n: 70, d: 20, K: 36, P: 12 },
  ];
  const modes: ForwardEpilogue[] = ['plain', 'cone', 'relu', 'gate'];
  for (const [si, s] of shapes.entries()) {
    it(`n=${s.n} d=${s.d} K=${s.K} P=${s.P}: all epilogues`, async () => {
      const data = randomData(100 + si, s.n, s.d, s.P);
      const U = randomMatrix(200 + si, s.d * s.K);
      for (const mode of modes) {
        const got = await runForward(data, s.n, s.d, U, s.K, s.P, mode);
        const ref = forwardRef(data.X, s.n, s.d, U, s.K, data.D, s.P, mode);
        expect(relErr(got.out, ref.out), `${mode} out`).toBeLessThanOrEqual(TOL);
        if (mode === 'cone') expect(relErr(got.out2, ref.out2), 'cone out2').toBeLessThanOrEqual(TOL);
      }
    });
  }
});

async function runTransposed(
  data: Data, s: TShape, R: Float32Array, load: TransposedLoad, alpha: number, base?: Float32Array, inPlace = false,
): Promise<Float32Array> {
  const { n, d, K, P, S, C } = s;
  const Xb = uploadF32(ctx, data.X, 'X');
  const Rb = uploadF32(ctx, R, 'R');
  const Db = uploadF32(ctx, data.D, 'D');
  const out = inPlace && base ? uploadF32(ctx, base, 'out') : uploadF32(ctx, new Float32Array(d * K).fill(NaN), 'out');
  const baseBuf = inPlace ? out : base ? uploadF32(ctx, base, 'base') : undefined;
  const list = transposedProduct(ctx, { X: Xb, n, d, R: Rb, K, D: Db, P, S, C, out, alpha, base: baseBuf, load });
  runDispatches(ctx, list);
  const res = await readF32(ctx, out, d * K);
  for (const b of [Xb, Rb, Db, out, baseBuf]) b?.destroy();
  return res;
}

describe('transposedProduct', () => {
  const shapes: TShape[] = [
    { n: 1, d: 1, K: 1, P: 1, S: 1, C: 1 },
    { n: 37, d: 13, K: 6, P: 3, S: 2, C: 1 },
    { n: 37, d: 100, K: 64, P: 32, S: 2, C: 1 },
    { n: 1031, d: 100, K: 130, P: 65, S: 2, C: 1 },
    { n: 1000, d: 13, K: 36, P: 6, S: 2, C: 3 },
    { n: 1200, d: 100, K: 6, P: 2, S: 1, C: 3 },
    { n: 300, d: 8, K: 64, P: 32, S: 1, C: 2 },
    { n: 500, d: 20, K: 24, P: 4, S: 2, C: 3 },
  ];
  const loads: TransposedLoad[] = ['plain', 'cone', 'fT'];
  for (const [si, s] of shapes.entries()) {
    it(`n=${s.n} d=${s.d} K=${s.K} P=${s.P} S=${s.S} C=${s.C}: all loads`, async () => {
      const data = randomData(300 + si, s.n, s.d, s.P);
      for (const load of loads) {
        const R = randomMatrix(400 + si, s.n * (load === 'fT' ? s.C : s.K));
        const got = await runTransposed(data, s, R, load, 1);
        const ref = transposedRef(data.X, s, R, data.D, load, 1);
        expect(relErr(got, ref), load).toBeLessThanOrEqual(TOL);
      }
    });
  }

  it('α and base, separate and in place', async () => {
    const s: TShape = { n: 777, d: 13, K: 12, P: 6, S: 2, C: 1 };
    const data = randomData(500, s.n, s.d, s.P);
    const R = randomMatrix(501, s.n * s.K);
    const base = randomMatrix(502, s.d * s.K).map((v) => v * 50);
    for (const [alpha, inPlace] of [[-0.37, false], [2.5, true], [0, false]] as const) {
      const got = await runTransposed(data, s, R, 'cone', alpha, base, inPlace);
      const ref = transposedRef(data.X, s, R, data.D, 'cone', alpha, base);
      expect(relErr(got, ref), `alpha=${alpha} inPlace=${inPlace}`).toBeLessThanOrEqual(TOL);
    }
    const Rc = randomMatrix(503, s.n);
    const sT: TShape = { ...s, C: 1, S: 2 };
    const got = await runTransposed(data, sT, Rc, 'fT', 0.25, base);
    expect(relErr(got, transposedRef(data.X, sT, Rc, data.D, 'fT', 0.25, base))).toBeLessThanOrEqual(TOL);
  });

  it('is bit-reproducible and split-K agrees with the reference on a long sum', async () => {
    const s: TShape = { n: 6000, d: 16, K: 8, P: 4, S: 2, C: 1 };
    const data = randomData(600, s.n, s.d, s.P);
    const R = randomMatrix(601, s.n * s.K);
    const a = await runTransposed(data, s, R, 'cone', 1);
    const b = await runTransposed(data, s, R, 'cone', 1);
    expect(Buffer.from(a.buffer).equals(Buffer.from(b.buffer))).toBe(true);
    expect(relErr(a, transposedRef(data.X, s, R, data.D, 'cone', 1))).toBeLessThanOrEqual(TOL);
    const U = randomMatrix(602, s.d * s.K);
    const f1 = await runForward(data, s.n, s.d, U, s.K, s.P, 'cone');
    const f2 = await runForward(data, s.n, s.d, U, s.K, s.P, 'cone');
    expect(Buffer.from(f1.out2.buffer).equals(Buffer.from(f2.out2.buffer))).toBe(true);
  });

  it('replays the same dispatches (no per-call allocation) with updated inputs', async () => {
    const s: TShape = { n: 200, d: 12, K: 8, P: 4, S: 2, C: 1 };
    const data = randomData(700, s.n, s.d, s.P);
    const Xb = uploadF32(ctx, data.X, 'X');
    const Db = uploadF32(ctx, data.D, 'D');
    const Rb = storageBuffer(ctx, s.n * s.K * 4, 'R');
    const out = storageBuffer(ctx, s.d * s.K * 4, 'out');
    const list = transposedProduct(ctx, { X: Xb, ...s, R: Rb, D: Db, out, alpha: 1, load: 'plain' });
    for (const seed of [701, 702]) {
      const R = randomMatrix(seed, s.n * s.K);
      writeF32(ctx, Rb, R);
      runDispatches(ctx, list);
      const got = await readF32(ctx, out, s.d * s.K);
      expect(relErr(got, transposedRef(data.X, s, R, data.D, 'plain', 1))).toBeLessThanOrEqual(TOL);
    }
    for (const b of [Xb, Db, Rb, out]) b.destroy();
  });

  it('folds grids into 2-D when a dimension limit is hit', async () => {
    // Same device, but the products believe only 8 workgroups fit per dimension (51 and 46 tiles below).
    const real = ctx;
    ctx = { ...real, adapter: { ...real.adapter, maxComputeWorkgroupsPerDimension: 8 } };
    try {
      const s: TShape = { n: 1031, d: 100, K: 130, P: 65, S: 2, C: 1 };
      const data = randomData(800, s.n, s.d, s.P);
      const U = randomMatrix(801, s.d * s.K);
      const f = await runForward(data, s.n, s.d, U, s.K, s.P, 'gate');
      expect(relErr(f.out, forwardRef(data.X, s.n, s.d, U, s.K, data.D, s.P, 'gate').out)).toBeLessThanOrEqual(TOL);
      const sT: TShape = { n: 3000, d: 100, K: 8, P: 4, S: 2, C: 1 };
      const dT = randomData(802, sT.n, sT.d, sT.P);
      const R = randomMatrix(803, sT.n * sT.K);
      const got = await runTransposed(dT, sT, R, 'cone', 1);
      expect(relErr(got, transposedRef(dT.X, sT, R, dT.D, 'cone', 1))).toBeLessThanOrEqual(TOL);
    } finally {
      ctx = real;
    }
  });

  it('rejects inputs above the storage binding limit, naming size and limit', () => {
    const limit = ctx.adapter.maxStorageBufferBindingSize;
    const small = storageBuffer(ctx, 16, 'small');
    const n = Math.ceil(limit / 4 / 64) + 1;
    expect(() =>
      forwardProduct(ctx, { X: small, n, d: 64, U: small, K: 1, D: small, P: 1, out: small, epilogue: 'plain' }),
    ).toThrow(new RegExp(`X needs \\d+ bytes, above this GPU's maxStorageBufferBindingSize of ${limit}`));
    small.destroy();
  });
});
