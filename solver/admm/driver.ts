/**
 * The CRONOS iteration (spec §4.2), written once for every device:
 *
 *   b  = Fᵀy/ρ + v − λ + Gᵀ(s − ν)                         rhs()
 *   u  = PCG(A, b, M_nys, tol = 1/(1+k)^1.2)               uUpdate()
 *   v  = prox_{(β/ρ)‖·‖}(u + λ);   λ ← λ + (u − v)          vUpdate()
 *   Gu = G u;  s = max(Gu + ν, 0);  ν ← ν + (Gu − s)       sUpdate()
 *   residuals, objective, stopping rule (§4.4)             measure()
 *   ρ ← 2ρ or ρ/2 when the residuals are unbalanced (§4.5) balanceRho()
 *
 * The arithmetic is the backend's (solver/admm/backend.ts: float64 CPU, WebGPU); the driver owns
 * k, ρ, the tolerance schedule, the metrics, residual balancing and divergence detection, so the
 * devices cannot drift apart in any of them.
 */
import type { CronosSolver, TestSet } from '../solver';
import { testTargets } from '../problem';
import { fitScale, rhoBalanceFactor, stepMetrics, type FitScale, type StepSums } from '../residuals';
import { initialRho, pcgTolerance, type ConvexSolution, type DeviceKind, type IterationMetrics, type Problem, type SolverConfig } from '../types';
import type { AdmmBackend, StateArrayName } from './backend';
import { Anderson } from './anderson';
import { raceCandidates, RhoRace, type RaceAction } from './rho-race';
import type { ResolvedPreconditioner } from '../preconditioner';

/**
 * Everything the next ADMM iteration reads, device-independent (float64 arrays, flat in the
 * solver's layout; array names in backend.ts StateArrayName). The Nyström sketch is not saved:
 * it is rebuilt deterministically from `config.seed` (the test matrix Ω) and the saved ρ, so the
 * solver that loads a state must have the same problem and config. No RNG is drawn during the
 * iteration, so there are no RNG positions to save.
 */
export interface AdmmState {
  version: 1;
  /** Iterations done (the next step uses the PCG tolerance of index k). */
  k: number;
  /** Current penalty ρ (changed by residual balancing). */
  rho: number;
  arrays: Record<string, Float64Array>;
}

/** The iterates stopped being finite; the message says what to change. */
export class AdmmDivergedError extends Error {
  /** The ADMM iteration (1-based, as in IterationMetrics.iter) whose metrics were not finite. */
  readonly iter: number;
  /** That iteration's metrics (so callers can still report them). */
  readonly metrics: IterationMetrics;

  constructor(metrics: IterationMetrics) {
    super(
      `The iterates diverged at iteration ${metrics.iter} (objective ${metrics.objective}, residuals ${metrics.primalResidual} / ${metrics.dualResidual}). ` +
        'Try a larger ρ, adaptive ρ, more PCG iterations, or the CPU device.',
    );
    this.name = 'AdmmDivergedError';
    this.iter = metrics.iter;
    this.metrics = metrics;
  }
}

/** Throws {@link AdmmDivergedError} when the objective or a residual of `m` is not finite (NaN or ±∞). */
export function throwIfDiverged(m: IterationMetrics): void {
  if (!Number.isFinite(m.objective) || !Number.isFinite(m.primalResidual) || !Number.isFinite(m.dualResidual)) {
    throw new AdmmDivergedError(m);
  }
}

/** Checks a state against the lengths a problem needs; throws with what differs. */
export function validateState(s: AdmmState, lengths: Partial<Record<StateArrayName, number>>): void {
  if (typeof s !== 'object' || s === null || typeof s.arrays !== 'object' || s.arrays === null) throw new Error('Invalid ADMM state: expected { version, k, rho, arrays }.');
  if (s.version !== 1) throw new Error(`Unsupported ADMM state version ${String(s.version)} (this solver reads version 1).`);
  if (!(Number.isInteger(s.k) && s.k >= 0)) throw new Error(`Invalid ADMM state: k must be a non-negative integer (got ${s.k}).`);
  if (!(s.rho > 0 && Number.isFinite(s.rho))) throw new Error(`Invalid ADMM state: ρ must be a positive number (got ${s.rho}).`);
  const want = Object.keys(lengths).sort();
  const have = Object.keys(s.arrays).sort();
  if (want.join() !== have.join()) {
    throw new Error(`The ADMM state has arrays [${have.join(', ')}] but this problem needs [${want.join(', ')}] (another model or solver?).`);
  }
  for (const name of want as StateArrayName[]) {
    if (!(s.arrays[name] instanceof Float64Array)) throw new Error(`The ADMM state's ${name} is not a Float64Array.`);
    const got = s.arrays[name].length;
    const need = lengths[name] as number;
    if (got !== need) throw new Error(`The ADMM state's ${name} has ${got} values; this problem needs ${need} (different n, d, P or classes).`);
  }
}

