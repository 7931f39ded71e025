/**
 * Float64 CPU reference of CRONOS (spec §4.2 / §4.6): ADMM with a Nyström-preconditioned CG
 * u-solve, all C one-vs-all classes in one batched d×K state. It is the test oracle of the WebGPU
 * solver and the fallback solver of browsers without WebGPU.
 */
import { activationPatterns, testTargets } from '../problem';
import type { CronosSolver, TestSet } from '../solver';
import { pcgTolerance, type ConvexSolution, type IterationMetrics, type Problem, type SolverConfig } from '../types';
import { cholesky, choleskySolve, identity, matmul, maxAbs } from '../linalg';
import { batchToFlat, blockToFlat, flatToBatch, flatToBlock } from '../layout';
import { nystromApplyCoeffs, nystromCoefficients, nystromFromSketch, orthonormalTestMatrix } from '../nystrom-core';
import type { NystromFactor } from '../nystrom-core';
import { accuracyFromTargets } from '../recovery';
import { fitScale, rhoBalanceFactor, stepMetrics, type FitScale, type StepSums } from '../residuals';
import { CronosOperators } from './operators';
import { pcg } from './pcg';
import type { BatchedPreconditioner, BlockShape } from './pcg';

/** Options that are not part of the shared {@link SolverConfig}. */
export interface CpuSolverOptions {
  /** Solve the u-system exactly with a dense Cholesky of A (tests only: forms N×N, N = S·d·P). */
  exactSolve?: boolean;
}

/** The Nyström sketch kept for the whole run: Y(ρ) = A(ρ)Ω = YI + YF/ρ, so a new ρ needs no new matvecs. */
interface Sketch {
  Omega: Float64Array;
  /** (I + GᵀG)Ω, N×r flat. */
  YI: Float64Array;
  /** FᵀFΩ, N×r flat. */
  YF: Float64Array;
}

/** Dense A = AI + AF/ρ for the exact solve (N×N each). */
interface DenseSystem {
  AI: Float64Array;
  AF: Float64Array;
  L: Float64Array;
}

/** The test set plus what evaluating it every step needs. */
interface TestBuffers extends TestSet {
  /** Gated only: 1[X_t g_i ≥ 0] with the training gates (spec §6.2). */
  Dt: Uint8Array | null;
  /** n_t×K: X_t·u. */
  Zt: Float64Array;
  /** n_t×C network outputs. */
  scores: Float64Array;
  /** n_t×C targets in the solver's space (problem.testTargets). */
  Yt: Float64Array;
}

/**
 * CRONOS on the CPU in float64; see the {@link CronosSolver} contract. The objective (β, P, model,
 * data) comes from the {@link Problem}; `config.beta` and `config.P` are not read, so a config shared
 * with another problem cannot silently change it. The Nyström rank is clamped to N = S·d·P.
 */
export class CpuSolver implements CronosSolver {
  readonly device = 'cpu' as const;
  readonly problem: Problem;
  readonly config: SolverConfig;

  private readonly ops: CronosOperators;
  private readonly exact: boolean;
  private readonly relu: boolean;
  /** Flat per-class dimension N = S·d·P. */
  private readonly N: number;
  private readonly rank: number;
  private readonly shape: BlockShape;
  private rho: number;
  private k = 0;

  // d×K state and work arrays.
  private readonly U: Float64Array;
  private readonly V: Float64Array;
  private readonly Lam: Float64Array;
  private readonly Vprev: Float64Array;
  private readonly rhs: Float64Array;
  private readonly FtY: Float64Array;
  private readonly GTs: Float64Array;
  private readonly GTsPrev: Float64Array;
  private readonly GTnu: Float64Array;
  // n×K (ReLU slacks and duals; Z holds X·u and then G·u).
  private readonly Z: Float64Array;
  private readonly S: Float64Array;
  private readonly Nu: Float64Array;
  private readonly work: Float64Array;
  // n×C outputs.
  private readonly Fu: Float64Array;
  private readonly Fv: Float64Array;
  private readonly colSq: Float64Array;

  private readonly sketch: Sketch | null = null;
  private factor: NystromFactor | null = null;
  private coeffs: Float64Array = new Float64Array(0);
  private readonly flatX: Float64Array;
  private readonly flatWork: Float64Array;
  private dense: DenseSystem | null = null;

