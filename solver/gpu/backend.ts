/**
 * The WebGPU backend of the ADMM driver (solver/admm/driver.ts): every vector on the GPU,
 * replayable dispatch lists built once, and per ADMM step ONE command-buffer submission and ONE
 * status read-back. beginStep opens a pending command encoder and compute pass; rhs, uSolve,
 * vStep and sStep only record into it; metrics records the reductions, submits and reads back.
 *
 *   b  = Fᵀy/ρ + v − λ + Gᵀ(s − ν)               rhs        (admm_rhs.wgsl)
 *   u  = PCG(A, b, M)                             uSolve     (GpuPcg; M: GpuWoodburyPreconditioner, GpuBlockPreconditioner or GpuNystrom)
 *   v  = prox_{β/ρ}(h + λ);  λ += h − v           vStep      (fused in group_prox.wgsl; h = αu + (1 − α)v_old)
 *   Gu = G u;  s = max(hs + ν, 0);  ν += hs − s   sStep      (hs = αGu + (1 − α)s_old; then Gᵀs, Gᵀν)
 *   residuals, objective, accuracies              metrics
 *
 * With Nyström, ρ changes re-sketch A(ρ)Ω on the GPU (GpuNystrom.rebuild, one extra submission
 * and read-back, only on the steps where ρ changes): keeping YI and YF apart as the CPU does
 * would need two sketches and the r-sized algebra is on the host anyway, so it would save
 * little. The block preconditioner is ρ-independent and rebuilds nothing. With warm start the
 * rhs kernel runs inside uSolve, after A·u₀, and writes r = b − A·u₀ directly.
 *
 * Anderson acceleration (solver/gpu/anderson.ts) is recorded at the start of the next step's
 * encoder, in a compute pass of its own before v_prev ← v: still one submission per step.
 */
import { activationPatterns, testTargets } from '../problem';
import type { StepSums } from '../residuals';
import type { TestSet } from '../solver';
import { initialRho, type ConvexSolution, type Problem, type SolverConfig } from '../types';
import type { AdmmBackend, StateArrayName, StepScalars } from '../admm/backend';
import { FIT_Q, gpuBufferSpecs, ST, type GpuBufferSpec } from './buffers';
import { throwIfGpuFailed, type GpuContext } from './context';
import { forwardBlocked, uploadRowBlocks, type RowBlocks } from './rowblocks';
import { GpuResources } from './resources';
import { destroyDispatches, encodeDispatches, placeholderBuffer, readF32, runDispatches, u32, writeF32, type Dispatch } from './kernel';
import { axpby, elementwise, finalize, gridDispatch, reductionGroups } from './kernels';
import { GpuNystrom } from './nystrom';
import { applyF, applyFt, applyG, applyGt, columns, combine, type DataBuffers, type Geometry } from './operators';
import { GpuPcg, PCG_STATE_FLOATS } from './pcg';
import { effectiveRank } from '../nystrom-core';
import { exactSolveContext, resolvePreconditioner, type ResolvedPreconditioner } from '../preconditioner';
import { GpuBlockPreconditioner } from './block';
import { GpuWoodburyPreconditioner } from './woodbury';
import { GpuAnderson } from './anderson';

/** PCG iterations a step with the Woodbury preconditioner records at first (see GpuBackend.pcgBudget). */
export const WOODBURY_PCG_BUDGET = 4;

/** Buffers of the test set (present when the test set has rows). */
interface TestBuffers {
  Xt: RowBlocks;
  Dt: GPUBuffer;
  Yt: GPUBuffer;
  Zt: GPUBuffer;
  Ft: GPUBuffer;
  partials: GPUBuffer;
  rows: number;
}

/** The step being recorded: its encoder and open compute pass. */
interface Pending {
  enc: GPUCommandEncoder;
  pass: GPUComputePassEncoder;
}

