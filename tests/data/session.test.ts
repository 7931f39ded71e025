/** The Worker-side ingest session: message flow for CSV and images, re-encoding, plans, and failures that keep the old dataset. */
import { zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import type { FromIngest } from '../../app/ingest/protocol';
import { IngestSession } from '../../app/ingest/session';
import { decodeTestPng, encodePng, makeImage } from '../support/ingest-helpers';

function session(includeData = false) {
  const out: FromIngest[] = [];
  const s = new IngestSession((m) => out.push(m), { includeData, decode: decodeTestPng, progressIntervalMs: 0 });
  return { s, out, last: () => out[out.length - 1] };
}

const csv = 'x,colour,label\n' + Array.from({ length: 40 }, (_, i) => `${i},${['red', 'blue'][i % 2]},${i % 4 < 2 ? 'a' : 'b'}`).join('\n') + '\n';
const file = (text: string, name: string) => new File([text], name);

describe('ingest session', () => {
  it('a dropped CSV: progress, preview, then the dataset with column cards and class balance', async () => {
    const { s, out } = session();
    await s.handle({ type: 'ingest-csv', id: 1, file: file(csv, 'toy.csv'), read: { chunkBytes: 64 }, encode: { seed: 3 } });
    const types = out.map((m) => m.type);
    expect(types.filter((t) => t === 'ingest-progress').length).toBeGreaterThan(3);
    expect(types.slice(-2)).toEqual(['ingest-preview', 'ingest-dataset']);
    const preview = out.find((m) => m.type === 'ingest-preview');
    if (preview?.type !== 'ingest-preview') throw new Error('no preview');
    expect(preview).toMatchObject({ fileName: 'toy.csv', header: ['x', 'colour', 'label'], status: 'complete', rowsKept: 40 });
    expect(preview.rows[0]).toEqual(['0', 'red', 'a']);
    const ds = out.at(-1);
    if (ds?.type !== 'ingest-dataset') throw new Error('no dataset');
    expect(ds.summary).toMatchObject({ source: 'csv', fileName: 'toy.csv', task: 'classification', n: 32, nTest: 8, d: 3, classNames: ['a', 'b'] });
    expect(ds.columns?.map((c) => c.use)).toEqual(['feature', 'feature', 'label']);
    expect(ds.summary.balance?.train).toEqual([16, 16]);
    expect(ds.train).toBeUndefined();
    expect(s.current?.train.n).toBe(32);
  });

  it('re-encodes with another label column without reading the file again', async () => {
    const { s, last } = session(true);
    await s.handle({ type: 'ingest-csv', id: 1, file: file(csv, 'toy.csv'), encode: { testFraction: 0 } });
    await s.handle({ type: 'ingest-encode', id: 2, encode: { label: 'colour' } });
    const m = last();
    if (m.type !== 'ingest-dataset') throw new Error(m.type);
    expect(m.summary.classNames).toEqual(['blue', 'red']);
    expect(m.summary.nTest).toBe(0);
    expect(m.train?.n).toBe(40);
  });

  it('a bad file answers ingest-error (role="alert" text) and keeps the dataset loaded before', async () => {
    const { s, last } = session();
    await s.handle({ type: 'ingest-csv', id: 1, file: file(csv, 'good.csv') });
    const before = s.current;
    await s.handle({ type: 'ingest-csv', id: 2, file: file('a,b,label\n1,2,x\n3\n', 'bad.csv') });
    const m = last();
    expect(m).toMatchObject({ type: 'ingest-error', id: 2, cancelled: false, error: { dataError: true, file: 'bad.csv', row: 3 } });
    if (m.type === 'ingest-error') expect(m.error.message).toContain('bad.csv, line 3: this row has 1 field but the header (line 1) has 3');
    expect(s.current).toBe(before);
    // Encoding errors after a good read keep the old dataset too.
    await s.handle({ type: 'ingest-csv', id: 3, file: file('x,label\n1,a\n2,a\n', 'one.csv') });
    expect(last()).toMatchObject({ type: 'ingest-error', error: { column: 'label' } });
    expect(s.current).toBe(before);
  });

  it('plans memory and subsamples the current dataset', async () => {
    const { s, last } = session();
    await s.handle({ type: 'ingest-csv', id: 1, file: file(csv, 'toy.csv') });
    await s.handle({ type: 'ingest-plan', id: 2, P: 8, model: 'relu', rank: 4, limits: { maxStorageBufferBindingSize: 1 << 27, maxBufferSize: 1 << 28 } });
    const plan = last();
    if (plan.type !== 'ingest-plan') throw new Error(plan.type);
    expect(plan.plan).toMatchObject({ fits: true, n: 32, d: 3, C: 1, testRows: 8 });
    await s.handle({ type: 'ingest-subsample', id: 3, nMax: 10, seed: 1 });
    expect(last()).toMatchObject({ type: 'ingest-dataset', summary: { n: 10 } });
    expect(s.current?.train.n).toBe(10);
  });

  it('a dropped .zip of class folders becomes an image dataset with a montage', async () => {
    const png = (v: number) => encodePng(makeImage(5, 5, () => [v, v, v, 255]));
    const zip = zipSync({ 'a/1.png': png(0), 'a/2.png': png(9), 'b/1.png': png(250), 'b/2.png': png(240), 'b/3.txt': new Uint8Array([1]) });
    const { s, out, last } = session();
    await s.handle({ type: 'ingest-images', id: 7, files: [new File([zip], 'shapes.zip')], options: { size: 3, channels: 1, testFraction: 0 } });
    expect(out.some((m) => m.type === 'ingest-progress' && m.phase === 'decoding')).toBe(true);
    const m = last();
    if (m.type !== 'ingest-dataset') throw new Error(m.type === 'ingest-error' ? m.error.message : m.type);
    expect(m.summary).toMatchObject({ source: 'images', fileName: 'shapes.zip', n: 4, d: 9, classNames: ['a', 'b'], image: { size: 3, channels: 1 } });
    expect(m.montage?.map((c) => c.tiles.length)).toEqual([2, 2]);
    expect(m.skipped).toEqual([{ path: 'b/3.txt', reason: 'not an image (.txt)' }]);
  });

  it('a new request cancels the read in progress', async () => {
    const { s, out } = session();
    const big = 'a,label\n' + '1,x\n2,y\n'.repeat(200_000);
    const first = s.handle({ type: 'ingest-csv', id: 1, file: file(big, 'big.csv'), read: { chunkBytes: 1024 } });
    const second = s.handle({ type: 'ingest-csv', id: 2, file: file(csv, 'small.csv') });
    await Promise.all([first, second]);
    expect(out.find((m) => m.type === 'ingest-error' && m.id === 1)).toMatchObject({ cancelled: true });
    expect(s.current?.summary.fileName).toBe('small.csv');
  });
});
