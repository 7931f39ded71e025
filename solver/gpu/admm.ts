/**
 * CRONOS on WebGPU: the ADMM iteration of spec §4.2 / §4.6 with every vector on the GPU, one
 * command buffer per ADMM step and one small status read-back per step (the metrics).
 *
 *   b  = Fᵀy/ρ + v − λ + Gᵀ(s − ν)               rhsStep()
 *   u  = PCG(A, b, M_nys)                         uStep()     (GpuPcg, GpuNystrom)
 *   v  = prox_{β/ρ}(u + λ);  λ += u − v           vStep()     (fused in group_prox.wgsl)
 *   Gu = G u;  s = max(Gu + ν, 0);  ν += Gu − s   sStep()     (then Gᵀs, Gᵀν for the next b)
 *   residuals, objective, accuracies              metricsStep()
 *   ρ ← 2ρ or ρ/2 when residuals are unbalanced   balanceRho() (optional, spec §4.5)
 */
import { estimateGpuBuffers, totalBytes } from '../../data/size';
import { activationPatterns, testTargets } from '../problem';
import { fitScale, rhoBalanceFactor, stepMetrics, type FitScale, type StepSums } from '../residuals';
import type { CronosSolver, TestSet } from '../solver';
import { pcgTolerance, type ConvexSolution, type IterationMetrics, type Problem, type SolverConfig } from '../types';
import { throwIfGpuFailed, type GpuContext } from './context';
import { destroyRowBlocks, forwardBlocked, rowsPerBlock, uploadRowBlocks, type RowBlocks } from './rowblocks';
import { destroyDispatches, encodeDispatches, readF32, runDispatches, storageBuffer, u32, uploadF32, type Dispatch } from './kernel';
import { axpby, elementwise, finalize, gridDispatch, reductionGroups } from './kernels';
import { GpuNystrom } from './nystrom';
import { applyF, applyFt, applyG, applyGt, columns, combine, type DataBuffers, type Geometry } from './operators';
import { GpuPcg, PCG_STATE_FLOATS } from './pcg';

/** Offsets in the status buffer (f32), filled by the metric reductions each step. */
const ST = { dk: 0, nk: 5, fit: 10, fitV: 13, test: 16, size: 19 } as const;
/** Quantities per fit reduction (metrics_nc.wgsl): ‖F − Y‖², correct rows, ⟨F − Y, Y⟩. */
const FIT_Q = 3;

/**
 * Memory the solver needs on the GPU, from the one buffer estimate (data/size.ts): the
 * largest single binding (X is split into row blocks, so only its block counts), the number of
 * row blocks of X, and the total.
 */
export function gpuMemoryPlan(
  problem: Problem,
  config: SolverConfig,
  testRows: number,
  maxBindingBytes = Infinity,
): { largestBinding: number; xBlocks: number; total: number } {
  const { n, d, P, C, model } = problem;
  const buffers = estimateGpuBuffers(n, d, P, C, model, config.rank, testRows);
  const xBytes = n * d * 4;
  const xBlocks = xBytes <= maxBindingBytes ? 1 : Math.ceil(n / rowsPerBlock(d, maxBindingBytes));
  const largestBinding = Math.max(...buffers.map((b) => (b.blockable ? Math.min(b.bytes, maxBindingBytes) : b.bytes)));
  return { largestBinding, xBlocks, total: totalBytes(buffers) };
}

/** The solver's GPU buffers: data, ADMM state (spec §4.1, all zeros) and work space. */
interface Buffers {
  data: DataBuffers;
  /** n×C targets in ±1. */
  Y: GPUBuffer;
  /** d×K: u, v, v of the previous step, λ, Fᵀy, Gᵀs, Gᵀs of the previous step, Gᵀν, and PCG's residual r (starts as b). */
  U: GPUBuffer;
  V: GPUBuffer;
  Vprev: GPUBuffer;
  Lam: GPUBuffer;
  Fty: GPUBuffer;
  GtS: GPUBuffer;
  GtSprev: GPUBuffer;
  GtNu: GPUBuffer;
  r: GPUBuffer;
  /** n×K: X·u (and scratch of A), a second scratch, G·u, s, ν (the last three ReLU only). */
  Z: GPUBuffer;
  R: GPUBuffer;
  GU: GPUBuffer;
  S: GPUBuffer;
  Nu: GPUBuffer;
  /** n×C: F·u and F·v. */
  Fu: GPUBuffer;
  Fv: GPUBuffer;
  /** 2K column norms (‖u_col‖, ‖v_col‖) from the prox. */
  colnorm: GPUBuffer;
  /** n×C residual Fu − Y and K column norms of Fᵀ(Fu − Y) + ρGᵀν, for the dual bound. */
  zres: GPUBuffer;
  dualnorm: GPUBuffer;
  /** ST.size reduced sums; the read-back source (with colnorm, dualnorm and the PCG state). */
  status: GPUBuffer;
  /** Uniform: ρ, β/ρ, PCG tolerance. */
  admm: GPUBuffer;
  /** 16-byte placeholder for unused bindings. */
  dummy: GPUBuffer;
}