/** The WebGPU half of GpuSolver (solver/gpu/admm.ts); create it with {@link GpuBackend.create}. */
export class GpuBackend implements AdmmBackend {
  /** Owner of every buffer of the spec list and of X's row blocks (freed together by dispose). */
  private readonly res: GpuResources;
  private readonly blocks: RowBlocks[] = [];
  private readonly relu: boolean;
  private readonly g: Geometry;
  private readonly K: number;
  /** The storage buffers of the spec list by key (gated models bind `dummy` for S, ν, Gu). */
  private readonly b: Record<string, GPUBuffer>;
  private readonly data: DataBuffers;
  private readonly staging: GPUBuffer;
  private readonly admm: GPUBuffer;
  private readonly test: TestBuffers | null;
  private readonly precond: GpuNystrom;
  /** The block preconditioner when it is the one in use, or the Woodbury inverse's H (then `precond` has rank 0). */
  private readonly block: GpuBlockPreconditioner | null;
  /** The exact inverse of A(ρ) as PCG's preconditioner (kind `woodbury`, few rows and a fixed ρ). */
  private readonly woodbury: GpuWoodburyPreconditioner | null;
  /** The PCG preconditioner in use and why (solver/preconditioner.ts). */
  readonly preconditioner: ResolvedPreconditioner;
  private readonly pcg: GpuPcg;
  /** Replayable dispatch lists of one ADMM step. */
  private readonly steps: { rhs: Dispatch[]; pcgInit: Dispatch[]; pcgIteration: Dispatch[]; v: Dispatch[]; s: Dispatch[]; metrics: Dispatch[] };
  /** Dual rescaling for ρ·2 and ρ/2 (λ, ν, Gᵀν scale by the inverse factor). */
  private readonly rescale: Map<number, Dispatch[]>;
  private scalars: StepScalars;
  private pending: Pending | null = null;
  /** Anderson acceleration on the GPU, when configured and its memory fits one binding. */
  private readonly aa: GpuAnderson | null;
  /** Anderson work waiting for the next step's encoder: the update, or x ← ζ after a reset. */
  private aaPending: Dispatch[] | null = null;
  /** Whether this backend runs Anderson acceleration itself (AdmmBackend.acceleratesOnDevice). */
  readonly acceleratesOnDevice: boolean;
  /**
   * PCG iterations recorded per step: `pcgIters`, or with the Woodbury preconditioner a budget
   * that starts at {@link WOODBURY_PCG_BUDGET} and doubles (up to `pcgIters`) after a step used
   * all of it. Converged iterations dispatch zero workgroups, but each recorded one still costs
   * its dispatches; with A⁻¹ as the preconditioner PCG needs 1–3, so recording 100 was most of a step.
   */
  private pcgBudget: number;

  private constructor(
    private readonly ctx: GpuContext,
    readonly problem: Problem,
    readonly config: SolverConfig,
    test: TestSet | undefined,
    xBlockBytes: number,
  ) {
    const { n, d, P, S, C } = problem;
    this.res = new GpuResources(ctx, 'ADMM backend');
    this.relu = problem.model === 'relu';
    this.g = { n, d, P, S, B: C };
    this.K = columns(this.g);
    const testRows = test && test.n > 0 ? test.n : 0;
    // Resolved under the adapter's binding limit, as gpuMemoryPlan resolves it (solver/gpu/admm.ts).
    this.preconditioner = resolvePreconditioner(config, d, ctx.adapter.maxStorageBufferBindingSize, exactSolveContext(config, problem, 'gpu'));
    const kind = this.preconditioner.kind;
    const aaPlan = { memory: config.anderson, maxBindingBytes: ctx.adapter.maxStorageBufferBindingSize };
    const specs = gpuBufferSpecs(problem, config.rank, testRows, xBlockBytes, kind, aaPlan).filter((s) => s.owner === 'admm');
    this.b = this.allocate(specs, test, xBlockBytes);
    this.data = { X: this.blocks[0], D: this.b.D };
    this.staging = this.b.staging;
    this.admm = this.b.admm;
    this.test = test && testRows > 0 ? this.testBuffers(test) : null;
    this.scalars = { k: 0, rho: initialRho(config, problem.beta), pcgTol: 0, alpha: 1 };
    this.writeAdmmUniform(initialRho(config, problem.beta), 0);
    const rank = kind === 'nystrom' ? effectiveRank(config.rank, problem.S * d * P) : 0;
    this.precond = new GpuNystrom(ctx, this.g, this.data, rank, config.seed);
    // The Woodbury inverse applies H = (I + XᵀX)⁻¹ through the block preconditioner (ReLU).
    this.block = kind === 'block' || (kind === 'woodbury' && this.relu) ? new GpuBlockPreconditioner(ctx, this.g, problem.X) : null;
    this.woodbury = kind === 'woodbury' ? new GpuWoodburyPreconditioner(ctx, this.g, this.data, problem, this.block, { admm: this.admm, dummy: this.b.dummy }) : null;
    this.pcg = new GpuPcg(ctx, this.g, this.data, { Z: this.b.Z, R: this.b.R, dummy: this.b.dummy }, this.woodbury ?? this.block ?? this.precond, { x: this.b.U, r: this.b.r, y: this.b.Y }, this.admm);
    // Warm start: w = A·u₀ first, then one kernel writes r = b − w (the rhs is recorded in uSolve).
    const warm = config.warmStart;
    this.steps = {
      rhs: warm ? [] : this.rhsDispatches(null),
      pcgInit: warm ? [...this.pcg.warmProduct, ...this.rhsDispatches(this.pcg.w), ...this.pcg.init] : this.pcg.init,
      pcgIteration: this.pcg.iteration,
      v: this.vDispatches(),
      s: this.sDispatches(),
      metrics: this.metricsDispatches(),
    };
    this.rescale = new Map([2, 0.5].map((f) => [f, this.rescaleDispatches(f)]));
    this.aa = this.b.aaMem ? this.andersonOf(config.anderson) : null;
    this.acceleratesOnDevice = this.aa !== null;
    this.pcgBudget = this.woodbury ? Math.min(config.pcgIters, WOODBURY_PCG_BUDGET) : config.pcgIters;
    // Setup of spec §4.6: Fᵀy once; the rhs kernel divides it by the current ρ.
    const setup = applyFt(ctx, this.g, this.data, this.b.Y, this.b.Fty);
    runDispatches(ctx, setup);
    destroyDispatches(setup);
  }