/** A CRONOS solver: the iteration of spec §4.2 over a device backend. */
export class AdmmDriver implements CronosSolver {
  private k = 0;
  private rho: number;
  private readonly fit: FitScale;
  /** Anderson acceleration when configured and the backend supports it (spec §4.5). */
  private readonly anderson: Anderson | null;
  /** Anderson acceleration run by the backend on its device instead (the GPU). */
  private readonly deviceAnderson: boolean;
  /** The ρ race while it runs (spec §4.5); its entries are saved states. */
  protected race: RhoRace<AdmmState> | null;
  private raceResult: number | null = null;

  protected constructor(
    readonly device: DeviceKind,
    readonly problem: Problem,
    readonly config: SolverConfig,
    private readonly backend: AdmmBackend,
    test: TestSet | undefined,
  ) {
    this.rho = initialRho(config, problem.beta);
    this.fit = fitScale(problem, test && test.n > 0 ? testTargets(problem, test) : null);
    this.deviceAnderson = config.anderson > 0 && backend.acceleratesOnDevice === true;
    const zeta = config.anderson > 0 && !this.deviceAnderson ? backend.readFixedPoint?.() : undefined;
    this.anderson = zeta && zeta.length > 0 ? new Anderson(config.anderson, zeta.length) : null;
    this.race = config.rhoRace > 0 ? new RhoRace<AdmmState>(raceCandidates(problem.beta, config.rho), config.rhoRace) : null;
  }

  /** One ADMM iteration (spec §4.2) and its metrics; throws {@link AdmmDivergedError} on non-finite iterates. */
  async step(): Promise<IterationMetrics> {
    const t0 = performance.now();
    const start = this.race?.before();
    if (start?.kind === 'start') await this.raceSwitch(start.rho, this.zeroState(start.rho));
    const rho = this.iterate();
    const m = this.measure(await this.backend.metrics(), rho);
    if (this.race?.count()) {
      const next = this.race.record(m, await this.saveState());
      if (next.kind === 'resume') await this.raceSwitch(next.rho, next.state);
      this.endRace(next);
    } else if (this.balanceRho(m)) await this.backend.rebuildPreconditioner(this.rho);
    else this.accelerate();
    m.timeMs = performance.now() - t0;
    return m;
  }

  /** The zero state (every array 0) at penalty `rho`: where each race candidate starts. */
  protected zeroState(rho: number): AdmmState {
    const arrays: Record<string, Float64Array> = {};
    for (const [name, len] of Object.entries(this.backend.stateLengths())) arrays[name] = new Float64Array(len as number);
    return { version: 1, k: this.k, rho, arrays };
  }

  /** Continues from `state` at `rho` (a race candidate's start or the winner), keeping the iteration count. */
  private async raceSwitch(rho: number, state: AdmmState): Promise<void> {
    await this.backend.writeState(state.arrays);
    if (rho !== this.rho) await this.backend.rebuildPreconditioner(rho);
    this.afterRaceSwitch(rho);
  }

  /** ρ and the Anderson memory after a race switch (the state arrays are written). */
  protected afterRaceSwitch(rho: number): void {
    this.rho = rho;
    this.resetAnderson();
  }

  /** Forgets the Anderson memory (host or device); the current state's ζ becomes the next input. */
  private resetAnderson(): void {
    if (this.deviceAnderson) {
      this.backend.andersonReset?.();
      return;
    }
    const zeta = this.anderson ? this.backend.readFixedPoint?.() : undefined;
    if (this.anderson && zeta) this.anderson.reset(zeta);
  }

  /** Whether Anderson acceleration runs, and where: on the host (CPU backend), on the device (GPU), or not at all. */
  andersonIn(): 'host' | 'device' | null {
    if (this.deviceAnderson) return 'device';
    return this.anderson ? 'host' : null;
  }

  /** Drops the race once it has picked its winner. */
  protected endRace(next: RaceAction<AdmmState>): void {
    if (next.kind !== 'resume') return;
    this.raceResult = next.rho;
    this.race = null;
  }

  /** The ρ the race picked (null while it runs or when there was none). */
  raceWinner(): number | null {
    return this.raceResult;
  }

