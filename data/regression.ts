/**
 * Regression on the CRONOS objective: the solver fits Y = standardised target with the same
 * ½‖·‖² loss, so only the target scaling and the reported metrics differ from classification.
 */

/** Mean squared error and coefficient of determination of a prediction. */
export interface RegressionMetrics {
  mse: number;
  /** 1 − SS_res/SS_tot; for a constant target 1 when exact, else 0 (sklearn's convention). */
  r2: number;
  n: number;
}

/** MSE and R² of `pred` against `target` (same length ≥ 1, same units). */
export function regressionMetrics(pred: ArrayLike<number>, target: ArrayLike<number>): RegressionMetrics {
  const n = target.length;
  if (pred.length !== n) throw new RangeError(`prediction has ${pred.length} values, target ${n}`);
  if (n === 0) throw new RangeError('regression metrics need at least one value');
  let mean = 0;
  for (let i = 0; i < n; i++) mean += target[i];
  mean /= n;
  let ssRes = 0;
  let ssTot = 0;
  for (let i = 0; i < n; i++) {
    const e = pred[i] - target[i];
    const t = target[i] - mean;
    ssRes += e * e;
    ssTot += t * t;
  }
  const r2 = ssTot > 0 ? 1 - ssRes / ssTot : ssRes === 0 ? 1 : 0;
  return { mse: ssRes / n, r2, n };
}

/** Affine map between the target's units and the solver's standardised target. */
export interface TargetScale {
  mean: number;
  /** Population std; 1 when the training target is constant (so the map stays invertible). */
  std: number;
}

/**
 * Mean and std of the training target. The group-lasso weight β is tuned for O(1) targets
 * like ±1, so a target in, say, dollars is standardised before solving.
 */
export function fitTargetScale(target: ArrayLike<number>): TargetScale {
  const n = target.length;
  let mean = 0;
  for (let i = 0; i < n; i++) mean += target[i];
  mean = n > 0 ? mean / n : 0;
  let v = 0;
  for (let i = 0; i < n; i++) v += (target[i] - mean) ** 2;
  const std = n > 0 ? Math.sqrt(v / n) : 0;
  return { mean, std: std > 0 ? std : 1 };
}

/** (target − mean)/std: the Y the solver trains on (C = 1). */
export function scaleTarget(target: ArrayLike<number>, s: TargetScale): Float64Array {
  return Float64Array.from(target, (t) => (t - s.mean) / s.std);
}

/** pred·std + mean: a solver prediction back in the target's units. */
export function unscaleTarget(pred: ArrayLike<number>, s: TargetScale): Float64Array {
  return Float64Array.from(pred, (p) => p * s.std + s.mean);
}
