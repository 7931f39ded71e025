/**
 * The GPU backend's view of an {@link Architecture}: the θ slots, θ's length and the activation
 * shape entering every layer, all from solver/deep/arch.ts so that the CPU reference and the GPU
 * backend can never disagree on where a parameter lives.
 */
import { layerShapes, paramCount, paramLayout, shapeSize } from '../arch';
import type { Architecture, ParamSlot, Shape } from '../types';

export { shapeSize };

/** What the GPU backend needs to know about a network before it allocates anything. */
export interface GpuLayout {
  readonly slots: readonly ParamSlot[];
  readonly paramCount: number;
  /** shapes[l] is the per-example activation entering layer l; shapes[layers.length] is the output. */
  readonly shapes: readonly Shape[];
}

/** Slots, θ length and activation shapes of `arch` (throws arch.ts's clear message on a malformed one). */
export function gpuLayout(arch: Architecture): GpuLayout {
  if (arch.layers.length === 0) throw new Error('The architecture has no layers; add at least one dense layer.');
  const slots = paramLayout(arch);
  return { slots, paramCount: paramCount(slots), shapes: [arch.input, ...layerShapes(arch)] };
}