  /** Allocates the backend on `ctx`, uploads the problem and builds the first preconditioner. */
  static async create(ctx: GpuContext, problem: Problem, config: SolverConfig, test: TestSet | undefined, xBlockBytes: number): Promise<GpuBackend> {
    const backend = new GpuBackend(ctx, problem, config, test, xBlockBytes);
    await backend.rebuildPreconditioner(initialRho(config, problem.beta));
    return backend;
  }

  /** Creates the backend's own buffers of the spec list (solver/gpu/buffers.ts), uploading the data ones. */
  private allocate(specs: GpuBufferSpec[], test: TestSet | undefined, xBlockBytes: number): Record<string, GPUBuffer> {
    const { ctx, problem } = this;
    const uploads: Record<string, () => ArrayLike<number>> = {
      D: () => problem.D,
      Y: () => problem.Y,
      Ytest: () => testTargets(problem, test as TestSet),
      Dtest: () => activationPatterns((test as TestSet).X, (test as TestSet).n, problem.d, problem.gates, problem.P),
    };
    const out: Record<string, GPUBuffer> = {};
    for (const spec of specs) {
      let buf: GPUBuffer;
      if (spec.key === 'X' || spec.key === 'Xtest') {
        const src = spec.key === 'X' ? { X: problem.X, n: problem.n } : { X: (test as TestSet).X, n: (test as TestSet).n };
        const X = uploadRowBlocks(ctx, src.X, src.n, problem.d, spec.key === 'X' ? 'X' : 'Xtest', xBlockBytes);
        for (const block of X.blocks) this.res.adopt(block.buffer);
        this.blocks.push(X);
        continue;
      }
      if (spec.usage === 'staging') {
        buf = this.res.create({ label: spec.name, size: spec.bytes, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
      } else if (spec.usage === 'uniform') {
        buf = this.res.create({ label: spec.name, size: spec.bytes, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST });
      } else {
        const upload = uploads[spec.key];
        buf = upload ? this.res.upload(upload(), spec.key) : this.res.buffer(spec.floats * 4, spec.key);
      }
      out[spec.key] = buf;
    }
    // Bindings a variant never touches (gated: S, ν, Gu; axpby's x when a = 0) take the device's one placeholder.
    out.dummy = placeholderBuffer(ctx);
    for (const key of ['S', 'Nu', 'GU']) out[key] ??= out.dummy;
    return out;
  }

  /** The test-set buffers from the allocation (the ReLU prediction reads no D, but must not alias `dummy`). */
  private testBuffers(test: TestSet): TestBuffers {
    const { b } = this;
    return { Xt: this.blocks[1], Dt: this.relu ? b.D : b.Dtest, Yt: b.Ytest, Zt: b.Ztest, Ft: b.Ftest, partials: b.partialsFitTest, rows: test.n };
  }

  /**
   * b = Fᵀy/ρ + v − λ + Gᵀs − Gᵀν, written into PCG's residual r; with `Au0` (warm start,
   * A·u₀ − Fᵀy/ρ already computed) r = b − A·u₀ in the same kernel, from v − λ + Gᵀs − Gᵀν − Au0.
   */
  private rhsDispatches(Au0: GPUBuffer | null): Dispatch[] {
    const { b } = this;
    const dK = this.problem.d * this.K;
    // The warm product already holds −Fᵀy/ρ (GpuPcg with `y`), so the kernel leaves b1/ρ out.
    const fields = [u32(dK), u32(this.relu ? 1 : 0), u32(Au0 ? 1 : 0), u32(Au0 ? 1 : 0)];
    return [elementwise(this.ctx, 'admmRhs', fields, [b.Fty, b.V, b.Lam, b.GtS, b.GtNu, b.r, this.admm, Au0 ?? b.dummy], dK)];
  }

  /** v = prox_{β/ρ}(u + λ) per column and λ ← λ + u − v, fused; also the column norms. */
  private vDispatches(): Dispatch[] {
    const { b } = this;
    return [gridDispatch(this.ctx, 'groupProx', [u32(this.problem.d), u32(this.K)], [b.U, b.V, b.Lam, b.colnorm, this.admm], [this.K, 1, 1])];
  }

  /** Gu (and X·u in Z), s = max(Gu + ν, 0), ν ← ν + Gu − s, then Gᵀs and Gᵀν for the next b. Gated: X·u only. */
  private sDispatches(): Dispatch[] {
    const { ctx, g, b, data } = this;
    const { n, d, P } = this.problem;
    if (!this.relu) return forwardBlocked(ctx, { X: data.X, d, U: b.U, K: this.K, D: data.D, P, out: b.Z, epilogue: 'plain' });
    const nK = n * this.K;
    return [
      ...applyG(ctx, g, data, b.U, b.Z, b.GU),
      elementwise(ctx, 'slackDual', [u32(nK)], [b.GU, b.S, b.Nu, this.admm], nK),
      ...applyGt(ctx, g, data, b.S, b.GtS),
      ...applyGt(ctx, g, data, b.Nu, b.GtNu),
    ];
  }

  /** First- and second-level reductions of every metric into `status` (spec §4.4, §6.3). */
  private metricsDispatches(): Dispatch[] {
    const { ctx, g, b, data, problem } = this;
    const { n, d, P, C } = problem;
    const relu = this.relu;
    const dK = d * this.K;
    const nK = n * this.K;
    const fit = (F: GPUBuffer, T: GPUBuffer, part: GPUBuffer, rows: number, dst: number): Dispatch[] => {
      const G = reductionGroups(rows);
      return [gridDispatch(ctx, 'metricsNc', [u32(rows), u32(C), u32(G)], [F, T, part], [G, 1, 1]), finalize(ctx, part, G, FIT_Q, b.status, dst)];
    };
    const Gdk = reductionGroups(dK);
    const Gnk = reductionGroups(nK);
    const list: Dispatch[] = [
      combine(ctx, g, 1, b.Z, data.D, b.Fu, this.admm, b.dummy),
      ...applyF(ctx, g, data, b.V, b.R, b.Fv, this.admm, b.dummy),
      gridDispatch(ctx, 'metricsDk', [u32(dK), u32(relu ? 1 : 0), u32(Gdk)], [b.U, b.V, b.Vprev, b.Lam, b.GtS, b.GtSprev, b.GtNu, b.partialsDk], [Gdk, 1, 1]),
      finalize(ctx, b.partialsDk, Gdk, 5, b.status, ST.dk),
      gridDispatch(ctx, 'metricsNk', [u32(nK), u32(relu ? 1 : 0), u32(Gnk)], [b.GU, b.S, b.Z, b.partialsNk], [Gnk, 1, 1]),
      finalize(ctx, b.partialsNk, Gnk, 5, b.status, ST.nk, 0b11000),
      ...fit(b.Fu, b.Y, b.partialsFit, n, ST.fit),
      ...fit(b.Fv, b.Y, b.partialsFitV, n, ST.fitV),
      // Dual bound: W = Fᵀ(Fu − Y) into PCG's residual buffer (free until the next rhs), then the
      // column norms of W + ρGᵀν.
      axpby(ctx, b.Fu, b.zres, 1, 0, n * C),
      axpby(ctx, b.Y, b.zres, -1, 1, n * C),
      ...applyFt(ctx, g, data, b.zres, b.r),
      gridDispatch(ctx, 'dualNorms', [u32(d), u32(this.K), u32(relu ? 1 : 0)], [b.r, b.GtNu, b.dualnorm, this.admm], [this.K, 1, 1]),
    ];
    const t = this.test;
    if (t) {
      // The recovered network's predictions via positive homogeneity (spec §6.1–6.2):
      // relu(X W1) w2 = Σ_i relu(X u_i) − relu(X w_i); gated nets reuse the training gates.
      list.push(
        ...forwardBlocked(ctx, { X: t.Xt, d, U: b.U, K: this.K, D: t.Dt, P, out: t.Zt, epilogue: relu ? 'relu' : 'gate' }),
        combine(ctx, { ...g, n: t.rows }, 2, t.Zt, t.Dt, t.Ft, this.admm, b.dummy),
        ...fit(t.Ft, t.Yt, t.partials, t.rows, ST.test),
      );
    }
    return list;
  }

  /** Anderson acceleration over the state buffers and the aa* buffers of the spec list. */
  private andersonOf(memory: number): GpuAnderson {
    const { ctx, g, b, data } = this;
    const nK = this.relu ? this.problem.n * this.K : 0;
    const slack = this.relu ? { S: b.S, Nu: b.Nu } : { S: b.dummy, Nu: b.aaSpare };
    const transposed = this.relu ? [...applyGt(ctx, g, data, b.S, b.GtS), ...applyGt(ctx, g, data, b.Nu, b.GtNu)] : [];
    const buffers = { V: b.V, Lam: b.Lam, ...slack, mem: b.aaMem, state: b.aaState, partials: b.aaPartials, admm: this.admm };
    return new GpuAnderson(ctx, memory, { d: this.problem.d, K: this.K, nK }, buffers, transposed);
  }

  /** Records the Anderson update of the step just measured at the start of the next step (AdmmBackend.andersonStep). */
  andersonStep(): void {
    if (this.aa) this.aaPending = this.aa.update;
  }

  /** Clears the Anderson memory now; x ← ζ is recorded at the start of the next step (AdmmBackend.andersonReset). */
  andersonReset(): void {
    if (!this.aa) return;
    this.aa.reset();
    this.aaPending = this.aa.load;
  }

  /** Extrapolations taken and rejected on the GPU (null without Anderson); a read-back, not per step. */
  async andersonCounts(): Promise<{ accepted: number; rejected: number } | null> {
    this.flushAnderson();
    return this.aa ? this.aa.counts() : null;
  }

  /** Runs pending Anderson work in a submission of its own, so that what is read back is the state the next step starts from. */
  private flushAnderson(): void {
    if (!this.aaPending) return;
    runDispatches(this.ctx, this.aaPending);
    this.aaPending = null;
  }

  /** λ, ν, Gᵀν ← λ/f, ν/f, Gᵀν/f, so the unscaled multipliers ρλ, ρν stay put when ρ ← fρ. */
  private rescaleDispatches(f: number): Dispatch[] {
    const { ctx, b } = this;
    const dK = this.problem.d * this.K;
    // axpby with a = 0 never reads x; `dummy` stands in (binding the target twice is invalid).
    const list = [axpby(ctx, b.dummy, b.Lam, 0, 1 / f, dK), axpby(ctx, b.dummy, b.GtNu, 0, 1 / f, dK)];
    if (this.relu) list.push(axpby(ctx, b.dummy, b.Nu, 0, 1 / f, this.problem.n * this.K));
    return list;
  }

  private writeAdmmUniform(rho: number, pcgTol: number, alpha = this.scalars.alpha): void {
    this.ctx.device.queue.writeBuffer(this.admm, 0, new Float32Array([rho, this.problem.beta / rho, pcgTol, alpha]));
  }

  /** Writes ρ, β/ρ and the tolerance, opens the step's encoder: v_prev ← v, Gᵀs_prev ← Gᵀs, u ← 0 (cold start). */
  beginStep(s: StepScalars): void {
    if (this.pending) throw new Error('GpuBackend.beginStep: the previous step was not finished with metrics()');
    this.scalars = s;
    const { b } = this;
    this.writeAdmmUniform(s.rho, s.pcgTol, s.alpha);
    const enc = this.ctx.device.createCommandEncoder({ label: `admm step ${s.k}` });
    if (this.aaPending) {
      // The previous step's Anderson update (or x ← ζ after a reset), before v_prev ← v as on the CPU.
      const aaPass = enc.beginComputePass();
      encodeDispatches(aaPass, this.aaPending);
      aaPass.end();
      this.aaPending = null;
    }
    enc.copyBufferToBuffer(b.V, 0, b.Vprev, 0, b.V.size);
    enc.copyBufferToBuffer(b.GtS, 0, b.GtSprev, 0, b.GtS.size);
    if (!this.config.warmStart) enc.clearBuffer(b.U);
    this.pending = { enc, pass: enc.beginComputePass() };
  }

  private record(list: Dispatch[]): void {
    if (!this.pending) throw new Error('GpuBackend: a step operation was called outside beginStep … metrics');
    encodeDispatches(this.pending.pass, list);
  }

  /** Records b = Fᵀy/ρ + v − λ + Gᵀ(s − ν) (warm start: nothing, uSolve records it fused with r = b − A·u₀). */
  rhs(): void {
    this.record(this.steps.rhs);
  }

  /** Records PCG's init and the step's budget of iterations (converged classes freeze on the GPU). */
  uSolve(): void {
    this.record(this.steps.pcgInit);
    for (let t = 0; t < this.pcgBudget; t++) this.record(this.steps.pcgIteration);
  }

  /** Records the prox and the λ update. */
  vStep(): void {
    this.record(this.steps.v);
  }

  /** Records Gu, s, ν and Gᵀs, Gᵀν. */
  sStep(): void {
    this.record(this.steps.s);
  }

  /** Records the reductions, submits the step and reads back its status (the step's one read-back). */
  async metrics(): Promise<StepSums> {
    this.record(this.steps.metrics);
    const { enc, pass } = this.pending as Pending;
    this.pending = null;
    const { b, staging } = this;
    pass.end();
    enc.copyBufferToBuffer(b.status, 0, staging, 0, ST.size * 4);
    enc.copyBufferToBuffer(b.colnorm, 0, staging, ST.size * 4, 2 * this.K * 4);
    enc.copyBufferToBuffer(b.dualnorm, 0, staging, (ST.size + 2 * this.K) * 4, this.K * 4);
    enc.copyBufferToBuffer(this.pcg.state, 0, staging, (ST.size + 3 * this.K) * 4, PCG_STATE_FLOATS * this.problem.C * 4);
    this.ctx.device.queue.submit([enc.finish()]);
    await staging.mapAsync(GPUMapMode.READ);
    const st = Float64Array.from(new Float32Array(staging.getMappedRange().slice(0)));
    staging.unmap();
    throwIfGpuFailed(this.ctx);
    const sums = this.sumsFrom(st);
    if (sums.pcgIterations >= this.pcgBudget) this.pcgBudget = Math.min(this.config.pcgIters, 2 * this.pcgBudget);
    return sums;
  }

  /** Unpacks the status read-back. */
  private sumsFrom(st: Float64Array): StepSums {
    const K = this.K;
    const [sqUminusV, sqU, sqV, sqDual, sqDualScale] = st.subarray(ST.dk, ST.dk + 5);
    const [sqGuMinusS, sqGu, sqS, maxNegGu, maxAbsXU] = st.subarray(ST.nk, ST.nk + 5);
    let sumNormU = 0;
    let sumNormV = 0;
    let activeNeurons = 0;
    for (let j = 0; j < K; j++) {
      sumNormU += st[ST.size + 2 * j];
      sumNormV += st[ST.size + 2 * j + 1];
      if (st[ST.size + 2 * j + 1] > 0) activeNeurons++;
    }
    let maxDualColumnNorm = 0;
    for (let j = 0; j < K; j++) maxDualColumnNorm = Math.max(maxDualColumnNorm, st[ST.size + 2 * K + j]);
    let pcgIterations = 0;
    let pcgResidual = 0;
    for (let c = 0; c < this.problem.C; c++) {
      const base = ST.size + 3 * K + c * PCG_STATE_FLOATS;
      pcgIterations = Math.max(pcgIterations, st[base + 6]);
      pcgResidual = Math.max(pcgResidual, st[base + 7]);
    }
    const testRows = this.test?.rows ?? 0;
    return {
      sqUminusV, sqU, sqV, sqDual, sqDualScale, sqGuMinusS, sqGu, sqS, maxNegGu, maxAbsXU,
      sqLoss: st[ST.fit],
      sqLossV: st[ST.fitV],
      residualDotY: st[ST.fit + 2],
      maxDualColumnNorm,
      sumNormU,
      sumNormV,
      activeNeurons,
      trainAccuracy: st[ST.fit + 1] / this.problem.n,
      testAccuracy: testRows > 0 ? st[ST.test + 1] / testRows : NaN,
      sqLossTest: testRows > 0 ? st[ST.test] : NaN,
      pcgIterations,
      pcgResidual,
    };
  }

  /** λ, ν, Gᵀν ← λ/f, ν/f, Gᵀν/f (one small submission, only when ρ changes). */
  rescaleDuals(f: number): void {
    const list = this.rescale.get(f);
    if (!list) throw new Error(`GpuBackend.rescaleDuals: factor ${f} is not 2 or ½`);
    runDispatches(this.ctx, list);
  }

  /**
   * Re-sketches A(ρ)Ω at `rho` (GpuNystrom reads ρ from the uniform, so it is written first), or
   * refactors the Woodbury inverse on the host; a rank-0 GpuNystrom (block preconditioner or
   * plain CG) returns at once: the block factor is ρ-independent.
   */
  async rebuildPreconditioner(rho: number): Promise<void> {
    this.writeAdmmUniform(rho, this.scalars.pcgTol);
    this.woodbury?.factor(rho);
    await this.precond.rebuild(rho, this.admm);
  }

  /** The state buffers by name with their float counts. */
  private stateBuffers(): Partial<Record<StateArrayName, { buf: GPUBuffer; count: number }>> {
    const { b } = this;
    const dK = this.problem.d * this.K;
    const nK = this.problem.n * this.K;
    const base = { u: { buf: b.U, count: dK }, v: { buf: b.V, count: dK }, lambda: { buf: b.Lam, count: dK } };
    if (!this.relu) return base;
    return { ...base, s: { buf: b.S, count: nK }, nu: { buf: b.Nu, count: nK }, GtS: { buf: b.GtS, count: dK }, GtNu: { buf: b.GtNu, count: dK } };
  }

  /** Lengths of the saved arrays. */
  stateLengths(): Partial<Record<StateArrayName, number>> {
    return Object.fromEntries(Object.entries(this.stateBuffers()).map(([k, v]) => [k, v.count]));
  }

  /** Reads every state buffer back as float64 (not on the per-step path). */
  async readState(): Promise<Partial<Record<StateArrayName, Float64Array>>> {
    this.flushAnderson();
    const entries = Object.entries(this.stateBuffers());
    const arrays = await Promise.all(entries.map(([, v]) => readF32(this.ctx, v.buf, v.count)));
    return Object.fromEntries(entries.map(([k], i) => [k, Float64Array.from(arrays[i])]));
  }

  /** Uploads the state arrays (rounded to float32). */
  async writeState(arrays: Partial<Record<StateArrayName, Float64Array>>): Promise<void> {
    // A pending update would act on the overwritten state; the driver resets Anderson after a write.
    this.aaPending = null;
    for (const [k, v] of Object.entries(this.stateBuffers())) writeF32(this.ctx, v.buf, arrays[k as StateArrayName] as Float64Array);
  }

  /** Reads back (u, v) as float64. */
  async solution(): Promise<ConvexSolution> {
    this.flushAnderson();
    const count = this.problem.d * this.K;
    const [U, V] = await Promise.all([readF32(this.ctx, this.b.U, count), readF32(this.ctx, this.b.V, count)]);
    return { U: Float64Array.from(U), V: Float64Array.from(V) };
  }

  /** Frees every GPU buffer of this backend (not the context). */
  dispose(): void {
    this.pending = null;
    this.aaPending = null;
    this.aa?.destroy();
    // The step lists own their uniforms and scratch (PCG's lists are owned by the PCG; freeing twice is harmless).
    for (const list of [...Object.values(this.steps), ...this.rescale.values()]) destroyDispatches(list);
    this.precond.destroy();
    this.block?.destroy();
    this.woodbury?.destroy();
    this.pcg.destroy();
    this.res.destroy();
    this.blocks.length = 0;
  }
}
