/**
 * One CSV reader for everyone: a tricky small file reads the same through the CLI path (the
 * strict parseCsv → tableToDataset, also used by the catalogue and share links) and the page
 * path (streamCsv of a dropped file → encodeTable), whatever the chunk size. Where the strict
 * path rejects a file that the page reads leniently, both still see the same cells.
 */
import { describe, expect, it } from 'vitest';
import { streamCsv } from '../../app/ingest/csv-stream';
import { parseCsv, parseDataset } from '../../data/csv';
import { readCsvText } from '../../data/csv-reader';
import { encodeTable } from '../../data/encode';
import { standardize } from '../../data/preprocess';
import type { ColumnTable } from '../../data/table';
import { dataError } from '../support/ingest-helpers';

/** Files that once read differently in the two readers, with what a user expects of each. */
const TRICKY: { name: string; text: string; delimiter: string; header: string[]; X: number[]; classes: string[] }[] = [
  { name: 'semicolon with decimal commas', text: 'a;b;label\n1,5;2;x\n3;4,25;y\n', delimiter: ';', header: ['a', 'b', 'label'], X: [1.5, 2, 3, 4.25], classes: ['x', 'y'] },
  { name: 'UTF-8 BOM and CRLF', text: '\uFEFFa,b,label\r\n1,2,x\r\n3,4,y\r\n', delimiter: ',', header: ['a', 'b', 'label'], X: [1, 2, 3, 4], classes: ['x', 'y'] },
  { name: 'mixed \\r\\n, \\n and \\r line ends', text: 'a,b,label\r\n1,2,x\n3,4,y\r5,6,x\n', delimiter: ',', header: ['a', 'b', 'label'], X: [1, 2, 3, 4, 5, 6], classes: ['x', 'y'] },
  {
    name: 'quoted fields with line breaks, delimiters and doubled quotes',
    text: '"x, one","y ""two""",class\n"1",2,"multi\r\nline"\n3,"4","a, ""b"""\n',
    delimiter: ',',
    header: ['x, one', 'y "two"', 'class'],
    X: [1, 2, 3, 4],
    classes: ['a, "b"', 'multi\nline'],
  },
  { name: 'a comma inside quotes does not make a semicolon file a comma file', text: 'a;b;label\n1;2;"x, y"\n3;4;z\n', delimiter: ';', header: ['a', 'b', 'label'], X: [1, 2, 3, 4], classes: ['x, y', 'z'] },
  { name: 'tabs', text: 'a\tb\tlabel\n1\t2\tx\n3\t4\ty\n', delimiter: '\t', header: ['a', 'b', 'label'], X: [1, 2, 3, 4], classes: ['x', 'y'] },
  { name: 'pipes', text: 'a|b|label\n1|2|x\n3|4|y\n', delimiter: '|', header: ['a', 'b', 'label'], X: [1, 2, 3, 4], classes: ['x', 'y'] },
  { name: "single quotes in a file without double quotes", text: "a,b,label\n1,2,'x, y'\n3,4,z\n", delimiter: ',', header: ['a', 'b', 'label'], X: [1, 2, 3, 4], classes: ['x, y', 'z'] },
  { name: 'blank lines and padded cells', text: 'a, b ,label\n\n 1 , 2 ,x\n   \n3,4,y\n\n', delimiter: ',', header: ['a', 'b', 'label'], X: [1, 2, 3, 4], classes: ['x', 'y'] },
  { name: 'a trailing delimiter on every row (spreadsheet export)', text: 'a,b,label\n1,2,x,\n3,4,y,\n', delimiter: ',', header: ['a', 'b', 'label'], X: [1, 2, 3, 4], classes: ['x', 'y'] },
  { name: 'no header row: detected, columns named', text: '1,2,0\n3,4,1\n5,7,0\n', delimiter: ',', header: ['column_1', 'column_2', 'column_3'], X: [1, 2, 3, 4, 5, 7], classes: ['0', '1'] },
  { name: 'numeric labels compare by value', text: 'a,digit\n1,10\n2,9\n3,2\n4,10.0\n5,2\n', delimiter: ',', header: ['a', 'digit'], X: [1, 2, 3, 4, 5], classes: ['2', '9', '10'] },
];

/** The table as plain data (typed arrays as arrays), for equality across the two paths. */
function plain(t: ColumnTable): unknown {
  return {
    header: t.header,
    n: t.n,
    lines: Array.from(t.lines),
    delimiter: t.delimiter,
    decimalComma: t.decimalComma,
    columns: t.columns.map((c) => ({ values: Array.from(c.values), kinds: Array.from(c.kinds), levels: c.levels })),
  };
}

