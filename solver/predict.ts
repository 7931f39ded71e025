/**
 * A trained model's outputs, whatever its method: its own `predict`, else the deep network's
 * forward pass (float64 CPU layers of solver/deep/cpu, in batches), else the plain two-layer
 * network. The CLI's accuracies and the page's confusion matrices go through here, so a deep
 * model (whose `network` is only its two-layer part, or empty) is scored on its real layers.
 */
import { EVAL_BATCH } from './deep/cpu/backend';
import { compileNetwork, forward } from './deep/cpu/network';
import { predictNetwork } from './recovery';
import type { TrainedModel } from './trainer';

/** The n × C scores of `model` (C = `model.network.C`) on n standardised rows `X` (n × d). */
export function predictModel(model: TrainedModel, X: Float64Array, n: number): Float64Array {
  if (model.predict) return model.predict(X, n);
  if (model.deep) return predictDeep(model.deep.arch, model.deep.theta, X, n, model.network.C);
  return predictNetwork(model.network, X, n);
}

function predictDeep(arch: Parameters<typeof compileNetwork>[0], theta: Float64Array, X: Float64Array, n: number, C: number): Float64Array {
  const net = compileNetwork(arch);
  const d = n > 0 ? X.length / n : 0;
  const out = new Float64Array(n * C);
  // Batches keep the activations of a wide network small (the backend's evaluation batch).
  for (let j = 0; j < n; j += EVAL_BATCH) {
    const B = Math.min(EVAL_BATCH, n - j);
    const y = forward(net, theta, X.subarray(j * d, (j + B) * d), B).output;
    if (y.length !== B * C) throw new Error(`predictModel: the network gives ${y.length / B} outputs per row, its model says ${C}.`);
    out.set(y, j * C);
  }
  return out;
}
