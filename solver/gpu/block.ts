/**
 * The block preconditioner on the GPU (spec §5.5): M = I ⊗ (I + XᵀX)⁻¹. The d×d inverse W is
 * formed once per problem in float64 on the CPU (solver/preconditioner.ts: Cholesky, two
 * triangular solves per unit vector, symmetrised), uploaded in float32, and applied to all K
 * columns of the d×K PCG residual as ONE product z = W·r with the forward GEMM (shaders/xu.wgsl,
 * plain epilogue). W does not depend on ρ, so a ρ change rebuilds nothing.
 */
import { blockFactor, blockInverse } from '../preconditioner';
import type { GpuContext } from './context';
import { forwardProduct } from './gemm';
import type { Dispatch } from './kernel';
import { columns, type Geometry } from './operators';
import { GpuResources } from './resources';

/** W = (I + XᵀX)⁻¹ on the GPU and its apply. */
export class GpuBlockPreconditioner {
  /** d×d, f32, row-major (symmetric). */
  readonly W: GPUBuffer;
  private readonly res: GpuResources;

  /** Factors I + XᵀX for the n×d float64 data `X` (throws on non-finite data) and uploads W. */
  constructor(
    private readonly ctx: GpuContext,
    private readonly g: Geometry,
    X: Float64Array,
  ) {
    this.res = new GpuResources(ctx, 'block preconditioner');
    this.W = this.res.upload(blockInverse(blockFactor(X, g.n, g.d), g.d), 'block W');
  }

  /**
   * Dispatches computing z = W·x for d×K x and z (one GEMM; the dispatch owns its uniform). The
   * plain epilogue reads no patterns; W stands in for the D binding (P = 1, read-only, so binding
   * it twice is valid).
   */
  apply(x: GPUBuffer, z: GPUBuffer): Dispatch[] {
    const { d } = this.g;
    return forwardProduct(this.ctx, { X: this.W, n: d, d, U: x, K: columns(this.g), D: this.W, P: 1, out: z, epilogue: 'plain' });
  }

  /** Buffers this instance holds (for leak checks). */
  get liveBuffers(): number {
    return this.res.liveBuffers;
  }

  /** Frees W (not the dispatches of {@link apply}: their holder frees those). */
  destroy(): void {
    this.res.destroy();
  }
}
