/**
 * The deep-network kernels (shaders/deep_*.wgsl), compiled through the one pipeline cache
 * (solver/gpu/kernel.ts programKernel, prelude prepended), and builders of their dispatches with
 * parameters fixed at setup. Each builder's params uniform is owned by the dispatch it returns
 * (`Dispatch.owned`); the backend adopts them into its GpuResources. Operands inside θ or its
 * gradient are addressed by element offsets in the params (a slot's offset is not 256-byte
 * aligned, so buffer views cannot be used).
 */
import gemmSrc from '../../../shaders/deep_gemm.wgsl?raw';
import colsumSrc from '../../../shaders/deep_colsum.wgsl?raw';
import reluFwdSrc from '../../../shaders/deep_relu_fwd.wgsl?raw';
import reluBwdSrc from '../../../shaders/deep_relu_bwd.wgsl?raw';
import poolFwdSrc from '../../../shaders/deep_pool_fwd.wgsl?raw';
import poolBwdSrc from '../../../shaders/deep_pool_bwd.wgsl?raw';
import convDirectSrc from '../../../shaders/deep_conv_direct.wgsl?raw';
import convBwdWeightsSrc from '../../../shaders/deep_conv_bwd_weights.wgsl?raw';
import gatherSrc from '../../../shaders/deep_gather.wgsl?raw';
import lossSrc from '../../../shaders/deep_loss.wgsl?raw';
import sgdSrc from '../../../shaders/deep_sgd.wgsl?raw';
import adamSrc from '../../../shaders/deep_adam.wgsl?raw';
import dadaptSrc from '../../../shaders/deep_dadapt.wgsl?raw';
import dadaptScalarsSrc from '../../../shaders/deep_dadapt_scalars.wgsl?raw';
import im2colSrc from '../../../shaders/deep_im2col.wgsl?raw';
import type { GpuContext } from '../../gpu/context';
import { dispatchOf, f32, paramsBuffer, programKernel, u32, type Dispatch, type ParamValue } from '../../gpu/kernel';
import type { LossKind, OptimizerConfig } from '../types';

const SOURCES = {
  deep_gemm: gemmSrc,
  deep_colsum: colsumSrc,
  deep_relu_fwd: reluFwdSrc,
  deep_relu_bwd: reluBwdSrc,
  deep_pool_fwd: poolFwdSrc,
  deep_pool_bwd: poolBwdSrc,
  deep_conv_direct: convDirectSrc,
  deep_conv_bwd_weights: convBwdWeightsSrc,
  deep_gather: gatherSrc,
  deep_loss: lossSrc,
  deep_sgd: sgdSrc,
  deep_adam: adamSrc,
  deep_dadapt: dadaptSrc,
  deep_dadapt_scalars: dadaptScalarsSrc,
  deep_im2col: im2colSrc,
} as const;

/** Name of one deep kernel (its shader file name). */
export type DeepKernelName = keyof typeof SOURCES;

/** Threads per workgroup of the element-wise kernels (WG_1D in the prelude). */
const WG = 256;

/** A dispatch of `name` with a params uniform from `fields` at binding 0 (owned by the dispatch). */
function withParams(
  ctx: GpuContext,
  name: DeepKernelName,
  fields: ParamValue[],
  buffers: GPUBuffer[],
  grid: [number, number],
  constants?: Record<string, number>,
): Dispatch {
  const params = paramsBuffer(ctx, fields, name);
  return dispatchOf(programKernel(ctx, { name, source: SOURCES[name], constants }), [params, ...buffers], grid[0], grid[1], 1, [params]);
}

/** A 1-D grid of `groups` workgroups folded into 2-D within maxComputeWorkgroupsPerDimension. */
export function foldGrid(ctx: GpuContext, groups: number): [number, number] {
  const max = ctx.adapter.maxComputeWorkgroupsPerDimension;
  const g = Math.max(1, groups);
  if (g <= max) return [g, 1];
  const y = Math.ceil(g / max);
  return [Math.ceil(g / y), y];
}

function elementwise(
  ctx: GpuContext,
  name: DeepKernelName,
  fields: ParamValue[],
  buffers: GPUBuffer[],
  count: number,
  constants?: Record<string, number>,
): Dispatch {
  return withParams(ctx, name, fields, buffers, foldGrid(ctx, Math.ceil(count / WG)), constants);
}

