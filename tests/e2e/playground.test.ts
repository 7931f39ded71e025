/**
 * End-to-end: the production build in Debian's Chromium. With WebGPU (SwiftShader) the default
 * dataset trains on load without console errors or main-thread long tasks, the curves gain
 * points and accuracy appears; on a 2-D set pause / step / reset / play and the x-axis switch
 * work. Without WebGPU the CPU fallback runs, says so in a banner, reaches the ε-optimal badge
 * and fits a 768 px wide window; CRONOS-AM on the 28×28 images draws its first layer as images
 * and marks its head solves on its curves. Screenshots go to test-results/e2e/.
 *
 * SwiftShader is slow (an FMNIST ADMM step takes ~2 s there), so the WebGPU checks need few
 * iterations and the many-iteration checks run on small 2-D problems.
 */
import { loadavg } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildAndServe, chartPoints, iteration, launch, longTasksSince, machineIsQuiet, screenshot, until, type Browser, type Server } from './harness';

let server: Server;

const loadavgNow = () => loadavg().map((v) => Math.round(v * 10) / 10);

beforeAll(async () => {
  server = await buildAndServe();
}, 120_000);

afterAll(async () => {
  await server?.close();
});

describe('playground on WebGPU (SwiftShader)', () => {
  let b: Browser;
  beforeAll(async () => {
    b = await launch({ webgpu: true });
  }, 60_000);
  afterAll(async () => {
    await b?.close();
  });

  it('trains Fashion-MNIST on load on WebGPU: curves gain points, accuracy appears, no long tasks', async () => {
    const { page } = b;
    await page.goto(server.url);
    expect(await page.getByRole('heading', { name: 'CRONOS Playground' }).count()).toBe(1);
    await until('the first iteration', async () => (await iteration(page)) >= 1, 90_000);
    const trainingFrom = await page.evaluate(() => performance.now());
    expect(await page.getByTestId('device').textContent()).toBe('WebGPU');
    expect(await page.getByTestId('gpu-device').textContent()).toMatch(/^WebGPU \(float32\) on .*swiftshader/i);
    expect(await page.getByTestId('problem-line').textContent()).toMatch(/Fashion-MNIST Pullover vs Bag, 10×10.*3000 training rows.*1000 test rows/);
    expect(await page.getByTestId('cpu-banner').count()).toBe(0);
    await until('three iterations', async () => (await iteration(page)) >= 3, 60_000);
    await until('the charts to show three points', async () => (await chartPoints(page, 'chart-objective')) >= 3 && (await chartPoints(page, 'chart-accuracy')) >= 3, 10_000);
    for (const id of ['chart-residuals', 'chart-cone', 'chart-pcg']) expect(await chartPoints(page, id)).toBeGreaterThanOrEqual(3);
    expect(await page.getByTestId('test-accuracy').textContent()).toMatch(/^\d+\.\d %$/);
    const test = parseFloat((await page.getByTestId('test-accuracy').textContent()) ?? '');
    expect(test).toBeGreaterThan(90);
    await until('the confusion matrices', async () => (await page.getByTestId('confusion-test').count()) === 1, 10_000);
    expect(await page.getByTestId('weights').locator('canvas').count()).toBeGreaterThan(0);
    expect(await page.getByTestId('gpu-memory').textContent()).toMatch(/Largest buffer .* of 1\.00 GiB allowed/);
    expect(await page.getByTestId('iters-per-second').textContent()).toMatch(/\/s$/);
    expect(await page.getByTestId('licences').textContent()).toMatch(/Zalando SE.*BSD-3-Clause.*CC0/s);
    const trainingTo = await page.evaluate(() => performance.now());
    const long = await longTasksSince(page, trainingFrom);
    const report = `main-thread long tasks while training: ${JSON.stringify(long)}`;
    if (machineIsQuiet()) expect(long, report).toEqual([]);
    else {
      // Oversubscribed CPUs stretch wall-clock task times; still no blocking worth the name.
      console.warn(`machine busy (load ${JSON.stringify(loadavgNow())}): relaxed long-task check; ${report}`);
      expect(Math.max(0, ...long.map((t) => t.duration)), report).toBeLessThan(250);
      expect(long.reduce((s, t) => s + t.duration, 0), report).toBeLessThan(0.15 * (trainingTo - trainingFrom));
    }
    await screenshot(page, 'webgpu-fmnist');
    expect(b.errors).toEqual([]);
  }, 180_000);

  it('on a 2-D set: decision boundary, pause, step, reset, play and the x-axis switch', async () => {
    const { page } = b;
    await page.getByTestId('P').selectOption('8');
    await page.getByTestId('dataset').selectOption('xor');
    await until('the XOR problem', async () => /XOR: 350 training rows/.test((await page.getByTestId('problem-line').textContent()) ?? ''), 30_000);
    await until('five iterations on XOR', async () => (await iteration(page)) >= 5, 60_000);
    expect(await page.getByTestId('boundary-canvas').count()).toBe(1);
    expect(await page.getByTestId('hyperplane-count').textContent()).toMatch(/of 8 hyperplanes kept/);
    expect(await page.getByTestId('weights').count()).toBe(0);

    await page.getByTestId('play').click(); // Pause
    await until('paused', async () => (await page.getByTestId('run-status').textContent()) === 'Paused', 10_000);
    await page.waitForTimeout(1000); // the step in flight may still land
    const k = await iteration(page);
    await page.waitForTimeout(1500);
    expect(await iteration(page)).toBe(k);

    await page.getByTestId('step').click();
    await until('one more iteration', async () => (await iteration(page)) === k + 1, 20_000);
    await page.waitForTimeout(700);
    expect(await iteration(page)).toBe(k + 1);
    expect(await chartPoints(page, 'chart-objective')).toBe(k + 1);

    await page.getByTestId('reset').click();
    await until('iteration 0, paused', async () => (await iteration(page)) === 0 && (await page.getByTestId('run-status').textContent()) === 'Paused', 30_000);
    await until('empty charts', async () => (await chartPoints(page, 'chart-objective')) === 0, 5_000);

    await page.getByTestId('play').click();
    await until('training again', async () => (await iteration(page)) >= 3, 30_000);
    expect(await page.getByTestId('run-status').textContent()).toBe('Running');

    await page.getByTestId('x-time').check();
    expect(await page.getByTestId('chart-objective-x').textContent()).toBe('solver time (s)');
    // The x values become cumulative solver seconds: increasing, and not the iteration numbers.
    await until('time on the x-axis', async () => {
      const xs = await page.evaluate(() => (document.getElementById('chart-objective') as unknown as { data: { x: number[] }[] }).data[0].x);
      return xs.length >= 3 && xs.every((v, i) => i === 0 || v > xs[i - 1]) && xs.some((v, i) => v !== i + 1);
    }, 5_000);
    await screenshot(page, 'webgpu-xor');
    expect(b.errors).toEqual([]);
  }, 180_000);
});

