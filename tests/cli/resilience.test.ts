/**
 * Never lose a run, at the CLI (solver/resilience.ts): `--simulate-device-loss K` destroys the GPU
 * device before iteration K and the run ends as the uninterrupted one, with `events` in
 * result.json; a NaN injected before iteration K (CRONOS_SIMULATE_NAN, the test hook) exits 1 and
 * writes the last good iteration's result, marked `stopped`, equal to a run stopped there.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createRng } from '../../solver/rng';
import { ROOT } from '../support/paths';

const dir = mkdtempSync(join(tmpdir(), 'cronos-resil-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function makeCsv(n: number): string {
  const rng = createRng(7, 9);
  const lines = ['a,b,c,y'];
  for (let j = 0; j < n; j++) {
    const x = [rng.normal(), rng.normal(), rng.normal()];
    lines.push(`${x.map((v) => v.toFixed(4)).join(',')},${x[0] + Math.max(0, x[1]) > 0.2 ? 'p' : 'q'}`);
  }
  return lines.join('\n') + '\n';
}

interface CliRun {
  code: number | null;
  stderr: string;
}

function cli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliRun> {
  return new Promise((res, rej) => {
    const child = spawn('bash', ['scripts/gpu-env.sh', 'npx', 'tsx', 'cli/cronos.ts', ...args], { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, ...env } });
    let stderr = '';
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    child.on('error', rej);
    child.on('close', (code) => res({ code, stderr }));
  });
}

interface Result {
  history: { iter: number; objective: number; rho: number }[];
  final: { iterations: number; objective: number; objective_f64: number };
  network: { W1: number[][]; w2: number[][] };
  events: { iteration: number; type: string; detail: string }[];
  stopped: { iteration: number; reason: string; message: string } | null;
  resources: { gpu_buffers: number }[];
}

const read = (name: string): Result => JSON.parse(readFileSync(join(dir, name), 'utf8')) as Result;
const data = join(dir, 'train.csv');
writeFileSync(data, makeCsv(60));
// ρ = 10 is far off, so residual balancing changes ρ on both sides of the loss.
const flags = ['--data', data, '--P', '4', '--pcg-iters', '6', '--rank', '4', '--tol', '1e-12', '--adaptive-rho', '--rho', '10', '--admm-iters', '14'];
const rel = (a: number, b: number): number => Math.abs(a - b) / Math.max(Math.abs(b), 1e-30);

describe('--simulate-device-loss (GPU)', () => {
  it('recovers on a new device; the result equals the uninterrupted run to float32 tolerance', async () => {
    // Anderson's memory is not part of the saved state the recovery continues from (it restarts),
    // so following the uninterrupted run needs it off, on the GPU as on the CPU.
    const exact = [...flags, '--anderson', '0'];
    const straight = await cli(['train', ...exact, '--device', 'gpu', '--out', join(dir, 'straight.json')]);
    expect(straight.code, straight.stderr).toBe(0);
    const lost = await cli(['train', ...exact, '--device', 'gpu', '--simulate-device-loss', '6', '--out', join(dir, 'lost.json')]);
    expect(lost.code, lost.stderr).toBe(0);
    expect(lost.stderr).toMatch(/event at iteration 5: device-lost/);
    const a = read('straight.json');
    const b = read('lost.json');
    expect(a.events).toEqual([]);
    expect(b.events.map((e) => [e.iteration, e.type])).toEqual([
      [5, 'simulated-device-loss'],
      [5, 'device-lost'],
      [5, 'recovered'],
    ]);
    expect(b.stopped).toBeNull();
    expect(b.history.map((m) => m.iter)).toEqual(a.history.map((m) => m.iter));
    expect(new Set(a.history.map((m) => m.rho)).size).toBeGreaterThan(1);
    for (let k = 0; k < a.history.length; k++) expect(rel(b.history[k].objective, a.history[k].objective)).toBeLessThanOrEqual(1e-5);
    expect(rel(b.final.objective_f64, a.final.objective_f64)).toBeLessThanOrEqual(1e-5);
    const w = (r: Result): number[] => r.network.W1.flat();
    const wa = w(a);
    const wb = w(b);
    expect(wb.length).toBe(wa.length);
    const scale = Math.max(...wa.map(Math.abs));
    for (let t = 0; t < wa.length; t++) expect(Math.abs(wb[t] - wa[t]) / scale).toBeLessThanOrEqual(1e-4);
    // The resources after the recovery are the new device's: the same buffers as before.
    expect(new Set(b.resources.map((r) => r.gpu_buffers)).size).toBe(1);
  });
});

describe('--simulate-device-loss with a deep method (GPU)', () => {
  it('Adam recovers on a new device from its last checkpoint; every epoch equals the uninterrupted run', async () => {
    interface DeepResult {
      history: { epoch: number; trainLoss: number; testAccuracy: number | null }[];
      events: { iteration: number; type: string }[];
    }
    const deep = ['--method', 'adam', '--data', data, '--arch', 'mlp:8', '--epochs', '5', '--batch', '16', '--device', 'gpu'];
    const straight = await cli(['train', ...deep, '--out', join(dir, 'deep-straight.json')]);
    expect(straight.code, straight.stderr).toBe(0);
    const lost = await cli(['train', ...deep, '--simulate-device-loss', '3', '--out', join(dir, 'deep-lost.json')]);
    expect(lost.code, lost.stderr).toBe(0);
    const a = JSON.parse(readFileSync(join(dir, 'deep-straight.json'), 'utf8')) as DeepResult;
    const b = JSON.parse(readFileSync(join(dir, 'deep-lost.json'), 'utf8')) as DeepResult;
    expect(a.events).toEqual([]);
    expect(b.events.map((e) => [e.iteration, e.type])).toEqual([
      [2, 'simulated-device-loss'],
      [2, 'device-lost'],
      [2, 'recovered'],
    ]);
    expect(b.history.map((m) => m.epoch)).toEqual(a.history.map((m) => m.epoch));
    for (let k = 0; k < a.history.length; k++) expect(rel(b.history[k].trainLoss, a.history[k].trainLoss)).toBeLessThanOrEqual(1e-5);
  });
});

describe('numerical breakdown (CPU, CRONOS_SIMULATE_NAN)', () => {
  it('exits 1 and writes the last good iteration, marked stopped, equal to a run stopped there (bit for bit)', async () => {
    const cpu = flags.slice(0, -2);
    const four = await cli(['train', ...cpu, '--admm-iters', '4', '--device', 'cpu', '--out', join(dir, 'four.json')]);
    expect(four.code, four.stderr).toBe(0);
    const nan = await cli(['train', ...cpu, '--admm-iters', '14', '--device', 'cpu', '--out', join(dir, 'nan.json')], { CRONOS_SIMULATE_NAN: '5' });
    expect(nan.code).toBe(1);
    expect(nan.stderr).toMatch(/error: The iterates diverged at iteration 5 .*larger ρ.* stopped at iteration 4, its last good state/);
    const a = read('four.json');
    const b = read('nan.json');
    expect(b.stopped?.iteration).toBe(4);
    expect(b.stopped?.reason).toBe('numerical-breakdown');
    expect(b.events.map((e) => e.type)).toEqual(['simulated-nan', 'breakdown', 'restored-last-good']);
    expect(b.final.iterations).toBe(4);
    expect(b.history.map((m) => m.iter)).toEqual([1, 2, 3, 4]);
    expect(b.network).toEqual(a.network);
    expect(b.final.objective_f64).toBe(a.final.objective_f64);
    expect(b.network.W1.flat().every(Number.isFinite)).toBe(true);
  });

  it('an infinity at the first iteration has no good state to write: exit 1, no file', async () => {
    const r = await cli(['train', ...flags, '--device', 'cpu', '--out', join(dir, 'none.json')], { CRONOS_SIMULATE_NAN: '1:inf' });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/diverged at iteration 1/);
    expect(existsSync(join(dir, 'none.json'))).toBe(false);
  });

  it('a bad hook value is a usage error', async () => {
    const r = await cli(['train', ...flags, '--device', 'cpu'], { CRONOS_SIMULATE_NAN: 'soon' });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/CRONOS_SIMULATE_NAN="soon" is not K/);
  });
});
