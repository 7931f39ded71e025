/**
 * The race view's pure parts: the reducer drops replies of a replaced race and never reopens a
 * finished one; downsampling keeps the ends and the count bound; the chart has a median and a
 * band per method on either axis; the legend names the best learning rate; the table sorts with
 * empty cells last; the page's race link replays the race.
 */
import { describe, expect, it } from 'vitest';
import { downsampleResults, thin } from '../../app/race/downsample';
import { raceLink } from '../../app/race/page';
import { INITIAL_RACE_STATE, raceActive, raceReducer } from '../../app/race/state';
import { nextSort, raceLegend, raceTraces, sortRows } from '../../app/race/view';
import { DEFAULT_SETTINGS } from '../../app/settings';
import { decodeState } from '../../app/share/state';
import { resultsTable, summariseMethod, type RaceConfig, type RaceResults, type RaceRun } from '../../solver/race/index';

const CONFIG: RaceConfig = { methods: ['cronos', 'adam'], arch: 'mlp:8', epochs: 3, batch: 16, lrDraws: 2, seed: 1, lrMode: 'grid', targetAccuracy: 0.7 };

/** A run whose test accuracy after epoch e is accs[e - 1], one second per epoch. */
function run(method: string, lr: number | null, accs: number[]): RaceRun {
  return { method, lr, end: 'max-iterations', curve: accs.map((a, i) => ({ epoch: i + 1, time_s: i + 1, test_accuracy: a })) };
}

/** Results of a two-method race: CRONOS once, Adam at two rates. */
function results(): RaceResults {
  const grid = [0, 1, 2, 3];
  const methods = [summariseMethod('cronos', [run('cronos', null, [0.6, 0.8, 0.9])], grid, 0.7), summariseMethod('adam', [run('adam', 1e-3, [0.5, 0.6, 0.65]), run('adam', 1e-2, [0.7, 0.75, 0.8])], grid, 0.7)];
  return { format: 'cronos-race', version: 1, config: CONFIG, time_grid_s: grid, methods };
}

describe('race view state', () => {
  it('follows its race and drops the replies of another', () => {
    const r = results();
    let s = raceReducer(INITIAL_RACE_STATE, { type: 'start', race: 2, config: CONFIG });
    expect(raceActive(s)).toBe(true);
    s = raceReducer(s, { type: 'replies', replies: [{ type: 'race-progress', race: 1, progress: { done: 0, total: 3, device: 'cpu' }, results: r }] });
    expect(s.results).toBeNull();
    s = raceReducer(s, {
      type: 'replies',
      replies: [
        { type: 'race-results', race: 2, progress: { done: 3, total: 3, device: 'cpu' }, results: r, stopped: false },
        { type: 'race-progress', race: 2, progress: { done: 2, total: 3, device: 'cpu' }, results: r },
      ],
    });
    expect(s.phase).toBe('done');
    expect(s.progress?.done).toBe(3);
    expect(raceActive(s)).toBe(false);
    const err = raceReducer(raceReducer(s, { type: 'start', race: 3, config: CONFIG }), { type: 'replies', replies: [{ type: 'race-error', race: 3, message: 'no test rows' }] });
    expect([err.phase, err.error, err.results]).toEqual(['error', 'no test rows', null]);
  });
});

describe('race downsampling', () => {
  it('keeps the first and last points and at most max', () => {
    const xs = Array.from({ length: 1001 }, (_, i) => i);
    const t = thin(xs, 50);
    expect(t.length).toBe(50);
    expect([t[0], t.at(-1)]).toEqual([0, 1000]);
    expect(thin(xs.slice(0, 10), 50)).toHaveLength(10);
    const d = downsampleResults(results(), 2);
    expect(d.methods[1].runs[0].curve.map((p) => p.epoch)).toEqual([1, 3]);
    expect(d.methods[1].peak_test_accuracy).toBe(results().methods[1].peak_test_accuracy);
  });
});

describe('race chart, legend and table', () => {
  it('draws a band and a median per method on time or epochs', () => {
    const r = results();
    for (const axis of ['time', 'epochs'] as const) {
      const traces = raceTraces(r, axis) as { x: number[]; y: number[]; fill?: string; name: string }[];
      expect(traces).toHaveLength(4);
      const [band, med] = traces.slice(2);
      expect(band.fill).toBe('toself');
      // The outline runs along the 95th percentile and back along the 5th.
      const n = med.y.length;
      expect(band.y).toHaveLength(2 * n);
      for (let i = 0; i < n; i++) {
        expect(band.y[2 * n - 1 - i]).toBeLessThanOrEqual(med.y[i]);
        expect(med.y[i]).toBeLessThanOrEqual(band.y[i]);
      }
      expect(med.name).toBe('Adam');
    }
    const epochs = raceTraces(r, 'epochs') as { x: number[]; y: number[] }[];
    expect(epochs[3].x).toEqual([1, 2, 3]);
    // The median of 0.5 and 0.7 at epoch 1, in percent.
    expect(epochs[3].y[0]).toBeCloseTo(60, 10);
  });

  it('names each method and its best learning rate', () => {
    expect(raceLegend(results()).map((e) => [e.title, e.note])).toEqual([
      ['CRONOS (ADMM + Nyström PCG)', 'no step size'],
      ['Adam', 'best lr 0.01'],
    ]);
  });

  it('sorts by any column, empty cells last', () => {
    const rows = resultsTable(results());
    expect(sortRows(rows, { key: 'peak_test_accuracy', descending: true }).map((r) => r.method)).toEqual(['cronos', 'adam']);
    expect(sortRows(rows, { key: 'best_lr', descending: false }).map((r) => r.method)).toEqual(['adam', 'cronos']);
    expect(sortRows(rows, { key: 'best_lr', descending: true }).map((r) => r.method)).toEqual(['adam', 'cronos']);
    // Half of Adam's draws never reach 70 %: no time (spec §8), listed last.
    expect(sortRows(rows, { key: 'time_to_target_s', descending: false }).map((r) => r.time_to_target_s)).toEqual([2, null]);
    expect(nextSort({ key: 'method', descending: false }, 'method')).toEqual({ key: 'method', descending: true });
    expect(nextSort({ key: 'method', descending: false }, 'final_test_accuracy')).toEqual({ key: 'final_test_accuracy', descending: true });
  });

  it('links to a replay of the race on the page data', () => {
    const link = raceLink({ ...DEFAULT_SETTINGS, dataset: 'circles' }, CONFIG, { xAxis: 'iteration' }, { name: 'x', label: 'y' }, { origin: 'https://p.example', pathname: '/', search: '' });
    if (!link.ok) throw new Error(link.error);
    const decoded = decodeState(new URL(link.url).hash);
    if (!decoded.ok) throw new Error(decoded.error);
    expect(decoded.state.race).toStrictEqual(CONFIG);
    expect(decoded.state.dataset).toEqual({ kind: 'builtin', id: 'circles' });
  });
});
