/**
 * The exact u-solve on the GPU (spec §5.6), as PCG's preconditioner: M⁻¹ = A(ρ)⁻¹ by Woodbury on
 * the block part of A (solver/woodbury-core.ts),
 *
 *   y = H x                  (ReLU: GpuBlockPreconditioner; gated: y = x)
 *   t = W (F y),  t ← Wᵀ t   (W = L⁻¹, L·Lᵀ = ρI + core, n×n: two plain GEMMs with C columns)
 *   z = y − H (Fᵀ t)
 *
 * The n×n core and its Cholesky factor are formed in float64 on the host (n²·(d + P)/2 + n³/3 +
 * n³/6 flops: under a second at n = 1000 in JavaScript); W and Wᵀ are uploaded in float32. It is
 * factored rather than the explicit inverse for the reason of block.ts: each factor spans only
 * the square root of the condition number of ρI + core (≈ 2P/ρ). In float32 the apply is A⁻¹ up
 * to rounding, so PCG converges in one to three iterations where the block preconditioner took
 * tens (and float32 products with X see to the rest, as they would for any preconditioner).
 * A ρ change refactors on the host (the core is kept); `auto` takes it only while ρ stays fixed.
 * Per apply: four passes over X (F, Fᵀ here; the block apply reads only d×d factors), two n×n
 * products, a d×K update.
 */
import { inverseFactorTransposed, woodburyCore, woodburyFactor, woodburyH, type WoodburyProblem } from '../woodbury-core';
import { transposeSquare } from '../preconditioner';
import type { GpuBlockPreconditioner } from './block';
import type { GpuContext } from './context';
import { forwardProduct } from './gemm';
import { writeF32, type Dispatch } from './kernel';
import { axpby } from './kernels';
import { applyF, applyFt, columns, type DataBuffers, type Geometry } from './operators';
import { GpuResources } from './resources';

/** Uniforms and placeholders the apply binds (the backend's). */
export interface WoodburyBindings {
  /** The ADMM uniform (combine.wgsl reads it; F does not use ρ). */
  admm: GPUBuffer;
  /** The device's 16-byte placeholder. */
  dummy: GPUBuffer;
}

/** A(ρ)⁻¹ by Woodbury on the GPU; the host keeps the float64 core to refactor at another ρ. */
export class GpuWoodburyPreconditioner {
  /** W = L⁻¹ (n×n, f32, row-major, lower triangular). */
  private readonly W: GPUBuffer;
  /** Wᵀ (n×n, f32, row-major). */
  private readonly Wt: GPUBuffer;
  /** y = H x (ReLU; gated binds x itself). */
  private readonly y: GPUBuffer | null;
  /** X·(…) scratch of F (n×K). */
  private readonly Z: GPUBuffer;
  /** F y, then W(F y) (n×C each). */
  private readonly t1: GPUBuffer;
  private readonly t2: GPUBuffer;
  private readonly core: Float64Array;
  private rho = NaN;
  private readonly res: GpuResources;

  /**
   * Forms the core for `problem` (float64 X and D, the ones uploaded to `data`); `block` is the
   * ReLU model's H = (I + XᵀX)⁻¹ on the GPU (null for gated ReLU). The factors are filled by
   * {@link factor}, which must run before the first apply.
   */
  constructor(
    private readonly ctx: GpuContext,
    private readonly g: Geometry,
    private readonly data: DataBuffers,
    problem: WoodburyProblem,
    private readonly block: GpuBlockPreconditioner | null,
    private readonly bind: WoodburyBindings,
  ) {
    if ((problem.model === 'relu') !== (block !== null)) throw new Error('GpuWoodburyPreconditioner: the ReLU model needs the block apply of H, gated ReLU none');
    this.res = new GpuResources(ctx, 'Woodbury preconditioner');
    this.core = woodburyCore(problem, woodburyH(problem));
    const { n, d } = g;
    const K = columns(g);
    this.W = this.res.buffer(4 * n * n, 'Woodbury W = L⁻¹');
    this.Wt = this.res.buffer(4 * n * n, 'Woodbury Wᵀ');
    this.y = block ? this.res.buffer(4 * d * K, 'Woodbury H·x') : null;
    this.Z = this.res.buffer(4 * n * K, 'Woodbury X·y');
    this.t1 = this.res.buffer(4 * n * g.B, 'Woodbury F·y');
    this.t2 = this.res.buffer(4 * n * g.B, 'Woodbury W·F·y');
  }

  /** Factors ρI + core on the host and uploads W = L⁻¹ and Wᵀ; nothing when ρ is unchanged. */
  factor(rho: number): void {
    if (rho === this.rho) return;
    const n = this.g.n;
    const Wt = inverseFactorTransposed(woodburyFactor(this.core, n, rho), n);
    writeF32(this.ctx, this.Wt, Wt);
    writeF32(this.ctx, this.W, transposeSquare(Wt, n));
    this.rho = rho;
  }

  /** Dispatches for z = A(ρ)⁻¹ x (d×K each; `z` must differ from `x`). */
  apply(x: GPUBuffer, z: GPUBuffer): Dispatch[] {
    const { ctx, g, data, bind } = this;
    const { n, d } = g;
    const C = g.B;
    const y = this.y ?? x;
    const list: Dispatch[] = [];
    if (this.block && this.y) list.push(...this.block.apply(x, this.y));
    list.push(...applyF(ctx, g, data, y, this.Z, this.t1, bind.admm, bind.dummy));
    // The plain epilogue reads no patterns; the factor stands in for the D binding (P = 1), as in block.ts.
    list.push(...forwardProduct(ctx, { X: this.W, n, d: n, U: this.t1, K: C, D: this.W, P: 1, out: this.t2, epilogue: 'plain' }));
    list.push(...forwardProduct(ctx, { X: this.Wt, n, d: n, U: this.t2, K: C, D: this.Wt, P: 1, out: this.t1, epilogue: 'plain' }));
    list.push(...applyFt(ctx, g, data, this.t1, z));
    // z ← H z: block.apply's two GEMMs go through its own B·z buffer, so z may be input and output.
    if (this.block) list.push(...this.block.apply(z, z));
    list.push(axpby(ctx, y, z, 1, -1, d * columns(g)));
    return list;
  }

  /** Buffers this instance holds (for leak checks). */
  get liveBuffers(): number {
    return this.res.liveBuffers;
  }

  /** Frees W, Wᵀ and the scratch (not the block preconditioner, nor the dispatches of {@link apply}). */
  destroy(): void {
    this.res.destroy();
  }
}
