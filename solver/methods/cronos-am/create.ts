/** Starts a CRONOS-AM run (loaded lazily by the method registry): checks the settings against its table by name, then builds the trainer. */
import { pick, validateValues } from '../../params/table';
import type { TrainerEnv, TrainingData } from '../../trainer';
import { CRONOS_AM_PARAMS, type CronosAmParams } from './params';
import { createCronosAmTrainer as create, type CronosAmTrainer } from './trainer';

/** A CRONOS-AM trainer for `data` with the CRONOS-AM settings found in `settings`. */
export function createCronosAmTrainer(data: TrainingData, settings: CronosAmParams, env: TrainerEnv): Promise<CronosAmTrainer> {
  const own = pick(CRONOS_AM_PARAMS, settings);
  // Settings from a file or another caller than the page: refuse bad values by name.
  const problems = validateValues(CRONOS_AM_PARAMS, own);
  if (problems.length > 0) return Promise.reject(new Error(`Bad cronos-am settings: ${problems.join('; ')}.`));
  return create(data, own, env);
}
