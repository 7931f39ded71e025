/**
 * CRONOS on WebGPU: the ADMM iteration of spec §4.2 / §4.6 with every vector on the GPU, one
 * command buffer per ADMM step and one small status read-back per step (the metrics).
 *
 *   b  = Fᵀy/ρ + v − λ + Gᵀ(s − ν)          rhs()
 *   u  = PCG(A, b, M_nys)                    solveU()
 *   v  = prox_{β/ρ}(u + λ);  λ += u − v      proxAndLambda()
 *   Gu = G u;  s = max(Gu + ν, 0);  ν += Gu − s   slackAndNu()
 *   metrics (spec §4.4), then residual balancing of ρ when enabled   metrics(), balanceRho()
 */
import { activationPatterns, signTargets } from '../problem';
import type { CronosSolver, TestSet } from '../solver';
import { pcgTolerance, type ConvexSolution, type IterationMetrics, type Problem, type SolverConfig } from '../types';
import { throwIfGpuFailed, type GpuContext } from './context';
import { forwardProduct } from './gemm';
import { encodeDispatches, readF32, runDispatches, storageBuffer, u32, uploadF32, type Dispatch } from './kernel';
import { axpby, elementwise, finalize, gridDispatch, reductionGroups } from './kernels';
import { GpuNystrom } from './nystrom';
import { applyF, applyFt, applyG, applyGt, columns, combine, type DataBuffers, type Geometry } from './operators';
import { GpuPcg, PCG_STATE_FLOATS } from './pcg';

/** Offsets in the status buffer (f32), filled by the metric reductions each step. */
const ST = { dk: 0, nk: 5, fit: 10, fitV: 12, test: 14, size: 16 } as const;

/** Residual balancing (spec §4.5): rescale ρ by 2 when the residuals differ by more than 10×. */
const BALANCE_RATIO = 10;
const BALANCE_FACTOR = 2;

/** Bytes of the largest buffers, checked against the device limits before allocating. */
export function gpuMemoryPlan(problem: Problem, config: SolverConfig, testRows: number): { largestBinding: number; total: number } {
  const { n, d, K, S, P } = problem;
  const rank = config.rank;
  const sketchCols = rank * S * P;
  const sizes = [
    n * d * 4, // X
    n * K * 4, // Z, R, GU, S, Nu
    n * sketchCols * 4, // sketch scratch
    S * d * P * rank * 4, // Nyström factor
    testRows * d * 4,
    testRows * K * 4,
  ];
  const total = n * d * 4 + 5 * n * K * 4 + 2 * n * sketchCols * 4 + 16 * d * K * 4 + S * d * P * rank * 4 + testRows * (d + K) * 4;
  return { largestBinding: Math.max(...sizes), total };
}

/** The WebGPU CRONOS solver; create it with {@link GpuSolver.create}. */
export class GpuSolver implements CronosSolver {
  readonly device = 'gpu' as const;
  private k = 0;
  private rho: number;
  private readonly bufs: GPUBuffer[] = [];
  private readonly g: Geometry;
  private readonly K: number;
  private readonly admm: GPUBuffer;
  private readonly status: GPUBuffer;
  private readonly colnorm: GPUBuffer;
  private readonly staging: GPUBuffer;
  private readonly U: GPUBuffer;
  private readonly V: GPUBuffer;
  private readonly Vprev: GPUBuffer;
  private readonly GtS: GPUBuffer;
  private readonly GtSprev: GPUBuffer;
  private readonly Lam: GPUBuffer;
  private readonly Nu: GPUBuffer;
  private readonly GtNu: GPUBuffer;
  private readonly precond: GpuNystrom;
  private readonly pcg: GpuPcg;
  private readonly stepDispatches: { rhsAndPcgInit: Dispatch[]; pcgIter: Dispatch[]; after: Dispatch[] };
  private readonly testRows: number;
  private readonly placeholder: GPUBuffer;

