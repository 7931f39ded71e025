/**
 * The committed built-in datasets match their manifest (written by `npm run data`): sizes,
 * hashes, shapes and classes, every file loads with the app's CSV reader, and the folder stays
 * small enough to commit and serve.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { streamCsv } from '../../app/ingest/csv-stream';
import { parseCsv, tableToDataset } from '../../data/csv';
import { ROOT } from '../support/paths';

const DIR = resolve(ROOT, 'public', 'datasets');

interface Entry {
  id: string;
  n: number;
  d: number;
  classes: string[];
  label: string;
  licence: string;
  citation: string;
  source: { package: string; version: string };
  files: { role: string; path: string; rows: number; bytes: number; sha256: string; classCounts: Record<string, number> }[];
}

/**
 * SHA-256 (first 16 hex digits) of each file's X (float64 bytes) and labels (int32 bytes) as the
 * CSV reader gives them. Share links promise a bit-for-bit replay on the CPU solver, so a change
 * of the reader that moves a single bit of a built-in matrix must fail here.
 */
const MATRIX_HASHES: Record<string, { X: string; labels: string }> = {
  'fmnist-pullover-bag-10x10-train.csv': { X: '9c24d917945fb824', labels: '46ece2df08f2b7ed' },
  'fmnist-pullover-bag-10x10-test.csv': { X: 'a0809373e1cf6033', labels: 'e25e20d8dd1e726d' },
  'fmnist-pullover-bag-28x28-train.csv': { X: 'eb503fdde5fc778e', labels: '80009b93b71624bb' },
  'fmnist-pullover-bag-28x28-test.csv': { X: '83b4e0209e3bd0ce', labels: 'fe9e8a23eadf7d99' },
  'breast-cancer.csv': { X: '6b202a2072f9a038', labels: 'ddf09b96d709680c' },
  'digits-8x8.csv': { X: '20def7f70a702f0a', labels: '3a0e68456f9a3c60' },
  'penguins.csv': { X: '4d8720662b1dc157', labels: '8bf90fc2925ca8a0' },
};

/** First 16 hex digits of the SHA-256 of a typed array's bytes. */
function bytesHash(a: Float64Array | Int32Array): string {
  return createHash('sha256').update(new Uint8Array(a.buffer, a.byteOffset, a.byteLength)).digest('hex').slice(0, 16);
}

const manifest = JSON.parse(readFileSync(join(DIR, 'index.json'), 'utf8')) as { datasets: Entry[] };

describe('public/datasets', () => {
  it('lists the five built-in datasets with source, licence and citation', () => {
    expect(manifest.datasets.map((e) => e.id)).toEqual(['fmnist-pullover-bag-10x10', 'fmnist-pullover-bag-28x28', 'breast-cancer', 'digits-8x8', 'penguins']);
    for (const e of manifest.datasets) {
      expect(e.source.package).toMatch(/^(dataset-fashion-mnist|python3-sklearn|r-cran-palmerpenguins)$/);
      expect(e.licence.length).toBeGreaterThan(0);
      expect(e.citation.length).toBeGreaterThan(0);
    }
    const licences = readFileSync(join(DIR, 'LICENSES.md'), 'utf8');
    expect(licences).toContain('Zalando SE');
    expect(licences).toContain('BSD-3-Clause');
    expect(licences).toContain('CC0');
  });

  it('is under 4 MiB and has no *.gz files', () => {
    const files = readdirSync(DIR);
    expect(files.filter((f) => f.endsWith('.gz'))).toEqual([]);
    const total = files.reduce((s, f) => s + statSync(join(DIR, f)).size, 0);
    expect(total).toBeLessThan(4 * 1024 * 1024);
  });

  it.each(manifest.datasets.flatMap((e) => e.files.map((f) => [e.id, f.path] as const)))('%s: %s matches the manifest and loads', (id, file) => {
    const entry = manifest.datasets.find((e) => e.id === id)!;
    const meta = entry.files.find((f) => f.path === file)!;
    const text = readFileSync(join(DIR, file), 'utf8');
    expect(Buffer.byteLength(text)).toBe(meta.bytes);
    expect(createHash('sha256').update(text).digest('hex')).toBe(meta.sha256);
    const ds = tableToDataset(parseCsv(text, file), { label: entry.label });
    expect(ds.n).toBe(meta.rows);
    expect(ds.d).toBe(entry.d);
    expect(ds.classNames).toEqual(entry.classes);
    const counts: Record<string, number> = {};
    for (const l of ds.labels) counts[ds.classNames[l]] = (counts[ds.classNames[l]] ?? 0) + 1;
    expect(counts).toEqual(meta.classCounts);
    expect({ X: bytesHash(ds.X), labels: bytesHash(ds.labels) }).toEqual(MATRIX_HASHES[file]);
  });

  it.each(manifest.datasets.flatMap((e) => e.files.map((f) => f.path)))('%s reads the same through the page\'s streaming reader', async (file) => {
    const text = readFileSync(join(DIR, file), 'utf8');
    const strict = parseCsv(text, file);
    const page = await streamCsv(text, { fileName: file, maxRows: Infinity, maxCells: Infinity, chunkBytes: 64 * 1024 });
    expect(page.dialect).toMatchObject({ delimiter: ',', header: true, decimalComma: false });
    expect(page.table.header).toEqual(strict.header);
    expect(Array.from(page.table.lines)).toEqual(Array.from(strict.lines));
    page.table.columns.forEach((c, j) => {
      expect(c.values).toEqual(strict.columns[j].values);
      expect(c.kinds).toEqual(strict.columns[j].kinds);
    });
  });

  it('has the expected shapes', () => {
    const byId = Object.fromEntries(manifest.datasets.map((e) => [e.id, e]));
    expect(byId['fmnist-pullover-bag-10x10']).toMatchObject({ n: 4000, d: 100, classes: ['bag', 'pullover'] });
    expect(byId['fmnist-pullover-bag-28x28']).toMatchObject({ n: 900, d: 784, classes: ['bag', 'pullover'] });
    expect(byId['breast-cancer']).toMatchObject({ n: 569, d: 30, classes: ['benign', 'malignant'] });
    expect(byId['digits-8x8']).toMatchObject({ n: 1797, d: 64 });
    expect(byId['digits-8x8'].classes).toHaveLength(10);
    expect(byId['penguins']).toMatchObject({ n: 342, d: 4, classes: ['Adelie', 'Chinstrap', 'Gentoo'] });
  });
});
