/**
 * The Worker's race (app/worker/race.ts through app/worker/session.ts) in Node on the CPU: a
 * race of every method on a 2-D set answers with throttled, downsampled progress and then the
 * full results (every run ended, the tuned methods over their draws), which export to CSV and
 * JSON and parse back; a stop ends it early with what it reached; bad settings come back as a
 * race error, and a newer start replaces an older one.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS, type Settings } from '../../app/settings';
import { RACE_PROGRESS_POINTS, type FromRace } from '../../app/race/protocol';
import { RACE_METHODS, resultsFromJson, resultsTable, resultsToJson, tableFromCsv, tableToCsv, type RaceConfig } from '../../solver/race/index';
import { sessionHarness } from '../support/worker-harness';

const XOR: Settings = { ...DEFAULT_SETTINGS, dataset: 'xor', device: 'cpu' };
const SMALL: RaceConfig = { methods: RACE_METHODS, arch: 'mlp:8', epochs: 2, batch: 64, lrDraws: 2, seed: 3, lrMode: 'random', cronosIters: 4, targetAccuracy: 0.5 };

/** The replies of type `type`. */
function ofType<T extends FromRace['type']>(all: readonly FromRace[], type: T): Extract<FromRace, { type: T }>[] {
  return all.filter((m): m is Extract<FromRace, { type: T }> => m.type === type);
}

describe('the Worker race', () => {
  it('runs every method to the end with progress, and its results export and parse back', async () => {
    const h = sessionHarness();
    h.send({ type: 'race-start', race: 1, settings: XOR, config: SMALL });
    await h.drain();
    const progress = ofType(h.raceMessages, 'race-progress');
    const [final] = ofType(h.raceMessages, 'race-results');
    expect(ofType(h.raceMessages, 'race-error')).toEqual([]);
    expect(progress.length).toBeGreaterThan(0);
    expect(final.race).toBe(1);
    expect(final.stopped).toBe(false);
    // 3 untuned methods once, 3 tuned methods at 2 draws each.
    expect(final.progress).toEqual({ done: 9, total: 9, device: 'cpu' });
    expect(final.results.methods.map((m) => m.method)).toEqual([...RACE_METHODS]);
    for (const m of final.results.methods) {
      const tuned = ['adam', 'adamw', 'sgd'].includes(m.method);
      expect(m.runs.length, m.method).toBe(tuned ? 2 : 1);
      expect(m.best_lr !== undefined, m.method).toBe(tuned);
      expect(m.runs.every((r) => r.end !== null && r.end !== 'failed'), `${m.method}: ${m.runs.map((r) => r.error).join()}`).toBe(true);
      expect(m.peak_test_accuracy, m.method).toBeGreaterThan(0);
    }
    // The deep methods ran the epoch budget; CRONOS its iteration cap.
    const adam = final.results.methods.find((m) => m.method === 'adam');
    expect(adam?.runs.map((r) => r.curve.at(-1)?.epoch)).toEqual([2, 2]);
    expect(final.results.methods[0].runs[0].curve.length).toBeLessThanOrEqual(4);
    // Progress is the race so far: runs end one by one.
    const dones = progress.map((p) => p.progress.done);
    expect(dones).toEqual([...dones].sort((a, b) => a - b));
    for (const p of progress) for (const m of p.results.methods) for (const r of m.runs) expect(r.curve.length).toBeLessThanOrEqual(RACE_PROGRESS_POINTS);

    const doc = resultsFromJson(resultsToJson(final.results));
    expect(doc).toStrictEqual(JSON.parse(JSON.stringify(final.results)));
    const rows = resultsTable(final.results);
    expect(tableFromCsv(tableToCsv(rows))).toStrictEqual(rows);
  }, 60_000);

  it('stops early with the results so far and frees its runs', async () => {
    const h = sessionHarness();
    h.send({ type: 'race-start', race: 2, settings: XOR, config: { ...SMALL, epochs: 50 } });
    await h.pump(3);
    h.send({ type: 'race-stop', race: 2 });
    await h.drain();
    const results = ofType(h.raceMessages, 'race-results');
    expect(results).toHaveLength(1);
    expect(results[0].stopped).toBe(true);
    expect(results[0].progress.done).toBeLessThan(results[0].progress.total);
    // Nothing steps after the stop.
    const count = h.raceMessages.length;
    await h.drain();
    expect(h.raceMessages.length).toBe(count);
  }, 60_000);

  it('answers bad settings with a race error', async () => {
    const h = sessionHarness();
    h.send({ type: 'race-start', race: 3, settings: XOR, config: { ...SMALL, epochs: 0, methods: ['adam', 'lbfgs'] } });
    await h.drain();
    const [err] = ofType(h.raceMessages, 'race-error');
    expect(err.race).toBe(3);
    expect(err.message).toMatch(/epochs 0 is not a whole number ≥ 1/);
    expect(err.message).toMatch(/"lbfgs" is not a method/);
    expect(ofType(h.raceMessages, 'race-results')).toEqual([]);
  });

  it('a newer start replaces the race in flight', async () => {
    const h = sessionHarness();
    h.send({ type: 'race-start', race: 4, settings: XOR, config: { ...SMALL, epochs: 50 } });
    h.send({ type: 'race-start', race: 5, settings: XOR, config: { ...SMALL, methods: ['sgd'] } });
    await h.drain();
    const results = ofType(h.raceMessages, 'race-results');
    expect(results.map((r) => [r.race, r.stopped])).toEqual([
      [4, true],
      [5, false],
    ]);
    expect(results[1].results.methods.map((m) => m.method)).toEqual(['sgd']);
    // The replaced race never stepped.
    expect(ofType(h.raceMessages, 'race-progress').every((p) => p.race === 5)).toBe(true);
  }, 60_000);
});
