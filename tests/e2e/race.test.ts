/**
 * End-to-end: the race view of the production build in Debian's Chromium (the CPU device, so
 * the test is quick on a shared machine). A small race of all six methods on XOR (2 epochs,
 * 2 draws) fills the chart and the table without main-thread long tasks; its CSV export parses
 * back into the table the page shows; and its link, opened in a new page, shows and replays the
 * same race; its session file, opened in a fresh page, shows the same table without rerunning it.
 * On WebGPU (SwiftShader) the same six methods race on the GPU while a second tab trains on the
 * same GPU: the race ends, the other tab keeps training, and neither main thread blocks.
 * Screenshots go to test-results/e2e/.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { RACE_METHODS, tableFromCsv } from '../../solver/race/index';
import { buildAndServe, chartPoints, iteration, launch, longTasksSince, machineIsQuiet, screenshot, until, type Browser, type Server } from './harness';

let server: Server;
let b: Browser;

beforeAll(async () => {
  server = await buildAndServe();
  b = await launch({ webgpu: false });
}, 150_000);

afterAll(async () => {
  await b?.close();
  await server?.close();
});

/** The race's status line. */
async function raceStatus(page: Page): Promise<string> {
  return (await page.getByTestId('race-status').textContent()) ?? '';
}

describe('race view', () => {
  it('races six methods live, exports CSV and replays from its link', async () => {
    const { page } = b;
    await page.goto(server.url);
    await page.getByTestId('dataset').selectOption('xor');
    await until('the XOR problem', async () => /XOR: 350 training rows/.test((await page.getByTestId('problem-line').textContent()) ?? ''), 60_000);
    await page.getByTestId('race-toggle').click();
    for (const m of RACE_METHODS) expect(await page.getByTestId(`race-method-${m}`).isChecked(), m).toBe(true);
    await page.getByTestId('race-arch').fill('mlp:16');
    await page.getByTestId('race-epochs').fill('2');
    await page.getByTestId('race-draws').fill('2');
    await page.getByTestId('race-cronos-iters').fill('30');
    await page.getByTestId('race-target').fill('60');
    expect(await page.getByTestId('race-fairness').textContent()).toMatch(/same epoch budget \(2\).*same 2 learning-rate draws.*Untuned, one run each: CRONOS.*CRONOS-AM.*DAdapt-Adam/s);

    const from = await page.evaluate(() => performance.now());
    await page.getByTestId('race-start').click();
    await until('the race to end', async () => /^Done: 9 of 9 runs/.test(await raceStatus(page)), 60_000);
    const to = await page.evaluate(() => performance.now());
    expect(await page.getByTestId('race-row').count()).toBe(6);
    // Two traces per method (band and median), each with points.
    await until('the chart', async () => (await chartPoints(page, 'chart-race')) > 0, 10_000);
    expect(await page.evaluate(() => (document.getElementById('chart-race') as unknown as { data: unknown[] }).data.length)).toBe(12);
    const legend = (await page.getByTestId('race-legend').textContent()) ?? '';
    expect(legend).toMatch(/Adam \(best lr [\d.e-]+\)/);
    expect(legend).toMatch(/DAdapt-Adam \(untuned/);
    await page.getByTestId('race-x-epochs').check();
    expect(await page.getByTestId('chart-race-x').textContent()).toMatch(/epochs/);

    const long = await longTasksSince(page, from);
    const report = `main-thread long tasks while racing: ${JSON.stringify(long)}`;
    if (machineIsQuiet()) expect(long, report).toEqual([]);
    else {
      console.warn(`machine busy: relaxed long-task check; ${report}`);
      expect(Math.max(0, ...long.map((t) => t.duration)), report).toBeLessThan(250);
      expect(long.reduce((s, t) => s + t.duration, 0), report).toBeLessThan(0.15 * (to - from));
    }

    const [download] = await Promise.all([page.waitForEvent('download', { timeout: 20_000 }), page.getByTestId('race-export-csv').click()]);
    const rows = tableFromCsv(readFileSync(await download.path(), 'utf8'));
    expect(rows.map((r) => r.method)).toEqual([...RACE_METHODS]);
    expect(rows.find((r) => r.method === 'sgd')?.draws).toBe(2);
    expect(rows.every((r) => r.peak_test_accuracy !== null && r.peak_test_accuracy > 0)).toBe(true);
    await screenshot(page, 'race-xor');

    const url = await page.getByTestId('race-link').inputValue();
    // The address bar carries the race on screen too: a reload or a copied address replays it.
    await until('the address bar to hold the race', async () => page.url() === url, 5_000);
    const replay = await b.context.newPage();
    await replay.goto(url);
    await until('the replayed race to end', async () => /^Done: 9 of 9 runs/.test(await raceStatus(replay)), 60_000);
    expect(await replay.getByTestId('race-arch').inputValue()).toBe('mlp:16');
    expect(await replay.getByTestId('race-epochs').inputValue()).toBe('2');
    expect(await replay.getByTestId('race-draws').inputValue()).toBe('2');
    expect(await replay.getByTestId('problem-line').textContent()).toMatch(/XOR: 350 training rows/);
    expect(await replay.getByTestId('race-row').count()).toBe(6);
    // The same seeds and data: the same learning-rate draws, so the same best rates.
    expect(await replay.getByTestId('race-legend').textContent()).toBe(legend);
    await replay.close();

    // The session file holds the race: opened in a fresh page, the same table and legend, nothing rerun.
    await page.getByTestId('export-open').click();
    const [saved] = await Promise.all([page.waitForEvent('download', { timeout: 20_000 }), page.getByTestId('export-session').click()]);
    const again = await b.context.newPage();
    await again.goto(server.url);
    await again.getByTestId('share-open').click();
    await again.getByTestId('session-input').setInputFiles(await saved.path());
    await until('the saved race', async () => /^Done: 9 of 9 runs/.test(await raceStatus(again)), 30_000);
    expect(await again.getByTestId('race-row').count()).toBe(6);
    expect(await again.getByTestId('race-legend').textContent()).toBe(legend);
    expect(await again.getByTestId('race-arch').inputValue()).toBe('mlp:16');
    await again.close();
    expect(b.errors).toEqual([]);
  }, 150_000);
});

/** Fails with a report when long tasks (≥ 50 ms) ran on the page's main thread since `from`. */
async function expectNoLongTasks(page: Page, from: number, to: number, what: string, emulatedGpu = false): Promise<void> {
  const long = await longTasksSince(page, from);
  const report = `main-thread long tasks while ${what}: ${JSON.stringify(long)}`;
  // With the GPU emulated (SwiftShader), the renderer competes with it for the two cores however
  // quiet the 1-minute load average looked: a profile of this race found the page's JavaScript
  // idle 97% of the time and no JavaScript at all inside its long tasks (docs/spec.md §8), so on
  // that path the long tasks time the emulator and only the relaxed bounds apply.
  if (machineIsQuiet() && !emulatedGpu) expect(long, report).toEqual([]);
  else {
    console.warn(`${emulatedGpu ? 'emulated GPU' : 'machine busy'}: relaxed long-task check; ${report}`);
    expect(Math.max(0, ...long.map((t) => t.duration)), report).toBeLessThan(250);
    expect(long.reduce((s, t) => s + t.duration, 0), report).toBeLessThan(0.15 * (to - from));
  }
}

describe('race view on WebGPU (SwiftShader)', () => {
  let g: Browser;
  beforeAll(async () => {
    g = await launch({ webgpu: true });
  }, 60_000);
  afterAll(async () => {
    await g?.close();
  });

  it('six methods race on the GPU while a second tab trains on the same GPU; both go on, no long tasks', async () => {
    const { page } = g;
    await page.goto(server.url);
    await page.getByTestId('dataset').selectOption('xor');
    await until('the XOR problem', async () => /XOR: 350 training rows/.test((await page.getByTestId('problem-line').textContent()) ?? ''), 60_000);
    expect(await page.getByTestId('device').textContent()).toBe('WebGPU');
    // The second tab: the default playground on the same adapter, switched to XOR.
    const other = await g.context.newPage();
    await other.goto(server.url);
    await other.getByTestId('dataset').selectOption('xor');
    await until('the second tab training', async () => /XOR/.test((await other.getByTestId('problem-line').textContent()) ?? '') && (await iteration(other)) >= 2, 90_000);

    await page.getByTestId('race-toggle').click();
    await page.getByTestId('race-arch').fill('mlp:16');
    await page.getByTestId('race-epochs').fill('2');
    await page.getByTestId('race-draws').fill('2');
    await page.getByTestId('race-cronos-iters').fill('20');
    const from = await page.evaluate(() => performance.now());
    const otherFrom = await other.evaluate(() => performance.now());
    const otherBefore = await iteration(other);
    await page.getByTestId('race-start').click();
    await until('the race to end', async () => /^Done: 9 of 9 runs/.test(await raceStatus(page)), 240_000);
    const to = await page.evaluate(() => performance.now());
    const otherTo = await other.evaluate(() => performance.now());
    expect(await raceStatus(page)).toMatch(/runs done on WebGPU$/);
    expect(await page.getByTestId('race-row').count()).toBe(6);
    // Every run reached a test accuracy (none failed on the shared device).
    const table = (await page.getByTestId('race-table').textContent()) ?? '';
    expect(table).not.toMatch(/failed/i);
    // The other tab went on training on the same GPU meanwhile, without an error or a notice.
    expect(await iteration(other)).toBeGreaterThan(otherBefore);
    expect(await other.getByTestId('error').count()).toBe(0);
    expect(await other.getByTestId('device').textContent()).toBe('WebGPU');
    await expectNoLongTasks(page, from, to, 'racing on the GPU', true);
    await expectNoLongTasks(other, otherFrom, otherTo, 'the other tab races', true);
    await screenshot(page, 'race-xor-webgpu');
    await other.close();
    expect(g.errors).toEqual([]);
  }, 400_000);
});