/** One operand of {@link gemm}: a buffer, an element offset and the strides of (row, inner) or (inner, column). */
export interface GemmOperand {
  readonly buf: GPUBuffer;
  readonly offset: number;
  /** Stride of the first index (A: row i; B: inner k). */
  readonly s0: number;
  /** Stride of the second index (A: inner k; B: column j). */
  readonly s1: number;
}

/** Operands of {@link gemm}: out[oc + i·N + j] = Σ_k A(i,k)·B(k,j) (+ bias[obias + j]). */
export interface GemmArgs {
  readonly M: number;
  readonly N: number;
  readonly K: number;
  readonly A: GemmOperand;
  readonly B: GemmOperand;
  readonly out: GPUBuffer;
  readonly outOffset: number;
  /** Bias buffer and element offset, or null. */
  readonly bias: { buf: GPUBuffer; offset: number } | null;
}

/** Output tile edge of deep_gemm (64×64 per 64-thread workgroup). */
const GEMM_TILE = 64;

/** Inner-dimension steps per slab of deep_gemm (a K chunk is a multiple of it). */
const GEMM_TK = 16;

/**
 * Workgroups a product should have before split-K stops paying: a few per core of a large GPU
 * (and, on a CPU emulation, enough to keep every thread busy). Fewer output tiles than this
 * leave most of a GPU idle while each workgroup walks a long K loop alone.
 */
export const GEMM_TARGET_GROUPS = 256;

/** Shortest K chunk worth a workgroup (shorter chunks spend more on partials than they save). */
const GEMM_MIN_CHUNK = 64;

/** How deep_gemm splits K for an M×N×K product: `chunks` pieces of `kchunk` (1 piece: no split). */
export interface GemmSplit {
  readonly chunks: number;
  readonly kchunk: number;
}

/**
 * The split-K plan of an M×N×K product: enough chunks to bring the workgroups up to
 * {@link GEMM_TARGET_GROUPS}, each at least {@link GEMM_MIN_CHUNK} long and a multiple of the slab.
 */
export function gemmSplit(M: number, N: number, K: number): GemmSplit {
  const tiles = Math.ceil(M / GEMM_TILE) * Math.ceil(N / GEMM_TILE);
  const want = Math.max(1, Math.min(Math.ceil(GEMM_TARGET_GROUPS / tiles), Math.floor(K / GEMM_MIN_CHUNK)));
  const kchunk = Math.ceil(Math.ceil(K / want) / GEMM_TK) * GEMM_TK;
  return { chunks: Math.ceil(K / kchunk), kchunk };
}

/** Floats of partials {@link gemmDispatches} needs for an M×N×K product (0: no split). */
export function gemmScratch(M: number, N: number, K: number): number {
  const { chunks } = gemmSplit(M, N, K);
  return chunks > 1 ? chunks * M * N : 0;
}

function gemmPass(ctx: GpuContext, a: GemmArgs, split: GemmSplit, out: GPUBuffer, outOffset: number, part: number): Dispatch {
  const tilesM = Math.ceil(a.M / GEMM_TILE);
  const tilesN = Math.ceil(a.N / GEMM_TILE);
  const numTiles = tilesM * tilesN;
  const grid = foldGrid(ctx, numTiles * split.chunks);
  const fields = [
    u32(a.M), u32(a.N), u32(a.K), u32(a.A.offset),
    u32(a.A.s0), u32(a.A.s1), u32(a.B.offset), u32(a.B.s0),
    u32(a.B.s1), u32(outOffset), u32(a.bias?.offset ?? 0), u32(a.bias ? 1 : 0),
    u32(grid[0]), u32(tilesN), u32(numTiles), u32(split.kchunk),
    u32(part), u32(split.chunks), u32(0), u32(0),
  ];
  return withParams(ctx, 'deep_gemm', fields, [a.A.buf, a.B.buf, a.bias?.buf ?? a.B.buf, out], grid);
}

/** The strided, register-blocked, workgroup-tiled product of deep_gemm.wgsl in one pass (no split-K). */
export function gemm(ctx: GpuContext, a: GemmArgs): Dispatch {
  return gemmPass(ctx, a, { chunks: 1, kchunk: Math.max(1, a.K) }, a.out, a.outOffset, 0);
}

