/**
 * GPU buffer ownership: every buffer the solver (and the kernel builders it calls) allocates is
 * freed by its owner. The test context's createBuffer/destroy are wrapped to count live buffers,
 * so a uniform made inside a builder, a split-K partials buffer or a Nyström sketch that is never
 * freed shows up as a leak. Also: one pipeline cache per device, and the prelude-compiled shaders.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GpuContext } from '../../../solver/gpu/context';
import { GpuSolver } from '../../../solver/gpu/admm';
import { cachedPipelineCount, destroyDispatches, placeholderBuffer, programKey, storageBuffer, u32 } from '../../../solver/gpu/kernel';
import { axpby, elementwise } from '../../../solver/gpu/kernels';
import { GpuResources } from '../../../solver/gpu/resources';
import { DEFAULT_CONFIG, LEGACY_CONFIG, type ModelKind, type SolverConfig } from '../../../solver/types';
import { gpuContext, randomProblem } from '../../support/helpers';

let ctx: GpuContext;
/** Buffers created on the test device and not yet destroyed. */
const live = new Set<GPUBuffer>();

beforeAll(async () => {
  ctx = await gpuContext();
  const device = ctx.device;
  const create = device.createBuffer.bind(device);
  device.createBuffer = (descriptor: GPUBufferDescriptor): GPUBuffer => {
    const buf = create(descriptor);
    live.add(buf);
    return buf;
  };
  // GPUBuffer.destroy lives on the prototype; wrap it once for every buffer of this file.
  const proto = Object.getPrototypeOf(create({ size: 16, usage: GPUBufferUsage.STORAGE })) as GPUBuffer;
  const destroy = proto.destroy;
  proto.destroy = function (this: GPUBuffer): undefined {
    live.delete(this);
    return destroy.call(this);
  };
  // The device-wide placeholder lives as long as the device: make it before any baseline.
  placeholderBuffer(ctx);
});
afterAll(() => ctx?.destroy());

type Precond = SolverConfig['preconditioner'];

function adaptiveConfig(model: ModelKind, preconditioner: Precond): SolverConfig {
  // ρ far from balanced, so residual balancing changes it (and re-sketches Nyström) several times.
  return { ...LEGACY_CONFIG, model, P: 4, rho: 50, rank: 6, pcgIters: 8, pcgTol: 1e-6, adaptiveRho: true, admmIters: 30, preconditioner };
}

// The block preconditioner is ReLU-only (gated resolves to Nyström, solver/preconditioner.ts).
const CASES: [ModelKind, Precond][] = [['relu', 'nystrom'], ['relu', 'block'], ['gated', 'nystrom']];

describe.each(CASES)('solver buffers (%s, %s)', (model, preconditioner) => {
  const adaptive = (m: ModelKind): SolverConfig => adaptiveConfig(m, preconditioner);
  const problem = randomProblem({ n: 90, d: 6, P: 4, classes: 2, model, beta: 0.05, seed: 3 });

  it('dispose() frees every buffer it allocated, after ρ changes', async () => {
    const before = live.size;
    const solver = await GpuSolver.create(ctx, problem, adaptive(model));
    const rhos = new Set<number>();
    for (let k = 0; k < 12; k++) rhos.add((await solver.step()).rho);
    expect(rhos.size).toBeGreaterThan(2);
    expect(live.size).toBeGreaterThan(before);
    solver.dispose();
    expect(live.size).toBe(before);
  });

  it('keeps the number of live buffers constant over steps with ρ changes', async () => {
    const solver = await GpuSolver.create(ctx, problem, adaptive(model));
    await solver.step();
    const after1 = live.size;
    const rhos = new Set<number>();
    for (let k = 0; k < 20; k++) {
      rhos.add((await solver.step()).rho);
      expect(live.size).toBe(after1);
    }
    expect(rhos.size).toBeGreaterThan(2);
    solver.dispose();
  });

  it('a second solver compiles no new pipelines', async () => {
    const first = await GpuSolver.create(ctx, problem, adaptive(model));
    await first.step();
    first.dispose();
    const pipelines = cachedPipelineCount(ctx);
    const second = await GpuSolver.create(ctx, problem, adaptive(model));
    await second.step();
    second.dispose();
    expect(cachedPipelineCount(ctx)).toBe(pipelines);
  });
});

