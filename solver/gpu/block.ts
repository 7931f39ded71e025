/**
 * The block preconditioner on the GPU (spec §5.5): M = I ⊗ (I + XᵀX)⁻¹ = I ⊗ BᵀB with B = L⁻¹,
 * L the Cholesky factor of I + XᵀX. B is formed once per problem in float64 on the CPU
 * (solver/preconditioner.ts), uploaded in float32 with its transpose, and applied to all K columns
 * of the d×K PCG residual as two products, t = B·r and z = Bᵀ·t, with the forward GEMM
 * (shaders/xu.wgsl, plain epilogue). Factored rather than the explicit inverse: float32 keeps the
 * small eigen-directions of each factor (condition √κ) but not of the inverse (κ), and the
 * explicit inverse stalled ADMM on 28×28 images (n < d). B does not depend on ρ, so a ρ change
 * rebuilds nothing.
 */
import { blockFactor, blockInverseFactor, transposeSquare } from '../preconditioner';
import type { GpuContext } from './context';
import { forwardProduct } from './gemm';
import type { Dispatch } from './kernel';
import { columns, type Geometry } from './operators';
import { GpuResources } from './resources';

/** (I + XᵀX)⁻¹ = BᵀB on the GPU and its apply. */
export class GpuBlockPreconditioner {
  /** B = L⁻¹, d×d, f32, row-major (lower triangular). */
  readonly B: GPUBuffer;
  /** Bᵀ, d×d, f32, row-major. */
  readonly Bt: GPUBuffer;
  /** t = B·r, d×K: the middle of the two products. */
  private readonly t: GPUBuffer;
  private readonly res: GpuResources;

  /** Factors I + XᵀX for the n×d float64 data `X` (throws on non-finite data) and uploads B and Bᵀ. */
  constructor(
    private readonly ctx: GpuContext,
    private readonly g: Geometry,
    X: Float64Array,
  ) {
    this.res = new GpuResources(ctx, 'block preconditioner');
    const B = blockInverseFactor(blockFactor(X, g.n, g.d), g.d);
    this.B = this.res.upload(B, 'block B = L⁻¹');
    this.Bt = this.res.upload(transposeSquare(B, g.d), 'block Bᵀ');
    this.t = this.res.buffer(4 * g.d * columns(g), 'block B·r');
  }

  /**
   * Dispatches computing z = Bᵀ(B·x) for d×K x and z (two GEMMs; each dispatch owns its uniform).
   * The plain epilogue reads no patterns; the factor stands in for the D binding (P = 1,
   * read-only, so binding it twice is valid).
   */
  apply(x: GPUBuffer, z: GPUBuffer): Dispatch[] {
    const { d } = this.g;
    const K = columns(this.g);
    return [
      ...forwardProduct(this.ctx, { X: this.B, n: d, d, U: x, K, D: this.B, P: 1, out: this.t, epilogue: 'plain' }),
      ...forwardProduct(this.ctx, { X: this.Bt, n: d, d, U: this.t, K, D: this.Bt, P: 1, out: z, epilogue: 'plain' }),
    ];
  }

  /** Buffers this instance holds (for leak checks). */
  get liveBuffers(): number {
    return this.res.liveBuffers;
  }

  /** Frees B, Bᵀ and t (not the dispatches of {@link apply}: their holder frees those). */
  destroy(): void {
    this.res.destroy();
  }
}
