/**
 * The WebGPU implementation of {@link DeepBackend}: training rows, targets and θ stay on the device;
 * one `step` is one command encoder with one compute pass (gather the minibatch by index, forward,
 * loss, backward, the fused optimizer update) and one submit, with no read-back. Only the index
 * list and three small uniforms (batch size, bias corrections) are written per step.
 *
 * Buffers: `res` owns what lives as long as the backend (θ, its gradient, the optimizer moments
 * and scalars, the resident splits, the per-step uniforms); `plan` owns what depends on the batch
 * capacity Bmax (activations, their gradients, scratch, every dispatch's params uniform) and is
 * rebuilt only when a step brings more rows than Bmax. A partial batch runs through the Bmax
 * buffers with zero rows (deep_gather.wgsl), so no size change allocates.
 */
import { browserGpu, createGpuContext, throwIfGpuFailed, type GpuContext } from '../../gpu/context';
import { encodeDispatches, readF32, writeF32, type Dispatch } from '../../gpu/kernel';
import { GpuResources } from '../../gpu/resources';
import type {
  Architecture,
  DeepBackend,
  DeepBackendInit,
  DeepSplit,
  Evaluation,
  LossKind,
  OptimizerConfig,
  OptimizerState,
  ParamSlot,
} from '../types';
import {
  colsum,
  convBackwardData,
  convBackwardWeights,
  convForward,
  convWeightSplit,
  dadaptGroups,
  gather,
  gemmDispatches,
  gemmScratch,
  im2col,
  lossKernel,
  MAX_ROW_BLOCKS,
  optimizerDispatches,
  optimizerFields,
  poolBackward,
  poolForward,
  reluBackward,
  reluForward,
  type ConvArgs,
  type RowBlocks,
} from './kernels';
import { gpuLayout, shapeSize, type GpuLayout } from './layout';

/** Options of the GPU backend beyond the contract's init. */
export interface GpuDeepOptions {
  /**
   * Rows the step buffers hold at first (default min(256, training rows)); a larger step grows
   * them once. Evaluation runs in chunks of this many rows.
   */
  readonly batchSize?: number;
}

/** Creates a GPU context of its own (destroyed by `dispose`) and the backend on it. */
export async function createGpuDeepBackend(init: DeepBackendInit, gpu?: GPU, options: GpuDeepOptions = {}): Promise<DeepBackend> {
  const ctx = await createGpuContext(gpu ?? browserGpu());
  try {
    return new GpuDeepBackend(ctx, init, options, true);
  } catch (e) {
    ctx.destroy();
    throw e;
  }
}

/** The backend on an existing context (not destroyed by `dispose`), e.g. shared with the CRONOS solver. */
export function createGpuDeepBackendOn(ctx: GpuContext, init: DeepBackendInit, options: GpuDeepOptions = {}): GpuDeepBackend {
  return new GpuDeepBackend(ctx, init, options, false);
}

/** A resident split: rows in row blocks, targets and labels. */
interface SplitBuffers {
  readonly n: number;
  readonly X: RowBlocks;
  readonly Y: GPUBuffer;
  readonly labels: GPUBuffer;
}

/** What depends on the batch capacity. */
interface Plan {
  readonly Bmax: number;
  readonly res: GpuResources;
  /** act[l]: input of layer l (act[0] the gathered rows, act[L] the outputs). */
  readonly act: readonly GPUBuffer[];
  readonly train: Dispatch[];
  /** Per split: gather of a contiguous chunk + forward (for predict and features). */
  readonly forward: Record<'train' | 'test', Dispatch[] | null>;
  /** Per split: forward + the evaluation loss. */
  readonly evaluate: Record<'train' | 'test', Dispatch[] | null>;
  /** Per split: [B, base, 1/B, 0] of every chunk, copied into the batch uniform before its pass. */
  readonly chunks: Record<'train' | 'test', GPUBuffer | null>;
}

/** Float elements of the optimizer moment buffer per parameter: m (SGD), m v (Adam), m v s (DAdapt). */
function momentCount(kind: OptimizerConfig['kind']): number {
  return kind === 'sgd' ? 1 : kind === 'dadapt-adam' ? 3 : 2;
}

const MOMENT_NAMES = ['m', 'v', 's'] as const;

function finiteOrThrow(v: number, what: string): void {
  if (!Number.isFinite(v)) throw new Error(`${what} must be a finite number, got ${v}.`);
}

