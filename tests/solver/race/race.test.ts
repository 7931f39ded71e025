/**
 * The race scheduler on a fake clock: a test method whose step costs a known time (set by its
 * learning rate), so which run steps next and what its curve records are known exactly. Also:
 * runs of the real registry get the race's shared settings.
 */
import { describe, expect, it } from 'vitest';
import { defineMethod, METHODS, type MethodRegistry } from '../../../solver/methods/index';
import { defineTable, integer, real } from '../../../solver/params/table';
import { planRace, Race, RaceConfigError, type RaceConfig } from '../../../solver/race/index';
import type { FinishReason, MetricsRecord, Trainer, TrainerState, TrainingData } from '../../../solver/trainer';

/** The fake clock, in seconds; a fake step advances it by its cost. */
let now = 0;
let live = 0;

const FAKE_PARAMS = defineTable({
  lr: real({ default: 1, label: 'cost', change: 'solver', limits: { min: 0, max: 100 } }),
  epochs: integer({ default: 4, label: 'epochs', change: 'limit', limits: { min: 1, max: 100 } }),
});

/** A step costs `lr` seconds (untuned: 1 s) and reaches test accuracy epoch/epochs · (1 − cost/10). */
function fakeTrainer(cost: number, epochs: number, failAt: number | null): Trainer {
  let iter = 0;
  live++;
  return {
    method: 'fake', device: 'cpu', metrics: [], get iteration() { return iter; },
    async step(): Promise<MetricsRecord> {
      iter++;
      now += cost;
      if (iter === failAt) throw new Error('fake breakdown');
      return { iter, timeMs: cost * 1000, epoch: iter, testAccuracy: (iter / epochs) * (1 - cost / 10) };
    },
    finished: (m: MetricsRecord): FinishReason | null => (m.iter >= epochs ? 'max-iterations' : null),
    setBudget: () => {}, model: async () => { throw new Error('unused'); },
    saveState: async (): Promise<TrainerState> => { throw new Error('unused'); }, loadState: async () => {},
    dispose: () => { live--; },
  };
}

const registry = (failAt: number | null = null): MethodRegistry => ({
  fake: defineMethod({ id: 'fake', title: 'fake', summary: 'tuned fake', params: FAKE_PARAMS, metrics: [], load: async () => async (_d, s) => fakeTrainer(s.lr, s.epochs, failAt) }),
  flat: defineMethod({ id: 'flat', title: 'flat', summary: 'untuned fake', params: defineTable({ epochs: FAKE_PARAMS.epochs }), metrics: [], load: async () => async (_d, s) => fakeTrainer(1, s.epochs, null) }),
});

const data: TrainingData = {
  train: { X: new Float64Array(4), n: 4, d: 1, labels: new Int32Array([0, 1, 0, 1]), classNames: ['a', 'b'], featureNames: ['x'] },
  test: { X: new Float64Array(2), n: 2, labels: new Int32Array([0, 1]) },
};

const config: RaceConfig = { methods: ['fake', 'flat'], arch: 'mlp:4', epochs: 4, batch: 2, lrDraws: 2, seed: 0, lrMode: 'grid', lrRanges: { fake: [0, Math.log10(3)] } };

describe('Race', () => {
  it('always steps the unfinished run with the least own clock, and each clock counts only its own steps', async () => {
    now = 0;
    const race = new Race({ config, data, env: { device: 'cpu' }, clock: () => now, methods: registry() });
    // Runs: fake at cost 1, fake at cost 3, flat at cost 1.
    expect(race.runs.map((r) => r.lr)).toEqual([1, 3, null]);
    const order: number[] = [];
    const clocks = [0, 0, 0];
    for (let s = await race.step(); s !== null; s = await race.step()) {
      // The chosen run had the least clock among the unfinished ones before its step.
      const open = race.runs.map((r, i) => ({ i, c: clocks[i], open: r.end === null || i === s.run }));
      const least = Math.min(...open.filter((o) => o.open).map((o) => o.c));
      expect(clocks[s.run]).toBe(least);
      clocks[s.run] = s.point?.time_s ?? clocks[s.run];
      order.push(s.run);
    }
    // Clocks (a, b, c) by hand: ties go to the first run, so at (3, 3, 3) a ends first, then b and c alternate until c ends.
    expect(order).toEqual([0, 1, 2, 0, 2, 0, 2, 0, 1, 2, 1, 1]);
    expect(race.done).toBe(true);
    expect(race.runs[1].curve.map((p) => p.time_s)).toEqual([3, 6, 9, 12]);
    expect(live).toBe(0);
    const r = race.results();
    expect(r.methods.map((m) => m.method)).toEqual(['fake', 'flat']);
    expect(r.methods[0].best_lr).toBe(1);
    expect(r.methods[0].peak_test_accuracy).toBeCloseTo(0.9, 12);
    expect(r.methods[0].time_s).toBe(16);
    expect(r.time_grid_s[r.time_grid_s.length - 1]).toBe(12);
    expect(JSON.parse(JSON.stringify(r))).toEqual(r);
  });

  it('a run that throws ends as failed with its message; the others go on', async () => {
    now = 0;
    const race = new Race({ config: { ...config, methods: ['fake'] }, data, env: { device: 'cpu' }, clock: () => now, methods: registry(2) });
    const r = await race.run();
    expect(race.runs.map((x) => x.end)).toEqual(['failed', 'failed']);
    expect(r.methods[0].runs[0]).toMatchObject({ end: 'failed', error: 'fake breakdown', final_test_accuracy: 0.225 });
    expect(live).toBe(0);
  });

  it('refuses bad settings and data without test rows, naming what to change', () => {
    const make = (c: RaceConfig, d: TrainingData = data) => () => new Race({ config: c, data: d, env: { device: 'cpu' }, methods: registry() });
    expect(make({ ...config, methods: ['nope'] })).toThrow(/"nope" is not a method/);
    expect(make({ ...config, lrDraws: 0 })).toThrow(/lrDraws 0/);
    expect(make(config, { ...data, test: null })).toThrow(RaceConfigError);
  });
});

describe('planRace on the registry', () => {
  it('gives the deep methods one architecture, epoch budget, batch and seed; CRONOS its own cap', () => {
    const plan = planRace({ methods: ['cronos', 'cronos-am', 'adam', 'dadapt-adam'], arch: 'mlp:8', epochs: 3, batch: 16, lrDraws: 2, seed: 9, lrMode: 'random', cronosIters: 40 }, METHODS);
    expect(plan.map((p) => p.method)).toEqual(['cronos', 'cronos-am', 'adam', 'adam', 'dadapt-adam']);
    for (const p of plan.slice(1)) expect(p.settings).toMatchObject({ arch: 'mlp:8', epochs: 3, batch: 16, seed: 9, logEvery: 0 });
    expect(plan[0].settings).toMatchObject({ admmIters: 40, seed: 9 });
    expect(plan[0].settings.epochs).toBeUndefined();
    // CRONOS-AM's admmIters is per head solve: it keeps its own default.
    expect(plan[1].settings.admmIters).toBe(5);
    expect(plan[2].settings.lr).toBe(plan[2].lr);
    expect(plan[4].settings.lr).toBeUndefined();
  });
});
