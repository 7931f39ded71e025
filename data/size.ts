/**
 * Will a problem fit the GPU? WebGPU caps every storage buffer (maxStorageBufferBindingSize,
 * often 128 MiB–2 GiB, and maxBufferSize), and a too-large buffer fails late with an opaque
 * validation error, so the sizes are checked up front with a message that says what to change.
 */
import { DEFAULT_CONFIG, type ModelKind } from '../solver/types';
import { DataError } from './errors';
import { gpuBufferSpecs } from '../solver/gpu/buffers';
import type { PreconditionerKind } from '../solver/preconditioner';
import { largestFitting } from './search';

/** The two adapter limits that bound one buffer (fields of GPUSupportedLimits). */
export interface BufferLimits {
  maxStorageBufferBindingSize: number;
  maxBufferSize: number;
}

/** One (estimated) GPU buffer of the solver. */
export interface BufferEstimate {
  name: string;
  bytes: number;
  /**
   * The buffer holds X (or the test X), which the GPU solver may store in row blocks across
   * several buffers (solver/gpu/rowblocks.ts), so it is not bound by the one-buffer limit.
   */
  blockable?: boolean;
  /** How many buffers of this size the solver allocates (default 1); counts toward the total only. */
  copies?: number;
}

/** All the estimated buffers together, counting every copy. */
export function totalBytes(buffers: BufferEstimate[]): number {
  return buffers.reduce((s, b) => s + b.bytes * (b.copies ?? 1), 0);
}

/** What {@link checkProblemSize} found. */
export interface ProblemSizeReport {
  buffers: BufferEstimate[];
  largest: BufferEstimate;
  /** Sum of all buffers (GPU memory actually used is at least this). */
  totalBytes: number;
  /** min(maxStorageBufferBindingSize, maxBufferSize). */
  limit: number;
}

/**
 * The float32 buffers the GPU solver allocates for n samples, d features, P patterns, C outputs:
 * K = C·S·P columns (S = 2 ReLU, 1 gated). This is the solver's own buffer list
 * (solver/gpu/buffers.ts gpuBufferSpecs, from which it allocates), with X in one block. The
 * Nyström sketch A·Ω is formed n×(rank·S·P) at a time and is usually the largest buffer.
 */
export function estimateGpuBuffers(
  n: number,
  d: number,
  P: number,
  C: number,
  model: ModelKind,
  rank = DEFAULT_CONFIG.rank,
  testRows = 0,
  precond: PreconditionerKind = 'nystrom',
): BufferEstimate[] {
  return gpuBufferSpecs({ n, d, P, C, model }, rank, testRows, Infinity, precond).map((b) => ({
    name: b.name,
    bytes: b.bytes,
    ...(b.blockable ? { blockable: true } : {}),
    ...(b.copies !== undefined ? { copies: b.copies } : {}),
  }));
}

/**
 * Throws a {@link DataError} naming the buffer, its size, the adapter limit and what to do
 * (fewer rows, a smaller P, or the CPU device) when one solver buffer would exceed the limits.
 */
export function checkProblemSize(
  n: number,
  d: number,
  P: number,
  C: number,
  model: ModelKind,
  limits: BufferLimits,
  opts: { rank?: number; testRows?: number; fileName?: string } = {},
): ProblemSizeReport {
  const rank = opts.rank ?? DEFAULT_CONFIG.rank;
  const testRows = opts.testRows ?? 0;
  const limit = Math.min(limits.maxStorageBufferBindingSize, limits.maxBufferSize);
  const largestOf = (nn: number, pp: number): BufferEstimate =>
    estimateGpuBuffers(nn, d, pp, C, model, rank, testRows).reduce((a, b) => (b.bytes > a.bytes ? b : a));
  const buffers = estimateGpuBuffers(n, d, P, C, model, rank, testRows);
  const largest = buffers.reduce((a, b) => (b.bytes > a.bytes ? b : a));
  const total = totalBytes(buffers);
  if (largest.bytes > limit) {
    const maxN = largestFitting(n, (v) => largestOf(v, P).bytes <= limit);
    const maxP = largestFitting(P, (v) => largestOf(n, v).bytes <= limit);
    const fixes: string[] = [];
    if (maxN > 0) fixes.push(`use at most ${maxN} training rows`);
    if (maxP > 0) fixes.push(`use P ≤ ${maxP}`);
    if (largest.name.startsWith('Nyström')) fixes.push(`use a smaller rank (now ${rank})`);
    fixes.push('or run on the CPU (--device cpu / the CPU device switch)');
    const file = opts.fileName ?? 'problem';
    throw new DataError(
      `${file}: the problem is too large for this GPU: the ${largest.name} buffer needs ${formatBytes(largest.bytes)}, ` +
        `but the adapter allows at most ${formatBytes(limit)} per buffer (maxStorageBufferBindingSize ${formatBytes(limits.maxStorageBufferBindingSize)}, ` +
        `maxBufferSize ${formatBytes(limits.maxBufferSize)}). To fit: ${fixes.join(', ')}.`,
      { file },
    );
  }
  return { buffers, largest, totalBytes: total, limit };
}

/** 1536 → "1.5 KiB", exact bytes below 1 KiB. */
export function formatBytes(bytes: number): string {
  const units = ['bytes', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = bytes;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return u === 0 ? `${v} bytes` : `${v.toFixed(v < 10 ? 2 : 1)} ${units[u]}`;
}
