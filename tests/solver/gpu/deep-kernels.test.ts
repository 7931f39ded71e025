/**
 * Every deep-network kernel (shaders/deep_*.wgsl through solver/deep/gpu/kernels.ts) against a
 * naive float64 loop (tests/support/deep-f64.ts), float32 relative error ≤ 1e-4: odd sizes, operands
 * at odd offsets inside θ, conv/pool on odd H, W, a partial batch, and each optimizer's k-step
 * trajectory (DAdapt also with s = 0, and a trainable prefix shorter than θ).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GpuContext } from '../../../solver/gpu/context';
import { destroyDispatches, readF32, runDispatches, type Dispatch } from '../../../solver/gpu/kernel';
import { GpuResources } from '../../../solver/gpu/resources';
import {
  colsum,
  convBackwardData,
  convBackwardWeights,
  convForward,
  convWeightSplit,
  dadaptGroups,
  gather,
  gemm,
  im2col,
  lossKernel,
  optimizerDispatches,
  optimizerFields,
  poolBackward,
  poolForward,
  reluBackward,
  reluForward,
  type ConvArgs,
} from '../../../solver/deep/gpu/kernels';
import { gpuLayout } from '../../../solver/deep/gpu/layout';
import type { LossKind, OptimizerConfig } from '../../../solver/deep/types';
import {
  convBackRef,
  convRef,
  correctRef,
  lossRef,
  matmulRef,
  optStepRef,
  poolBackRef,
  poolRef,
  refOptState,
  transposeRef,
} from '../../support/deep-f64';
import { gpuContext, randomVector, relError } from '../../support/helpers';

let ctx: GpuContext;
let res: GpuResources;
beforeAll(async () => {
  ctx = await gpuContext();
  res = new GpuResources(ctx, 'deep kernel tests');
});
afterAll(() => {
  res?.destroy();
  ctx?.destroy();
});

const TOL = 1e-4;

/** Runs the dispatches once (one submit), frees their uniforms, reads `count` floats of `out`. */
async function run(list: Dispatch[], out: GPUBuffer, count: number, offset = 0): Promise<Float32Array> {
  runDispatches(ctx, list);
  const r = await readF32(ctx, out, count, offset);
  destroyDispatches(list);
  return r;
}

function u32Buffer(data: ArrayLike<number>, label: string): GPUBuffer {
  const buf = res.buffer(data.length * 4, label);
  const u = Uint32Array.from(data);
  ctx.device.queue.writeBuffer(buf, 0, u.buffer, u.byteOffset, u.byteLength);
  return buf;
}

/** A [B, base, 1/B, 0] batch uniform. */
function batchUniform(B: number, base: number): GPUBuffer {
  const buf = res.create({ size: 16, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST });
  const raw = new ArrayBuffer(16);
  const v = new DataView(raw);
  v.setUint32(0, B, true);
  v.setUint32(4, base, true);
  v.setFloat32(8, 1 / B, true);
  ctx.device.queue.writeBuffer(buf, 0, raw);
  return buf;
}

/** Rounds to float32 (what the GPU sees). */
const f32 = (a: ArrayLike<number>): Float64Array => Float64Array.from(Float32Array.from(a));

describe('layout', () => {
  it('places kernels before biases in layer order (dense in×out, conv HWIO)', () => {
    const l = gpuLayout({
      input: { h: 5, w: 3, c: 2 },
      layers: [{ kind: 'conv3x3', out: 4, bias: true }, { kind: 'relu' }, { kind: 'avgpool2' }, { kind: 'flatten' }, { kind: 'dense', out: 3, bias: false }, { kind: 'dense', out: 2, bias: true }],
    });
    // conv 3·3·2·4 = 72, bias 4; pool 5×3 → 2×1, flatten 2·1·4 = 8; dense 8×3 = 24; dense 3×2 = 6, bias 2.
    expect(l.slots.map((s) => [s.layer, s.name, s.offset, s.size])).toEqual([
      [0, 'kernel', 0, 72], [0, 'bias', 72, 4], [4, 'kernel', 76, 24], [5, 'kernel', 100, 6], [5, 'bias', 106, 2],
    ]);
    expect(l.paramCount).toBe(108);
    expect(l.shapes[3]).toEqual({ h: 2, w: 1, c: 4 });
  });

  it('names the bad value of a malformed architecture', () => {
    expect(() => gpuLayout({ input: { h: 1, w: 1, c: 3 }, layers: [{ kind: 'dense', out: 0, bias: true }] })).toThrow(/has 0 outputs; its out must be a positive integer/);
    expect(() => gpuLayout({ input: { h: 1, w: 1, c: 3 }, layers: [{ kind: 'avgpool2' }] })).toThrow(/gets 1×1×3, too small to pool/);
  });
});