/**
 * The product with split-K where {@link gemmSplit} asks for it: the chunks' partials go to
 * `scratch` (at least {@link gemmScratch} floats; may be reused by later dispatches of the same
 * pass) and a deep_colsum pass adds them into `out` in a fixed order. One dispatch when no split.
 */
export function gemmDispatches(ctx: GpuContext, a: GemmArgs, scratch: GPUBuffer): Dispatch[] {
  const split = gemmSplit(a.M, a.N, a.K);
  if (split.chunks === 1) return [gemm(ctx, a)];
  const MN = a.M * a.N;
  return [gemmPass(ctx, a, split, scratch, 0, MN), colsum(ctx, scratch, split.chunks, MN, 1, a.out, a.outOffset)];
}

/** out[oc + s·C + j] = Σ_{i ≡ s (mod S)} M[i·C + j]: one level of a column sum (S = 1: the full sum). */
export function colsum(ctx: GpuContext, M: GPUBuffer, R: number, C: number, S: number, out: GPUBuffer, outOffset: number): Dispatch {
  return elementwise(ctx, 'deep_colsum', [u32(R), u32(C), u32(S), u32(outOffset)], [M, out], C * S);
}

/** y = max(x, 0) over `count` elements. */
export function reluForward(ctx: GpuContext, x: GPUBuffer, y: GPUBuffer, count: number): Dispatch {
  return elementwise(ctx, 'deep_relu_fwd', [u32(count)], [x, y], count);
}

/** dx = dy·1[y > 0] over `count` elements. */
export function reluBackward(ctx: GpuContext, y: GPUBuffer, dy: GPUBuffer, dx: GPUBuffer, count: number): Dispatch {
  return elementwise(ctx, 'deep_relu_bwd', [u32(count)], [y, dy, dx], count);
}

/** An NHWC image batch shape. */
export interface ImageDims {
  readonly B: number;
  readonly H: number;
  readonly W: number;
  readonly C: number;
}

/** 2×2 average pooling (VALID) of x (B×H×W×C) into y (B×⌊H/2⌋×⌊W/2⌋×C). */
export function poolForward(ctx: GpuContext, x: GPUBuffer, y: GPUBuffer, d: ImageDims): Dispatch {
  const count = d.B * Math.floor(d.H / 2) * Math.floor(d.W / 2) * d.C;
  return elementwise(ctx, 'deep_pool_fwd', [u32(d.B), u32(d.H), u32(d.W), u32(d.C)], [x, y], count);
}

/** Gradient of {@link poolForward}: dx (B×H×W×C) from dy. */
export function poolBackward(ctx: GpuContext, dy: GPUBuffer, dx: GPUBuffer, d: ImageDims): Dispatch {
  return elementwise(ctx, 'deep_pool_bwd', [u32(d.B), u32(d.H), u32(d.W), u32(d.C)], [dy, dx], d.B * d.H * d.W * d.C);
}

/** Shape and θ offsets of one conv3x3 layer. */
export interface ConvArgs {
  readonly B: number;
  readonly H: number;
  readonly W: number;
  readonly cin: number;
  readonly cout: number;
  /** Offset of the HWIO kernel in θ. */
  readonly kernelOffset: number;
  /** Offset of the bias in θ, or null. */
  readonly biasOffset: number | null;
}

/*
 * Convolution forward and data gradient are direct kernels; the kernel gradient is im2col + the
 * split-K GEMM wherever the patch matrix fits a binding (the direct kernel otherwise). Before
 * split-K, bench/deep-bench.ts on the emulator (Dawn OpenGL ES on llvmpipe, batch 256, ratios
 * im2col+GEMM / direct from two runs) gave: forward 1.05–1.42 (28×28×1→32) and 1.00–1.17
 * (14×14×32→32); data gradient 0.97–1.99 at 14×14×32→32 (at 28×28×1→32 its 221 MiB patch matrix
 * does not fit a 128 MiB binding); kernel gradient 0.60–0.85 with its own im2col. That GEMM has
 * only 1–9 output tiles and K = B·H·W, which split-K now spreads over ~256 workgroups; with it the
 * CNN training step went from 1.49× to 1.92× tfjs's speed (npm run bench -- deep, one run each).
 * Per-dispatch profile after the change: conv forward and data gradient of the 14×14×32 layer
 * are ~55 % of the step, the next thing to move to im2col + GEMM (the data gradient needs the
 * flipped kernel K′ built each step).
 */

