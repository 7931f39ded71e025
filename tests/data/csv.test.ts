/** CSV parsing and CSV → Dataset: good inputs, and a located, actionable message for each bad one. */
import { describe, expect, it } from 'vitest';
import { parseCsv, parseDataset, tableToDataset } from '../../data/csv';
import { dataError } from '../support/ingest-helpers';

const load = (text: string, opts: { label?: string } = {}) => parseDataset(text, 'data.csv', opts);

describe('good CSV input', () => {
  it('reads features and sorts string classes lexicographically', () => {
    const ds = load('a,b,label\n1,2,pullover\n3,4.5,bag\n-1e2,0,pullover\n');
    expect(ds.n).toBe(3);
    expect(ds.d).toBe(2);
    expect(ds.featureNames).toEqual(['a', 'b']);
    expect(ds.classNames).toEqual(['bag', 'pullover']);
    expect(Array.from(ds.labels)).toEqual([1, 0, 1]);
    expect(Array.from(ds.X)).toEqual([1, 2, 3, 4.5, -100, 0]);
    expect(ds.labelColumn).toBe('label');
  });

  it('handles quotes (with delimiters, quotes and newlines inside), a BOM and CRLF line ends', () => {
    const text = '\uFEFF"x, one","y ""two""",class\r\n"1",2,"a, b"\r\n3,"4",c\r\n';
    const ds = load(text);
    expect(ds.featureNames).toEqual(['x, one', 'y "two"']);
    expect(ds.classNames).toEqual(['a, b', 'c']);
    expect(Array.from(ds.X)).toEqual([1, 2, 3, 4]);
  });

  it('reports the right line after a quoted value that spans lines', () => {
    const err = dataError(() => load('a,b,label\n1,2,"multi\nline"\n3,oops,y\n'));
    expect(err.row).toBe(4);
    expect(err.column).toBe('b');
  });

  it('auto-detects semicolon and tab delimiters and accepts decimal commas with semicolons', () => {
    const semi = load('a;b;label\n1,5;2;x\n3;4;y\n');
    expect(Array.from(semi.X)).toEqual([1.5, 2, 3, 4]);
    expect(parseCsv('a;b;label\n1;2;x\n', 'f.csv').delimiter).toBe(';');
    const tab = load('a\tb\tlabel\n1\t2\tx\n3\t4\ty\n');
    expect(tab.d).toBe(2);
    expect(tab.classNames).toEqual(['x', 'y']);
  });

  it('takes the label column by name from any position', () => {
    const ds = load('species,bill,mass\nAdelie,39.1,3750\nGentoo,46.1,5000\nChinstrap,50,3900\n', { label: 'species' });
    expect(ds.featureNames).toEqual(['bill', 'mass']);
    expect(ds.classNames).toEqual(['Adelie', 'Chinstrap', 'Gentoo']);
    expect(Array.from(ds.labels)).toEqual([0, 2, 1]);
    expect(Array.from(ds.X)).toEqual([39.1, 3750, 46.1, 5000, 50, 3900]);
  });

  it('sorts numeric classes numerically (multi-class) and merges equal numbers', () => {
    const ds = load('a,digit\n1,10\n2,9\n3,2\n4,10.0\n5,2\n');
    expect(ds.classNames).toEqual(['2', '9', '10']);
    expect(Array.from(ds.labels)).toEqual([2, 1, 0, 2, 0]);
  });

  it('skips blank lines and trims cells', () => {
    const ds = load('a, b ,label\n\n 1 , 2 ,x\n   \n3,4,y\n\n');
    expect(ds.featureNames).toEqual(['a', 'b']);
    expect(Array.from(ds.X)).toEqual([1, 2, 3, 4]);
  });

  it('reads a test file against the training columns and classes', () => {
    const train = load('a,b,label\n1,2,x\n3,4,y\n');
    const test = tableToDataset(parseCsv('label,b,a\ny,20,10\n', 'test.csv'), { label: 'label', like: train });
    expect(test.n).toBe(1);
    expect(Array.from(test.X)).toEqual([10, 20]);
    expect(Array.from(test.labels)).toEqual([1]);
  });
});