/** Options of {@link GpuSolver.create} beyond the shared config. */
export interface GpuSolverOptions {
  /** Largest row block of X in bytes (default: the adapter's binding limit). */
  xBlockBytes?: number;
}

/** The WebGPU CRONOS solver; create it with {@link GpuSolver.create}. */
export class GpuSolver implements CronosSolver {
  readonly device = 'gpu' as const;
  private k = 0;
  private rho: number;
  private readonly owned: GPUBuffer[] = [];
  private readonly blocks: RowBlocks[] = [];
  private readonly g: Geometry;
  private readonly K: number;
  private readonly b: Buffers;
  private readonly staging: GPUBuffer;
  private readonly precond: GpuNystrom;
  private readonly pcg: GpuPcg;
  private readonly testRows: number;
  private readonly fit: FitScale;
  /** Replayable dispatch lists of one ADMM step. */
  private readonly steps: { rhs: Dispatch[]; pcgInit: Dispatch[]; pcgIteration: Dispatch[]; v: Dispatch[]; s: Dispatch[]; metrics: Dispatch[] };
  /** Dual rescaling for ρ·2 and ρ/2 (λ, ν, Gᵀν scale by the inverse factor). */
  private readonly rescale: Map<number, Dispatch[]>;

  private constructor(
    private readonly ctx: GpuContext,
    readonly problem: Problem,
    readonly config: SolverConfig,
    test: TestSet | undefined,
    private readonly xBlockBytes: number,
  ) {
    const { n, d, P, S, C } = problem;
    this.rho = config.rho;
    this.g = { n, d, P, S, B: C };
    this.K = columns(this.g);
    this.b = this.allocate();
    this.staging = ctx.device.createBuffer({
      label: 'status staging',
      size: (ST.size + 3 * this.K + PCG_STATE_FLOATS * C) * 4,
      usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST,
    });
    this.owned.push(this.staging);
    this.writeAdmmUniform(pcgTolerance(config, 0));
    this.precond = new GpuNystrom(ctx, this.g, this.b.data, config.rank, config.seed);
    this.pcg = new GpuPcg(ctx, this.g, this.b.data, { Z: this.b.Z, R: this.b.R, dummy: this.b.dummy }, this.precond, { x: this.b.U, r: this.b.r }, this.b.admm);
    this.testRows = test?.n ?? 0;
    this.fit = fitScale(problem, test && test.n > 0 ? testTargets(problem, test) : null);
    this.steps = {
      rhs: this.rhsStep(),
      pcgInit: [...(config.warmStart ? this.pcg.warmInit : []), ...this.pcg.init],
      pcgIteration: this.pcg.iteration,
      v: this.vStep(),
      s: this.sStep(),
      metrics: this.metricsStep(test),
    };
    this.rescale = new Map([2, 0.5].map((f) => [f, this.dualRescale(f)]));
    // Setup of spec §4.6: Fᵀy once; the rhs kernel divides it by the current ρ.
    const setup = applyFt(ctx, this.g, this.b.data, this.b.Y, this.b.Fty);
    runDispatches(ctx, setup);
    destroyDispatches(setup);
  }

  /** Allocates the solver on `ctx`, uploads the problem and builds the first preconditioner. */
  static async create(ctx: GpuContext, problem: Problem, config: SolverConfig, test?: TestSet, opts: GpuSolverOptions = {}): Promise<GpuSolver> {
    const lim = ctx.adapter.maxStorageBufferBindingSize;
    const plan = gpuMemoryPlan(problem, config, test?.n ?? 0, lim);
    if (plan.largestBinding > lim) {
      throw new Error(
        `The problem needs a ${mib(plan.largestBinding)} GPU buffer but this adapter allows at most ${mib(lim)} per binding ` +
          `(n=${problem.n}, d=${problem.d}, K=${problem.K}, rank=${config.rank}). Use fewer rows, a smaller P or rank, or --device cpu.`,
      );
    }
    if (config.model !== problem.model) throw new Error(`config.model (${config.model}) differs from the problem's model (${problem.model}).`);
    const solver = new GpuSolver(ctx, problem, config, test, opts.xBlockBytes ?? lim);
    await solver.precond.rebuild(solver.rho, solver.b.admm);
    return solver;
  }

