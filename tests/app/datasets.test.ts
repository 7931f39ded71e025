/**
 * The page's dataset menu matches public/datasets/index.json (files, label columns, image
 * sizes, licences and citations shown in the page) and offers every 2-D generator.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DATASETS } from '../../app/datasets';
import { SYNTHETIC_KINDS } from '../../data/synthetic';
import { ROOT } from '../support/paths';

interface Entry {
  id: string;
  label: string;
  licence: string;
  citation: string;
  image: { width: number; height: number } | null;
  files: { role: 'train' | 'test' | 'all'; path: string }[];
}

const manifest = JSON.parse(readFileSync(resolve(ROOT, 'public', 'datasets', 'index.json'), 'utf8')) as { datasets: Entry[] };

describe('app dataset catalogue', () => {
  it('lists every built-in file set of index.json with the same files, label, image size, licence and citation', () => {
    const csv = DATASETS.filter((d) => d.source.kind === 'csv');
    expect(csv.map((d) => d.id).sort()).toEqual(manifest.datasets.map((e) => e.id).sort());
    for (const e of manifest.datasets) {
      const d = DATASETS.find((x) => x.id === e.id);
      expect(d, e.id).toBeDefined();
      if (!d || d.source.kind !== 'csv') continue;
      const train = e.files.find((f) => f.role === 'train' || f.role === 'all');
      const test = e.files.find((f) => f.role === 'test');
      expect(d.source.train).toBe(train?.path);
      expect(d.source.test).toBe(test?.path);
      expect(d.source.label).toBe(e.label);
      expect(d.image).toEqual(e.image);
      expect(d.licence).toBe(e.licence);
      expect(d.citation).toBe(e.citation);
    }
  });

  it('offers the four 2-D generators first, each with a licence note', () => {
    const planar = DATASETS.filter((d) => d.source.kind === 'synthetic');
    expect(planar.map((d) => (d.source.kind === 'synthetic' ? d.source.generator : ''))).toEqual([...SYNTHETIC_KINDS]);
    expect(DATASETS.slice(0, 4)).toEqual(planar);
    for (const d of planar) expect(d.licence).toMatch(/TensorFlow Playground/);
    expect(new Set(DATASETS.map((d) => d.id)).size).toBe(DATASETS.length);
  });
});