  private readonly test: TestBuffers | null;
  private readonly fit: FitScale;

  constructor(problem: Problem, config: SolverConfig, test?: TestSet, opts: CpuSolverOptions = {}) {
    if (config.model !== problem.model) throw new Error(`config.model ${config.model} ≠ problem.model ${problem.model}`);
    if (!(config.rho > 0 && Number.isFinite(config.rho))) throw new Error(`ρ must be a positive number (got ${config.rho})`);
    if (!(config.pcgIters >= 0)) throw new Error(`pcgIters must be ≥ 0 (got ${config.pcgIters})`);
    this.problem = problem;
    this.config = config;
    this.ops = new CronosOperators(problem);
    this.exact = opts.exactSolve ?? false;
    this.relu = problem.model === 'relu';
    const { n, d, P, S, C, K } = problem;
    this.N = S * d * P;
    this.rank = Math.max(0, Math.min(Math.floor(config.rank), this.N));
    this.shape = { rows: d, blocks: C, blockCols: S * P };
    this.rho = config.rho;

    const dk = d * K;
    this.U = new Float64Array(dk);
    this.V = new Float64Array(dk);
    this.Lam = new Float64Array(dk);
    this.Vprev = new Float64Array(dk);
    this.rhs = new Float64Array(dk);
    this.FtY = this.ops.applyFt(problem.Y, C, new Float64Array(dk));
    this.GTs = new Float64Array(this.relu ? dk : 0);
    this.GTsPrev = new Float64Array(this.relu ? dk : 0);
    this.GTnu = new Float64Array(this.relu ? dk : 0);
    this.Z = new Float64Array(n * K);
    this.S = new Float64Array(this.relu ? n * K : 0);
    this.Nu = new Float64Array(this.relu ? n * K : 0);
    this.work = new Float64Array(this.relu ? n * K : 0);
    this.Fu = new Float64Array(n * C);
    this.Fv = new Float64Array(n * C);
    this.colSq = new Float64Array(K);
    this.flatX = new Float64Array(this.N);
    this.flatWork = new Float64Array(Math.max(this.rank, 1));

    if (this.exact) {
      this.dense = this.buildDense();
    } else if (this.rank > 0) {
      this.sketch = this.buildSketch();
      this.rebuildPreconditioner();
    }

    if (test) {
      const Dt = this.relu ? null : activationPatterns(test.X, test.n, d, problem.gates, P);
      const Yt = testTargets(problem, test);
      this.test = { X: test.X, n: test.n, labels: test.labels, Dt, Zt: new Float64Array(test.n * K), scores: new Float64Array(test.n * C), Yt };
    } else {
      this.test = null;
    }
    this.fit = fitScale(problem, this.test?.Yt ?? null);
  }

  /** Ω and the ρ-independent parts of the sketch, from r batched matvecs (one GEMM pass with r·S·P columns). */
  private buildSketch(): Sketch {
    const { d, P, S } = this.problem;
    const r = this.rank;
    const Omega = orthonormalTestMatrix(this.N, r, this.config.seed);
    const OmegaB = flatToBatch(Omega, d, P, S, r);
    const len = OmegaB.length;
    const yI = new Float64Array(len);
    if (this.relu) this.ops.applyGtG(OmegaB, r, yI);
    for (let t = 0; t < len; t++) yI[t] += OmegaB[t];
    const yF = this.ops.applyFtF(OmegaB, r, new Float64Array(len));
    this.ops.release(r);
    return { Omega, YI: batchToFlat(yI, d, P, S, r), YF: batchToFlat(yF, d, P, S, r) };
  }

  /** Nyström factor of A(ρ) for the current ρ (same Ω), and the coefficients of M with μ = ρ. */
  private rebuildPreconditioner(): void {
    if (this.dense) {
      this.dense.L = this.factorDense(this.dense.AI, this.dense.AF);
      return;
    }
    if (!this.sketch) return;
    const { Omega, YI, YF } = this.sketch;
    const Y = new Float64Array(YI.length);
    for (let t = 0; t < Y.length; t++) Y[t] = YI[t] + YF[t] / this.rho;
    this.factor = nystromFromSketch(Omega, Y, this.N, this.rank);
    this.coeffs = nystromCoefficients(this.factor.lambda, this.rho);
  }

