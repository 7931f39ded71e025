/**
 * Training on the user's own data: the Worker's solver session wired to an ingest session as in
 * solver.worker.ts, on the float64 CPU solver. A CSV classification, a regression (MSE and R²,
 * no accuracy or confusion matrices), a 2-D table (scatter, boundary and gate lines through the
 * origin), an RGB image set (colour weight tiles), and the rule that a run keeps the dataset it
 * started on until "Train on this data" (a 'start') or a switch back to 'user' takes the new one.
 */
import { zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import type { FromIngest } from '../../app/ingest/protocol';
import { IngestSession } from '../../app/ingest/session';
import { DEFAULT_SETTINGS, type Settings } from '../../app/settings';
import { decodeTestPng, encodePng, makeImage } from '../support/ingest-helpers';
import { sessionHarness } from '../support/worker-harness';

/** A solver session and an ingest session sharing the data, as in the Worker. */
function worker() {
  const replies: FromIngest[] = [];
  const ingest = new IngestSession((m) => replies.push(m), { decode: decodeTestPng, progressIntervalMs: 0 });
  const h = sessionHarness({
    fetchText: async () => {
      throw new Error('no built-in files in this test');
    },
    userData: () => ingest.current,
  });
  return { ...h, replies, ingest };
}

const user: Settings = { ...DEFAULT_SETTINGS, dataset: 'user', P: 6, rank: 4, admmIters: 4, device: 'cpu', seed: 2 };
const csvFile = (text: string, name: string) => new File([text], name);

/** 60 rows: x, y in a ring pattern, a colour category, a numeric target z and a class label. */
function table(): string {
  const rows = ['x,y,colour,z,label'];
  for (let i = 0; i < 60; i++) {
    const a = (i * 2.399) % (2 * Math.PI);
    const r = 1 + (i % 3);
    const x = r * Math.cos(a);
    const y = r * Math.sin(a);
    rows.push(`${x.toFixed(3)},${y.toFixed(3)},${['red', 'green', 'blue'][i % 3]},${(x * x + 0.5 * y + 0.01 * i).toFixed(4)},${r > 1.5 ? 'outer' : 'inner'}`);
  }
  return rows.join('\n') + '\n';
}

describe('training on user data', () => {
  it('a CSV: the problem is built from the loaded rows, with the file name as title', async () => {
    const w = worker();
    await w.ingest.handle({ type: 'ingest-csv', id: 1, file: csvFile(table(), 'ring.csv'), encode: { testFraction: 0.25, seed: 1 } });
    expect(w.replies.at(-1)?.type).toBe('ingest-dataset');
    w.send({ type: 'start', settings: user, autoplay: true });
    await w.session.idle();
    const r = w.of('ready')[0];
    expect(r.problem).toMatchObject({ dataset: 'user', n: 45, nTest: 15, testSource: 'split', bias: false, classNames: ['inner', 'outer'], C: 1, image: null });
    // x, y, z numeric + colour one-hot (3 levels).
    expect(r.problem.d).toBe(6);
    expect(r.problem.title).toMatch(/^Your data: ring\.csv/);
    expect(r.problem.task).toBeUndefined();
    expect(w.of('phase').map((m) => m.phase)).toEqual(['Preparing your data', 'Building the solver (CPU)']);
    await w.pump(10);
    const m = w.of('metrics').map((x) => x.metrics);
    expect(m.map((x) => x.iter)).toEqual([1, 2, 3, 4]);
    expect(m.at(-1)?.testAccuracy).toBeGreaterThan(0.5);
    const snap = w.of('snapshot').at(-1)?.snapshot;
    expect(snap?.confusion.classes).toBe(2);
    expect(snap?.confusion.train.reduce((s, v) => s + v, 0)).toBe(45);
  });

  it('regression: R² and MSE, accuracy NaN, no confusion matrices, target named in the summary', async () => {
    const w = worker();
    await w.ingest.handle({ type: 'ingest-csv', id: 1, file: csvFile(table(), 'ring.csv'), encode: { label: 'z', testFraction: 0.2, seed: 4 } });
    const ds = w.replies.at(-1);
    expect(ds?.type === 'ingest-dataset' && ds.summary.task).toBe('regression');
    w.send({ type: 'start', settings: { ...user, admmIters: 6, beta: 1e-4 }, autoplay: true });
    await w.session.idle();
    await w.pump(12);
    const r = w.of('ready')[0];
    expect(r.problem).toMatchObject({ dataset: 'user', task: 'regression', classNames: [], classCounts: [], C: 1, n: 50, nTest: 10 });
    expect(r.problem.target?.name).toBe('z');
    expect(r.problem.target?.std).toBeGreaterThan(0);
    const last = w.of('metrics').at(-1)?.metrics;
    expect(last?.iter).toBe(6);
    expect(Number.isNaN(last?.trainAccuracy)).toBe(true);
    expect(Number.isNaN(last?.testAccuracy)).toBe(true);
    expect(last?.trainR2).toBeGreaterThan(0.5);
    expect(Number.isFinite(last?.testR2)).toBe(true);
    expect(last?.testMse).toBeGreaterThan(0);
    const snap = w.of('snapshot').at(-1)?.snapshot;
    expect(snap?.confusion).toEqual({ classes: 0, train: new Int32Array(0), test: null });
    expect(Number.isNaN(snap?.trainAccuracy)).toBe(true);
    expect(snap?.hidden).toBeGreaterThan(0);
    expect(snap?.boundary).toBeNull();
  });

  it('a two-feature table gets the 2-D view in z-scores: points, origin gate lines, boundary; regression colours the points', async () => {
    const w = worker();
    const text = 'a,b,t\n' + Array.from({ length: 40 }, (_, i) => `${(i % 8) - 3.5},${Math.floor(i / 8) - 2},${(i % 8) * 0.3 + Math.floor(i / 8) + 0.01 * i}`).join('\n') + '\n';
    await w.ingest.handle({ type: 'ingest-csv', id: 1, file: csvFile(text, 'plane.csv'), encode: { testFraction: 0.25 } });
    w.send({ type: 'start', settings: user, autoplay: false });
    await w.session.idle();
    const r = w.of('ready')[0];
    expect(r.problem).toMatchObject({ d: 2, bias: false, task: 'regression' });
    const pts = r.view.points;
    expect(pts?.x.length).toBe(40);
    expect(pts?.test.reduce((s, v) => s + v, 0)).toBe(10);
    expect(pts?.value?.length).toBe(40);
    // z-scores of 8 evenly spaced values reach ±1.53: the view is ±2 (rounded up to a half, with a margin).
    expect(pts?.domain).toBe(2);
    const lines = r.view.gateLines;
    expect(lines?.c).toEqual(new Float64Array(6));
    expect(lines?.a.length).toBe(6);
    w.send({ type: 'step' });
    await w.session.idle();
    const snap = w.of('snapshot').at(-1)?.snapshot;
    expect(snap?.boundary?.size).toBe(50);
    expect(snap?.boundary?.values.some((v) => v !== 0)).toBe(true);
  });

  it('RGB images: weight tiles with three channels at the chosen size', async () => {
    const w = worker();
    const png = (r: number, g: number, b: number, k: number) => encodePng(makeImage(6 + k, 6, (x, y) => [(r + 9 * x) & 255, (g + 7 * y) & 255, b, 255]));
    const files: Record<string, Uint8Array> = {};
    for (let k = 0; k < 6; k++) {
      files[`set/warm/${k}.png`] = png(220, 60 + 10 * k, 20, k);
      files[`set/cold/${k}.png`] = png(20, 80 + 10 * k, 220, k);
    }
    const zip = new File([zipSync(files)], 'colours.zip');
    await w.ingest.handle({ type: 'ingest-images', id: 1, files: [zip], options: { size: 8, channels: 3, testFraction: 0.34, seed: 1 } });
    const ds = w.replies.at(-1);
    if (ds?.type !== 'ingest-dataset') throw new Error(JSON.stringify(ds));
    expect(ds.summary).toMatchObject({ source: 'images', d: 192, classNames: ['cold', 'warm'], image: { size: 8, channels: 3 } });
    expect(ds.montage?.map((m) => m.tiles.length)).toEqual([6, 6]);
    w.send({ type: 'start', settings: user, autoplay: false });
    await w.session.idle();
    expect(w.of('ready')[0].problem.image).toEqual({ width: 8, height: 8, channels: 3 });
    w.send({ type: 'step' });
    await w.session.idle();
    const tiles = w.of('snapshot').at(-1)?.snapshot.tiles;
    expect(tiles?.channels).toBe(3);
    expect(tiles?.count).toBeGreaterThan(0);
    expect(tiles?.pixels.length).toBe((tiles?.count ?? 0) * 192);
  });

  it('a run keeps its dataset while new data loads; a start or a switch back to "user" takes the new one', async () => {
    const w = worker();
    await w.ingest.handle({ type: 'ingest-csv', id: 1, file: csvFile(table(), 'first.csv') });
    w.send({ type: 'start', settings: user, autoplay: false });
    await w.session.idle();
    expect(w.of('ready').at(-1)?.problem.title).toMatch(/first\.csv/);
    await w.ingest.handle({ type: 'ingest-csv', id: 2, file: csvFile(table(), 'second.csv'), encode: { label: 'colour' } });
    // A problem-level change on the same dataset still trains the data the run started with.
    w.send({ type: 'settings', settings: { ...user, P: 5 } });
    await w.session.idle();
    expect(w.of('ready').at(-1)?.problem).toMatchObject({ convex: { P: 5 }, classNames: ['inner', 'outer'] });
    expect(w.of('ready').at(-1)?.problem.title).toMatch(/first\.csv/);
    // "Train on this data".
    w.send({ type: 'start', settings: { ...user, P: 5 }, autoplay: false });
    await w.session.idle();
    expect(w.of('ready').at(-1)?.problem.title).toMatch(/second\.csv/);
    expect(w.of('ready').at(-1)?.problem.classNames).toEqual(['blue', 'green', 'red']);
    // A built-in dataset and back to "user" from the menu: the data loaded now.
    await w.ingest.handle({ type: 'ingest-csv', id: 3, file: csvFile(table(), 'third.csv') });
    w.send({ type: 'settings', settings: { ...user, dataset: 'xor', P: 5 } });
    await w.session.idle();
    expect(w.of('ready').at(-1)?.problem.dataset).toBe('xor');
    w.send({ type: 'settings', settings: { ...user, P: 5 } });
    await w.session.idle();
    expect(w.of('ready').at(-1)?.problem.title).toMatch(/third\.csv/);
    expect(w.of('error')).toEqual([]);
  });

  it('a bad file leaves the run on the data it had; training with nothing loaded says what to do', async () => {
    const w = worker();
    w.send({ type: 'start', settings: user, autoplay: false });
    await w.session.idle();
    expect(w.of('error')[0]?.message).toMatch(/No dataset of yours is loaded yet: drop a CSV file/);
    await w.ingest.handle({ type: 'ingest-csv', id: 1, file: csvFile(table(), 'good.csv') });
    w.send({ type: 'start', settings: user, autoplay: false });
    await w.session.idle();
    await w.ingest.handle({ type: 'ingest-csv', id: 2, file: csvFile('x,y,label\n1,2,a\n3,oops,b\n4,5,a\n6,7,b\n8,9,a\n10,11,b\n12,13,a\n14,15,b\n16,17,a\n18,19,b\n20,21,a\n', 'bad.csv') });
    const err = w.replies.at(-1);
    expect(err?.type).toBe('ingest-error');
    if (err?.type === 'ingest-error') expect(err.error.message).toMatch(/bad\.csv, line 3, column "y": value "oops" is not a number/);
    w.send({ type: 'step' });
    await w.session.idle();
    expect(w.of('metrics').at(-1)?.metrics.iter).toBe(1);
    expect(w.of('ready').at(-1)?.problem.title).toMatch(/good\.csv/);
  });
});
