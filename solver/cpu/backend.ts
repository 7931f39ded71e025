/**
 * The float64 CPU backend of the ADMM driver (solver/admm/driver.ts): all C one-vs-all classes in
 * one batched d×K state, a Nyström-preconditioned CG u-solve (or, for tests, an exact Cholesky
 * solve). It computes eagerly, and each step gathers its reductions where the data are at hand,
 * in exactly the operation order of the original CPU solver (share links replay bit for bit).
 *
 * ρ changes: the sketch is kept as Y(ρ) = AΩ = YI + YF/ρ with YI = (I + GᵀG)Ω and YF = FᵀFΩ, so
 * a new ρ needs no new matvecs, only the r-sized algebra (solver/nystrom-core.ts).
 */
import { WoodburySolve } from './woodbury';
import { activationPatterns, testTargets } from '../problem';
import type { TestSet } from '../solver';
import { initialRho, type ConvexSolution, type Problem, type SolverConfig } from '../types';
import { cholesky, choleskySolve, identity, matmul, maxAbs } from '../linalg';
import { batchToFlat, blockToFlat, flatToBatch, flatToBlock } from '../layout';
import { effectiveRank, nystromApplyCoeffs, nystromCoefficients, nystromFromSketch, orthonormalTestMatrix } from '../nystrom-core';
import type { NystromFactor } from '../nystrom-core';
import { accuracyFromTargets } from '../recovery';
import { coneMultiplierScale, type StepSums } from '../residuals';
import type { AdmmBackend, StateArrayName, StepScalars } from '../admm/backend';
import { blockFactor, blockSolve, exactSolveContext, resolvePreconditioner, type ResolvedPreconditioner } from '../preconditioner';
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

/** Sums of a step gathered before `metrics` (the rest are reduced there). */
type EagerSums = Pick<StepSums, 'pcgIterations' | 'pcgResidual' | 'maxAbsXU' | 'sqGuMinusS' | 'sqGu' | 'sqS' | 'maxNegGu' | 'sqUminusV' | 'sqU' | 'sqV'>;

/** The CPU half of CpuSolver (solver/cpu/admm.ts). */
export class CpuBackend implements AdmmBackend {
  private readonly ops: CronosOperators;
  private readonly relu: boolean;
  /** Flat per-class dimension N = S·d·P. */
  private readonly N: number;
  private readonly rank: number;
  private readonly shape: BlockShape;
  private scalars: StepScalars;

  // d×K state and work arrays.
  private readonly U: Float64Array;
  private readonly V: Float64Array;
  private readonly Lam: Float64Array;
  private readonly Vprev: Float64Array;
  private readonly rhsVec: Float64Array;
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
  /** n×C residual Fu − Y for the dual bound (kept, not allocated per step). */
  private readonly zres: Float64Array;
  private readonly colSq: Float64Array;
  /** Work array of the fixed-point variable ζ = (v + λ | s + ν) (d×K then n×K; Anderson acceleration). */
  private readonly zeta: Float64Array;

  /** The preconditioner in use (solver/preconditioner.ts; exact solves report theirs too). */
  readonly preconditioner: ResolvedPreconditioner;
  /** Block preconditioner: Cholesky factor of I + XᵀX (d×d), ρ-independent (spec §5.5). */
  private readonly blockL: Float64Array | null = null;
  private readonly blockWork: Float64Array;
  private readonly sketch: Sketch | null = null;
  private factor: NystromFactor | null = null;
  private coeffs: Float64Array = new Float64Array(0);
  private readonly flatX: Float64Array;
  private readonly flatWork: Float64Array;
  private dense: DenseSystem | null = null;
  /** The exact u-solve of small problems (preconditioner kind `exact`, spec §5.6). */
  private woodbury: WoodburySolve | null = null;

  private readonly test: TestBuffers | null;
  private eager: EagerSums;