/** Checks the optimizer settings the kind reads (clear messages instead of NaN weights). */
export function validateOptimizer(o: OptimizerConfig): void {
  finiteOrThrow(o.lr, 'optimizer lr');
  if (o.lr < 0) throw new Error(`optimizer lr must be ≥ 0, got ${o.lr}.`);
  if (o.kind === 'sgd') {
    finiteOrThrow(o.momentum, 'SGD momentum');
    if (o.momentum < 0 || o.momentum >= 1) throw new Error(`SGD momentum must be in [0, 1), got ${o.momentum}.`);
    return;
  }
  for (const [name, v] of [['beta1', o.beta1], ['beta2', o.beta2]] as const) {
    finiteOrThrow(v, `optimizer ${name}`);
    if (v < 0 || v >= 1) throw new Error(`optimizer ${name} must be in [0, 1), got ${v}.`);
  }
  finiteOrThrow(o.eps, 'optimizer eps');
  if (o.eps <= 0) throw new Error(`optimizer eps must be > 0, got ${o.eps}.`);
  finiteOrThrow(o.weightDecay, 'optimizer weightDecay');
  if (o.kind === 'dadapt-adam') {
    finiteOrThrow(o.d0, 'DAdapt d0');
    if (o.d0 <= 0) throw new Error(`DAdapt d0 must be > 0, got ${o.d0}.`);
  }
}

function validateSplit(s: DeepSplit, name: string, D: number, K: number): number {
  if (s.X.length % D !== 0) throw new Error(`${name} X has ${s.X.length} values, not a multiple of the ${D} inputs per row.`);
  const n = s.X.length / D;
  if (n < 1) throw new Error(`${name} has no rows; give at least one.`);
  if (s.Y.length !== n * K) throw new Error(`${name} Y has ${s.Y.length} values; expected ${n} rows × ${K} outputs = ${n * K}.`);
  if (s.labels.length !== n) throw new Error(`${name} has ${s.labels.length} labels for ${n} rows.`);
  const classes = Math.max(K, 2);
  for (let i = 0; i < n; i++) {
    const c = s.labels[i]!;
    if (!(c >= 0 && c < classes)) throw new Error(`${name} label ${c} at row ${i} is outside 0..${classes - 1}.`);
  }
  return n;
}

/** Row blocks of a split so no block exceeds maxStorageBufferBindingSize. */
function uploadRows(res: GpuResources, X: Float64Array, n: number, D: number, label: string): RowBlocks {
  const limit = res.ctx.adapter.maxStorageBufferBindingSize;
  const rowsPerBlock = Math.max(1, Math.min(n, Math.floor(limit / (4 * D))));
  const blockCount = Math.ceil(n / rowsPerBlock);
  if (blockCount > MAX_ROW_BLOCKS) {
    const mib = ((n * D * 4) / 2 ** 20).toFixed(0);
    throw new Error(`${label}: ${n} rows × ${D} inputs (${mib} MiB) need more than ${MAX_ROW_BLOCKS} GPU buffers of ${(limit / 2 ** 20).toFixed(0)} MiB; subsample the data.`);
  }
  const blocks: GPUBuffer[] = [];
  for (let b = 0; b < blockCount; b++) {
    const r0 = b * rowsPerBlock;
    const r1 = Math.min(n, r0 + rowsPerBlock);
    blocks.push(res.upload(X.subarray(r0 * D, r1 * D), `${label} X block ${b}`));
  }
  return { blocks, rowsPerBlock };
}

/** Partial rows of the first level of a column sum of R rows × C columns (1: a single level). */
export function colsumSplit(R: number, C: number): number {
  return Math.max(1, Math.min(Math.ceil(R / 32), Math.floor(65536 / C)));
}

