import { describe, expect, it } from 'vitest';
import { CpuSolver } from '../../../solver/cpu/admm';
import { signTargets } from '../../../solver/problem';
import {
  accuracyFromLabels,
  accuracyFromTargets,
  columnNorms,
  coneViolation,
  convexObjective,
  convexOutputs,
  nonConvexObjective,
  predictNetwork,
  recoverNetwork,
} from '../../../solver/recovery';
import type { ModelKind, Problem } from '../../../solver/types';
import { gaussian, makeProblem, relErr, testConfig } from '../../support/cpu-fixtures';

/** Runs the exact-solve ADMM to its stopping rule. */
function solve(p: Problem, tol: number): Float64Array {
  const solver = new CpuSolver(p, testConfig(p, { rho: 0.5, adaptiveRho: true, tol }), undefined, { exactSolve: true });
  for (let k = 0; k < 20000; k++) if (solver.stepSync().converged) break;
  return solver.state().U;
}

describe.each<[ModelKind, number]>([
  ['relu', 2],
  ['relu', 3],
  ['gated', 2],
  ['gated', 3],
])('recovery identity (%s, %i classes)', (model, classes) => {
  const p = makeProblem({ model, n: 40, d: 4, P: 6, beta: 0.5, seed: 12, classes });
  const U = solve(p, 1e-9);

  it('relu(XW1)w2 = Fu and the non-convex objective equals the convex one when the cones hold', () => {
    expect(coneViolation(p, U)).toBeLessThan(1e-7);
    const net = recoverNetwork(p, U);
    expect(net.C).toBe(p.C);
    expect(relErr(predictNetwork(net, p.X, p.n), convexOutputs(p, U))).toBeLessThan(1e-6);
    const fConvex = convexObjective(p, U);
    expect(Math.abs(nonConvexObjective(net, p.X, p.n, p.Y, p.beta) - fConvex)).toBeLessThan(1e-6 * fConvex);
  });

  it('network shape: one hidden unit per kept column, one non-zero output weight per unit with the sign of its block', () => {
    const net = recoverNetwork(p, U, { pruneRel: 0 });
    const norms = columnNorms(U, p.d, p.K);
    const nonZero = Array.from(norms).filter((v) => v > 0).length;
    expect(net.m).toBe(nonZero);
    expect(net.W1.length).toBe(p.d * net.m);
    expect(net.w2.length).toBe(net.m * p.C);
    let positive = 0;
    for (let h = 0; h < net.m; h++) {
      const row = Array.from(net.w2.subarray(h * p.C, (h + 1) * p.C)).filter((v) => v !== 0);
      expect(row.length).toBe(1);
      if (row[0] > 0) positive++;
      // ‖W1 column‖ = |w2| = √‖u‖: the balanced split that makes (β/2)(‖w1‖² + w2²) = β‖u‖.
      let n2 = 0;
      for (let k = 0; k < p.d; k++) n2 += net.W1[k * net.m + h] ** 2;
      expect(Math.sqrt(n2)).toBeCloseTo(Math.abs(row[0]), 12);
    }
    if (model === 'gated') {
      expect(positive).toBe(net.m);
      expect(net.gates?.length).toBe(p.d * net.m);
    }
  });
});

