/**
 * The four float64 optimizer updates against hand-computed steps and closed forms: Adam's first
 * step is lr·sign(g) and its second a worked example; AdamW's decay uses θ before the update;
 * SGD with momentum under a constant gradient; DAdapt-Adam's first step moves by d₀, its d never
 * decreases and grows on a quadratic, and ‖s‖₁ = 0 leaves d finite; only θ[0, trainable) moves.
 */
import { describe, expect, it } from 'vitest';
import { OPTIMIZER_DEFAULTS, exportOptimizerState, importOptimizerState, initOptimizerState, optimizerStep } from '../../../solver/deep/optimizers';
import type { OptimizerConfig, OptimizerKind } from '../../../solver/deep/types';
import { gaussian } from '../../support/cpu-fixtures';

function config(kind: OptimizerKind, over: Partial<OptimizerConfig> = {}): OptimizerConfig {
  const { beta1, beta2, eps, d0 } = OPTIMIZER_DEFAULTS;
  return { kind, lr: 0.1, momentum: 0, beta1, beta2, eps, weightDecay: 0, d0, ...over };
}

/** Runs the gradients `gs` (a function of the step and θ) for `steps` steps from θ0. */
function run(c: OptimizerConfig, theta0: ArrayLike<number>, steps: number, grad: (k: number, theta: Float64Array) => Float64Array, trainable = theta0.length) {
  const theta = Float64Array.from(theta0);
  const st = initOptimizerState(c, theta.length);
  const ds: number[] = [];
  for (let k = 0; k < steps; k++) {
    optimizerStep(c, st, theta, grad(k, theta), trainable);
    ds.push(st.d);
  }
  return { theta, st, ds };
}

describe('Adam (optax)', () => {
  it('the first step is lr·sign(g) element-wise (to ε/|g|)', () => {
    const g = Float64Array.of(3, -0.5, 1e-3, -200);
    const { theta } = run(config('adam', { lr: 0.01 }), [0, 0, 0, 0], 1, () => g);
    for (let i = 0; i < g.length; i++) expect(Math.abs(theta[i] + 0.01 * Math.sign(g[i]))).toBeLessThan((0.01 * 1e-8) / Math.abs(g[i]) + 1e-18);
  });

  it('two steps with g = 1 then −1: m̂₂ = −1/19, v̂₂ = 1 (worked by hand)', () => {
    // m₁ = 0.1, v₁ = 0.001; m₂ = 0.09 − 0.1 = −0.01, m̂₂ = −0.01/(1 − 0.81) = −1/19;
    // v₂ = 0.000999 + 0.001 = 0.001999 = 1 − 0.999², so v̂₂ = 1.
    const lr = 0.1;
    const { theta, st } = run(config('adam', { lr }), [1], 2, (k) => Float64Array.of(k === 0 ? 1 : -1));
    const expected = 1 - lr / (1 + 1e-8) + (lr * (1 / 19)) / (1 + 1e-8);
    expect(theta[0]).toBeCloseTo(expected, 14);
    expect(st.count).toBe(2);
  });
});

describe('AdamW (optax)', () => {
  it('with zero gradient θ shrinks by (1 − lr·wd) per step exactly', () => {
    const lr = 0.1, wd = 0.05;
    const { theta } = run(config('adamw', { lr, weightDecay: wd }), [2, -3], 5, () => Float64Array.of(0, 0));
    expect(theta[0]).toBeCloseTo(2 * (1 - lr * wd) ** 5, 14);
    expect(theta[1]).toBeCloseTo(-3 * (1 - lr * wd) ** 5, 14);
  });

  it('the decay uses θ before the update, inside the lr scaling: θ₁ = θ₀ − lr·(sign g + wd·θ₀)', () => {
    const lr = 0.1, wd = 0.01;
    const { theta } = run(config('adamw', { lr, weightDecay: wd }), [2], 1, () => Float64Array.of(0.5));
    expect(theta[0]).toBeCloseTo(2 - lr * (0.5 / (0.5 + 1e-8) + wd * 2), 14);
    // Adam ignores the weight decay field.
    expect(run(config('adam', { lr, weightDecay: wd }), [2], 1, () => Float64Array.of(0.5)).theta[0]).toBeCloseTo(2 - lr * (0.5 / (0.5 + 1e-8)), 14);
  });
});

describe('SGD with momentum', () => {
  it('constant g: θ_k = θ₀ − lr·g/(1−μ)·(k − μ(1−μ^k)/(1−μ))', () => {
    const lr = 0.05, mu = 0.9, g = 2, k = 7;
    const { theta } = run(config('sgd', { lr, momentum: mu }), [1], k, () => Float64Array.of(g));
    expect(theta[0]).toBeCloseTo(1 - ((lr * g) / (1 - mu)) * (k - (mu * (1 - mu ** k)) / (1 - mu)), 13);
    // μ = 0 is plain gradient descent.
    expect(run(config('sgd', { lr, momentum: 0 }), [1], k, () => Float64Array.of(g)).theta[0]).toBeCloseTo(1 - k * lr * g, 14);
  });
});

