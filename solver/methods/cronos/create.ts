/**
 * Starts a CRONOS run: builds the convex program of the data (patterns D, ±1 or regression
 * targets) and the ADMM solver on the requested device. Loaded lazily by the method registry
 * (solver/methods/index.ts), so the page's main thread never bundles the solvers.
 */
import { createSolver } from '../../index';
import { pick } from '../../params/table';
import type { TrainerEnv, TrainingData } from '../../trainer';
import { CRONOS_PARAMS, type CronosParams } from './params';
import { CronosTrainer, cronosProblem } from './trainer';

/** A CRONOS trainer for `data` with the CRONOS settings found in `settings`. */
export async function createCronosTrainer(data: TrainingData, settings: CronosParams, env: TrainerEnv): Promise<CronosTrainer> {
  const config = pick(CRONOS_PARAMS, settings);
  const problem = cronosProblem(data, config);
  const test = data.test ?? undefined;
  const solver = await createSolver(problem, config, { device: env.device, ...(test ? { test } : {}), ...(env.gpu ? { gpu: env.gpu } : {}) });
  return new CronosTrainer(solver);
}