  private constructor(
    private readonly ctx: GpuContext,
    readonly problem: Problem,
    readonly config: SolverConfig,
    test?: TestSet,
  ) {
    const { n, d, P, S, C } = problem;
    const relu = problem.model === 'relu';
    this.rho = config.rho;
    this.g = { n, d, P, S, B: C };
    const g = this.g;
    const K = (this.K = columns(g));
    const dK = d * K;
    const nK = n * K;
    const buf = (bytes: number, label: string): GPUBuffer => {
      const b = storageBuffer(ctx, bytes, label);
      this.bufs.push(b);
      return b;
    };
    const up = (data: ArrayLike<number>, label: string): GPUBuffer => {
      const b = uploadF32(ctx, data, label);
      this.bufs.push(b);
      return b;
    };

    // Data and the uniform holding ρ, β/ρ and the PCG tolerance (rewritten each step).
    const data: DataBuffers = { X: up(problem.X, 'X'), D: up(problem.D, 'D') };
    const Y = up(problem.Y, 'Y');
    this.admm = ctx.device.createBuffer({ label: 'admm', size: 16, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST });
    this.bufs.push(this.admm);
    this.writeAdmmUniform(1);
    const dummy = buf(16, 'dummy');
    this.placeholder = dummy;

    // ADMM state (spec §4.1: all zeros).
    this.U = buf(dK * 4, 'U');
    this.V = buf(dK * 4, 'V');
    this.Vprev = buf(dK * 4, 'Vprev');
    this.Lam = buf(dK * 4, 'Lambda');
    const Rr = buf(dK * 4, 'pcg r');
    const b1 = buf(dK * 4, 'Fty');
    this.GtS = buf(dK * 4, 'GtS');
    this.GtSprev = buf(dK * 4, 'GtSprev');
    this.GtNu = buf(dK * 4, 'GtNu');
    const Z = buf(nK * 4, 'Z');
    const R = buf(nK * 4, 'R');
    const GU = relu ? buf(nK * 4, 'GU') : dummy;
    const Sl = relu ? buf(nK * 4, 'S') : dummy;
    this.Nu = relu ? buf(nK * 4, 'Nu') : dummy;
    const Fu = buf(n * C * 4, 'Fu');
    const Fv = buf(n * C * 4, 'Fv');
    this.colnorm = buf(2 * K * 4, 'colnorm');
    this.status = buf(ST.size * 4, 'status');
    this.staging = ctx.device.createBuffer({
      label: 'status staging',
      size: (ST.size + 2 * K + PCG_STATE_FLOATS * C) * 4,
      usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST,
    });
    this.bufs.push(this.staging);

    // b1 = Fᵀy once (spec §4.6 setup); the rhs kernel divides by the current ρ.
    const setup = applyFt(ctx, g, data, Y, b1);

    this.precond = new GpuNystrom(ctx, g, data, config.rank, config.seed);
    this.pcg = new GpuPcg(ctx, g, data, { Z, R, dummy }, this.precond, { x: this.U, r: Rr }, this.admm);

    const rhs = elementwise(ctx, 'admmRhs', [u32(dK), u32(relu ? 1 : 0)], [b1, this.V, this.Lam, this.GtS, this.GtNu, Rr, this.admm], dK);
    const rhsAndPcgInit = [rhs, ...(config.warmStart ? this.pcg.warmInit : []), ...this.pcg.init];

    // After PCG: v, λ (fused), G u, s, ν, Gᵀs, Gᵀν, then the metric reductions.
    const after: Dispatch[] = [
      gridDispatch(ctx, 'groupProx', [u32(d), u32(K)], [this.U, this.V, this.Lam, this.colnorm, this.admm], [K, 1, 1]),
    ];
    if (relu) {
      after.push(
        ...applyG(ctx, g, data, this.U, Z, GU),
        elementwise(ctx, 'slackDual', [u32(nK)], [GU, Sl, this.Nu], nK),
        ...applyGt(ctx, g, data, Sl, this.GtS),
        ...applyGt(ctx, g, data, this.Nu, this.GtNu),
      );
    } else {
      after.push(...forwardProduct(ctx, { X: data.X, n, d, U: this.U, K, D: data.D, P, out: Z, epilogue: 'plain' }));
    }
    after.push(combine(ctx, g, 1, Z, data.D, Fu, this.admm, dummy));
    after.push(...applyF(ctx, g, data, this.V, R, Fv, this.admm, dummy));

    const Gdk = reductionGroups(dK);
    const pdk = buf(Gdk * 5 * 4, 'partials dk');
    after.push(
      gridDispatch(ctx, 'metricsDk', [u32(dK), u32(relu ? 1 : 0), u32(Gdk)], [this.U, this.V, this.Vprev, this.Lam, this.GtS, this.GtSprev, this.GtNu, pdk], [Gdk, 1, 1]),
      finalize(ctx, pdk, Gdk, 5, this.status, ST.dk),
    );
    const Gnk = reductionGroups(nK);
    const pnk = buf(Gnk * 5 * 4, 'partials nk');
    after.push(
      gridDispatch(ctx, 'metricsNk', [u32(nK), u32(relu ? 1 : 0), u32(Gnk)], [GU, Sl, Z, pnk], [Gnk, 1, 1]),
      finalize(ctx, pnk, Gnk, 5, this.status, ST.nk, 0b11000),
    );
    const fit = (F: GPUBuffer, T: GPUBuffer, rows: number, dst: number): Dispatch[] => {
      const G = reductionGroups(rows);
      const part = buf(G * 2 * 4, 'partials fit');
      return [
        gridDispatch(ctx, 'metricsNc', [u32(rows), u32(C), u32(G)], [F, T, part], [G, 1, 1]),
        finalize(ctx, part, G, 2, this.status, dst),
      ];
    };
    after.push(...fit(Fu, Y, n, ST.fit), ...fit(Fv, Y, n, ST.fitV));

    this.testRows = test?.n ?? 0;
    if (test && test.n > 0) {
      // Recovered-network predictions via positive homogeneity (spec §6.1–6.2):
      // relu(X W1) w2 = Σ_i relu(X u_i) − relu(X w_i); gated nets use the training gates.
      const Xt = up(test.X, 'Xtest');
      const tg: Geometry = { ...g, n: test.n };
      // ReLU predictions never read D (the relu epilogue masks), but the binding must not alias `dummy`.
      const Dt = relu ? data.D : up(activationPatterns(test.X, test.n, d, problem.gates, P), 'Dtest');
      const Yt = up(signTargets(test.labels, C === 1 ? 2 : C).Y, 'Ytest');
      const Zt = buf(test.n * K * 4, 'Ztest');
      const Ft = buf(test.n * C * 4, 'Ftest');
      after.push(
        ...forwardProduct(ctx, { X: Xt, n: test.n, d, U: this.U, K, D: Dt, P, out: Zt, epilogue: relu ? 'relu' : 'gate' }),
        combine(ctx, tg, 2, Zt, Dt, Ft, this.admm, dummy),
        ...fit(Ft, Yt, test.n, ST.test),
      );
    }
    this.stepDispatches = { rhsAndPcgInit, pcgIter: this.pcg.iteration, after };

    const enc = ctx.device.createCommandEncoder();
    const pass = enc.beginComputePass();
    encodeDispatches(pass, setup);
    pass.end();
    ctx.device.queue.submit([enc.finish()]);
  }