describe('bad CSV input', () => {
  it('empty file', () => {
    const e = dataError(() => load(''));
    expect(e.message).toMatch(/data\.csv: the file is empty/);
    expect(e.message).toMatch(/header row/);
    expect(e.file).toBe('data.csv');
    expect(dataError(() => load('\n  \n')).message).toMatch(/empty/);
  });

  it('header only', () => {
    const e = dataError(() => load('a,b,label\n'));
    expect(e.message).toMatch(/data\.csv: the file has a header but no data rows/);
    expect(e.message).toMatch(/Add at least 2 data rows/);
  });

  it('fewer than 2 data rows', () => {
    const e = dataError(() => load('a,b,label\n1,2,x\n'));
    expect(e.message).toMatch(/only 1 data row/);
    expect(e.message).toMatch(/at least 2/);
  });

  it('non-numeric cell: names line, column and quoted value', () => {
    const e = dataError(() => load('a,b,label\n1,2,x\n3,abc,y\n'));
    expect(e.row).toBe(3);
    expect(e.column).toBe('b');
    expect(e.message).toContain('data.csv, line 3, column "b": value "abc" is not a number');
    expect(e.message).toMatch(/fix the value, drop the column/);
  });

  it('missing / empty cells', () => {
    const e = dataError(() => load('a,b,label\n1,2,x\n3,,y\n'));
    expect(e.row).toBe(3);
    expect(e.column).toBe('b');
    expect(e.message).toMatch(/line 3, column "b": the value is missing/);
    expect(e.message).toMatch(/remove the row/);
    const na = dataError(() => load('a,b,label\n1,2,x\n3,4,y\nNA,5,x\n'));
    expect(na.row).toBe(4);
    expect(na.column).toBe('a');
    expect(na.message).toContain('"NA"');
  });

  it('missing label', () => {
    const e = dataError(() => load('a,label\n1,x\n2,\n3,y\n'));
    expect(e.row).toBe(3);
    expect(e.column).toBe('label');
    expect(e.message).toMatch(/the label is missing/);
  });

  it('NaN and Inf', () => {
    const nan = dataError(() => load('a,b,label\n1,NaN,x\n3,4,y\n'));
    expect(nan.row).toBe(2);
    expect(nan.column).toBe('b');
    expect(nan.message).toMatch(/value "NaN" is NaN or infinite/);
    const inf = dataError(() => load('a,b,label\n1,2,x\n-Infinity,4,y\n'));
    expect(inf.row).toBe(3);
    expect(inf.column).toBe('a');
    expect(inf.message).toContain('"-Infinity"');
    const big = dataError(() => load('a,b,label\n1,2,x\n1e999,4,y\n'));
    expect(big.message).toMatch(/overflows to infinity/);
  });

  it('a single class', () => {
    const e = dataError(() => load('a,b,label\n1,2,x\n3,4,x\n'));
    expect(e.column).toBe('label');
    expect(e.message).toMatch(/every row has the same label "x"/);
    expect(e.message).toMatch(/at least 2 classes/);
  });

  it('no feature columns', () => {
    const e = dataError(() => load('label\nx\ny\n'));
    expect(e.message).toMatch(/no feature columns/);
    expect(e.message).toMatch(/Add at least one numeric feature column/);
  });

  it('unknown label column lists the available ones', () => {
    const e = dataError(() => load('a,b,label\n1,2,x\n3,4,y\n', { label: 'class' }));
    expect(e.column).toBe('class');
    expect(e.message).toContain('no label column "class"');
    expect(e.message).toContain('The columns are: "a", "b", "label"');
  });

  it('ragged rows: too few and too many fields', () => {
    const few = dataError(() => load('a,b,label\n1,2,x\n3,y\n'));
    expect(few.row).toBe(3);
    expect(few.message).toMatch(/line 3: this row has 2 fields but the header \(line 1\) has 3/);
    const many = dataError(() => load('a,b,label\n1,2,x\n\n3,4,5,y\n'));
    expect(many.row).toBe(4);
    expect(many.message).toMatch(/has 4 fields/);
  });

  it('unterminated quote', () => {
    const e = dataError(() => load('a,b,label\n1,2,x\n"3,4,y\n5,6,x\n'));
    expect(e.row).toBe(3);
    expect(e.message).toMatch(/malformed quotes/);
  });

  it('duplicate column names', () => {
    const e = dataError(() => load('a,a,label\n1,2,x\n3,4,y\n'));
    expect(e.column).toBe('a');
    expect(e.message).toMatch(/column 1 and column 2/);
  });

  it('test file: unknown class and missing feature column', () => {
    const train = load('a,b,label\n1,2,x\n3,4,y\n');
    const unknown = dataError(() => tableToDataset(parseCsv('a,b,label\n1,2,x\n1,2,z\n', 'test.csv'), { like: train }));
    expect(unknown.file).toBe('test.csv');
    expect(unknown.row).toBe(3);
    expect(unknown.message).toMatch(/label "z" is not a class of the training data/);
    const missing = dataError(() => tableToDataset(parseCsv('a,label\n1,x\n', 'test.csv'), { like: train }));
    expect(missing.message).toMatch(/missing: "b"/);
  });
});
