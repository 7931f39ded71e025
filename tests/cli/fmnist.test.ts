/**
 * The paper's binary task end to end through the CLI: Fashion-MNIST Pullover vs Bag, 10×10
 * (public/datasets, 3000 train / 1000 test rows) must reach ≥ 95 % test accuracy.
 * Sizes are chosen for the 2-core CI box: the CPU run (P=32, 20 iterations) takes 10–25 s; the
 * GPU run is smaller (P=16, 8 iterations, ~20 s) because SwiftShader, a CPU emulation of a GPU,
 * is far slower than the CPU solver (P=32 × 10 iterations already takes ~55 s there).
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT } from '../support/paths';

const DATA = 'public/datasets/fmnist-pullover-bag-10x10';
const dir = mkdtempSync(join(tmpdir(), 'cronos-fmnist-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Run {
  code: number | null;
  stderr: string;
  seconds: number;
}

function train(device: 'cpu' | 'gpu', out: string, flags: string[]): Promise<Run> {
  const args = ['scripts/gpu-env.sh', 'npx', 'tsx', 'cli/cronos.ts', 'train', '--data', `${DATA}-train.csv`, '--test', `${DATA}-test.csv`];
  const t0 = performance.now();
  return new Promise((res, rej) => {
    const child = spawn('bash', [...args, '--device', device, '--out', out, ...flags], { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    child.on('error', rej);
    child.on('close', (code) => res({ code, stderr, seconds: (performance.now() - t0) / 1000 }));
  });
}

function check(run: Run, out: string, device: string): void {
  expect(run.stderr).not.toMatch(/^error/m);
  expect(run.code).toBe(0);
  const res = JSON.parse(readFileSync(out, 'utf8'));
  expect(res.data.n).toBe(3000);
  expect(res.data.n_test).toBe(1000);
  expect(res.data.d).toBe(100);
  expect(res.data.classes).toEqual(['bag', 'pullover']);
  const f = res.final;
  console.log(
    `FMNIST pullover/bag 10×10 on ${device}: test ${(100 * f.test_accuracy).toFixed(1)} %, train ${(100 * f.network_train_accuracy).toFixed(1)} %, ` +
      `${f.iterations} iterations, ${run.seconds.toFixed(1)} s`,
  );
  expect(f.test_accuracy).toBeGreaterThanOrEqual(0.95);
  expect(f.network_train_accuracy).toBeGreaterThanOrEqual(0.95);
}

describe('Fashion-MNIST Pullover vs Bag (10×10) from the CLI', () => {
  it('cpu: ≥ 95 % test accuracy', async () => {
    const out = join(dir, 'cpu.json');
    // β = 1e-2: the accelerated default (Anderson, ρ = c·β) comes close to the β = 1e-3 optimum within
    // 20 iterations, and that optimum interpolates these 3000 rows (train 100 %, test ≈ 91 %); the
    // old 97 % at β = 1e-3 was early stopping. At β = 1e-2 the solution itself generalises.
    const run = await train('cpu', out, ['--P', '32', '--beta', '0.01', '--admm-iters', '20']);
    check(run, out, 'cpu');
  }, 180_000);

  it.skipIf(!existsSync(join(ROOT, 'solver/gpu/admm.ts')))('gpu: ≥ 95 % test accuracy', async (ctx) => {
    const out = join(dir, 'gpu.json');
    const run = await train('gpu', out, ['--P', '16', '--admm-iters', '8', '--pcg-iters', '10', '--rank', '5']);
    // A machine without any WebGPU adapter (not even SwiftShader) cannot run this check.
    if (run.code === 1 && /WebGPU is not available/.test(run.stderr)) ctx.skip();
    check(run, out, 'gpu');
    expect(JSON.parse(readFileSync(out, 'utf8')).adapter).not.toBeNull();
  }, 240_000);
});
