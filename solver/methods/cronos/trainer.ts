/**
 * CRONOS as a {@link Trainer}: one step is one ADMM iteration of the convex program (spec §4.2) on
 * the float64 CPU solver or the WebGPU solver; the model is the network recovered from u (spec §6.1).
 */
import { buildProblem, buildRegressionProblem } from '../../problem';
import { recoverNetwork } from '../../recovery';
import type { CronosSolver } from '../../solver';
import { checkStateHeader, type FinishReason, type Trainer, type TrainerState, type TrainingData, type TrainedModel } from '../../trainer';
import type { IterationMetrics, Problem, SolverConfig } from '../../types';
import { CRONOS_METRICS } from './metrics';
import type { Attempt } from '../../resilience';

/** Layout version of a saved CRONOS state (bump when the arrays or scalars change meaning). */
export const CRONOS_STATE_VERSION = 1;

/** The problem CRONOS solves for `data`: ±1 (one-vs-all) targets or a standardised regression target, gates and patterns D. */
export function cronosProblem(data: TrainingData, config: Pick<SolverConfig, 'model' | 'P' | 'beta' | 'seed'>): Problem {
  const opts = { model: config.model, P: config.P, beta: config.beta, seed: config.seed };
  return data.targets ? buildRegressionProblem(data.train, data.targets, opts) : buildProblem(data.train, opts);
}

/** A CRONOS run: the solver (either device) plus the iteration budget and the state codec. */
export class CronosTrainer implements Trainer<IterationMetrics> {
  readonly method = 'cronos' as const;
  readonly metrics = CRONOS_METRICS;
  private iter = 0;
  /** ADMM iterations in all (starts as config.admmIters). */
  private budget: number;

  constructor(
    /** The ADMM solver; the trainer owns it (dispose frees it). */
    readonly solver: CronosSolver,
  ) {
    this.budget = solver.config.admmIters;
  }

  /** The convex program being solved (data, patterns D, gates). */
  get problem(): Problem {
    return this.solver.problem;
  }

  get config(): SolverConfig {
    return this.solver.config;
  }

  get device(): CronosSolver['device'] {
    return this.solver.device;
  }

  get iteration(): number {
    return this.iter;
  }

  async step(): Promise<IterationMetrics> {
    const m = await this.solver.step();
    this.iter = m.iter;
    return m;
  }

  /** The stopping rule of spec §4.4, else the ADMM iteration budget. */
  finished(m: IterationMetrics): FinishReason | null {
    if (m.converged) return 'converged';
    return m.iter >= this.budget ? 'max-iterations' : null;
  }

  setBudget(steps: number): void {
    this.budget = steps;
  }

  async model(): Promise<TrainedModel> {
    const { U, V } = await this.solver.solution();
    return { network: recoverNetwork(this.solver.problem, U), convex: { U, V } };
  }

  async saveState(): Promise<TrainerState> {
    const s = await this.solver.saveState();
    return { format: 'cronos-playground-state', method: 'cronos', version: CRONOS_STATE_VERSION, iteration: s.k, scalars: { rho: s.rho }, arrays: { ...s.arrays } };
  }

  async loadState(state: TrainerState): Promise<void> {
    checkStateHeader(state, 'cronos', CRONOS_STATE_VERSION);
    const arrays: Record<string, Float64Array> = {};
    for (const [name, a] of Object.entries(state.arrays)) arrays[name] = a instanceof Float64Array ? a : Float64Array.from(a);
    const rho = state.scalars.rho;
    if (!(typeof rho === 'number' && rho > 0 && Number.isFinite(rho))) throw new Error(`The saved state's ρ (${String(rho)}) is not a positive number.`);
    await this.solver.loadState({ version: 1, k: state.iteration, rho, arrays });
    this.iter = state.iteration;
  }

  dispose(): void {
    this.solver.dispose();
  }
}

/** A CRONOS trainer as a {@link Attempt} of solver/resilience.ts: its GPU solver's device is watched for loss. */
export function cronosAttempt(trainer: CronosTrainer): Attempt<CronosTrainer> {
  const { solver } = trainer;
  const lose = solver.loseDevice?.bind(solver);
  return { trainer, lost: () => solver.deviceLost?.() ?? null, ...(lose ? { loseDevice: lose } : {}) };
}
