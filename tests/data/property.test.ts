/**
 * Property-based tests (fast-check): random CSV tables survive writing → streaming → encoding
 * with the right shape and values, and random folder trees survive zipSync → the zip reader;
 * random or damaged input never throws anything but a DataError.
 */
import fc from 'fast-check';
import { zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { streamCsv } from '../../app/ingest/csv-stream';
import { CELL, cellNumber, isMissingCell, NON_FINITE } from '../../data/cells';
import { encodeTable } from '../../data/encode';
import { DataError } from '../../data/errors';
import { openZip } from '../../data/zip';

const RUNS = { numRuns: 150 };

/** Characters that stress quoting and decoding. */
const tricky = fc.constantFrom('a', 'b', 'Z', ' ', ',', ';', '\t', '|', '"', "'", '\n', '\r\n', 'é', '漢', '😀', '?', '-', '1', '.', 'e', '0');
const textCell = fc.array(tricky, { maxLength: 8 }).map((cs) => cs.join(''));
const numberCell = fc.oneof(fc.integer({ min: -1e6, max: 1e6 }).map(String), fc.double({ min: -1e9, max: 1e9, noNaN: true }).map((x) => String(x)));
const missingCell = fc.constantFrom('', 'NA', '?', 'null');
const cell = fc.oneof({ weight: 3, arbitrary: numberCell }, { weight: 3, arbitrary: textCell }, { weight: 1, arbitrary: missingCell });

/** Writes one field: quoted when it holds a delimiter candidate, a quote, a line end or edge spaces. */
function field(v: string): string {
  return /[",;\t|\r\n']|^\s|\s$/.test(v) || v === '' ? `"${v.replace(/"/g, '""')}"` : v;
}

const table = fc
  .record({
    cols: fc.integer({ min: 2, max: 5 }),
    rows: fc.integer({ min: 1, max: 25 }),
    delimiter: fc.constantFrom(',', ';', '\t', '|'),
    eol: fc.constantFrom('\n', '\r\n', '\r'),
    bom: fc.boolean(),
    trailingEol: fc.boolean(),
    chunk: fc.integer({ min: 16, max: 300 }),
  })
  .chain((shape) =>
    fc.record({
      shape: fc.constant(shape),
      cells: fc.array(fc.array(cell, { minLength: shape.cols, maxLength: shape.cols }), { minLength: shape.rows, maxLength: shape.rows }),
    }),
  );

/** What a cell must read back as: a number, missing, or its trimmed text. */
function expected(v: string, decimalComma: boolean): { kind: 'number'; value: number } | { kind: 'missing' } | { kind: 'text'; value: string } {
  const t = v.trim();
  const x = cellNumber(t, decimalComma);
  if (!Number.isNaN(x) && Number.isFinite(x)) return { kind: 'number', value: x };
  if (isMissingCell(t)) return { kind: 'missing' };
  if (NON_FINITE.test(t) || !Number.isNaN(x)) return { kind: 'missing' };
  return { kind: 'text', value: t };
}

describe('CSV ingestion properties', () => {
  it('random tables with quotes, delimiters, unicode and missing cells round-trip with their shape and values', async () => {
    await fc.assert(
      fc.asyncProperty(table, async ({ shape, cells }) => {
        const header = Array.from({ length: shape.cols }, (_, j) => `col ${j} "q"`);
        const lines = [header, ...cells].map((r) => r.map(field).join(shape.delimiter));
        const text = (shape.bom ? '\uFEFF' : '') + lines.join(shape.eol) + (shape.trailingEol ? shape.eol : '');
        const res = await streamCsv(text, { fileName: 'p.csv', chunkBytes: shape.chunk, header: true });
        const t = res.table;
        expect(res.dialect.delimiter).toBe(shape.delimiter);
        expect(t.header).toEqual(header);
        expect(t.n).toBe(shape.rows);
        // Line numbers count the line ends inside quoted values.
        let line = 2 + header.reduce((s, h) => s + (h.match(/\n/g)?.length ?? 0), 0);
        for (let r = 0; r < shape.rows; r++) {
          expect(t.lines[r]).toBe(line);
          line += 1 + cells[r].reduce((s, v) => s + (v.replace(/\r\n/g, '\n').match(/[\n\r]/g)?.length ?? 0), 0);
          for (let j = 0; j < shape.cols; j++) {
            const col = t.columns[j];
            const want = expected(cells[r][j].replace(/\r\n?/g, '\n'), t.decimalComma);
            const k = col.kinds[r];
            if (want.kind === 'number') {
              expect(k).toBe(CELL.number);
              expect(col.values[r]).toBe(want.value);
            } else if (want.kind === 'missing') expect(k === CELL.missing || k === CELL.nonFinite).toBe(true);
            else expect(col.levels[k]).toBe(want.value);
          }
        }
        // Encoding either works, with a consistent finite dataset, or says why in a DataError.
        for (const opts of [{}, { missing: 'impute' as const, badValues: 'missing' as const, testFraction: 0 }]) {
          try {
            const enc = encodeTable(t, opts);
            for (const part of [enc.train, enc.test]) {
              if (part === null) continue;
              expect(part.X.length).toBe(part.n * part.d);
              expect(part.X.every(Number.isFinite)).toBe(true);
              if (part.task === 'classification') expect(part.labels.every((l) => l >= 0 && l < part.classNames.length)).toBe(true);
              else expect(part.target.every(Number.isFinite)).toBe(true);
            }
            expect(enc.train.n + (enc.test?.n ?? 0)).toBe(enc.report.rows.used);
            expect(enc.report.rows.used + enc.report.rows.droppedMissingFeature + enc.report.rows.droppedMissingLabel).toBe(shape.rows);
          } catch (e) {
            expect(e).toBeInstanceOf(DataError);
          }
        }
      }),
      RUNS,
    );
  });

  it('reads the same table whatever the chunk size', async () => {
    await fc.assert(
      fc.asyncProperty(table, fc.integer({ min: 16, max: 64 }), async ({ shape, cells }, chunk) => {
        const text = [Array.from({ length: shape.cols }, (_, j) => `c${j}`), ...cells].map((r) => r.map(field).join(shape.delimiter)).join(shape.eol);
        const a = await streamCsv(text, { header: true, delimiter: shape.delimiter });
        const b = await streamCsv(text, { header: true, delimiter: shape.delimiter, chunkBytes: chunk });
        expect(Array.from(b.table.lines)).toEqual(Array.from(a.table.lines));
        b.table.columns.forEach((c, j) => {
          expect(Array.from(c.kinds)).toEqual(Array.from(a.table.columns[j].kinds));
          expect(c.levels).toEqual(a.table.columns[j].levels);
        });
      }),
      RUNS,
    );
  });

  it('arbitrary text never throws anything but a DataError', async () => {
    const anyText = fc.oneof(fc.string({ unit: 'binary', maxLength: 300 }), fc.array(tricky, { maxLength: 120 }).map((cs) => cs.join('')));
    await fc.assert(
      fc.asyncProperty(anyText, fc.integer({ min: 16, max: 64 }), async (text, chunk) => {
        try {
          const res = await streamCsv(text, { fileName: 'x.csv', chunkBytes: chunk });
          encodeTable(res.table, { testFraction: 0.3 });
        } catch (e) {
          expect(e).toBeInstanceOf(DataError);
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe('zip reader properties', () => {
  const segment = fc.array(fc.constantFrom('a', 'b', 'c', '1', '_', 'é', '猫', ' '), { minLength: 1, maxLength: 5 }).map((cs) => cs.join(''));
  const tree = fc.dictionary(
    fc.array(segment, { minLength: 1, maxLength: 3 }).map((segs) => segs.join('/')),
    fc.uint8Array({ maxLength: 2000 }),
    { maxKeys: 12 },
  );

  it('random folder trees round-trip through zipSync and the reader', () => {
    fc.assert(
      fc.property(tree, fc.integer({ min: 0, max: 9 }), (files, level) => {
        const zip = zipSync(files, { level: level as 0 });
        const a = openZip(zip, 't.zip');
        const got = new Map(a.entries.filter((e) => !e.isDirectory).map((e) => [e.name, a.read(e)]));
        expect([...got.keys()].sort()).toEqual(Object.keys(files).sort());
        for (const [name, data] of Object.entries(files)) expect(Array.from(got.get(name) ?? [])).toEqual(Array.from(data));
        expect(a.inflatedBytes).toBe(Object.values(files).reduce((s, d) => s + d.length, 0));
      }),
      RUNS,
    );
  });

  it('random bytes never throw anything but a DataError', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 400 }), (bytes) => {
        try {
          const a = openZip(bytes, 'r.zip');
          for (const e of a.entries) a.read(e);
        } catch (e) {
          expect(e).toBeInstanceOf(DataError);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('damaged archives never throw anything but a DataError', () => {
    fc.assert(
      fc.property(tree, fc.array(fc.tuple(fc.nat(), fc.integer({ min: 1, max: 255 })), { minLength: 1, maxLength: 6 }), (files, flips) => {
        const zip = zipSync(files).slice();
        for (const [at, x] of flips) zip[at % zip.length] ^= x;
        try {
          const a = openZip(zip, 'd.zip', { maxEntryBytes: 1 << 20, maxTotalBytes: 4 << 20 });
          for (const e of a.entries) a.read(e);
        } catch (e) {
          expect(e).toBeInstanceOf(DataError);
        }
      }),
      { numRuns: 500 },
    );
  });
});
