/**
 * CSV → {@link Dataset}. Pure string processing (papaparse in synchronous string mode), so it
 * runs unchanged in Node, a page and a Web Worker. Every rejection is a {@link DataError} that
 * says where the file is wrong and what to do about it.
 */
import Papa from 'papaparse';
import type { Dataset } from '../solver/types';
import { DECIMAL_COMMA, MISSING, NON_FINITE, NUMBER } from './cells';
import { DataError, locate, quoteValue } from './errors';

export { DataError } from './errors';

/** A parsed CSV file: trimmed header names and the raw (trimmed) cells of every data row. */
export interface CsvTable {
  fileName: string;
  header: string[];
  rows: string[][];
  /** 1-based file line where each data row starts (header = line 1), for messages. */
  lines: number[];
  /** The delimiter that was detected. */
  delimiter: string;
}

/** A dataset read from a CSV file, with the names needed to read a matching test file. */
export interface CsvDataset extends Dataset {
  fileName: string;
  labelColumn: string;
}

/** Options of {@link tableToDataset}. */
export interface TableToDatasetOptions {
  /** File name for messages; defaults to the table's. */
  fileName?: string;
  /** Label column name; defaults to the last column. */
  label?: string;
  /**
   * Read the table as a test set of this (training) dataset: features are looked up by the
   * training feature names (any order), labels must be training classes, and one row suffices.
   */
  like?: Pick<Dataset, 'classNames' | 'featureNames'>;
}

const DELIMITERS = [',', '\t', ';', '|'] as const;

/**
 * Parses CSV text with a header row. Handles a BOM, \r\n / \r / \n line ends, quoted fields
 * (with embedded delimiters, quotes and newlines) and blank lines; the delimiter (comma, tab,
 * semicolon or pipe) is detected from the header line. Rejects empty files and ragged rows.
 * In semicolon files a decimal comma (`1,5`) is accepted in feature cells.
 */
export function parseCsv(text: string, fileName: string): CsvTable {
  // papaparse picks one line-break style from the first line, so mixed files would merge rows.
  const src = (text.charCodeAt(0) === 0xfeff ? text.slice(1) : text).replace(/\r\n?/g, '\n');
  if (src.trim() === '') {
    throw new DataError(`${fileName}: the file is empty. Give a CSV file with a header row and one row per example.`, {
      file: fileName,
    });
  }
  const delimiter = detectDelimiter(src);
  const records: string[][] = [];
  const ends: number[] = [];
  let quoteError: { row: number; message: string } | null = null;
  Papa.parse<string[]>(src, {
    delimiter,
    newline: '\n',
    skipEmptyLines: false,
    step: (res) => {
      if (quoteError === null) {
        const q = res.errors.find((e) => e.type === 'Quotes');
        if (q) quoteError = { row: records.length, message: q.message };
      }
      records.push(res.data);
      ends.push(res.meta.cursor);
    },
  });
  // Line where each record starts: one more than the newlines before it.
  const startLine: number[] = [];
  let line = 1;
  let prevEnd = 0;
  for (let r = 0; r < records.length; r++) {
    startLine.push(line);
    for (let k = prevEnd; k < ends[r]; k++) if (src.charCodeAt(k) === 10) line++;
    prevEnd = ends[r];
  }
  const qe = quoteError as { row: number; message: string } | null;
  if (qe !== null) {
    const at = startLine[qe.row] ?? 1;
    throw new DataError(
      `${locate({ file: fileName, row: at })}: malformed quotes (${qe.message.toLowerCase()}). ` +
        'Close every opened quote, double quotes inside quoted values ("") or remove the stray " character.',
      { file: fileName, row: at },
    );
  }
  const isBlank = (rec: string[]): boolean => rec.length === 1 && rec[0].trim() === '';
  let h = 0;
  while (h < records.length && isBlank(records[h])) h++;
  if (h === records.length) {
    throw new DataError(`${fileName}: the file has no header row. Give a CSV file with a header row and one row per example.`, {
      file: fileName,
    });
  }
  const headerLine = startLine[h];
  const header = records[h].map((name, j) => name.trim() || `column_${j + 1}`);
  const seen = new Map<string, number>();
  header.forEach((name, j) => {
    const prev = seen.get(name);
    if (prev !== undefined) {
      throw new DataError(
        `${locate({ file: fileName, row: headerLine, column: name })}: the header names column ${prev + 1} and column ${j + 1} ` +
          'the same. Give every column a unique name.',
        { file: fileName, row: headerLine, column: name },
      );
    }
    seen.set(name, j);
  });
  const rows: string[][] = [];
  const lines: number[] = [];
  for (let r = h + 1; r < records.length; r++) {
    const rec = records[r];
    if (isBlank(rec)) continue;
    if (rec.length !== header.length) {
      throw new DataError(
        `${locate({ file: fileName, row: startLine[r] })}: this row has ${rec.length} field${rec.length === 1 ? '' : 's'} but the header ` +
          `(line ${headerLine}) has ${header.length}, with delimiter ${JSON.stringify(delimiter)}. ` +
          'Make every row have one value per header column (quote values that contain the delimiter).',
        { file: fileName, row: startLine[r] },
      );
    }
    rows.push(rec.map((c) => c.trim()));
    lines.push(startLine[r]);
  }
  return { fileName, header, rows, lines, delimiter };
}

