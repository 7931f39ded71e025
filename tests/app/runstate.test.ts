/**
 * Main-thread state: the run reducer over Worker messages, the metrics history the charts stream
 * from, and the per-frame batching and time-budgeted chart scheduling.
 */
import { describe, expect, it } from 'vitest';
import { FrameBatcher, FrameScheduler } from '../../app/frames';
import { finiteOrNull, logSafe, MetricsHistory, recordMetrics } from '../../app/history';
import type { FromWorker, RunSummary, Snapshot } from '../../app/protocol';
import { applyMessage, INITIAL_RUN_STATE, iterationsPerSecond, runReducer } from '../../app/runState';
import type { IterationMetrics } from '../../solver/types';

function metrics(iter: number, timeMs = 10, extra: Partial<IterationMetrics> = {}): IterationMetrics {
  return {
    iter,
    objective: 10 / iter,
    loss: 5 / iter,
    penalty: 5 / iter,
    objectiveV: 11 / iter,
    primalResidual: 1 / iter,
    dualResidual: 2 / iter,
    epsPrimal: 0.01,
    epsDual: 0.01,
    coneViolation: 0,
    maxAbsXU: 1,
    trainAccuracy: 0.9,
    testAccuracy: 0.8,
    trainMse: 0.1,
    pcgIterations: 5,
    pcgResidual: 1e-3,
    rho: 0.1,
    activeNeurons: 4,
    timeMs,
    converged: false,
    ...extra,
  } as IterationMetrics;
}

const problem: RunSummary = {
  method: 'cronos',
  dataset: 'spiral',
  title: 'Spiral',
  n: 10,
  nTest: 5,
  testSource: 'split',
  d: 3,
  bias: true,
  C: 1,
  classNames: ['a', 'b'],
  classCounts: [5, 5],
  image: null,
  convex: { P: 4, S: 2, K: 8, model: 'relu', beta: 0.001 },
};
const ready = (run: number): FromWorker => ({
  type: 'ready',
  run,
  device: 'cpu',
  adapter: null,
  fallbackReason: 'no adapter',
  problem,
  memory: { largestBinding: 1, total: 2, buffers: [] },
  view: { patterns: { rows: 0, P: 4, D: new Uint8Array(0), rowClass: new Uint8Array(0), totalRows: 10 }, points: null, gateLines: null },
  settings: {} as never,
});
const snapshot = (iter: number) => ({ iter }) as Snapshot;

describe('runReducer', () => {
  it('follows a run from loading to running, recording metrics and snapshots', () => {
    const s = runReducer(INITIAL_RUN_STATE, {
      type: 'messages',
      messages: [
        { type: 'phase', run: 1, phase: 'Loading the dataset' },
        ready(1),
        { type: 'snapshot', run: 1, snapshot: snapshot(0) },
        { type: 'state', run: 1, status: 'running', finished: null },
        { type: 'metrics', run: 1, metrics: metrics(1, 100) },
        { type: 'metrics', run: 1, metrics: metrics(2, 200) },
      ],
    });
    expect(s.run).toBe(1);
    expect(s.status).toBe('running');
    expect(s.phase).toBeNull();
    expect(s.device).toBe('cpu');
    expect(s.fallbackReason).toBe('no adapter');
    expect(s.problem?.title).toBe('Spiral');
    expect(s.latest?.iter).toBe(2);
    expect(s.snapshot?.iter).toBe(0);
    // EMA with weight 0.2 on the newest step: 0.8·100 + 0.2·200.
    expect(s.msPerStep).toBeCloseTo(120, 12);
    expect(iterationsPerSecond(s)).toBeCloseTo(1000 / 120, 12);
  });

  it('drops messages of replaced runs and starts a newer run afresh (keeping the old views until ready)', () => {
    let s = runReducer(INITIAL_RUN_STATE, { type: 'messages', messages: [ready(1), { type: 'metrics', run: 1, metrics: metrics(7) }, { type: 'snapshot', run: 1, snapshot: snapshot(7) }] });
    s = applyMessage(s, { type: 'phase', run: 2, phase: 'Sampling activation patterns' });
    expect(s.run).toBe(2);
    expect(s.status).toBe('loading');
    expect(s.latest).toBeNull();
    expect(s.snapshot).toBeNull();
    expect(s.problem?.title).toBe('Spiral');
    const before = s;
    s = applyMessage(s, { type: 'metrics', run: 1, metrics: metrics(8) });
    expect(s).toBe(before);
  });

  it('records finishing and errors', () => {
    let s = applyMessage(INITIAL_RUN_STATE, { type: 'state', run: 0, status: 'finished', finished: 'converged' });
    expect(s.status).toBe('finished');
    expect(s.finished).toBe('converged');
    s = applyMessage(s, { type: 'error', run: 0, message: 'too large' });
    expect(s.status).toBe('error');
    expect(s.error).toBe('too large');
    s = applyMessage(s, { type: 'phase', run: 1, phase: 'x' });
    expect(s.error).toBeNull();
    expect(iterationsPerSecond({ msPerStep: null })).toBeNull();
  });
});

