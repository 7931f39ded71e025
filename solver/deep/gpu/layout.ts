/**
 * The flat parameter layout of an {@link Architecture} and the activation shape after every
 * layer, computed from the contract's rules alone (solver/deep/types.ts): layers in order, kernel
 * before bias, dense kernels in×out, conv kernels HWIO. The GPU backend keeps its own copy so it
 * does not depend on the CPU side's arch.ts; the two must agree (the integrator unifies them).
 */
import type { Architecture, LayerSpec, ParamSlot, Shape } from '../types';

/** What the GPU backend needs to know about a network before it allocates anything. */
export interface GpuLayout {
  readonly slots: readonly ParamSlot[];
  readonly paramCount: number;
  /** shapes[l] is the per-example activation entering layer l; shapes[layers.length] is the output. */
  readonly shapes: readonly Shape[];
}

/** Elements of one example's activation. */
export function shapeSize(s: Shape): number {
  return s.h * s.w * s.c;
}

function checkPositiveInt(v: number, what: string): void {
  if (!Number.isInteger(v) || v < 1) throw new Error(`${what} must be a positive integer, got ${v}; fix the architecture.`);
}

/** The activation shape after `layer` applied to `s` (flatten keeps NHWC order: a no-op on the data). */
export function outputShape(layer: LayerSpec, s: Shape, index: number): Shape {
  switch (layer.kind) {
    case 'dense':
      checkPositiveInt(layer.out, `layer ${index} (dense) out`);
      return { h: 1, w: 1, c: layer.out };
    case 'conv3x3':
      checkPositiveInt(layer.out, `layer ${index} (conv3x3) out`);
      return { h: s.h, w: s.w, c: layer.out };
    case 'relu':
      return s;
    case 'avgpool2': {
      const h = Math.floor(s.h / 2);
      const w = Math.floor(s.w / 2);
      if (h < 1 || w < 1) throw new Error(`layer ${index} (avgpool2) gets a ${s.h}×${s.w} image; it needs at least 2×2, so remove a pooling layer.`);
      return { h, w, c: s.c };
    }
    case 'flatten':
      return { h: 1, w: 1, c: shapeSize(s) };
  }
}

/** Slots, θ length and activation shapes of `arch` (throws a clear message on a malformed one). */
export function gpuLayout(arch: Architecture): GpuLayout {
  checkPositiveInt(arch.input.h, 'input height');
  checkPositiveInt(arch.input.w, 'input width');
  checkPositiveInt(arch.input.c, 'input channels');
  if (arch.layers.length === 0) throw new Error('the architecture has no layers; add at least one dense layer.');
  const slots: ParamSlot[] = [];
  const shapes: Shape[] = [arch.input];
  let offset = 0;
  arch.layers.forEach((layer, l) => {
    const s = shapes[l]!;
    if (layer.kind === 'dense' || layer.kind === 'conv3x3') {
      const cin = layer.kind === 'dense' ? shapeSize(s) : s.c;
      const shape = layer.kind === 'dense' ? [cin, layer.out] : [3, 3, cin, layer.out];
      const size = shape.reduce((a, b) => a * b, 1);
      slots.push({ layer: l, name: 'kernel', offset, size, shape });
      offset += size;
      if (layer.bias) {
        slots.push({ layer: l, name: 'bias', offset, size: layer.out, shape: [layer.out] });
        offset += layer.out;
      }
    }
    shapes.push(outputShape(layer, s, l));
  });
  return { slots, paramCount: offset, shapes };
}