describe.each<ModelKind>(['relu', 'gated'])('solver buffers with the Woodbury preconditioner (%s, auto, fixed ρ)', (model) => {
  const problem = randomProblem({ n: 90, d: 6, P: 4, classes: 2, model, beta: 0.05, seed: 3 });
  const config: SolverConfig = { ...DEFAULT_CONFIG, model, P: 4, beta: 0.05, admmIters: 30 };

  it('dispose() frees every buffer, and a state at another ρ refactors in place', async () => {
    const before = live.size;
    const solver = await GpuSolver.create(ctx, problem, config);
    expect(solver.preconditionerInUse()?.kind).toBe('woodbury');
    for (let k = 0; k < 5; k++) await solver.step();
    const running = live.size;
    const state = await solver.saveState();
    await solver.loadState({ ...state, rho: state.rho * 4 });
    for (let k = 0; k < 5; k++) await solver.step();
    expect(live.size).toBe(running);
    solver.dispose();
    expect(live.size).toBe(before);
  });
});

describe('GpuResources', () => {
  it('counts what it owns and frees it all', () => {
    const before = live.size;
    const res = new GpuResources(ctx, 'test');
    const a = res.buffer(100, 'a');
    res.uniform([u32(1), u32(2)], 'p');
    res.create({ size: 64, usage: GPUBufferUsage.STORAGE });
    res.adopt(a);
    expect(res.liveBuffers).toBe(3);
    expect(res.liveBytes).toBe(112 + 16 + 64);
    res.release(a);
    expect(res.liveBuffers).toBe(2);
    expect(() => res.release(a)).toThrow(/not owned/);
    res.destroy();
    expect(res.liveBuffers).toBe(0);
    expect(res.liveBytes).toBe(0);
    expect(live.size).toBe(before);
  });

  it('adopts the uniforms of builder dispatches; destroyDispatches frees them once', () => {
    const before = live.size;
    const x = storageBuffer(ctx, 64, 'x');
    const y = storageBuffer(ctx, 64, 'y');
    const z = storageBuffer(ctx, 64, 'z');
    // slack_dual reads α from the ADMM uniform (over-relaxation).
    const admm = ctx.device.createBuffer({ label: 'admm', size: 16, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST });
    const list = [axpby(ctx, x, y, 1, 2, 16), elementwise(ctx, 'slackDual', [u32(16)], [x, y, z, admm], 16)];
    expect(list.every((d) => d.owned.length === 1)).toBe(true);
    const res = new GpuResources(ctx, 'test');
    res.adoptDispatches(list);
    expect(res.liveBuffers).toBe(2);
    expect(list.every((d) => d.owned.length === 0)).toBe(true);
    destroyDispatches(list);
    expect(live.size).toBe(before + 6);
    res.destroy();
    expect(live.size).toBe(before + 4);
    const again = [axpby(ctx, x, y, 1, 2, 16)];
    const copy = [{ ...again[0]! }];
    destroyDispatches(again);
    expect(copy[0]!.owned).toHaveLength(0);
    expect(live.size).toBe(before + 4);
    for (const b of [x, y, z, admm]) b.destroy();
    expect(live.size).toBe(before);
  });
});

describe('pipeline cache keys', () => {
  it('name plus constants, independent of their order', () => {
    expect(programKey({ name: 'xu', source: '', constants: { A: 1, B: 0 } })).toBe(programKey({ name: 'xu', source: 'other', constants: { B: 0, A: 1 } }));
    expect(programKey({ name: 'xu', source: '', constants: { A: 1 } })).not.toBe(programKey({ name: 'xu', source: '', constants: { A: 0 } }));
    expect(programKey({ name: 'xu', source: '' })).not.toBe(programKey({ name: 'xtr', source: '' }));
  });
});
