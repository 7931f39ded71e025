/**
 * End-to-end sharing in Debian's Chromium (the production build under its Content-Security-Policy,
 * CPU solver so runs are fast and bit-reproducible): change settings, take the link from the Share
 * dialog, open it in a fresh page and get the same controls and the same final objective after the
 * same iterations; export the network, snippet, metrics, a chart and the session file; open the
 * session in a fresh page (file picker, and a drop on the page) and see the same results without
 * training, then continue the run; hostile fragments show a message while the defaults train.
 * Any console error (a CSP violation included) fails the test. Screenshots go to test-results/e2e/.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Download, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS, type Settings } from '../../app/settings';
import { encodeState } from '../../app/share/state';
import { toShareState } from '../../app/share/wire';
import { buildAndServe, iteration, launch, screenshot, until, type Browser, type Server } from './harness';

let server: Server;
let b: Browser;
const downloads = mkdtempSync(join(tmpdir(), 'cronos-e2e-share-'));
/** Console errors and uncaught exceptions of every page opened here. */
const errors: string[] = [];

beforeAll(async () => {
  [server, b] = await Promise.all([buildAndServe(), launch({ webgpu: false, width: 1280, height: 900 })]);
  watch(b.page, 'first');
}, 120_000);

afterAll(async () => {
  await b?.close();
  await server?.close();
  rmSync(downloads, { recursive: true, force: true });
});

/** Records a page's console errors and exceptions under `name`. */
function watch(page: Page, name: string): void {
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(`${name} console: ${m.text()}`);
  });
  page.on('pageerror', (e) => errors.push(`${name} pageerror: ${e.message}`));
}

/** A new tab in the same browser (fresh page state; the profile is shared). */
async function freshPage(name: string): Promise<Page> {
  const page = await b.context.newPage();
  watch(page, name);
  return page;
}

/** Objective values the convergence chart holds (plotly keeps the data on the element). */
function objectiveCurve(page: Page): Promise<(number | null)[]> {
  return page.evaluate(() => (document.getElementById('chart-objective') as unknown as { data?: { y: (number | null)[] }[] }).data?.[0]?.y.slice() ?? []);
}

/** Waits for the run to stop by itself (iteration cap or ε-optimal). */
async function finished(page: Page, timeoutMs: number): Promise<string> {
  let status = '';
  await until(
    'the run to finish',
    async () => {
      status = (await page.getByTestId('run-status').textContent()) ?? '';
      return status === 'Iteration cap reached' || status === 'Converged';
    },
    timeoutMs,
  );
  return status;
}

/** The values the controls show. */
async function controls(page: Page): Promise<Record<string, string | boolean>> {
  const v = (id: string) => page.getByTestId(id).inputValue();
  return {
    dataset: await v('dataset'),
    P: await v('P'),
    beta: await v('beta'),
    seed: await v('seed'),
    device: await v('device-pref'),
    admmIters: await v('admm-iters'),
    tol: await v('tol'),
    rho: await v('rho'),
    xTime: await page.getByTestId('x-time').isChecked(),
  };
}

/** Clicks `click` and saves the download it starts; returns its path and suggested name. */
async function download(page: Page, click: () => Promise<void>): Promise<{ path: string; name: string }> {
  const [d] = (await Promise.all([page.waitForEvent('download', { timeout: 20_000 }), click()])) as [Download, void];
  const name = d.suggestedFilename();
  const path = join(downloads, name);
  await d.saveAs(path);
  return { path, name };
}

/**
 * The objective curve once the rate-limited chart has caught up with the run: one point per
 * iteration, unchanged over more than the chart's redraw interval (a chart still showing the
 * previous run of the same length would otherwise pass).
 */
async function settledCurve(page: Page): Promise<(number | null)[]> {
  let last: (number | null)[] = [];
  await until(
    'the chart to show the run',
    async () => {
      const before = await objectiveCurve(page);
      await page.waitForTimeout(600);
      last = await objectiveCurve(page);
      return last.length === (await iteration(page)) && JSON.stringify(last) === JSON.stringify(before);
    },
    15_000,
  );
  return last;
}

/** Everything the results views show of a finished run. */
async function results(page: Page) {
  const curve = await settledCurve(page);
  return {
    iteration: await iteration(page),
    curve,
    hidden: await page.getByTestId('hidden-units').textContent(),
    test: await page.getByTestId('test-accuracy').textContent(),
    status: await page.getByTestId('run-status').textContent(),
  };
}