  /** Dense AI = I + GᵀG and AF = FᵀF of one class, by applying the batched operators to the N unit vectors. */
  private buildDense(): DenseSystem {
    const { d, P, S } = this.problem;
    const N = this.N;
    const E = flatToBatch(identity(N), d, P, S, N);
    const aI = new Float64Array(E.length);
    if (this.relu) this.ops.applyGtG(E, N, aI);
    for (let t = 0; t < aI.length; t++) aI[t] += E[t];
    const aF = this.ops.applyFtF(E, N, new Float64Array(E.length));
    this.ops.release(N);
    const AI = batchToFlat(aI, d, P, S, N);
    const AF = batchToFlat(aF, d, P, S, N);
    return { AI, AF, L: this.factorDense(AI, AF) };
  }

  private factorDense(AI: Float64Array, AF: Float64Array): Float64Array {
    const N = this.N;
    const A = new Float64Array(N * N);
    for (let i = 0; i < N; i++) {
      for (let j = 0; j < N; j++) {
        // Symmetrised: the operator products are symmetric only up to rounding.
        A[i * N + j] = 0.5 * (AI[i * N + j] + AI[j * N + i]) + (0.5 * (AF[i * N + j] + AF[j * N + i])) / this.rho;
      }
    }
    const L = cholesky(A, N);
    if (!L) throw new Error('A is not positive definite (cannot happen for A ⪰ I unless the data are not finite)');
    return L;
  }

  /** M applied per class in the flat order of the Nyström factor. */
  private readonly applyM: BatchedPreconditioner = (x, out, active) => {
    const { d, P, S, C } = this.problem;
    const factor = this.factor as NystromFactor;
    for (let b = 0; b < C; b++) {
      if (!active[b]) continue;
      blockToFlat(x, d, P, S, C, b, this.flatX);
      nystromApplyCoeffs(factor.U, this.coeffs, this.N, this.rank, this.flatX, this.flatX, this.flatWork);
      flatToBlock(this.flatX, d, P, S, C, b, out);
    }
  };

  /** One ADMM iteration (spec §4.2), metrics included. */
  async step(): Promise<IterationMetrics> {
    return this.stepSync();
  }