describe('deep_gemm', () => {
  const M = 37;
  const K = 53;
  const N = 19;
  const A = randomVector(M * K, 1);
  const W = randomVector(K * N, 2);
  const bias = randomVector(N, 3);
  // θ-like buffer: 5 junk values, W, 3 junk, bias (odd offsets, as slots are).
  const theta = f32([...randomVector(5, 4), ...W, 0.5, -0.25, 2, ...bias]);
  const oW = 5;
  const oB = 5 + K * N + 3;

  it('forward Y = X·W + b with W and b inside θ', async () => {
    const a = res.upload(A, 'A');
    const t = res.upload(theta, 'θ');
    const out = res.buffer(M * N * 4, 'Y');
    const got = await run([gemm(ctx, { M, N, K, A: { buf: a, offset: 0, s0: K, s1: 1 }, B: { buf: t, offset: oW, s0: N, s1: 1 }, out, outOffset: 0, bias: { buf: t, offset: oB } })], out, M * N);
    const want = matmulRef(f32(A), theta.subarray(oW, oW + K * N), M, K, N);
    for (let i = 0; i < M; i++) for (let j = 0; j < N; j++) want[i * N + j] += theta[oB + j]!;
    expect(relError(got, want)).toBeLessThan(TOL);
  });

  it('dX = dY·Wᵀ (transposed B read through strides)', async () => {
    const dY = randomVector(M * N, 5);
    const a = res.upload(dY, 'dY');
    const t = res.upload(theta, 'θ');
    const out = res.buffer(M * K * 4, 'dX');
    const got = await run([gemm(ctx, { M, N: K, K: N, A: { buf: a, offset: 0, s0: N, s1: 1 }, B: { buf: t, offset: oW, s0: 1, s1: N }, out, outOffset: 0, bias: null })], out, M * K);
    const want = matmulRef(f32(dY), transposeRef(theta.subarray(oW, oW + K * N), K, N), M, N, K);
    expect(relError(got, want)).toBeLessThan(TOL);
  });

  it('dW = Xᵀ·dY written at an offset of the gradient', async () => {
    const dY = randomVector(M * N, 6);
    const x = res.upload(A, 'X');
    const d = res.upload(dY, 'dY');
    const out = res.buffer((7 + K * N) * 4, 'g');
    const got = await run([gemm(ctx, { M: K, N, K: M, A: { buf: x, offset: 0, s0: 1, s1: K }, B: { buf: d, offset: 0, s0: N, s1: 1 }, out, outOffset: 7, bias: null })], out, K * N, 7);
    const want = matmulRef(transposeRef(f32(A), M, K), f32(dY), K, M, N);
    expect(relError(got, want)).toBeLessThan(TOL);
  });
});

describe('element-wise and reductions', () => {
  it('deep_colsum in two levels equals the column sums', async () => {
    const R = 301;
    const C = 7;
    const S = 5;
    const Mv = randomVector(R * C, 7);
    const m = res.upload(Mv, 'M');
    const part = res.buffer(S * C * 4, 'part');
    const out = res.buffer((3 + C) * 4, 'out');
    const got = await run([colsum(ctx, m, R, C, S, part, 0), colsum(ctx, part, S, C, 1, out, 3)], out, C, 3);
    const want = new Float64Array(C);
    for (let i = 0; i < R; i++) for (let j = 0; j < C; j++) want[j] += f32(Mv)[i * C + j]!;
    expect(relError(got, want)).toBeLessThan(TOL);
  });

  it('relu forward and backward (relu′(0) = 0)', async () => {
    const n = 1000;
    const xv = randomVector(n, 8);
    xv[3] = 0;
    const dyv = randomVector(n, 9);
    const x = res.upload(xv, 'x');
    const y = res.buffer(n * 4, 'y');
    const dy = res.upload(dyv, 'dy');
    const dx = res.buffer(n * 4, 'dx');
    const got = await run([reluForward(ctx, x, y, n), reluBackward(ctx, y, dy, dx, n)], dx, n);
    const gotY = await readF32(ctx, y, n);
    expect(relError(gotY, xv.map((v) => Math.max(v, 0)))).toBeLessThan(TOL);
    expect(relError(got, dyv.map((v, i) => (xv[i]! > 0 ? v : 0)))).toBeLessThan(TOL);
    expect(got[3]).toBe(0);
  });

  it.each([[7, 5, 3], [6, 9, 2]])('avgpool2 forward and backward on %i×%i×%i (odd sizes drop the last row/column)', async (H, W, C) => {
    const B = 2;
    const xv = randomVector(B * H * W * C, 10);
    const Ho = Math.floor(H / 2);
    const Wo = Math.floor(W / 2);
    const dyv = randomVector(B * Ho * Wo * C, 11);
    const x = res.upload(xv, 'x');
    const y = res.buffer(B * Ho * Wo * C * 4, 'y');
    const dy = res.upload(dyv, 'dy');
    const dx = res.buffer(B * H * W * C * 4, 'dx');
    const dims = { B, H, W, C };
    const gotDx = await run([poolForward(ctx, x, y, dims), poolBackward(ctx, dy, dx, dims)], dx, B * H * W * C);
    const gotY = await readF32(ctx, y, B * Ho * Wo * C);
    expect(relError(gotY, poolRef(f32(xv), B, H, W, C))).toBeLessThan(TOL);
    expect(relError(gotDx, poolBackRef(f32(dyv), B, H, W, C))).toBeLessThan(TOL);
  });
});