/**
 * One pass of deep_conv_direct.wgsl: `dst` (nout channels) from `src` (nin channels) through the
 * HWIO kernel with the strides of the summed and produced channel (forward or data gradient).
 */
function convDirect(ctx: GpuContext, src: GPUBuffer, theta: GPUBuffer, dst: GPUBuffer, c: ConvArgs, dataGrad: boolean): Dispatch {
  const [nin, nout] = dataGrad ? [c.cout, c.cin] : [c.cin, c.cout];
  const [sIn, sOut] = dataGrad ? [1, c.cout] : [c.cout, 1];
  const bias = !dataGrad && c.biasOffset !== null;
  const fields = [c.B, c.H, c.W, nin, nout, c.kernelOffset, sIn, sOut, bias ? c.biasOffset! : 0, bias ? 1 : 0, 0, 0].map(u32);
  return elementwise(ctx, 'deep_conv_direct', fields, [src, theta, dst], c.B * c.H * c.W * Math.ceil(nout / 4), { DATA_GRAD: dataGrad ? 1 : 0 });
}

/** y = conv3x3_same(x, K) + b (direct). */
export function convForward(ctx: GpuContext, x: GPUBuffer, theta: GPUBuffer, y: GPUBuffer, c: ConvArgs): Dispatch {
  return convDirect(ctx, x, theta, y, c, false);
}

/** dx of the convolution from dy (direct: the same kernel over the flipped, transposed K). */
export function convBackwardData(ctx: GpuContext, dy: GPUBuffer, theta: GPUBuffer, dx: GPUBuffer, c: ConvArgs): Dispatch {
  return convDirect(ctx, dy, theta, dx, c, true);
}

/**
 * Split of the Q = B·H·W pixel sum of the conv weight gradient: S chunks of `chunk` pixels, enough
 * threads to fill a GPU (~64k) without chunks shorter than 32 pixels.
 */
export function convWeightSplit(c: ConvArgs): { S: number; chunk: number } {
  const Q = c.B * c.H * c.W;
  const groups = 9 * c.cin * Math.ceil(c.cout / 4);
  const want = Math.max(1, Math.min(Math.ceil(65536 / groups), Math.ceil(Q / 32)));
  const chunk = Math.ceil(Q / want);
  return { S: Math.ceil(Q / chunk), chunk };
}

/** First level of the conv weight gradient: part (S×9·cin·cout) of x ⋆ dy per pixel chunk. */
export function convBackwardWeights(ctx: GpuContext, x: GPUBuffer, dy: GPUBuffer, part: GPUBuffer, c: ConvArgs, S: number, chunk: number): Dispatch {
  const fields = [u32(c.B), u32(c.H), u32(c.W), u32(c.cin), u32(c.cout), u32(S), u32(chunk), u32(0)];
  return elementwise(ctx, 'deep_conv_bwd_weights', fields, [x, dy, part], S * 9 * c.cin * Math.ceil(c.cout / 4));
}

/** Most row blocks a resident split may have (bindings X0..X3 of deep_gather.wgsl). */
export const MAX_ROW_BLOCKS = 4;

/** A split's rows on the device: 1..4 buffers of `rowsPerBlock` rows (the last may be shorter). */
export interface RowBlocks {
  readonly blocks: readonly GPUBuffer[];
  readonly rowsPerBlock: number;
}

/**
 * The (B·H·W)×(9·cin) patch matrix of a 3×3 'same' convolution (im2col), for the im2col+GEMM form
 * that bench/deep-bench.ts measures against the direct kernels; the backend uses the direct ones.
 */
export function im2col(ctx: GpuContext, x: GPUBuffer, patches: GPUBuffer, d: ImageDims): Dispatch {
  return elementwise(ctx, 'deep_im2col', [u32(d.B), u32(d.H), u32(d.W), u32(d.C)], [x, patches], d.B * d.H * d.W * 9 * d.C);
}