describe('MetricsHistory / recordMetrics', () => {
  it('keeps rows and cumulative solver time, and x values per axis', () => {
    const h = new MetricsHistory();
    recordMetrics(h, [
      { type: 'phase', run: 3, phase: 'p' },
      { type: 'metrics', run: 3, metrics: metrics(1, 500) },
      { type: 'metrics', run: 3, metrics: metrics(2, 250) },
      { type: 'metrics', run: 3, metrics: metrics(3, 250) },
    ]);
    expect(h.run).toBe(3);
    expect(h.length).toBe(3);
    expect(h.xs('iteration')).toEqual([1, 2, 3]);
    expect(h.xs('time')).toEqual([0.5, 0.75, 1]);
    expect(h.xs('iteration', 1)).toEqual([2, 3]);
    expect(h.recentMsPerStep(2)).toBe(250);
    // An older run's metrics are ignored; a newer run starts from scratch.
    recordMetrics(h, [{ type: 'metrics', run: 2, metrics: metrics(9) }]);
    expect(h.length).toBe(3);
    recordMetrics(h, [{ type: 'metrics', run: 4, metrics: metrics(1, 20) }]);
    expect(h.run).toBe(4);
    expect(h.xs('time')).toEqual([0.02]);
    expect(new MetricsHistory().recentMsPerStep()).toBeNaN();
  });

  it('log-axis values drop non-positive and non-finite numbers', () => {
    expect(logSafe(1e-3)).toBe(1e-3);
    expect(logSafe(0)).toBeNull();
    expect(logSafe(-1)).toBeNull();
    expect(logSafe(Number.NaN)).toBeNull();
    expect(finiteOrNull(0)).toBe(0);
    expect(finiteOrNull(Infinity)).toBeNull();
  });
});

/** A manual frame clock. */
function frames() {
  const queue: (() => void)[] = [];
  return {
    schedule: (cb: () => void) => queue.push(cb),
    tick() {
      const now = queue.splice(0);
      for (const cb of now) cb();
      return now.length;
    },
    get waiting() {
      return queue.length;
    },
  };
}

describe('FrameBatcher', () => {
  it('delivers everything pushed in a frame as one batch, in order', () => {
    const f = frames();
    const batches: number[][] = [];
    const b = new FrameBatcher<number>((items) => batches.push(items), f.schedule);
    b.push(1);
    b.push(2);
    b.push(3);
    expect(f.waiting).toBe(1);
    expect(b.pending).toBe(3);
    f.tick();
    b.push(4);
    f.tick();
    expect(batches).toEqual([[1, 2, 3], [4]]);
    expect(f.tick()).toBe(0);
  });
});

describe('FrameScheduler', () => {
  it('runs jobs within the frame budget and carries the rest to the next frame', () => {
    const f = frames();
    let clock = 0;
    const s = new FrameScheduler(10, f.schedule, () => clock);
    const ran: string[] = [];
    const job = (name: string, cost: number) => () => {
      ran.push(name);
      clock += cost;
    };
    s.request('a', job('a', 6));
    s.request('b', job('b', 6));
    s.request('c', job('c', 1));
    f.tick();
    expect(ran).toEqual(['a', 'b']);
    expect(s.pending).toBe(1);
    f.tick();
    expect(ran).toEqual(['a', 'b', 'c']);
    expect(s.pending).toBe(0);
  });

  it('a repeated key replaces the queued job; cancel drops it; a failing job does not stop the others', () => {
    const f = frames();
    const s = new FrameScheduler(10, f.schedule, () => 0);
    const ran: string[] = [];
    s.request('x', () => ran.push('x1'));
    s.request('x', () => ran.push('x2'));
    s.request('y', () => {
      throw new Error('broken chart');
    });
    s.request('z', () => ran.push('z'));
    s.request('w', () => ran.push('w'));
    s.cancel('w');
    const warn = console.warn;
    console.warn = () => {};
    try {
      f.tick();
    } finally {
      console.warn = warn;
    }
    expect(ran).toEqual(['x2', 'z']);
  });
});
