/**
 * `npm run bench:deep`: the deep-network kernels on the current
 * dawn.node adapter, reported as ratios (emulated adapters make absolute times meaningless):
 * 1. 3×3 convolution at batch 256 for 28×28×1→32 and 14×14×32→32, direct kernels vs im2col+GEMM
 *    (forward; kernel gradient, with the forward's patches reused; data gradient as im2col(dY)·K′);
 * 2. ms per training step of the paper's MLP vs its CNN (spec §7.5) at batch 256.
 * Timing: pipelines built and buffers written first, one warm-up, then each trial encodes `reps`
 * runs into one command buffer, submit + onSubmittedWorkDone; the median trial is reported.
 * Knobs: BENCH_REPS, BENCH_TRIALS, BENCH_STEPS, BENCH_ONLY=conv (skip the step timing).
 */
import { createGpuContext, throwIfGpuFailed, type GpuContext } from '../solver/gpu/context';
import { nodeGpu } from '../solver/gpu/node-gpu';
import { encodeDispatches, type Dispatch } from '../solver/gpu/kernel';
import { GpuResources } from '../solver/gpu/resources';
import { colsum, convBackwardData, convBackwardWeights, convForward, convWeightSplit, gemm, im2col, type ConvArgs } from '../solver/deep/gpu/kernels';
import { createGpuDeepBackendOn } from '../solver/deep/gpu/backend';
import { gpuLayout } from '../solver/deep/gpu/layout';
import type { Architecture, OptimizerConfig } from '../solver/deep/types';
import { createRng } from '../solver/rng';

const REPS = Number(process.env.BENCH_REPS ?? 2);
const TRIALS = Number(process.env.BENCH_TRIALS ?? 3);
const STEPS = Number(process.env.BENCH_STEPS ?? 3);
const BATCH = 256;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** Median wall ms of one run of `list`. */
async function time(ctx: GpuContext, list: Dispatch[]): Promise<number> {
  const once = async (reps: number): Promise<number> => {
    const enc = ctx.device.createCommandEncoder();
    const pass = enc.beginComputePass();
    for (let r = 0; r < reps; r++) encodeDispatches(pass, list);
    pass.end();
    const t0 = performance.now();
    ctx.device.queue.submit([enc.finish()]);
    await ctx.device.queue.onSubmittedWorkDone();
    return (performance.now() - t0) / reps;
  };
  await once(1);
  const ts: number[] = [];
  for (let t = 0; t < TRIALS; t++) ts.push(await once(REPS));
  return median(ts);
}

function randomData(n: number, seed: number): Float32Array {
  const rng = createRng(seed, 5);
  return Float32Array.from({ length: n }, () => rng.normal());
}

async function convComparison(ctx: GpuContext): Promise<void> {
  for (const [H, W, cin, cout] of [[28, 28, 1, 32], [14, 14, 32, 32]] as const) {
    const res = new GpuResources(ctx, 'conv bench');
    const B = BATCH;
    const Q = B * H * W;
    const c: ConvArgs = { B, H, W, cin, cout, kernelOffset: 0, biasOffset: 9 * cin * cout };
    const x = res.upload(randomData(Q * cin, 1), 'x');
    const theta = res.upload(randomData(9 * cin * cout + cout, 2), 'θ');
    const dy = res.upload(randomData(Q * cout, 3), 'dy');
    const y = res.buffer(Q * cout * 4, 'y');
    const dx = res.buffer(Q * cin * 4, 'dx');
    const { S, chunk } = convWeightSplit(c);
    const taps = 9 * cin * cout;
    const part = res.buffer(S * taps * 4, 'part');
    const g = res.buffer(taps * 4, 'g');
    const limit = ctx.adapter.maxStorageBufferBindingSize;
    // im2col of x (forward, kernel gradient) and of dY (data gradient); a patch matrix over the
    // per-binding limit cannot be used in one dispatch at this batch size.
    const fitsX = Q * 9 * cin * 4 <= limit;
    const fitsDy = Q * 9 * cout * 4 <= limit;
    const patches = res.buffer(Math.min(limit, Q * 9 * cin * 4), 'patches');
    const patchesDy = res.buffer(Math.min(limit, Q * 9 * cout * 4), 'patches of dY');
    const kflip = res.upload(randomData(9 * cout * cin, 4), 'K′');
    const dims = { B, H, W, C: cin };
    const mib = (f: number) => `${((Q * 9 * f * 4) / 2 ** 20).toFixed(0)} MiB`;
    const lists: Record<string, [Dispatch[], Dispatch[] | string]> = {
      forward: [
        [convForward(ctx, x, theta, y, c)],
        fitsX ? [im2col(ctx, x, patches, dims), gemm(ctx, { M: Q, N: cout, K: 9 * cin, A: { buf: patches, offset: 0, s0: 9 * cin, s1: 1 }, B: { buf: theta, offset: 0, s0: cout, s1: 1 }, out: y, outOffset: 0, bias: { buf: theta, offset: 9 * cin * cout } })] : mib(cin),
      ],
      'kernel gradient': [
        [convBackwardWeights(ctx, x, dy, part, c, S, chunk), colsum(ctx, part, S, taps, 1, g, 0)],
        fitsX ? [gemm(ctx, { M: 9 * cin, N: cout, K: Q, A: { buf: patches, offset: 0, s0: 1, s1: 9 * cin }, B: { buf: dy, offset: 0, s0: cout, s1: 1 }, out: g, outOffset: 0, bias: null })] : mib(cin),
      ],
      'kernel gradient incl. its own im2col': [
        [convBackwardWeights(ctx, x, dy, part, c, S, chunk), colsum(ctx, part, S, taps, 1, g, 0)],
        fitsX ? [im2col(ctx, x, patches, dims), gemm(ctx, { M: 9 * cin, N: cout, K: Q, A: { buf: patches, offset: 0, s0: 1, s1: 9 * cin }, B: { buf: dy, offset: 0, s0: cout, s1: 1 }, out: g, outOffset: 0, bias: null })] : mib(cin),
      ],
      'data gradient': [
        [convBackwardData(ctx, dy, theta, dx, c)],
        fitsDy ? [im2col(ctx, dy, patchesDy, { B, H, W, C: cout }), gemm(ctx, { M: Q, N: cin, K: 9 * cout, A: { buf: patchesDy, offset: 0, s0: 9 * cout, s1: 1 }, B: { buf: kflip, offset: 0, s0: cin, s1: 1 }, out: dx, outOffset: 0, bias: null })] : mib(cout),
      ],
    };
    for (const [name, [direct, viaGemm]] of Object.entries(lists)) {
      const label = `conv ${H}×${W}×${cin}→${cout} batch ${B} ${name}`;
      res.adoptDispatches(direct);
      if (typeof viaGemm === 'string') {
        console.log(`${label}: im2col+GEMM does not fit (patch matrix ${viaGemm} > the ${(limit / 2 ** 20).toFixed(0)} MiB binding limit); direct only`);
        continue;
      }
      res.adoptDispatches(viaGemm);
      const td = await time(ctx, direct);
      const tg = await time(ctx, viaGemm);
      throwIfGpuFailed(ctx);
      console.log(`${label}: im2col+GEMM / direct = ${(tg / td).toFixed(2)}`);
    }
    res.destroy();
  }
}

