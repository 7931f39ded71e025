/**
 * Starts a CRONOS run: builds the convex program of the data (patterns D, ±1 or regression
 * targets) and the ADMM solver on the requested device. Loaded lazily by the method registry
 * (solver/methods/index.ts), so the page's main thread never bundles the solvers.
 */
import { createSolver } from '../../index';
import { pick } from '../../params/table';
import type { TrainerEnv, TrainingData } from '../../trainer';
import { CRONOS_PARAMS, type CronosParams } from './params';
import { CronosTrainer, cronosAttempt, cronosProblem } from './trainer';
import type { Attempt, ResilientRun } from '../../resilience';
import type { TestSet } from '../../solver';
import type { DeviceKind, Problem, SolverConfig } from '../../types';

/** A CRONOS trainer for `data` with the CRONOS settings found in `settings`. */
export async function createCronosTrainer(data: TrainingData, settings: CronosParams, env: TrainerEnv): Promise<CronosTrainer> {
  const config = pick(CRONOS_PARAMS, settings);
  const problem = cronosProblem(data, config);
  const test = data.test ?? undefined;
  const solver = await createSolver(problem, config, { device: env.device, ...(test ? { test } : {}), ...(env.gpu ? { gpu: env.gpu } : {}) });
  return new CronosTrainer(solver);
}

/**
 * The `create` of a {@link ResilientRun} for a CRONOS problem: a fresh trainer on the device asked
 * for; a GPU trainer takes the shared GPU context, which is a new device once the old one is lost.
 */
export function cronosAttempts(problem: Problem, config: SolverConfig, opts: { test?: TestSet; gpu?: GPU }): (device: DeviceKind) => Promise<Attempt<CronosTrainer>> {
  return async (device) => {
    const solver = await createSolver(problem, config, { device, ...(opts.test ? { test: opts.test } : {}), ...(opts.gpu ? { gpu: opts.gpu } : {}) });
    return cronosAttempt(new CronosTrainer(solver));
  };
}
