/**
 * The two GEMM-shaped products of the solver (spec §3), built once at setup and replayed every
 * iteration as plain dispatches:
 * - {@link forwardProduct}: Z = X·U (n×K) with a fused epilogue (E∘Z, max(Z,0), D∘Z);
 * - {@link transposedProduct}: α·Xᵀ·L(R) (+ base), d×K, with the D-mask / Fᵀ expansion fused into the
 *   load and split-K over the rows of X (deterministic two-pass reduction, no atomics).
 *
 * Buffers are expected to come from `storageBuffer`/`uploadF32` (sizes rounded up to 16 bytes): the
 * kernels read X, U and R as `array<vec4<f32>>`.
 */
import type { GpuContext } from './context';
import { dispatchOf, paramsBuffer, placeholderBuffer, programKernel, storageBuffer, u32, f32, type Binding, type Dispatch } from './kernel';
import xuSource from '../../shaders/xu.wgsl?raw';
import xtrSource from '../../shaders/xtr.wgsl?raw';
import xtrReduceSource from '../../shaders/xtr_reduce.wgsl?raw';
import gemmCommonSource from '../../shaders/gemm_common.wgsl?raw';

/** What both products share (overrides, X and D bindings, scalar loads), compiled before each. */
const GEMM_INCLUDES = [gemmCommonSource] as const;

/** Epilogue of the forward product: Z, (Z and E∘Z), max(Z,0), or D∘Z (E = 2D − 1). */
export type ForwardEpilogue = 'plain' | 'cone' | 'relu' | 'gate';

/** Operands of {@link forwardProduct}. All buffers are row-major f32. */
export interface ForwardArgs {
  /** n×d data matrix. */
  X: Binding;
  n: number;
  d: number;
  /** d×K right-hand side. */
  U: GPUBuffer;
  K: number;
  /** n×P activation patterns (0/1); column col uses pattern col % P. Read by 'cone' and 'gate'. */
  D: Binding;
  P: number;
  /** n×K result (Z, max(Z,0) or D∘Z). */
  out: Binding;
  /** n×K E∘Z, required by (and only written by) the 'cone' epilogue. */
  out2?: Binding;
  epilogue: ForwardEpilogue;
}

/** How the transposed product loads R: as is, masked by E = 2D − 1, or expanded as the spec's Fᵀ. */
export type TransposedLoad = 'plain' | 'cone' | 'fT';

/** Operands of {@link transposedProduct}. All buffers are row-major f32. */
export interface TransposedArgs {
  /** n×d data matrix. */
  X: Binding;
  n: number;
  d: number;
  /** n×K for 'plain' and 'cone'; n×C for 'fT'. */
  R: Binding;
  /** Columns of the result; for 'fT' K must equal C·S·P. */
  K: number;
  /** n×P activation patterns (0/1). Read by 'cone' and 'fT'. */
  D: Binding;
  P: number;
  /** Sign blocks per class (2 for ReLU, 1 for gated); used by 'fT'. */
  S: number;
  /** Outputs (classes) of R; used by 'fT'. */
  C: number;
  /** d×K result. May be the same buffer as `base` (in-place update). */
  out: Binding;
  alpha: number;
  /** Optional d×K term added after scaling; 0 when absent. */
  base?: Binding;
  load: TransposedLoad;
}

const EPILOGUE_CODE: Record<ForwardEpilogue, number> = { plain: 0, cone: 1, relu: 2, gate: 3 };
const LOAD_CODE: Record<TransposedLoad, number> = { plain: 0, cone: 1, fT: 2 };

/**
 * Threads per workgroup of the product kernels: 2 NVIDIA warps / 1 AMD wave, and small enough that
 * thin problems still give many workgroups (tfjs uses 8×8 as well).
 */
const WG_SIZE = 64;
/** Each product thread computes an 8×8 block: 8 rows × two vec4 column groups (see the shaders). */
const BLOCK = 8;
/** Workgroups the split-K heuristic aims for: ~4 per compute unit of a large GPU (132 SMs on H100/H200; notes §3). */
const TARGET_WORKGROUPS = 512;
/** Fewer rows per chunk than this makes per-workgroup overhead and partial traffic dominate. */
const MIN_ROWS_PER_CHUNK = 64;
/** Longest serial sum per output element; shorter sums are more accurate in float32 (notes §3, §5). */
const MAX_ROWS_PER_CHUNK = 2048;
/** Upper bound on chunks, which bounds the reduce pass's serial loop. */
const MAX_CHUNKS = 256;

function checkDim(name: string, v: number): void {
  if (!Number.isInteger(v) || v < 1) throw new Error(`${name} must be a positive integer, got ${v}`);
}

