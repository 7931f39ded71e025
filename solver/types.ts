/**
 * Shared types of the CRONOS solver (spec §1–§6). Both the float64 CPU reference and the
 * float32 WebGPU solver consume a {@link Problem} and produce {@link IterationMetrics}.
 *
 * Layout conventions (row-major everywhere):
 * - `X` is n×d. Labels become `Y`, n×C in ±1 (C = 1 for binary, one column per class otherwise).
 * - `D` is n×P (0/1), `E = 2D − 1`.
 * - The convex variables of all C one-vs-all problems form ONE d×K matrix, K = C·S·P, where S = 2 for
 *   ReLU (U⁺ then U⁻, i.e. the spec's u[0], u[1]) and S = 1 for gated ReLU. Column
 *   `(c·S + s)·P + i` holds neuron i of sign block s of class c (see {@link colIndex}).
 * - Slacks `s` and duals `nu` of the cone constraints are n×K with the same column order.
 * - Within one class the spec's flat vector of length N = S·d·P is indexed `s·dP + k·P + i`
 *   (official flattening); the Nyström factor uses that order.
 */

import { CRONOS_PARAMS, type CronosParams } from './methods/cronos/params';
import { defaultsOf } from './params/table';

/** ReLU (cone-constrained, spec §1.2) or gated ReLU (unconstrained, spec §1.3). */
export type ModelKind = 'relu' | 'gated';

/**
 * Classification (±1 one-vs-all targets, accuracy) or regression (one real target, the same
 * least-squares objective, MSE and R²).
 */
export type Task = 'classification' | 'regression';

/** Where the solver runs. */
export type DeviceKind = 'gpu' | 'cpu';

/** Hyperparameters of one CRONOS run. Names follow the spec. */
export interface SolverConfig {
  model: ModelKind;
  /** Number of sampled activation patterns (P_S). */
  P: number;
  /** Group-lasso weight β (unscaled loss, spec §1.2). */
  beta: number;
  /** ADMM penalty ρ (initial value when adaptive). */
  rho: number;
  /** Residual balancing (spec §4.5): ρ ×2 / ×0.5 when residuals differ by `rhoBalanceRatio`. */
  adaptiveRho: boolean;
  /** Nyström sketch rank r. */
  rank: number;
  /**
   * PCG preconditioner (spec §5.5): `auto` = block for ReLU where it fits, else Nyström of rank
   * `rank`; `nystrom` is the paper's (and what a share link without the field means).
   */
  preconditioner: 'auto' | 'block' | 'nystrom' | 'none';
  /** Maximum ADMM iterations. */
  admmIters: number;
  /** Maximum PCG iterations per ADMM step. */
  pcgIters: number;
  /** ε_abs = ε_rel of the stopping rule of spec §4.4. */
  tol: number;
  /** Seed of every random choice (gates, Nyström Ω). */
  seed: number;
  /**
   * Start PCG from the previous u instead of 0 (spec §4.3 "playground recommendation"; the
   * official code cold-starts). Saves PCG iterations late in the run.
   */
  warmStart: boolean;
  /**
   * Fixed absolute PCG tolerance instead of the schedule 1/(1+k)^1.2 of spec §4.3 (CRONOS-AM's
   * solver uses 1e-6; benchmarks use 0 to make every step do `pcgIters` iterations).
   */
  pcgTol?: number;
  /**
   * Over-relaxation α ∈ (0, 2) of the u-side of both constraints (spec §4.5): v and s are
   * computed from h = αu + (1 − α)v_old and αGu + (1 − α)s_old. 1 is plain ADMM.
   */
  alpha: number;
  /**
   * ρ rule (spec §4.5): the initial ρ is rhoBeta·β when rhoBeta > 0 and β > 0 (the best fixed ρ
   * scales with β, research-wave2 §3.1); 0 = `rho` as given.
   */
  rhoBeta: number;
  /**
   * ρ race (spec §4.5): iterations per candidate ρ ∈ β·{0.1, 0.3, 1, 3, 10} (ρ·{…} when β = 0)
   * before the run continues from the winner; 0 = off (ρ fixed at `rho`, or residual balancing).
   */
  rhoRace: number;
  /** Anderson acceleration memory (type II, safeguarded, spec §4.5); 0 is off. Both backends (the GPU's on the device). */
  anderson: number;
  /**
   * Stopping rule: `gap` = certified relative gap (f − dual bound)/f ≤ tol and cone violation
   * ≤ 0.3·tol·max(max|XU|, 1) (spec §4.4); `residuals` = the primal/dual residual thresholds.
   */
  stopRule: StopRule;
}

