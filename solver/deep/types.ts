/**
 * The contract of the deep-network methods (Adam, AdamW, SGD, DAdapt-Adam, CRONOS-AM): the
 * architecture, the flat parameter layout, the optimizer settings, and the backend interface that
 * the float64 CPU reference and the WebGPU implementation both implement, so one trainer
 * (solver/deep/trainer.ts) drives either.
 *
 * Layout conventions (row-major everywhere, as Flax):
 * - Activations are NHWC, batch-major: row b of a dense activation is `b·width … b·width+width-1`;
 *   an image activation is `((b·H + y)·W + x)·C + c`. A CSV row of `H·W·C` pixels is already NHWC.
 * - A dense kernel is `in × out` (Flax's `Dense.kernel`); a 3×3 convolution kernel is HWIO,
 *   `((ky·3 + kx)·Cin + ci)·Cout + co`; biases are `out` long.
 * - All parameters of a network live in ONE flat vector θ, in layer order, kernel before bias, so an
 *   optimizer is one element-wise kernel over a range of θ and "freeze the head" is a shorter range.
 */
import type { DeviceKind } from '../types';

/** The shape of one example's activation: images H×W×C; dense vectors 1×1×width. */
export interface Shape {
  readonly h: number;
  readonly w: number;
  readonly c: number;
}

/** One layer of a network. Convolutions are 3×3, stride 1, 'same' zero padding (Flax's default). */
export type LayerSpec =
  | { readonly kind: 'dense'; readonly out: number; readonly bias: boolean }
  | { readonly kind: 'conv3x3'; readonly out: number; readonly bias: boolean }
  | { readonly kind: 'relu' }
  | { readonly kind: 'avgpool2' }
  | { readonly kind: 'flatten' };

/** A whole network: the input shape and its layers; the last layer's output is the prediction. */
export interface Architecture {
  readonly input: Shape;
  readonly layers: readonly LayerSpec[];
}

/** Where one parameter tensor sits in θ. */
export interface ParamSlot {
  /** Index into `Architecture.layers`. */
  readonly layer: number;
  readonly name: 'kernel' | 'bias';
  /** First element in θ. */
  readonly offset: number;
  readonly size: number;
  /** Dense: [in, out]; conv: [3, 3, cin, cout]; bias: [out]. */
  readonly shape: readonly number[];
}

/** The training loss: mean over the batch of Σ_outputs (f − y)² against ±1 targets (the paper's), or softmax cross-entropy. */
export type LossKind = 'mse' | 'softmax-ce';

/** The four first-order optimizers, each one fused element-wise update (spec §7.4 for DAdapt). */
export type OptimizerKind = 'sgd' | 'adam' | 'adamw' | 'dadapt-adam';

/** Settings of an optimizer (unused fields are ignored by the kinds that do not read them). */
export interface OptimizerConfig {
  readonly kind: OptimizerKind;
  /** Learning rate (DAdapt-Adam: the schedule value γ, 1 in the paper). */
  readonly lr: number;
  /** SGD momentum (heavy ball, PyTorch/optax form: m = μm + g; θ −= lr·m). */
  readonly momentum: number;
  readonly beta1: number;
  readonly beta2: number;
  readonly eps: number;
  /** AdamW / DAdapt: decoupled weight decay; Adam and SGD: 0 (no L2 term). */
  readonly weightDecay: number;
  /** DAdapt-Adam's initial distance estimate d₀. */
  readonly d0: number;
}

/** How minibatches are drawn: a fresh permutation each epoch, or with replacement (the official code's `jrn.choice`). */
export type Sampling = 'shuffle' | 'replacement';

/** Loss and accuracy of the network on a whole split. */
export interface Evaluation {
  readonly loss: number;
  readonly accuracy: number;
}

/**
 * The optimizer's state: moments shaped like θ (`m`, `v`, `s` as the kind needs) and its scalars
 * (`count`; DAdapt: `d`, `r`). Float64 on the CPU, float32 read back on the GPU.
 */
export interface OptimizerState {
  readonly scalars: Readonly<Record<string, number>>;
  readonly arrays: Readonly<Record<string, Float64Array>>;
}

/**
 * What a deep trainer needs from a device. The training rows (standardised, NHWC), their targets
 * and the test rows are given at creation and stay on the device. One `step` is one minibatch:
 * forward, loss, backward, one optimizer update of θ[0, trainable) — everything on the device;
 * the batch loss is accumulated there and read only by `takeLoss`.
 */
export interface DeepBackend {
  readonly device: DeviceKind;
  readonly arch: Architecture;
  readonly slots: readonly ParamSlot[];
  /** Length of θ. */
  readonly paramCount: number;
  /** One minibatch update on the training rows `rows` (indices, any order, may repeat). */
  step(rows: Uint32Array): void;
  /** The mean batch loss of the steps since the last call, and their count (one small read-back). */
  takeLoss(): Promise<{ loss: number; steps: number }>;
  /** DAdapt-Adam's current d (1 for the other kinds), read back. */
  dEstimate(): Promise<number>;
  /** Loss and accuracy on the training or the test rows (full pass, batched on the device). */
  evaluate(split: 'train' | 'test'): Promise<Evaluation>;
  /** The network's outputs for the rows of `split` (n × outputs), e.g. for predictions. */
  predict(split: 'train' | 'test'): Promise<Float64Array>;
  /** θ read back as float64. */
  getParams(): Promise<Float64Array>;
  setParams(theta: Float64Array): void;
  getOptimizerState(): Promise<OptimizerState>;
  setOptimizerState(state: OptimizerState): void;
  /** Only θ[0, n) is updated by `step` (CRONOS-AM freezes the head); default: all of θ. */
  setTrainable(n: number): void;
  /**
   * The activations after layer `upTo` (exclusive end index into `layers`) for every training
   * row, n × width (CRONOS-AM's φ(X)). The GPU backend may return a GPU buffer instead through
   * its own API; this is the portable form.
   */
  features(upTo: number): Promise<Float64Array>;
  /** Why its GPU device was lost, or null while it is fine (absent on the CPU). */
  deviceLost?(): string | null;
  /** Destroys its GPU device (the device-loss test hooks; absent on the CPU). */
  loseDevice?(): void;
  /** Frees every GPU buffer it made. */
  dispose(): void;
}

/** One split's rows on the device. */
export interface DeepSplit {
  /** n × (H·W·C), standardised, NHWC. */
  readonly X: Float64Array;
  /** n × outputs targets: ±1 per output for 'mse' (one-vs-all), one-hot for 'softmax-ce'. */
  readonly Y: Float64Array;
  /** Class of each row (0/1 for binary): accuracy is sign(f) = ±1 (one output) or argmax. */
  readonly labels: Int32Array;
}

/** What both backends are built from (`createCpuDeepBackend`, `createGpuDeepBackend`). */
export interface DeepBackendInit {
  readonly arch: Architecture;
  readonly loss: LossKind;
  readonly optimizer: OptimizerConfig;
  readonly train: DeepSplit;
  readonly test: DeepSplit | null;
  /** The initial θ (solver/deep/init.ts: seeded, Flax's lecun_normal kernels, zero biases). */
  readonly theta: Float64Array;
}
