/**
 * `npm run bench -- deep`: ms per training step and samples/s of the paper's MLP (`mlp:256,256`:
 * flatten → Dense(256) → ReLU → Dense(256) → ReLU → Dense(1), no biases) and CNN (`cnn`:
 * (Conv3x3(32) → ReLU → AvgPool2) ×2 → flatten → Dense(1), with biases) on 28×28×1 inputs at
 * batch 256, Adam, the paper's loss (batch mean of (f − y)² against ±1): ours
 * (createGpuDeepBackendOn) next to tfjs (tfjs-core + tfjs-backend-webgpu, `tf.train.adam`, the
 * same network, the same initial weights, the same rows) on the same dawn.node adapter, in one
 * process. Then a kernel-by-kernel profile of our step (each dispatch timed in isolation).
 *
 * Timing, the same for both: the training rows are resident on the device and each step gathers
 * its rows by an index list uploaded that step; a round of `BENCH_WARMUP` steps is discarded
 * (pipelines, autotuning), then `BENCH_ROUNDS` rounds alternate between ours and tfjs; a round
 * issues `BENCH_STEPS` steps back to back and awaits completion once by a small read-back (ours:
 * the batch-loss accumulator; tfjs: one element of the last kernel). The ratio is the median of
 * the rounds' ratios, so a load change on a shared machine falls on both sides.
 * GPU calls (dispatches, submissions) are counted by wrapping the WebGPU prototypes while the
 * timed steps are issued. On an emulated adapter only the ratios mean anything.
 *
 * Knobs: BENCH_STEPS (default 5), BENCH_WARMUP (2), BENCH_ROWS (resident rows, 1024),
 * BENCH_NETS (architectures separated by `|`, default `mlp:256,256|cnn`), BENCH_PROFILE=0 (skip the profile),
 * BENCH_SKIP_TFJS=1, BENCH_TRIALS (profile trials per dispatch, 3), BENCH_ROUNDS (timed rounds, 3).
 */
import { createGpuContext, throwIfGpuFailed, type GpuContext } from '../solver/gpu/context';
import { nodeGpu } from '../solver/gpu/node-gpu';
import { encodeDispatches, type Dispatch } from '../solver/gpu/kernel';
import { createGpuDeepBackendOn, type GpuDeepBackend } from '../solver/deep/gpu/backend';
import { parseArch } from '../solver/deep/arch';
import { initParams } from '../solver/deep/init';
import type { Architecture, DeepSplit, OptimizerConfig, ParamSlot } from '../solver/deep/types';
import { createRng } from '../solver/rng';
import { startTfjsWebgpu, type Tf } from './tfjs-node';

const BATCH = 256;
const INPUT = { h: 28, w: 28, c: 1 } as const;

/** A positive integer from the environment, or the default; a bad value stops with its name. */
export function envInt(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const v = Number(raw);
  if (!(Number.isInteger(v) && v >= 1)) throw new Error(`${name}=${raw} is not a whole number ≥ 1; unset it or give e.g. ${name}=${fallback}.`);
  return v;
}

/** The Adam settings of both sides (optax / tf.train.adam defaults, ε written out: tfjs's default differs). */
export const ADAM: OptimizerConfig = { kind: 'adam', lr: 1e-3, momentum: 0, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0, d0: 1e-6 };

/** Dispatches and submissions counted while a counter is active. */
export interface GpuCalls {
  dispatches: number;
  submits: number;
}

/**
 * Counts every dispatch and submission made through the WebGPU prototypes (ours and tfjs's
 * alike) while `f` runs. dawn.node's classes are ordinary JS prototypes, so wrapping their
 * methods sees every call.
 */
