/**
 * The operators of spec §3 on the GPU, for B blocks at once (B = C classes for PCG, B = rank for
 * the Nyström sketch), in the batched d×K layout of types.ts (K = B·S·P). Each builder returns
 * replayable dispatches bound to fixed buffers.
 *
 *   F u  = (D∘(Z⁺ − Z⁻))·1          Z = X U           (n×B)
 *   Fᵀ r = (X^T(D∘r), −X^T(D∘r))                        (d×K)
 *   G u  = E∘(X U)                                       (n×K)
 *   Gᵀ z = X^T(E∘z)                                      (d×K)
 *   A u  = u + FᵀF u/ρ + GᵀG u = u + Xᵀ R,  R = [relu]·Z + sgn·D∘(f/ρ)    (GᵀG = I ⊗ XᵀX)
 *
 * A costs two GEMM passes over X (forward and transposed) plus one n×K mixing pass.
 */
import type { GpuContext } from './context';
import { forwardBlocked, transposedBlocked, type RowBlocks } from './rowblocks';
import type { Dispatch } from './kernel';
import { u32 } from './kernel';
import { elementwise } from './kernels';

/** Shapes of one operator instance. */
export interface Geometry {
  n: number;
  d: number;
  P: number;
  /** 2 for ReLU, 1 for gated. */
  S: number;
  /** Blocks (classes, or sketch columns). */
  B: number;
}

/** K = B·S·P, the number of variable columns. */
export function columns(g: Geometry): number {
  return g.B * g.S * g.P;
}

/** The data every operator reads: X (n×d, in row blocks) and D (n×P, 0/1 as f32). */
export interface DataBuffers {
  X: RowBlocks;
  D: GPUBuffer;
}

/** Scratch for A: Z and R, both n×K; `dummy` is a 16-byte placeholder for unused bindings. */
export interface MatvecScratch {
  Z: GPUBuffer;
  R: GPUBuffer;
  dummy: GPUBuffer;
}

/** Mixing step between the GEMMs (combine.wgsl). mode 0: R for A; 1: f = Fu; 2: predictions; 3: R for A less Fᵀy/ρ (`out` is R, `y` the targets). */
export function combine(
  ctx: GpuContext,
  g: Geometry,
  mode: 0 | 1 | 2 | 3,
  Z: GPUBuffer,
  D: GPUBuffer,
  out: GPUBuffer,
  admm: GPUBuffer,
  dummy: GPUBuffer,
  y: GPUBuffer = dummy,
): Dispatch {
  const R = mode === 0 || mode === 3 ? out : dummy;
  const F = mode === 0 ? dummy : mode === 3 ? y : out;
  return elementwise(ctx, 'combine', [u32(g.n), u32(g.B), u32(g.S), u32(g.P), u32(mode)], [Z, D, R, F, admm], g.n * g.B);
}

/**
 * out = A·input (both d×K); with the targets `y` (n×B), out = A·input − Fᵀy/ρ: the warm-start
 * residual's matvec with y folded in before the 1/ρ scaling (combine.wgsl mode 3), so that
 * b − A·u₀ does not cancel two vectors of size 1/ρ in float32. ρ is read from the `admm` uniform at run time.
 */
export function matvecA(
  ctx: GpuContext,
  g: Geometry,
  data: DataBuffers,
  scratch: MatvecScratch,
  input: GPUBuffer,
  output: GPUBuffer,
  admm: GPUBuffer,
  y?: GPUBuffer,
): Dispatch[] {
  const K = columns(g);
  return [
    ...forwardBlocked(ctx, { X: data.X, d: g.d, U: input, K, D: data.D, P: g.P, out: scratch.Z, epilogue: 'plain' }),
    combine(ctx, g, y ? 3 : 0, scratch.Z, data.D, scratch.R, admm, scratch.dummy, y),
    ...transposedBlocked(ctx, {
      X: data.X, d: g.d, R: scratch.R, K, D: data.D, P: g.P, S: g.S, C: g.B,
      out: output, alpha: 1, base: input, load: 'plain',
    }),
  ];
}

/** out (n×B) = F·input; Z (n×K) receives X·input. */
export function applyF(
  ctx: GpuContext,
  g: Geometry,
  data: DataBuffers,
  input: GPUBuffer,
  Z: GPUBuffer,
  out: GPUBuffer,
  admm: GPUBuffer,
  dummy: GPUBuffer,
): Dispatch[] {
  const K = columns(g);
  return [
    ...forwardBlocked(ctx, { X: data.X, d: g.d, U: input, K, D: data.D, P: g.P, out: Z, epilogue: 'plain' }),
    combine(ctx, g, 1, Z, data.D, out, admm, dummy),
  ];
}

/** out (d×K) = α·Fᵀ·r for r n×B. */
export function applyFt(ctx: GpuContext, g: Geometry, data: DataBuffers, r: GPUBuffer, out: GPUBuffer, alpha = 1): Dispatch[] {
  return transposedBlocked(ctx, {
    X: data.X, d: g.d, R: r, K: columns(g), D: data.D, P: g.P, S: g.S, C: g.B, out, alpha, load: 'fT',
  });
}

/** GU (n×K) = G·input and Z (n×K) = X·input, in one pass over X (ReLU only). */
export function applyG(ctx: GpuContext, g: Geometry, data: DataBuffers, input: GPUBuffer, Z: GPUBuffer, GU: GPUBuffer): Dispatch[] {
  return forwardBlocked(ctx, { X: data.X, d: g.d, U: input, K: columns(g), D: data.D, P: g.P, out: Z, out2: GU, epilogue: 'cone' });
}

/** out (d×K) = Gᵀ·z for z n×K (ReLU only). */
export function applyGt(ctx: GpuContext, g: Geometry, data: DataBuffers, z: GPUBuffer, out: GPUBuffer): Dispatch[] {
  return transposedBlocked(ctx, {
    X: data.X, d: g.d, R: z, K: columns(g), D: data.D, P: g.P, S: g.S, C: g.B, out, alpha: 1, load: 'cone',
  });
}