/** Floats of scratch a batch of Bmax rows needs: the largest two-level colsum, conv split-K or dense split-K GEMM partials. */
function scratchNeed(layout: GpuLayout, arch: Architecture, Bmax: number): number {
  let need = 4;
  arch.layers.forEach((layer, l) => {
    const s = layout.shapes[l]!;
    if (layer.kind === 'dense') {
      const din = shapeSize(s);
      // The three products' split-K partials (forward, dW, dX).
      need = Math.max(need, gemmScratch(Bmax, layer.out, din), gemmScratch(din, layer.out, Bmax), gemmScratch(Bmax, din, layer.out));
      const S = layer.bias ? colsumSplit(Bmax, layer.out) : 1;
      if (S > 1) need = Math.max(need, S * layer.out);
    } else if (layer.kind === 'conv3x3') {
      const c: ConvArgs = { B: Bmax, H: s.h, W: s.w, cin: s.c, cout: layer.out, kernelOffset: 0, biasOffset: null };
      need = Math.max(need, convWeightSplit(c).S * 9 * s.c * layer.out, gemmScratch(9 * s.c, layer.out, Bmax * s.h * s.w));
      if (layer.bias) {
        const S = colsumSplit(Bmax * s.h * s.w, layer.out);
        if (S > 1) need = Math.max(need, S * layer.out);
      }
    }
  });
  return need;
}

/** Floats of the im2col patch matrix of a conv layer's input at Bmax rows. */
function patchFloats(Bmax: number, s: { h: number; w: number; c: number }): number {
  return Bmax * s.h * s.w * 9 * s.c;
}

/**
 * Floats of the one patch buffer the conv kernel gradients share: the largest patch matrix that
 * fits a binding (a layer whose patches do not fit uses the direct kernel instead).
 */
function patchNeed(layout: GpuLayout, arch: Architecture, Bmax: number, limit: number): number {
  let need = 0;
  arch.layers.forEach((layer, l) => {
    const f = layer.kind === 'conv3x3' ? patchFloats(Bmax, layout.shapes[l]!) : 0;
    if (f * 4 <= limit) need = Math.max(need, f);
  });
  return need;
}

/** Bytes of the [B, base, 1/B, 0] batch record shared by the gather and loss kernels. */
const BATCH_BYTES = 16;

function batchRecord(B: number, base: number): ArrayBuffer {
  const raw = new ArrayBuffer(BATCH_BYTES);
  const v = new DataView(raw);
  v.setUint32(0, B, true);
  v.setUint32(4, base, true);
  v.setFloat32(8, 1 / B, true);
  return raw;
}

/** The GPU deep backend (see the module comment). */
export class GpuDeepBackend implements DeepBackend {
  readonly device = 'gpu' as const;
  readonly arch: Architecture;
  readonly slots: readonly ParamSlot[];
  readonly paramCount: number;
  readonly layout: GpuLayout;
  private readonly loss: LossKind;
  private readonly opt: OptimizerConfig;
  private readonly res: GpuResources;
  private readonly inputs: number;
  private readonly outputs: number;
  private readonly splits: Record<'train' | 'test', SplitBuffers | null>;
  private readonly theta: GPUBuffer;
  private readonly grad: GPUBuffer;
  private readonly mom: GPUBuffer;
  private readonly state: GPUBuffer;
  private readonly part: GPUBuffer;
  private readonly optParams: GPUBuffer;
  private readonly stepScalars: GPUBuffer;
  private readonly batch: GPUBuffer;
  private idx: GPUBuffer;
  private readonly acc: GPUBuffer;
  private plan: Plan;
  /** Steps taken (mirrors state[2] on the GPU; used for the float64 bias corrections). */
  private count = 0;
  private disposed = false;