export async function countGpuCalls<T>(f: () => Promise<T>): Promise<{ value: T; calls: GpuCalls }> {
  const calls: GpuCalls = { dispatches: 0, submits: 0 };
  const pass = GPUComputePassEncoder.prototype;
  const queue = GPUQueue.prototype;
  const d = pass.dispatchWorkgroups;
  const di = pass.dispatchWorkgroupsIndirect;
  const s = queue.submit;
  pass.dispatchWorkgroups = function (this: GPUComputePassEncoder, x: number, y?: number, z?: number): undefined {
    calls.dispatches++;
    return d.call(this, x, y, z);
  };
  pass.dispatchWorkgroupsIndirect = function (this: GPUComputePassEncoder, b: GPUBuffer, o: number): undefined {
    calls.dispatches++;
    return di.call(this, b, o);
  };
  queue.submit = function (this: GPUQueue, cmds: Iterable<GPUCommandBuffer>): undefined {
    calls.submits++;
    return s.call(this, cmds);
  };
  try {
    return { value: await f(), calls };
  } finally {
    pass.dispatchWorkgroups = d;
    pass.dispatchWorkgroupsIndirect = di;
    queue.submit = s;
  }
}

/** Synthetic standardised rows (timing does not depend on the values) with ±1 targets. */
function syntheticSplit(n: number, D: number): DeepSplit {
  const rng = createRng(11, 3);
  const X = Float64Array.from({ length: n * D }, () => rng.normal());
  const labels = Int32Array.from({ length: n }, (_, i) => (X[i * D + 400]! > 0 ? 1 : 0));
  return { X, Y: Float64Array.from(labels, (l) => 2 * l - 1), labels };
}

/** The row lists of every step (the same for both sides). */
function rowLists(count: number, n: number): Uint32Array[] {
  const rng = createRng(12, 4);
  return Array.from({ length: count }, () => Uint32Array.from({ length: BATCH }, () => Math.floor(rng.uniform() * n)));
}

/** Wall ms per step of one round and the GPU calls per step. */
interface StepTiming {
  ms: number;
  calls: GpuCalls;
}

/** A prepared side: `round(rows)` issues one step per row list, awaits completion once, and times it. */
interface StepRunner {
  round(rows: readonly Uint32Array[]): Promise<StepTiming>;
  dispose(): void;
}

function perStep(c: GpuCalls, steps: number): GpuCalls {
  return { dispatches: c.dispatches / steps, submits: c.submits / steps };
}

/** Times `issue` over the row lists, then `settle` (one small read-back), counting GPU calls while issuing. */
async function timedRound(rows: readonly Uint32Array[], issue: (r: Uint32Array) => void, settle: () => Promise<void>): Promise<StepTiming> {
  const t0 = performance.now();
  const { calls } = await countGpuCalls(async () => {
    for (const r of rows) issue(r);
  });
  await settle();
  return { ms: (performance.now() - t0) / rows.length, calls: perStep(calls, rows.length) };
}

function oursRunner(backend: GpuDeepBackend): StepRunner {
  const settle = async (): Promise<void> => {
    await backend.takeLoss();
    throwIfGpuFailed(backend.ctx);
  };
  return { round: (rows) => timedRound(rows, (r) => backend.step(r), settle), dispose: () => undefined };
}

/** θ's slot as a tfjs variable of the slot's shape. */
function variableOf(tf: Tf, theta: Float64Array, slot: ParamSlot): ReturnType<Tf['variable']> {
  return tf.variable(tf.tensor(Float32Array.from(theta.subarray(slot.offset, slot.offset + slot.size)), [...slot.shape]));
}

type TfTensor = ReturnType<Tf['tensor']>;

/** The tfjs forward pass of `arch` with the variables of `slots` (in θ order). */
function tfjsForward(tf: Tf, arch: Architecture, slots: readonly ParamSlot[], vars: readonly TfTensor[], x: TfTensor): TfTensor {
  const param = (l: number, name: 'kernel' | 'bias'): TfTensor | null => {
    const i = slots.findIndex((s) => s.layer === l && s.name === name);
    return i < 0 ? null : vars[i]!;
  };
  let h = x;
  arch.layers.forEach((layer, l) => {
    const k = param(l, 'kernel');
    const b = param(l, 'bias');
    if (layer.kind === 'dense') h = b ? tf.add(tf.matMul(h, k!), b) : tf.matMul(h, k!);
    else if (layer.kind === 'conv3x3') {
      const y = tf.conv2d(h as Parameters<Tf['conv2d']>[0], k as Parameters<Tf['conv2d']>[1], 1, 'same');
      h = b ? tf.add(y, b) : y;
    } else if (layer.kind === 'relu') h = tf.relu(h);
    else if (layer.kind === 'avgpool2') h = tf.avgPool(h as Parameters<Tf['avgPool']>[0], 2, 2, 'valid');
    else h = tf.reshape(h, [h.shape[0]!, -1]);
  });
  return h;
}

