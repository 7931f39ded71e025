/** The metrics CSV parses back (papaparse) to exactly the recorded numbers; quoting follows RFC 4180. */
import fc from 'fast-check';
import Papa from 'papaparse';
import { describe, expect, it } from 'vitest';
import { METRIC_COLUMNS, csvColumns, csvField, metricsToCsv } from '../../solver/export/metrics-csv';
import { CRONOS_METRICS } from '../../solver/methods/cronos/metrics';
import type { IterationMetrics } from '../../solver/types';
import { fakeHistory } from '../support/export-fixtures';

function parse(text: string): string[][] {
  const r = Papa.parse<string[]>(text, { skipEmptyLines: true, delimiter: ',' });
  expect(r.errors).toEqual([]);
  return r.data;
}

const cellValue = (s: string): number | boolean => (s === 'true' ? true : s === 'false' ? false : s === '' ? NaN : Number(s));

describe('metricsToCsv', () => {
  it('one header and one CRLF-terminated row per iteration, every metric a column', () => {
    const csv = metricsToCsv(fakeHistory(5));
    expect(csv.endsWith('\r\n')).toBe(true);
    expect(csv.split('\r\n')).toHaveLength(7);
    expect(csv.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/);
    const rows = parse(csv);
    expect(rows[0]).toEqual(METRIC_COLUMNS);
    expect(new Set(METRIC_COLUMNS)).toEqual(new Set(Object.keys(fakeHistory(1)[0])));
    expect(rows).toHaveLength(6);
    expect(metricsToCsv([])).toBe(`${METRIC_COLUMNS.join(',')}\r\n`);
  });

  it('every CRONOS descriptor is a CSV column, and the descriptor-built columns of its record are the same set', () => {
    for (const d of CRONOS_METRICS) expect(METRIC_COLUMNS).toContain(d.key);
    const built = csvColumns(CRONOS_METRICS, Object.keys(fakeHistory(1)[0]));
    expect(built.slice(0, 1 + CRONOS_METRICS.length)).toEqual(['iter', ...CRONOS_METRICS.map((d) => d.key)]);
    expect(new Set(built)).toEqual(new Set(METRIC_COLUMNS));
  });

  it('NaN is an empty cell, ±Infinity and booleans are spelled out', () => {
    const rows = parse(metricsToCsv(fakeHistory(2)));
    const col = (name: keyof IterationMetrics): number => rows[0].indexOf(name);
    expect(rows[1][col('testAccuracy')]).toBe('');
    expect(rows[1][col('primalResidual')]).toBe('Infinity');
    expect(rows[1][col('converged')]).toBe('false');
    expect(rows[2][col('converged')]).toBe('true');
  });

  it('arbitrary histories parse back to the same doubles', () => {
    const num = fc.oneof(fc.double(), fc.constant(NaN), fc.integer());
    const metric: fc.Arbitrary<IterationMetrics> = fc
      .tuple(fc.array(num, { minLength: METRIC_COLUMNS.length, maxLength: METRIC_COLUMNS.length }), fc.boolean())
      .map(([values, converged]) => {
        const m = Object.fromEntries(METRIC_COLUMNS.map((k, i) => [k, values[i]])) as unknown as IterationMetrics;
        m.converged = converged;
        return m;
      });
    fc.assert(
      fc.property(fc.array(metric, { maxLength: 20 }), (history) => {
        const rows = parse(metricsToCsv(history));
        expect(rows.length).toBe(history.length + 1);
        history.forEach((m, i) => {
          METRIC_COLUMNS.forEach((k, j) => {
            const got = cellValue(rows[i + 1][j]);
            // −0 prints as "0"; everything else is exact.
            if (typeof m[k] === 'number' && Object.is(m[k], -0)) expect(got).toBe(0);
            else expect(got).toStrictEqual(m[k]);
          });
        });
      }),
      { numRuns: 200 },
    );
  });

  it('csvField quotes exactly when RFC 4180 requires it, and papaparse reads it back', () => {
    expect(csvField('plain')).toBe('plain');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('two\r\nlines')).toBe('"two\r\nlines"');
    fc.assert(
      fc.property(fc.array(fc.string({ unit: 'binary', minLength: 1 }), { minLength: 2, maxLength: 5 }), (cells) => {
        const line = `${cells.map(csvField).join(',')}\r\n${cells.map(csvField).join(',')}\r\n`;
        const r = Papa.parse<string[]>(line, { skipEmptyLines: false, newline: '\r\n', delimiter: ',' });
        expect(r.data.slice(0, 2)).toEqual([cells, cells]);
      }),
      { numRuns: 300 },
    );
  });
});