  private allocate(): Buffers {
    const { ctx, problem } = this;
    const { n, d, C } = problem;
    const relu = problem.model === 'relu';
    const dK = d * this.K;
    const nK = n * this.K;
    const buf = (elems: number, label: string): GPUBuffer => {
      const b = storageBuffer(ctx, elems * 4, label);
      this.owned.push(b);
      return b;
    };
    const up = (data: ArrayLike<number>, label: string): GPUBuffer => {
      const b = uploadF32(ctx, data, label);
      this.owned.push(b);
      return b;
    };
    const admm = ctx.device.createBuffer({ label: 'admm', size: 16, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST });
    this.owned.push(admm);
    const dummy = buf(4, 'dummy');
    const X = uploadRowBlocks(ctx, problem.X, n, d, 'X', this.xBlockBytes);
    this.blocks.push(X);
    return {
      data: { X, D: up(problem.D, 'D') },
      Y: up(problem.Y, 'Y'),
      U: buf(dK, 'U'),
      V: buf(dK, 'V'),
      Vprev: buf(dK, 'Vprev'),
      Lam: buf(dK, 'Lambda'),
      Fty: buf(dK, 'Fty'),
      GtS: buf(dK, 'GtS'),
      GtSprev: buf(dK, 'GtSprev'),
      GtNu: buf(dK, 'GtNu'),
      r: buf(dK, 'pcg r'),
      Z: buf(nK, 'Z'),
      R: buf(nK, 'R'),
      GU: relu ? buf(nK, 'GU') : dummy,
      S: relu ? buf(nK, 'S') : dummy,
      Nu: relu ? buf(nK, 'Nu') : dummy,
      Fu: buf(n * C, 'Fu'),
      Fv: buf(n * C, 'Fv'),
      colnorm: buf(2 * this.K, 'colnorm'),
      zres: buf(n * C, 'Fu - Y'),
      dualnorm: buf(this.K, 'dual column norms'),
      status: buf(ST.size, 'status'),
      admm,
      dummy,
    };
  }

  private get relu(): boolean {
    return this.problem.model === 'relu';
  }

  /** b = Fᵀy/ρ + v − λ + Gᵀs − Gᵀν, written into PCG's residual r (PCG starts from r = b − A·u₀). */
  private rhsStep(): Dispatch[] {
    const { b } = this;
    const dK = this.problem.d * this.K;
    return [elementwise(this.ctx, 'admmRhs', [u32(dK), u32(this.relu ? 1 : 0)], [b.Fty, b.V, b.Lam, b.GtS, b.GtNu, b.r, b.admm], dK)];
  }

  /** v = prox_{β/ρ}(u + λ) per column and λ ← λ + u − v, fused; also the column norms. */
  private vStep(): Dispatch[] {
    const { b } = this;
    return [gridDispatch(this.ctx, 'groupProx', [u32(this.problem.d), u32(this.K)], [b.U, b.V, b.Lam, b.colnorm, b.admm], [this.K, 1, 1])];
  }

  /** Gu (and X·u in Z), s = max(Gu + ν, 0), ν ← ν + Gu − s, then Gᵀs and Gᵀν for the next b. Gated: X·u only. */
  private sStep(): Dispatch[] {
    const { ctx, g, b } = this;
    const { n, d, P } = this.problem;
    if (!this.relu) return forwardBlocked(ctx, { X: b.data.X, d, U: b.U, K: this.K, D: b.data.D, P, out: b.Z, epilogue: 'plain' });
    const nK = n * this.K;
    return [
      ...applyG(ctx, g, b.data, b.U, b.Z, b.GU),
      elementwise(ctx, 'slackDual', [u32(nK)], [b.GU, b.S, b.Nu], nK),
      ...applyGt(ctx, g, b.data, b.S, b.GtS),
      ...applyGt(ctx, g, b.data, b.Nu, b.GtNu),
    ];
  }