  /** Synchronous body of {@link step} (the CPU has nothing to await). */
  stepSync(): IterationMetrics {
    const t0 = performance.now();
    const { n, d, C, K, beta } = this.problem;
    const { U, V, Lam, Vprev, rhs, Z, S, Nu } = this;
    const relu = this.relu;
    const rho = this.rho;
    const dk = d * K;
    const nk = n * K;

    // b = Fᵀy/ρ + v − λ + Gᵀ(s − ν)
    for (let t = 0; t < dk; t++) rhs[t] = this.FtY[t] / rho + V[t] - Lam[t];
    if (relu) for (let t = 0; t < dk; t++) rhs[t] += this.GTs[t] - this.GTnu[t];

    let pcgIterations = 0;
    let pcgResidual = 0;
    if (this.dense) {
      const { d: dd, P, S: nS } = this.problem;
      for (let b = 0; b < C; b++) {
        blockToFlat(rhs, dd, P, nS, C, b, this.flatX);
        choleskySolve(this.dense.L, this.N, this.flatX);
        flatToBlock(this.flatX, dd, P, nS, C, b, U);
      }
    } else {
      const res = pcg(
        (x, out) => this.ops.applyA(x, C, rho, out),
        this.factor ? this.applyM : null,
        rhs,
        U,
        this.shape,
        { tol: pcgTolerance(this.config, this.k), maxIter: this.config.pcgIters, warmStart: this.config.warmStart },
      );
      for (let b = 0; b < C; b++) {
        pcgIterations = Math.max(pcgIterations, res.iterations[b]);
        pcgResidual = Math.max(pcgResidual, res.residualNorms[b]);
      }
    }

    // Z = X u; F u from it; then Z ← G u = E ∘ Z in place (|E ∘ Z| = |Z|, so max|Xu| survives).
    this.ops.applyX(U, K, Z);
    this.ops.fFromXU(Z, C, this.Fu);
    const maxAbsXU = maxAbs(Z);
    if (relu) this.ops.applySignsE(Z, C);

    // v = prox_{(β/ρ)‖·‖}(u + λ) per column, with the old λ.
    Vprev.set(V);
    const thr = beta / rho;
    const colSq = this.colSq;
    colSq.fill(0);
    for (let k = 0; k < d; k++) {
      for (let col = 0; col < K; col++) {
        const z = U[k * K + col] + Lam[k * K + col];
        colSq[col] += z * z;
      }
    }
    for (let col = 0; col < K; col++) {
      const nz = Math.sqrt(colSq[col]);
      colSq[col] = 1 - thr / Math.max(thr, nz);
    }
    for (let k = 0; k < d; k++) {
      for (let col = 0; col < K; col++) {
        const t = k * K + col;
        V[t] = colSq[col] * (U[t] + Lam[t]);
      }
    }

    // s = max(Gu + ν, 0) with the old ν; then the dual updates with the new v, s (γ = 1).
    let sqGuMinusS = 0;
    let sqGu = 0;
    let sqS = 0;
    let coneViolation = 0;
    if (relu) {
      for (let t = 0; t < nk; t++) {
        const gu = Z[t];
        const w = gu + Nu[t];
        const sv = Math.max(w, 0);
        S[t] = sv;
        // ν + (Gu − s) written as w − s = min(w, 0): exactly ≤ 0 and exactly 0 where s > 0.
        Nu[t] = w - sv;
        sqGuMinusS += (gu - sv) * (gu - sv);
        sqGu += gu * gu;
        sqS += sv * sv;
        if (-gu > coneViolation) coneViolation = -gu;
      }
    }
    let sqUminusV = 0;
    let sqU = 0;
    let sqV = 0;
    for (let t = 0; t < dk; t++) {
      const diff = U[t] - V[t];
      Lam[t] += diff;
      sqUminusV += diff * diff;
      sqU += U[t] * U[t];
      sqV += V[t] * V[t];
    }
    if (relu) {
      this.GTsPrev.set(this.GTs);
      this.ops.applyGt(S, C, this.GTs, this.work);
      this.ops.applyGt(Nu, C, this.GTnu, this.work);
    }

    // Residuals and stopping thresholds (spec §4.4).
    let sqDual = 0;
    let sqDualScale = 0;
    for (let t = 0; t < dk; t++) {
      const dv = V[t] - Vprev[t] + (relu ? this.GTs[t] - this.GTsPrev[t] : 0);
      sqDual += dv * dv;
      const y = Lam[t] + (relu ? this.GTnu[t] : 0);
      sqDualScale += y * y;
    }

    // Objectives at u and v.
    const Y = this.problem.Y;
    let sqLoss = 0;
    let residualDotY = 0;
    for (let t = 0; t < n * C; t++) {
      sqLoss += (this.Fu[t] - Y[t]) ** 2;
      residualDotY += (this.Fu[t] - Y[t]) * Y[t];
    }
    this.ops.applyF(V, C, this.Fv);
    let sqLossV = 0;
    for (let t = 0; t < n * C; t++) sqLossV += (this.Fv[t] - Y[t]) ** 2;

    // Exact zeros: the prox sets whole columns of v to 0, so no threshold is needed.
    let activeNeurons = 0;
    for (let col = 0; col < K; col++) {
      for (let k = 0; k < d; k++) {
        if (V[k * K + col] !== 0) {
          activeNeurons++;
          break;
        }
      }
    }

    const sums: StepSums = {
      sqUminusV, sqU, sqV, sqDual, sqDualScale, sqGuMinusS, sqGu, sqS,
      maxNegGu: coneViolation, maxAbsXU, sqLoss, sqLossV, residualDotY,
      maxDualColumnNorm: this.maxDualColumnNorm(rho),
      sumNormU: this.sumColumnNorms(U), sumNormV: this.sumColumnNorms(V), activeNeurons,
      trainAccuracy: accuracyFromTargets(this.Fu, n, C, Y), ...this.testFit(),
      pcgIterations, pcgResidual,
    };
    const metrics = stepMetrics(this.problem, this.config, sums, this.fit, rho, this.k + 1, 0);

    if (this.config.adaptiveRho) this.balanceRho(rhoBalanceFactor(metrics));
    this.k++;
    metrics.timeMs = performance.now() - t0;
    return metrics;
  }

