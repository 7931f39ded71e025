/**
 * The race section of session files (app/share/race-session.ts): a saved race opens with the same
 * results (the summaries rebuilt from the stored runs by the engine), older files without one
 * still open, a bad race section is refused naming the field, and the race view shows a
 * restored race as finished.
 */
import { describe, expect, it } from 'vitest';
import { raceReducer, INITIAL_RACE_STATE } from '../../app/race/state';
import type { StoredRace } from '../../app/share/race-session';
import { exportSession, exportSessionGzip, importSession, type SessionFile } from '../../app/share/session';
import { defaultShareState } from '../../app/share/state';
import { raceResultsOf } from '../../solver/race/race';
import type { RaceConfig } from '../../solver/race/config';
import type { RaceRun } from '../../solver/race/summary';

const CONFIG: RaceConfig = { methods: ['cronos', 'adam'], arch: 'mlp:16', epochs: 3, batch: 32, lrDraws: 2, seed: 9, lrMode: 'random', targetAccuracy: 0.8, cronosIters: 40 };

/** Curves of a small race: CRONOS once, Adam over two draws (one of them failed after a step). */
const RUNS: RaceRun[] = [
  { method: 'cronos', lr: null, end: 'converged', curve: [0.5, 0.7, 0.9].map((a, i) => ({ time_s: 0.2 * (i + 1), epoch: i + 1, test_accuracy: a })) },
  { method: 'adam', lr: 1e-3, end: 'max-iterations', curve: [0.6, 0.82, 0.81].map((a, i) => ({ time_s: 0.1 * (i + 1), epoch: i + 1, test_accuracy: a })) },
  { method: 'adam', lr: 3e-2, end: 'failed', error: 'the loss became NaN at step 2', curve: [{ time_s: 0.05, epoch: 1, test_accuracy: null }] },
];

const STORED: StoredRace = { results: raceResultsOf(CONFIG, RUNS), device: 'gpu' };

function session(race?: StoredRace): SessionFile {
  return { state: defaultShareState(), data: null, results: null, createdAt: '2026-12-03T00:00:00.000Z', ...(race ? { race } : {}) };
}

function opened(input: string | Uint8Array): SessionFile {
  const r = importSession(input);
  if (!r.ok) throw new Error(r.error);
  return r.session;
}

/** The exported JSON with `edit` applied to its race section. */
function editedRace(edit: (race: { config: Record<string, unknown>; runs: Record<string, unknown>[] }) => void): string {
  const doc = JSON.parse(exportSession(session(STORED))) as { race: { config: Record<string, unknown>; runs: Record<string, unknown>[] } };
  edit(doc.race);
  return JSON.stringify(doc);
}

function refused(text: string): string {
  const r = importSession(text);
  if (r.ok) throw new Error('expected the session to be refused');
  return r.error;
}

describe('races in session files', () => {
  it('round-trip: the same results and device, plain and gzipped', () => {
    expect(opened(exportSession(session(STORED))).race).toStrictEqual(STORED);
    expect(opened(exportSessionGzip(session(STORED))).race).toStrictEqual(STORED);
    // The rebuilt summary is the engine's: Adam's best draw and its table numbers.
    const adam = opened(exportSession(session(STORED))).race?.results.methods.find((m) => m.method === 'adam');
    expect(adam?.best_lr).toBe(1e-3);
    expect(adam?.peak_test_accuracy).toBe(0.82);
    expect(adam?.runs[1].error).toBe('the loss became NaN at step 2');
  });

  it('files without a race (older files) open with none', () => {
    const doc = JSON.parse(exportSession(session())) as Record<string, unknown>;
    expect('race' in doc).toBe(false);
    expect(opened(JSON.stringify(doc)).race).toBeUndefined();
  });

  it('a bad race section is refused, naming the field', () => {
    expect(refused(editedRace((r) => ((r.runs[1].curve as Record<string, unknown>[])[0].test_accuracy = 1.5)))).toMatch(/session\.race\.runs\[1\]\.curve\[0\]\.test_accuracy/);
    expect(refused(editedRace((r) => (r.runs[0].method = 'sgd')))).toMatch(/session\.race\.runs\[0\]\.method: must be one of cronos, adam/);
    expect(refused(editedRace((r) => (r.runs[1].lr = -1)))).toMatch(/session\.race\.runs\[1\]\.lr/);
    expect(refused(editedRace((r) => (r.runs[2].end = 'exploded')))).toMatch(/session\.race\.runs\[2\]\.end/);
    expect(refused(editedRace((r) => (r.config.epochs = 0)))).toMatch(/session\.race\.config\.epochs/);
    expect(refused(editedRace((r) => (r.runs = [])))).toMatch(/at least one run/);
    expect(refused(editedRace((r) => ((r as Record<string, unknown>).device = 'tpu')))).toMatch(/session\.race\.device/);
    expect(refused(editedRace((r) => (r.runs[0].extra = 1)))).toMatch(/unknown field "extra"/);
  });

  it('the race view shows a restored race as finished, with its run counts and device', () => {
    const s = raceReducer(INITIAL_RACE_STATE, { type: 'restore', race: 4, results: STORED.results, device: 'gpu' });
    expect(s.phase).toBe('done');
    expect(s.race).toBe(4);
    expect(s.config).toStrictEqual(CONFIG);
    expect(s.progress).toStrictEqual({ done: 3, total: 3, device: 'gpu' });
    // Replies of an earlier race no longer change it.
    const after = raceReducer(s, { type: 'replies', replies: [{ type: 'race-error', race: 3, message: 'old' }] });
    expect(after).toBe(s);
  });
});