function tfjsRunner(tf: Tf, arch: Architecture, slots: readonly ParamSlot[], theta: Float64Array, train: DeepSplit): StepRunner {
  const n = train.labels.length;
  const D = INPUT.h * INPUT.w * INPUT.c;
  const Xall = tf.tensor4d(Float32Array.from(train.X), [n, INPUT.h, INPUT.w, INPUT.c]);
  const Yall = tf.tensor2d(Float32Array.from(train.Y), [n, train.Y.length / n]);
  const vars = slots.map((s) => variableOf(tf, theta, s));
  const opt = tf.train.adam(ADAM.lr, ADAM.beta1, ADAM.beta2, ADAM.eps);
  const input = arch.layers[0]!.kind === 'flatten' ? [BATCH, D] : [BATCH, INPUT.h, INPUT.w, INPUT.c];
  const step = (rows: Uint32Array): void => {
    tf.tidy(() => {
      const idx = tf.tensor1d(Int32Array.from(rows), 'int32');
      const x = tf.reshape(tf.gather(Xall, idx), input);
      const y = tf.gather(Yall, idx);
      opt.minimize(() => tf.mean(tf.sum(tf.square(tf.sub(tfjsForward(tf, arch, slots, vars, x), y)), 1)) as ReturnType<Tf['scalar']>, false, vars as ReturnType<Tf['variable']>[]);
    });
  };
  const settle = async (): Promise<void> => {
    const last = vars[vars.length - 1]!;
    const probe = tf.slice(tf.reshape(last, [-1]), [0], [1]);
    await probe.data();
    probe.dispose();
  };
  return {
    round: (rows) => timedRound(rows, step, settle),
    dispose: () => {
      opt.dispose();
      for (const v of vars) v.dispose();
      Xall.dispose();
      Yall.dispose();
    },
  };
}

/**
 * Warm-up rounds of both sides, then `rounds` timed rounds alternating ours and tfjs (load
 * changes on a shared machine fall on both): the median round of each and the median of the
 * per-round ratios.
 */