const MLP: Architecture = {
  input: { h: 28, w: 28, c: 1 },
  layers: [
    { kind: 'flatten' }, { kind: 'dense', out: 256, bias: false }, { kind: 'relu' }, { kind: 'dense', out: 256, bias: false }, { kind: 'relu' },
    { kind: 'dense', out: 20, bias: false }, { kind: 'relu' }, { kind: 'dense', out: 1, bias: false },
  ],
};
const CNN: Architecture = {
  input: { h: 28, w: 28, c: 1 },
  layers: [
    { kind: 'conv3x3', out: 32, bias: true }, { kind: 'relu' }, { kind: 'avgpool2' },
    { kind: 'conv3x3', out: 32, bias: true }, { kind: 'relu' }, { kind: 'avgpool2' }, { kind: 'flatten' },
    { kind: 'dense', out: 16, bias: true }, { kind: 'relu' }, { kind: 'dense', out: 1, bias: true },
  ],
};

async function stepTime(ctx: GpuContext, arch: Architecture): Promise<number> {
  const n = 1024;
  const D = 784;
  const X = Float64Array.from(randomData(n * D, 7));
  const labels = Int32Array.from({ length: n }, (_, i) => (X[i * D]! > 0 ? 1 : 0));
  const Y = Float64Array.from(labels, (l) => 2 * l - 1);
  const P = gpuLayout(arch).paramCount;
  const theta = Float64Array.from(randomData(P, 8), (v) => 0.05 * v);
  const optimizer: OptimizerConfig = { kind: 'dadapt-adam', lr: 1, momentum: 0, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0, d0: 1e-6 };
  const gpu = createGpuDeepBackendOn(ctx, { arch, loss: 'mse', optimizer, train: { X, Y, labels }, test: null, theta }, { batchSize: BATCH });
  const rng = createRng(9, 1);
  const rows = () => Uint32Array.from({ length: BATCH }, () => Math.floor(rng.uniform() * n));
  gpu.step(rows());
  await ctx.device.queue.onSubmittedWorkDone();
  const t0 = performance.now();
  for (let s = 0; s < STEPS; s++) gpu.step(rows());
  await ctx.device.queue.onSubmittedWorkDone();
  const ms = (performance.now() - t0) / STEPS;
  gpu.dispose();
  return ms;
}

async function main(): Promise<void> {
  const ctx = await createGpuContext(nodeGpu());
  console.log(`adapter: ${ctx.adapter.description || ctx.adapter.device}`);
  await convComparison(ctx);
  if (process.env.BENCH_ONLY === 'conv') {
    ctx.destroy();
    return;
  }
  const mlp = await stepTime(ctx, MLP);
  const cnn = await stepTime(ctx, CNN);
  console.log(`ms per step at batch ${BATCH}, CNN / MLP = ${(cnn / mlp).toFixed(1)}`);
  ctx.destroy();
}

void main().then(
  () => process.exit(0),
  (e: unknown) => {
    console.error(e);
    process.exit(1);
  },
);
