/**
 * Architectures from text (`mlp:256,256`, `cnn`, `cnn:32,64`), image shapes (`28x28x1`, or read
 * off the data's pixel column names), the flat parameter layout θ (solver/deep/types.ts
 * conventions: layer order, kernel before bias) and the per-layer output shapes. Pure functions:
 * the CPU and the GPU backends, the trainer and the parameter tables all read the same layout.
 */
import type { Architecture, LayerSpec, ParamSlot, Shape } from './types';

/** Hidden widths of `mlp` without a list: the paper's MLP features (spec §7.5). */
export const DEFAULT_MLP_WIDTHS: readonly number[] = [256, 256];

/** Channels of `cnn` without a list: the paper's CNN (spec §7.5). */
export const DEFAULT_CNN_CHANNELS: readonly number[] = [32, 32];

/** Largest width or channel count the text accepts (a typo like 25600 should not allocate gigabytes). */
export const MAX_WIDTH = 4096;

/**
 * Which layers carry a bias. `paper` (the default) follows the official models (spec §7.5): the
 * MLP has no bias anywhere; the CNN keeps Flax's default biases on its convolutions and its
 * output Dense. `on` / `off` force every parametrised layer.
 */
export type BiasMode = 'paper' | 'on' | 'off';

/** What {@link parseArch} needs besides the text. */
export interface ArchOptions {
  /** One example's shape (1×1×d for plain feature vectors). */
  readonly input: Shape;
  /** Width of the final Dense (1 for a binary ±1 MSE, else one per class). */
  readonly outputs: number;
  readonly bias?: BiasMode;
}

/** A bad architecture or image-shape text, or a layout that cannot be built. */
export class ArchError extends Error {
  override name = 'ArchError';
}

function widthList(text: string, list: string, what: string, example: string): number[] {
  return list.split(',').map((item) => {
    const t = item.trim();
    const v = /^\d+$/.test(t) ? Number(t) : NaN;
    if (!(Number.isInteger(v) && v >= 1 && v <= MAX_WIDTH)) {
      throw new ArchError(`Architecture ${JSON.stringify(text)}: ${JSON.stringify(t)} is not a ${what} in [1, ${MAX_WIDTH}]; write e.g. ${example}.`);
    }
    return v;
  });
}

/** `Dense(w₁)→ReLU→…→Dense(outputs)`, flattening an image input first. */
function mlpLayers(widths: readonly number[], input: Shape, outputs: number, bias: boolean): LayerSpec[] {
  const layers: LayerSpec[] = input.h * input.w > 1 ? [{ kind: 'flatten' }] : [];
  for (const out of widths) layers.push({ kind: 'dense', out, bias }, { kind: 'relu' });
  layers.push({ kind: 'dense', out: outputs, bias });
  return layers;
}

/** `(Conv3x3(c)→ReLU→AvgPool2)…→flatten→Dense(outputs)`. */
function cnnLayers(channels: readonly number[], outputs: number, bias: boolean): LayerSpec[] {
  const layers: LayerSpec[] = [];
  for (const out of channels) layers.push({ kind: 'conv3x3', out, bias }, { kind: 'relu' }, { kind: 'avgpool2' });
  layers.push({ kind: 'flatten' }, { kind: 'dense', out: outputs, bias });
  return layers;
}

function checkShape(s: Shape, what: string): void {
  for (const v of [s.h, s.w, s.c]) {
    if (!(Number.isInteger(v) && v >= 1)) throw new ArchError(`${what}: ${s.h}×${s.w}×${s.c} is not a shape of whole numbers ≥ 1.`);
  }
}

/**
 * The network described by `text`: `mlp` / `mlp:W1,W2,…` (hidden widths, ReLU after each,
 * then Dense(outputs)), `cnn` / `cnn:C1,C2,…` (a Conv3x3→ReLU→AvgPool2 block per channel
 * count, then flatten→Dense(outputs)). Case and spaces are ignored. Throws {@link ArchError}
 * naming the bad part of the text, or an input too small for the CNN's poolings.
 */
