/**
 * A whole network in float64: the forward pass over `layers[0, upTo)` keeping every layer's
 * input (the tape), and the backward pass that turns the gradient of the outputs into the
 * gradient of θ (same flat layout, solver/deep/arch.ts). Composes the layers of ./layers.ts.
 */
import { layerShapes, paramCount, paramLayout } from '../arch';
import type { Architecture, ParamSlot, Shape } from '../types';
import { avgpool2Backward, avgpool2Forward, conv3x3Backward, conv3x3Forward, denseBackward, denseForward, reluBackward, reluForward } from './layers';

/** The kernel and bias slots of one layer (absent for layers without parameters). */
interface LayerParams {
  readonly kernel?: ParamSlot;
  readonly bias?: ParamSlot;
}

/** An architecture with its layout resolved once: shapes in and out of every layer, slots per layer. */
export interface CompiledNetwork {
  readonly arch: Architecture;
  readonly slots: readonly ParamSlot[];
  readonly paramCount: number;
  /** `inShapes[i]` is the input shape of `layers[i]`; `inShapes[layers.length]` the output. */
  readonly inShapes: readonly Shape[];
  readonly params: readonly LayerParams[];
}

/** Resolves the layout of `arch` (throws ArchError when a layer does not fit). */
export function compileNetwork(arch: Architecture): CompiledNetwork {
  const slots = paramLayout(arch);
  const params: LayerParams[] = arch.layers.map((_, i) => ({
    kernel: slots.find((s) => s.layer === i && s.name === 'kernel'),
    bias: slots.find((s) => s.layer === i && s.name === 'bias'),
  }));
  return { arch, slots, paramCount: paramCount(slots), inShapes: [arch.input, ...layerShapes(arch)], params };
}

function view(theta: Float64Array, slot: ParamSlot | undefined): Float64Array | null {
  return slot ? theta.subarray(slot.offset, slot.offset + slot.size) : null;
}

/** The activations of a forward pass: `inputs[i]` entered `layers[i]`; `output` left the last one run. */
export interface Tape {
  readonly inputs: Float64Array[];
  readonly output: Float64Array;
  readonly B: number;
}

/** Runs `layers[0, upTo)` on the B examples `x` (B × input size). */
export function forward(net: CompiledNetwork, theta: Float64Array, x: Float64Array, B: number, upTo = net.arch.layers.length): Tape {
  const inputs: Float64Array[] = [];
  let a = x;
  for (let i = 0; i < upTo; i++) {
    inputs.push(a);
    a = layerForward(net, i, theta, a, B);
  }
  return { inputs, output: a, B };
}

function layerForward(net: CompiledNetwork, i: number, theta: Float64Array, a: Float64Array, B: number): Float64Array {
  const layer = net.arch.layers[i];
  const s = net.inShapes[i];
  const p = net.params[i];
  switch (layer.kind) {
    case 'dense':
      return denseForward(a, B, s.c, view(theta, p.kernel) as Float64Array, layer.out, view(theta, p.bias));
    case 'conv3x3':
      return conv3x3Forward(a, { B, H: s.h, W: s.w, cin: s.c, cout: layer.out }, view(theta, p.kernel) as Float64Array, view(theta, p.bias));
    case 'relu':
      return reluForward(a);
    case 'avgpool2':
      return avgpool2Forward(a, B, s.h, s.w, s.c);
    case 'flatten':
      // NHWC rows are already the flattened vectors (Flax's reshape of an NHWC batch).
      return a;
  }
}

/**
 * Adds ∂L/∂θ to `grad` (length paramCount) given ∂L/∂output `dOut` of a full forward `tape`.
 * The gradient of the first parametrised layer's input is never formed.
 */
export function backward(net: CompiledNetwork, theta: Float64Array, tape: Tape, dOut: Float64Array, grad: Float64Array): void {
  // Below the first layer with parameters no gradient is needed (an MLP's input flatten, say).
  const first = net.params.findIndex((p) => p.kernel !== undefined);
  let g: Float64Array | null = dOut;
  for (let i = tape.inputs.length - 1; i >= Math.max(0, first) && g !== null; i--) g = layerBackward(net, i, theta, tape.inputs[i], tape.B, g, grad, i > first);
}

function layerBackward(net: CompiledNetwork, i: number, theta: Float64Array, x: Float64Array, B: number, dy: Float64Array, grad: Float64Array, needDx: boolean): Float64Array | null {
  const layer = net.arch.layers[i];
  const s = net.inShapes[i];
  const p = net.params[i];
  switch (layer.kind) {
    case 'dense':
      return denseBackward(x, B, s.c, view(theta, p.kernel) as Float64Array, layer.out, dy, view(grad, p.kernel) as Float64Array, view(grad, p.bias), needDx);
    case 'conv3x3':
      return conv3x3Backward(x, { B, H: s.h, W: s.w, cin: s.c, cout: layer.out }, view(theta, p.kernel) as Float64Array, dy, view(grad, p.kernel) as Float64Array, view(grad, p.bias), needDx);
    case 'relu':
      return needDx ? reluBackward(x, dy) : null;
    case 'avgpool2':
      return needDx ? avgpool2Backward(dy, B, s.h, s.w, s.c) : null;
    case 'flatten':
      return dy;
  }
}
