/**
 * The GPU deep backend end to end (solver/deep/gpu/backend.ts): a small MLP and a small CNN trained
 * step by step agree with a float64 transcription (forward, loss, backward, optimizer; tests/support/
 * deep-f64.ts) to 1e-4 after 5 steps, including repeated rows and a partial batch; evaluation,
 * predictions and features match the float64 forward pass; the trainable prefix, optimizer state
 * round trip, the buffer census after dispose, and one submit with no read-back per step.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GpuContext } from '../../../solver/gpu/context';
import { nodeGpu } from '../../../solver/gpu/node-gpu';
import { createCpuDeepBackend } from '../../../solver/deep/cpu/backend';
import { createGpuDeepBackend, createGpuDeepBackendOn } from '../../../solver/deep/gpu/backend';
import type { Architecture, DeepBackendInit, DeepSplit, LossKind, OptimizerConfig } from '../../../solver/deep/types';
import { backwardRef, correctRef, forwardRef, lossRef, optStepRef, paramCountRef, refOptState } from '../../support/deep-f64';
import { countSubmitsAndMaps } from '../../support/gpu-probe';
import { gpuContext, randomVector, relError } from '../../support/helpers';

let ctx: GpuContext;
beforeAll(async () => {
  ctx = await gpuContext();
});
afterAll(() => ctx?.destroy());

const TOL = 1e-4;
const f32 = (a: ArrayLike<number>): Float64Array => Float64Array.from(Float32Array.from(a));

const MLP: Architecture = {
  input: { h: 1, w: 1, c: 6 },
  layers: [{ kind: 'dense', out: 9, bias: true }, { kind: 'relu' }, { kind: 'dense', out: 7, bias: false }, { kind: 'relu' }, { kind: 'dense', out: 3, bias: true }],
};
const CNN: Architecture = {
  input: { h: 7, w: 6, c: 2 },
  layers: [
    { kind: 'conv3x3', out: 4, bias: true }, { kind: 'relu' }, { kind: 'avgpool2' },
    { kind: 'conv3x3', out: 5, bias: false }, { kind: 'relu' }, { kind: 'avgpool2' },
    { kind: 'flatten' }, { kind: 'dense', out: 6, bias: true }, { kind: 'relu' }, { kind: 'dense', out: 1, bias: true },
  ],
};

/** Image input flattened first (the paper's MLP on images): no input gradient flows through it. */
const FLAT_MLP: Architecture = {
  input: { h: 2, w: 3, c: 1 },
  layers: [{ kind: 'flatten' }, { kind: 'dense', out: 5, bias: false }, { kind: 'relu' }, { kind: 'dense', out: 1, bias: false }],
};

const OPT: OptimizerConfig = { kind: 'adam', lr: 0.01, momentum: 0.9, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0, d0: 1e-6 };

/** A split with labels from a fixed rule, targets as the loss wants them. */
function split(n: number, D: number, K: number, loss: LossKind, seed: number): DeepSplit {
  const X = f32(randomVector(n * D, seed));
  const classes = Math.max(K, 2);
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) labels[i] = Math.floor(Math.abs(X[i * D]! + 0.5 * X[i * D + 1]!) * classes * 0.999) % classes;
  const Y = new Float64Array(n * K);
  for (let i = 0; i < n; i++)
    for (let k = 0; k < K; k++) Y[i * K + k] = loss === 'mse' ? (K === 1 ? 2 * labels[i]! - 1 : k === labels[i] ? 1 : -1) : k === labels[i] ? 1 : 0;
  return { X, Y, labels };
}

function initOf(arch: Architecture, loss: LossKind, optimizer: OptimizerConfig, nTrain: number, nTest: number): DeepBackendInit {
  const D = arch.input.h * arch.input.w * arch.input.c;
  const last = arch.layers[arch.layers.length - 1]!;
  const K = last.kind === 'dense' ? last.out : 1;
  const P = paramCountRef(arch);
  return {
    arch, loss, optimizer,
    train: split(nTrain, D, K, loss, 101),
    test: nTest > 0 ? split(nTest, D, K, loss, 202) : null,
    theta: f32(randomVector(P, 303).map((v) => 0.6 * v)),
  };
}

/** The batches of the trajectory tests: repeats, any order, and a last partial batch. */
const BATCHES = [
  [0, 5, 9, 13, 2, 2, 30, 31],
  [7, 1, 3, 22, 17, 8, 8, 4],
  [10, 11, 12, 14, 15, 16, 18, 19],
  [33, 0, 21, 25, 26, 27, 28, 29],
  [6, 20, 24], // partial
];

