/**
 * Device loss in the Worker (app/worker/session.ts over solver/resilience.ts): the page's run,
 * on a "GPU" whose device the test destroys through the page's hook (`simulate-device-loss`),
 * continues from its last checkpoint on a new device and ends where an uninterrupted run ends;
 * with no new device it goes on on the CPU; the page's reducer shows a notice. The "GPU" is the
 * float64 CPU solver behind a fake device, so the results must agree bit for bit.
 */
import { describe, expect, it } from 'vitest';
import { runReducer, INITIAL_RUN_STATE } from '../../app/runState';
import { DEFAULT_SETTINGS, type Settings } from '../../app/settings';
import { simulatedDeviceLoss } from '../../app/workerClient';
import { createSolver } from '../../solver/index';
import type { CronosSolver } from '../../solver/solver';
import { sessionHarness, type CreateSolverFn } from '../support/worker-harness';

const settings: Settings = { ...DEFAULT_SETTINGS, dataset: 'spiral', P: 8, admmIters: 12, device: 'gpu', seed: 3, adaptiveRho: true, rho: 10, rhoBeta: 0, anderson: 0 };
// Anderson's memory is not part of the saved state, so an exact continuation after a loss needs it off.

/** A factory of "GPU" solvers (CPU arithmetic, a device that can be lost); `gpuLeft` new devices can be had. */
function fakeGpu(gpuLeft: number) {
  let devices = 0;
  let live = 0;
  const create: CreateSolverFn = async (problem, config, opts) => {
    if (opts.device === 'gpu' && devices++ >= gpuLeft) throw new Error('no GPU adapter after the reset');
    const real = await createSolver(problem, config, { ...opts, device: 'cpu' });
    live++;
    let lost: string | null = null;
    const solver: CronosSolver = {
      device: opts.device,
      problem: real.problem,
      config: real.config,
      solution: () => real.solution(),
      saveState: () => real.saveState(),
      loadState: (s) => real.loadState(s),
      dispose: () => {
        live--;
        real.dispose();
      },
      step: async () => {
        if (lost) throw new Error('mapAsync: device lost');
        return real.step();
      },
      ...(opts.device === 'gpu'
        ? {
            deviceLost: () => lost,
            loseDevice: () => {
              lost = 'GPU device lost (destroyed): device was destroyed';
            },
          }
        : {}),
    };
    return solver;
  };
  return { create, devices: () => devices, live: () => live };
}

/** The last snapshot's column norms of u and v and its iteration. */
function finalU(h: ReturnType<typeof sessionHarness>): { iter: number; normsU: Float64Array; normsV: Float64Array } | undefined {
  const s = h.of('snapshot').at(-1)?.snapshot;
  return s && { iter: s.iter, normsU: s.normsU, normsV: s.normsV };
}

async function runToEnd(gpuLeft: number, loseAt: number | null) {
  const gpu = fakeGpu(gpuLeft);
  const h = sessionHarness({ createSolver: gpu.create });
  h.send({ type: 'start', settings, autoplay: false });
  await h.session.idle();
  if (loseAt !== null) h.send({ type: 'simulate-device-loss', at: loseAt });
  h.send({ type: 'resume' });
  await h.pump(40);
  return { h, gpu };
}

