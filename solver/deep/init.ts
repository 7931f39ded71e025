/**
 * The seeded initial θ of a network: Flax's default `lecun_normal` for every kernel (a normal
 * truncated to ±2σ, rescaled so the truncated draw has std sqrt(1/fan_in)) and zeros for every
 * bias, drawn from the project's reproducible RNG so a seed gives the same θ in every engine.
 */
import { createRng, RNG_STREAM, type Rng } from '../rng';
import { paramCount, paramLayout } from './arch';
import type { Architecture, ParamSlot } from './types';

/**
 * Std of a standard normal truncated to [−2, 2] (jax.nn.initializers.variance_scaling divides by
 * it, so the truncated draw has the requested variance).
 */
export const TRUNCATED_NORMAL_STD = 0.87962566103423978;

/** Fan-in of a kernel: rows of a dense `in × out`, 3·3·cin of an HWIO convolution. */
export function fanIn(slot: ParamSlot): number {
  return slot.shape.slice(0, -1).reduce((a, b) => a * b, 1);
}

/** A standard normal conditioned on |z| ≤ 2 (rejection; accepts 95.4% of draws). */
export function truncatedNormal(rng: Rng): number {
  for (;;) {
    const z = rng.normal();
    if (z >= -2 && z <= 2) return z;
  }
}

/** θ for `arch` from `seed`: lecun_normal kernels (std sqrt(1/fan_in)), zero biases. */
export function initParams(arch: Architecture, seed: number, slots: readonly ParamSlot[] = paramLayout(arch)): Float64Array {
  const theta = new Float64Array(paramCount(slots));
  const rng = createRng(seed, RNG_STREAM.deepInit);
  for (const slot of slots) {
    if (slot.name !== 'kernel') continue;
    const scale = Math.sqrt(1 / fanIn(slot)) / TRUNCATED_NORMAL_STD;
    for (let k = 0; k < slot.size; k++) theta[slot.offset + k] = scale * truncatedNormal(rng);
  }
  return theta;
}