/** The stopping rules of spec §4.4. */
export type StopRule = 'gap' | 'residuals';

/** The initial ρ of a run: rhoBeta·β when both are positive, else `rho` (spec §4.5). */
export function initialRho(config: Pick<SolverConfig, 'rho' | 'rhoBeta'>, beta: number): number {
  return config.rhoBeta > 0 && beta > 0 ? config.rhoBeta * beta : config.rho;
}

/** The PCG tolerance of ADMM step k (0-based): `config.pcgTol` or the spec's 1/(1+k)^1.2. */
export function pcgTolerance(config: Pick<SolverConfig, 'pcgTol'>, k: number): number {
  return config.pcgTol ?? (1 + k) ** -1.2;
}

/**
 * Default hyperparameters (spec §4.7 "sensible playground defaults"), from the CRONOS parameter
 * table (solver/methods/cronos/params.ts), where the page's own defaults are declared too.
 */
export const DEFAULT_CONFIG: SolverConfig = defaultsOf(CRONOS_PARAMS);

/**
 * The behaviour before issue 9 (and of v1 share links that name none of its fields): plain ADMM,
 * no acceleration, the residual stopping rule, the Nyström preconditioner, and the old solver
 * defaults (ρ = 0.1, tol 1e-6, 50 iterations). Tests that pin trajectories of those settings start from it.
 */
export const LEGACY_CONFIG: SolverConfig = Object.freeze({
  // Written out, not derived from DEFAULT_CONFIG, so later default changes cannot move it.
  model: 'relu' as const,
  P: 32,
  beta: 1e-3,
  rho: 0.1,
  adaptiveRho: false,
  rank: 10,
  preconditioner: 'nystrom' as const,
  admmIters: 50,
  pcgIters: 20,
  tol: 1e-6,
  seed: 0,
  warmStart: true,
  alpha: 1,
  anderson: 0,
  rhoRace: 0,
  rhoBeta: 0,
  stopRule: 'residuals' as const,
});

/**
 * `--paper` and the page's "paper settings": the official CRONOS behaviour — fixed ρ = 0.1, no
 * over-relaxation or acceleration, the Nyström preconditioner of rank 10, PCG cold start, 20 PCG and 50 ADMM iterations
 * of the official examples, the residual stopping rule.
 */
export const PAPER_CONFIG: SolverConfig = Object.freeze({ ...LEGACY_CONFIG, rank: 10, pcgIters: 20, warmStart: false });

/** Compile-time proof that the table declares exactly SolverConfig's fields with its types. */
type Exactly<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const TABLE_IS_SOLVER_CONFIG: Exactly<CronosParams, SolverConfig> = true;
void TABLE_IS_SOLVER_CONFIG;

/** A labelled, preprocessed data matrix. */
export interface Dataset {
  /** n×d row-major features (already standardised). */
  X: Float64Array;
  n: number;
  d: number;
  /** Class index per row, 0..classNames.length−1. */
  labels: Int32Array;
  classNames: string[];
  featureNames: string[];
}