async function interleaved(ours: StepRunner, peer: StepRunner | null, warm: Uint32Array[], timed: Uint32Array[], rounds: number): Promise<{ ours: StepTiming; peer: StepTiming | null; ratio: number }> {
  await ours.round(warm);
  if (peer) await peer.round(warm);
  const o: StepTiming[] = [];
  const p: StepTiming[] = [];
  for (let t = 0; t < rounds; t++) {
    o.push(await ours.round(timed));
    if (peer) p.push(await peer.round(timed));
  }
  const med = (xs: number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
  const pick = (ts: StepTiming[]): StepTiming => ts.find((t) => t.ms === med(ts.map((x) => x.ms)))!;
  return { ours: pick(o), peer: peer ? pick(p) : null, ratio: peer ? med(p.map((t, i) => t.ms / o[i]!.ms)) : NaN };
}

/** Wall ms of one run of `list`, median of `trials` runs of `reps` copies in one pass. */
async function timeDispatches(ctx: GpuContext, list: readonly Dispatch[], reps: number, trials: number): Promise<number> {
  const once = async (r: number): Promise<number> => {
    const enc = ctx.device.createCommandEncoder();
    const pass = enc.beginComputePass();
    for (let k = 0; k < r; k++) encodeDispatches(pass, [...list]);
    pass.end();
    const t0 = performance.now();
    ctx.device.queue.submit([enc.finish()]);
    await ctx.device.queue.onSubmittedWorkDone();
    return (performance.now() - t0) / r;
  };
  await once(1);
  const ts: number[] = [];
  for (let t = 0; t < trials; t++) ts.push(await once(reps));
  ts.sort((a, b) => a - b);
  return ts[ts.length >> 1]!;
}

/**
 * Each dispatch of our step timed alone (the buffers hold the last step's values, so every
 * kernel does its real work), with its share of the sum: which kernel to speed up.
 */
async function profileOurs(ctx: GpuContext, backend: GpuDeepBackend, trials: number): Promise<void> {
  const list = backend.stepDispatches();
  const rows: [string, number][] = [];
  for (let i = 0; i < list.length; i++) {
    const d = list[i]!;
    const ms = await timeDispatches(ctx, [d], 2, trials);
    rows.push([`${String(i).padStart(2)} ${d.kernel.label} grid ${d.grid.slice(0, 2).join('×')}`, ms]);
  }
  throwIfGpuFailed(ctx);
  const total = rows.reduce((a, [, ms]) => a + ms, 0);
  const whole = await timeDispatches(ctx, list, 1, trials);
  console.log(`  per-dispatch profile (each alone; shares of their sum; whole step in one pass = ${(whole / total).toFixed(2)} × the sum):`);
  for (const [name, ms] of rows) console.log(`    ${name.padEnd(44)} ${((100 * ms) / total).toFixed(1).padStart(5)} %`);
}

function fmt(v: number, digits = 3): string {
  return v.toPrecision(digits);
}

/** The benchmark: both networks, ours vs tfjs, then our profile. */
export async function benchDeepSteps(): Promise<void> {
  const steps = envInt('BENCH_STEPS', 5);
  const warmup = envInt('BENCH_WARMUP', 2);
  const n = envInt('BENCH_ROWS', 1024);
  const trials = envInt('BENCH_TRIALS', 3);
  const rounds = envInt('BENCH_ROUNDS', 3);
  const nets = (process.env.BENCH_NETS ?? 'mlp:256,256|cnn').split('|').filter((s) => s !== '');
  const ctx = await createGpuContext(nodeGpu());
  const a = ctx.adapter;
  console.log(`adapter: ${a.description || a.device || a.vendor} (${a.architecture}, ${a.featureLevel})`);
  console.log(`deep training step at batch ${BATCH}, Adam, MSE on ±1, ${n} resident rows; ${warmup} warm-up steps discarded, then ${rounds} interleaved rounds of ${steps} steps and one small read-back\n`);
  let tf: Tf | null = null;
  if (process.env.BENCH_SKIP_TFJS !== '1') {
    try {
      tf = await startTfjsWebgpu();
    } catch (e) {
      console.log(`tfjs comparison skipped: ${(e as Error).message}`);
    }
  }
  const train = syntheticSplit(n, INPUT.h * INPUT.w * INPUT.c);
  for (const text of nets) {
    const arch = parseArch(text, { input: INPUT, outputs: 1 });
    const theta = initParams(arch, 0);
    const backend = createGpuDeepBackendOn(ctx, { arch, loss: 'mse', optimizer: ADAM, train, test: null, theta }, { batchSize: BATCH });
    try {
      const lists = rowLists(warmup + steps, n);
      const warm = lists.slice(0, warmup);
      const timed = lists.slice(warmup);
      const peerRunner = tf ? tfjsRunner(tf, arch, backend.slots, theta, train) : null;
      const r = await interleaved(oursRunner(backend), peerRunner, warm, timed, rounds).finally(() => peerRunner?.dispose());
      const ours = r.ours;
      const peer = r.peer;
      console.log(`${text} (${backend.paramCount} parameters):`);
      const line = (who: string, t: StepTiming): void =>
        console.log(`  ${who.padEnd(5)} ${fmt(t.ms, 4).padStart(8)} ms/step  ${fmt((1000 * BATCH) / t.ms, 4).padStart(8)} samples/s  ${fmt(t.calls.dispatches, 3).padStart(5)} dispatches, ${fmt(t.calls.submits, 3)} submissions per step`);
      line('ours', ours);
      if (peer) {
        line('tfjs', peer);
        console.log(`  ours/tfjs speed = ${fmt(r.ratio)}× (median over ${rounds} interleaved rounds of tfjs ms ÷ ours ms; > 1: ours is faster)`);
      }
      if (process.env.BENCH_PROFILE !== '0') await profileOurs(ctx, backend, trials);
      console.log('');
    } finally {
      backend.dispose();
    }
  }
  ctx.destroy();
}