export function parseArch(text: string, opts: ArchOptions): Architecture {
  checkShape(opts.input, 'Input shape');
  if (!(Number.isInteger(opts.outputs) && opts.outputs >= 1)) throw new ArchError(`The number of outputs ${opts.outputs} is not a whole number ≥ 1.`);
  const t = text.trim().toLowerCase().replace(/\s+/g, '');
  const m = /^(mlp|cnn)(?::(.*))?$/.exec(t);
  if (!m) throw new ArchError(`Architecture ${JSON.stringify(text)} is not understood; use mlp, mlp:256,256, cnn or cnn:32,64.`);
  const [, family, list] = m;
  const mode = opts.bias ?? 'paper';
  let arch: Architecture;
  if (family === 'mlp') {
    const widths = list === undefined ? DEFAULT_MLP_WIDTHS : list === '' ? [] : widthList(text, list, 'hidden width', 'mlp:256,256');
    arch = { input: opts.input, layers: mlpLayers(widths, opts.input, opts.outputs, mode === 'on') };
  } else {
    const channels = list === undefined ? DEFAULT_CNN_CHANNELS : widthList(text, list, 'channel count', 'cnn:32,64');
    const side = Math.min(opts.input.h, opts.input.w);
    if (side < 2 ** channels.length) {
      throw new ArchError(
        `Architecture ${JSON.stringify(text)} halves the image ${channels.length} times, but the input is ${opts.input.h}×${opts.input.w}×${opts.input.c}; ` +
          `it needs at least ${2 ** channels.length} pixels a side (give the image shape, e.g. --image 28x28x1, or use fewer blocks).`,
      );
    }
    arch = { input: opts.input, layers: cnnLayers(channels, opts.outputs, mode !== 'off') };
  }
  layerShapes(arch);
  return arch;
}

/**
 * `HxWxC` or `HxW` (C = 1), `x` or `×`, e.g. `28x28x1`, `32x32x3`. Throws {@link ArchError}
 * naming the text.
 */
export function parseImageShape(text: string): Shape {
  const m = /^\s*(\d+)\s*[x×]\s*(\d+)\s*(?:[x×]\s*(\d+)\s*)?$/i.exec(text);
  const s = m ? { h: Number(m[1]), w: Number(m[2]), c: m[3] === undefined ? 1 : Number(m[3]) } : null;
  if (!s || s.h < 1 || s.w < 1 || s.c < 1) throw new ArchError(`Image shape ${JSON.stringify(text)} is not HxWxC with whole numbers ≥ 1; write e.g. 28x28x1 or 32x32x3.`);
  return s;
}

/**
 * The image shape of data whose columns are the pixel names of data/images.ts (`px_y_x` for
 * greyscale, `px_y_x_r|g|b` for RGB, row-major, i.e. already NHWC), or null when the columns
 * are not exactly such a grid.
 */
export function imageShapeFromFeatureNames(names: readonly string[]): Shape | null {
  const last = /^px_(\d+)_(\d+)(?:_([rgb]))?$/.exec(names[names.length - 1] ?? '');
  if (!last) return null;
  const shape = { h: Number(last[1]) + 1, w: Number(last[2]) + 1, c: last[3] === undefined ? 1 : 3 };
  if (shape.h * shape.w * shape.c !== names.length) return null;
  const ch = ['r', 'g', 'b'];
  for (let k = 0; k < names.length; k++) {
    const c = k % shape.c;
    const x = Math.floor(k / shape.c) % shape.w;
    const y = Math.floor(k / (shape.c * shape.w));
    if (names[k] !== (shape.c === 1 ? `px_${y}_${x}` : `px_${y}_${x}_${ch[c]}`)) return null;
  }
  return shape;
}

