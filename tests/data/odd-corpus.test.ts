/**
 * The odd-input corpus (tests/data/odd/, described in its README.md): every file goes through the
 * CLI's reader path (cli/read-csv.ts, whole and streamed → label → tableToDataset → standardize, as
 * cli/cronos.ts does) and the page's (the Worker's IngestSession: a CSV file, or a .zip of image
 * folders). Each either loads cleanly (finite, standardised features) or is refused with a
 * DataError whose message names the file and, where there is one, the line, column or value, and
 * says what to do. Never a crash, a non-data error or "unexpected failure". A few files also run
 * through the real CLI process, to see exit 1 and no stack trace.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import type { FromIngest } from '../../app/ingest/protocol';
import { IngestSession } from '../../app/ingest/session';
import { readCsvTable } from '../../cli/read-csv';
import { firstInvalidUtf8 } from '../../cli/read-text';
import { resolveLabelColumn, tableToDataset } from '../../data/csv';
import { DataError } from '../../data/errors';
import { standardize } from '../../data/preprocess';
import { decodeTestPng } from '../support/ingest-helpers';
import { ROOT } from '../support/paths';

const ODD = join(ROOT, 'tests', 'data', 'odd');

/** What a reader path must do with a file: load it (with these facts), or refuse with a message matching `refuse`. */
type Outcome = { load: { n?: number; d?: number; classes?: number } } | { refuse: RegExp };

interface Case {
  file: string;
  cli: Outcome;
  page: Outcome;
}

const ok = (facts: { n?: number; d?: number; classes?: number } = {}): Outcome => ({ load: facts });
const no = (refuse: RegExp): Outcome => ({ refuse });

/** The page holds out 25 % of the rows (seeded, stratified): n below is its training part. */
const CASES: Case[] = [
  { file: 'empty.csv', cli: no(/the file is empty/), page: no(/the file is empty/) },
  { file: 'blank-lines.csv', cli: no(/the file is empty/), page: no(/the file is empty/) },
  { file: 'header-only.csv', cli: no(/header but no data rows/), page: no(/header but no data rows/) },
  { file: 'one-row.csv', cli: no(/only 1 data row; training needs at least 2/), page: no(/only 1 data row; training needs at least 2/) },
  { file: 'one-class.csv', cli: no(/column "label": every row has the same label "same"/), page: no(/column "label": every row has the same label "same"/) },
  { file: 'nan-inf.csv', cli: no(/line 12, column "a": value "NaN" is NaN or infinite/), page: no(/line 12, column "a": value "NaN" is NaN or infinite/) },
  { file: 'huge-overflow.csv', cli: no(/line 2, column "a": value "1e309" overflows/), page: no(/line 2, column "a": value "1e309" is NaN or infinite/) },
  { file: 'huge-1e308.csv', cli: ok({ n: 12, d: 2 }), page: ok({ d: 2 }) },
  { file: 'ragged.csv', cli: no(/line 4: this row has 2 fields but the header \(line 1\) has 3/), page: no(/line 4: this row has 2 fields but the header \(line 1\) has 3/) },
  { file: 'text-in-numeric.csv', cli: no(/line 3, column "b": value "four" is not a number/), page: ok() },
  { file: 'bom-utf8.csv', cli: ok({ n: 12, d: 2, classes: 2 }), page: ok({ d: 2, classes: 2 }) },
  { file: 'utf16le.csv', cli: ok({ n: 12, d: 2, classes: 2 }), page: ok({ d: 2, classes: 2 }) },
  { file: 'utf16be.csv', cli: ok({ n: 12, d: 2, classes: 2 }), page: ok({ d: 2, classes: 2 }) },
  { file: 'utf16le-no-bom.csv', cli: no(/NUL bytes.*looks like UTF-16 text without a byte-order mark/), page: no(/NUL bytes.*looks like UTF-16 text without a byte-order mark/) },
  { file: 'latin1.csv', cli: ok({ n: 12, d: 2, classes: 2 }), page: ok({ d: 2, classes: 2 }) },
  { file: 'crlf.csv', cli: ok({ n: 12, d: 2, classes: 2 }), page: ok({ d: 2, classes: 2 }) },
  { file: 'semicolon-decimal-comma.csv', cli: ok({ n: 12, d: 2, classes: 2 }), page: ok({ d: 2, classes: 2 }) },
  { file: 'quoted-newlines.csv', cli: ok({ n: 12, d: 2, classes: 2 }), page: ok({ d: 2, classes: 2 }) },
  { file: 'binary-garbage.csv', cli: no(/contains NUL bytes, so it is not a text CSV file/), page: no(/contains NUL bytes, so it is not a text CSV file/) },
  { file: 'broken.csv.gz', cli: no(/looks gzip-compressed but does not inflate/), page: no(/gzip-compressed\. Decompress it first/) },
  { file: 'duplicate-header.csv', cli: no(/line 1, column "a": the header names column 1 and column 2 the same/), page: ok({ d: 2 }) },
  { file: 'empty-header-names.csv', cli: no(/line 1, column "column_1": the value is missing/), page: ok({ d: 2 }) },
  { file: 'constant-column.csv', cli: ok({ n: 12, d: 2 }), page: ok({ d: 1 }) },
  { file: 'all-constant.csv', cli: ok({ n: 12, d: 2 }), page: no(/no usable feature columns.*"a" \(every row has the same value\)/) },
  { file: 'missing-labels.csv', cli: no(/line 2, column "label": the label is missing/), page: ok({ classes: 2 }) },
  { file: 'label-1000-classes.csv', cli: ok({ n: 2000, d: 2, classes: 1000 }), page: no(/column "label": the label column has 1,000 distinct values.*at most 100 classes/) },
  { file: 'thousands-of-columns.csv', cli: ok({ n: 8, d: 3000 }), page: ok() },
  { file: 'long-cell.csv', cli: no(/line 2, column "a": value "x+\.\.\." is not a number/), page: ok() },
  { file: 'zip-no-csv.zip', cli: no(/this is a \.zip archive, not a CSV file/), page: no(/no images in class folders were found.*"notes\/readme\.txt"/) },
  { file: 'images-mixed-sizes.zip', cli: no(/this is a \.zip archive, not a CSV file/), page: ok({ d: 64, classes: 2 }) },
  { file: 'images-one-class.zip', cli: no(/\.zip archive/), page: no(/all images are in one class folder, "only"/) },
  { file: 'claims-2gb.zip', cli: no(/\.zip archive/), page: no(/entry "set\/a\/0\.png" would inflate to 2\.00 GiB, more than the 64\.0 MiB/) },
  { file: 'workbook.xlsx', cli: no(/spreadsheet workbook, not a CSV file\. Save the sheet as CSV/), page: no(/zip archive \(a spreadsheet workbook such as \.xlsx is one\), not a CSV file/) },
  { file: 'truncated.zip', cli: no(/\.zip archive/), page: no(/not a \.zip archive \(no zip directory found\)/) },
];

