/** Starts an AdamW (optax adamw) run (loaded lazily by the method registry). */
import { deepFactory } from '../../deep/trainer';
import { ADAMW_PARAMS } from './params';

/** A AdamW trainer for the data with the AdamW settings found in the settings given. */
export const createAdamWTrainer = deepFactory('adamw', ADAMW_PARAMS);