/** The delimiter that splits the header line (outside quotes) into the most fields; comma on ties. */
function detectDelimiter(src: string): string {
  const firstLine = src.split('\n').find((l) => l.trim() !== '') ?? '';
  const counts = new Map<string, number>();
  let inQuotes = false;
  for (const ch of firstLine) {
    if (ch === '"') inQuotes = !inQuotes;
    else if (!inQuotes && (DELIMITERS as readonly string[]).includes(ch)) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  }
  let best: string = ',';
  let bestCount = 0;
  for (const d of DELIMITERS) {
    const c = counts.get(d) ?? 0;
    if (c > bestCount) {
      best = d;
      bestCount = c;
    }
  }
  return best;
}

/** True when `v` (trimmed) is a plain decimal number such as `-1.5e3`. */
export function isNumericCell(v: string): boolean {
  return NUMBER.test(v);
}

/** The label column `label`, or the last column; lists the available names when unknown. */
export function resolveLabelColumn(table: CsvTable, label?: string, fileName = table.fileName): string {
  if (label === undefined) return table.header[table.header.length - 1];
  if (table.header.includes(label)) return label;
  const names = table.header.map((n) => JSON.stringify(n)).join(', ');
  const ci = table.header.find((n) => n.toLowerCase() === label.toLowerCase());
  const hint = ci !== undefined ? ` Did you mean ${JSON.stringify(ci)}? Names are case-sensitive.` : '';
  throw new DataError(
    `${fileName}: there is no label column ${JSON.stringify(label)}. The columns are: ${names}.${hint} ` +
      'Pass one of them as the label column.',
    { file: fileName, row: 1, column: label },
  );
}

/**
 * Turns a table into a {@link Dataset}: the label column's distinct values are the classes
 * (sorted numerically when all are numbers, else by code unit, so class order is the same in
 * every locale), every other column is a numeric feature. Features are NOT standardised here.
 */