/** Throws unless `buf` holds `elems` floats (padded to whole vec4s) and fits one storage binding. */
function checkBuffer(ctx: GpuContext, name: string, buf: Binding, elems: number): void {
  const limit = ctx.adapter.maxStorageBufferBindingSize;
  const need = Math.ceil(elems / 4) * 16;
  if (need > limit || buf.size > limit) {
    throw new Error(
      `${name} needs ${Math.max(need, buf.size)} bytes, above this GPU's maxStorageBufferBindingSize of ${limit} bytes`,
    );
  }
  if (buf.size < need) {
    throw new Error(`${name} holds ${buf.size} bytes but ${elems} floats need ${need} (sizes must be rounded up to 16 bytes)`);
  }
}

/** Splits `tiles` workgroups into a 2-D grid within maxComputeWorkgroupsPerDimension. */
function foldGrid(ctx: GpuContext, tiles: number): [number, number] {
  const maxDim = ctx.adapter.maxComputeWorkgroupsPerDimension;
  const gx = Math.min(tiles, maxDim);
  const gy = Math.ceil(tiles / gx);
  if (gy > maxDim) throw new Error(`${tiles} workgroups exceed the ${maxDim}² grid limit`);
  return [gx, gy];
}

/** 8-column groups per workgroup: enough to cover K, at most 8 so that a tile also spans 8+ row groups. */
function columnGroups(K: number): number {
  const groups = Math.ceil(K / BLOCK);
  let w = 1;
  while (w < groups && w < 8) w *= 2;
  return w;
}

/** Override constants shared by both products (alignment fast paths). */
function layoutConstants(d: number, P: number): Record<string, number> {
  return { WG_SIZE, X_VEC: d % 4 === 0 ? 1 : 0, D_VEC: P % 4 === 0 ? 1 : 0 };
}

/**
 * Records Z = X·U with the requested epilogue (see {@link ForwardEpilogue}). Everything (pipeline,
 * parameters, bind group) is made here; the returned dispatch owns its params uniform.
 */
export function forwardProduct(ctx: GpuContext, args: ForwardArgs): Dispatch[] {
  const { n, d, K, P } = args;
  checkDim('n', n);
  checkDim('d', d);
  checkDim('K', K);
  checkDim('P', P);
  const mode = EPILOGUE_CODE[args.epilogue];
  if (mode === undefined) throw new Error(`unknown epilogue ${String(args.epilogue)}`);
  checkBuffer(ctx, 'X', args.X, n * d);
  checkBuffer(ctx, 'U', args.U, d * K);
  checkBuffer(ctx, 'D', args.D, n * P);
  checkBuffer(ctx, 'out', args.out, n * K);
  let out2: Binding = placeholderBuffer(ctx);
  if (args.epilogue === 'cone') {
    if (!args.out2) throw new Error("the 'cone' epilogue needs out2");
    if (args.out2 === args.out) throw new Error('out2 must differ from out');
    checkBuffer(ctx, 'out2', args.out2, n * K);
    out2 = args.out2;
  }

  const wgCols = columnGroups(K);
  const rowsPerTile = (WG_SIZE / wgCols) * BLOCK;
  const colTiles = Math.ceil(K / (BLOCK * wgCols));
  const numTiles = colTiles * Math.ceil(n / rowsPerTile);
  const [gx, gy] = foldGrid(ctx, numTiles);
  const kernel = programKernel(ctx, { name: 'xu', source: xuSource, includes: GEMM_INCLUDES, constants: {
    ...layoutConstants(d, P),
    WG_COLS: wgCols,
    U_VEC: K % 4 === 0 ? 1 : 0,
  } });
  const params = paramsBuffer(
    ctx,
    [u32(n), u32(d), u32(K), u32(P), u32(mode), u32(colTiles), u32(numTiles), u32(gx)],
    'xu-params',
  );
  return [dispatchOf(kernel, [args.X, args.U, args.D, args.out, out2, params], gx, gy, 1, [params])];
}

/** Tiling and split-K plan of a transposed product (exported for tests and the benchmark report). */
export interface TransposedPlan {
  /** 8-column groups per workgroup (the WG_COLS override). */
  wgCols: number;
  colTiles: number;
  /** Tiles over the d output rows. */
  rowTiles: number;
  /** d rounded up to whole vec4s: rows per chunk in the partials buffer. */
  dPad: number;
  /** ⌈K/4⌉: vec4 columns per row in the partials buffer. */
  K4: number;
  numChunks: number;
  rowsPerChunk: number;
}

/**
 * Tiles of the d×K output, and the number of row chunks: enough workgroups to fill a GPU, while
 * keeping the partials' traffic (written and re-read: 2·chunks·d·K floats) at most half of X's,
 * serial sums at most MAX_ROWS_PER_CHUNK long, and the partials within the device's buffer limits.
 */