/** The output shape of one layer applied to `s`; throws {@link ArchError} when it does not fit. */
export function layerOutputShape(layer: LayerSpec, s: Shape, index: number): Shape {
  if ((layer.kind === 'dense' || layer.kind === 'conv3x3') && !(Number.isInteger(layer.out) && layer.out >= 1)) {
    throw new ArchError(`Layer ${index} (${layer.kind}) has ${layer.out} outputs; its out must be a positive integer.`);
  }
  switch (layer.kind) {
    case 'dense':
      if (s.h !== 1 || s.w !== 1) throw new ArchError(`Layer ${index} (dense) gets an image ${s.h}×${s.w}×${s.c}; put a flatten layer before it.`);
      return { h: 1, w: 1, c: layer.out };
    case 'conv3x3':
      return { h: s.h, w: s.w, c: layer.out };
    case 'relu':
      return s;
    case 'avgpool2': {
      // Flax avg_pool with padding VALID: an odd last row or column is dropped.
      const out = { h: Math.floor(s.h / 2), w: Math.floor(s.w / 2), c: s.c };
      if (out.h < 1 || out.w < 1) throw new ArchError(`Layer ${index} (avgpool2) gets ${s.h}×${s.w}×${s.c}, too small to pool 2×2.`);
      return out;
    }
    case 'flatten':
      return { h: 1, w: 1, c: s.h * s.w * s.c };
  }
}

/** The activation shape after each layer (`[i]` is the output of `layers[i]`). */
export function layerShapes(arch: Architecture): Shape[] {
  const out: Shape[] = [];
  let s = arch.input;
  arch.layers.forEach((layer, i) => {
    s = layerOutputShape(layer, s, i);
    out.push(s);
  });
  return out;
}

/** Elements of one example's activation. */
export function shapeSize(s: Shape): number {
  return s.h * s.w * s.c;
}

/** Where each kernel and bias sits in θ: layer order, kernel before bias, no gaps. */
export function paramLayout(arch: Architecture): ParamSlot[] {
  const slots: ParamSlot[] = [];
  let offset = 0;
  let s = arch.input;
  arch.layers.forEach((layer, i) => {
    const next = layerOutputShape(layer, s, i);
    if (layer.kind === 'dense' || layer.kind === 'conv3x3') {
      const shape = layer.kind === 'dense' ? [s.c, layer.out] : [3, 3, s.c, layer.out];
      const size = shape.reduce((a, b) => a * b, 1);
      slots.push({ layer: i, name: 'kernel', offset, size, shape });
      offset += size;
      if (layer.bias) {
        slots.push({ layer: i, name: 'bias', offset, size: layer.out, shape: [layer.out] });
        offset += layer.out;
      }
    }
    s = next;
  });
  return slots;
}

/** Length of θ for `slots`. */
export function paramCount(slots: readonly ParamSlot[]): number {
  const last = slots[slots.length - 1];
  return last === undefined ? 0 : last.offset + last.size;
}

/** Width of the network's prediction (the final layer's output). */
export function outputCount(arch: Architecture): number {
  const shapes = layerShapes(arch);
  return shapeSize(shapes[shapes.length - 1] ?? arch.input);
}

/**
 * The CRONOS-AM split: `layers[0, featureEnd)` are the features φ and `layers[featureEnd]` is the
 * final Dense (the head). `features(featureEnd)` of a backend is φ(X). Throws when the last
 * layer is not a Dense.
 */
export function featureEnd(arch: Architecture): number {
  const last = arch.layers.length - 1;
  if (last < 0 || arch.layers[last].kind !== 'dense') throw new ArchError('The network does not end with a Dense layer, so it has no feature/head split.');
  return last;
}

/** Index of the last feature layer (`featureEnd − 1`; −1 when the network is one Dense). */
export function lastFeatureLayer(arch: Architecture): number {
  return featureEnd(arch) - 1;
}

/** θ[0, end) holds exactly the parameters of `layers[0, layerEnd)` (for `setTrainable`). */
export function paramsBefore(slots: readonly ParamSlot[], layerEnd: number): number {
  let end = 0;
  for (const s of slots) if (s.layer < layerEnd) end = s.offset + s.size;
  return end;
}

/** `mlp:256,256`-style text of an architecture's family, for titles and reports. */
export function describeArch(arch: Architecture): string {
  return arch.layers
    .map((l) => (l.kind === 'dense' || l.kind === 'conv3x3' ? `${l.kind === 'dense' ? 'Dense' : 'Conv3x3'}(${l.out}${l.bias ? '' : ', no bias'})` : l.kind === 'relu' ? 'ReLU' : l.kind === 'avgpool2' ? 'AvgPool2' : 'flatten'))
    .join('→');
}