  constructor(
    readonly ctx: GpuContext,
    init: DeepBackendInit,
    options: GpuDeepOptions,
    private readonly ownsContext: boolean,
  ) {
    this.layout = gpuLayout(init.arch);
    this.arch = init.arch;
    this.slots = this.layout.slots;
    this.paramCount = this.layout.paramCount;
    this.loss = init.loss;
    this.opt = init.optimizer;
    validateOptimizer(this.opt);
    const shapes = this.layout.shapes;
    this.inputs = shapeSize(shapes[0]!);
    this.outputs = shapeSize(shapes[shapes.length - 1]!);
    if (init.loss === 'softmax-ce' && this.outputs < 2) throw new Error(`softmax-ce needs at least 2 outputs; the network has ${this.outputs}. Use 'mse' for one output.`);
    if (init.theta.length !== this.paramCount) throw new Error(`θ has ${init.theta.length} values; the architecture has ${this.paramCount} parameters.`);
    const nTrain = validateSplit(init.train, 'training data', this.inputs, this.outputs);
    const nTest = init.test ? validateSplit(init.test, 'test data', this.inputs, this.outputs) : 0;
    const batchSize = options.batchSize ?? Math.min(256, nTrain);
    if (!Number.isInteger(batchSize) || batchSize < 1) throw new Error(`batchSize must be a positive integer, got ${batchSize}.`);

    const momentBytes = momentCount(this.opt.kind) * this.paramCount * 4;
    if (momentBytes > ctx.adapter.maxStorageBufferBindingSize) {
      throw new Error(`${this.paramCount} parameters need ${(momentBytes / 2 ** 20).toFixed(0)} MiB of ${this.opt.kind} moments in one GPU buffer, over the ${(ctx.adapter.maxStorageBufferBindingSize / 2 ** 20).toFixed(0)} MiB limit; use a smaller network.`);
    }
    this.res = new GpuResources(ctx, 'deep backend');
    try {
      const res = this.res;
      const P = this.paramCount;
      const upload = (s: DeepSplit, n: number, name: string): SplitBuffers => ({
        n,
        X: uploadRows(res, s.X, n, this.inputs, name),
        Y: res.upload(s.Y, `${name} Y`),
        labels: this.uploadLabels(s.labels, `${name} labels`),
      });
      this.splits = { train: upload(init.train, nTrain, 'train'), test: init.test ? upload(init.test, nTest, 'test') : null };
      this.theta = res.upload(init.theta, 'θ');
      this.grad = res.buffer(P * 4, '∇θ');
      this.mom = res.buffer(momentCount(this.opt.kind) * P * 4, 'moments');
      this.state = res.upload([this.opt.kind === 'dadapt-adam' ? this.opt.d0 : 1, 0, 0, 0], 'optimizer scalars');
      this.part = res.buffer(2 * dadaptGroups(P) * 4, 'dadapt partials');
      this.optParams = res.uniform(optimizerFields(this.opt, P, P), 'optimizer params');
      this.stepScalars = res.create({ label: 'step scalars', size: 16, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST });
      this.batch = res.create({ label: 'batch', size: BATCH_BYTES, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST });
      this.acc = res.buffer(16, 'loss accumulators');
      this.idx = res.buffer(batchSize * 4, 'batch rows');
      this.plan = this.buildPlan(batchSize);
      throwIfGpuFailed(ctx);
    } catch (e) {
      this.res.destroy();
      throw e;
    }
  }

  private uploadLabels(labels: Int32Array, label: string): GPUBuffer {
    const buf = this.res.buffer(labels.length * 4, label);
    const u = Uint32Array.from(labels);
    this.ctx.device.queue.writeBuffer(buf, 0, u.buffer, u.byteOffset, u.byteLength);
    return buf;
  }

