/**
 * What a device must provide for the ADMM iteration of spec §4.2 (solver/admm/driver.ts). The
 * driver owns k, ρ, the PCG tolerance schedule, the metrics, residual balancing, the stopping
 * rule and divergence detection; a backend owns the vectors and does the arithmetic.
 *
 * Call order within one step: beginStep → rhs → uSolve → vStep → sStep → metrics. A GPU backend
 * may *record* rhs … sStep into one pending command encoder and submit it in `metrics`, which is
 * the step's only read-back; a CPU backend computes eagerly. Nothing between beginStep and
 * metrics may depend on a result being on the host.
 */
import type { ConvexSolution } from '../types';
import type { StepSums } from '../residuals';
import type { ResolvedPreconditioner } from '../preconditioner';

/** The scalars of one ADMM step, fixed by the driver before the step starts. */
export interface StepScalars {
  /** ADMM iteration index from 0 (spec §4.2's k). */
  k: number;
  /** Penalty ρ of this step. */
  rho: number;
  /** Absolute PCG tolerance of this step (pcgTolerance(config, k)). */
  pcgTol: number;
  /** Over-relaxation α of this step (1 = plain ADMM; spec §4.5). */
  alpha: number;
}

/**
 * Names of the arrays of a saved ADMM state, each flat in the solver's d×K or n×K layout
 * (solver/layout.ts): u, v, λ (d×K); ReLU only: s, ν (n×K) and Gᵀs, Gᵀν (d×K, kept rather than
 * recomputed so that a CPU save/load is exact).
 */
export type StateArrayName = 'u' | 'v' | 'lambda' | 's' | 'nu' | 'GtS' | 'GtNu';

/** The device half of a CRONOS solver (see the module comment for the call order). */
export interface AdmmBackend {
  /** Starts step `s.k` at penalty `s.rho` (GPU: ρ, β/ρ, tolerance uniform; v_prev ← v, Gᵀs_prev ← Gᵀs). */
  beginStep(s: StepScalars): void;
  /** b = Fᵀy/ρ + v − λ + Gᵀ(s − ν)   (gated: b = Fᵀy/ρ + v − λ). */
  rhs(): void;
  /** u = PCG(A, b, M) (block, Nyström or none: solver/preconditioner.ts) at the step's tolerance, cold or warm start as configured (exact solve on request). */
  uSolve(): void;
  /** h = αu + (1 − α)v_old; v = prox_{(β/ρ)‖·‖}(h + λ) per column (old λ), then λ ← λ + (h − v). */
  vStep(): void;
  /** Gu; hs = αGu + (1 − α)s_old; s = max(hs + ν, 0) (old ν); ν ← ν + (hs − s); Gᵀs and Gᵀν for the next b. Gated: X·u only. */
  sStep(): void;
  /** The reductions of the step just done (GPU: the submission and the one read-back). */
  metrics(): Promise<StepSums>;
  /** λ, ν, Gᵀν ← λ/f, ν/f, Gᵀν/f, so that ρλ and ρν stay put when ρ ← fρ (f = 2 or ½). */
  rescaleDuals(f: number): void;
  /** The preconditioner (or the exact factor) of A(ρ) = I + FᵀF/ρ + GᵀG at `rho`. */
  rebuildPreconditioner(rho: number): Promise<void>;
  /** Length of every state array this problem has (the keys are exactly the arrays saved). */
  stateLengths(): Partial<Record<StateArrayName, number>>;
  /** Copies of the state arrays, as float64. */
  readState(): Promise<Partial<Record<StateArrayName, Float64Array>>>;
  /** Overwrites the state arrays (lengths already validated by the driver). */
  writeState(arrays: Partial<Record<StateArrayName, Float64Array>>): Promise<void>;
  /** The current (u, v) as float64 copies. */
  solution(): Promise<ConvexSolution>;
  /** Frees device resources. */
  dispose(): void;
  /**
   * Anderson acceleration (optional; a backend without it runs plain ADMM): the fixed-point
   * variable ζ = (h + λ_old, hs + ν_old) of the step just done — the points the prox and the
   * projection were applied to, from which v, λ, s, ν follow (spec §4.5) — as one float64 array.
   */
  readFixedPoint?(): Float64Array;
  /** Sets the state from ζ: v = prox(ζ_u), λ = ζ_u − v, s = max(ζ_s, 0), ν = ζ_s − s, Gᵀs, Gᵀν. */
  writeFixedPoint?(zeta: Float64Array, rho: number): void;
  /**
   * Anderson acceleration on the device itself (optional; the GPU): true when this backend runs it
   * (config.anderson > 0 and its memory fits). The driver then calls {@link andersonStep} and
   * {@link andersonReset} instead of reading and writing ζ; the update happens on the device, in
   * the next step's submission, with the same safeguard and no extra read-back.
   */
  readonly acceleratesOnDevice?: boolean;
  /** After the step just measured (ρ kept): replace the state by the Anderson update of its ζ. */
  andersonStep?(): void;
  /** Forget the Anderson memory; the current state's ζ becomes the next input (ρ changed, state loaded). */
  andersonReset?(): void;
  /** The PCG preconditioner in use and why (solver/preconditioner.ts), for the page and the CLI. */
  readonly preconditioner?: ResolvedPreconditioner;
}