describe('recovery details', () => {
  it('the identity fails for a random U that violates the cones (the test above is not vacuous)', () => {
    const p = makeProblem({ model: 'relu', n: 40, d: 4, P: 6, beta: 0.5, seed: 12 });
    const U = gaussian(p.d * p.K, 3);
    expect(coneViolation(p, U)).toBeGreaterThan(0.1);
    expect(relErr(predictNetwork(recoverNetwork(p, U, { pruneRel: 0 }), p.X, p.n), convexOutputs(p, U))).toBeGreaterThan(1e-2);
  });

  it('gated nets reproduce Fu for any U (the gates, not the weights, decide the pattern)', () => {
    const p = makeProblem({ model: 'gated', n: 40, d: 4, P: 6, beta: 0.5, seed: 13, classes: 3 });
    const U = gaussian(p.d * p.K, 4);
    const net = recoverNetwork(p, U, { pruneRel: 0 });
    expect(relErr(predictNetwork(net, p.X, p.n), convexOutputs(p, U))).toBeLessThan(1e-12);
  });

  it('prunes columns below pruneRel·max‖u‖ and keeps them with pruneRel = 0', () => {
    const p = makeProblem({ model: 'relu', n: 10, d: 3, P: 4, beta: 0.5, seed: 1 });
    const U = new Float64Array(p.d * p.K);
    U[0 * p.K + 0] = 2; // column 0, norm 2
    U[1 * p.K + 5] = 1e-9; // column 5, relative size 5e-10
    expect(recoverNetwork(p, U).m).toBe(1);
    expect(recoverNetwork(p, U, { pruneRel: 0 }).m).toBe(2);
    const net = recoverNetwork(p, U, { pruneRel: 0 });
    // Column 5 is neuron 1 of the U⁻ block (P = 4): negative output weight.
    expect(net.w2[1]).toBeCloseTo(-Math.sqrt(1e-9), 15);
    expect(net.w2[0]).toBeCloseTo(Math.sqrt(2), 15);
  });

  it('nonConvexObjective is ½‖ŷ − Y‖² + (β/2)(‖W1‖² + ‖w2‖²)', () => {
    const net = { model: 'relu' as const, d: 1, m: 1, C: 1, W1: Float64Array.of(2), w2: Float64Array.of(3) };
    const X = Float64Array.of(1, -1);
    // ŷ = (relu(2)·3, relu(−2)·3) = (6, 0); Y = (1, 1): loss ½(25 + 1) = 13; reg (0.1/2)(4 + 9) = 0.65.
    expect(nonConvexObjective(net, X, 2, Float64Array.of(1, 1), 0.1)).toBeCloseTo(13.65, 12);
  });
});

describe('label mapping and accuracy', () => {
  it('binary labels map to ±1 (class 1 ↦ +1), C ≥ 3 to one-vs-all ±1 rows', () => {
    const bin = signTargets(Int32Array.of(0, 1, 1, 0), 2);
    expect(bin.C).toBe(1);
    expect(Array.from(bin.Y)).toEqual([-1, 1, 1, -1]);
    const multi = signTargets(Int32Array.of(2, 0), 3);
    expect(multi.C).toBe(3);
    expect(Array.from(multi.Y)).toEqual([-1, -1, 1, 1, -1, -1]);
  });

  it('sign accuracy counts sign(0) as wrong; argmax accuracy for C > 1', () => {
    const labels = Int32Array.of(1, 0, 1, 0);
    expect(accuracyFromLabels(Float64Array.of(0.5, -2, 0, 0), 4, 1, labels)).toBe(0.5);
    expect(accuracyFromLabels(new Float64Array(4), 4, 1, labels)).toBe(0);
    const { Y } = signTargets(labels, 2);
    expect(accuracyFromTargets(Float64Array.of(0.5, -2, 0, 0), 4, 1, Y)).toBe(0.5);
    const lab3 = Int32Array.of(0, 2, 1);
    const scores = Float64Array.of(0.9, 0.1, -1, /**/ -1, 0.2, 0.3, /**/ 0, 0, 1);
    expect(accuracyFromLabels(scores, 3, 3, lab3)).toBeCloseTo(2 / 3, 15);
    expect(accuracyFromTargets(scores, 3, 3, signTargets(lab3, 3).Y)).toBeCloseTo(2 / 3, 15);
  });

  it('train accuracy of the solver agrees between labels and ±1 targets', () => {
    const p = makeProblem({ model: 'relu', n: 30, d: 3, P: 4, beta: 0.1, seed: 2, classes: 2 });
    const solver = new CpuSolver(p, testConfig(p, { rank: 4 }));
    for (let k = 0; k < 5; k++) {
      const m = solver.stepSync();
      expect(m.trainAccuracy).toBe(accuracyFromLabels(convexOutputs(p, solver.state().U), p.n, 1, p.labels as Int32Array));
    }
  });
});