/** Everything both solvers need: data, ±1 targets, sampled gates and patterns. */
export interface Problem {
  model: ModelKind;
  n: number;
  d: number;
  P: number;
  /** Number of one-vs-all outputs (1 for binary problems). */
  C: number;
  /** S = 2 for ReLU (U⁺, U⁻), 1 for gated. */
  S: number;
  /** K = C·S·P, columns of the variable matrix. */
  K: number;
  beta: number;
  X: Float64Array;
  /** n×C targets: ±1 for classification; the standardised target for regression (C = 1). */
  Y: Float64Array;
  /** Absent means classification. */
  task?: Task;
  /** Regression: Y = (target − targetMean)/targetStd, so metrics can be reported in the target's units. */
  targetMean?: number;
  targetStd?: number;
  /** d×P Gaussian gate vectors (column i produces pattern i). */
  gates: Float64Array;
  /** n×P activation patterns D = 1[X·gates ≥ 0]. */
  D: Uint8Array;
}

/**
 * Metrics recorded after every ADMM iteration (spec §4.4, §6.3). A type alias rather than an
 * interface so it is a {@link MetricsRecord} (solver/trainer.ts) as it stands.
 */
export type IterationMetrics = {
  /** 1-based count of completed ADMM iterations. */
  iter: number;
  /** Convex objective f(u) = ½‖Fu − Y‖² + β Σ‖columns of u‖ (summed over classes). */
  objective: number;
  /** ½‖Fu − Y‖². */
  loss: number;
  /** β Σ‖u_i‖. */
  penalty: number;
  /** Same objective evaluated at the group-sparse iterate v (what the recovered net uses). */
  objectiveV: number;
  /**
   * A certified lower bound on the optimum f*: the dual objective at the dual-feasible point
   * built from this iterate (see solver/residuals.ts). objective − dualObjective bounds the
   * suboptimality once the cone violation is ~0.
   */
  dualObjective: number;
  primalResidual: number;
  dualResidual: number;
  /** Stopping thresholds ε_pri and ε_dual of spec §4.4. */
  epsPrimal: number;
  epsDual: number;
  /** max(0, −Gu)_∞ (0 for gated). */
  coneViolation: number;
  /** max|X U| over all entries, the scale of the cone violation. */
  maxAbsXU: number;
  /** Fraction in [0,1], of the convex model sign(Fu) (argmax for C > 1); NaN for regression. */
  trainAccuracy: number;
  /** Fraction in [0,1] of the recovered network on the test set; NaN without a test set. */
  testAccuracy: number;
  /** ‖Fu − Y‖²/(nC) (regression: in the target's units). */
  trainMse: number;
  /** The same on the test set (of the recovered network); NaN without a test set. */
  testMse: number;
  /** Regression: 1 − SSE/SST on the training and test sets; NaN for classification. */
  trainR2: number;
  testR2: number;
  /** PCG iterations this step (max over classes). */
  pcgIterations: number;
  /** Final PCG residual ‖r‖ (max over classes). */
  pcgResidual: number;
  /** ρ used in this step. */
  rho: number;
  /** Neurons with non-zero v (summed over classes and signs). */
  activeNeurons: number;
  /** Wall-clock milliseconds of this step (including the metrics read-back). */
  timeMs: number;
  /** The stopping rule of spec §4.4 holds. */
  converged: boolean;
};

/** The convex solution in the layout described at the top of this file. */
export interface ConvexSolution {
  /** d×K primal iterate u. */
  U: Float64Array;
  /** d×K group-sparse copy v = prox(u + λ). */
  V: Float64Array;
}

/** A plain two-layer network recovered from the convex solution (spec §6.1). */
export interface Network {
  model: ModelKind;
  d: number;
  /** Hidden width m. */
  m: number;
  /** Outputs C. */
  C: number;
  /** d×m first layer (columns = neurons). */
  W1: Float64Array;
  /** m×C second layer. */
  w2: Float64Array;
  /** For gated nets: d×m gate vectors of each hidden unit (prediction uses 1[x·g ≥ 0]). */
  gates?: Float64Array;
}

/** Column of neuron i, sign block s, class c in the d×K variable matrix. */
export function colIndex(p: Pick<Problem, 'S' | 'P'>, c: number, s: number, i: number): number {
  return (c * p.S + s) * p.P + i;
}
