/**
 * The float64 reference of the four optimizer updates, exactly as the WebGPU kernels implement
 * them (one element-wise pass over θ[0, trainable) plus, for DAdapt, two reductions):
 *
 * - SGD (heavy ball, PyTorch/optax form): m ← μm + g; θ ← θ − lr·m.
 * - Adam (optax): m ← β1m + (1−β1)g; v ← β2v + (1−β2)g²; t = count + 1;
 *   θ ← θ − lr·(m/(1−β1^t)) / (√(v/(1−β2^t)) + ε).
 * - AdamW (optax adamw): θ ← θ − lr·(m̂/(√v̂ + ε) + wd·θ_old).
 * - DAdapt-Adam (optax contrib dadapt_adamw, spec §7.4): see {@link dadaptStep}; the one change
 *   from optax is the guard ‖s‖₁ = 0 ⇒ d unchanged (optax: 0/0 = NaN).
 *
 * Only θ[0, trainable) moves, and DAdapt's sums run over that range only (CRONOS-AM freezes the
 * head, like optax multi_transform handing the transform only the feature subtree).
 */
import type { OptimizerConfig, OptimizerKind, OptimizerState } from './types';

/** The defaults of the optimizer settings (optax's; the paper runs DAdapt with lr = 1). */
export const OPTIMIZER_DEFAULTS = { beta1: 0.9, beta2: 0.999, eps: 1e-8, d0: 1e-6, dadaptLr: 1 } as const;

/** The moment arrays each kind keeps (all shaped like θ). */
export function momentNames(kind: OptimizerKind): readonly ('m' | 'v' | 's')[] {
  switch (kind) {
    case 'sgd':
      return ['m'];
    case 'adam':
    case 'adamw':
      return ['m', 'v'];
    case 'dadapt-adam':
      return ['m', 'v', 's'];
  }
}

/** The scalars each kind keeps: the step count, and DAdapt's d and r. */
export function scalarNames(kind: OptimizerKind): readonly string[] {
  return kind === 'dadapt-adam' ? ['count', 'd', 'r'] : ['count'];
}

/** The mutable float64 state of one optimizer. */
export interface MutableOptimizerState {
  count: number;
  /** DAdapt's distance estimate (1 for the other kinds, so reports can always show it). */
  d: number;
  /** DAdapt's weighted numerator. */
  r: number;
  readonly m: Float64Array;
  readonly v: Float64Array | null;
  readonly s: Float64Array | null;
}

/** A fresh state for θ of length `n`: zero moments, count 0, d = d₀ (DAdapt). */
export function initOptimizerState(config: OptimizerConfig, n: number): MutableOptimizerState {
  const names = momentNames(config.kind);
  return {
    count: 0,
    d: config.kind === 'dadapt-adam' ? config.d0 : 1,
    r: 0,
    m: new Float64Array(n),
    v: names.includes('v') ? new Float64Array(n) : null,
    s: names.includes('s') ? new Float64Array(n) : null,
  };
}

/** One update of θ[0, trainable) with gradient g (both length ≥ trainable). */
export function optimizerStep(config: OptimizerConfig, st: MutableOptimizerState, theta: Float64Array, g: Float64Array, trainable: number): void {
  switch (config.kind) {
    case 'sgd':
      sgdStep(config, st, theta, g, trainable);
      break;
    case 'adam':
    case 'adamw':
      adamStep(config, st, theta, g, trainable, config.kind === 'adamw' ? config.weightDecay : 0);
      break;
    case 'dadapt-adam':
      dadaptStep(config, st, theta, g, trainable);
      break;
  }
  st.count += 1;
}

/** m ← μm + g; θ ← θ − lr·m. */
function sgdStep(c: OptimizerConfig, st: MutableOptimizerState, theta: Float64Array, g: Float64Array, n: number): void {
  const m = st.m;
  for (let i = 0; i < n; i++) {
    m[i] = c.momentum * m[i] + g[i];
    theta[i] -= c.lr * m[i];
  }
}

