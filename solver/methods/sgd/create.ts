/** Starts an SGD run (loaded lazily by the method registry). */
import { deepFactory } from '../../deep/trainer';
import { SGD_PARAMS } from './params';

/** An SGD (heavy-ball momentum) trainer for the data with the SGD settings found in the settings given. */
export const createSgdTrainer = deepFactory('sgd', SGD_PARAMS);