/** out (Bmax×D) ← rows of X: idx[b] (mode 'index') or batch.base + b (mode 'range'), zero past batch.B. */
export function gather(ctx: GpuContext, batch: GPUBuffer, idx: GPUBuffer, X: RowBlocks, out: GPUBuffer, D: number, Bmax: number, mode: 'index' | 'range'): Dispatch {
  const first = X.blocks[0];
  if (!first || X.blocks.length > MAX_ROW_BLOCKS) throw new Error(`gather needs 1 to ${MAX_ROW_BLOCKS} row blocks, got ${X.blocks.length}`);
  const blocks = Array.from({ length: MAX_ROW_BLOCKS }, (_, i) => X.blocks[i] ?? first);
  const fields = [u32(D), u32(Bmax), u32(mode === 'index' ? 0 : 1), u32(X.rowsPerBlock)];
  return elementwise(ctx, 'deep_gather', fields, [batch, idx, out, ...blocks], Bmax * D);
}

/** Buffers of {@link lossKernel}. */
export interface LossBuffers {
  readonly batch: GPUBuffer;
  readonly idx: GPUBuffer;
  readonly F: GPUBuffer;
  readonly Y: GPUBuffer;
  readonly labels: GPUBuffer;
  readonly G: GPUBuffer;
  readonly acc: GPUBuffer;
}

/** The loss on one batch ('train': gradient + batch-mean loss) or one evaluation chunk ('eval': loss sum + correct count). */
export function lossKernel(ctx: GpuContext, b: LossBuffers, K: number, Bmax: number, kind: LossKind, mode: 'train' | 'eval'): Dispatch {
  const fields = [u32(K), u32(Bmax), u32(kind === 'mse' ? 0 : 1), u32(mode === 'train' ? 0 : 1)];
  return withParams(ctx, 'deep_loss', fields, [b.batch, b.idx, b.F, b.Y, b.labels, b.G, b.acc], [1, 1]);
}

/** Workgroups of the DAdapt element kernel (fixed, grid-stride; the scalar kernel sums their partials). */
export function dadaptGroups(paramCount: number): number {
  return Math.max(1, Math.min(256, Math.ceil(paramCount / (4 * WG))));
}

/** The optimizer's fixed settings as its params uniform (n, the trainable length, is rewritten by setTrainable). */
export function optimizerFields(o: OptimizerConfig, n: number, P: number): ParamValue[] {
  if (o.kind === 'sgd') return [u32(n), u32(P), f32(o.lr), f32(o.momentum)];
  const wd = o.kind === 'adam' ? 0 : o.weightDecay;
  return [u32(n), u32(P), f32(o.lr), f32(o.beta1), f32(o.beta2), f32(o.eps), f32(wd), u32(dadaptGroups(P))];
}

/** Buffers of the optimizer kernels. */
export interface OptimizerBuffers {
  /** The optimizer's params uniform (from {@link optimizerFields}; owned by the caller). */
  readonly params: GPUBuffer;
  /** Per-step scalars [t, 1 − β1^t, 1 − β2^t, sqrt(1 − β2^t)/(1 − β1^t)] (uniform). */
  readonly step: GPUBuffer;
  readonly g: GPUBuffer;
  readonly theta: GPUBuffer;
  /** m, v, s of length P each, in that order (as many as the kind uses). */
  readonly mom: GPUBuffer;
  /** [d, r, count, 0]. */
  readonly state: GPUBuffer;
  /** 2·dadaptGroups partial sums (DAdapt only). */
  readonly part: GPUBuffer;
}

/** The fused update of `kind` over θ (and, for DAdapt, its scalar kernel): the dispatches in order. */
export function optimizerDispatches(ctx: GpuContext, kind: OptimizerConfig['kind'], b: OptimizerBuffers, P: number): Dispatch[] {
  const kernelOf = (name: DeepKernelName) => programKernel(ctx, { name, source: SOURCES[name] });
  const grid = foldGrid(ctx, Math.ceil(P / WG));
  if (kind === 'sgd') return [dispatchOf(kernelOf('deep_sgd'), [b.params, b.g, b.theta, b.mom, b.state], grid[0], grid[1])];
  if (kind === 'adam' || kind === 'adamw') {
    return [dispatchOf(kernelOf('deep_adam'), [b.params, b.step, b.g, b.theta, b.mom, b.state], grid[0], grid[1])];
  }
  return [
    dispatchOf(kernelOf('deep_dadapt'), [b.params, b.step, b.g, b.theta, b.mom, b.state, b.part], dadaptGroups(P)),
    dispatchOf(kernelOf('deep_dadapt_scalars'), [b.params, b.step, b.part, b.state], 1),
  ];
}
