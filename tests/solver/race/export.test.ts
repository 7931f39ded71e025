/** The results table's CSV and the results document's JSON parse back to what was written. */
import { describe, expect, it } from 'vitest';
import { resultsFromJson, resultsTable, resultsToJson, tableFromCsv, tableToCsv } from '../../../solver/race/export';
import type { RaceResults } from '../../../solver/race/race';
import { raceTimeGrid, summariseMethod, type RaceRun } from '../../../solver/race/summary';

const runs: RaceRun[] = [
  { method: 'adam', lr: 0.000123456789, end: 'max-iterations', curve: [{ time_s: 0.1 / 3, epoch: 1, test_accuracy: 2 / 3 }, { time_s: 0.07, epoch: 2, test_accuracy: 0.875 }] },
  { method: 'adam', lr: 0.031, end: 'failed', error: 'NaN loss', curve: [{ time_s: 0.02, epoch: 1, test_accuracy: null }] },
  { method: 'cronos', lr: null, end: 'converged', curve: [{ time_s: 1e-3, epoch: 1, test_accuracy: 0.5 }, { time_s: 0.2, epoch: 2, test_accuracy: 0.9 }] },
];
const grid = raceTimeGrid(runs, 5);
const results: RaceResults = {
  format: 'cronos-race',
  version: 1,
  config: { methods: ['adam', 'cronos'], arch: 'mlp:8', epochs: 2, batch: 4, lrDraws: 2, seed: 1, lrMode: 'random', targetAccuracy: 0.8 },
  time_grid_s: grid,
  methods: ['adam', 'cronos'].map((m) => summariseMethod(m, runs.filter((r) => r.method === m), grid, 0.8)),
};

describe('race export', () => {
  it('CSV: one row per method, and parsing it back gives the same rows (nulls as empty cells)', () => {
    const rows = resultsTable(results);
    const csv = tableToCsv(rows);
    expect(csv.split('\n')[0]).toBe('method,draws,best_lr,peak_test_accuracy,peak_min,peak_max,final_test_accuracy,final_min,final_max,time_s,median_run_time_s,time_to_target_s');
    expect(rows[1]).toMatchObject({ method: 'cronos', draws: 1, best_lr: null, peak_test_accuracy: 0.9, time_to_target_s: 0.2 });
    expect(rows[0].final_min).toBeCloseTo(0.875, 12);
    expect(tableFromCsv(csv)).toEqual(rows);
  });

  it('JSON: the whole document parses back equal; another file is refused', () => {
    expect(resultsFromJson(resultsToJson(results, 1))).toEqual(results);
    expect(() => resultsFromJson('{"methods": []}')).toThrow(/not a race results file/);
  });

  it('a bad number in a CSV cell names its line and column', () => {
    const csv = tableToCsv(resultsTable(results)).replace(/\ncronos,1,/, '\ncronos,x,');
    expect(() => tableFromCsv(csv)).toThrow(/line 3: draws "x"/);
  });
});
