/**
 * Float64 CPU reference of CRONOS (spec §4.2 / §4.6): the ADMM driver (solver/admm/driver.ts) over
 * the CPU backend (solver/cpu/backend.ts). It is the test oracle of the WebGPU solver and the
 * fallback solver of browsers without WebGPU.
 */
import { AdmmDriver, type AdmmState } from '../admm/driver';
import type { TestSet } from '../solver';
import type { IterationMetrics, Problem, SolverConfig } from '../types';
import { CpuBackend, type CpuSolverOptions } from './backend';

export type { CpuSolverOptions } from './backend';

/**
 * CRONOS on the CPU in float64; see the {@link CronosSolver} contract. The objective (β, P, model,
 * data) comes from the {@link Problem}; `config.beta` and `config.P` are not read, so a config shared
 * with another problem cannot silently change it. The Nyström rank is clamped to N = S·d·P.
 */
export class CpuSolver extends AdmmDriver {
  private readonly cpu: CpuBackend;

  constructor(problem: Problem, config: SolverConfig, test?: TestSet, opts: CpuSolverOptions = {}) {
    if (config.model !== problem.model) throw new Error(`config.model ${config.model} ≠ problem.model ${problem.model}`);
    if (!(config.rho > 0 && Number.isFinite(config.rho))) throw new Error(`ρ must be a positive number (got ${config.rho})`);
    if (!(config.pcgIters >= 0)) throw new Error(`pcgIters must be ≥ 0 (got ${config.pcgIters})`);
    const cpu = new CpuBackend(problem, config, test, opts);
    super('cpu', problem, config, cpu, test);
    this.cpu = cpu;
  }

  /**
   * Synchronous {@link step}: the driver's same sequence without awaits (the CPU has nothing to
   * wait for); tests and bit-exact replays use it.
   */
  stepSync(): IterationMetrics {
    const t0 = performance.now();
    const start = this.race?.before();
    if (start?.kind === 'start') this.raceSwitchSync(start.rho, this.zeroState(start.rho));
    const rho = this.iterate();
    const m = this.measure(this.cpu.metricsSync(), rho);
    if (this.race?.count()) {
      const next = this.race.record(m, { version: 1, k: this.iterations(), rho, arrays: this.cpu.readStateSync() as Record<string, Float64Array> });
      if (next.kind === 'resume') this.raceSwitchSync(next.rho, next.state);
      this.endRace(next);
    } else if (this.balanceRho(m)) this.cpu.factorAt(this.currentRho());
    else this.accelerate();
    m.timeMs = performance.now() - t0;
    return m;
  }

  /** The driver's race switch with the CPU's synchronous state copy and refactorisation. */
  private raceSwitchSync(rho: number, state: AdmmState): void {
    this.cpu.writeStateSync(state.arrays);
    if (rho !== this.currentRho()) this.cpu.factorAt(rho);
    this.afterRaceSwitch(rho);
  }

  /**
   * Copies of the full ADMM state (scaled duals included) for KKT checks: λ (d×K), and for ReLU
   * the slack s and dual ν (n×K).
   */
  state(): { U: Float64Array; V: Float64Array; lambda: Float64Array; s: Float64Array; nu: Float64Array; rho: number } {
    return { ...this.cpu.duals(), rho: this.currentRho() };
  }
}
