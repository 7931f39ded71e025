/** Streaming CSV ingestion: dialect, header and BOM detection, chunking, progress, caps and bad files. */
import { describe, expect, it } from 'vitest';
import { streamCsv, type CsvProgress } from '../../app/ingest/csv-stream';
import { CELL } from '../../data/cells';
import { detectDelimiter, looksLikeHeader, uniqueColumnNames } from '../../data/dialect';
import { NewlineNormalizer, RecordSplitter } from '../../data/records';
import { asyncDataError } from '../support/ingest-helpers';

const cellsOf = async (text: string, chunkBytes?: number) => {
  const r = await streamCsv(text, { fileName: 'data.csv', chunkBytes });
  return r.table.columns.map((c) => Array.from(c.kinds, (k, i) => (k === CELL.number ? c.values[i] : k >= 0 ? c.levels[k] : k)));
};

describe('dialect detection', () => {
  it('detects comma, tab, semicolon and pipe from the sample', async () => {
    for (const d of [',', '\t', ';', '|']) {
      const r = await streamCsv(`a${d}b${d}label\n1${d}2${d}x\n3${d}4${d}y\n`, { fileName: 'f.csv' });
      expect(r.dialect.delimiter).toBe(d);
      expect(r.table.header).toEqual(['a', 'b', 'label']);
    }
  });

  it('prefers the consistently splitting delimiter over a stray comma in text', () => {
    expect(detectDelimiter('name;score\n"Smith, J";3\nLee;4\n', '"', true)).toBe(';');
    expect(detectDelimiter('just one column\nvalue\n', '"', true)).toBe(',');
  });

  it('reads decimal commas in semicolon files', async () => {
    const r = await streamCsv('a;b;label\n1,5;2;x\n3;4,25;y\n', { fileName: 'f.csv' });
    expect(r.dialect.decimalComma).toBe(true);
    expect(Array.from(r.table.columns[0].values)).toEqual([1.5, 3]);
    expect(Array.from(r.table.columns[1].values)).toEqual([2, 4.25]);
  });

  it("uses ' as the quote only when a file has no double quotes but '-quoted fields", async () => {
    const r = await streamCsv("a,b,label\n'1,5',2,x\n3,4,'y, z'\n", { fileName: 'f.csv' });
    expect(r.dialect.quoteChar).toBe("'");
    expect(r.table.columns[0].levels).toEqual(['1,5']);
    expect(r.table.columns[2].levels).toEqual(['x', 'y, z']);
  });

  it('strips a UTF-8 BOM (string and Blob) and decodes UTF-16 files with a BOM', async () => {
    const s = await streamCsv('\uFEFFa,label\n1,x\n', { fileName: 'f.csv' });
    expect(s.dialect.bom).toBe(true);
    expect(s.table.header).toEqual(['a', 'label']);
    const blob = await streamCsv(new Blob([new Uint8Array([0xef, 0xbb, 0xbf]), 'a,label\n1,x\n']), { fileName: 'f.csv' });
    expect(blob.table.header).toEqual(['a', 'label']);
    expect(blob.dialect.bom).toBe(true);
    const text = 'a,label\n1,ü\n';
    const u16 = new Uint8Array(2 + text.length * 2);
    u16.set([0xff, 0xfe]);
    for (let i = 0; i < text.length; i++) u16[2 + 2 * i] = text.charCodeAt(i);
    const r = await streamCsv(new Blob([u16]), { fileName: 'f.csv' });
    expect(r.dialect.encoding).toBe('utf-16le');
    expect(r.table.columns[1].levels).toEqual(['ü']);
  });

  it('detects a header, and its absence when the first row is data', async () => {
    expect(looksLikeHeader(['x', 'y', 'label'], [['1', '2', 'a']], false)).toBe(true);
    expect(looksLikeHeader(['1', '2', 'a'], [['3', '4', 'b']], false)).toBe(false);
    expect(looksLikeHeader(['colour', 'size'], [['red', 'S'], ['blue', 'M']], false)).toBe(true);
    expect(looksLikeHeader(['red', 'S'], [['blue', 'M'], ['red', 'S']], false)).toBe(false);
    const r = await streamCsv('1,2,a\n3,4,b\n', { fileName: 'f.csv' });
    expect(r.dialect.header).toBe(false);
    expect(r.dialect.headerDetected).toBe(true);
    expect(r.table.header).toEqual(['column_1', 'column_2', 'column_3']);
    expect(r.table.n).toBe(2);
    const forced = await streamCsv('1,2,a\n3,4,b\n', { fileName: 'f.csv', header: true });
    expect(forced.table.header).toEqual(['1', '2', 'a']);
    expect(forced.table.n).toBe(1);
  });

  it('names blank and repeated header cells', async () => {
    expect(uniqueColumnNames(['x', '', 'x', 'x']).names).toEqual(['x', 'column_2', 'x_2', 'x_3']);
    const r = await streamCsv('x,,x,label\n1,2,3,a\n', { fileName: 'f.csv' });
    expect(r.table.header).toEqual(['x', 'column_2', 'x_2', 'label']);
    expect(r.notices.some((n) => n.message.includes('renamed'))).toBe(true);
  });
});