  /** Activations, gradients, scratch and every dispatch for a batch capacity of Bmax rows. */
  private buildPlan(Bmax: number): Plan {
    const ctx = this.ctx;
    const res = new GpuResources(ctx, `deep plan (${Bmax} rows)`);
    try {
      const shapes = this.layout.shapes;
      const layers = this.arch.layers;
      const L = layers.length;
      const limit = ctx.adapter.maxStorageBufferBindingSize;
      const act: GPUBuffer[] = [];
      const dact: GPUBuffer[] = [];
      for (let l = 0; l <= L; l++) {
        const bytes = Bmax * shapeSize(shapes[l]!) * 4;
        if (bytes > limit) throw new Error(`a batch of ${Bmax} rows needs ${(bytes / 2 ** 20).toFixed(0)} MiB for the activation after layer ${l - 1}, over the GPU's ${(limit / 2 ** 20).toFixed(0)} MiB per buffer; use a smaller batch size.`);
        const flatAlias = l > 0 && layers[l - 1]!.kind === 'flatten';
        act.push(flatAlias ? act[l - 1]! : res.buffer(bytes, `act ${l}`));
        dact.push(flatAlias ? dact[l - 1]! : l === 0 ? act[0]! : res.buffer(bytes, `dact ${l}`));
      }
      const slotOf = (l: number, name: 'kernel' | 'bias'): ParamSlot | null => this.slots.find((s) => s.layer === l && s.name === name) ?? null;
      const forward: Dispatch[] = [];
      const backward: Dispatch[] = [];
      // Scratch for two-level column sums and conv split-K partials, reused layer by layer (the
      // dispatches of one pass run in order).
      const scratchFloats = scratchNeed(this.layout, this.arch, Bmax);
      if (scratchFloats * 4 > limit) throw new Error(`the gradient scratch of a batch of ${Bmax} rows exceeds the GPU's per-buffer limit; use a smaller batch size.`);
      const scratch = res.buffer(scratchFloats * 4, 'gradient scratch');
      const patchCount = patchNeed(this.layout, this.arch, Bmax, limit);
      const patches = patchCount > 0 ? res.buffer(patchCount * 4, 'conv patches') : null;
      const colsumLevels = (M: GPUBuffer, R: number, C: number, outOffset: number): void => {
        const S = colsumSplit(R, C);
        if (S === 1) {
          backward.push(colsum(ctx, M, R, C, 1, this.grad, outOffset));
        } else {
          backward.push(colsum(ctx, M, R, C, S, scratch, 0), colsum(ctx, scratch, S, C, 1, this.grad, outOffset));
        }
      };
      for (let l = 0; l < L; l++) {
        const layer = layers[l]!;
        const s = shapes[l]!;
        const x = act[l]!;
        const y = act[l + 1]!;
        if (layer.kind === 'dense') {
          const din = shapeSize(s);
          const k = slotOf(l, 'kernel')!;
          const b = slotOf(l, 'bias');
          forward.push(...gemmDispatches(ctx, {
            M: Bmax, N: layer.out, K: din,
            A: { buf: x, offset: 0, s0: din, s1: 1 },
            B: { buf: this.theta, offset: k.offset, s0: layer.out, s1: 1 },
            out: y, outOffset: 0,
            bias: b ? { buf: this.theta, offset: b.offset } : null,
          }, scratch));
        } else if (layer.kind === 'conv3x3') {
          const k = slotOf(l, 'kernel')!;
          const b = slotOf(l, 'bias');
          const c: ConvArgs = { B: Bmax, H: s.h, W: s.w, cin: s.c, cout: layer.out, kernelOffset: k.offset, biasOffset: b ? b.offset : null };
          forward.push(convForward(ctx, x, this.theta, y, c));
        } else if (layer.kind === 'relu') {
          forward.push(reluForward(ctx, x, y, Bmax * shapeSize(s)));
        } else if (layer.kind === 'avgpool2') {
          forward.push(poolForward(ctx, x, y, { B: Bmax, H: s.h, W: s.w, C: s.c }));
        }
      }
      // Backward, last layer first; dact[L] is the loss gradient. Input gradients are needed only
      // above the first layer with parameters (nothing below it learns).
      const firstLearning = layers.findIndex((ly) => ly.kind === 'dense' || ly.kind === 'conv3x3');
      for (let l = L - 1; l >= 0; l--) {
        const layer = layers[l]!;
        const s = shapes[l]!;
        const x = act[l]!;
        const y = act[l + 1]!;
        const dy = dact[l + 1]!;
        const dx = dact[l]!;
        const needDx = l > firstLearning;
        if (layer.kind === 'dense') {
          const din = shapeSize(s);
          const k = slotOf(l, 'kernel')!;
          const b = slotOf(l, 'bias');
          backward.push(...gemmDispatches(ctx, {
            M: din, N: layer.out, K: Bmax,
            A: { buf: x, offset: 0, s0: 1, s1: din },
            B: { buf: dy, offset: 0, s0: layer.out, s1: 1 },
            out: this.grad, outOffset: k.offset, bias: null,
          }, scratch));
          if (b) colsumLevels(dy, Bmax, layer.out, b.offset);
          if (needDx) {
            backward.push(...gemmDispatches(ctx, {
              M: Bmax, N: din, K: layer.out,
              A: { buf: dy, offset: 0, s0: layer.out, s1: 1 },
              B: { buf: this.theta, offset: k.offset, s0: 1, s1: layer.out },
              out: dx, outOffset: 0, bias: null,
            }, scratch));
          }
        } else if (layer.kind === 'conv3x3') {
          const k = slotOf(l, 'kernel')!;
          const b = slotOf(l, 'bias');
          const c: ConvArgs = { B: Bmax, H: s.h, W: s.w, cin: s.c, cout: layer.out, kernelOffset: k.offset, biasOffset: b ? b.offset : null };
          const taps = 9 * s.c * layer.out;
          const Q = Bmax * s.h * s.w;
          if (patches && patchFloats(Bmax, s) * 4 <= limit) {
            // Kernel gradient as patchesᵀ·dY (9·cin × cout, K = B·H·W) with split-K: the product is
            // skinny (few output tiles, a very long K), which split-K spreads over ~256 workgroups;
            // measured faster than the direct kernel (bench: npm run bench -- deep, its profile).
            backward.push(
              im2col(ctx, x, patches, { B: Bmax, H: s.h, W: s.w, C: s.c }),
              ...gemmDispatches(ctx, {
                M: 9 * s.c, N: layer.out, K: Q,
                A: { buf: patches, offset: 0, s0: 1, s1: 9 * s.c },
                B: { buf: dy, offset: 0, s0: layer.out, s1: 1 },
                out: this.grad, outOffset: k.offset, bias: null,
              }, scratch),
            );
          } else {
            const { S, chunk } = convWeightSplit(c);
            backward.push(convBackwardWeights(ctx, x, dy, scratch, c, S, chunk), colsum(ctx, scratch, S, taps, 1, this.grad, k.offset));
          }
          if (b) colsumLevels(dy, Bmax * s.h * s.w, layer.out, b.offset);
          if (needDx) backward.push(convBackwardData(ctx, dy, this.theta, dx, c));
        } else if (layer.kind === 'relu') {
          if (needDx) backward.push(reluBackward(ctx, y, dy, dx, Bmax * shapeSize(s)));
        } else if (layer.kind === 'avgpool2') {
          if (needDx) backward.push(poolBackward(ctx, dy, dx, { B: Bmax, H: s.h, W: s.w, C: s.c }));
        }
      }

      const K = this.outputs;
      const out = act[L]!;
      const trainSplit = this.splits.train!;
      const lossBuffers = (sp: SplitBuffers) => ({ batch: this.batch, idx: this.idx, F: out, Y: sp.Y, labels: sp.labels, G: dact[L]!, acc: this.acc });
      const train = [
        gather(ctx, this.batch, this.idx, trainSplit.X, act[0]!, this.inputs, Bmax, 'index'),
        ...forward,
        lossKernel(ctx, lossBuffers(trainSplit), K, Bmax, this.loss, 'train'),
        ...backward,
        ...optimizerDispatches(ctx, this.opt.kind, {
          params: this.optParams, step: this.stepScalars, g: this.grad, theta: this.theta, mom: this.mom, state: this.state, part: this.part,
        }, this.paramCount),
      ];
      const perSplit = (name: 'train' | 'test') => {
        const sp = this.splits[name];
        if (!sp) return { fwd: null, ev: null, chunks: null };
        const fwd = [gather(ctx, this.batch, this.idx, sp.X, act[0]!, this.inputs, Bmax, 'range'), ...forward];
        const ev = [...fwd, lossKernel(ctx, lossBuffers(sp), K, Bmax, this.loss, 'eval')];
        const count = Math.ceil(sp.n / Bmax);
        const table = new Uint8Array(count * BATCH_BYTES);
        for (let c = 0; c < count; c++) {
          const base = c * Bmax;
          table.set(new Uint8Array(batchRecord(Math.min(Bmax, sp.n - base), base)), c * BATCH_BYTES);
        }
        const chunks = res.create({ label: `${name} chunks`, size: table.byteLength, usage: GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST });
        ctx.device.queue.writeBuffer(chunks, 0, table);
        return { fwd, ev, chunks };
      };
      const tr = perSplit('train');
      const te = perSplit('test');
      const all = [...train, ...(tr.ev ?? []), ...(te.ev ?? [])];
      res.adoptDispatches(all);
      return {
        Bmax, res, act, train,
        forward: { train: tr.fwd, test: te.fwd },
        evaluate: { train: tr.ev, test: te.ev },
        chunks: { train: tr.chunks, test: te.chunks },
      };
    } catch (e) {
      res.destroy();
      throw e;
    }
  }

