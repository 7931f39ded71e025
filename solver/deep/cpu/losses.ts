/**
 * The two training losses and the accuracy rule of the deep methods, in float64, on B×O outputs
 * f and targets y (solver/deep/types.ts: ±1 per output for 'mse', one-hot for 'softmax-ce').
 * Each loss is the MEAN over the batch, so the gradient carries the 1/B.
 */
import type { LossKind } from '../types';

/** A batch's mean loss and, when asked, its gradient with respect to f (B×O). */
export interface LossResult {
  readonly loss: number;
  readonly grad: Float64Array | null;
}

/** (1/B) Σ_b Σ_o (f − y)² (the paper's MSE, no ½); gradient 2(f − y)/B. */
export function mseLoss(f: Float64Array, y: Float64Array, B: number, wantGrad: boolean): LossResult {
  const grad = wantGrad ? new Float64Array(f.length) : null;
  let sum = 0;
  for (let i = 0; i < f.length; i++) {
    const r = f[i] - y[i];
    sum += r * r;
    if (grad) grad[i] = (2 * r) / B;
  }
  return { loss: sum / B, grad };
}

/**
 * (1/B) Σ_b −Σ_o y·log softmax(f), with the max subtracted before exp (stable for any f);
 * gradient (softmax(f)·Σ_o y − y)/B, which is (p − y)/B for one-hot y.
 */
export function softmaxCrossEntropy(f: Float64Array, y: Float64Array, B: number, O: number, wantGrad: boolean): LossResult {
  const grad = wantGrad ? new Float64Array(f.length) : null;
  let sum = 0;
  for (let b = 0; b < B; b++) {
    const r = b * O;
    let max = -Infinity;
    for (let o = 0; o < O; o++) if (f[r + o] > max) max = f[r + o];
    let z = 0;
    for (let o = 0; o < O; o++) z += Math.exp(f[r + o] - max);
    // Shifted by the max, not by log Z: f − max is exact, so large logits lose no digits.
    const logZ = Math.log(z);
    let ysum = 0;
    for (let o = 0; o < O; o++) {
      ysum += y[r + o];
      if (y[r + o] !== 0) sum -= y[r + o] * (f[r + o] - max - logZ);
    }
    if (grad) for (let o = 0; o < O; o++) grad[r + o] = ((Math.exp(f[r + o] - max) / z) * ysum - y[r + o]) / B;
  }
  return { loss: sum / B, grad };
}

/** The loss `kind` of a batch of B rows with O outputs. */
export function lossOf(kind: LossKind, f: Float64Array, y: Float64Array, B: number, O: number, wantGrad: boolean): LossResult {
  return kind === 'mse' ? mseLoss(f, y, B, wantGrad) : softmaxCrossEntropy(f, y, B, O, wantGrad);
}

/**
 * Rows classified correctly: one output, sign(f) against ±1 of the label (label 1 is +1; f = 0
 * counts as wrong, as CRONOS's accuracy); several, the first argmax against the label.
 */
export function countCorrect(f: Float64Array, labels: Int32Array, B: number, O: number): number {
  let correct = 0;
  for (let b = 0; b < B; b++) {
    if (O === 1) {
      if (f[b] * (labels[b] === 1 ? 1 : -1) > 0) correct++;
      continue;
    }
    let best = 0;
    for (let o = 1; o < O; o++) if (f[b * O + o] > f[b * O + best]) best = o;
    if (best === labels[b]) correct++;
  }
  return correct;
}
