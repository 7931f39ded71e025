/**
 * End-to-end resilience of the page on WebGPU (SwiftShader) in Debian's Chromium:
 *
 * - **Device loss.** `?simulate-device-loss=K` (app/workerClient.ts) destroys the Worker's GPU
 *   device before iteration K. The page says so in its notice, the Worker makes a new device,
 *   loads the last checkpoint and goes on, and the objective curve equals an uninterrupted run of
 *   the same link to float tolerance.
 * - **Soak.** A long run with repeated resets (each rebuilds the solver and its GPU buffers):
 *   the live GPU buffer count the GPU panel shows (the Worker's census of its device) is the same
 *   after every rebuild, and neither the page's JS heap nor the Worker's (each after a forced GC,
 *   the Worker's through the DevTools protocol's worker targets) grows. CRONOS_SOAK_SECONDS
 *   sets the length (default 40 s in CI; set it to 600 or more for a long soak on demand).
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS, type Settings } from '../../app/settings';
import { encodeState } from '../../app/share/state';
import { toShareState } from '../../app/share/wire';
import { buildAndServe, iteration, launch, until, workerHeapsAfterGc, type Browser, type Server } from './harness';

let server: Server;
let b: Browser;

beforeAll(async () => {
  [server, b] = await Promise.all([buildAndServe(), launch({ webgpu: true, width: 1280, height: 900 })]);
}, 120_000);

afterAll(async () => {
  await b?.close();
  await server?.close();
});

/** The page's URL for `settings`, with extra query parameters (the test hooks). */
function linkFor(settings: Settings, query: Record<string, string> = {}): string {
  const url = new URL(server.url);
  for (const [k, v] of Object.entries(query)) url.searchParams.set(k, v);
  url.hash = encodeState(toShareState(settings));
  return url.toString();
}

/** Objective values the convergence chart holds. */
function objectiveCurve(page: Page): Promise<(number | null)[]> {
  return page.evaluate(() => (document.getElementById('chart-objective') as unknown as { data?: { y: (number | null)[] }[] }).data?.[0]?.y.slice() ?? []);
}

/** Waits until the run stops by itself, then for the rate-limited chart to hold every iteration. */
async function finishedCurve(page: Page, timeoutMs: number): Promise<(number | null)[]> {
  await until('the run to finish', async () => /^(Iteration cap reached|Converged)$/.test((await page.getByTestId('run-status').textContent()) ?? ''), timeoutMs);
  let curve: (number | null)[] = [];
  await until(
    'the chart to show the run',
    async () => {
      curve = await objectiveCurve(page);
      return curve.length === (await iteration(page));
    },
    15_000,
  );
  return curve;
}

/** The live GPU buffers the GPU panel shows, or null while it shows none. */
async function liveBuffers(page: Page): Promise<{ buffers: number; bytes: number } | null> {
  const el = page.getByTestId('gpu-live-buffers');
  if ((await el.count()) === 0) return null;
  const [buffers, bytes] = await Promise.all([el.getAttribute('data-buffers'), el.getAttribute('data-bytes')]);
  return { buffers: Number(buffers), bytes: Number(bytes) };
}

/** The page's JS heap in bytes after a forced garbage collection (Chrome DevTools protocol). */
async function heapAfterGc(page: Page): Promise<number> {
  const cdp = await page.context().newCDPSession(page);
  try {
    await cdp.send('HeapProfiler.collectGarbage');
    const { usedSize } = (await cdp.send('Runtime.getHeapUsage')) as { usedSize: number };
    return usedSize;
  } finally {
    await cdp.detach();
  }
}

/** Length of the soak (CRONOS_SOAK_SECONDS; 40 s by default, for CI). */
const SOAK_SECONDS = Math.max(10, Number(process.env.CRONOS_SOAK_SECONDS ?? 40) || 40);

const XOR_GPU: Settings = { ...DEFAULT_SETTINGS, dataset: 'xor', P: 8, beta: 0.01, admmIters: 14, tol: 1e-6, seed: 5, device: 'gpu' };