  private live(): void {
    if (this.disposed) throw new Error('this GPU deep backend was disposed; create a new one.');
  }

  /**
   * Grows the step buffers when a batch has more rows than they hold: the index list and the plan
   * (whose dispatches bind it) are replaced together, once per new maximum.
   */
  private grow(B: number): void {
    const oldIdx = this.idx;
    this.idx = this.res.buffer(B * 4, 'batch rows');
    let next: Plan;
    try {
      next = this.buildPlan(B);
    } catch (e) {
      this.res.release(this.idx);
      this.idx = oldIdx;
      throw e;
    }
    this.res.release(oldIdx);
    this.plan.res.destroy();
    this.plan = next;
  }

  step(rows: Uint32Array): void {
    this.live();
    const B = rows.length;
    if (B < 1) throw new Error('a step needs at least one row index.');
    const n = this.splits.train!.n;
    for (let i = 0; i < B; i++) {
      if (rows[i]! >= n) throw new Error(`row index ${rows[i]} at position ${i} is past the ${n} training rows.`);
    }
    if (B > this.plan.Bmax) this.grow(B);
    const q = this.ctx.device.queue;
    q.writeBuffer(this.idx, 0, rows.buffer, rows.byteOffset, rows.byteLength);
    q.writeBuffer(this.batch, 0, batchRecord(B, 0));
    q.writeBuffer(this.stepScalars, 0, this.stepRecord(this.count + 1));
    const enc = this.ctx.device.createCommandEncoder({ label: 'deep step' });
    const pass = enc.beginComputePass();
    encodeDispatches(pass, this.plan.train);
    pass.end();
    q.submit([enc.finish()]);
    this.count++;
  }

