/**
 * The learning rates of a race's tuned methods (spec: the paper's seeded log-uniform draws
 * 10^U[l, u], or a log-spaced grid over the same range for a reproducible sweep).
 */
import { METHODS, type MethodRegistry } from '../methods/index';
import { createRng, RNG_STREAM } from '../rng';
import { isTuned, lrRangeOf, type LrMode, type LrRange, type RaceConfig } from './config';

/**
 * K learning rates in 10^[lo, hi]: `random` draws 10^(lo + (hi − lo)·U) from `seed`; `grid` is
 * lo, …, hi evenly spaced in the exponent (K = 1: the middle). Every method given the same seed
 * and range gets the same rates, so the tuned methods are compared on common draws.
 */
export function drawLearningRates(range: LrRange, k: number, seed: number, mode: LrMode): number[] {
  const [lo, hi] = range;
  if (mode === 'grid') return Array.from({ length: k }, (_, i) => 10 ** (k === 1 ? (lo + hi) / 2 : lo + ((hi - lo) * i) / (k - 1)));
  const rng = createRng(seed, RNG_STREAM.raceLr);
  return Array.from({ length: k }, () => 10 ** (lo + (hi - lo) * rng.uniform()));
}

/** Per method of `config`, its learning rates (null: untuned, it runs once at its own step size). */
export function raceLearningRates(config: RaceConfig, methods: MethodRegistry = METHODS): Record<string, number[] | null> {
  const out: Record<string, number[] | null> = {};
  for (const m of config.methods) out[m] = isTuned(methods[m].params) ? drawLearningRates(lrRangeOf(config, m), config.lrDraws, config.seed, config.lrMode) : null;
  return out;
}
