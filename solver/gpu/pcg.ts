/**
 * Preconditioned CG for the u-system A u = b (spec §4.3), entirely on the GPU: one independent
 * CG per class block, with α, β, r·z and the convergence flags in a GPU buffer (pcg_scalars.wgsl
 * at the start, pcg_step.wgsl in every iteration: each scalar step fused with the vector update
 * it feeds). A fixed number of iterations is encoded; converged classes freeze (α = 0), so there
 * is no read-back inside the loop. One iteration: gate, the matvec of A, p·w (first level), α-step,
 * M r, (r·z, r·r) (first level), β-step; the steps finish the dot reductions themselves.
 */
import type { GpuContext } from './context';
import { u32, type Dispatch } from './kernel';
import { axpby, elementwise, finalize, gridDispatch, reductionGroups } from './kernels';
import { columns, matvecA, type DataBuffers, type Geometry, type MatvecScratch } from './operators';
import { GpuResources } from './resources';

/** A preconditioner PCG can apply: dispatches for z = M·x (GpuNystrom, GpuBlockPreconditioner). */
export interface PcgPreconditioner {
  apply(x: GPUBuffer, z: GPUBuffer): Dispatch[];
}

/**
 * Buffers of one PCG instance; `x` is the iterate (the solver's U), `r` starts as b. With the
 * targets `y` (n×B), the warm product is A·x − Fᵀy/ρ (see {@link GpuPcg.warmProduct}).
 */
export interface PcgBuffers {
  x: GPUBuffer;
  r: GPUBuffer;
  y?: GPUBuffer;
}

/** Per-class PCG state floats (see pcg_step.wgsl): rz, rzPrev, rr, alpha, beta, active, iters, res. */
export const PCG_STATE_FLOATS = 8;

/** Encodes PCG on the GPU for fixed buffers; `init` and `iteration` are replayed every solve. */
export class GpuPcg {
  /** 8 floats per class, read back with the ADMM status. */
  readonly state: GPUBuffer;
  private readonly p: GPUBuffer;
  /** A·x of the warm start, or A·x − Fᵀy/ρ with `y` ({@link warmProduct}); the backend's fused rhs kernel subtracts it. */
  readonly w: GPUBuffer;
  private readonly z: GPUBuffer;
  private readonly dots: GPUBuffer;
  private readonly partials: GPUBuffer;
  private readonly G: number;
  /**
   * Dispatches for w = A x of the warm start (w = A x − Fᵀy/ρ when the buffers name `y`: then
   * the caller adds b without its Fᵀy/ρ term); the caller then writes r = b − w (the backend
   * fuses it into its rhs kernel).
   */
  readonly warmProduct: Dispatch[];
  /** Dispatches for z = M r, p = z, rz, rr, flags. */
  readonly init: Dispatch[];
  /** One PCG iteration (gated: empty dispatches once every class has converged). */
  readonly iteration: Dispatch[];
  /** Owns every buffer above and those of the dispatch lists (uniforms, partials, indirect args). */
  private readonly res: GpuResources;

  constructor(
    ctx: GpuContext,
    g: Geometry,
    data: DataBuffers,
    scratch: MatvecScratch,
    precond: PcgPreconditioner,
    bufs: PcgBuffers,
    admm: GPUBuffer,
  ) {
    const K = columns(g);
    const count = g.d * K;
    const SP = g.S * g.P;
    const res = new GpuResources(ctx, 'pcg');
    this.res = res;
    this.state = res.buffer(g.B * PCG_STATE_FLOATS * 4, 'pcg state');
    this.p = res.buffer(count * 4, 'pcg p');
    this.w = res.buffer(count * 4, 'pcg w');
    this.z = res.buffer(count * 4, 'pcg z');
    this.dots = res.buffer(2 * g.B * 4, 'pcg dots');
    this.G = reductionGroups(g.d * SP, 64);
    this.partials = res.buffer(this.G * 2 * g.B * 4, 'pcg partials');
    const { x, r } = bufs;

    // The step kernels sum blockDot's partials themselves (no finalize dispatch in the loop).
    const firstLevel = (a: GPUBuffer, b: GPUBuffer, c2: GPUBuffer, e2: GPUBuffer, pairs: 1 | 2): Dispatch =>
      gridDispatch(ctx, 'blockDot', [u32(g.d), u32(K), u32(SP), u32(g.B), u32(pairs), u32(this.G)], [a, b, c2, e2, this.partials], [this.G, g.B, 1]);
    const dots = (a: GPUBuffer, b: GPUBuffer, c2: GPUBuffer, e2: GPUBuffer, pairs: 1 | 2): Dispatch[] => [
      firstLevel(a, b, c2, e2, pairs),
      finalize(ctx, this.partials, this.G, pairs * g.B, this.dots, 0),
    ];
    const init = gridDispatch(ctx, 'pcgScalars', [u32(g.B)], [this.dots, this.state, admm], [Math.ceil(g.B / 64), 1, 1]);
    // α-step (mode 1) and β-step (mode 2), each fused with its update (pcg_step.wgsl).
    const step = (mode: 1 | 2): Dispatch =>
      elementwise(ctx, 'pcgStep', [u32(count), u32(K), u32(SP), u32(g.B), u32(mode), u32(this.G), u32(mode * g.B), u32(0)], [this.partials, this.state, x, r, this.p, this.w, this.z, admm], count);

    this.warmProduct = matvecA(ctx, g, data, scratch, x, this.w, admm, bufs.y);
    this.init = [...precond.apply(r, this.z), axpby(ctx, this.z, this.p, 1, 0, count), ...dots(r, this.z, r, r, 2), init];
    const body: Dispatch[] = [
      ...matvecA(ctx, g, data, scratch, this.p, this.w, admm),
      firstLevel(this.p, this.w, this.p, this.w, 1),
      step(1),
      ...precond.apply(r, this.z),
      firstLevel(r, this.z, r, r, 2),
      step(2),
    ];
    this.iteration = this.gated(ctx, g.B, body);
    for (const list of [this.warmProduct, this.init, this.iteration]) res.adoptDispatches(list);
  }

  /**
   * Prefixes `body` with pcg_gate.wgsl and makes its dispatches indirect, so an iteration after
   * every class has converged dispatches zero workgroups instead of repeating frozen work.
   */
  private gated(ctx: GpuContext, C: number, body: Dispatch[]): Dispatch[] {
    const count = body.length;
    const template = new Uint32Array(3 * count);
    body.forEach((dsp, q) => template.set(dsp.grid, 3 * q));
    const templateBuf = this.res.create({ label: 'pcg gate template', size: template.byteLength, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST });
    ctx.device.queue.writeBuffer(templateBuf, 0, template);
    const indirect = this.res.create({ label: 'pcg indirect args', size: template.byteLength, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.INDIRECT });
    const gate = gridDispatch(ctx, 'pcgGate', [u32(C), u32(count)], [this.state, templateBuf, indirect], [Math.ceil(count / 64), 1, 1]);
    return [gate, ...body.map((dsp, q) => ({ ...dsp, indirect: { buffer: indirect, offset: 12 * q } }))];
  }

  /** Buffers this instance holds (for leak checks). */
  get liveBuffers(): number {
    return this.res.liveBuffers;
  }

  /** Frees every GPU buffer this instance made, including its dispatches' uniforms. */
  destroy(): void {
    this.res.destroy();
  }
}
