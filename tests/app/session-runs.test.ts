/**
 * Several runs in one Worker session (issue: room for more than one algorithm): runs added under
 * a slot train beside the page's run, stepped in turn; their replies carry the slot; commands with
 * a slot address only that run; a failing added run stops alone; closing a run frees its solver.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS, type Settings } from '../../app/settings';
import { createSolver, throwIfDiverged } from '../../solver/index';
import { sessionHarness, type CreateSolverFn } from '../support/worker-harness';

const small: Settings = { ...DEFAULT_SETTINGS, dataset: 'spiral', P: 8, admmIters: 40, device: 'cpu', seed: 3 };

/** A solver factory that counts live solvers (created minus disposed). */
function counting() {
  let live = 0;
  const create: CreateSolverFn = async (p, c, o) => {
    const s = await createSolver(p, c, o);
    live++;
    const dispose = s.dispose.bind(s);
    s.dispose = () => {
      live--;
      dispose();
    };
    return s;
  };
  return { create, live: () => live };
}

describe('several runs per Worker', () => {
  it('an added run trains beside the page run, in turn, with its slot on every reply', async () => {
    const h = sessionHarness();
    h.send({ type: 'start', settings: small, autoplay: true });
    // rhoBeta 0: ρ as given (the default ρ = 0.5·β would override it).
    h.send({ type: 'add-run', slot: 'b', settings: { ...small, rho: 1, rhoBeta: 0 }, autoplay: true });
    await h.session.idle();
    await h.pump(20);
    const main = h.of('metrics').filter((m) => m.slot === undefined);
    const added = h.of('metrics').filter((m) => m.slot === 'b');
    expect(main.length).toBeGreaterThan(5);
    // Fair interleaving: neither run gets more than one step ahead.
    expect(Math.abs(main.length - added.length)).toBeLessThanOrEqual(1);
    expect(new Set(main.map((m) => m.run)).size).toBe(1);
    expect(new Set(added.map((m) => m.run)).size).toBe(1);
    expect(main[0].run).not.toBe(added[0].run);
    expect(added.every((m) => m.metrics.rho === 1)).toBe(true);
    expect(h.of('ready').filter((m) => m.slot === 'b')).toHaveLength(1);
  });

  it('an added run computes what it would alone (bit for bit on the CPU)', async () => {
    const alone = sessionHarness();
    alone.send({ type: 'start', settings: { ...small, rho: 1, admmIters: 8 }, autoplay: true });
    await alone.session.idle();
    await alone.pump(20);
    const together = sessionHarness();
    together.send({ type: 'start', settings: { ...small, admmIters: 8 }, autoplay: true });
    together.send({ type: 'add-run', slot: 'x', settings: { ...small, rho: 1, admmIters: 8 }, autoplay: true });
    await together.session.idle();
    await together.pump(40);
    const strip = (m: { metrics: { timeMs: number } }) => ({ ...m.metrics, timeMs: 0 });
    const a = alone.of('metrics').map(strip);
    const b = together.of('metrics').filter((m) => m.slot === 'x').map(strip);
    expect(a).toHaveLength(8);
    expect(b).toEqual(a);
    expect(together.of('state').filter((m) => m.slot === 'x').at(-1)).toMatchObject({ status: 'finished', finished: 'max-iterations' });
  });

  it('pause, step and resume with a slot address only that run; close-run frees its solver', async () => {
    const c = counting();
    const h = sessionHarness({ createSolver: c.create });
    h.send({ type: 'start', settings: small, autoplay: true });
    h.send({ type: 'add-run', slot: 'b', settings: small, autoplay: true });
    await h.session.idle();
    expect(c.live()).toBe(2);
    h.send({ type: 'pause', slot: 'b' });
    const before = h.of('metrics').filter((m) => m.slot === 'b').length;
    await h.pump(6);
    expect(h.of('metrics').filter((m) => m.slot === 'b').length).toBe(before);
    expect(h.of('metrics').filter((m) => m.slot === undefined).length).toBeGreaterThan(3);
    h.send({ type: 'step', slot: 'b' });
    await h.session.idle();
    expect(h.of('metrics').filter((m) => m.slot === 'b').length).toBe(before + 1);
    h.send({ type: 'close-run', slot: 'b' });
    await h.session.idle();
    expect(c.live()).toBe(1);
    // A replaced page run frees its solver too.
    h.send({ type: 'settings', settings: { ...small, rho: 0.5 } });
    await h.session.idle();
    expect(c.live()).toBe(1);
  });

  it('a failing added run reports on its slot, is freed, and the page run goes on', async () => {
    let live = 0;
    const failing: CreateSolverFn = async (p, c, o) => {
      const s = await createSolver(p, c, o);
      live++;
      const dispose = s.dispose.bind(s);
      s.dispose = () => {
        live--;
        dispose();
      };
      if (c.rho !== 7) return s;
      const step = s.step.bind(s);
      // NaN from the second step on, through the driver's own divergence check.
      s.step = async () => {
        const m = await step();
        const bad = m.iter >= 2 ? { ...m, objective: Number.NaN } : m;
        throwIfDiverged(bad);
        return bad;
      };
      return s;
    };
    const h = sessionHarness({ createSolver: failing });
    h.send({ type: 'start', settings: small, autoplay: true });
    h.send({ type: 'add-run', slot: 'bad', settings: { ...small, rho: 7 }, autoplay: true });
    await h.session.idle();
    await h.pump(16);
    const err = h.of('error');
    expect(err).toHaveLength(1);
    expect(err[0].slot).toBe('bad');
    expect(err[0].message).toMatch(/diverged at iteration 2/);
    expect(h.of('metrics').filter((m) => m.slot === 'bad').map((m) => m.metrics.iter)).toEqual([1, 2]);
    expect(h.of('metrics').filter((m) => m.slot === undefined).length).toBeGreaterThan(8);
    expect(h.lastState()).toMatchObject({ status: 'running' });
    // Only the page run's solver is left.
    expect(live).toBe(1);
  });
});