describe('resilience on WebGPU (SwiftShader)', () => {
  it('a GPU device lost mid-run: the page says so, recovers on a new device and ends where an uninterrupted run ends', async () => {
    const lostAt = 6;
    const page = b.page;
    await page.goto(linkFor(XOR_GPU, { 'simulate-device-loss': String(lostAt) }));
    const lost = await finishedCurve(page, 120_000);
    expect(await page.getByTestId('device').textContent()).toBe('WebGPU');
    expect(await page.getByTestId('run-notice').textContent()).toMatch(/GPU device was lost and replaced; training went on from the last checkpoint/);
    expect(await iteration(page)).toBe(XOR_GPU.admmIters);

    const plain = await b.context.newPage();
    await plain.goto(linkFor(XOR_GPU));
    const reference = await finishedCurve(plain, 120_000);
    expect(await plain.getByTestId('run-notice').count()).toBe(0);
    await plain.close();

    expect(lost).toHaveLength(XOR_GPU.admmIters);
    expect(reference).toHaveLength(XOR_GPU.admmIters);
    for (let i = 0; i < reference.length; i++) {
      const want = reference[i] ?? NaN;
      expect(Math.abs((lost[i] ?? NaN) - want), `objective at iteration ${i + 1}`).toBeLessThanOrEqual(1e-5 * Math.abs(want) + 1e-7);
    }
    // Chromium logs nothing for a destroyed device it was told to destroy; anything else is a failure.
    expect(b.errors).toEqual([]);
  }, 300_000);

  it('soak: resets rebuild the solver again and again; live GPU buffers, the page heap and the Worker heap stay flat', async () => {
    const page = await b.context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    // A cap no cycle reaches, so every cycle trains until the test resets it.
    await page.goto(linkFor({ ...XOR_GPU, admmIters: 10_000, tol: 1e-9 }));
    const samples: { buffers: number; bytes: number; heap: number; workerHeap: number; iteration: number }[] = [];
    const deadline = Date.now() + SOAK_SECONDS * 1000;
    let cycles = 0;
    do {
      await until('training', async () => (await iteration(page)) >= 5 && (await liveBuffers(page)) !== null, 60_000);
      // Let the cycle run a little (more iterations: more history, snapshots, ρ changes).
      await page.waitForTimeout(2500);
      const live = await liveBuffers(page);
      if (live) {
        const workers = await workerHeapsAfterGc(page);
        samples.push({ ...live, heap: await heapAfterGc(page), workerHeap: workers.reduce((a, h) => a + h, 0), iteration: await iteration(page) });
      }
      await page.getByTestId('reset').click();
      await until('iteration 0', async () => (await iteration(page)) === 0, 30_000);
      await page.getByTestId('play').click();
      cycles++;
    } while (Date.now() < deadline);
    const report = JSON.stringify(samples);
    expect(cycles, report).toBeGreaterThanOrEqual(3);
    expect(samples.length, report).toBe(cycles);
    // Every rebuild frees what the previous solver held: the same buffers, to the byte.
    for (const s of samples) {
      expect(s.buffers, report).toBe(samples[0].buffers);
      expect(s.bytes, report).toBe(samples[0].bytes);
    }
    expect(samples[0].buffers, report).toBeGreaterThan(10);
    // A reset empties the history, so the heap returns to where it was: growth only from
    // caches and JIT, well under the cost of keeping one run's solutions per cycle.
    const growth = samples[samples.length - 1].heap - samples[0].heap;
    expect(growth, report).toBeLessThan(Math.max(8 * 2 ** 20, 0.25 * samples[0].heap));
    // The Worker (solver, history, data, typed arrays included), after a GC inside it. Measured
    // here: +0.3 MB over the first 8 cycles (JIT and caches warming up), then ~7 KB a cycle over
    // 34; a Worker keeping 64 KB per snapshot grew 0.7 MB a cycle and fails both bounds.
    expect(samples[0].workerHeap, report).toBeGreaterThan(0);
    const lastWorker = samples[samples.length - 1].workerHeap;
    expect(lastWorker - samples[0].workerHeap, report).toBeLessThan(Math.max(2 * 2 ** 20, 0.5 * samples[0].workerHeap));
    expect(lastWorker - samples[Math.floor(samples.length / 2)].workerHeap, report).toBeLessThan(2 ** 20);
    expect(errors).toEqual([]);
    await page.close();
  }, (SOAK_SECONDS + 240) * 1000);
});
