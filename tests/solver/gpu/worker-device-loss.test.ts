/**
 * The Worker's page run on a real dawn.node device that the page's test hook destroys
 * (`simulate-device-loss`, app/worker/session.ts over solver/resilience.ts): the run continues on
 * a new device from its last checkpoint and ends as the uninterrupted run, to float32 tolerance.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS, type Settings } from '../../../app/settings';
import type { SessionEnv } from '../../../app/worker/session';
import { nodeGpu } from '../../../solver/gpu/node-gpu';
import { createSolver, sharedGpuContext } from '../../../solver/index';
import { sessionHarness } from '../../support/worker-harness';

const settings: Settings = { ...DEFAULT_SETTINGS, dataset: 'spiral', P: 8, admmIters: 8, device: 'gpu', seed: 3, adaptiveRho: true, rho: 10 };
const gpuCreate: SessionEnv['createSolver'] = (problem, config, opts) => createSolver(problem, config, { ...opts, gpu: nodeGpu() });

async function run(loseAt: number | null) {
  const h = sessionHarness({ createSolver: gpuCreate, adapter: async () => (await sharedGpuContext(nodeGpu())).adapter });
  if (loseAt !== null) h.send({ type: 'simulate-device-loss', at: loseAt });
  h.send({ type: 'start', settings, autoplay: true });
  await h.session.idle();
  await h.pump(30);
  return h;
}

describe('the Worker on a real GPU device that is lost', () => {
  it('recovers on a new device and ends as the uninterrupted run', async () => {
    const ref = await run(null);
    const first = await sharedGpuContext(nodeGpu());
    const lost = await run(4);
    expect(lost.of('error')).toEqual([]);
    expect(lost.of('event').map((m) => m.event.type)).toEqual(['simulated-device-loss', 'device-lost', 'recovered']);
    expect(first.lostReason).not.toBeNull();
    const a = ref.of('metrics').map((m) => m.metrics);
    const b = lost.of('metrics').map((m) => m.metrics);
    expect(b.map((m) => m.iter)).toEqual(a.map((m) => m.iter));
    expect(a.length).toBe(settings.admmIters);
    for (let k = 0; k < a.length; k++) expect(Math.abs(b[k].objective - a[k].objective) / Math.abs(a[k].objective)).toBeLessThanOrEqual(1e-5);
    const sa = ref.of('snapshot').at(-1)?.snapshot;
    const sb = lost.of('snapshot').at(-1)?.snapshot;
    expect(sb?.iter).toBe(sa?.iter);
    const na = sa?.normsU ?? new Float64Array();
    const nb = sb?.normsU ?? new Float64Array();
    const scale = Math.max(...na);
    for (let k = 0; k < na.length; k++) expect(Math.abs(nb[k] - na[k]) / scale).toBeLessThanOrEqual(1e-4);
  });

  it('in a race, the other run on the same device recovers by itself and both finish', async () => {
    const h = sessionHarness({ createSolver: gpuCreate, adapter: async () => (await sharedGpuContext(nodeGpu())).adapter });
    h.send({ type: 'simulate-device-loss', at: 3 });
    h.send({ type: 'start', settings, autoplay: true });
    h.send({ type: 'add-run', slot: 'b', settings: { ...settings, rho: 1 }, autoplay: true });
    await h.session.idle();
    await h.pump(60);
    expect(h.of('error')).toEqual([]);
    const events = (slot: string | undefined) => h.of('event').filter((m) => m.slot === slot).map((m) => m.event.type);
    expect(events(undefined)).toEqual(['simulated-device-loss', 'device-lost', 'recovered']);
    // The destroyed device was shared: the added run finds it lost and moves to the new one.
    expect(events('b')).toEqual(['device-lost', 'recovered']);
    const iters = (slot: string | undefined) => h.of('metrics').filter((m) => m.slot === slot).map((m) => m.metrics.iter);
    const all = Array.from({ length: settings.admmIters }, (_, i) => i + 1);
    expect(iters(undefined)).toEqual(all);
    expect(iters('b')).toEqual(all);
  });
});