describe('the CLI path and the page path read a file the same', () => {
  for (const f of TRICKY) {
    it(f.name, async () => {
      const cli = parseDataset(f.text, 'f.csv');
      expect(cli.featureNames).toEqual(f.header.slice(0, -1));
      expect(Array.from(cli.X)).toEqual(f.X);
      expect(cli.classNames).toEqual(f.classes);
      const strict = readCsvText(f.text, 'f.csv');
      expect(strict.dialect.delimiter).toBe(f.delimiter);

      for (const chunkBytes of [5, 1 << 20]) {
        const page = await streamCsv(f.text, { fileName: 'f.csv', chunkBytes });
        expect(page.dialect).toEqual(strict.dialect);
        expect(plain(page.table)).toEqual(plain(parseCsv(f.text, 'f.csv')));
        // The page encodes (and standardises) the same rows to the same matrix and classes.
        const enc = encodeTable(page.table, { testFraction: 0 });
        if (enc.train.task !== 'classification') throw new Error('expected classification');
        const std = standardize(cli).train;
        expect(enc.train.featureNames).toEqual(std.featureNames);
        expect(enc.train.classNames).toEqual(cli.classNames);
        expect(Array.from(enc.train.labels)).toEqual(Array.from(cli.labels));
        expect(Array.from(enc.train.X)).toEqual(Array.from(std.X));
      }
    });
  }
});

describe('the strict path rejects what the page reads leniently, on the same cells', () => {
  const LENIENT: { name: string; text: string; row: number; column?: string; message: RegExp }[] = [
    { name: 'a missing cell', text: 'a,b,label\n1,2,x\n3,NA,y\n5,6,x\n7,8,y\n', row: 3, column: 'b', message: /the value is missing \("NA"\)/ },
    { name: 'NaN', text: 'a,b,label\n1,2,x\nnan,4,y\n5,6,x\n7,8,y\n', row: 3, column: 'a', message: /value "nan" is NaN or infinite/ },
    { name: 'a missing label', text: 'a,label\n1,x\n2,?\n3,y\n', row: 3, column: 'label', message: /the label is missing \("\?"\)/ },
  ];
  for (const f of LENIENT) {
    it(f.name, async () => {
      const e = dataError(() => parseDataset(f.text, 'f.csv'));
      expect(e.row).toBe(f.row);
      expect(e.column).toBe(f.column);
      expect(e.message).toMatch(f.message);
      const page = await streamCsv(f.text, { fileName: 'f.csv' });
      expect(plain(page.table)).toEqual(plain(readCsvText(f.text, 'f.csv').table));
      // The page drops the row (NaN only when told to treat bad values as missing).
      const enc = encodeTable(page.table, { testFraction: 0, badValues: 'missing' });
      expect(enc.report.rows.used).toBe(page.table.n - 1);
    });
  }

  it('repeated header names: the strict path names both columns, the page renames', async () => {
    const text = 'a,a,label\n1,2,x\n3,4,y\n';
    expect(dataError(() => parseCsv(text, 'f.csv')).message).toMatch(/column 1 and column 2/);
    expect((await streamCsv(text, { fileName: 'f.csv' })).table.header).toEqual(['a', 'a_2', 'label']);
  });

  it('ragged rows: the same message (file, line, field counts), the page also offers to skip them', async () => {
    const text = 'a,b,label\n1,2,x\n3,y\n';
    const strict = dataError(() => parseCsv(text, 'f.csv'));
    expect(strict.message).toContain('f.csv, line 3: this row has 2 fields but the header (line 1) has 3');
    const page = await streamCsv(text, { fileName: 'f.csv' }).catch((e: unknown) => e);
    expect(page).toMatchObject({ row: 3 });
    expect((page as Error).message).toContain('f.csv, line 3: this row has 2 fields but the header (line 1) has 3');
    expect((page as Error).message).toContain('skip malformed rows');
  });

  it('a binary file is refused the same way', async () => {
    const text = 'a,b\u0000,label\n1,2,x\n';
    expect(dataError(() => parseCsv(text, 'f.csv')).message).toContain('f.csv: the file contains NUL bytes');
    await expect(streamCsv(text, { fileName: 'f.csv' })).rejects.toThrow('f.csv: the file contains NUL bytes');
  });
});