  /** Allocates the solver on `ctx`, uploads the problem and builds the first preconditioner. */
  static async create(ctx: GpuContext, problem: Problem, config: SolverConfig, test?: TestSet): Promise<GpuSolver> {
    const plan = gpuMemoryPlan(problem, config, test?.n ?? 0);
    const lim = ctx.adapter.maxStorageBufferBindingSize;
    if (plan.largestBinding > lim) {
      throw new Error(
        `The problem needs a ${mib(plan.largestBinding)} GPU buffer but this adapter allows at most ${mib(lim)} per binding ` +
          `(n=${problem.n}, d=${problem.d}, K=${problem.K}, rank=${config.rank}). Use fewer rows, a smaller P or rank, or --device cpu.`,
      );
    }
    const solver = new GpuSolver(ctx, problem, config, test);
    await solver.precond.rebuild(solver.rho, solver.admm);
    return solver;
  }

  private writeAdmmUniform(pcgTol: number): void {
    const data = new Float32Array([this.rho, this.problem.beta / this.rho, pcgTol, 0]);
    this.ctx.device.queue.writeBuffer(this.admm, 0, data);
  }

  /** One ADMM iteration (spec §4.2): one submission, one status read-back. */
  async step(): Promise<IterationMetrics> {
    const t0 = performance.now();
    const rho = this.rho;
    this.writeAdmmUniform(pcgTolerance(this.config, this.k));
    const enc = this.ctx.device.createCommandEncoder({ label: `admm step ${this.k}` });
    enc.copyBufferToBuffer(this.V, 0, this.Vprev, 0, this.V.size);
    enc.copyBufferToBuffer(this.GtS, 0, this.GtSprev, 0, this.GtS.size);
    if (!this.config.warmStart) enc.clearBuffer(this.U);
    const pass = enc.beginComputePass();
    encodeDispatches(pass, this.stepDispatches.rhsAndPcgInit);
    for (let t = 0; t < this.config.pcgIters; t++) encodeDispatches(pass, this.stepDispatches.pcgIter);
    encodeDispatches(pass, this.stepDispatches.after);
    pass.end();
    const C = this.problem.C;
    enc.copyBufferToBuffer(this.status, 0, this.staging, 0, ST.size * 4);
    enc.copyBufferToBuffer(this.colnorm, 0, this.staging, ST.size * 4, 2 * this.K * 4);
    enc.copyBufferToBuffer(this.pcg.state, 0, this.staging, (ST.size + 2 * this.K) * 4, PCG_STATE_FLOATS * C * 4);
    this.ctx.device.queue.submit([enc.finish()]);
    await this.staging.mapAsync(GPUMapMode.READ);
    const st = Float64Array.from(new Float32Array(this.staging.getMappedRange().slice(0)));
    this.staging.unmap();
    throwIfGpuFailed(this.ctx);
    this.k++;
    const m = this.metricsFrom(st, rho, performance.now() - t0);
    if (this.config.adaptiveRho && !m.converged) await this.balanceRho(m);
    m.timeMs = performance.now() - t0;
    return m;
  }