  /**
   * The dispatches one `step` records, in order (for the benchmark's per-kernel profile and its
   * dispatch count; running them outside `step` leaves the uniforms of the last step in place).
   */
  stepDispatches(): readonly Dispatch[] {
    this.live();
    return this.plan.train;
  }

  /** [t, 1 − β1^t, 1 − β2^t, sqrt(1 − β2^t)/(1 − β1^t)] in float64, stored as f32. */
  private stepRecord(t: number): Float32Array<ArrayBuffer> {
    const bc1 = 1 - this.opt.beta1 ** t;
    const bc2 = 1 - this.opt.beta2 ** t;
    return Float32Array.of(t, bc1, bc2, Math.sqrt(bc2) / bc1);
  }

  async takeLoss(): Promise<{ loss: number; steps: number }> {
    this.live();
    // The copy is submitted before the reset (readF32 submits synchronously), so no step falls between.
    const pending = readF32(this.ctx, this.acc, 2);
    writeF32(this.ctx, this.acc, [0, 0]);
    const [sum, steps] = await pending;
    const k = Math.round(steps!);
    return { loss: k > 0 ? sum! / k : NaN, steps: k };
  }

  async dEstimate(): Promise<number> {
    this.live();
    if (this.opt.kind !== 'dadapt-adam') return 1;
    return (await readF32(this.ctx, this.state, 1))[0]!;
  }

  private splitOf(split: 'train' | 'test'): SplitBuffers {
    const sp = this.splits[split];
    if (!sp) throw new Error(`there is no ${split} split on this backend; pass test rows at creation to evaluate on them.`);
    return sp;
  }

  /**
   * Records one pass per chunk of `split` into one encoder: the chunk's batch record is copied into
   * the batch uniform, then `list` runs; `after(enc, c, rows)` may add copies of the results.
   */
  private encodeChunks(split: 'train' | 'test', list: Dispatch[], after: (enc: GPUCommandEncoder, base: number, rows: number) => void): void {
    const sp = this.splitOf(split);
    const Bmax = this.plan.Bmax;
    const table = this.plan.chunks[split]!;
    const enc = this.ctx.device.createCommandEncoder({ label: `deep ${split} pass` });
    for (let c = 0, base = 0; base < sp.n; c++, base += Bmax) {
      enc.copyBufferToBuffer(table, c * BATCH_BYTES, this.batch, 0, BATCH_BYTES);
      const pass = enc.beginComputePass();
      encodeDispatches(pass, list);
      pass.end();
      after(enc, base, Math.min(Bmax, sp.n - base));
    }
    this.ctx.device.queue.submit([enc.finish()]);
  }

  async evaluate(split: 'train' | 'test'): Promise<Evaluation> {
    this.live();
    const n = this.splitOf(split).n;
    writeF32(this.ctx, this.acc, [0, 0], 2);
    this.encodeChunks(split, this.plan.evaluate[split]!, () => undefined);
    const [lossSum, correct] = await readF32(this.ctx, this.acc, 2, 2);
    return { loss: lossSum! / n, accuracy: correct! / n };
  }