export function planTransposed(ctx: GpuContext, n: number, d: number, K: number): TransposedPlan {
  const K4 = Math.ceil(K / 4);
  const dPad = Math.ceil(d / 4) * 4;
  const wgCols = columnGroups(K);
  const colTiles = Math.ceil(K / (BLOCK * wgCols));
  const rowTiles = Math.ceil(d / ((WG_SIZE / wgCols) * BLOCK));
  const kPad = K4 * 4;
  const forParallelism = Math.ceil(TARGET_WORKGROUPS / (colTiles * rowTiles));
  const forTraffic = Math.max(1, Math.floor(n / (4 * kPad)));
  const forAccuracy = Math.ceil(n / MAX_ROWS_PER_CHUNK);
  let chunks = Math.max(forAccuracy, Math.min(forParallelism, forTraffic));
  chunks = Math.min(chunks, Math.ceil(n / MIN_ROWS_PER_CHUNK), MAX_CHUNKS);
  const bytesPerChunk = dPad * kPad * 4;
  const maxBytes = Math.min(ctx.adapter.maxStorageBufferBindingSize, ctx.adapter.maxBufferSize);
  if (bytesPerChunk > maxBytes) {
    throw new Error(
      `transposed-product partials need ${bytesPerChunk} bytes, above this GPU's storage binding limit of ${maxBytes} bytes`,
    );
  }
  chunks = Math.max(1, Math.min(chunks, Math.floor(maxBytes / bytesPerChunk)));
  const rowsPerChunk = Math.ceil(n / chunks);
  return { wgCols, colTiles, rowTiles, dPad, K4, numChunks: Math.ceil(n / rowsPerChunk), rowsPerChunk };
}

/**
 * Records out = α·Xᵀ·L(R) (+ base) as two dispatches: split-K partials, then a fixed-order reduction.
 * Allocates its partials scratch once, here (owned by the first dispatch, its uniforms by each);
 * the returned dispatches only need encoding.
 */
export function transposedProduct(ctx: GpuContext, args: TransposedArgs): Dispatch[] {
  const { n, d, K, P, S, C } = args;
  checkDim('n', n);
  checkDim('d', d);
  checkDim('K', K);
  checkDim('P', P);
  const load = LOAD_CODE[args.load];
  if (load === undefined) throw new Error(`unknown load ${String(args.load)}`);
  if (!Number.isFinite(args.alpha)) throw new Error(`alpha must be finite, got ${args.alpha}`);
  checkBuffer(ctx, 'X', args.X, n * d);
  checkBuffer(ctx, 'D', args.D, n * P);
  checkBuffer(ctx, 'out', args.out, d * K);
  if (args.load === 'fT') {
    if (S !== 1 && S !== 2) throw new Error(`S must be 1 or 2, got ${S}`);
    checkDim('C', C);
    if (K !== C * S * P) throw new Error(`'fT' needs K = C·S·P, got K=${K}, C=${C}, S=${S}, P=${P}`);
    checkBuffer(ctx, 'R', args.R, n * C);
  } else {
    checkBuffer(ctx, 'R', args.R, n * K);
  }
  let baseMode = 0;
  let base: Binding = placeholderBuffer(ctx);
  if (args.base === args.out) {
    baseMode = 2;
  } else if (args.base) {
    checkBuffer(ctx, 'base', args.base, d * K);
    baseMode = 1;
    base = args.base;
  }

  const plan = planTransposed(ctx, n, d, K);
  const { wgCols, colTiles, rowTiles, dPad, K4 } = plan;
  const numTiles = colTiles * rowTiles * plan.numChunks;
  const [gx, gy] = foldGrid(ctx, numTiles);
  const partials = storageBuffer(ctx, plan.numChunks * dPad * K4 * 16, 'xtr-partials');

  const kernel = programKernel(ctx, { name: 'xtr', source: xtrSource, includes: GEMM_INCLUDES, constants: {
    ...layoutConstants(d, P),
    WG_COLS: wgCols,
    LOAD: load,
    R_VEC: K % 4 === 0 && args.load !== 'fT' ? 1 : 0,
  } });
  const params = paramsBuffer(
    ctx,
    [
      u32(n),
      u32(d),
      u32(K),
      u32(P),
      u32(args.load === 'fT' ? S : 1),
      u32(args.load === 'fT' ? C : 1),
      u32(plan.rowsPerChunk),
      u32(colTiles),
      u32(rowTiles),
      u32(numTiles),
      u32(gx),
      u32(dPad),
    ],
    'xtr-params',
  );

  const reduceWg = 256;
  const reduceGroups = Math.ceil((d * K4) / reduceWg);
  const [rx, ry] = foldGrid(ctx, reduceGroups);
  const reduce = programKernel(ctx, { name: 'xtr_reduce', source: xtrReduceSource, constants: { WG_SIZE: reduceWg } });
  const reduceParams = paramsBuffer(
    ctx,
    [u32(d), u32(K), u32(plan.numChunks), u32(dPad * K4), u32(baseMode), u32(rx), f32(args.alpha), u32(0)],
    'xtr-reduce-params',
  );
  return [
    // The partials are scratch of this product alone: owned (and freed) with its first dispatch.
    dispatchOf(kernel, [args.X, args.R, args.D, partials, params], gx, gy, 1, [partials, params]),
    dispatchOf(reduce, [partials, base, args.out, reduceParams], rx, ry, 1, [reduceParams]),
  ];
}