describe('chunked reading', () => {
  const tricky = 'a,"b\nwith newline",label\r\n"1,5",2,"x ""q"""\r\n\r\n3,"4",y\r4,5,"multi\nline"\n6,7,z';

  it('gives the same table and line numbers whatever the chunk size', async () => {
    const whole = await streamCsv(tricky, { fileName: 'f.csv' });
    expect(whole.table.header).toEqual(['a', 'b\nwith newline', 'label']);
    expect(Array.from(whole.table.lines)).toEqual([3, 5, 6, 8]);
    for (const chunkBytes of [16, 17, 19, 23, 64]) {
      const r = await streamCsv(tricky, { fileName: 'f.csv', chunkBytes });
      expect(await cellsOf(tricky, chunkBytes)).toEqual(await cellsOf(tricky));
      expect(Array.from(r.table.lines)).toEqual([3, 5, 6, 8]);
    }
  });

  it('reports progress in bytes and rows, ending at the file size', async () => {
    const text = 'a,label\n' + Array.from({ length: 2000 }, (_, i) => `${i},${i % 2}`).join('\n');
    const seen: CsvProgress[] = [];
    const r = await streamCsv(new Blob([text]), { fileName: 'f.csv', chunkBytes: 4096, onProgress: (p) => seen.push(p) });
    expect(seen.length).toBeGreaterThan(2);
    expect(seen.at(-1)?.bytesRead).toBe(text.length);
    expect(seen.every((p, i) => i === 0 || p.bytesRead >= seen[i - 1].bytesRead)).toBe(true);
    expect(r.rowsKept).toBe(2000);
  });

  it('returns the first rows as text for the preview table', async () => {
    const text = 'a,label\n' + Array.from({ length: 50 }, (_, i) => `${i},${i % 2 ? 'odd' : 'even'}`).join('\n');
    const r = await streamCsv(text, { fileName: 'f.csv', previewRows: 5 });
    expect(r.preview.header).toEqual(['a', 'label']);
    expect(r.preview.rows).toEqual([['0', 'even'], ['1', 'odd'], ['2', 'even'], ['3', 'odd'], ['4', 'even']]);
  });

  it('normalises \\r\\n split across chunks and mixed line ends', () => {
    const norm = new NewlineNormalizer();
    expect(norm.push('a\r') + norm.push('\nb\r') + norm.push('c') + norm.flush()).toBe('a\nb\nc');
    const split = new RecordSplitter(',', '"');
    expect(split.push('x,"a\n')).toBe('');
    expect(split.inQuotes).toBe(true);
    expect(split.push('b"\ny,2\nz')).toBe('x,"a\nb"\ny,2\n');
    expect(split.end()).toBe('z');
  });

  it('aborts when the signal fires', async () => {
    const ctrl = new AbortController();
    ctrl.abort(new Error('user dropped another file'));
    await expect(streamCsv('a,b\n1,2\n', { signal: ctrl.signal })).rejects.toThrow('user dropped another file');
  });
});