  /** Residual balancing (spec §4.5): ρ ← factor·ρ, scaled duals by the inverse factor, new preconditioner. */
  private balanceRho(factor: number): void {
    if (factor === 1) return;
    this.rho *= factor;
    const inv = 1 / factor;
    for (let t = 0; t < this.Lam.length; t++) this.Lam[t] *= inv;
    for (let t = 0; t < this.Nu.length; t++) this.Nu[t] *= inv;
    for (let t = 0; t < this.GTnu.length; t++) this.GTnu[t] *= inv;
    this.rebuildPreconditioner();
  }

  /** max over columns of ‖Fᵀ(Fu − Y) + ρGᵀν‖ (see residuals.ts, dualLowerBound); uses `rhs` as work space. */
  private maxDualColumnNorm(rho: number): number {
    const { n, C, K, d } = this.problem;
    const z = new Float64Array(n * C);
    for (let t = 0; t < n * C; t++) z[t] = this.Fu[t] - this.problem.Y[t];
    const W = this.ops.applyFt(z, C, this.rhs);
    if (this.relu) for (let t = 0; t < d * K; t++) W[t] += rho * this.GTnu[t];
    let best = 0;
    for (let col = 0; col < K; col++) {
      let sq = 0;
      for (let k = 0; k < d; k++) sq += W[k * K + col] ** 2;
      best = Math.max(best, Math.sqrt(sq));
    }
    return best;
  }

  private sumColumnNorms(M: Float64Array): number {
    const { d, K } = this.problem;
    const sq = this.colSq;
    sq.fill(0);
    for (let k = 0; k < d; k++) {
      for (let col = 0; col < K; col++) sq[col] += M[k * K + col] * M[k * K + col];
    }
    let s = 0;
    for (let col = 0; col < K; col++) s += Math.sqrt(sq[col]);
    return s;
  }

  /** Test accuracy of the network recovered from u, evaluated without forming it (spec §6.2). */
  /** The recovered network on the test rows: accuracy and ‖F_t − Y_t‖² (NaN without a test set). */
  private testFit(): { testAccuracy: number; sqLossTest: number } {
    const test = this.test;
    if (!test) return { testAccuracy: NaN, sqLossTest: NaN };
    const { d, P, C, K } = this.problem;
    const nt = test.n;
    const Zt = test.Zt;
    matmul(test.X, this.U, nt, d, K, Zt);
    const scores = test.scores;
    for (let j = 0; j < nt; j++) {
      for (let c = 0; c < C; c++) {
        let acc = 0;
        if (this.relu) {
          const c0 = j * K + c * 2 * P;
          for (let i = 0; i < P; i++) acc += Math.max(Zt[c0 + i], 0) - Math.max(Zt[c0 + P + i], 0);
        } else {
          const c0 = j * K + c * P;
          const Dt = test.Dt as Uint8Array;
          for (let i = 0; i < P; i++) if (Dt[j * P + i]) acc += Zt[c0 + i];
        }
        scores[j * C + c] = acc;
      }
    }
    let sqLossTest = 0;
    for (let t = 0; t < nt * C; t++) sqLossTest += (scores[t] - test.Yt[t]) ** 2;
    return { testAccuracy: accuracyFromTargets(scores, nt, C, test.Yt), sqLossTest };
  }

  /** Copies of the current u and v. */
  async solution(): Promise<ConvexSolution> {
    return { U: Float64Array.from(this.U), V: Float64Array.from(this.V) };
  }

  /** Current ρ (changes with residual balancing). */
  currentRho(): number {
    return this.rho;
  }

  /**
   * Copies of the full ADMM state (scaled duals included) for KKT checks: λ (d×K), and for ReLU
   * the slack s and dual ν (n×K).
   */
  state(): { U: Float64Array; V: Float64Array; lambda: Float64Array; s: Float64Array; nu: Float64Array; rho: number } {
    return {
      U: Float64Array.from(this.U),
      V: Float64Array.from(this.V),
      lambda: Float64Array.from(this.Lam),
      s: Float64Array.from(this.S),
      nu: Float64Array.from(this.Nu),
      rho: this.rho,
    };
  }

  /** Nothing to free on the CPU. */
  dispose(): void {}
}
