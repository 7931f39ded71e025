/**
 * X stored in row blocks, each in its own buffer, so a data matrix larger than one storage
 * binding (maxStorageBufferBindingSize: 128 MiB on many adapters, 256 MiB on some phones) still
 * fits. Products over X run once per block: the forward product writes the block's rows of the
 * n-row outputs through buffer views; the transposed product accumulates the blocks' partial
 * sums into its output in a fixed order, so results stay deterministic.
 */
import type { GpuContext } from './context';
import { forwardProduct, transposedProduct, type ForwardArgs, type TransposedArgs } from './gemm';
import { uploadF32, type Binding, type Dispatch } from './kernel';

/** One block: rows [row0, row0 + rows) of X in its own buffer. */
export interface RowBlock {
  buffer: GPUBuffer;
  row0: number;
  rows: number;
}

/** An n×d matrix stored as row blocks. */
export interface RowBlocks {
  n: number;
  d: number;
  blocks: RowBlock[];
}

/**
 * Rows per block for a d-column matrix under a binding limit: a multiple of 64, so that every
 * block's view into an n×w f32 matrix starts at a multiple of 256 bytes (the largest allowed
 * minStorageBufferOffsetAlignment). Throws when not even 64 rows fit.
 */
export function rowsPerBlock(d: number, maxBindingBytes: number): number {
  const rows = Math.floor(maxBindingBytes / (4 * Math.ceil(d / 4) * 4) / 64) * 64;
  if (rows < 64) {
    throw new Error(`One row of X has ${d} features (${4 * d} bytes); 64 rows do not fit in one GPU binding of ${maxBindingBytes} bytes. Reduce the number of features.`);
  }
  return rows;
}

/**
 * Uploads X (n×d, row-major) as float32 row blocks of at most `maxBlockBytes` each (default: the
 * adapter's binding limit; tests pass a small value to exercise blocking on small data).
 */
export function uploadRowBlocks(
  ctx: GpuContext,
  X: ArrayLike<number> & { subarray(a: number, b: number): ArrayLike<number> },
  n: number,
  d: number,
  label: string,
  maxBlockBytes = ctx.adapter.maxStorageBufferBindingSize,
): RowBlocks {
  const per = n * d * 4 <= maxBlockBytes ? n : rowsPerBlock(d, maxBlockBytes);
  const blocks: RowBlock[] = [];
  for (let row0 = 0; row0 < n; row0 += per) {
    const rows = Math.min(per, n - row0);
    blocks.push({ buffer: uploadF32(ctx, X.subarray(row0 * d, (row0 + rows) * d), `${label} rows ${row0}+${rows}`), row0, rows });
  }
  return { n, d, blocks };
}

/** Frees the blocks' buffers. */
export function destroyRowBlocks(X: RowBlocks): void {
  for (const b of X.blocks) b.buffer.destroy();
}

/**
 * The rows of `block` in an n×width row-major matrix buffer: the whole buffer for a single block,
 * else a view (the last view runs to the buffer's end, which is padded to 16 bytes).
 */
export function rowView(buf: GPUBuffer, X: RowBlocks, block: RowBlock, width: number): Binding {
  if (X.blocks.length === 1) return buf;
  const offset = block.row0 * width * 4;
  const last = block.row0 + block.rows >= X.n;
  return { buffer: buf, offset, size: last ? buf.size - offset : block.rows * width * 4 };
}

/** Operands of {@link forwardBlocked}: those of forwardProduct with X as row blocks and whole n-row buffers. */
export type BlockedForwardArgs = Omit<ForwardArgs, 'X' | 'n' | 'D' | 'out' | 'out2'> & {
  X: RowBlocks;
  D: GPUBuffer;
  out: GPUBuffer;
  out2?: GPUBuffer;
};

/** Z = X·U with the epilogue, one dispatch per row block. */
export function forwardBlocked(ctx: GpuContext, args: BlockedForwardArgs): Dispatch[] {
  const { X, K, P } = args;
  return X.blocks.flatMap((blk) =>
    forwardProduct(ctx, {
      ...args,
      X: blk.buffer,
      n: blk.rows,
      D: rowView(args.D, X, blk, P),
      out: rowView(args.out, X, blk, K),
      ...(args.out2 ? { out2: rowView(args.out2, X, blk, K) } : {}),
    }),
  );
}

/** Operands of {@link transposedBlocked}: those of transposedProduct with X as row blocks. */
export type BlockedTransposedArgs = Omit<TransposedArgs, 'X' | 'n' | 'D' | 'R' | 'out' | 'base'> & {
  X: RowBlocks;
  D: GPUBuffer;
  R: GPUBuffer;
  out: GPUBuffer;
  base?: GPUBuffer;
};

/**
 * out = α·Σ_blocks X_bᵀ·L(R_b) (+ base): the first block adds `base`, every later block adds into
 * `out` in place, so the sum runs in block order.
 */
export function transposedBlocked(ctx: GpuContext, args: BlockedTransposedArgs): Dispatch[] {
  const { X, P, K, C } = args;
  const rWidth = args.load === 'fT' ? C : K;
  return X.blocks.flatMap((blk, i) =>
    transposedProduct(ctx, {
      ...args,
      X: blk.buffer,
      n: blk.rows,
      D: rowView(args.D, X, blk, P),
      R: rowView(args.R, X, blk, rWidth),
      ...(i === 0 ? (args.base ? { base: args.base } : {}) : { base: args.out }),
    }),
  );
}