describe('row caps', () => {
  // 1,000,000 rows (≈ 14 MB) built from a repeated block so the test stays fast.
  const block = Array.from({ length: 1000 }, (_, i) => `${(i * 0.37).toFixed(3)},${i % 17},${i % 2 ? 'cat' : 'dog'}`).join('\n') + '\n';
  const million = new Blob(['a,b,label\n', block.repeat(1000)]);

  it('stops a 1,000,000-row file at the cap, says how many rows it read and offers a subsample', async () => {
    const t0 = performance.now();
    const r = await streamCsv(million, { fileName: 'big.csv' });
    const ms = performance.now() - t0;
    expect(r.status).toBe('truncated');
    expect(r.rowsKept).toBe(200_000);
    expect(r.table.n).toBe(200_000);
    expect(r.table.columns[0].values.length).toBe(200_000);
    // Stopped early: a quarter of the file at most was read (bounded time and memory).
    expect(r.bytesRead).toBeLessThan(million.size / 4);
    expect(ms).toBeLessThan(10_000);
    expect(r.message).toContain('more than 200,000 rows');
    expect(r.message).toContain('about 1,000,000');
    expect(r.message).toContain('Read the first 200,000 rows');
    expect(r.message).toContain('"subsample"');
    expect(r.notices[0].message).toBe(r.message);
  });

  it('subsamples the whole file into a bounded table when asked', async () => {
    const r = await streamCsv(million, { fileName: 'big.csv', maxRows: 5000, overflow: 'subsample', seed: 3 });
    expect(r.status).toBe('subsampled');
    expect(r.rowsSeen).toBe(1_000_000);
    expect(r.table.n).toBe(5000);
    expect(r.table.columns[0].values.length).toBe(5000);
    expect(r.message).toContain('1,000,000 rows');
    const lines = Array.from(r.table.lines);
    expect(lines).toEqual([...lines].sort((a, b) => a - b));
    // Uniform over the file: rows from both halves, in roughly equal numbers.
    const late = lines.filter((l) => l > 500_001).length;
    expect(late).toBeGreaterThan(2200);
    expect(late).toBeLessThan(2800);
    const again = await streamCsv(million, { fileName: 'big.csv', maxRows: 5000, overflow: 'subsample', seed: 3 });
    expect(Array.from(again.table.lines)).toEqual(lines);
  });

  it('caps cells as well as rows for wide files', async () => {
    const header = Array.from({ length: 100 }, (_, j) => `f${j}`).join(',');
    const row = Array.from({ length: 100 }, (_, j) => String(j)).join(',');
    const r = await streamCsv(`${header}\n${`${row}\n`.repeat(50)}`, { fileName: 'wide.csv', maxCells: 2000 });
    expect(r.rowCap).toBe(20);
    expect(r.table.n).toBe(20);
    expect(r.message).toContain('100 columns');
  });
});

describe('bad CSV files', () => {
  it('an empty file', async () => {
    for (const text of ['', '\n\n  \n', '\uFEFF']) {
      const err = await asyncDataError(() => streamCsv(text, { fileName: 'empty.csv' }));
      expect(err.file).toBe('empty.csv');
      expect(err.message).toMatch(/empty\.csv: the file is empty\. Drop a CSV file with a header row/);
    }
  });

  it('a header only', async () => {
    const err = await asyncDataError(() => streamCsv('a,b,label\n', { fileName: 'h.csv' }));
    expect(err.row).toBe(2);
    expect(err.message).toContain('h.csv: the file has a header but no data rows');
  });

  it('ragged rows: named by line, or skipped and counted', async () => {
    const text = 'a,b,label\n1,2,x\n3,4\n5,6,y\n7,8,9,z\n';
    const err = await asyncDataError(() => streamCsv(text, { fileName: 'r.csv' }));
    expect(err.row).toBe(3);
    expect(err.message).toContain('r.csv, line 3: this row has 2 fields but the header (line 1) has 3');
    expect(err.message).toContain('skip malformed rows');
    const r = await streamCsv(text, { fileName: 'r.csv', raggedRows: 'skip' });
    expect(r.table.n).toBe(2);
    expect(r.notices.find((n) => n.row === 3)?.message).toContain('2 rows with a number of fields other than 3 were skipped, the first at line 3');
  });

  it('tolerates empty trailing fields (a delimiter at the end of every row)', async () => {
    const r = await streamCsv('a,b,label\n1,2,x,\n3,4,y,,\n', { fileName: 't.csv' });
    expect(r.table.n).toBe(2);
    expect(r.notices.some((n) => n.message.includes('extra empty fields'))).toBe(true);
  });

  it('malformed quotes name the line', async () => {
    const err = await asyncDataError(() => streamCsv('a,b,label\n1,2,x\n3,"4,y\n5,6,z\n', { fileName: 'q.csv' }));
    expect(err.row).toBe(3);
    expect(err.message).toContain('q.csv, line 3: malformed quotes');
  });

  it('a runaway quoted value is stopped at the record cap', async () => {
    const text = `a,label\n1,"${'x'.repeat(300_000)}`;
    const err = await asyncDataError(() => streamCsv(text, { fileName: 'run.csv', maxRecordChars: 100_000, chunkBytes: 4096 }));
    expect(err.row).toBe(2);
    expect(err.message).toContain('quoted value that starts here is still not closed');
  });

  it('a binary file (NUL bytes)', async () => {
    const err = await asyncDataError(() => streamCsv(new Blob([new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 13])]), { fileName: 'img.csv' }));
    expect(err.message).toContain('img.csv: the file contains NUL bytes');
  });

  it('invalid UTF-8 is read with a warning', async () => {
    const r = await streamCsv(new Blob([new Uint8Array([0x61, 0x2c, 0x62, 0x0a, 0x31, 0x2c, 0xe9, 0x0a])]), { fileName: 'latin1.csv' });
    expect(r.table.n).toBe(1);
    expect(r.notices.some((n) => n.message.includes('not valid UTF-8'))).toBe(true);
  });
});
