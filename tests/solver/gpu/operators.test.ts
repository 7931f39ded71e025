/**
 * Spec §10.1 test 1: the GPU operators F, Fᵀ, G, Gᵀ, A (float32) against the float64 CPU
 * reference, relative error ≤ 1e-5, plus the adjoint identities on the GPU results, and the
 * Nyström apply against its float64 formula.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CronosOperators } from '../../../solver/cpu/operators';
import type { GpuContext } from '../../../solver/gpu/context';
import { readF32, runDispatches, storageBuffer, uploadF32 } from '../../../solver/gpu/kernel';
import { GpuNystrom } from '../../../solver/gpu/nystrom';
import { uploadRowBlocks } from '../../../solver/gpu/rowblocks';
import { applyF, applyFt, applyG, applyGt, matvecA, type Geometry } from '../../../solver/gpu/operators';
import { batchToFlat, flatToBatch } from '../../../solver/layout';
import { nystromApply } from '../../../solver/nystrom-core';
import type { ModelKind } from '../../../solver/types';
import { dot, gpuContext, randomProblem, randomVector, relError } from '../../support/helpers';

let ctx: GpuContext;
beforeAll(async () => {
  ctx = await gpuContext();
});
afterAll(() => ctx?.destroy());

/**
 * |⟨Lx, y⟩ − ⟨x, L*y⟩| scaled by the Cauchy–Schwarz bound max(‖Lx‖‖y‖, ‖x‖‖L*y‖), the usual
 * adjoint test: random inner products cancel, so a plain relative error would be ill-posed.
 */
function adjointGap(Lx: ArrayLike<number>, y: ArrayLike<number>, x: ArrayLike<number>, Lty: ArrayLike<number>): number {
  const nrm = (v: ArrayLike<number>): number => Math.sqrt(dot(v, v));
  const scale = Math.max(nrm(Lx) * nrm(y), nrm(x) * nrm(Lty));
  return Math.abs(dot(Lx, y) - dot(x, Lty)) / scale;
}

function admmUniform(rho: number, beta: number): GPUBuffer {
  const b = ctx.device.createBuffer({ size: 16, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST });
  ctx.device.queue.writeBuffer(b, 0, new Float32Array([rho, beta / rho, 1e-6, 0]));
  return b;
}

const cases: Array<{ model: ModelKind; n: number; d: number; P: number; classes: number; blocked: boolean }> = [
  { model: 'relu', n: 137, d: 13, P: 6, classes: 2, blocked: false },
  { model: 'relu', n: 300, d: 21, P: 8, classes: 3, blocked: false },
  { model: 'gated', n: 137, d: 13, P: 6, classes: 2, blocked: false },
  { model: 'gated', n: 211, d: 7, P: 5, classes: 4, blocked: false },
  { model: 'relu', n: 300, d: 21, P: 8, classes: 3, blocked: true },
  { model: 'gated', n: 211, d: 7, P: 5, classes: 4, blocked: true },
];

