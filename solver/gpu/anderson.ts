/**
 * Safeguarded type-II Anderson acceleration on the GPU (spec §4.5): the same update as the CPU's
 * solver/admm/anderson.ts, with the memory, the m×m least squares and the safeguard's decision on
 * the device, so an accelerated step keeps the one submission and the one status read-back.
 * The backend records {@link GpuAnderson.update} at the start of the next step's command buffer
 * (after the driver has read the step's metrics and kept ρ), so it acts on the state exactly
 * where the CPU's writeFixedPoint does, before v_prev ← v.
 *
 *   ‖g‖² = ‖ζ − x‖²                 anderson_vectors (mode 1) + reduce_finalize
 *   safeguard, ring slot            anderson_decide
 *   ΔF, ΔG, f, g                    anderson_vectors (mode 2)
 *   ΔGᵀΔG (new row), ΔGᵀg           anderson_gram
 *   γ (Cholesky, Tikhonov)          anderson_solve
 *   x = f − ΔF γ; v, λ, s, ν        anderson_apply (d×K columns, n×K elements)
 *   Gᵀs, Gᵀν                        the ordinary transposed products
 *
 * Float32: the Gram is formed and factored in float32 with the CPU's Tikhonov term 1e-8·trace,
 * which is below float32 rounding, so a nearly dependent memory shows as a failed factorisation
 * (no extrapolation that step) or a poor γ, which the safeguard rejects; tests/solver/gpu/
 * anderson.test.ts measures that this still certifies in clearly fewer iterations.
 */
import type { GpuContext } from './context';
import { andersonStateFloats } from './buffers';
import { destroyDispatches, readF32, u32, f32, type Dispatch } from './kernel';
import { elementwise, finalize, gridDispatch, reductionGroups } from './kernels';

/** Offsets in the Anderson state buffer (shaders/prelude.wgsl AA_*; the rest only the kernels read). */
export const AA = { count: 1, hasPrev: 3, extrapolated: 4, accepted: 11, rejected: 12 } as const;

/** Relative Tikhonov term of the float32 least squares: the CPU's (solver/admm/anderson.ts). */
export const REGULARISATION = 1e-8;

/** The buffers Anderson reads and writes: the ADMM state and its own (solver/gpu/buffers.ts aa*). */
export interface AndersonBuffers {
  V: GPUBuffer;
  Lam: GPUBuffer;
  /** s and ν (ReLU); gated: two distinct placeholders. */
  S: GPUBuffer;
  Nu: GPUBuffer;
  mem: GPUBuffer;
  state: GPUBuffer;
  partials: GPUBuffer;
  admm: GPUBuffer;
}

/** Sizes of ζ: the d×K block (v + λ) and the n×K block (s + ν; 0 when gated). */
export interface AndersonShape {
  d: number;
  K: number;
  nK: number;
}

/** The dispatch lists of GPU Anderson acceleration for one backend (they own their params uniforms). */
export class GpuAnderson {
  /** One Anderson update after a plain step (then the Gᵀs, Gᵀν products the caller appends). */
  readonly update: Dispatch[];
  /** x ← ζ of the current state: the next input after a reset. */
  readonly load: Dispatch[];

  constructor(
    private readonly ctx: GpuContext,
    readonly memory: number,
    shape: AndersonShape,
    private readonly b: AndersonBuffers,
    /** Gᵀs and Gᵀν from the rewritten s and ν (empty when gated). */
    transposed: Dispatch[],
  ) {
    const { d, K, nK } = shape;
    const m = memory;
    const N = d * K + nK;
    const G = reductionGroups(N);
    const vectors = (mode: number): Dispatch => {
      const fields = [u32(d * K), u32(nK), u32(mode), u32(G), u32(m), u32(0), u32(0), u32(0)];
      const buffers = [b.V, b.Lam, b.S, b.Nu, b.mem, b.state, b.partials];
      return mode === 1 ? gridDispatch(ctx, 'andersonVectors', fields, buffers, [G, 1, 1]) : elementwise(ctx, 'andersonVectors', fields, buffers, N);
    };
    const apply = (part: number): Dispatch => {
      const fields = [u32(d), u32(K), u32(nK), u32(part), u32(m), u32(0), u32(0), u32(0)];
      const buffers = [b.mem, b.state, b.V, b.Lam, b.S, b.Nu, b.admm];
      return part === 0 ? gridDispatch(ctx, 'andersonApply', fields, buffers, [K, 1, 1]) : elementwise(ctx, 'andersonApply', fields, buffers, nK);
    };
    this.update = [
      vectors(1),
      finalize(ctx, b.partials, G, 1, b.state, 0),
      gridDispatch(ctx, 'andersonDecide', [u32(m)], [b.state], [1, 1, 1]),
      vectors(2),
      gridDispatch(ctx, 'andersonGram', [u32(N), u32(m)], [b.mem, b.state], [2 * m, 1, 1]),
      gridDispatch(ctx, 'andersonSolve', [u32(m), u32(0), u32(0), f32(REGULARISATION)], [b.state], [1, 1, 1]),
      apply(0),
      ...(nK > 0 ? [apply(1), ...transposed] : []),
    ];
    this.load = [vectors(0)];
  }

  /** Forgets the memory (after a ρ change the scaled duals in ζ change meaning); the counters stay. */
  reset(): void {
    this.ctx.device.queue.writeBuffer(this.b.state, 0, new Float32Array(AA.accepted));
  }

  /** Extrapolations taken and rejected so far (a read-back: for tests and reports, not per step). */
  async counts(): Promise<{ accepted: number; rejected: number }> {
    const st = await readF32(this.ctx, this.b.state, andersonStateFloats(this.memory));
    return { accepted: st[AA.accepted], rejected: st[AA.rejected] };
  }

  /** Frees the dispatch lists' uniforms (the buffers belong to the backend). */
  destroy(): void {
    destroyDispatches(this.update);
    destroyDispatches(this.load);
  }
}
