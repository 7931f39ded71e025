/**
 * `result.json`'s `resources` (issue: never lose a run — no leaks): live GPU buffers and bytes and
 * the JS heap, after the first iteration and every 100. Over a run with residual balancing (ρ
 * changes re-sketch the preconditioner) the GPU buffer count and bytes stay constant.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createRng } from '../../solver/rng';
import { ROOT } from '../support/paths';

const dir = mkdtempSync(join(tmpdir(), 'cronos-res-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function makeCsv(n: number): string {
  const rng = createRng(5, 9);
  const lines = ['a,b,c,d,y'];
  for (let j = 0; j < n; j++) {
    const x = [rng.normal(), rng.normal(), rng.normal(), rng.normal()];
    lines.push(`${x.map((v) => v.toFixed(4)).join(',')},${x[0] + Math.max(0, x[1]) > 0.2 ? 'p' : 'q'}`);
  }
  return lines.join('\n') + '\n';
}

function cli(args: string[]): Promise<number | null> {
  return new Promise((res, rej) => {
    const child = spawn('bash', ['scripts/gpu-env.sh', 'npx', 'tsx', 'cli/cronos.ts', ...args], { cwd: ROOT, stdio: ['ignore', 'ignore', 'ignore'] });
    child.on('error', rej);
    child.on('close', res);
  });
}

interface Sample {
  iteration: number;
  gpu_buffers: number;
  gpu_bytes: number;
  heap_bytes: number;
}

describe('resources in result.json', () => {
  const data = join(dir, 'train.csv');
  writeFileSync(data, makeCsv(80));
  // ρ = 10 is far off, so residual balancing changes ρ (and rebuilds the preconditioner) several times.
  const flags = ['--P', '4', '--pcg-iters', '5', '--rank', '4', '--tol', '1e-12', '--adaptive-rho', '--rho', '10', '--admm-iters', '300'];

  it('gpu: sampled at 1, 100, 200, 300 with a constant GPU buffer count and size while ρ changes', async () => {
    const out = join(dir, 'gpu.json');
    expect(await cli(['train', '--data', data, '--device', 'gpu', '--out', out, ...flags])).toBe(0);
    const res = JSON.parse(readFileSync(out, 'utf8')) as { resources: Sample[]; history: { rho: number }[] };
    expect(res.resources.map((r) => r.iteration)).toEqual([1, 100, 200, 300]);
    expect(new Set(res.history.map((m) => m.rho)).size).toBeGreaterThan(2);
    const first = res.resources[0];
    expect(first.gpu_buffers).toBeGreaterThan(10);
    for (const r of res.resources) {
      expect(r.gpu_buffers).toBe(first.gpu_buffers);
      expect(r.gpu_bytes).toBe(first.gpu_bytes);
      expect(r.heap_bytes).toBeGreaterThan(0);
    }
  });

  it('cpu: no GPU buffers', async () => {
    const out = join(dir, 'cpu.json');
    expect(await cli(['train', '--data', data, '--device', 'cpu', '--out', out, ...flags])).toBe(0);
    const res = JSON.parse(readFileSync(out, 'utf8')) as { resources: Sample[] };
    expect(res.resources.length).toBe(4);
    expect(res.resources.every((r) => r.gpu_buffers === 0 && r.gpu_bytes === 0)).toBe(true);
  });
});
