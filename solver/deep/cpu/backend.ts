/**
 * The float64 CPU implementation of {@link DeepBackend}: the reference the WebGPU backend is
 * tested against, and the fallback where there is no WebGPU. Everything is exact float64 and
 * deterministic, so a saved state continues bit for bit.
 */
import { shapeSize } from '../arch';
import { exportOptimizerState, importOptimizerState, initOptimizerState, optimizerStep, type MutableOptimizerState } from '../optimizers';
import type { DeepBackend, DeepBackendInit, DeepSplit, Evaluation, OptimizerState } from '../types';
import { countCorrect, lossOf } from './losses';
import { backward, compileNetwork, forward, type CompiledNetwork } from './network';

/** Rows per forward pass when evaluating a whole split (bounds the memory of the tape). */
export const EVAL_BATCH = 256;

/** Copies rows `rows` of the n × width matrix `a`. */
export function gatherRows(a: Float64Array, width: number, rows: ArrayLike<number>): Float64Array {
  const out = new Float64Array(rows.length * width);
  for (let k = 0; k < rows.length; k++) out.set(a.subarray(rows[k] * width, (rows[k] + 1) * width), k * width);
  return out;
}

function checkSplit(name: string, s: DeepSplit, inWidth: number, outputs: number): number {
  const n = s.labels.length;
  if (s.X.length !== n * inWidth) throw new Error(`The ${name} rows hold ${s.X.length} values, not ${n} rows × ${inWidth} inputs of the architecture.`);
  if (s.Y.length !== n * outputs) throw new Error(`The ${name} targets hold ${s.Y.length} values, not ${n} rows × ${outputs} outputs.`);
  return n;
}

class CpuDeepBackend implements DeepBackend {
  readonly device = 'cpu' as const;
  readonly net: CompiledNetwork;
  private theta: Float64Array;
  private opt: MutableOptimizerState;
  private trainable: number;
  private lossSum = 0;
  private lossSteps = 0;
  private readonly inWidth: number;
  private readonly outputs: number;
  private readonly nTrain: number;

  constructor(private readonly init: DeepBackendInit) {
    this.net = compileNetwork(init.arch);
    if (init.theta.length !== this.net.paramCount) throw new Error(`θ has ${init.theta.length} values; the architecture has ${this.net.paramCount} parameters.`);
    this.inWidth = shapeSize(init.arch.input);
    this.outputs = shapeSize(this.net.inShapes[this.net.inShapes.length - 1]);
    this.nTrain = checkSplit('training', init.train, this.inWidth, this.outputs);
    if (this.nTrain < 1) throw new Error('There are no training rows.');
    if (init.test) checkSplit('test', init.test, this.inWidth, this.outputs);
    this.theta = init.theta.slice();
    this.opt = initOptimizerState(init.optimizer, this.net.paramCount);
    this.trainable = this.net.paramCount;
  }

  get arch(): DeepBackendInit['arch'] {
    return this.init.arch;
  }

  get slots(): CompiledNetwork['slots'] {
    return this.net.slots;
  }

  get paramCount(): number {
    return this.net.paramCount;
  }

  step(rows: Uint32Array): void {
    const B = rows.length;
    if (B === 0) throw new Error('A minibatch needs at least one row.');
    for (const r of rows) if (r >= this.nTrain) throw new Error(`Row ${r} is not a training row (there are ${this.nTrain}).`);
    const { train } = this.init;
    const tape = forward(this.net, this.theta, gatherRows(train.X, this.inWidth, rows), B);
    const { loss, grad } = lossOf(this.init.loss, tape.output, gatherRows(train.Y, this.outputs, rows), B, this.outputs, true);
    const g = new Float64Array(this.net.paramCount);
    backward(this.net, this.theta, tape, grad as Float64Array, g);
    optimizerStep(this.init.optimizer, this.opt, this.theta, g, this.trainable);
    this.lossSum += loss;
    this.lossSteps += 1;
  }