/** Float64 trajectory of the same steps; returns θ after each and the batch losses. */
function reference(init: DeepBackendInit, batches: number[][], trainable: number) {
  const arch = init.arch;
  const D = arch.input.h * arch.input.w * arch.input.c;
  const K = init.train.Y.length / (init.train.X.length / D);
  const theta = Float64Array.from(init.theta);
  const st = refOptState(theta.length, init.optimizer);
  const thetas: Float64Array[] = [];
  const losses: number[] = [];
  for (const rows of batches) {
    const B = rows.length;
    const X = new Float64Array(B * D);
    const Y = new Float64Array(B * K);
    rows.forEach((r, b) => {
      X.set(init.train.X.subarray(r * D, r * D + D), b * D);
      Y.set(init.train.Y.subarray(r * K, r * K + K), b * K);
    });
    const acts = forwardRef(arch, theta, X, B);
    const l = lossRef(init.loss, acts[acts.length - 1]!, Y, B, K);
    const g = backwardRef(arch, theta, acts, l.dF, B);
    optStepRef(init.optimizer, st, theta, g, trainable);
    thetas.push(Float64Array.from(theta));
    losses.push(l.loss);
  }
  return { thetas, losses, st };
}

describe.each([
  ['MLP', MLP, 'mse', OPT],
  ['MLP', MLP, 'softmax-ce', { ...OPT, kind: 'sgd', lr: 0.1 }],
  ['MLP', MLP, 'mse', { ...OPT, kind: 'adamw', weightDecay: 0.05 }],
  ['MLP', MLP, 'softmax-ce', { ...OPT, kind: 'dadapt-adam', lr: 1, d0: 1e-3 }],
  ['CNN', CNN, 'mse', OPT],
  ['CNN', CNN, 'mse', { ...OPT, kind: 'dadapt-adam', lr: 1, d0: 1e-3 }],
  ['flatten-first MLP', FLAT_MLP, 'mse', { ...OPT, kind: 'sgd', lr: 0.05 }],
] as [string, Architecture, LossKind, OptimizerConfig][])('%s, %s, %o', (_name, arch, loss, optimizer) => {
  it('5 steps agree with the float64 transcription, step by step', async () => {
    const init = initOf(arch, loss, optimizer, 34, 0);
    const gpu = await createGpuDeepBackend(init, nodeGpu(), { batchSize: 8 });
    try {
      expect(gpu.paramCount).toBe(paramCountRef(arch));
      const ref = reference(init, BATCHES, gpu.paramCount);
      for (let k = 0; k < BATCHES.length; k++) {
        gpu.step(Uint32Array.from(BATCHES[k]!));
        const theta = await gpu.getParams();
        expect(relError(theta, ref.thetas[k]!)).toBeLessThan(TOL);
        // The step must move θ measurably, or the comparison above proves nothing.
        expect(relError(theta, k === 0 ? init.theta : ref.thetas[k - 1]!)).toBeGreaterThan(1e-4);
      }
      const { loss: mean, steps } = await gpu.takeLoss();
      const want = ref.losses.reduce((a, b) => a + b, 0) / ref.losses.length;
      expect(steps).toBe(5);
      expect(Math.abs(mean - want) / want).toBeLessThan(TOL);
      expect((await gpu.takeLoss()).steps).toBe(0);
      const d = await gpu.dEstimate();
      if (optimizer.kind === 'dadapt-adam') expect(Math.abs(d - ref.st.d) / ref.st.d).toBeLessThan(TOL);
      else expect(d).toBe(1);
    } finally {
      gpu.dispose();
    }
  });

  it('agrees with the shipped float64 CPU backend (solver/deep/cpu): θ, optimizer state, losses, evaluation', async () => {
    // The transcription above is the test's own; this compares with the reference the product
    // ships (the CLI's CPU device), so the two backends cannot drift apart.
    const init = initOf(arch, loss, optimizer, 34, 13);
    const gpu = createGpuDeepBackendOn(ctx, init, { batchSize: 8 });
    const cpu = createCpuDeepBackend(init);
    try {
      for (const rows of BATCHES) {
        gpu.step(Uint32Array.from(rows));
        cpu.step(Uint32Array.from(rows));
        expect(relError(await gpu.getParams(), await cpu.getParams())).toBeLessThan(TOL);
      }
      const [gl, cl] = [await gpu.takeLoss(), await cpu.takeLoss()];
      expect(gl.steps).toBe(cl.steps);
      expect(Math.abs(gl.loss - cl.loss) / cl.loss).toBeLessThan(TOL);
      const [gs, cs] = [await gpu.getOptimizerState(), await cpu.getOptimizerState()];
      expect(Object.keys(gs.arrays).sort()).toEqual(Object.keys(cs.arrays).sort());
      expect(Object.keys(gs.scalars).sort()).toEqual(Object.keys(cs.scalars).sort());
      for (const k of Object.keys(cs.arrays)) expect(relError(gs.arrays[k]!, cs.arrays[k]!)).toBeLessThan(TOL);
      for (const k of Object.keys(cs.scalars)) expect(Math.abs(gs.scalars[k]! - cs.scalars[k]!)).toBeLessThanOrEqual(TOL * Math.max(1, Math.abs(cs.scalars[k]!)));
      for (const which of ['train', 'test'] as const) {
        const [ge, ce] = [await gpu.evaluate(which), await cpu.evaluate(which)];
        expect(Math.abs(ge.loss - ce.loss) / ce.loss).toBeLessThan(TOL);
        expect(Math.abs(ge.accuracy - ce.accuracy)).toBeLessThanOrEqual(1 / 13 + 1e-12);
      }
    } finally {
      gpu.dispose();
      cpu.dispose();
    }
  });
});