  constructor(
    readonly problem: Problem,
    readonly config: SolverConfig,
    test: TestSet | undefined,
    opts: CpuSolverOptions,
  ) {
    this.ops = new CronosOperators(problem);
    this.relu = problem.model === 'relu';
    const { n, d, P, S, C, K } = problem;
    this.N = S * d * P;
    this.rank = effectiveRank(config.rank, this.N);
    this.shape = { rows: d, blocks: C, blockCols: S * P };
    this.scalars = { k: 0, rho: initialRho(config, problem.beta), pcgTol: 0, alpha: 1 };
    this.eager = emptyEager();

    const dk = d * K;
    this.U = new Float64Array(dk);
    this.V = new Float64Array(dk);
    this.Lam = new Float64Array(dk);
    this.Vprev = new Float64Array(dk);
    this.rhsVec = new Float64Array(dk);
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
    this.zres = new Float64Array(n * C);
    this.colSq = new Float64Array(K);
    this.zeta = new Float64Array(config.anderson > 0 ? dk + (this.relu ? n * K : 0) : 0);
    this.flatX = new Float64Array(this.N);
    this.flatWork = new Float64Array(Math.max(this.rank, 1));

    this.preconditioner = resolvePreconditioner(config, d, Infinity, opts.exactSolve ? undefined : exactSolveContext(config, problem, 'cpu'));
    this.blockWork = new Float64Array(d);
    if (opts.exactSolve) {
      this.dense = this.buildDense(initialRho(config, problem.beta));
    } else if (this.preconditioner.kind === 'exact') {
      this.woodbury = new WoodburySolve(problem, this.ops, initialRho(config, problem.beta));
    } else if (this.preconditioner.kind === 'block') {
      this.blockL = blockFactor(problem.X, n, d, this.ops.gramX);
    } else if (this.preconditioner.kind === 'nystrom') {
      this.sketch = this.buildSketch();
      this.factorAt(initialRho(config, problem.beta));
    }

    if (test) {
      const Dt = this.relu ? null : activationPatterns(test.X, test.n, d, problem.gates, P);
      const Yt = testTargets(problem, test);
      this.test = { X: test.X, n: test.n, labels: test.labels, Dt, Zt: new Float64Array(test.n * K), scores: new Float64Array(test.n * C), Yt };
    } else {
      this.test = null;
    }
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

  /** Nyström factor of A(ρ) (same Ω) and the coefficients of M with μ = ρ; or the exact Cholesky factor. */
  factorAt(rho: number): void {
    if (this.dense) {
      this.dense.L = this.factorDense(this.dense.AI, this.dense.AF, rho);
      return;
    }
    if (this.woodbury) {
      this.woodbury.factor(rho);
      return;
    }
    if (!this.sketch) return;
    const { Omega, YI, YF } = this.sketch;
    const Y = new Float64Array(YI.length);
    for (let t = 0; t < Y.length; t++) Y[t] = YI[t] + YF[t] / rho;
    this.factor = nystromFromSketch(Omega, Y, this.N, this.rank);
    this.coeffs = nystromCoefficients(this.factor.lambda, rho);
  }

  /** Dense AI = I + GᵀG and AF = FᵀF of one class, by applying the batched operators to the N unit vectors. */
  private buildDense(rho: number): DenseSystem {
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
    return { AI, AF, L: this.factorDense(AI, AF, rho) };
  }

  private factorDense(AI: Float64Array, AF: Float64Array, rho: number): Float64Array {
    const N = this.N;
    const A = new Float64Array(N * N);
    for (let i = 0; i < N; i++) {
      for (let j = 0; j < N; j++) {
        // Symmetrised: the operator products are symmetric only up to rounding.
        A[i * N + j] = 0.5 * (AI[i * N + j] + AI[j * N + i]) + (0.5 * (AF[i * N + j] + AF[j * N + i])) / rho;
      }
    }
    const L = cholesky(A, N);
    if (!L) throw new Error('A is not positive definite (cannot happen for A ⪰ I unless the data are not finite)');
    return L;
  }

  /** M = I ⊗ (I + XᵀX)⁻¹ on the columns of the active classes (spec §5.5). */
  private readonly applyBlock: BatchedPreconditioner = (x, out, active) => {
    const { d, S, P, K } = this.problem;
    const SP = S * P;
    blockSolve(this.blockL as Float64Array, d, x, K, out, this.blockWork, (c) => active[Math.floor(c / SP)] === 1);
  };

  /** The PCG preconditioner of the u-solve, or null for plain CG. */
  private preconditionerApply(): BatchedPreconditioner | null {
    if (this.blockL) return this.applyBlock;
    return this.factor ? this.applyM : null;
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

  /** Fixes ρ and the tolerance of the step; the CPU has nothing else to prepare. */
  beginStep(s: StepScalars): void {
    this.scalars = s;
    this.eager = emptyEager();
  }

  /** b = Fᵀy/ρ + v − λ + Gᵀ(s − ν). */
  rhs(): void {
    const { rhsVec, V, Lam, FtY } = this;
    const rho = this.scalars.rho;
    const dk = rhsVec.length;
    for (let t = 0; t < dk; t++) rhsVec[t] = FtY[t] / rho + V[t] - Lam[t];
    if (this.relu) for (let t = 0; t < dk; t++) rhsVec[t] += this.GTs[t] - this.GTnu[t];
  }

  /** u = PCG(A, b, M) (or the exact solve); records the worst class's iterations and residual. */
  uSolve(): void {
    const { C } = this.problem;
    const { U, rhsVec } = this;
    if (this.dense) {
      const { d, P, S } = this.problem;
      for (let b = 0; b < C; b++) {
        blockToFlat(rhsVec, d, P, S, C, b, this.flatX);
        choleskySolve(this.dense.L, this.N, this.flatX);
        flatToBlock(this.flatX, d, P, S, C, b, U);
      }
      return;
    }
    if (this.woodbury) {
      this.woodbury.solve(rhsVec, U);
      this.eager.pcgIterations = 0;
      this.eager.pcgResidual = 0;
      return;
    }
    const rho = this.scalars.rho;
    const res = pcg(
      (x, out) => this.ops.applyA(x, C, rho, out),
      this.preconditionerApply(),
      rhsVec,
      U,
      this.shape,
      { tol: this.scalars.pcgTol, maxIter: this.config.pcgIters, warmStart: this.config.warmStart },
    );
    let pcgIterations = 0;
    let pcgResidual = 0;
    for (let b = 0; b < C; b++) {
      pcgIterations = Math.max(pcgIterations, res.iterations[b]);
      pcgResidual = Math.max(pcgResidual, res.residualNorms[b]);
    }
    this.eager.pcgIterations = pcgIterations;
    this.eager.pcgResidual = pcgResidual;
  }

  /**
   * h = αu + (1 − α)v_old; v = prox_{(β/ρ)‖·‖}(h + λ) per column with the old λ; then
   * λ ← λ + (h − v) and ‖u − v‖², ‖u‖², ‖v‖². α = 1 runs the original operation order exactly
   * (old trajectories replay bit for bit).
   */
  vStep(): void {
    const { d, K } = this.problem;
    const { U, V, Lam, Vprev } = this;
    Vprev.set(V);
    const alpha = this.scalars.alpha;
    if (alpha === 1) {
      this.proxInto((t) => U[t] + Lam[t]);
      for (let t = 0; t < d * K; t++) Lam[t] += U[t] - V[t];
    } else {
      // rhsVec is free once the u-solve has read b.
      const zu = this.rhsVec;
      for (let t = 0; t < d * K; t++) zu[t] = alpha * U[t] + (1 - alpha) * Vprev[t] + Lam[t];
      this.proxInto((t) => zu[t]);
      for (let t = 0; t < d * K; t++) Lam[t] = zu[t] - V[t];
    }
    let sqUminusV = 0;
    let sqU = 0;
    let sqV = 0;
    for (let t = 0; t < d * K; t++) {
      const diff = U[t] - V[t];
      sqUminusV += diff * diff;
      sqU += U[t] * U[t];
      sqV += V[t] * V[t];
    }
    Object.assign(this.eager, { sqUminusV, sqU, sqV });
  }

  /** V = prox_{(β/ρ)‖·‖}(z) per column, z given element-wise (the group soft-threshold of spec §4.2). */
  private proxInto(z: (t: number) => number): void {
    const { d, K, beta } = this.problem;
    const V = this.V;
    const thr = beta / this.scalars.rho;
    const colSq = this.colSq;
    colSq.fill(0);
    for (let k = 0; k < d; k++) {
      for (let col = 0; col < K; col++) {
        const zt = z(k * K + col);
        colSq[col] += zt * zt;
      }
    }
    for (let col = 0; col < K; col++) {
      const nz = Math.sqrt(colSq[col]);
      colSq[col] = 1 - thr / Math.max(thr, nz);
    }
    for (let k = 0; k < d; k++) {
      for (let col = 0; col < K; col++) {
        const t = k * K + col;
        V[t] = colSq[col] * z(t);
      }
    }
  }

  /** Z = X u, F u and max|Xu|; ReLU: Gu = E ∘ Z in place, s = max(Gu + ν, 0), ν ← ν + Gu − s, Gᵀs, Gᵀν. */
  sStep(): void {
    const { C, K } = this.problem;
    const { U, Z, S, Nu } = this;
    this.ops.applyX(U, K, Z);
    this.ops.fFromXU(Z, C, this.Fu);
    // |E ∘ Z| = |Z|, so max|Xu| is taken before the signs are applied.
    this.eager.maxAbsXU = maxAbs(Z);
    if (!this.relu) return;
    this.ops.applySignsE(Z, C);
    let sqGuMinusS = 0;
    let sqGu = 0;
    let sqS = 0;
    let coneViolation = 0;
    const alpha = this.scalars.alpha;
    for (let t = 0; t < Z.length; t++) {
      const gu = Z[t];
      // α = 1: exactly the original w = Gu + ν.
      const w = alpha === 1 ? gu + Nu[t] : alpha * gu + (1 - alpha) * S[t] + Nu[t];
      const sv = Math.max(w, 0);
      S[t] = sv;
      // ν + (Gu − s) written as w − s = min(w, 0): exactly ≤ 0 and exactly 0 where s > 0.
      Nu[t] = w - sv;
      sqGuMinusS += (gu - sv) * (gu - sv);
      sqGu += gu * gu;
      sqS += sv * sv;
      if (-gu > coneViolation) coneViolation = -gu;
    }
    Object.assign(this.eager, { sqGuMinusS, sqGu, sqS, maxNegGu: coneViolation });
    this.GTsPrev.set(this.GTs);
    this.ops.applyGt(S, C, this.GTs, this.work);
    this.ops.applyGt(Nu, C, this.GTnu, this.work);
  }

  /** {@link metricsSync}, for the driver. */
  async metrics(): Promise<StepSums> {
    return this.metricsSync();
  }

  /** The remaining reductions: dual residual and scale, objectives at u and v, active neurons, fits. */
  metricsSync(): StepSums {
    const { n, d, C, K } = this.problem;
    const { V, Vprev, Lam } = this;
    const relu = this.relu;
    const dk = d * K;
    let sqDual = 0;
    let sqDualScale = 0;
    for (let t = 0; t < dk; t++) {
      const dv = V[t] - Vprev[t] + (relu ? this.GTs[t] - this.GTsPrev[t] : 0);
      sqDual += dv * dv;
      const y = Lam[t] + (relu ? this.GTnu[t] : 0);
      sqDualScale += y * y;
    }

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
    return {
      ...this.eager,
      sqDual,
      sqDualScale,
      sqLoss,
      sqLossV,
      residualDotY,
      maxDualColumnNorm: this.maxDualColumnNorm(this.scalars.rho),
      sumNormU: this.sumColumnNorms(this.U),
      sumNormV: this.sumColumnNorms(V),
      activeNeurons,
      trainAccuracy: accuracyFromTargets(this.Fu, n, C, Y),
      ...this.testFit(),
    };
  }

  /** λ, ν, Gᵀν ← λ/f, ν/f, Gᵀν/f. */
  rescaleDuals(f: number): void {
    const inv = 1 / f;
    for (let t = 0; t < this.Lam.length; t++) this.Lam[t] *= inv;
    for (let t = 0; t < this.Nu.length; t++) this.Nu[t] *= inv;
    for (let t = 0; t < this.GTnu.length; t++) this.GTnu[t] *= inv;
  }

  /** Refactors from the kept sketch Y(ρ) = YI + YF/ρ (no new matvecs); the block preconditioner is ρ-independent. */
  async rebuildPreconditioner(rho: number): Promise<void> {
    this.factorAt(rho);
  }

  /**
   * max over columns g of min_{c ≥ 0} ‖a_g + c·b_g‖ with a = Fᵀ(Fu − Y), b = ρGᵀν (gated: ‖a_g‖):
   * the dual point's column norms after the best scaling of its cone multiplier per column (spec
   * §4.4, residuals.ts dualLowerBound). Uses the rhs vector as work space.
   */
  private maxDualColumnNorm(rho: number): number {
    const { n, C, K, d } = this.problem;
    const z = this.zres;
    for (let t = 0; t < n * C; t++) z[t] = this.Fu[t] - this.problem.Y[t];
    const W = this.ops.applyFt(z, C, this.rhsVec);
    let best = 0;
    for (let col = 0; col < K; col++) {
      best = Math.max(best, this.relu ? bestConeScaledNorm(W, this.GTnu, rho, d, K, col) : columnNorm(W, d, K, col));
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

  /** The recovered network on the test rows, evaluated without forming it (spec §6.2): accuracy and ‖F_t − Y_t‖². */
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

  /** The live state arrays by name (ReLU adds s, ν, Gᵀs, Gᵀν). */
  private stateArrays(): Partial<Record<StateArrayName, Float64Array>> {
    const base = { u: this.U, v: this.V, lambda: this.Lam };
    return this.relu ? { ...base, s: this.S, nu: this.Nu, GtS: this.GTs, GtNu: this.GTnu } : base;
  }

  /** Lengths of the saved arrays. */
  stateLengths(): Partial<Record<StateArrayName, number>> {
    return Object.fromEntries(Object.entries(this.stateArrays()).map(([k, a]) => [k, a.length]));
  }

  /** Copies of the state arrays. */
  async readState(): Promise<Partial<Record<StateArrayName, Float64Array>>> {
    return this.readStateSync();
  }

  /** {@link readState} without a promise (CpuSolver.stepSync's ρ race). */
  readStateSync(): Partial<Record<StateArrayName, Float64Array>> {
    return Object.fromEntries(Object.entries(this.stateArrays()).map(([k, a]) => [k, Float64Array.from(a)]));
  }

  /** Copies `arrays` into the state (exact: float64 to float64). */
  async writeState(arrays: Partial<Record<StateArrayName, Float64Array>>): Promise<void> {
    this.writeStateSync(arrays);
  }

  /** {@link writeState} without a promise (CpuSolver.stepSync's ρ race). */
  writeStateSync(arrays: Partial<Record<StateArrayName, Float64Array>>): void {
    for (const [k, a] of Object.entries(this.stateArrays())) a.set(arrays[k as StateArrayName] as Float64Array);
  }

  /** Copies of the current u and v. */
  async solution(): Promise<ConvexSolution> {
    return { U: Float64Array.from(this.U), V: Float64Array.from(this.V) };
  }

  /** Copies of λ, s and ν for KKT checks (see CpuSolver.state). */
  duals(): { U: Float64Array; V: Float64Array; lambda: Float64Array; s: Float64Array; nu: Float64Array } {
    return {
      U: Float64Array.from(this.U),
      V: Float64Array.from(this.V),
      lambda: Float64Array.from(this.Lam),
      s: Float64Array.from(this.S),
      nu: Float64Array.from(this.Nu),
    };
  }

  /**
   * ζ = (h + λ_old | hs + ν_old) of the last step (see AdmmBackend.readFixedPoint), recovered as
   * (v + λ | s + ν): v = prox(ζ_u) and λ = ζ_u − v, s = max(ζ_s, 0) and ν = ζ_s − s. A view of a
   * work array, valid until the next call.
   */
  readFixedPoint(): Float64Array {
    const dk = this.U.length;
    const z = this.zeta;
    for (let t = 0; t < dk; t++) z[t] = this.V[t] + this.Lam[t];
    for (let t = 0; t < this.S.length; t++) z[dk + t] = this.S[t] + this.Nu[t];
    return z;
  }

  /** v = prox(ζ_u), λ = ζ_u − v, s = max(ζ_s, 0), ν = ζ_s − s, and Gᵀs, Gᵀν for the next b. */
  writeFixedPoint(zeta: Float64Array, rho: number): void {
    const { d, K, C } = this.problem;
    const dk = d * K;
    this.scalars = { ...this.scalars, rho };
    this.proxInto((t) => zeta[t]);
    for (let t = 0; t < dk; t++) this.Lam[t] = zeta[t] - this.V[t];
    if (!this.relu) return;
    for (let t = 0; t < this.S.length; t++) {
      const w = zeta[dk + t];
      const sv = Math.max(w, 0);
      this.S[t] = sv;
      this.Nu[t] = w - sv;
    }
    this.ops.applyGt(this.S, C, this.GTs, this.work);
    this.ops.applyGt(this.Nu, C, this.GTnu, this.work);
  }

  /** Nothing to free on the CPU. */
  dispose(): void {}
}

/** ‖M[:, col]‖ of a d×K row-major matrix. */
function columnNorm(M: Float64Array, d: number, K: number, col: number): number {
  let sq = 0;
  for (let k = 0; k < d; k++) sq += M[k * K + col] ** 2;
  return Math.sqrt(sq);
}

/**
 * min over c ≥ 0 of ‖a + c·b‖ for column `col` of a = W and b = ρ·GtNu (closed form
 * c = max(0, −⟨a, b⟩/‖b‖²), see residuals.ts coneMultiplierScale); the norm is recomputed at that
 * c rather than taken as ‖a‖² − ⟨a, b⟩²/‖b‖², which cancels catastrophically near the optimum.
 */
function bestConeScaledNorm(W: Float64Array, GtNu: Float64Array, rho: number, d: number, K: number, col: number): number {
  let ab = 0;
  let bb = 0;
  for (let k = 0; k < d; k++) {
    const b = rho * GtNu[k * K + col];
    ab += W[k * K + col] * b;
    bb += b * b;
  }
  const c = coneMultiplierScale(ab, bb);
  let sq = 0;
  for (let k = 0; k < d; k++) sq += (W[k * K + col] + c * rho * GtNu[k * K + col]) ** 2;
  return Math.sqrt(sq);
}

function emptyEager(): EagerSums {
  return { pcgIterations: 0, pcgResidual: 0, maxAbsXU: 0, sqGuMinusS: 0, sqGu: 0, sqS: 0, maxNegGu: 0, sqUminusV: 0, sqU: 0, sqV: 0 };
}
