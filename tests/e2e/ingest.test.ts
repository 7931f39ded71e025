/**
 * End-to-end: bring your own data, in the production build in Debian's Chromium (CPU solver:
 * WebGPU is switched off, so every run starts at once; the GPU path shares all page code).
 * (a) A CSV dropped on the page (a drop event with a DataTransfer built in the page) shows its
 * preview, column cards and class balance and trains; the same file's numeric column trains as
 * regression (R² and MSE, no confusion matrix), and a two-feature table shows its predicted
 * value over the plane. (b) A .zip of class folders with PNGs (made here) picked with the file
 * input shows the montage and trains, greyscale and then RGB (colour weight tiles). (c) A bad
 * CSV (text in a numeric column) puts a message naming the file, line, column and value in a
 * role="alert" element while the previous run keeps training. Screenshots: test-results/e2e/.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { zipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { encodePng, makeImage } from '../support/ingest-helpers';
import { buildAndServe, chartPoints, iteration, launch, screenshot, SHOTS, until, type Browser, type Server } from './harness';

let server: Server;
let b: Browser;

beforeAll(async () => {
  server = await buildAndServe();
  b = await launch({ webgpu: false, width: 1280, height: 1000 });
}, 120_000);

afterAll(async () => {
  await b?.close();
  await server?.close();
});

/**
 * Drops a text file on the page the way a browser does: dragenter, dragover, then drop, with a
 * DataTransfer built in the page; `whileOver` runs while the drag hovers.
 */
async function dropText(page: Page, name: string, text: string, whileOver?: () => Promise<void>): Promise<void> {
  const dt = await page.evaluateHandle(
    ({ name, text }) => {
      const t = new DataTransfer();
      t.items.add(new File([text], name, { type: 'text/csv' }));
      return t;
    },
    { name, text },
  );
  await page.dispatchEvent('main.dashboard', 'dragenter', { dataTransfer: dt });
  await page.dispatchEvent('main.dashboard', 'dragover', { dataTransfer: dt });
  await whileOver?.();
  await page.dispatchEvent('main.dashboard', 'drop', { dataTransfer: dt });
}

/** A screenshot of one element, taken from the top of the page (the sticky header then covers nothing). */
async function elementShot(page: Page, testId: string, name: string): Promise<void> {
  mkdirSync(SHOTS, { recursive: true });
  await page.waitForTimeout(500);
  await page.evaluate(() => window.scrollTo(0, 0));
  const box = await page.getByTestId(testId).boundingBox();
  if (!box) throw new Error(`${testId} is not visible`);
  await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true, clip: box });
}

/** Text of a test id (empty when absent). */
async function text(page: Page, id: string): Promise<string> {
  return (await page.getByTestId(id).first().textContent()) ?? '';
}

/** Waits for the problem line to name `pattern` and the run to pass `iters` iterations. */
async function trained(page: Page, pattern: RegExp, iters: number): Promise<void> {
  await until(`a run on ${pattern}`, async () => pattern.test(await text(page, 'problem-line')), 30_000);
  await until(`${iters} iterations`, async () => (await iteration(page)) >= iters, 30_000);
}

/** 80 rows: two numbers on rings, a colour category, a numeric target and the class. */
function ringCsv(): string {
  const rows = ['x,y,colour,size,label'];
  for (let i = 0; i < 80; i++) {
    const a = (i * 2.399) % (2 * Math.PI);
    const r = i % 2 === 0 ? 1 : 2.2;
    const x = r * Math.cos(a);
    const y = r * Math.sin(a);
    rows.push(`${x.toFixed(3)},${y.toFixed(3)},${['red', 'green', 'blue'][i % 3]},${(x * x + y + 0.01 * i).toFixed(3)},${r > 1.5 ? 'outer' : 'inner'}`);
  }
  return rows.join('\n') + '\n';
}

/** A 16×16 PNG: a disc or a cross, tinted per class, shifted a little per image. */
function shapePng(shape: 'disc' | 'cross', k: number): Uint8Array {
  return encodePng(
    makeImage(16, 16, (x, y) => {
      const cx = 7.5 + (k % 3) - 1;
      const cy = 7.5 + (k % 2);
      const on = shape === 'disc' ? (x - cx) ** 2 + (y - cy) ** 2 < 22 : Math.abs(x - cx) < 1.6 || Math.abs(y - cy) < 1.6;
      return on ? (shape === 'disc' ? [230, 90, 30, 255] : [30, 110, 230, 255]) : [250, 250, 250, 255];
    }),
  );
}

