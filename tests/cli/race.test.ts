/**
 * `cronos race` (cli/race.ts): a small race of every method on a tiny CSV on the CPU — race.json
 * has the documented schema and plausible numbers, the CSV table parses back to the JSON's
 * numbers — and bad flags or data exit 1 with a message and leave no file.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeXorCsv } from '../support/helpers';
import { parseRaceArgs, raceUsage, runRaceCli } from '../../cli/race';
import { UsageError } from '../../cli/args';
import { resultsFromJson, tableFromCsv, resultsTable } from '../../solver/race/export';
import { ROOT } from '../support/paths';

const dir = mkdtempSync(join(tmpdir(), 'cronos-race-cli-'));
const file = (name: string): string => join(dir, name);

/** The XOR-like CSV of tests/support/helpers.ts, 64 rows from `offset`, in this test's folder. */
function writeData(name: string, offset = 0): string {
  return writeXorCsv(file(name), 64, offset);
}

const train = writeData('train.csv');
const test = writeData('test.csv', 400);

describe('cronos race', () => {
  it('races every method (2 epochs, 2 draws): race.json has the schema, accuracies in [0, 1], the CSV agrees', async () => {
    const out = file('race.json');
    const csv = file('race.csv');
    const argv = ['--data', train, '--test', test, '--arch', 'mlp:8', '--epochs', '2', '--batch', '16', '--lr-draws', '2', '--seed', '3', '--cronos-iters', '30', '--target', '0.6', '--device', 'cpu', '--out', out, '--csv', csv];
    const lines: string[] = [];
    expect(await runRaceCli(argv, (s) => lines.push(s))).toBe(0);
    const doc = resultsFromJson(readFileSync(out, 'utf8'));
    expect(doc.methods.map((m) => m.method)).toEqual(['cronos', 'cronos-am', 'adam', 'adamw', 'sgd', 'dadapt-adam']);
    for (const m of doc.methods) {
      const tuned = ['adam', 'adamw', 'sgd'].includes(m.method);
      expect(m.runs).toHaveLength(tuned ? 2 : 1);
      expect('best_lr' in m).toBe(tuned);
      expect('lrs' in m).toBe(tuned);
      if (tuned) expect(m.lrs).toEqual(m.runs.map((r) => r.lr));
      for (const r of m.runs) {
        expect(r.end).not.toBe('failed');
        expect(r.time_s).toBeGreaterThan(0);
        for (const p of r.curve) expect(Object.keys(p).sort()).toEqual(['epoch', 'test_accuracy', 'time_s']);
        // Own clocks only grow.
        r.curve.slice(1).forEach((p, i) => expect(p.time_s).toBeGreaterThanOrEqual(r.curve[i].time_s));
      }
      expect(m.time_s).toBeCloseTo(m.runs.reduce((a, r) => a + r.time_s, 0), 9);
      expect(m.curve.length).toBeGreaterThan(0);
    }
    // The deep methods ran exactly the epoch budget, one point per epoch; CRONOS at most its cap.
    for (const id of ['cronos-am', 'adam', 'dadapt-adam']) {
      const m = doc.methods.find((x) => x.method === id);
      expect(m?.runs[0].curve.map((p) => p.epoch)).toEqual([1, 2]);
    }
    const cronos = doc.methods[0];
    expect(cronos.runs[0].curve.length).toBeLessThanOrEqual(30);
    for (const id of ['cronos-am', 'adam']) {
      const m = doc.methods.find((x) => x.method === id);
      for (const v of [m?.peak_test_accuracy, m?.final_test_accuracy]) {
        expect(v).toBeGreaterThanOrEqual(0);
        expect(v).toBeLessThanOrEqual(1);
      }
      expect(m?.peak_test_accuracy).toBeGreaterThanOrEqual(m?.final_test_accuracy ?? 1);
    }
    expect(tableFromCsv(readFileSync(csv, 'utf8'))).toEqual(resultsTable(doc));
    expect(lines.filter((l) => /: (converged|max-iterations)/.test(l))).toHaveLength(9);
  }, 60_000);

  it('refuses bad flags by name', () => {
    const base = ['--data', train, '--test', test];
    expect(() => parseRaceArgs([...base, '--methods', 'adam,nadam'])).toThrow(/"nadam" is not a method/);
    expect(() => parseRaceArgs([...base, '--lr-draws', '0'])).toThrow(UsageError);
    expect(() => parseRaceArgs([...base, '--lr-mode', 'sobol'])).toThrow(/--lr-mode: "sobol" is not a mode; use random or grid/);
    expect(() => parseRaceArgs([...base, '--arch', 'rnn:3'])).toThrow(/--arch/);
    expect(() => parseRaceArgs(['--data', train])).toThrow(/--test TEST.csv or --split/);
    expect(() => parseRaceArgs([...base, '--admm-iters', '5'])).toThrow(/unknown option --admm-iters/);
    expect(parseRaceArgs([...base, '--lr-mode', 'grid']).config).toMatchObject({ lrMode: 'grid', epochs: 50, lrDraws: 5, seed: 0 });
    expect(raceUsage()).toMatch(/--lr-draws K\s+learning rates per tuned method/);
  });

  it('exits 1 with a message on bad data and writes nothing', async () => {
    const out = file('bad.json');
    const bad = file('bad.csv');
    writeFileSync(bad, 'a,b,label\n1,2,x\n3,oops,y\n');
    const run = await new Promise<{ code: number | null; stderr: string }>((res, rej) => {
      const child = spawn('bash', ['scripts/gpu-env.sh', 'npx', 'tsx', 'cli/cronos.ts', 'race', '--data', bad, '--test', test, '--device', 'cpu', '--out', out], { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
      let stderr = '';
      child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
      child.on('error', rej);
      child.on('close', (code) => res({ code, stderr }));
    });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^error: .*bad\.csv/m);
    expect(existsSync(out)).toBe(false);
  }, 60_000);
});