/** The page's URL for `settings` (the link the Share dialog would give). */
function linkFor(settings: Settings): string {
  return `${server.url}#${encodeState(toShareState(settings))}`;
}

let link = '';
let reference: Awaited<ReturnType<typeof results>>;
let sessionPath = '';

describe('share links and session files', () => {
  it('a link from the Share dialog replays the run in a fresh page: same controls, same final objective', async () => {
    const { page } = b;
    await page.goto(server.url);
    const entries = await page.evaluate(() => history.length);
    // The dataset first: later changes then rebuild a small problem, not Fashion-MNIST.
    await page.getByTestId('dataset').selectOption('xor');
    await page.getByTestId('device-pref').selectOption('cpu');
    await page.getByTestId('P').selectOption('16');
    await page.getByTestId('beta').selectOption('0.01');
    await page.getByTestId('tol').selectOption(String(1e-6));
    await page.getByTestId('admm-iters').selectOption('100');
    await page.getByTestId('seed').fill('7');
    await page.getByTestId('seed').press('Enter');
    await page.getByTestId('x-time').check();
    await until('XOR with P = 16', async () => /XOR: 350 training rows.*P = 16 patterns/.test((await page.getByTestId('problem-line').textContent()) ?? ''), 60_000);
    await finished(page, 60_000);
    reference = await results(page);
    expect(reference.iteration).toBeGreaterThan(10);
    expect(reference.curve).toHaveLength(reference.iteration);

    // Moving the controls replaced the history entry; it never pushed one per change.
    expect(await page.evaluate(() => history.length)).toBe(entries);
    await page.getByTestId('share-open').click();
    link = await page.getByTestId('share-link').inputValue();
    expect(link).toMatch(new RegExp(`^${server.url.replace(/[.?*+^$()[\]{}|\\/]/g, '\\$&')}#v1\\.[A-Za-z0-9_-]+$`));
    expect(page.url()).toBe(link);
    await screenshot(page, 'share-dialog', false);
    await page.getByTestId('share-close').click();
    const before = await controls(page);
    expect(before).toMatchObject({ dataset: 'xor', P: '16', beta: '0.01', seed: '7', device: 'cpu', admmIters: '100', xTime: true });

    const p2 = await freshPage('link');
    await p2.goto(link);
    await finished(p2, 60_000);
    expect(await controls(p2)).toEqual(before);
    const replay = await results(p2);
    expect(replay.iteration).toBe(reference.iteration);
    // Same float64 CPU solver, same data, split, patterns and sketch: the same curve to the last bit.
    expect(replay.curve).toEqual(reference.curve);
    expect(replay.hidden).toBe(reference.hidden);
    expect(replay.test).toBe(reference.test);
    expect(await p2.getByTestId('share-error').count()).toBe(0);
    await p2.close();
  }, 150_000);

  it('exports the network, a snippet that predicts, the metrics, a chart and the session file', async () => {
    const { page } = b;
    await page.getByTestId('export-open').click();
    const json = await download(page, () => page.getByTestId('export-network-json').click());
    expect(json.name).toBe('cronos-xor-network.json');
    const net = JSON.parse(readFileSync(json.path, 'utf8')) as { format: string; d: number; W1: number[][]; convex: { P: number; classes: { U: number[][]; W: number[][] }[] }; config: { seed: number; P: number } };
    expect(net).toMatchObject({ format: 'cronos-network', d: 3, convex: { P: 16 }, config: { seed: 7, P: 16 } });
    expect(net.convex.classes[0].W).toHaveLength(3);

    const st = await download(page, () => page.getByTestId('export-safetensors').click());
    const bytes = readFileSync(st.path);
    const headerLength = Number(bytes.readBigUInt64LE(0));
    expect(JSON.parse(bytes.subarray(8, 8 + headerLength).toString('utf8'))).toMatchObject({ W1: { dtype: 'F64', shape: [3, net.W1[0].length] } });

    const snippet = await download(page, () => page.getByTestId('export-snippet').click());
    const mod = (await import(pathToFileURL(snippet.path).href)) as { predict(x: number[]): { label: string; index: number }; model: { classes: string[] } };
    // XOR: the sign of x·y; the trained net gets clear corners right (bias feature = 1).
    const corners = [[3, 3, 1], [-3, -3, 1], [3, -3, 1], [-3, 3, 1]].map((x) => mod.predict(x).index);
    expect(corners[0]).toBe(corners[1]);
    expect(corners[2]).toBe(corners[3]);
    expect(corners[0]).not.toBe(corners[2]);

    const csv = await download(page, () => page.getByTestId('export-metrics').click());
    const lines = readFileSync(csv.path, 'utf8').trim().split('\r\n');
    expect(lines[0]).toMatch(/^iter,objective,/);
    expect(lines).toHaveLength(reference.iteration + 1);
    expect(Number(lines.at(-1)?.split(',')[1])).toBe(reference.curve.at(-1));

    await page.getByTestId('export-chart').selectOption('chart-objective');
    const png = await download(page, () => page.getByTestId('export-png').click());
    expect(readFileSync(png.path).subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    const svg = await download(page, () => page.getByTestId('export-svg').click());
    expect(readFileSync(svg.path, 'utf8')).toMatch(/^<svg[^>]*xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);

    const session = await download(page, () => page.getByTestId('export-session').click());
    expect(session.name).toBe('cronos-xor.cronos.json.gz');
    expect(readFileSync(session.path).subarray(0, 2)).toEqual(Buffer.from([0x1f, 0x8b]));
    sessionPath = session.path;
    await screenshot(page, 'share-export-menu', false);
    await page.getByTestId('export-open').click();
  }, 60_000);

  it('a hostile fragment shows a message, the page trains its defaults, and a session file opens there without training', async () => {
    const page = await freshPage('garbage');
    await page.goto(`${server.url}#v1.garbage`);
    await until('the link error', async () => (await page.getByTestId('share-error').count()) === 1, 20_000);
    expect(await page.getByTestId('share-error').textContent()).toMatch(/^Invalid share link: .*default settings/);
    expect(await page.getByTestId('dataset').inputValue()).toBe('fmnist-pullover-bag-10x10');
    await until('the defaults training', async () => (await iteration(page)) >= 1, 60_000);
    // The address bar keeps the refused link until the user changes something.
    expect(page.url()).toMatch(/#v1\.garbage$/);
    await screenshot(page, 'share-hostile-link', false);

    await page.getByTestId('share-open').click();
    await page.getByTestId('session-input').setInputFiles(sessionPath);
    await until('the saved iterations', async () => (await iteration(page)) === reference.iteration && (await objectiveCurve(page)).length === reference.iteration, 30_000);
    await until('the session status', async () => (await page.getByTestId('run-status').textContent()) === reference.status, 10_000);
    await page.waitForTimeout(1000);
    // Shown as saved, nothing trained: the same curve, network and accuracy, and no new iterations.
    expect(await results(page)).toEqual(reference);
    expect(await page.getByTestId('session-loaded').textContent()).toMatch(/cronos-xor\.cronos\.json\.gz.*opened.*without training again/);
    expect(await controls(page)).toMatchObject({ dataset: 'xor', P: '16', beta: '0.01', seed: '7', device: 'cpu', admmIters: '100', xTime: true });
    expect(await page.getByTestId('share-error').count()).toBe(0);
    // The session's settings are link-able again: the fragment is the original link's.
    await until('the fragment', async () => page.url() === link, 5_000);
    await screenshot(page, 'share-session-restored');

    if (reference.status === 'Iteration cap reached') {
      await page.getByTestId('session-continue').click();
      await until('iterations beyond the saved run', async () => (await iteration(page)) > reference.iteration + 5, 30_000);
      const curve = await objectiveCurve(page);
      expect(curve.slice(0, reference.iteration)).toEqual(reference.curve);
      expect(await page.getByTestId('admm-iters').inputValue()).toBe('200');
      await screenshot(page, 'share-session-continued', false);
    }
    await page.close();
  }, 120_000);

  it('an unknown version says so; a session dropped on the page opens', async () => {
    const page = await freshPage('v9');
    await page.goto(`${server.url}#v9.x`);
    await until('the link error', async () => (await page.getByTestId('share-error').count()) === 1, 20_000);
    expect(await page.getByTestId('share-error').textContent()).toMatch(/unsupported version 9/);
    const b64 = readFileSync(sessionPath).toString('base64');
    await page.evaluate((data) => {
      const bin = atob(data);
      const bytes = Uint8Array.from(bin, (c) => c.charCodeAt(0));
      const dt = new DataTransfer();
      dt.items.add(new File([bytes], 'dropped.cronos.json.gz', { type: 'application/gzip' }));
      const target = document.querySelector('.dashboard') ?? document.body;
      target.dispatchEvent(new DragEvent('dragover', { dataTransfer: dt, bubbles: true, cancelable: true }));
      target.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
    }, b64);
    await until('the dropped session', async () => (await page.getByTestId('session-loaded').count()) === 1 && (await objectiveCurve(page)).length === reference.iteration, 30_000);
    expect(await objectiveCurve(page)).toEqual(reference.curve);
    expect(await page.getByTestId('share-error').count()).toBe(0);
    await page.close();
    expect(errors).toEqual([]);
  }, 60_000);

  it('a CSV at a URL trains through the dataset picker, and its link downloads it again', async () => {
    const page = await freshPage('remote');
    // A small start, so the page is not busy with Fashion-MNIST.
    await page.goto(linkFor({ ...DEFAULT_SETTINGS, dataset: 'spiral', P: 8, admmIters: 20, device: 'cpu' }));
    await finished(page, 30_000);
    await page.getByText('Load a CSV from the web…').click();
    // The preview server's own copy of the penguins table: same origin, so CORS does not apply.
    const url = `${server.url}datasets/penguins.csv`;
    await page.getByTestId('remote-url').fill(url);
    await page.getByTestId('remote-label').fill('species');
    await page.getByTestId('remote-load').click();
    await until('the downloaded table', async () => /^penguins\.csv \(from 127\.0\.0\.1:\d+\): \d+ training rows/.test((await page.getByTestId('problem-line').textContent()) ?? ''), 30_000);
    await finished(page, 30_000);
    const first = await results(page);
    expect(await page.getByTestId('csv-source').textContent()).toMatch(/Downloaded from 127\.0\.0\.1/);
    await screenshot(page, 'share-remote-csv', false);
    await page.getByTestId('share-open').click();
    const remoteLink = await page.getByTestId('share-link').inputValue();
    // The session keeps an offline copy of the download.
    const saved = await download(page, () => page.getByTestId('session-download').click());
    await page.getByTestId('share-close').click();
    await page.close();

    const again = await freshPage('remote-link');
    await again.goto(remoteLink);
    await finished(again, 30_000);
    expect(await again.getByTestId('dataset').inputValue()).toBe('csv');
    expect((await results(again)).curve).toEqual(first.curve);

    // The session's copy is local data: no link until the user puts the (small) table into it.
    await again.getByTestId('share-open').click();
    await again.getByTestId('session-input').setInputFiles(saved.path);
    await until('the saved run', async () => (await again.getByTestId('session-loaded').count()) === 1 && (await objectiveCurve(again)).length === first.iteration, 30_000);
    expect((await results(again)).curve).toEqual(first.curve);
    expect(await again.getByTestId('csv-source').textContent()).toMatch(/From the session file/);
    await again.getByTestId('share-open').click();
    await again.getByTestId('share-inline').click();
    const inlineLink = await again.getByTestId('share-link').inputValue();
    expect(inlineLink.length).toBeLessThan(6000);
    await again.close();

    const third = await freshPage('inline-link');
    await third.goto(inlineLink);
    await finished(third, 30_000);
    expect(await third.getByTestId('csv-source').textContent()).toMatch(/Carried by the share link/);
    expect((await results(third)).curve).toEqual(first.curve);
    await third.close();
  }, 60_000);
});

describe('the same link on WebGPU (SwiftShader)', () => {
  let g: Browser;
  beforeAll(async () => {
    g = await launch({ webgpu: true, width: 1280, height: 900 });
    watch(g.page, 'webgpu');
  }, 60_000);
  afterAll(async () => {
    await g?.close();
  });

  it('replays the same objective curve on the same adapter, to float tolerance', async () => {
    const gpuLink = linkFor({ ...DEFAULT_SETTINGS, dataset: 'xor', P: 8, beta: 0.01, admmIters: 15, tol: 1e-6, seed: 3, device: 'gpu' });
    const curves: (number | null)[][] = [];
    for (const name of ['gpu-a', 'gpu-b']) {
      const page = name === 'gpu-a' ? g.page : await g.context.newPage();
      if (name !== 'gpu-a') watch(page, name);
      await page.goto(gpuLink);
      await finished(page, 90_000);
      expect(await page.getByTestId('device').textContent()).toBe('WebGPU');
      curves.push((await results(page)).curve);
    }
    const [a, b2] = curves;
    expect(a).toHaveLength(15);
    expect(b2).toHaveLength(15);
    for (let i = 0; i < a.length; i++) expect(Math.abs((b2[i] ?? NaN) - (a[i] ?? NaN))).toBeLessThanOrEqual(1e-5 * Math.abs(a[i] ?? 1));
    expect(errors).toEqual([]);
  }, 150_000);
});