type Got = { load: { n: number; d: number; classes: number; finite: boolean; checksum?: number } } | { error: unknown };

/**
 * What cli/cronos.ts does with `--data FILE` before training (cli/data.ts); `streamed` forces the
 * chunked path of large files (cli/read-csv.ts) with 5-byte chunks, so every multi-byte
 * character, BOM, CRLF and quoted line break of the corpus meets a chunk boundary somewhere.
 */
function cliRead(path: string, streamed = false): Got {
  try {
    const table = readCsvTable(path, undefined, streamed ? { streamFromBytes: 0, chunkBytes: 5 } : {});
    const ds = tableToDataset(table, { label: resolveLabelColumn(table, undefined) });
    const { train } = standardize(ds);
    let checksum = 0;
    train.X.forEach((v, i) => (checksum += v * ((i % 7) + 1)));
    train.labels.forEach((v, i) => (checksum += v * ((i % 5) + 1)));
    return { load: { n: train.n, d: train.d, classes: train.classNames.length, finite: train.X.every(Number.isFinite), checksum } };
  } catch (error) {
    return { error };
  }
}

/** What the Worker does with a dropped file: a CSV, or a .zip of image folders. */
async function pageRead(path: string, name: string): Promise<Got> {
  const replies: FromIngest[] = [];
  const session = new IngestSession((m) => replies.push(m), { decode: decodeTestPng, progressIntervalMs: 0 });
  const file = new File([readFileSync(path)], name);
  if (name.endsWith('.zip')) await session.handle({ type: 'ingest-images', id: 1, files: [file], options: { size: 8, channels: 1, testFraction: 0.25, seed: 1 } });
  else await session.handle({ type: 'ingest-csv', id: 1, file, encode: { testFraction: 0.25, seed: 1 } });
  const last = replies.filter((m) => m.type === 'ingest-error' || m.type === 'ingest-dataset').at(-1);
  if (last?.type === 'ingest-error') {
    // A refusal must be a located data error, not the "unexpected failure" fallback.
    expect(last.error.dataError, last.error.message).toBe(true);
    return { error: new DataError(last.error.message, { file: last.error.file }) };
  }
  if (last?.type !== 'ingest-dataset') throw new Error(`no answer for ${name}`);
  const train = session.current?.train;
  return { load: { n: last.summary.n, d: last.summary.d, classes: last.summary.classNames.length, finite: train ? train.X.every(Number.isFinite) : false } };
}

/** A comparable summary of a read: its error message, or its shape and a checksum of X. */
function outcomeOf(got: Got): unknown {
  return 'error' in got ? (got.error as Error).message : got.load;
}