  /** First- and second-level reductions of every metric into `status` (spec §4.4, §6.3). */
  private metricsStep(test: TestSet | undefined): Dispatch[] {
    const { ctx, g, b, problem } = this;
    const { n, d, P, C } = problem;
    const relu = this.relu;
    const dK = d * this.K;
    const nK = n * this.K;
    const partials = (elems: number, label: string): GPUBuffer => {
      const buf = storageBuffer(ctx, elems * 4, label);
      this.owned.push(buf);
      return buf;
    };
    const fit = (F: GPUBuffer, T: GPUBuffer, rows: number, dst: number): Dispatch[] => {
      const G = reductionGroups(rows);
      const part = partials(G * FIT_Q, 'partials fit');
      return [gridDispatch(ctx, 'metricsNc', [u32(rows), u32(C), u32(G)], [F, T, part], [G, 1, 1]), finalize(ctx, part, G, FIT_Q, b.status, dst)];
    };
    const Gdk = reductionGroups(dK);
    const pdk = partials(Gdk * 5, 'partials dk');
    const Gnk = reductionGroups(nK);
    const pnk = partials(Gnk * 5, 'partials nk');
    const list: Dispatch[] = [
      combine(ctx, g, 1, b.Z, b.data.D, b.Fu, b.admm, b.dummy),
      ...applyF(ctx, g, b.data, b.V, b.R, b.Fv, b.admm, b.dummy),
      gridDispatch(ctx, 'metricsDk', [u32(dK), u32(relu ? 1 : 0), u32(Gdk)], [b.U, b.V, b.Vprev, b.Lam, b.GtS, b.GtSprev, b.GtNu, pdk], [Gdk, 1, 1]),
      finalize(ctx, pdk, Gdk, 5, b.status, ST.dk),
      gridDispatch(ctx, 'metricsNk', [u32(nK), u32(relu ? 1 : 0), u32(Gnk)], [b.GU, b.S, b.Z, pnk], [Gnk, 1, 1]),
      finalize(ctx, pnk, Gnk, 5, b.status, ST.nk, 0b11000),
      ...fit(b.Fu, b.Y, n, ST.fit),
      ...fit(b.Fv, b.Y, n, ST.fitV),
      // Dual bound: W = Fᵀ(Fu − Y) into PCG's residual buffer (free until the next rhs), then the
      // column norms of W + ρGᵀν.
      axpby(ctx, b.Fu, b.zres, 1, 0, n * C),
      axpby(ctx, b.Y, b.zres, -1, 1, n * C),
      ...applyFt(ctx, g, b.data, b.zres, b.r),
      gridDispatch(ctx, 'dualNorms', [u32(d), u32(this.K), u32(relu ? 1 : 0)], [b.r, b.GtNu, b.dualnorm, b.admm], [this.K, 1, 1]),
    ];
    if (test && test.n > 0) {
      // The recovered network's predictions via positive homogeneity (spec §6.1–6.2):
      // relu(X W1) w2 = Σ_i relu(X u_i) − relu(X w_i); gated nets reuse the training gates.
      const up = (data: ArrayLike<number>, label: string): GPUBuffer => {
        const buf = uploadF32(ctx, data, label);
        this.owned.push(buf);
        return buf;
      };
      const Xt = uploadRowBlocks(ctx, test.X, test.n, d, 'Xtest', this.xBlockBytes);
      this.blocks.push(Xt);
      // ReLU predictions never read D, but the binding must not alias `dummy` (written in combine).
      const Dt = relu ? b.data.D : up(activationPatterns(test.X, test.n, d, problem.gates, P), 'Dtest');
      const Yt = up(testTargets(problem, test), 'Ytest');
      const Zt = partials(test.n * this.K, 'Ztest');
      const Ft = partials(test.n * C, 'Ftest');
      list.push(
        ...forwardBlocked(ctx, { X: Xt, d, U: b.U, K: this.K, D: Dt, P, out: Zt, epilogue: relu ? 'relu' : 'gate' }),
        combine(ctx, { ...g, n: test.n }, 2, Zt, Dt, Ft, b.admm, b.dummy),
        ...fit(Ft, Yt, test.n, ST.test),
      );
    }
    return list;
  }

  /** λ, ν, Gᵀν ← λ/f, ν/f, Gᵀν/f, so the unscaled multipliers ρλ, ρν stay put when ρ ← fρ. */
  private dualRescale(f: number): Dispatch[] {
    const { ctx, b } = this;
    const dK = this.problem.d * this.K;
    // axpby with a = 0 never reads x; `dummy` stands in (binding the target twice is invalid).
    const list = [axpby(ctx, b.dummy, b.Lam, 0, 1 / f, dK), axpby(ctx, b.dummy, b.GtNu, 0, 1 / f, dK)];
    if (this.relu) list.push(axpby(ctx, b.dummy, b.Nu, 0, 1 / f, this.problem.n * this.K));
    return list;
  }