describe('playground without WebGPU (CPU fallback)', () => {
  let b: Browser;
  beforeAll(async () => {
    b = await launch({ webgpu: false, width: 768, height: 1000 });
  }, 60_000);
  afterAll(async () => {
    await b?.close();
  });

  it('says so in a banner, trains on the CPU and fits a 768 px window', async () => {
    const { page } = b;
    await page.goto(server.url);
    await until('the banner', async () => (await page.getByTestId('cpu-banner').count()) === 1, 60_000);
    expect(await page.getByTestId('cpu-banner').textContent()).toMatch(/CPU fallback.*(navigator\.gpu is missing|no GPU adapter was found)/);
    await until('two iterations', async () => (await iteration(page)) >= 2, 60_000);
    expect(await page.getByTestId('device').textContent()).toBe('CPU · float64');
    expect(await chartPoints(page, 'chart-objective')).toBeGreaterThanOrEqual(1);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await screenshot(page, 'cpu-fmnist-768');
    await screenshot(page, 'cpu-fmnist-768-top', false);
    expect(b.errors).toEqual([]);
  }, 120_000);

  it('reaches the ε-optimal badge on XOR with a large β', async () => {
    const { page } = b;
    // The dataset first: later changes then rebuild a small problem, not Fashion-MNIST.
    await page.getByTestId('dataset').selectOption('xor');
    await page.getByTestId('P').selectOption('8');
    await page.getByTestId('beta').selectOption('1');
    await page.getByTestId('tol').selectOption('0.01');
    await until('the ε-optimal badge', async () => (await page.getByTestId('eps-optimal').count()) === 1, 90_000);
    expect(await page.getByTestId('run-status').textContent()).toBe('Converged');
    const k = await iteration(page);
    expect(k).toBeGreaterThan(1);
    expect(k).toBeLessThan(500);
    expect(await page.getByTestId('active-patterns').textContent()).toMatch(/\d+ \/ 8 patterns kept/);
    await screenshot(page, 'cpu-xor-converged-768');
    expect(b.errors).toEqual([]);
  }, 120_000);

  it('CRONOS-AM on the 28×28 images: first-layer weights drawn as images, head solves marked on its curves', async () => {
    const { page } = b;
    await page.goto(server.url);
    await page.getByTestId('dataset').selectOption('fmnist-pullover-bag-28x28');
    await page.getByTestId('method').selectOption('cronos-am');
    // A narrow first layer keeps a CPU epoch short; the tiles are its 16 units.
    await page.getByTestId('arch').fill('mlp:16');
    await page.getByTestId('arch').press('Enter');
    await until('the first-layer weights of the network', async () => (await page.getByTestId('weights').locator('canvas').count()) > 0, 90_000);
    expect(await page.getByTestId('weights').textContent()).toMatch(/strongest units of the first dense layer.*28×28 image/);
    expect(await page.getByTestId('weights').locator('canvas').count()).toBeLessThanOrEqual(16);
    // The loss chart carries the head solves as marks (a marker trace with a point where a step solved the head).
    await until('head-solve marks on the loss chart', async () => {
      return page.evaluate(() => {
        const el = document.getElementById('chart-loss') as (HTMLElement & { data?: { name?: string; mode?: string; y?: (number | null)[] }[] }) | null;
        const marks = el?.data?.find((t) => t.mode === 'markers' && t.name === 'head solves');
        return (marks?.y ?? []).some((v) => v !== null);
      });
    }, 60_000);
    expect(await page.getByTestId('convergence').textContent()).toContain('head solves');
    expect(await page.getByTestId('chart-loss-x').textContent()).toBe('reported step (a group of minibatches)');
    await screenshot(page, 'cpu-cronos-am-28x28');
    expect(b.errors).toEqual([]);
  }, 180_000);
});