function check(got: Got, want: Outcome, file: string): void {
  if ('refuse' in want) {
    if (!('error' in got)) throw new Error(`${file} loaded (${JSON.stringify(got.load)}) but should be refused with ${want.refuse}`);
    expect(got.error).toBeInstanceOf(DataError);
    const msg = (got.error as Error).message;
    // The message starts with the file's name and matches the expected location and value.
    expect(msg.startsWith(file) || msg.includes(`/${file}`), msg).toBe(true);
    expect(msg).toMatch(want.refuse);
    return;
  }
  if ('error' in got) throw new Error(`${file} should load but failed: ${(got.error as Error).message}`);
  expect(got.load.finite).toBe(true);
  expect(got.load.n).toBeGreaterThanOrEqual(2);
  for (const key of ['n', 'd', 'classes'] as const) if (want.load[key] !== undefined) expect(got.load[key], key).toBe(want.load[key]);
}

describe('the odd-input corpus', () => {
  it('lists every file of tests/data/odd', () => {
    const files = readdirSync(ODD).filter((f) => f !== 'README.md').sort();
    expect(CASES.map((c) => c.file).sort()).toEqual(files);
  });

  for (const c of CASES) {
    it(`${c.file}: CLI path and page path`, async () => {
      const path = join(ODD, c.file);
      check(cliRead(path), c.cli, c.file);
      // A file too large to read whole is streamed: the same table, or the same refusal.
      const streamed = cliRead(path, true);
      check(streamed, c.cli, c.file);
      expect(JSON.stringify(outcomeOf(streamed))).toBe(JSON.stringify(outcomeOf(cliRead(path))));
      check(await pageRead(path, c.file), c.page, c.file);
    });
  }
});

describe('firstInvalidUtf8 (the CLI falls back to Windows-1252 from it)', () => {
  it('accepts UTF-8 and finds the first bad byte', () => {
    expect(firstInvalidUtf8(new TextEncoder().encode('a,é,€,𝄞\n'))).toBe(-1);
    expect(firstInvalidUtf8(Uint8Array.from([0x61, 0xe9, 0x62]))).toBe(1); // Latin-1 é
    expect(firstInvalidUtf8(Uint8Array.from([0x61, 0xc0, 0xaf]))).toBe(1); // overlong '/'
    expect(firstInvalidUtf8(Uint8Array.from([0xed, 0xa0, 0x80]))).toBe(0); // a UTF-16 surrogate
    expect(firstInvalidUtf8(Uint8Array.from([0x61, 0x62, 0xe2, 0x82]))).toBe(2); // cut short
  });
});

describe('the streamed read of large files (cli/read-csv.ts)', () => {
  it('a gzip file and a Latin-1 file stream to the tables of the whole-file read, and the Latin-1 note names the same line', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cronos-stream-'));
    try {
      const gz = join(dir, 'quoted-newlines.csv.gz');
      writeFileSync(gz, gzipSync(readFileSync(join(ODD, 'quoted-newlines.csv'))));
      expect(outcomeOf(cliRead(gz, true))).toEqual(outcomeOf(cliRead(join(ODD, 'quoted-newlines.csv'))));
      const notes = (streamed: boolean): string[] => {
        const lines: string[] = [];
        readCsvTable(join(ODD, 'latin1.csv'), (l) => lines.push(l), streamed ? { streamFromBytes: 0, chunkBytes: 3 } : {});
        return lines;
      };
      expect(notes(false)).toHaveLength(1);
      expect(notes(true)).toEqual(notes(false));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

function cli(args: string[]): Promise<{ code: number | null; stderr: string }> {
  return new Promise((res, rej) => {
    const child = spawn('bash', ['scripts/gpu-env.sh', 'npx', 'tsx', 'cli/cronos.ts', ...args], { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    child.on('error', rej);
    child.on('close', (code) => res({ code, stderr }));
  });
}

describe('the odd-input corpus through the CLI process', () => {
  it('refusals exit 1 with one located message and no stack trace; a UTF-16 file trains', async () => {
    for (const file of ['binary-garbage.csv', 'claims-2gb.zip', 'nan-inf.csv']) {
      const r = await cli(['train', '--data', join(ODD, file), '--device', 'cpu', '--admm-iters', '1']);
      expect(r.code, r.stderr).toBe(1);
      expect(r.stderr).toMatch(new RegExp(`^error: .*${file.replace('.', '\\.')}`, 'm'));
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
    const latin1 = await cli(['train', '--data', join(ODD, 'latin1.csv'), '--device', 'cpu', '--admm-iters', '1', '--P', '4', '--rank', '2']);
    expect(latin1.code, latin1.stderr).toBe(0);
    expect(latin1.stderr).toMatch(/latin1\.csv, line 2: the file is not valid UTF-8; it is read as Windows-1252/);
    expect(latin1.stderr).toMatch(/classes=2 \[café, thé\]/);
    const utf16 = await cli(['train', '--data', join(ODD, 'utf16le.csv'), '--device', 'cpu', '--admm-iters', '2', '--P', '4', '--rank', '2']);
    expect(utf16.code, utf16.stderr).toBe(0);
    expect(utf16.stderr).toMatch(/data: .*utf16le\.csv: n=12 d=2 classes=2/);
  });
});