describe('conv3x3', () => {
  it.each([
    [2, 7, 5, 3, 6, true],
    [3, 4, 4, 5, 4, false],
    [1, 3, 1, 1, 9, true],
  ])('B=%i H=%i W=%i Cin=%i Cout=%i bias=%s: forward, data and weight gradients', async (B, H, W, cin, cout, hasBias) => {
    const xv = randomVector(B * H * W * cin, 12);
    const kv = randomVector(9 * cin * cout, 13);
    const bv = randomVector(cout, 14);
    const dyv = randomVector(B * H * W * cout, 15);
    const theta = f32([0.1, 0.2, 0.3, ...kv, ...(hasBias ? bv : [])]);
    const c: ConvArgs = { B, H, W, cin, cout, kernelOffset: 3, biasOffset: hasBias ? 3 + kv.length : null };
    const x = res.upload(xv, 'x');
    const t = res.upload(theta, 'θ');
    const y = res.buffer(B * H * W * cout * 4, 'y');
    const dy = res.upload(dyv, 'dy');
    const dx = res.buffer(B * H * W * cin * 4, 'dx');
    const { S, chunk } = convWeightSplit(c);
    const taps = 9 * cin * cout;
    const part = res.buffer(S * taps * 4, 'part');
    const g = res.buffer((2 + taps) * 4, 'g');
    const list = [convForward(ctx, x, t, y, c), convBackwardData(ctx, dy, t, dx, c), convBackwardWeights(ctx, x, dy, part, c, S, chunk), colsum(ctx, part, S, taps, 1, g, 2)];
    const gotDk = await run(list, g, taps, 2);
    const gotY = await readF32(ctx, y, B * H * W * cout);
    const gotDx = await readF32(ctx, dx, B * H * W * cin);
    const k64 = theta.subarray(3, 3 + kv.length);
    expect(relError(gotY, convRef(f32(xv), B, H, W, cin, cout, k64, hasBias ? theta.subarray(3 + kv.length) : null))).toBeLessThan(TOL);
    const back = convBackRef(f32(xv), f32(dyv), B, H, W, cin, cout, k64);
    expect(relError(gotDx, back.dx)).toBeLessThan(TOL);
    expect(relError(gotDk, back.dk)).toBeLessThan(TOL);
  });
});

describe('im2col (the benchmark\'s alternative conv form)', () => {
  it('patches · K equals the direct convolution, patchesᵀ · dY its kernel gradient', async () => {
    const [B, H, W, cin, cout] = [2, 5, 7, 3, 6];
    const xv = randomVector(B * H * W * cin, 50);
    const kv = f32(randomVector(9 * cin * cout, 51));
    const dyv = randomVector(B * H * W * cout, 52);
    const Q = B * H * W;
    const x = res.upload(xv, 'x');
    const k = res.upload(kv, 'K');
    const dy = res.upload(dyv, 'dy');
    const patches = res.buffer(Q * 9 * cin * 4, 'patches');
    const y = res.buffer(Q * cout * 4, 'y');
    const dk = res.buffer(9 * cin * cout * 4, 'dk');
    const gotDk = await run([
      im2col(ctx, x, patches, { B, H, W, C: cin }),
      gemm(ctx, { M: Q, N: cout, K: 9 * cin, A: { buf: patches, offset: 0, s0: 9 * cin, s1: 1 }, B: { buf: k, offset: 0, s0: cout, s1: 1 }, out: y, outOffset: 0, bias: null }),
      gemm(ctx, { M: 9 * cin, N: cout, K: Q, A: { buf: patches, offset: 0, s0: 1, s1: 9 * cin }, B: { buf: dy, offset: 0, s0: cout, s1: 1 }, out: dk, outOffset: 0, bias: null }),
    ], dk, 9 * cin * cout);
    const gotY = await readF32(ctx, y, Q * cout);
    expect(relError(gotY, convRef(f32(xv), B, H, W, cin, cout, kv, null))).toBeLessThan(TOL);
    expect(relError(gotDk, convBackRef(f32(xv), f32(dyv), B, H, W, cin, cout, kv).dk)).toBeLessThan(TOL);
  });
});