  /**
   * Anderson acceleration (spec §4.5): replaces the state by the extrapolated fixed point, or by
   * the safeguard's fallback; a ρ change resets the memory instead (the scaled duals in ζ change).
   */
  protected accelerate(): void {
    const aa = this.anderson;
    const backend = this.backend;
    if (this.deviceAnderson) {
      backend.andersonStep?.();
      return;
    }
    if (!aa || !backend.readFixedPoint || !backend.writeFixedPoint) return;
    const next = aa.next(backend.readFixedPoint());
    if (next) backend.writeFixedPoint(next, this.rho);
  }

  /** The updates of one step at the current ρ and tolerance; returns that ρ. */
  protected iterate(): number {
    const rho = this.rho;
    this.backend.beginStep({ k: this.k, rho, pcgTol: pcgTolerance(this.config, this.k), alpha: this.config.alpha });
    this.rhs();
    this.uUpdate();
    this.vUpdate();
    this.sUpdate();
    return rho;
  }

  /** b = Fᵀy/ρ + v − λ + Gᵀ(s − ν). */
  private rhs(): void {
    this.backend.rhs();
  }

  /** u = PCG(A, b, M_nys) with tolerance (1 + k)^−1.2 (or config.pcgTol), ≤ pcgIters iterations. */
  private uUpdate(): void {
    this.backend.uSolve();
  }

  /** v = prox_{(β/ρ)‖·‖}(u + λ) with the old λ; then λ ← λ + (u − v) (γ = 1). */
  private vUpdate(): void {
    this.backend.vStep();
  }

  /** s = max(Gu + ν, 0) with the old ν; then ν ← ν + (Gu − s). */
  private sUpdate(): void {
    this.backend.sStep();
  }

  /**
   * Residuals, thresholds, objective and fit of the step from its sums (spec §4.4, §6.3;
   * iteration numbers start at 1), then the divergence check.
   */
  protected measure(sums: StepSums, rho: number): IterationMetrics {
    const m = stepMetrics(this.problem, this.config, sums, this.fit, rho, this.k + 1, 0);
    this.k++;
    throwIfDiverged(m);
    return m;
  }

  /**
   * Residual balancing (spec §4.5, when config.adaptiveRho): ρ ← fρ and the scaled duals ← 1/f.
   * Returns true when ρ changed, so the caller must rebuild the preconditioner at the new ρ. How
   * is the backend's: the CPU refactors its kept sketch Y(ρ) = YI + YF/ρ (no matvecs), the GPU
   * re-sketches A(ρ)Ω with the same Ω; both are deterministic functions of (seed, ρ), which is
   * what lets a saved state rebuild the preconditioner instead of storing it.
   */
  protected balanceRho(m: IterationMetrics): boolean {
    if (!this.config.adaptiveRho) return false;
    const f = rhoBalanceFactor(m);
    if (f === 1) return false;
    this.rho *= f;
    this.backend.rescaleDuals(f);
    // ζ = (h + λ, hs + ν) mixes primal and scaled dual parts; after a ρ change the history no longer applies.
    this.resetAnderson();
    return true;
  }

  /** Current ρ (changes with residual balancing). */
  currentRho(): number {
    return this.rho;
  }

  /** The PCG preconditioner the backend uses and why (undefined for a backend that does not say). */
  preconditionerInUse(): ResolvedPreconditioner | undefined {
    return this.backend.preconditioner;
  }

  /** Iterations done so far. */
  iterations(): number {
    return this.k;
  }

  /** The current iterate (u, v) as float64. */
  solution(): Promise<ConvexSolution> {
    return this.backend.solution();
  }

  /** Everything the next iteration reads (see {@link AdmmState}); loads into a solver of either device. */
  async saveState(): Promise<AdmmState> {
    const arrays = (await this.backend.readState()) as Record<string, Float64Array>;
    return { version: 1, k: this.k, rho: this.rho, arrays };
  }

  /**
   * Continues from a saved state: validates it for this problem, writes the arrays and rebuilds
   * the preconditioner at the saved ρ (deterministic: same Ω from config.seed, same ρ).
   */
  async loadState(s: AdmmState): Promise<void> {
    validateState(s, this.backend.stateLengths());
    // A saved run is past its race (a race's progress is not part of the state).
    if (s.k > 0) this.race = null;
    await this.backend.writeState(s.arrays);
    if (s.rho !== this.rho) await this.backend.rebuildPreconditioner(s.rho);
    this.k = s.k;
    this.rho = s.rho;
    this.resetAnderson();
  }

  /** Frees device resources. */
  dispose(): void {
    this.backend.dispose();
  }
}