describe('DAdapt-Adam (optax dadapt_adamw, spec §7.4)', () => {
  const quad = (target: Float64Array) => (_k: number, theta: Float64Array) => theta.map((t, i) => t - target[i]);

  it('the first step moves every coordinate by d₀·sign(g) (s = 0, so d stays d₀)', () => {
    // dlr = d₀·√(1−β2)/(1−β1); m = (1−β1)·dlr·g, √v = √(1−β2)|g| ⇒ Δθ = d₀·sign g (to ε).
    const g = Float64Array.of(0.7, -4, 1e-2);
    const { theta, ds } = run(config('dadapt-adam', { lr: 1 }), [0, 0, 0], 1, () => g);
    expect(ds[0]).toBe(1e-6);
    for (let i = 0; i < 3; i++) expect(theta[i] / -Math.sign(g[i])).toBeCloseTo(1e-6, 10);
  });

  it('two steps with g = 1: d₂ = d₀·bc₁·bc₂/((√(1−β2) + ε)(√β2·bc₁ + bc₂)) (worked by hand; num uses the old s, v)', () => {
    // Step 1: s₀ = 0 ⇒ num = r = 0, d₁ = d₀; s₁ = (1−√β2)·dlr₁, v₁ = 1−β2.
    // Step 2: num = s₁/(√v₁ + ε); s₂ = (1−√β2)(√β2·dlr₁ + dlr₂); r₂ = (1−√β2)·dlr₂·num;
    // d₂ = r₂/((1−√β2)·s₂) with dlr_t = d₀·bc_t, bc_t = √(1−β2^t)/(1−β1^t).
    const b1 = 0.9, b2 = 0.999, eps = 1e-8, d0 = 1e-6;
    const bc1 = Math.sqrt(1 - b2) / (1 - b1);
    const bc2 = Math.sqrt(1 - b2 * b2) / (1 - b1 * b1);
    const d2 = (d0 * bc1 * bc2) / ((Math.sqrt(1 - b2) + eps) * (Math.sqrt(b2) * bc1 + bc2));
    const { ds } = run(config('dadapt-adam', { lr: 1 }), [0], 2, () => Float64Array.of(1));
    expect(ds[0]).toBe(d0);
    expect(ds[1] / d2).toBeCloseTo(1, 12);
    expect(d2).toBeGreaterThan(4e-6);
  });

  it('d never decreases and grows by orders of magnitude on a quadratic; the iterate approaches the optimum', () => {
    const target = gaussian(20, 3).map((v) => 3 * v);
    const { theta, ds } = run(config('dadapt-adam', { lr: 1 }), new Float64Array(20), 300, quad(target));
    for (let k = 1; k < ds.length; k++) expect(ds[k]).toBeGreaterThanOrEqual(ds[k - 1]);
    expect(ds[ds.length - 1]).toBeGreaterThan(1e-3);
    let err = 0, norm = 0;
    for (let i = 0; i < 20; i++) {
      err += (theta[i] - target[i]) ** 2;
      norm += target[i] ** 2;
    }
    expect(Math.sqrt(err / norm)).toBeLessThan(0.5);
  });

  it('‖s‖₁ = 0 (every gradient 0) keeps d = d₀ and θ finite (optax gives NaN)', () => {
    const { theta, ds, st } = run(config('dadapt-adam', { lr: 1 }), [1, 2], 3, () => Float64Array.of(0, 0));
    expect(ds).toEqual([1e-6, 1e-6, 1e-6]);
    expect(Array.from(theta)).toEqual([1, 2]);
    expect(Number.isFinite(st.r)).toBe(true);
  });

  it('weight decay subtracts wd·dlr·θ_old', () => {
    const wd = 0.5;
    const { theta } = run(config('dadapt-adam', { lr: 1, weightDecay: wd }), [4], 1, () => Float64Array.of(0));
    const dlr = (1e-6 * Math.sqrt(1 - 0.999)) / (1 - 0.9);
    expect(theta[0]).toBeCloseTo(4 - wd * dlr * 4, 15);
  });
});

describe('the trainable range', () => {
  for (const kind of ['sgd', 'adam', 'adamw', 'dadapt-adam'] as const) {
    it(`${kind}: θ[trainable, n) is untouched and the sums run over [0, trainable) only`, () => {
      const c = config(kind, { momentum: 0.5, weightDecay: 0.01 });
      const g = (k: number) => gaussian(10, 40 + k);
      const frozen = run(c, gaussian(10, 1), 4, g, 6);
      const short = run(c, gaussian(10, 1).slice(0, 6), 4, (k) => g(k).slice(0, 6));
      expect(Array.from(frozen.theta.slice(6))).toEqual(Array.from(gaussian(10, 1).slice(6)));
      expect(Array.from(frozen.theta.slice(0, 6))).toEqual(Array.from(short.theta));
      expect(frozen.ds).toEqual(short.ds);
    });
  }
});

describe('state export and import', () => {
  it('a restored DAdapt state continues exactly; a short moment is refused by name', () => {
    const c = config('dadapt-adam');
    const a = run(c, gaussian(5, 2), 3, (k) => gaussian(5, 60 + k));
    const copy = importOptimizerState(c, 5, exportOptimizerState('dadapt-adam', a.st));
    const thetaB = a.theta.slice();
    optimizerStep(c, a.st, a.theta, gaussian(5, 99), 5);
    optimizerStep(c, copy, thetaB, gaussian(5, 99), 5);
    expect(Array.from(thetaB)).toEqual(Array.from(a.theta));
    expect(copy.d).toBe(a.st.d);
    const bad = exportOptimizerState('dadapt-adam', a.st);
    expect(() => importOptimizerState(c, 5, { scalars: bad.scalars, arrays: { ...bad.arrays, s: new Float64Array(4) } })).toThrow(/moment "s" with 5 values; it has 4/);
    expect(() => importOptimizerState(c, 5, { scalars: { ...bad.scalars, d: NaN }, arrays: bad.arrays })).toThrow(/"d" \(NaN\)/);
  });
});