describe('gather and losses', () => {
  const n = 40;
  const D = 5;
  const Bmax = 12;
  const B = 9; // a partial batch: rows B..Bmax−1 must be zero
  const Xv = randomVector(n * D, 16);
  const rows = [3, 39, 0, 7, 7, 21, 16, 2, 30];

  it('gathers rows by index (zero padding past B) and contiguous ranges', async () => {
    const X = res.upload(Xv, 'X');
    const idx = u32Buffer([...rows, 0, 0, 0], 'idx');
    const out = res.buffer(Bmax * D * 4, 'out');
    const got = await run([gather(ctx, batchUniform(B, 0), idx, { blocks: [X], rowsPerBlock: n }, out, D, Bmax, 'index')], out, Bmax * D);
    const want = new Float64Array(Bmax * D);
    rows.forEach((r, b) => want.set(f32(Xv).subarray(r * D, r * D + D), b * D));
    expect(relError(got, want)).toBeLessThan(TOL);
    // Range mode from row blocks of 15 rows (three buffers): rows 33..39 of the split.
    const blocks = [0, 15, 30].map((r0) => res.upload(Xv.subarray(r0 * D, Math.min(n, r0 + 15) * D), 'block'));
    const got2 = await run([gather(ctx, batchUniform(7, 33), idx, { blocks, rowsPerBlock: 15 }, out, D, Bmax, 'range')], out, Bmax * D);
    const want2 = new Float64Array(Bmax * D);
    want2.set(f32(Xv).subarray(33 * D, 40 * D));
    expect(relError(got2, want2)).toBeLessThan(TOL);
  });

  it.each([['mse', 1], ['mse', 3], ['softmax-ce', 4]] as [LossKind, number][])('%s with %i outputs: gradient, accumulated mean loss, evaluation sum and correct count', async (kind, K) => {
    const Fv = randomVector(Bmax * K, 17).map((v) => 3 * v);
    const labels = Array.from({ length: n }, (_, i) => (i * 7) % Math.max(K, 2));
    const Yv = new Float64Array(n * K);
    for (let i = 0; i < n; i++) for (let k = 0; k < K; k++) Yv[i * K + k] = kind === 'mse' ? (K === 1 ? 2 * labels[i]! - 1 : k === labels[i] ? 1 : -1) : k === labels[i] ? 1 : 0;
    const F = res.upload(Fv, 'F');
    const Y = res.upload(Yv, 'Y');
    const lab = u32Buffer(labels, 'labels');
    const idx = u32Buffer([...rows, 0, 0, 0], 'idx');
    const G = res.buffer(Bmax * K * 4, 'G');
    const acc = res.upload([0.5, 2, 0, 0], 'acc');
    const batch = batchUniform(B, 0);
    const gotG = await run([lossKernel(ctx, { batch, idx, F, Y, labels: lab, G, acc }, K, Bmax, kind, 'train')], G, Bmax * K);
    const Yb = new Float64Array(B * K);
    rows.forEach((r, b) => Yb.set(Yv.subarray(r * K, r * K + K), b * K));
    const want = lossRef(kind, f32(Fv), Yb, B, K);
    const wantG = new Float64Array(Bmax * K);
    wantG.set(want.dF);
    expect(relError(gotG, wantG)).toBeLessThan(TOL);
    const accT = await readF32(ctx, acc, 2);
    expect(Math.abs(accT[0]! - (0.5 + want.loss)) / (0.5 + want.loss)).toBeLessThan(TOL);
    expect(accT[1]).toBe(3);
    // Evaluation of rows 28..39 (batch base 28, all Bmax rows valid).
    const accE = await run([lossKernel(ctx, { batch: batchUniform(Bmax, 28), idx, F, Y, labels: lab, G, acc }, K, Bmax, kind, 'eval')], acc, 2, 2);
    const Ye = Yv.subarray(28 * K, 40 * K);
    const wantE = lossRef(kind, f32(Fv), Ye, Bmax, K);
    expect(Math.abs(accE[0]! - wantE.loss * Bmax) / Math.abs(wantE.loss * Bmax)).toBeLessThan(TOL);
    expect(accE[1]).toBe(correctRef(f32(Fv), labels.slice(28), Bmax, K));
  });
});