  private writeAdmmUniform(pcgTol: number): void {
    this.ctx.device.queue.writeBuffer(this.b.admm, 0, new Float32Array([this.rho, this.problem.beta / this.rho, pcgTol, 0]));
  }

  /** One ADMM iteration (spec §4.2): one submission, one status read-back. */
  async step(): Promise<IterationMetrics> {
    const t0 = performance.now();
    const { b, steps } = this;
    const rho = this.rho;
    this.writeAdmmUniform(pcgTolerance(this.config, this.k));
    const enc = this.ctx.device.createCommandEncoder({ label: `admm step ${this.k}` });
    enc.copyBufferToBuffer(b.V, 0, b.Vprev, 0, b.V.size);
    enc.copyBufferToBuffer(b.GtS, 0, b.GtSprev, 0, b.GtS.size);
    if (!this.config.warmStart) enc.clearBuffer(b.U);
    const pass = enc.beginComputePass();
    encodeDispatches(pass, steps.rhs);
    encodeDispatches(pass, steps.pcgInit);
    for (let t = 0; t < this.config.pcgIters; t++) encodeDispatches(pass, steps.pcgIteration);
    encodeDispatches(pass, steps.v);
    encodeDispatches(pass, steps.s);
    encodeDispatches(pass, steps.metrics);
    pass.end();
    enc.copyBufferToBuffer(b.status, 0, this.staging, 0, ST.size * 4);
    enc.copyBufferToBuffer(b.colnorm, 0, this.staging, ST.size * 4, 2 * this.K * 4);
    enc.copyBufferToBuffer(b.dualnorm, 0, this.staging, (ST.size + 2 * this.K) * 4, this.K * 4);
    enc.copyBufferToBuffer(this.pcg.state, 0, this.staging, (ST.size + 3 * this.K) * 4, PCG_STATE_FLOATS * this.problem.C * 4);
    this.ctx.device.queue.submit([enc.finish()]);
    await this.staging.mapAsync(GPUMapMode.READ);
    const st = Float64Array.from(new Float32Array(this.staging.getMappedRange().slice(0)));
    this.staging.unmap();
    throwIfGpuFailed(this.ctx);
    this.k++;
    const m = stepMetrics(this.problem, this.config, this.sumsFrom(st), this.fit, rho, this.k, 0);
    if (this.config.adaptiveRho) await this.balanceRho(rhoBalanceFactor(m));
    m.timeMs = performance.now() - t0;
    return m;
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
      testAccuracy: this.testRows > 0 ? st[ST.test + 1] / this.testRows : NaN,
      sqLossTest: this.testRows > 0 ? st[ST.test] : NaN,
      pcgIterations,
      pcgResidual,
    };
  }

  /** Residual balancing (spec §4.5): ρ ← fρ, scaled duals ← 1/f, preconditioner re-sketched at the new ρ. */
  private async balanceRho(f: number): Promise<void> {
    const list = this.rescale.get(f);
    if (!list) return;
    this.rho *= f;
    runDispatches(this.ctx, list);
    this.writeAdmmUniform(pcgTolerance(this.config, this.k));
    await this.precond.rebuild(this.rho, this.b.admm);
  }

  /** Reads back (u, v) as float64. */
  async solution(): Promise<ConvexSolution> {
    const count = this.problem.d * this.K;
    const [U, V] = await Promise.all([readF32(this.ctx, this.b.U, count), readF32(this.ctx, this.b.V, count)]);
    return { U: Float64Array.from(U), V: Float64Array.from(V) };
  }

  /** Frees every GPU buffer of this solver (not the context). */
  dispose(): void {
    // The step lists own their uniforms and scratch (PCG's lists are already owned by the PCG).
    for (const list of [...Object.values(this.steps), ...this.rescale.values()]) destroyDispatches(list);
    this.precond.destroy();
    this.pcg.destroy();
    for (const buf of this.owned) buf.destroy();
    this.owned.length = 0;
    for (const X of this.blocks) destroyRowBlocks(X);
    this.blocks.length = 0;
  }
}

function mib(bytes: number): string {
  return `${(bytes / 2 ** 20).toFixed(1)} MiB`;
}
