/**
 * The Worker's session logic, run in Node on the float64 CPU solver with the built-in files read
 * from disk: the message protocol of a run (start → ready → snapshot → metrics → finished),
 * pause / resume / step / reset, settings changes at each level, the WebGPU fallback and errors.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS, type Settings } from '../../app/settings';
import { sessionHarness, type CreateSolverFn } from '../support/worker-harness';
import { createSolver, throwIfDiverged } from '../../solver/index';
import type { CronosSolver } from '../../solver/solver';

/** The shared harness; `create` replaces the solver factory (fallback and error tests). */
function harness(create: CreateSolverFn = createSolver) {
  return sessionHarness({ createSolver: create });
}

const small: Settings = { ...DEFAULT_SETTINGS, dataset: 'spiral', P: 8, admmIters: 6, device: 'cpu', seed: 3 };

describe('Session', () => {
  it('start builds the problem, reports it, snapshots iteration 0 and runs to the iteration cap', async () => {
    const h = harness();
    h.send({ type: 'start', settings: small, autoplay: true });
    await h.session.idle();
    const ready = h.of('ready');
    expect(ready).toHaveLength(1);
    const r = ready[0];
    expect(r.device).toBe('cpu');
    expect(r.fallbackReason).toBeNull();
    expect(r.problem).toMatchObject({ method: 'cronos', dataset: 'spiral', n: 350, nTest: 150, testSource: 'split', d: 3, bias: true, C: 1, convex: { P: 8, S: 2, K: 16, model: 'relu' } });
    expect(r.problem.classCounts).toEqual([175, 175]);
    expect(r.view.points?.x.length).toBe(500);
    expect(r.view.points?.test.reduce((s, v) => s + v, 0)).toBe(150);
    expect(r.view.gateLines?.a.length).toBe(8);
    expect(r.view.patterns).toMatchObject({ rows: 300, P: 8, totalRows: 350 });
    expect(r.memory?.largestBinding).toBeGreaterThan(0);
    // The page default 'auto' on the CPU with 350 rows and a fixed ρ: the exact u-solve, named for the GPU panel.
    expect(r.preconditioner).toMatch(/^exact u-solve \(Woodbury, one 350×350 Cholesky; n = 350 ≤ 2048, auto on the CPU\)$/);
    expect(h.of('phase').map((m) => m.phase)).toEqual(['Generating points', 'Building the solver (CPU)']);
    expect(h.of('snapshot')[0].snapshot.iter).toBe(0);
    expect(h.of('snapshot')[0].snapshot.hidden).toBe(0);
    expect(h.lastState()).toMatchObject({ status: 'running' });
    await h.pump(20);
    const iters = h.of('metrics').map((m) => m.metrics.iter);
    expect(iters).toEqual([1, 2, 3, 4, 5, 6]);
    expect(h.lastState()).toMatchObject({ status: 'finished', finished: 'max-iterations' });
    // The final iteration always gets a snapshot, with a boundary grid for 2-D data.
    const last = h.of('snapshot').at(-1)?.snapshot;
    expect(last?.iter).toBe(6);
    expect(last?.boundary?.values.length).toBe(2500);
    expect(last?.hidden).toBeGreaterThan(0);
    expect(new Set(h.messages.map((m) => m.run))).toEqual(new Set([1]));
  });

  it('pause stops after the step in flight; step runs exactly one; resume continues', async () => {
    const h = harness();
    h.send({ type: 'start', settings: { ...small, admmIters: 50 }, autoplay: true });
    await h.session.idle();
    await h.pump(2);
    h.send({ type: 'pause' });
    expect(h.lastState()).toMatchObject({ status: 'paused' });
    await h.pump(5);
    const n = h.of('metrics').length;
    expect(n).toBeLessThanOrEqual(3);
    h.send({ type: 'step' });
    await h.session.idle();
    expect(h.of('metrics').length).toBe(n + 1);
    // A manual step always sends a snapshot of that iteration.
    expect(h.of('snapshot').at(-1)?.snapshot.iter).toBe(n + 1);
    h.send({ type: 'resume' });
    expect(h.lastState()).toMatchObject({ status: 'running' });
    await h.pump(3);
    expect(h.of('metrics').length).toBeGreaterThan(n + 1);
    const iters = h.of('metrics').map((m) => m.metrics.iter);
    expect(iters).toEqual(iters.map((_, i) => i + 1));
  });

  it('reset starts a new run at iteration 0, paused, on the same problem', async () => {
    const h = harness();
    h.send({ type: 'start', settings: small, autoplay: true });
    await h.session.idle();
    await h.pump(3);
    const phasesBefore = h.of('phase').length;
    h.send({ type: 'reset' });
    await h.session.idle();
    const ready = h.of('ready');
    expect(ready).toHaveLength(2);
    expect(ready[1].run).toBe(2);
    expect(h.lastState()).toMatchObject({ run: 2, status: 'paused' });
    // Only the solver was rebuilt: no data or pattern phases.
    expect(h.of('phase').slice(phasesBefore).map((m) => m.phase)).toEqual(['Building the solver (CPU)']);
    h.send({ type: 'step' });
    await h.session.idle();
    expect(h.of('metrics').filter((m) => m.run === 2).map((m) => m.metrics.iter)).toEqual([1]);
  });

  it('settings: a higher cap reopens a finished run; solver and problem changes start new runs', async () => {
    const h = harness();
    h.send({ type: 'start', settings: small, autoplay: true });
    await h.session.idle();
    await h.pump(10);
    expect(h.lastState()).toMatchObject({ status: 'finished', finished: 'max-iterations' });
    h.send({ type: 'settings', settings: { ...small, admmIters: 8 } });
    await h.session.idle();
    expect(h.lastState()).toMatchObject({ run: 1, status: 'paused' });
    h.send({ type: 'resume' });
    await h.pump(10);
    expect(h.of('metrics').map((m) => m.metrics.iter).at(-1)).toBe(8);
    expect(h.lastState()).toMatchObject({ run: 1, status: 'finished' });

    const before = h.of('phase').length;
    h.send({ type: 'settings', settings: { ...small, admmIters: 8, rho: 1 } });
    await h.session.idle();
    expect(h.of('ready').at(-1)?.run).toBe(2);
    expect(h.of('phase').slice(before).map((m) => m.phase)).toEqual(['Building the solver (CPU)']);
    // The run had finished, so the new one plays.
    expect(h.lastState()).toMatchObject({ run: 2, status: 'running' });

    h.send({ type: 'pause' });
    const mid = h.of('phase').length;
    h.send({ type: 'settings', settings: { ...small, admmIters: 8, rho: 1, dataset: 'penguins', P: 4 } });
    await h.session.idle();
    const r = h.of('ready').at(-1);
    expect(r?.run).toBe(3);
    expect(r?.problem).toMatchObject({ dataset: 'penguins', C: 3, d: 4, bias: false, convex: { P: 4, K: 24 }, testSource: 'split' });
    expect(r?.view.points).toBeNull();
    expect(h.of('phase').slice(mid).map((m) => m.phase)).toEqual(['Loading the dataset', 'Building the solver (CPU)']);
    // Paused by the user: the new run waits.
    expect(h.lastState()).toMatchObject({ run: 3, status: 'paused' });
    h.send({ type: 'step' });
    await h.session.idle();
    const snap = h.of('snapshot').at(-1)?.snapshot;
    expect(snap?.confusion.classes).toBe(3);
    expect(snap?.confusion.train.reduce((s, v) => s + v, 0)).toBe(r?.problem.n);
    expect(snap?.boundary).toBeNull();
  });

  it('image data gets weight tiles; an FMNIST run reads both files', async () => {
    const h = harness();
    h.send({ type: 'start', settings: { ...small, dataset: 'fmnist-pullover-bag-28x28', P: 4, rank: 5 }, autoplay: false });
    await h.session.idle();
    const r = h.of('ready')[0];
    expect(r.problem).toMatchObject({ n: 600, nTest: 300, testSource: 'file', d: 784, image: { width: 28, height: 28 } });
    h.send({ type: 'step' });
    await h.session.idle();
    const tiles = h.of('snapshot').at(-1)?.snapshot.tiles;
    expect(tiles?.width).toBe(28);
    expect(tiles?.count).toBeGreaterThan(0);
    expect(tiles?.pixels.length).toBe((tiles?.count ?? 0) * 784);
  });

  it("'auto' falls back to the CPU without WebGPU and says why; 'gpu' reports an error", async () => {
    const h = harness();
    h.send({ type: 'start', settings: { ...small, device: 'auto' }, autoplay: false });
    await h.session.idle();
    const r = h.of('ready')[0];
    expect(r.device).toBe('cpu');
    expect(r.fallbackReason).toMatch(/WebGPU/);
    const g = harness();
    g.send({ type: 'start', settings: { ...small, device: 'gpu' }, autoplay: true });
    await g.session.idle();
    expect(g.of('ready')).toHaveLength(0);
    expect(g.of('error')[0].message).toMatch(/WebGPU/);
    // The page can recover with other settings.
    g.send({ type: 'settings', settings: { ...small, device: 'cpu' } });
    await g.session.idle();
    expect(g.of('ready')).toHaveLength(1);
  });

  it('stops with a message when the iterates diverge', async () => {
    // A solver whose second step has a NaN objective, wrapped around the real CPU solver and
    // checked with the solver's own divergence test.
    const h = harness(async (problem, config, opts) => {
      const real = await createSolver(problem, config, opts);
      const fake: CronosSolver = {
        device: real.device,
        problem: real.problem,
        config: real.config,
        solution: () => real.solution(),
        saveState: () => real.saveState(),
        loadState: (s) => real.loadState(s),
        dispose: () => real.dispose(),
        step: async () => {
          const m = await real.step();
          const out = m.iter >= 2 ? { ...m, objective: Number.NaN } : m;
          throwIfDiverged(out);
          return out;
        },
      };
      return fake;
    });
    h.send({ type: 'start', settings: { ...small, admmIters: 50 }, autoplay: true });
    await h.session.idle();
    await h.pump(10);
    expect(h.of('metrics').map((m) => m.metrics.iter)).toEqual([1, 2]);
    expect(h.of('error')[0]?.message).toMatch(/diverged at iteration 2/);
  });
});
