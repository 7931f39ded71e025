/**
 * Randomized Nyström preconditioner on the GPU (spec §5): the sketch Y = AΩ runs as one batched
 * operator application with `rank` blocks (GEMMs with rank·S·P columns); the rank-sized algebra
 * runs in float64 on the CPU (nystrom-core.ts); the apply M·x = x + U(c∘Uᵀx) runs on the GPU.
 */
import { batchToFlat, flatToBatch } from '../layout';
import { nystromCoefficients, nystromFromSketch, orthonormalTestMatrix } from '../nystrom-core';
import type { GpuContext } from './context';
import { placeholderBuffer, readF32, runDispatches, u32, writeF32, type Dispatch } from './kernel';
import { axpby, elementwise, gridDispatch } from './kernels';
import { columns, matvecA, type DataBuffers, type Geometry } from './operators';
import { GpuResources } from './resources';

/** Nyström factor (U, Λ̂) of A on the GPU, rebuilt whenever ρ changes. */
export class GpuNystrom {
  /** N×rank factor, f32. */
  readonly U: GPUBuffer;
  /** rank coefficients c_j of the apply. */
  readonly coef: GPUBuffer;
  /** rank×C scratch for Uᵀx. */
  private readonly t: GPUBuffer;
  /** Eigenvalue estimates Λ̂ of the last build (float64, descending). */
  lambda: Float64Array = new Float64Array(0);
  private readonly omega: Float64Array;
  private readonly N: number;
  /** Owns U, coef and t; the factor is rewritten in place at a new ρ, never reallocated. */
  private readonly res: GpuResources;

  constructor(
    private readonly ctx: GpuContext,
    private readonly g: Geometry,
    private readonly data: DataBuffers,
    readonly rank: number,
    seed: number,
  ) {
    this.N = g.S * g.d * g.P;
    this.omega = rank > 0 ? orthonormalTestMatrix(this.N, rank, seed) : new Float64Array(0);
    this.res = new GpuResources(ctx, 'nystrom');
    this.U = this.res.buffer(Math.max(1, this.N * rank) * 4, 'nystrom U');
    this.coef = this.res.buffer(Math.max(1, rank) * 4, 'nystrom coef');
    this.t = this.res.buffer(Math.max(1, rank * g.B) * 4, 'nystrom t');
  }

  /**
   * Sketches A at the ρ currently in `admm` (which must equal `rho`) and uploads the factor. The
   * sketch's buffers and dispatches (uniforms, partials) live only for this call, so rebuilding at
   * every ρ change leaves the number of live buffers unchanged.
   */
  async rebuild(rho: number, admm: GPUBuffer): Promise<void> {
    const r = this.rank;
    if (r === 0) return;
    const { ctx, g } = this;
    const gs: Geometry = { ...g, B: r };
    const Ks = columns(gs);
    const sketch = new GpuResources(ctx, 'nystrom sketch');
    try {
      const omegaBatch = sketch.upload(flatToBatch(this.omega, g.d, g.P, g.S, r), 'sketch omega');
      const Y = sketch.buffer(g.d * Ks * 4, 'sketch Y');
      const Z = sketch.buffer(g.n * Ks * 4, 'sketch Z');
      const R = sketch.buffer(g.n * Ks * 4, 'sketch R');
      // Never-touched bindings take the device's one placeholder (kernel.ts).
      const dummy = placeholderBuffer(ctx);
      runDispatches(ctx, sketch.adoptDispatches(matvecA(ctx, gs, this.data, { Z, R, dummy }, omegaBatch, Y, admm)));
      const yBatch = await readF32(ctx, Y, g.d * Ks);
      const yFlat = batchToFlat(Float64Array.from(yBatch), g.d, g.P, g.S, r);
      const { U, lambda } = nystromFromSketch(this.omega, yFlat, this.N, r);
      this.lambda = lambda;
      writeF32(ctx, this.U, U);
      writeF32(ctx, this.coef, nystromCoefficients(lambda, rho));
    } finally {
      sketch.destroy();
    }
  }

  /** Dispatches computing z = M·x (both d×K); the identity when rank = 0. They own their uniforms. */
  apply(x: GPUBuffer, z: GPUBuffer): Dispatch[] {
    const { ctx, g } = this;
    const K = columns(g);
    if (this.rank === 0) return [axpby(ctx, x, z, 1, 0, g.d * K)];
    const fields = [u32(g.d), u32(g.P), u32(g.S), u32(g.B), u32(this.rank)];
    return [
      gridDispatch(ctx, 'nysProject', fields, [this.U, x, this.t], [this.rank, g.B, 1]),
      elementwise(ctx, 'nysExpand', fields, [this.U, this.coef, this.t, x, z], g.d * K),
    ];
  }

  /** Frees the factor's GPU buffers (not the dispatches of {@link apply}: their holder frees those). */
  destroy(): void {
    this.res.destroy();
  }
}
