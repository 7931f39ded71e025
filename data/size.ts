/**
 * The GPU solver's buffer sizes for a problem shape. WebGPU caps every storage buffer
 * (maxStorageBufferBindingSize, often 128 MiB–2 GiB, and maxBufferSize), and a too-large buffer
 * fails late with an opaque validation error, so data/plan.ts checks these sizes up front with a
 * message that says what to change.
 */
import { DEFAULT_CONFIG, type ModelKind } from '../solver/types';
import { gpuBufferSpecs } from '../solver/gpu/buffers';
import type { PreconditionerKind } from '../solver/preconditioner';

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

/**
 * The float32 buffers the GPU solver allocates for n samples, d features, P patterns, C outputs:
 * K = C·S·P columns (S = 2 ReLU, 1 gated). This is the solver's own buffer list
 * (solver/gpu/buffers.ts gpuBufferSpecs, from which it allocates), with X in one block. The
 * Nyström sketch A·Ω is formed n×(rank·S·P) at a time and is usually the largest buffer.
 * `anderson` is the Anderson memory m (0: off), whose ring of (3 + 2m) iterates is listed too.
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
  anderson = 0,
): BufferEstimate[] {
  return gpuBufferSpecs({ n, d, P, C, model }, rank, testRows, Infinity, precond, { memory: anderson, maxBindingBytes: Infinity }).map((b) => ({
    name: b.name,
    bytes: b.bytes,
    ...(b.blockable ? { blockable: true } : {}),
    ...(b.copies !== undefined ? { copies: b.copies } : {}),
  }));
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
