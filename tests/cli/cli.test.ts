/**
 * The CLI as a user runs it: a child process on small generated CSVs with --device cpu.
 * Checks the result.json contract, the spec §10 export, and that every bad input exits 1 with a
 * located message and leaves no output file behind.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRng } from '../../solver/rng';
import { ROOT } from '../support/paths';


interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `cronos ...args` the way package.json does (through gpu-env.sh and tsx). */
function cli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliRun> {
  return new Promise((res, rej) => {
    const child = spawn('bash', ['scripts/gpu-env.sh', 'npx', 'tsx', 'cli/cronos.ts', ...args], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    child.on('error', rej);
    child.on('close', (code) => res({ code, stdout, stderr }));
  });
}

/** n rows of d Gaussian features; label by the sign of a fixed nonlinear score (or its argmax of 3). */
function makeCsv(n: number, d: number, seed: number, classes: 2 | 3, labelFirst = false): string {
  const rng = createRng(seed, 9);
  const lines: string[] = [];
  const names = Array.from({ length: d }, (_, k) => `x${k}`);
  lines.push((labelFirst ? ['cls', ...names] : [...names, 'cls']).join(','));
  for (let j = 0; j < n; j++) {
    const x = names.map(() => rng.normal());
    let label: string;
    if (classes === 2) label = x[0] + 0.5 * Math.max(0, x[1]) - 0.3 * x[2] > 0 ? 'yes' : 'no';
    else {
      const s = [x[0], x[1], -x[0] - x[1]];
      label = ['red', 'green', 'blue'][s.indexOf(Math.max(...s))];
    }
    const vals = x.map((v) => (v * 3 + 10).toFixed(4));
    lines.push((labelFirst ? [label, ...vals] : [...vals, label]).join(','));
  }
  return lines.join('\n') + '\n';
}

let dir = '';
const path = (name: string): string => join(dir, name);
/** A fast CPU configuration; `o` replaces some of its flags. */
const small = (o: Record<string, string> = {}): string[] =>
  Object.entries({ '--device': 'cpu', '--P': '6', '--admm-iters': '8', '--pcg-iters': '10', '--rank': '5', ...o }).flat();
const SMALL = small();

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'cronos-cli-'));
  writeFileSync(path('train.csv'), makeCsv(120, 4, 1, 2));
  writeFileSync(path('test.csv'), makeCsv(60, 4, 2, 2));
  writeFileSync(path('multi.csv'), makeCsv(90, 3, 3, 3, true));
  writeFileSync(path('bad-cell.csv'), makeCsv(20, 4, 4, 2).replace(/\n([^\n]*)\n/, (_m, first: string) => `\n${first}\n1,2,oops,4,yes\n`));
});

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('cronos train (cpu)', () => {
  it('prints usage with --help', async () => {
    const r = await cli(['--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/usage: npm run cronos -- train --data/);
    expect(r.stdout).toContain('--export-problem');
  });

  it('trains a binary problem and writes a complete result.json', async () => {
    const out = path('result.json');
    const r = await cli(['train', '--data', path('train.csv'), '--test', path('test.csv'), '--out', out, ...SMALL]);
    expect(r.stderr).not.toMatch(/error/);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^iter +1 +f [0-9.e+-]+ +f−dual [0-9.e+-]+ +r_pri /m);
    const res = JSON.parse(readFileSync(out, 'utf8'));
    expect(res.method).toBe('cronos');
    expect(res.config).toMatchObject({ model: 'relu', P: 6, admmIters: 8, pcgIters: 10, rank: 5, device: 'cpu', warmStart: true });
    expect(res.data).toMatchObject({ train_file: path('train.csv'), test_file: path('test.csv'), n: 120, n_test: 60, d: 4, classes: ['no', 'yes'], label_column: 'cls' });
    expect(res.data.standardisation.mean).toHaveLength(4);
    expect(res.data.standardisation.std).toHaveLength(4);
    expect(res.history.length).toBeGreaterThanOrEqual(1);
    expect(res.history.length).toBeLessThanOrEqual(8);
    for (const [i, m] of res.history.entries()) {
      expect(m.iter).toBe(i + 1);
      expect(Number.isFinite(m.objective)).toBe(true);
      expect(m.trainAccuracy).toBeGreaterThanOrEqual(0);
      expect(m.trainAccuracy).toBeLessThanOrEqual(1);
      expect(m.testAccuracy).toBeGreaterThanOrEqual(0);
      expect(m.testAccuracy).toBeLessThanOrEqual(1);
    }
    const f = res.final;
    expect(f.iterations).toBe(res.history.length);
    expect(typeof f.converged).toBe('boolean');
    expect(f.objective).toBeGreaterThan(0);
    expect(f.objective_f64).toBeCloseTo(f.objective, 6);
    for (const k of ['train_accuracy', 'network_train_accuracy', 'test_accuracy']) {
      expect(f[k]).toBeGreaterThanOrEqual(0);
      expect(f[k]).toBeLessThanOrEqual(1);
    }
    expect(f.test_accuracy).toBeGreaterThan(0.8);
    const net = res.network;
    expect(net.model).toBe('relu');
    expect(net.W1).toHaveLength(4);
    expect(net.W1[0]).toHaveLength(net.m);
    expect(net.w2).toHaveLength(net.m);
    expect(net.w2[0]).toHaveLength(1);
    expect(net.m).toBeGreaterThan(0);
    expect(net.m).toBeLessThanOrEqual(12);
    expect(res.adapter).toBeNull();
    expect(readdirSync(dir).filter((n) => n.includes('.tmp-'))).toEqual([]);
  });

  it('prints the result to stdout without --out; no test set → test accuracy null; --split holds out rows', async () => {
    const r = await cli(['train', '--data', path('train.csv'), ...small({ '--admm-iters': '3' })]);
    expect(r.code).toBe(0);
    const res = JSON.parse(r.stdout);
    expect(res.history).toHaveLength(3);
    expect(res.final.test_accuracy).toBeNull();
    expect(res.data.test_file).toBeNull();
    expect(res.history[0].testAccuracy).toBeNull();

    const s = await cli(['train', '--data', path('train.csv'), '--split', '0.25', ...SMALL]);
    expect(s.code).toBe(0);
    const split = JSON.parse(s.stdout);
    expect(split.data.n).toBe(90);
    expect(split.data.n_test).toBe(30);
    expect(split.final.test_accuracy).toBeGreaterThanOrEqual(0);
  });

  it('exports the spec §10 problem (binary relu) consistent with the reported objective', async () => {
    const out = path('r2.json');
    const ex = path('problem.json');
    const r = await cli(['train', '--data', path('train.csv'), '--out', out, '--export-problem', ex, ...SMALL, '--beta', '0.01']);
    expect(r.code).toBe(0);
    const res = JSON.parse(readFileSync(out, 'utf8'));
    const p = JSON.parse(readFileSync(ex, 'utf8'));
    expect(Array.isArray(p)).toBe(false);
    expect(p.model).toBe('relu');
    expect(p.beta).toBe(0.01);
    expect(p.X).toHaveLength(120);
    expect(p.X[0]).toHaveLength(4);
    expect(p.y).toHaveLength(120);
    expect(new Set(p.y)).toEqual(new Set([1, -1]));
    expect(p.D).toHaveLength(120);
    expect(p.D[0]).toHaveLength(6);
    expect(p.D.flat().every((v: number) => v === 0 || v === 1)).toBe(true);
    expect(p.U).toHaveLength(4);
    expect(p.U[0]).toHaveLength(6);
    expect(p.W).toHaveLength(4);
    expect(p.W[0]).toHaveLength(6);
    // X is the standardised data: column means 0.
    for (let k = 0; k < 4; k++) expect(p.X.reduce((s: number, row: number[]) => s + row[k], 0) / 120).toBeCloseTo(0, 10);
    // ½‖Σ_i D_i X(u_i − w_i) − y‖² + β Σ(‖u_i‖ + ‖w_i‖) from the export equals the CLI's objective.
    let loss = 0;
    for (let j = 0; j < 120; j++) {
      let f = 0;
      for (let i = 0; i < 6; i++) {
        if (!p.D[j][i]) continue;
        for (let k = 0; k < 4; k++) f += p.X[j][k] * (p.U[k][i] - p.W[k][i]);
      }
      loss += 0.5 * (f - p.y[j]) ** 2;
    }
    let pen = 0;
    for (let i = 0; i < 6; i++) {
      pen += Math.hypot(...p.U.map((r: number[]) => r[i])) + Math.hypot(...p.W.map((r: number[]) => r[i]));
    }
    expect(loss + 0.01 * pen).toBeCloseTo(res.final.objective_f64, 8);
  });

  it('multi-class gated: label by name, one export object per class, no W', async () => {
    const out = path('r3.json');
    const ex = path('problem3.json');
    const r = await cli(['train', '--data', path('multi.csv'), '--label', 'cls', '--model', 'gated', '--out', out, '--export-problem', ex, ...SMALL]);
    expect(r.code).toBe(0);
    const res = JSON.parse(readFileSync(out, 'utf8'));
    expect(res.data.classes).toEqual(['blue', 'green', 'red']);
    expect(res.data.d).toBe(3);
    expect(res.network.model).toBe('gated');
    expect(res.network.w2[0]).toHaveLength(3);
    expect(res.network.gates).toHaveLength(3);
    expect(res.final.network_train_accuracy).toBeGreaterThan(0.6);
    const p = JSON.parse(readFileSync(ex, 'utf8'));
    expect(Array.isArray(p)).toBe(true);
    expect(p).toHaveLength(3);
    p.forEach((q: { class: string; y: number[]; U: number[][]; W?: unknown; D: number[][]; model: string }, c: number) => {
      expect(q.class).toBe(res.data.classes[c]);
      expect(q.model).toBe('gated');
      expect(q.W).toBeUndefined();
      expect(q.U).toHaveLength(3);
      expect(q.U[0]).toHaveLength(6);
      expect(q.D[0]).toHaveLength(6);
      expect(q.y.filter((v) => v === 1).length).toBeGreaterThan(0);
    });
    // Every row is +1 in exactly one class.
    for (let j = 0; j < 90; j++) expect(p.filter((q: { y: number[] }) => q.y[j] === 1)).toHaveLength(1);
  });
});

describe('cronos train --save-state / --resume', () => {
  it('a run saved at 40 and resumed to 80 equals a straight 80-iteration run, bit for bit (CPU, adaptive ρ)', async () => {
    // ρ = 10 is far off, so residual balancing moves ρ (and rescales the duals) before the save.
    // Anderson's memory is not part of the saved state: a resumed accelerated run restarts it, so bit-exactness needs --anderson 0.
    const flags = [...small({ '--admm-iters': '80', '--tol': '1e-12', '--rho': '10' }), '--adaptive-rho', '--anderson', '0'];
    const base = ['train', '--data', path('train.csv'), '--test', path('test.csv')];
    const straight = await cli([...base, ...flags, '--out', path('straight.json')]);
    expect(straight.code).toBe(0);
    const first = await cli([...base, ...small({ '--admm-iters': '40', '--tol': '1e-12', '--rho': '10' }), '--adaptive-rho', '--anderson', '0', '--save-state', path('s40.json'), '--out', path('first.json')]);
    expect(first.code).toBe(0);
    const resumed = await cli([...base, ...flags, '--resume', path('s40.json'), '--save-state', path('s80.json'), '--out', path('resumed.json')]);
    expect(resumed.stderr).toMatch(/resumed: .* at iteration 40/);
    expect(resumed.code).toBe(0);
    const a = JSON.parse(readFileSync(path('straight.json'), 'utf8'));
    const b = JSON.parse(readFileSync(path('resumed.json'), 'utf8'));
    const strip = (m: Record<string, unknown>) => ({ ...m, timeMs: 0 });
    expect(b.resumed_from).toEqual({ file: path('s40.json'), iteration: 40 });
    expect(b.history.map((m: { iter: number }) => m.iter)).toEqual(Array.from({ length: 40 }, (_, i) => 41 + i));
    expect(b.history.map(strip)).toEqual(a.history.slice(40).map(strip));
    // ρ changed before the save, so the saved ρ and rescaled duals mattered.
    const rhos = a.history.map((m: { rho: number }) => m.rho);
    expect(new Set(rhos.slice(0, 40)).size).toBeGreaterThan(1);
    expect(b.history[0].rho).toBe(rhos[40]);
    expect(b.network).toEqual(a.network);
    expect(b.final.iterations).toBe(80);
    expect(b.final.objective).toBe(a.final.objective);
    expect(b.final.test_accuracy).toBe(a.final.test_accuracy);
    expect(existsSync(path('s80.json'))).toBe(true);
  });

  it('refuses a state of other settings or data, or one already at the total, and writes nothing', async () => {
    // Its own saved state (no dependence on the test above).
    const saved = await cli(['train', '--data', path('train.csv'), ...small({ '--admm-iters': '40', '--tol': '1e-12', '--rho': '10' }), '--adaptive-rho', '--anderson', '0', '--save-state', path('s40.json')]);
    expect(saved.code).toBe(0);
    const base = ['train', '--data', path('train.csv'), '--out', path('never.json')];
    const other = await cli([...base, ...small({ '--admm-iters': '80', '--tol': '1e-12', '--rho': '10', '--P': '7' }), '--adaptive-rho', '--anderson', '0', '--resume', path('s40.json')]);
    expect(other.code).toBe(1);
    expect(other.stderr).toMatch(/s40\.json: the state was saved with P = 6, this run has 7/);
    const done = await cli([...base, ...small({ '--admm-iters': '30', '--tol': '1e-12', '--rho': '10' }), '--adaptive-rho', '--anderson', '0', '--resume', path('s40.json')]);
    expect(done.code).toBe(1);
    expect(done.stderr).toMatch(/already at iteration 40; raise --admm-iters/);
    const data = await cli(['train', '--data', path('multi.csv'), '--label', 'cls', '--out', path('never.json'), ...small({ '--admm-iters': '80', '--tol': '1e-12', '--rho': '10' }), '--adaptive-rho', '--anderson', '0', '--resume', path('s40.json')]);
    expect(data.code).toBe(1);
    expect(data.stderr).toMatch(/belongs to data with n=120, d=4/);
    // The same shape and classes, other rows (two swapped): the content hash refuses it.
    const lines = readFileSync(path('train.csv'), 'utf8').split('\n');
    const swapAt = lines.findIndex((l, i) => i > 1 && l !== lines[1] && l !== '');
    [lines[1], lines[swapAt]] = [lines[swapAt], lines[1]];
    writeFileSync(path('train-swapped.csv'), lines.join('\n'));
    const swapped = await cli(['train', '--data', path('train-swapped.csv'), '--out', path('never.json'), ...small({ '--admm-iters': '80', '--tol': '1e-12', '--rho': '10' }), '--adaptive-rho', '--anderson', '0', '--resume', path('s40.json')]);
    expect(swapped.code).toBe(1);
    expect(swapped.stderr).toMatch(/other data of the same shape/);
    writeFileSync(path('junk.json'), '{"format":"x"}');
    const junk = await cli([...base, ...small(), '--resume', path('junk.json')]);
    expect(junk.code).toBe(1);
    expect(junk.stderr).toMatch(/not a state file written by --save-state/);
    expect(existsSync(path('never.json'))).toBe(false);
  });
});

describe('cronos train: errors exit 1 with a located message and write nothing', () => {
  const expectFailure = async (args: string[], pattern: RegExp): Promise<void> => {
    const out = path('never.json');
    const ex = path('never-problem.json');
    const r = await cli([...args, '--out', out, '--export-problem', ex]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(pattern);
    expect(r.stdout).toBe('');
    expect(existsSync(out)).toBe(false);
    expect(existsSync(ex)).toBe(false);
    expect(readdirSync(dir).filter((n) => n.includes('.tmp-'))).toEqual([]);
  };

  it('non-numeric cell in the training file', async () => {
    await expectFailure(['train', '--data', path('bad-cell.csv'), ...SMALL], /bad-cell\.csv, line 3, column "x2": value "oops" is not a number/);
  });

  it('unknown label column', async () => {
    await expectFailure(['train', '--data', path('train.csv'), '--label', 'target', ...SMALL], /no label column "target"\. The columns are: "x0", "x1", "x2", "x3", "cls"/);
  });

  it('test file with other classes', async () => {
    await expectFailure(['train', '--data', path('train.csv'), '--test', path('multi.csv'), ...SMALL], /multi\.csv.*(missing: "x3"|not a class)/);
  });

  it('missing data file', async () => {
    await expectFailure(['train', '--data', path('nope.csv'), ...SMALL], /nope\.csv: cannot read the file \(no such file/);
  });

  it('unknown flags, bad values, missing --data', async () => {
    await expectFailure(['train', '--data', path('train.csv'), '--admm-iter', '5', ...SMALL], /unknown option --admm-iter/);
    await expectFailure(['train', '--data', path('train.csv'), ...small({ '--P': '0' })], /--P: "0" is not an integer ≥ 1/);
    await expectFailure(['train', '--data', path('train.csv'), '--device', 'tpu'], /--device: "tpu" is not a device; use gpu or cpu/);
    await expectFailure(['train', '--device', 'cpu'], /--data TRAIN\.csv is required/);
  });

  it('no WebGPU adapter: tells the user to use --device cpu', async () => {
    // No Vulkan driver and a backend Linux does not have leave dawn.node without any adapter.
    const env = { VK_ICD_FILENAMES: '/nonexistent/icd.json', CRONOS_DAWN_FLAGS: 'backend=d3d12' };
    const r = await cli(['train', '--data', path('train.csv'), '--device', 'gpu', '--out', path('gpu.json')], env);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/error: WebGPU is not available/);
    expect(r.stderr).toContain('--device cpu');
    expect(existsSync(path('gpu.json'))).toBe(false);
  });

  it('an output folder that does not exist fails before training', async () => {
    const r = await cli(['train', '--data', path('train.csv'), '--out', path('no/such/dir/r.json'), ...SMALL]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/does not exist/);
    expect(r.stderr).not.toMatch(/^iter/m);
  });
});