  private metricsFrom(st: Float64Array, rho: number, timeMs: number): IterationMetrics {
    const { n, d, C, beta } = this.problem;
    const K = this.K;
    const relu = this.problem.model === 'relu';
    const tol = this.config.tol;
    const [uv2, uu, vv, dual2, lamg2] = st.subarray(ST.dk, ST.dk + 5);
    const [gus2, gugu, ss, viol, maxAbs] = st.subarray(ST.nk, ST.nk + 5);
    const col = st.subarray(ST.size, ST.size + 2 * K);
    let sumU = 0;
    let sumV = 0;
    let active = 0;
    for (let j = 0; j < K; j++) {
      sumU += col[2 * j];
      sumV += col[2 * j + 1];
      if (col[2 * j + 1] > 0) active++;
    }
    let pcgIterations = 0;
    let pcgResidual = 0;
    const pcgBase = ST.size + 2 * K;
    for (let c = 0; c < C; c++) {
      pcgIterations = Math.max(pcgIterations, st[pcgBase + c * PCG_STATE_FLOATS + 6]);
      pcgResidual = Math.max(pcgResidual, st[pcgBase + c * PCG_STATE_FLOATS + 7]);
    }
    const primal = Math.sqrt(uv2 + (relu ? gus2 : 0));
    const dual = rho * Math.sqrt(dual2);
    const epsPrimal = tol * Math.sqrt(d * K + (relu ? n * K : 0)) + tol * Math.max(Math.sqrt(uu + (relu ? gugu : 0)), Math.sqrt(vv + (relu ? ss : 0)));
    const epsDual = tol * Math.sqrt(d * K) + tol * rho * Math.sqrt(lamg2);
    const loss = st[ST.fit] / 2;
    const penalty = beta * sumU;
    return {
      iter: this.k,
      objective: loss + penalty,
      loss,
      penalty,
      objectiveV: st[ST.fitV] / 2 + beta * sumV,
      primalResidual: primal,
      dualResidual: dual,
      epsPrimal,
      epsDual,
      coneViolation: relu ? Math.max(0, viol) : 0,
      maxAbsXU: maxAbs,
      trainAccuracy: st[ST.fit + 1] / n,
      testAccuracy: this.testRows > 0 ? st[ST.test + 1] / this.testRows : NaN,
      trainMse: st[ST.fit] / (n * C),
      pcgIterations,
      pcgResidual,
      rho,
      activeNeurons: active,
      timeMs,
      converged: primal <= epsPrimal && dual <= epsDual,
    };
  }

  /** Residual balancing (spec §4.5): ρ ← 2ρ or ρ/2, scaled duals ← inverse factor, new preconditioner. */
  private async balanceRho(m: IterationMetrics): Promise<void> {
    let f = 1;
    if (m.primalResidual > BALANCE_RATIO * m.dualResidual) f = BALANCE_FACTOR;
    else if (m.dualResidual > BALANCE_RATIO * m.primalResidual) f = 1 / BALANCE_FACTOR;
    if (f === 1) return;
    this.rho *= f;
    const { ctx } = this;
    const dK = this.problem.d * this.K;
    // axpby with a = 0 never reads x, so the placeholder stands in for it (binding the target
    // twice, read-only and writable, would be invalid).
    const scale = (b: GPUBuffer, count: number): Dispatch => axpby(ctx, this.placeholder, b, 0, 1 / f, count);
    const list = [scale(this.Lam, dK), scale(this.GtNu, dK)];
    if (this.problem.model === 'relu') list.push(scale(this.Nu, this.problem.n * this.K));
    runDispatches(ctx, list);
    this.writeAdmmUniform(pcgTolerance(this.config, this.k));
    await this.precond.rebuild(this.rho, this.admm);
  }

  /** Reads back (u, v) as float64. */
  async solution(): Promise<ConvexSolution> {
    const count = this.problem.d * this.K;
    const [U, V] = await Promise.all([readF32(this.ctx, this.U, count), readF32(this.ctx, this.V, count)]);
    return { U: Float64Array.from(U), V: Float64Array.from(V) };
  }

  /** Frees every GPU buffer of this solver (not the context). */
  dispose(): void {
    this.precond.destroy();
    this.pcg.destroy();
    for (const b of this.bufs) b.destroy();
    this.bufs.length = 0;
  }
}

function mib(bytes: number): string {
  return `${(bytes / 2 ** 20).toFixed(1)} MiB`;
}