export function tableToDataset(table: CsvTable, opts: TableToDatasetOptions = {}): CsvDataset {
  const file = opts.fileName ?? table.fileName;
  const labelColumn = resolveLabelColumn(table, opts.label, file);
  const labelIdx = table.header.indexOf(labelColumn);
  const like = opts.like;

  let featureNames: string[];
  let featureIdx: number[];
  if (like) {
    featureNames = like.featureNames.slice();
    const missing = featureNames.filter((f) => !table.header.includes(f));
    if (missing.length > 0) {
      const list = missing.slice(0, 10).map((m) => JSON.stringify(m)).join(', ');
      throw new DataError(
        `${file}: ${missing.length} feature column${missing.length === 1 ? '' : 's'} of the training data ` +
          `${missing.length === 1 ? 'is' : 'are'} missing: ${list}${missing.length > 10 ? ', ...' : ''}. ` +
          'The test file must have the same column names as the training file.',
        { file, row: 1, column: missing[0] },
      );
    }
    featureIdx = featureNames.map((f) => table.header.indexOf(f));
  } else {
    featureIdx = table.header.map((_, j) => j).filter((j) => j !== labelIdx);
    featureNames = featureIdx.map((j) => table.header[j]);
    if (featureIdx.length === 0) {
      throw new DataError(
        `${file}: there are no feature columns; the only column is the label ${JSON.stringify(labelColumn)}. ` +
          'Add at least one numeric feature column (and check the delimiter: comma, tab, semicolon or pipe).',
        { file, row: 1 },
      );
    }
  }

  const n = table.rows.length;
  const minRows = like ? 1 : 2;
  if (n === 0) {
    throw new DataError(`${file}: the file has a header but no data rows. Add at least ${minRows} data row${minRows === 1 ? '' : 's'}.`, {
      file,
      row: 2,
    });
  }
  if (n < minRows) {
    throw new DataError(`${file}: the file has only ${n} data row; training needs at least ${minRows}. Add more rows.`, { file });
  }

  const d = featureIdx.length;
  const decimalComma = table.delimiter === ';';
  const X = new Float64Array(n * d);
  const rawLabels: string[] = new Array<string>(n);
  for (let r = 0; r < n; r++) {
    const cells = table.rows[r];
    const line = table.lines[r];
    for (let k = 0; k < d; k++) {
      const v = cells[featureIdx[k]];
      X[r * d + k] = parseFeature(v, { file, row: line, column: featureNames[k] }, decimalComma);
    }
    const lv = cells[labelIdx];
    if (MISSING.has(lv.toLowerCase())) {
      throw new DataError(
        `${locate({ file, row: line, column: labelColumn })}: the label is missing (${quoteValue(lv)}). ` +
          'Give every row a label, or remove the row.',
        { file, row: line, column: labelColumn },
      );
    }
    rawLabels[r] = lv;
  }

  const allNumeric = like ? like.classNames.every(isNumericCell) && rawLabels.every(isNumericCell) : rawLabels.every(isNumericCell);
  // Numeric labels are compared by value, so "1" and "1.0" are one class.
  const key = (v: string): string => (allNumeric ? String(Number(v)) : v);
  let classNames: string[];
  if (like) {
    classNames = like.classNames.slice();
  } else {
    const distinct = [...new Set(rawLabels.map(key))];
    classNames = allNumeric ? distinct.sort((a, b) => Number(a) - Number(b)) : distinct.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    if (classNames.length < 2) {
      throw new DataError(
        `${locate({ file, column: labelColumn })}: every row has the same label ${quoteValue(classNames[0])}; ` +
          'classification needs at least 2 classes. Check the label column (pass the right one as the label) or add rows of another class.',
        { file, column: labelColumn },
      );
    }
  }
  const classIndex = new Map(classNames.map((c, i) => [key(c), i]));
  const labels = new Int32Array(n);
  for (let r = 0; r < n; r++) {
    const idx = classIndex.get(key(rawLabels[r]));
    if (idx === undefined) {
      const where = { file, row: table.lines[r], column: labelColumn };
      throw new DataError(
        `${locate(where)}: label ${quoteValue(rawLabels[r])} is not a class of the training data ` +
          `(${classNames.map((c) => JSON.stringify(c)).join(', ')}). Remove the row or fix the label.`,
        where,
      );
    }
    labels[r] = idx;
  }
  return { X, n, d, labels, classNames, featureNames, fileName: file, labelColumn };
}

/** Parses one feature cell or throws a message that names the cell and the fix. */
function parseFeature(v: string, where: { file: string; row: number; column: string }, decimalComma: boolean): number {
  const commaNumber = decimalComma && DECIMAL_COMMA.test(v);
  if (NUMBER.test(v) || commaNumber) {
    const x = Number(commaNumber ? v.replace(',', '.') : v);
    if (Number.isFinite(x)) return x;
    throw new DataError(
      `${locate(where)}: value ${quoteValue(v)} overflows to infinity. Rescale the column so its values fit a float64.`,
      where,
    );
  }
  if (NON_FINITE.test(v)) {
    throw new DataError(
      `${locate(where)}: value ${quoteValue(v)} is NaN or infinite. Replace it with a finite number or remove the row.`,
      where,
    );
  }
  if (MISSING.has(v.toLowerCase())) {
    throw new DataError(
      `${locate(where)}: the value is missing (${quoteValue(v)}). Fill it in (e.g. with the column mean) or remove the row.`,
      where,
    );
  }
  throw new DataError(
    `${locate(where)}: value ${quoteValue(v)} is not a number. Feature columns must be numeric: ` +
      'fix the value, drop the column, or pass this column as the label if it is the class.',
    where,
  );
}

/** Parses CSV text straight into a dataset (see {@link parseCsv} and {@link tableToDataset}). */
export function parseDataset(text: string, fileName: string, opts: Omit<TableToDatasetOptions, 'fileName'> = {}): CsvDataset {
  return tableToDataset(parseCsv(text, fileName), { ...opts, fileName });
}