/** optax adam / adamw (wd > 0: the decay uses θ before this update, inside the same lr scaling). */
function adamStep(c: OptimizerConfig, st: MutableOptimizerState, theta: Float64Array, g: Float64Array, n: number, wd: number): void {
  const m = st.m;
  const v = st.v as Float64Array;
  const t = st.count + 1;
  const bc1 = 1 - c.beta1 ** t;
  const bc2 = 1 - c.beta2 ** t;
  for (let i = 0; i < n; i++) {
    m[i] = c.beta1 * m[i] + (1 - c.beta1) * g[i];
    v[i] = c.beta2 * v[i] + (1 - c.beta2) * g[i] * g[i];
    const u = m[i] / bc1 / (Math.sqrt(v[i] / bc2) + c.eps);
    theta[i] -= c.lr * (u + wd * theta[i]);
  }
}

/**
 * optax dadapt_adamw at step t = count + 1, schedule value γ = lr (spec §7.4):
 * bc = √(1−β2^t)/(1−β1^t); dlr = d·γ·bc (old d); num = ⟨g, s/(√v + ε)⟩ (old s, v);
 * m ← β1m + (1−β1)·dlr·g; v ← β2v + (1−β2)g²; s ← √β2·s + (1−√β2)·dlr·g;
 * r ← √β2·r + (1−√β2)·dlr·num; d ← max(d, r/((1−√β2)‖s‖₁)) unless ‖s‖₁ = 0;
 * θ ← θ − m/(√v + ε) − wd·dlr·θ (new m, v; θ before the update).
 */
function dadaptStep(c: OptimizerConfig, st: MutableOptimizerState, theta: Float64Array, g: Float64Array, n: number): void {
  const m = st.m;
  const v = st.v as Float64Array;
  const s = st.s as Float64Array;
  const t = st.count + 1;
  const sb2 = Math.sqrt(c.beta2);
  const bc = Math.sqrt(1 - c.beta2 ** t) / (1 - c.beta1 ** t);
  const dlr = st.d * c.lr * bc;
  let num = 0;
  for (let i = 0; i < n; i++) num += g[i] * (s[i] / (Math.sqrt(v[i]) + c.eps));
  let sNorm = 0;
  for (let i = 0; i < n; i++) {
    m[i] = c.beta1 * m[i] + (1 - c.beta1) * dlr * g[i];
    v[i] = c.beta2 * v[i] + (1 - c.beta2) * g[i] * g[i];
    s[i] = sb2 * s[i] + (1 - sb2) * dlr * g[i];
    sNorm += Math.abs(s[i]);
  }
  st.r = sb2 * st.r + (1 - sb2) * dlr * num;
  if (sNorm > 0) st.d = Math.max(st.d, st.r / ((1 - sb2) * sNorm));
  for (let i = 0; i < n; i++) theta[i] -= m[i] / (Math.sqrt(v[i]) + c.eps) + c.weightDecay * dlr * theta[i];
}

/** The portable copy of a state (the backends' `getOptimizerState`). */
export function exportOptimizerState(kind: OptimizerKind, st: MutableOptimizerState): OptimizerState {
  const arrays: Record<string, Float64Array> = { m: st.m.slice() };
  if (st.v) arrays.v = st.v.slice();
  if (st.s) arrays.s = st.s.slice();
  const scalars: Record<string, number> = { count: st.count };
  if (kind === 'dadapt-adam') Object.assign(scalars, { d: st.d, r: st.r });
  return { scalars, arrays };
}

/**
 * A state for `kind` and θ of length `n` from a portable copy; throws naming what is missing or
 * of the wrong length (saved states are user input).
 */
export function importOptimizerState(config: OptimizerConfig, n: number, state: OptimizerState): MutableOptimizerState {
  const st = initOptimizerState(config, n);
  for (const name of momentNames(config.kind)) {
    const a = state.arrays[name];
    if (!a || a.length !== n) throw new Error(`The ${config.kind} optimizer state needs the moment "${name}" with ${n} values; it has ${a ? a.length : 'none'}.`);
    (st[name] as Float64Array).set(a);
  }
  for (const name of scalarNames(config.kind)) {
    const x = state.scalars[name];
    if (typeof x !== 'number' || !Number.isFinite(x)) throw new Error(`The ${config.kind} optimizer state's "${name}" (${String(x)}) is not a finite number.`);
  }
  st.count = state.scalars.count;
  if (!Number.isInteger(st.count) || st.count < 0) throw new Error(`The optimizer state's step count ${st.count} is not a whole number ≥ 0.`);
  if (config.kind === 'dadapt-adam') {
    st.d = state.scalars.d;
    st.r = state.scalars.r;
  }
  return st;
}