describe('bring your own data', () => {
  it('(a) a dropped CSV: preview, columns, balance; trains as classification, then as regression; a 2-D table shows the predicted value', async () => {
    const { page } = b;
    await page.goto(server.url);
    await until('the default run', async () => (await iteration(page)) >= 1, 60_000);
    await page.getByTestId('P').selectOption('8');
    await page.getByTestId('rank').selectOption('5');

    await dropText(page, 'rings.csv', ringCsv(), async () => {
      await until('the drop highlight', async () => (await page.getByTestId('drop-overlay').count()) === 1, 5_000);
      await screenshot(page, 'ingest-drag-over', false);
    });
    expect(await page.getByTestId('drop-overlay').count()).toBe(0);
    await until('the dataset', async () => /rings\.csv: 64 training rows, 16 test rows, 6 features/.test(await text(page, 'data-summary')), 20_000);
    expect(await text(page, 'data-dialect')).toMatch(/comma-separated, first row is the header \(detected\)/);
    expect(await page.getByTestId('data-preview').locator('tbody tr').count()).toBe(20);
    expect(await page.getByTestId('label-column').inputValue()).toBe('label');
    expect(await page.getByTestId('column-card').count()).toBe(5);
    expect(await text(page, 'column-cards')).toMatch(/colour.*categorical.*one-hot: 3 columns/s);
    expect(await text(page, 'class-balance')).toMatch(/inner\s*32\s*8.*outer\s*32\s*8/s);
    expect(await text(page, 'missing-counts')).toMatch(/No missing values/);
    await until('the size plan', async () => /fit/.test(await text(page, 'data-plan')), 10_000);
    await elementShot(page, 'data-panel', 'ingest-csv-panel');

    await page.getByTestId('train-user').click();
    await trained(page, /Your data: rings\.csv.*64 training rows \(inner 32, outer 32\)/, 5);
    expect(await text(page, 'train-status')).toMatch(/The run trains on this data/);
    expect(await page.getByTestId('dataset').inputValue()).toBe('user');
    await until('test accuracy', async () => /^\d+\.\d %$/.test(await text(page, 'test-accuracy')), 10_000);
    await until('confusion matrices', async () => (await page.getByTestId('confusion-test').count()) === 1, 10_000);

    // The numeric column "size" as the label: more than 20 distinct numbers, so regression.
    await page.getByTestId('label-column').selectOption('size');
    await until('regression', async () => /regression on "size"/.test(await text(page, 'data-summary')), 10_000);
    expect(await page.getByTestId('task-regression').isChecked()).toBe(true);
    await page.getByTestId('train-user').click();
    await trained(page, /regression on "size"/, 5);
    await until('R² and MSE', async () => /^-?\d/.test(await text(page, 'train-r2')) && /^\d/.test(await text(page, 'test-mse')), 10_000);
    await until('the R² chart', async () => (await chartPoints(page, 'chart-r2')) >= 5, 10_000);
    expect(parseFloat(await text(page, 'train-r2'))).toBeGreaterThan(0.5);
    expect(await page.getByTestId('confusion-train').count()).toBe(0);
    expect(await page.getByTestId('train-accuracy').count()).toBe(0);
    await screenshot(page, 'ingest-csv-regression');

    // Two features and a numeric target: the plane coloured by the predicted value.
    const plane = ['u,v,height', ...Array.from({ length: 60 }, (_, i) => `${(i % 10) - 4.5},${Math.floor(i / 10) - 2.5},${(((i % 10) - 4.5) ** 2 / 5 + Math.floor(i / 10)).toFixed(3)}`)].join('\n');
    await dropText(page, 'plane.csv', plane);
    await until('the plane', async () => /plane\.csv: 50 training rows.*2 features; regression on "height"/.test(await text(page, 'data-summary')), 20_000);
    await page.getByTestId('train-user').click();
    await trained(page, /plane\.csv/, 8);
    await until('the boundary', async () => (await page.getByTestId('boundary-canvas').count()) === 1, 10_000);
    expect(await text(page, 'boundary-scale')).toMatch(/\d/);
    expect(await text(page, 'hyperplane-count')).toMatch(/of 8 hyperplanes kept.*both features z-scored/);
    await elementShot(page, 'boundary', 'ingest-plane-boundary');
    expect(b.errors).toEqual([]);
  }, 90_000);

  it('(b) a folder, then a .zip of class folders: montage, trains greyscale, then RGB with colour weight tiles', async () => {
    const { page } = b;
    // A folder picked with <input webkitdirectory>: the classes come from webkitRelativePath.
    const dir = mkdtempSync(join(tmpdir(), 'cronos-e2e-images-'));
    try {
      for (const [cls, shape] of [['round', 'disc'], ['plus', 'cross']] as const) {
        mkdirSync(join(dir, 'pics', cls), { recursive: true });
        for (let k = 0; k < 3; k++) writeFileSync(join(dir, 'pics', cls, `${k}.png`), shapePng(shape, k));
      }
      await page.getByTestId('data-folder').setInputFiles(join(dir, 'pics'));
      await until('the folder dataset', async () => /pics: 4 training rows, 2 test rows, 784 features/.test(await text(page, 'data-summary')), 20_000);
      expect(await text(page, 'montage')).toMatch(/plus.*round/s);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }

    const files: Record<string, Uint8Array> = {};
    for (let k = 0; k < 6; k++) {
      files[`shapes/disc/${k}.png`] = shapePng('disc', k);
      files[`shapes/cross/${k}.png`] = shapePng('cross', k);
    }
    files['shapes/readme.txt'] = new TextEncoder().encode('not an image');
    const zip = Buffer.from(zipSync(files));
    await page.getByTestId('data-file').setInputFiles({ name: 'shapes.zip', mimeType: 'application/zip', buffer: zip });
    await until('the image dataset', async () => /shapes\.zip: \d+ training rows, \d+ test rows, 784 features \(28×28 greyscale\); 2 classes/.test(await text(page, 'data-summary')), 20_000);
    expect(await page.getByTestId('montage').locator('canvas').count()).toBe(12);
    expect(await text(page, 'montage')).toMatch(/cross.*disc/s);
    expect(await text(page, 'data-notices')).toMatch(/readme\.txt \(not an image \(\.txt\)\)/);
    await page.getByTestId('train-user').click();
    await trained(page, /Your data: shapes\.zip \(images\).*784 features/, 3);
    await until('weight tiles', async () => (await page.getByTestId('weights').locator('canvas').count()) > 0, 10_000);

    await page.getByTestId('image-channels-3').check();
    await until('RGB images', async () => /features \(28×28 RGB\)/.test(await text(page, 'data-summary')), 20_000);
    await page.getByTestId('train-user').click();
    await trained(page, /2352 features/, 3);
    await until('RGB weight tiles', async () => (await page.getByTestId('weights').locator('canvas').count()) > 0, 10_000);
    expect(await text(page, 'weights')).toMatch(/28×28 RGB image/);
    await page.getByTestId('weights-channels').check();
    await until('three tiles per neuron', async () => (await page.getByTestId('weights').locator('.channel-tiles').count()) > 0, 5_000);
    await page.getByTestId('weights-colour').check();
    await screenshot(page, 'ingest-images-rgb');
    expect(b.errors).toEqual([]);
  }, 60_000);

  it('(c) a bad CSV: a role="alert" message names file, line, column and value; the run goes on', async () => {
    const { page } = b;
    // A long run, so it is still training when the bad file arrives: PCG with the block
    // preconditioner (auto on the CPU would take the exact u-solve, which ends this in moments).
    await page.getByTestId('preconditioner').selectOption('block');
    await page.getByTestId('admm-iters').selectOption('5000');
    await page.getByTestId('tol').selectOption('0.000001');
    // The residual rule: a certified gap of 1e-6 comes within a few hundred iterations on this small problem.
    await page.getByRole('radio', { name: 'residuals ≤ ε' }).check();
    await until('running', async () => (await text(page, 'run-status')) === 'Running', 20_000);
    const lines = ['a,b,label', ...Array.from({ length: 30 }, (_, i) => `${i},${i === 6 ? 'twelve' : 2 * i},${i % 2 ? 'p' : 'q'}`)];
    await page.getByTestId('data-file').setInputFiles({ name: 'bad.csv', mimeType: 'text/csv', buffer: Buffer.from(lines.join('\n')) });
    const alert = page.getByRole('alert').filter({ hasText: 'bad.csv' });
    await until('the alert', async () => (await alert.count()) === 1, 20_000);
    const message = (await alert.textContent()) ?? '';
    expect(message).toMatch(/bad\.csv, line 8, column "b": value "twelve" is not a number/);
    expect(message).toMatch(/treat bad values as missing/);
    expect(message).toMatch(/shapes\.zip\) is still loaded and the run continues/);
    const k = await iteration(page);
    // The run must not be stopped by the bad file: it either takes more steps or, on a slow
    // machine where the alert came late, has meanwhile converged by its own stop rule.
    let seen = '';
    await until('more iterations or a converged run', async () => {
      const [it, status] = [await iteration(page), await text(page, 'run-status')];
      seen = `iteration ${it} (was ${k}), status "${status}"`;
      return it >= k + 3 || status === 'Converged';
    }, 40_000).catch((e: unknown) => {
      throw new Error(`${(e as Error).message}; last seen ${seen}`);
    });
    expect(await text(page, 'run-status')).toMatch(/^(Running|Converged)$/);
    expect(await text(page, 'problem-line')).toMatch(/shapes\.zip/);
    expect(await text(page, 'data-summary')).toMatch(/shapes\.zip/);
    await elementShot(page, 'data-panel', 'ingest-bad-csv');
    // The offered fix reads the failed file again, now with the bad cell as missing.
    await page.getByTestId('bad-values').check();
    // The Worker reads the file again between ADMM steps of the run still going on; on a loaded
    // 2-core CI machine with emulated WebGPU that can take longer than a real page would.
    await until('the fixed file', async () => /bad\.csv: \d+ training rows/.test(await text(page, 'data-summary')), 45_000);
    expect(await page.getByRole('alert').filter({ hasText: 'bad.csv' }).count()).toBe(0);
    expect(await text(page, 'data-notices')).toMatch(/column "b": 1 value that is not a finite number \(first "twelve" at line 8\) is treated as missing/);
    expect(await text(page, 'problem-line')).toMatch(/shapes\.zip/);
    expect(b.errors).toEqual([]);
  }, 120_000);
});
