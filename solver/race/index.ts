/**
 * The race (issue 11): every method on the same data, tuned methods over seeded learning-rate
 * draws, stepped fairly by compute time, summarised per method. Re-exports the engine's parts.
 */
export * from './config';
export * from './export';
export * from './lr';
export * from './race';
export * from './stats';
export * from './summary';