describe('optimizers: k-step trajectories vs float64', () => {
  const base: OptimizerConfig = { kind: 'adam', lr: 0.01, momentum: 0.9, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0, d0: 1e-6 };
  const configs: [string, OptimizerConfig][] = [
    ['sgd', { ...base, kind: 'sgd', lr: 0.05 }],
    ['adam', base],
    ['adamw', { ...base, kind: 'adamw', weightDecay: 0.1 }],
    ['dadapt-adam', { ...base, kind: 'dadapt-adam', lr: 1, weightDecay: 1e-3 }],
  ];
  const P = 2500; // several DAdapt workgroups
  const steps = 6;

  async function trajectory(o: OptimizerConfig, grads: Float64Array[], trainable: number) {
    const theta0 = randomVector(P, 20);
    const theta = res.upload(theta0, 'θ');
    const g = res.buffer(P * 4, 'g');
    const mom = res.buffer(3 * P * 4, 'mom');
    const state = res.upload([o.d0, 0, 0, 0], 'state');
    const part = res.buffer(2 * dadaptGroups(P) * 4, 'part');
    const params = res.uniform(optimizerFields(o, trainable, P), 'opt params');
    const step = res.create({ size: 16, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST });
    const list = optimizerDispatches(ctx, o.kind, { params, step, g, theta, mom, state, part }, P);
    const ref = refOptState(P, o);
    const th64 = f32(theta0);
    const ds: [number, number][] = [];
    for (let k = 0; k < steps; k++) {
      const gk = grads[k]!;
      ctx.device.queue.writeBuffer(g, 0, Float32Array.from(gk));
      const t = k + 1;
      const bc1 = 1 - o.beta1 ** t;
      const bc2 = 1 - o.beta2 ** t;
      ctx.device.queue.writeBuffer(step, 0, Float32Array.of(t, bc1, bc2, Math.sqrt(bc2) / bc1));
      runDispatches(ctx, list);
      optStepRef(o, ref, th64, f32(gk), trainable);
      const st = await readF32(ctx, state, 3);
      ds.push([st[0]!, ref.d]);
      expect(st[2]).toBe(t);
    }
    const got = await readF32(ctx, theta, P);
    return { got, want: th64, ds, ref, mom: await readF32(ctx, mom, 3 * P) };
  }

  it.each(configs)('%s', async (_name, o) => {
    // A persistent direction plus noise, so DAdapt's ⟨g, s/√v⟩ is positive and d really adapts.
    const dir = randomVector(P, 29);
    const grads = Array.from({ length: steps }, (_, k) => randomVector(P, 30 + k).map((v, i) => (0.5 * v + dir[i]!) * (1 + 0.2 * k)));
    const { got, want, ds, ref, mom } = await trajectory(o, grads, P);
    expect(relError(got, want)).toBeLessThan(TOL);
    expect(relError(mom.subarray(0, P), ref.m)).toBeLessThan(TOL);
    if (o.kind === 'dadapt-adam') {
      for (const [gd, rd] of ds) expect(Math.abs(gd - rd) / rd).toBeLessThan(TOL);
      // d must actually adapt in this trajectory (otherwise the test could not catch a wrong r).
      expect(ds[steps - 1]![1]).toBeGreaterThan(10 * o.d0);
    }
  });

  it('updates only the trainable prefix θ[0, n)', async () => {
    const o = configs[1]![1];
    const grads = Array.from({ length: steps }, (_, k) => randomVector(P, 40 + k));
    const n = 1234;
    const { got, want } = await trajectory(o, grads, n);
    expect(relError(got, want)).toBeLessThan(TOL);
    const theta0 = f32(randomVector(P, 20));
    expect(Array.from(got.subarray(n))).toEqual(Array.from(theta0.subarray(n)));
  });

  it('DAdapt with s = 0 (zero gradients): d stays d0, θ only decays', async () => {
    const o = configs[3]![1];
    const grads = Array.from({ length: steps }, () => new Float64Array(P));
    const { got, want, ds } = await trajectory(o, grads, P);
    for (const [gd] of ds) expect(gd).toBeCloseTo(o.d0, 12);
    expect(relError(got, want)).toBeLessThan(TOL);
    expect(got.every(Number.isFinite)).toBe(true);
  });
});