describe.each(cases)('GPU operators $model n=$n d=$d P=$P classes=$classes, X in row blocks: $blocked', (c) => {
  const problem = randomProblem({ ...c, seed: 3 });
  const { n, d, P, S, C, K } = problem;
  const g: Geometry = { n, d, P, S, B: C };
  const cpu = new CronosOperators(problem);
  const rho = 0.3;

  const setup = () => {
    // Small blocks force X into several row blocks (64 rows each) in the 'blocked' cases.
    const X = uploadRowBlocks(ctx, problem.X, n, d, 'X', c.blocked ? 64 * 4 * Math.ceil(d / 4) * 4 : undefined);
    const D = uploadF32(ctx, problem.D, 'D');
    return { X, D };
  };

  it('F and Fᵀ match float64 and are adjoint', async () => {
    const data = setup();
    const u = randomVector(d * K, 1);
    const r = randomVector(n * C, 2);
    const uB = uploadF32(ctx, u, 'u');
    const rB = uploadF32(ctx, r, 'r');
    const Z = storageBuffer(ctx, n * K * 4, 'Z');
    const fu = storageBuffer(ctx, n * C * 4, 'Fu');
    const ftr = storageBuffer(ctx, d * K * 4, 'Ftr');
    const dummy = storageBuffer(ctx, 16, 'dummy');
    runDispatches(ctx, [...applyF(ctx, g, data, uB, Z, fu, admmUniform(rho, 0.1), dummy), ...applyFt(ctx, g, data, rB, ftr)]);
    const gpuFu = await readF32(ctx, fu, n * C);
    const gpuFtr = await readF32(ctx, ftr, d * K);
    const refFu = cpu.applyF(u, C, new Float64Array(n * C));
    const refFtr = cpu.applyFt(r, C, new Float64Array(d * K));
    expect(relError(gpuFu, refFu)).toBeLessThan(1e-5);
    expect(relError(gpuFtr, refFtr)).toBeLessThan(1e-5);
    expect(adjointGap(gpuFu, r, u, gpuFtr)).toBeLessThan(1e-5);
  });

  // G and Gᵀ exist only for the cone-constrained ReLU program.
  if (c.model === 'relu') it('G and Gᵀ match float64 and are adjoint', async () => {
    const data = setup();
    const u = randomVector(d * K, 3);
    const z = randomVector(n * K, 4);
    const uB = uploadF32(ctx, u, 'u');
    const zB = uploadF32(ctx, z, 'z');
    const Z = storageBuffer(ctx, n * K * 4, 'Z');
    const GU = storageBuffer(ctx, n * K * 4, 'GU');
    const gtz = storageBuffer(ctx, d * K * 4, 'Gtz');
    runDispatches(ctx, [...applyG(ctx, g, data, uB, Z, GU), ...applyGt(ctx, g, data, zB, gtz)]);
    const gpuGu = await readF32(ctx, GU, n * K);
    const gpuGtz = await readF32(ctx, gtz, d * K);
    expect(relError(gpuGu, cpu.applyG(u, C, new Float64Array(n * K)))).toBeLessThan(1e-5);
    expect(relError(gpuGtz, cpu.applyGt(z, C, new Float64Array(d * K)))).toBeLessThan(1e-5);
    expect(adjointGap(gpuGu, z, u, gpuGtz)).toBeLessThan(1e-5);
  });

  it('A = I + FᵀF/ρ + GᵀG matches float64 and is symmetric', async () => {
    const data = setup();
    const u = randomVector(d * K, 5);
    const w = randomVector(d * K, 6);
    const admm = admmUniform(rho, 0.1);
    const scratch = { Z: storageBuffer(ctx, n * K * 4, 'Z'), R: storageBuffer(ctx, n * K * 4, 'R'), dummy: storageBuffer(ctx, 16, 'd') };
    const uB = uploadF32(ctx, u, 'u');
    const wB = uploadF32(ctx, w, 'w');
    const Au = storageBuffer(ctx, d * K * 4, 'Au');
    const Aw = storageBuffer(ctx, d * K * 4, 'Aw');
    runDispatches(ctx, [...matvecA(ctx, g, data, scratch, uB, Au, admm), ...matvecA(ctx, g, data, scratch, wB, Aw, admm)]);
    const gpuAu = await readF32(ctx, Au, d * K);
    const gpuAw = await readF32(ctx, Aw, d * K);
    expect(relError(gpuAu, cpu.applyA(u, C, rho, new Float64Array(d * K)))).toBeLessThan(1e-5);
    expect(adjointGap(gpuAu, w, u, gpuAw)).toBeLessThan(1e-5);
  });

  it('Nyström apply matches the float64 formula and is symmetric', async () => {
    const data = setup();
    const admm = admmUniform(rho, 0.1);
    const rank = 4;
    const nys = new GpuNystrom(ctx, g, data, rank, 11);
    await nys.rebuild(rho, admm);
    const x = randomVector(d * K, 8);
    const xB = uploadF32(ctx, x, 'x');
    const zB = storageBuffer(ctx, d * K * 4, 'z');
    runDispatches(ctx, nys.apply(xB, zB));
    const gpuZ = await readF32(ctx, zB, d * K);
    // Reference: the same factor (read back) applied in float64 to every class block.
    const N = S * d * P;
    const Uf = Float64Array.from(await readF32(ctx, nys.U, N * rank));
    const xFlat = batchToFlat(x, d, P, S, C);
    const refFlat = new Float64Array(N * C);
    const col = new Float64Array(N);
    const out = new Float64Array(N);
    for (let b = 0; b < C; b++) {
      for (let e = 0; e < N; e++) col[e] = xFlat[e * C + b];
      nystromApply(Uf, nys.lambda, N, rank, rho, col, out);
      for (let e = 0; e < N; e++) refFlat[e * C + b] = out[e];
    }
    expect(relError(gpuZ, flatToBatch(refFlat, d, P, S, C))).toBeLessThan(1e-5);
    // Spec §10.1 test 5: M is symmetric to about 1e-6 (float32 factor on the GPU).
    const y = randomVector(d * K, 9);
    const yB = uploadF32(ctx, y, 'y');
    const myB = storageBuffer(ctx, d * K * 4, 'My');
    runDispatches(ctx, nys.apply(yB, myB));
    const gpuMy = await readF32(ctx, myB, d * K);
    expect(adjointGap(gpuZ, y, x, gpuMy)).toBeLessThan(1e-6);
    nys.destroy();
  });
});
