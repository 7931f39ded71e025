/** Starts a DAdapt-Adam (optax dadapt_adamw) run (loaded lazily by the method registry). */
import { deepFactory } from '../../deep/trainer';
import { DADAPT_PARAMS } from './params';

/** A DAdapt-Adam trainer for the data with the DAdapt-Adam settings found in the settings given. */
export const createDadaptAdamTrainer = deepFactory('dadapt-adam', DADAPT_PARAMS);