  /** The activations act[upTo] of every row of `split` (n × width), in one read-back. */
  private async rowsOf(split: 'train' | 'test', upTo: number): Promise<Float64Array> {
    const n = this.splitOf(split).n;
    const width = shapeSize(this.layout.shapes[upTo]!);
    const bytes = n * width * 4;
    if (bytes > this.ctx.adapter.maxBufferSize) throw new Error(`${n} rows × ${width} values (${(bytes / 2 ** 20).toFixed(0)} MiB) exceed the GPU's largest buffer; read fewer rows.`);
    const staging = this.ctx.device.createBuffer({ label: 'deep rows read-back', size: Math.max(4, bytes), usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
    try {
      const src = this.plan.act[upTo]!;
      this.encodeChunks(split, this.plan.forward[split]!, (enc, base, rows) => enc.copyBufferToBuffer(src, 0, staging, base * width * 4, rows * width * 4));
      await staging.mapAsync(GPUMapMode.READ);
      const out = Float64Array.from(new Float32Array(staging.getMappedRange(), 0, n * width));
      staging.unmap();
      throwIfGpuFailed(this.ctx);
      return out;
    } finally {
      staging.destroy();
    }
  }

  predict(split: 'train' | 'test'): Promise<Float64Array> {
    this.live();
    return this.rowsOf(split, this.arch.layers.length);
  }

  features(upTo: number): Promise<Float64Array> {
    this.live();
    const L = this.arch.layers.length;
    if (!Number.isInteger(upTo) || upTo < 0 || upTo > L) return Promise.reject(new Error(`features(upTo) needs an integer in 0..${L}, got ${upTo}.`));
    return this.rowsOf('train', upTo);
  }

  async getParams(): Promise<Float64Array> {
    this.live();
    return Float64Array.from(await readF32(this.ctx, this.theta, this.paramCount));
  }

  setParams(theta: Float64Array): void {
    this.live();
    if (theta.length !== this.paramCount) throw new Error(`setParams got ${theta.length} values; the network has ${this.paramCount} parameters.`);
    writeF32(this.ctx, this.theta, theta);
  }

  async getOptimizerState(): Promise<OptimizerState> {
    this.live();
    const P = this.paramCount;
    const k = momentCount(this.opt.kind);
    const mom = await readF32(this.ctx, this.mom, k * P);
    const st = await readF32(this.ctx, this.state, 3);
    const arrays: Record<string, Float64Array> = {};
    for (let i = 0; i < k; i++) arrays[MOMENT_NAMES[i]!] = Float64Array.from(mom.subarray(i * P, (i + 1) * P));
    const scalars: Record<string, number> = { count: Math.round(st[2]!) };
    if (this.opt.kind === 'dadapt-adam') {
      scalars['d'] = st[0]!;
      scalars['r'] = st[1]!;
    }
    return { scalars, arrays };
  }

  setOptimizerState(state: OptimizerState): void {
    this.live();
    const P = this.paramCount;
    const k = momentCount(this.opt.kind);
    const flat = new Float32Array(k * P);
    for (let i = 0; i < k; i++) {
      const name = MOMENT_NAMES[i]!;
      const a = state.arrays[name];
      if (!a || a.length !== P) throw new Error(`optimizer state '${name}' must have ${P} values (one per parameter), got ${a ? a.length : 'none'}.`);
      flat.set(a, i * P);
    }
    const count = state.scalars['count'] ?? 0;
    if (!Number.isInteger(count) || count < 0) throw new Error(`optimizer state count must be a non-negative integer, got ${count}.`);
    const d = this.opt.kind === 'dadapt-adam' ? state.scalars['d'] ?? this.opt.d0 : 1;
    const r = this.opt.kind === 'dadapt-adam' ? state.scalars['r'] ?? 0 : 0;
    finiteOrThrow(d, 'optimizer state d');
    finiteOrThrow(r, 'optimizer state r');
    writeF32(this.ctx, this.mom, flat);
    writeF32(this.ctx, this.state, [d, r, count, 0]);
    this.count = count;
  }

  setTrainable(n: number): void {
    this.live();
    if (!Number.isInteger(n) || n < 0 || n > this.paramCount) throw new Error(`setTrainable needs an integer in 0..${this.paramCount}, got ${n}.`);
    // Field 0 of every optimizer's params uniform is n (optimizerFields).
    this.ctx.device.queue.writeBuffer(this.optParams, 0, Uint32Array.of(n));
  }

  /** Why the device was lost, or null while it is fine (solver/resilience.ts watches it). */
  deviceLost(): string | null {
    return this.ctx.lostReason;
  }

  /** Destroys the device (the device-loss test hook); every later step fails and `deviceLost` says why. */
  loseDevice(): void {
    this.ctx.destroy();
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.plan.res.destroy();
    this.res.destroy();
    if (this.ownsContext) this.ctx.destroy();
  }
}