describe('evaluation, predictions, features', () => {
  it.each([['MLP', MLP, 'softmax-ce'], ['CNN', CNN, 'mse']] as [string, Architecture, LossKind][])('%s: chunked passes match the float64 forward pass', async (_n, arch, loss) => {
    // 37 rows in chunks of 8 (last chunk 5), 19 test rows.
    const init = initOf(arch, loss, OPT, 37, 19);
    const gpu = createGpuDeepBackendOn(ctx, init, { batchSize: 8 });
    try {
      for (const [name, sp] of [['train', init.train], ['test', init.test!]] as const) {
        const D = arch.input.h * arch.input.w * arch.input.c;
        const n = sp.X.length / D;
        const acts = forwardRef(arch, init.theta, sp.X, n);
        const F = acts[acts.length - 1]!;
        const K = F.length / n;
        const ev = await gpu.evaluate(name);
        const want = lossRef(loss, F, sp.Y, n, K);
        expect(Math.abs(ev.loss - want.loss) / want.loss).toBeLessThan(TOL);
        expect(ev.accuracy).toBeCloseTo(correctRef(F, sp.labels, n, K) / n, 10);
        expect(relError(await gpu.predict(name), F)).toBeLessThan(TOL);
      }
      const n = 37;
      const acts = forwardRef(arch, init.theta, init.train.X, n);
      for (const upTo of [0, 2, arch.layers.length - 1]) expect(relError(await gpu.features(upTo), acts[upTo]!)).toBeLessThan(TOL);
    } finally {
      gpu.dispose();
    }
  });
});