  takeLoss(): Promise<{ loss: number; steps: number }> {
    const out = { loss: this.lossSteps > 0 ? this.lossSum / this.lossSteps : NaN, steps: this.lossSteps };
    this.lossSum = 0;
    this.lossSteps = 0;
    return Promise.resolve(out);
  }

  dEstimate(): Promise<number> {
    return Promise.resolve(this.opt.d);
  }

  private split(name: 'train' | 'test'): DeepSplit {
    const s = name === 'train' ? this.init.train : this.init.test;
    if (!s) throw new Error('There is no test split to evaluate.');
    return s;
  }

  /** Outputs of `layers[0, upTo)` for every row of `s`, in batches of {@link EVAL_BATCH}. */
  private passes(s: DeepSplit, upTo: number, each: (out: Float64Array, start: number, B: number) => void): void {
    const n = s.labels.length;
    for (let start = 0; start < n; start += EVAL_BATCH) {
      const B = Math.min(EVAL_BATCH, n - start);
      const tape = forward(this.net, this.theta, s.X.subarray(start * this.inWidth, (start + B) * this.inWidth), B, upTo);
      each(tape.output, start, B);
    }
  }

  // async: a missing split or a bad argument rejects rather than throws.
  async evaluate(name: 'train' | 'test'): Promise<Evaluation> {
    const s = this.split(name);
    const n = s.labels.length;
    let loss = 0;
    let correct = 0;
    this.passes(s, this.net.arch.layers.length, (f, start, B) => {
      const y = s.Y.subarray(start * this.outputs, (start + B) * this.outputs);
      loss += lossOf(this.init.loss, f, y, B, this.outputs, false).loss * B;
      correct += countCorrect(f, s.labels.subarray(start, start + B), B, this.outputs);
    });
    return n === 0 ? { loss: NaN, accuracy: NaN } : { loss: loss / n, accuracy: correct / n };
  }

  async predict(name: 'train' | 'test'): Promise<Float64Array> {
    return this.activations(this.split(name), this.net.arch.layers.length);
  }

  private activations(s: DeepSplit, upTo: number): Float64Array {
    const width = shapeSize(this.net.inShapes[upTo]);
    const out = new Float64Array(s.labels.length * width);
    this.passes(s, upTo, (a, start) => out.set(a, start * width));
    return out;
  }

  getParams(): Promise<Float64Array> {
    return Promise.resolve(this.theta.slice());
  }

  setParams(theta: Float64Array): void {
    if (theta.length !== this.net.paramCount) throw new Error(`setParams got ${theta.length} values; θ has ${this.net.paramCount}.`);
    this.theta = theta.slice();
  }

  getOptimizerState(): Promise<OptimizerState> {
    return Promise.resolve(exportOptimizerState(this.init.optimizer.kind, this.opt));
  }

  setOptimizerState(state: OptimizerState): void {
    this.opt = importOptimizerState(this.init.optimizer, this.net.paramCount, state);
  }

  setTrainable(n: number): void {
    if (!(Number.isInteger(n) && n >= 0 && n <= this.net.paramCount)) throw new Error(`setTrainable(${n}): the count must be a whole number in [0, ${this.net.paramCount}].`);
    this.trainable = n;
  }

  async features(upTo: number): Promise<Float64Array> {
    if (!(Number.isInteger(upTo) && upTo >= 0 && upTo <= this.net.arch.layers.length)) throw new Error(`features(${upTo}): the layer end must be in [0, ${this.net.arch.layers.length}].`);
    return this.activations(this.init.train, upTo);
  }

  dispose(): void {
    // Nothing on a device; the arrays go with the object.
  }
}

/** The float64 CPU backend for `init` (throws naming a size mismatch of θ or the splits). */
export function createCpuDeepBackend(init: DeepBackendInit): DeepBackend {
  return new CpuDeepBackend(init);
}
