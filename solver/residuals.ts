/**
 * ADMM residuals, stopping rule and residual balancing (spec §4.4, §4.5), shared by the CPU and
 * GPU solvers so that both report exactly the same metrics from the same sums.
 */
import type { IterationMetrics, Problem, SolverConfig } from './types';

/** The reductions of one ADMM step (squared norms are sums of squares over all classes). */
export interface StepSums {
  /** ‖u − v‖². */
  sqUminusV: number;
  /** ‖u‖², ‖v‖². */
  sqU: number;
  sqV: number;
  /** ‖(v − v_prev) + Gᵀ(s − s_prev)‖² (gated: ‖v − v_prev‖²). */
  sqDual: number;
  /** ‖λ + Gᵀν‖² after the dual update (gated: ‖λ‖²). */
  sqDualScale: number;
  /** ‖Gu − s‖², ‖Gu‖², ‖s‖² (0 for gated). */
  sqGuMinusS: number;
  sqGu: number;
  sqS: number;
  /** max(−Gu) over all entries (≤ 0 means feasible). */
  maxNegGu: number;
  /** max |X u|. */
  maxAbsXU: number;
  /** ‖Fu − Y‖² and ‖Fv − Y‖². */
  sqLoss: number;
  /** ⟨Fu − Y, Y⟩. */
  residualDotY: number;
  /** max over columns g of ‖(Fᵀ(Fu − Y) + ρGᵀν)_g‖ (gated: ‖(Fᵀ(Fu − Y))_g‖). */
  maxDualColumnNorm: number;
  sqLossV: number;
  /** Σ over columns of ‖u_col‖ and ‖v_col‖. */
  sumNormU: number;
  sumNormV: number;
  activeNeurons: number;
  trainAccuracy: number;
  testAccuracy: number;
  /** ‖F_test − Y_test‖² of the recovered network on the test rows (NaN without a test set). */
  sqLossTest: number;
  pcgIterations: number;
  pcgResidual: number;
}

/**
 * Dual lower bound on f* (weak duality). The dual of the convex program (spec §1.2) is
 *   max_{z, μ ≥ 0}  −½‖z‖² − ⟨z, y⟩   s.t.  ‖(Fᵀz − Gᵀμ)_g‖ ≤ β for every column g.
 * ADMM's iterate gives z = Fu − y and μ = −ρν ≥ 0 (ν ≤ 0 by construction), which satisfy the
 * constraint at the optimum (u-stationarity Fᵀz + ρGᵀν = −ρλ and ‖ρλ_g‖ ≤ β); scaling both by
 * t = min(1, β / max_g‖(Fᵀz + ρGᵀν)_g‖) makes them dual feasible at every iterate.
 */
export function dualLowerBound(beta: number, sqLoss: number, residualDotY: number, maxDualColumnNorm: number): number {
  const t = maxDualColumnNorm > beta ? beta / maxDualColumnNorm : 1;
  return -0.5 * t * t * sqLoss - t * residualDotY;
}

/** Constants that turn the fit sums into MSE and R² (spec §6.3; regression in the target's units). */
export interface FitScale {
  regression: boolean;
  /** targetStd² for regression, else 1. */
  unit2: number;
  /** Σ(Y − mean Y)² on the training and test rows, in the solver's (standardised) units. */
  sst: number;
  sstTest: number;
  testRows: number;
}

/** {@link FitScale} of a problem and its test targets (in the solver's space, see problem.testTargets). */
export function fitScale(problem: Pick<Problem, 'Y' | 'task' | 'targetStd'>, testY: Float64Array | null): FitScale {
  const sst = (y: Float64Array): number => {
    let m = 0;
    for (const v of y) m += v;
    m /= Math.max(1, y.length);
    let s = 0;
    for (const v of y) s += (v - m) ** 2;
    return s;
  };
  const regression = problem.task === 'regression';
  return {
    regression,
    unit2: regression ? (problem.targetStd ?? 1) ** 2 : 1,
    sst: sst(problem.Y),
    sstTest: testY ? sst(testY) : NaN,
    testRows: testY ? testY.length : 0,
  };
}

/** Residual-balancing trigger: ρ changes when one residual exceeds the other by this ratio. */
export const RHO_BALANCE_RATIO = 10;
/** Residual-balancing step: ρ is multiplied or divided by this factor. */
export const RHO_BALANCE_FACTOR = 2;

/** Metrics of one ADMM step from its sums (spec §4.4 residuals and thresholds, §6.3 fit). */
export function stepMetrics(
  problem: Pick<Problem, 'n' | 'd' | 'C' | 'K' | 'beta' | 'model'>,
  config: Pick<SolverConfig, 'tol'>,
  s: StepSums,
  fit: FitScale,
  rho: number,
  iter: number,
  timeMs: number,
): IterationMetrics {
  const { n, d, C, K, beta } = problem;
  const relu = problem.model === 'relu';
  const dk = d * K;
  const nk = relu ? n * K : 0;
  const tol = config.tol;
  const primalResidual = Math.sqrt(s.sqUminusV + s.sqGuMinusS);
  const dualResidual = rho * Math.sqrt(s.sqDual);
  const epsPrimal = tol * Math.sqrt(dk + nk) + tol * Math.max(Math.sqrt(s.sqU + s.sqGu), Math.sqrt(s.sqV + s.sqS));
  const epsDual = tol * Math.sqrt(dk) + tol * rho * Math.sqrt(s.sqDualScale);
  const loss = s.sqLoss / 2;
  const penalty = beta * s.sumNormU;
  return {
    iter,
    objective: loss + penalty,
    loss,
    penalty,
    objectiveV: s.sqLossV / 2 + beta * s.sumNormV,
    dualObjective: dualLowerBound(beta, s.sqLoss, s.residualDotY, s.maxDualColumnNorm),
    primalResidual,
    dualResidual,
    epsPrimal,
    epsDual,
    coneViolation: relu ? Math.max(0, s.maxNegGu) : 0,
    maxAbsXU: s.maxAbsXU,
    trainAccuracy: fit.regression ? NaN : s.trainAccuracy,
    testAccuracy: fit.regression ? NaN : s.testAccuracy,
    trainMse: (fit.unit2 * s.sqLoss) / (n * C),
    testMse: fit.testRows > 0 ? (fit.unit2 * s.sqLossTest) / fit.testRows : NaN,
    trainR2: fit.regression ? 1 - s.sqLoss / fit.sst : NaN,
    testR2: fit.regression && fit.testRows > 0 ? 1 - s.sqLossTest / fit.sstTest : NaN,
    pcgIterations: s.pcgIterations,
    pcgResidual: s.pcgResidual,
    rho,
    activeNeurons: s.activeNeurons,
    timeMs,
    converged: primalResidual <= epsPrimal && dualResidual <= epsDual,
  };
}

/** Residual balancing (spec §4.5): the factor for ρ (2, ½ or 1 for no change). */
export function rhoBalanceFactor(m: Pick<IterationMetrics, 'primalResidual' | 'dualResidual'>): number {
  if (m.primalResidual > RHO_BALANCE_RATIO * m.dualResidual) return RHO_BALANCE_FACTOR;
  if (m.dualResidual > RHO_BALANCE_RATIO * m.primalResidual) return 1 / RHO_BALANCE_FACTOR;
  return 1;
}