describe('state, trainable prefix, buffers, submits', () => {
  it('setTrainable freezes the tail of θ (the head)', async () => {
    const init = initOf(MLP, 'mse', OPT, 34, 0);
    const gpu = createGpuDeepBackendOn(ctx, init, { batchSize: 8 });
    try {
      const n = gpu.slots.find((s) => s.layer === 4)!.offset;
      gpu.setTrainable(n);
      const ref = reference(init, BATCHES.slice(0, 3), n);
      for (const rows of BATCHES.slice(0, 3)) gpu.step(Uint32Array.from(rows));
      const theta = await gpu.getParams();
      expect(relError(theta, ref.thetas[2]!)).toBeLessThan(TOL);
      expect(Array.from(theta.subarray(n))).toEqual(Array.from(init.theta.subarray(n)));
      expect(() => gpu.setTrainable(gpu.paramCount + 1)).toThrow(/setTrainable needs an integer in 0\.\.\d+, got/);
    } finally {
      gpu.dispose();
    }
  });

  it('continuing from saved θ and optimizer state equals training on', async () => {
    const opt: OptimizerConfig = { ...OPT, kind: 'dadapt-adam', lr: 1, d0: 1e-3 };
    const init = initOf(MLP, 'mse', opt, 34, 0);
    const a = createGpuDeepBackendOn(ctx, init, { batchSize: 8 });
    const b = createGpuDeepBackendOn(ctx, init, { batchSize: 8 });
    try {
      for (const rows of BATCHES.slice(0, 2)) a.step(Uint32Array.from(rows));
      const state = await a.getOptimizerState();
      expect(state.scalars['count']).toBe(2);
      expect(Object.keys(state.arrays).sort()).toEqual(['m', 's', 'v']);
      b.setParams(await a.getParams());
      b.setOptimizerState(state);
      for (const rows of BATCHES.slice(2)) {
        a.step(Uint32Array.from(rows));
        b.step(Uint32Array.from(rows));
      }
      expect(Array.from(await b.getParams())).toEqual(Array.from(await a.getParams()));
      expect(await b.dEstimate()).toBe(await a.dEstimate());
    } finally {
      a.dispose();
      b.dispose();
    }
  });

  it('dispose returns the buffer census to its baseline, also after the batch buffers grew', async () => {
    const before = { ...ctx.buffers };
    const gpu = createGpuDeepBackendOn(ctx, initOf(CNN, 'mse', OPT, 34, 9), { batchSize: 4 });
    gpu.step(Uint32Array.from(BATCHES[0]!)); // 8 rows > 4: grows once
    const grown = ctx.buffers.count;
    gpu.step(Uint32Array.from(BATCHES[4]!));
    gpu.step(Uint32Array.from(BATCHES[1]!));
    expect(ctx.buffers.count).toBe(grown); // no per-step allocation
    await gpu.evaluate('test');
    await gpu.takeLoss();
    expect(ctx.buffers.count).toBe(grown);
    gpu.dispose();
    expect({ count: ctx.buffers.count, bytes: ctx.buffers.bytes }).toEqual({ count: before.count, bytes: before.bytes });
  });

  it('one step is one queue submission and no read-back', async () => {
    const gpu = createGpuDeepBackendOn(ctx, initOf(CNN, 'mse', { ...OPT, kind: 'dadapt-adam', lr: 1 }, 34, 0), { batchSize: 8 });
    gpu.step(Uint32Array.from(BATCHES[0]!));
    await gpu.getParams();
    const counts = await countSubmitsAndMaps(ctx, () => {
      for (const rows of BATCHES) gpu.step(Uint32Array.from(rows));
    });
    expect(counts).toEqual({ submits: 5, maps: 0 });
    expect(Number.isFinite((await gpu.takeLoss()).loss)).toBe(true);
    gpu.dispose();
  });

  it('a split larger than one storage binding is gathered from row blocks', async () => {
    // Pretend the adapter binds at most 256 bytes: 34 rows × 6 inputs × 4 B → 4 blocks of 10 rows.
    const small = { ...ctx, adapter: { ...ctx.adapter, maxStorageBufferBindingSize: 256 } };
    const arch: Architecture = { input: { h: 1, w: 1, c: 6 }, layers: [{ kind: 'dense', out: 1, bias: false }] };
    const init = initOf(arch, 'mse', OPT, 34, 0);
    const batches = [[0, 12, 25, 33], [31, 9, 10, 20], [19, 29, 30, 1]];
    const gpu = createGpuDeepBackendOn(small, init, { batchSize: 4 });
    try {
      const ref = reference(init, batches, gpu.paramCount);
      for (const rows of batches) gpu.step(Uint32Array.from(rows));
      expect(relError(await gpu.getParams(), ref.thetas[2]!)).toBeLessThan(TOL);
      const F = forwardRef(arch, ref.thetas[2]!, init.train.X, 34);
      expect(relError(await gpu.predict('train'), F[1]!)).toBeLessThan(TOL);
    } finally {
      gpu.dispose();
    }
    const tiny = { ...ctx, adapter: { ...ctx.adapter, maxStorageBufferBindingSize: 96 } };
    expect(() => createGpuDeepBackendOn(tiny, init, { batchSize: 4 })).toThrow(/34 rows × 6 inputs .* need more than 4 GPU buffers of 0 MiB; subsample the data/);
  });

  it('bad input gets a message naming the value', async () => {
    const init = initOf(MLP, 'mse', OPT, 34, 0);
    expect(() => createGpuDeepBackendOn(ctx, { ...init, theta: new Float64Array(3) })).toThrow(/θ has 3 values; the architecture has \d+ parameters/);
    expect(() => createGpuDeepBackendOn(ctx, { ...init, optimizer: { ...OPT, beta2: 1 } })).toThrow(/beta2 must be in \[0, 1\), got 1/);
    expect(() => createGpuDeepBackendOn(ctx, { ...init, loss: 'softmax-ce', arch: { ...MLP, layers: [...MLP.layers.slice(0, 4), { kind: 'dense', out: 1, bias: true }] }, theta: new Float64Array(paramCountRef({ ...MLP, layers: [...MLP.layers.slice(0, 4), { kind: 'dense', out: 1, bias: true }] })) })).toThrow(/softmax-ce needs at least 2 outputs/);
    const gpu = createGpuDeepBackendOn(ctx, init, { batchSize: 8 });
    try {
      expect(() => gpu.step(Uint32Array.of(1, 34))).toThrow(/row index 34 at position 1 is past the 34 training rows/);
      expect(() => gpu.step(new Uint32Array(0))).toThrow(/at least one row/);
      await expect(gpu.evaluate('test')).rejects.toThrow(/no test split/);
      expect(() => gpu.setParams(new Float64Array(2))).toThrow(/setParams got 2 values/);
    } finally {
      gpu.dispose();
    }
    expect(() => gpu.step(Uint32Array.of(0))).toThrow(/disposed/);
  });
});
