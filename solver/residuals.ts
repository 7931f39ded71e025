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
  /** max over columns g of min_{c ≥ 0} ‖(Fᵀ(Fu − Y) + c·ρGᵀν)_g‖ (gated: ‖(Fᵀ(Fu − Y))_g‖); see dualLowerBound. */
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
 * Dual lower bound on f* (weak duality, spec §4.4). The dual of the convex program (spec §1.2) is
 *   max_{z, μ ≥ 0}  −½‖z‖² − ⟨z, y⟩   s.t.  ‖(Fᵀz − Gᵀμ)_g‖ ≤ β for every column g.
 * The iterate gives the direction z₀ = Fu − y and the multiplier μ₀ = −ρν ≥ 0 (ν ≤ 0 by
 * construction); at the optimum they are dual optimal (u-stationarity Fᵀz₀ + ρGᵀν = −ρλ and
 * ‖ρλ_g‖ ≤ β). Away from it they are not feasible, so the point used is
 *   z = t·z₀,   μ_g = t·c_g·μ₀_g,
 * with two closed-form choices that can only raise the bound:
 * - per column, c_g = argmin_{c ≥ 0} ‖a_g + c·b_g‖ (a = Fᵀz₀, b = ρGᵀν; {@link coneMultiplierScale}):
 *   the cone constraints are separate per column, so each column's multiplier scales on its own
 *   (c = 1 is the raw iterate, so this never does worse); the backends report m = max_g of that
 *   norm as `maxDualColumnNorm`;
 * - t maximises the concave −½t²‖z₀‖² − t⟨z₀, y⟩ on the feasible interval [0, β/m]:
 *   t = clamp(−⟨z₀, y⟩/‖z₀‖², 0, β/m).
 * Any t in [0, β/m] is feasible, so the result is a valid lower bound at every iterate.
 */
export function dualLowerBound(beta: number, sqLoss: number, residualDotY: number, maxDualColumnNorm: number): number {
  if (!(sqLoss > 0)) return 0;
  const tMax = maxDualColumnNorm > 0 ? beta / maxDualColumnNorm : Infinity;
  const t = Math.min(Math.max(-residualDotY / sqLoss, 0), tMax);
  return t > 0 ? -0.5 * t * t * sqLoss - t * residualDotY : 0;
}

/**
 * c = argmin_{c ≥ 0} ‖a + c·b‖ = max(0, −⟨a, b⟩/‖b‖²) from ⟨a, b⟩ and ‖b‖² (0 when b = 0): the
 * best scaling of one column's cone multiplier in the dual point of {@link dualLowerBound}.
 */
export function coneMultiplierScale(ab: number, bb: number): number {
  return bb > 0 && ab < 0 ? -ab / bb : 0;
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

/**
 * Floor of the scale the cone violation is measured against in the gap stopping rule: the targets
 * are ±1 or standardised, so outputs of order 1 are the natural unit; without a floor a solution
 * pruned to u ≈ 0 (large β) would have to be feasible to a vanishing scale.
 */
export const OUTPUT_SCALE_FLOOR = 1;

/**
 * The gap rule's cone tolerance as a fraction of tol: an infeasible u can have f(u) below f*,
 * which the certificate (an upper bound on f − f*) does not see; at a violation of tol·scale that
 * deficit was up to ~1.3·tol on small problems, at 0.3·tol it stays below ~0.5·tol.
 */
export const CONE_TOL_FRACTION = 0.3;

/** Residual-balancing trigger: ρ changes when one residual exceeds the other by this ratio. */
export const RHO_BALANCE_RATIO = 10;
/** Residual-balancing step: ρ is multiplied or divided by this factor. */
export const RHO_BALANCE_FACTOR = 2;

/** Metrics of one ADMM step from its sums (spec §4.4 residuals and thresholds, §6.3 fit). */
export function stepMetrics(
  problem: Pick<Problem, 'n' | 'd' | 'C' | 'K' | 'beta' | 'model'>,
  config: Pick<SolverConfig, 'tol' | 'stopRule'>,
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
  const objective = loss + penalty;
  const dualObjective = dualLowerBound(beta, s.sqLoss, s.residualDotY, s.maxDualColumnNorm);
  const coneViolation = relu ? Math.max(0, s.maxNegGu) : 0;
  const converged =
    config.stopRule === 'gap'
      ? certifiedRelativeGap(objective, dualObjective) <= tol && coneViolation <= CONE_TOL_FRACTION * tol * Math.max(s.maxAbsXU, OUTPUT_SCALE_FLOOR)
      : primalResidual <= epsPrimal && dualResidual <= epsDual;
  return {
    iter,
    objective,
    loss,
    penalty,
    objectiveV: s.sqLossV / 2 + beta * s.sumNormV,
    dualObjective,
    primalResidual,
    dualResidual,
    epsPrimal,
    epsDual,
    coneViolation,
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
    converged,
  };
}

/**
 * The certified relative gap (f − dual bound)/f, clipped at 0 (spec §4.4): an upper bound on the
 * relative suboptimality (f − f*)/f* up to the factor f/f*, once u is feasible (cone violation ~0).
 * 0 when f = 0 (nothing left to gain).
 */
export function certifiedRelativeGap(objective: number, dualObjective: number): number {
  const gap = objective - dualObjective;
  if (!(gap > 0)) return Number.isNaN(gap) ? NaN : 0;
  return objective > 0 ? gap / objective : Infinity;
}

/** Residual balancing (spec §4.5): the factor for ρ (2, ½ or 1 for no change). */
export function rhoBalanceFactor(m: Pick<IterationMetrics, 'primalResidual' | 'dualResidual'>): number {
  if (m.primalResidual > RHO_BALANCE_RATIO * m.dualResidual) return RHO_BALANCE_FACTOR;
  if (m.dualResidual > RHO_BALANCE_RATIO * m.primalResidual) return 1 / RHO_BALANCE_FACTOR;
  return 1;
}
