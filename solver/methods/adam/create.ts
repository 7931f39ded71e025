/** Starts an Adam (optax adam) run (loaded lazily by the method registry). */
import { deepFactory } from '../../deep/trainer';
import { ADAM_PARAMS } from './params';

/** A Adam trainer for the data with the Adam settings found in the settings given. */
export const createAdamTrainer = deepFactory('adam', ADAM_PARAMS);