describe('the page run survives GPU device loss', () => {
  it('continues from the checkpoint on a new device, ends as the uninterrupted run, and the page shows a notice', async () => {
    const straight = await runToEnd(5, null);
    const lost = await runToEnd(5, 5);
    expect(lost.h.of('error')).toEqual([]);
    const events = lost.h.of('event').map((m) => [m.event.iteration, m.event.type]);
    expect(events).toEqual([
      [4, 'simulated-device-loss'],
      [4, 'device-lost'],
      [4, 'recovered'],
    ]);
    expect(lost.gpu.devices()).toBe(2);
    // One solver alive at the end: the lost one was freed.
    expect(lost.gpu.live()).toBe(1);
    const strip = (ms: typeof straight.h.messages) => ms.filter((m) => m.type === 'metrics').map((m) => (m.type === 'metrics' ? { ...m.metrics, timeMs: 0 } : null));
    expect(strip(lost.h.messages)).toEqual(strip(straight.h.messages));
    expect(strip(lost.h.messages).length).toBe(settings.admmIters);
    expect(finalU(lost.h)).toEqual(finalU(straight.h));
    expect(lost.h.lastState()).toMatchObject({ status: 'finished' });
    const page = runReducer(INITIAL_RUN_STATE, { type: 'messages', messages: lost.h.messages });
    expect(page.notice).toMatch(/lost and replaced/);
    expect(page.device).toBe('gpu');
    expect(page.error).toBeNull();
  });

  it('the hook sent at page load (before the run exists) arms the page run built next', async () => {
    const gpu = fakeGpu(5);
    const h = sessionHarness({ createSolver: gpu.create });
    h.send({ type: 'simulate-device-loss', at: 3 });
    h.send({ type: 'start', settings, autoplay: true });
    await h.session.idle();
    await h.pump(40);
    expect(h.of('event').map((m) => [m.event.iteration, m.event.type])).toEqual([
      [2, 'simulated-device-loss'],
      [2, 'device-lost'],
      [2, 'recovered'],
    ]);
    expect(h.of('metrics').map((m) => m.metrics.iter)).toEqual(Array.from({ length: settings.admmIters }, (_, i) => i + 1));
    expect(simulatedDeviceLoss('?simulate-device-loss=3')).toBe(3);
    expect(simulatedDeviceLoss('?simulate-device-loss=0')).toBeNull();
    expect(simulatedDeviceLoss('?simulate-device-loss=x&a=1')).toBeNull();
    expect(simulatedDeviceLoss('')).toBeNull();
  });

  it('with no new GPU device goes on on the CPU solver, and the page says so', async () => {
    const straight = await runToEnd(5, null);
    const lost = await runToEnd(1, 7);
    expect(lost.h.of('event').map((m) => m.event.type)).toEqual(['simulated-device-loss', 'device-lost', 'fallback-cpu']);
    expect(lost.h.of('event')[2].event.detail).toMatch(/no GPU adapter after the reset/);
    const iters = lost.h.of('metrics').map((m) => m.metrics.iter);
    expect(iters).toEqual(Array.from({ length: settings.admmIters }, (_, i) => i + 1));
    expect(finalU(lost.h)).toEqual(finalU(straight.h));
    const page = runReducer(INITIAL_RUN_STATE, { type: 'messages', messages: lost.h.messages });
    expect(page.device).toBe('cpu');
    expect(page.notice).toMatch(/goes on on the CPU solver/);
  });
});

describe('a breakdown in the page run', () => {
  it('stops at the last good iteration: the last snapshot is that iteration, finite, and the page says so', async () => {
    // The real CPU solver whose iterates become NaN at iteration 3 (its own divergence check fires).
    const create: CreateSolverFn = async (problem, config, opts) => {
      const real = await createSolver(problem, config, opts);
      const step = real.step.bind(real);
      real.step = async () => {
        const s = await real.saveState();
        if (s.k === 2) {
          for (const a of Object.values(s.arrays)) a.fill(Number.NaN);
          await real.loadState(s);
        }
        return step();
      };
      return real;
    };
    const h = sessionHarness({ createSolver: create });
    h.send({ type: 'start', settings: { ...settings, device: 'cpu' }, autoplay: true });
    await h.session.idle();
    await h.pump(20);
    expect(h.of('error')[0]?.message).toMatch(/diverged at iteration 3.*stopped at iteration 2, its last good state/);
    const snap = h.of('snapshot').at(-1)?.snapshot;
    expect(snap?.iter).toBe(2);
    expect([...(snap?.normsU ?? [NaN])].every(Number.isFinite)).toBe(true);
    expect(h.of('event').map((m) => m.event.type)).toEqual(['breakdown', 'restored-last-good']);
    const page = runReducer(INITIAL_RUN_STATE, { type: 'messages', messages: h.messages });
    expect(page.notice).toMatch(/stopped at iteration 2, its last good state/);
    expect(page.status).toBe('error');
  });
});
