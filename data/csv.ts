/**
 * CSV → {@link Dataset}, the strict reading of the CLI, the built-in datasets and share-link CSVs:
 * the file is read by the project's one reader (csv-reader.ts, the same as the page's "Your
 * data" panel), then every feature cell must be a finite number and every row needs a label.
 * Every rejection is a {@link DataError} that says where the file is wrong and what to do.
 * Pure string processing, so it runs unchanged in Node, a page and a Web Worker.
 */
import type { Dataset } from '../solver/types';
import { CELL, DECIMAL_COMMA, NUMBER } from './cells';
import { categoryOf, defaultLabelColumn, resolveColumn } from './columns';
import { readCsvText, type CsvReaderOptions } from './csv-reader';
import { DataError, locate, quoteValue } from './errors';
import type { ColumnTable, RawColumn } from './table';

export { DataError } from './errors';

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

/**
 * Reads CSV text into a table (see csv-reader.ts for the dialect, header and quoting rules).
 * Strict where the page is lenient: ragged rows and repeated header names are errors, and no
 * row cap applies. Rejects empty files; a header without rows is left to {@link tableToDataset}.
 */
export function parseCsv(text: string, fileName: string): ColumnTable {
  return readCsvText(text, fileName, STRICT_READ).table;
}

/** The reader options of the strict reading ({@link parseCsv}; the CLI's streamed reading of large files uses them too). */
export const STRICT_READ: Readonly<CsvReaderOptions> = Object.freeze({
  raggedRows: 'error',
  duplicateNames: 'error',
  // Every distinct label string is kept: the strict reading has no category cap.
  maxLevels: Infinity,
  previewRows: 0,
});

/** True when `v` (trimmed) is a plain decimal number such as `-1.5e3`. */
function isNumericCell(v: string): boolean {
  return NUMBER.test(v);
}

/** The label column `label`, or the last column; lists the available names when unknown. */
export function resolveLabelColumn(table: Pick<ColumnTable, 'header' | 'fileName'>, label?: string, fileName = table.fileName): string {
  if (label === undefined) return defaultLabelColumn(table);
  return resolveColumn({ header: table.header, fileName }, label, 'label', 'Pass one of them as the label column.');
}

/**
 * Turns a table into a {@link Dataset}: the label column's distinct values are the classes
 * (sorted numerically when all are numbers, else by code unit, so class order is the same in
 * every locale), every other column is a numeric feature. Features are NOT standardised here.
 */
export function tableToDataset(table: ColumnTable, opts: TableToDatasetOptions = {}): CsvDataset {
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

  const n = table.n;
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
  const cols = featureIdx.map((j) => table.columns[j]);
  const labelCol = table.columns[labelIdx];
  const X = new Float64Array(n * d);
  // Row by row, features before the label, so the first bad cell of the file is the one named.
  for (let r = 0; r < n; r++) {
    const line = table.lines[r];
    for (let k = 0; k < d; k++) {
      const col = cols[k];
      if (col.kinds[r] !== CELL.number) rejectFeature(col, r, { file, row: line, column: featureNames[k] }, table.decimalComma);
      X[r * d + k] = col.values[r];
    }
    const kind = labelCol.kinds[r];
    if (kind === CELL.missing || kind === CELL.nonFinite) rejectLabel(labelCol, kind, { file, row: line, column: labelColumn });
  }

  // Numeric labels are compared by value, so "1" and "1.0" are one class (named "1"); a
  // decimal comma in a semicolon file is a number here as in a feature.
  const allNumeric = (like ? like.classNames.every(isNumericCell) : true) && everyNumber(labelCol, n);
  const key = (v: string): string => (allNumeric ? String(Number(v)) : v);
  const cell = (r: number): string => categoryOf(labelCol, r) ?? '';
  let classNames: string[];
  if (like) {
    classNames = like.classNames.slice();
  } else {
    const distinct = new Set<string>();
    for (let r = 0; r < n; r++) distinct.add(cell(r));
    const names = [...distinct];
    classNames = allNumeric ? names.sort((a, b) => Number(a) - Number(b)) : names.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
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
    const idx = classIndex.get(key(cell(r)));
    if (idx === undefined) {
      const where = { file, row: table.lines[r], column: labelColumn };
      throw new DataError(
        `${locate(where)}: label ${quoteValue(cell(r))} is not a class of the training data ` +
          `(${classNames.map((c) => JSON.stringify(c)).join(', ')}). Remove the row or fix the label.`,
        where,
      );
    }
    labels[r] = idx;
  }
  return { X, n, d, labels, classNames, featureNames, fileName: file, labelColumn };
}

/** True when the first `n` cells of `col` are all numbers. */
function everyNumber(col: RawColumn, n: number): boolean {
  for (let r = 0; r < n; r++) if (col.kinds[r] !== CELL.number) return false;
  return true;
}

/**
 * Throws the message for a feature cell that is not a finite number. Rows are checked in file
 * order and every bad cell throws, so this is the column's first non-number: its raw text is the
 * column's first missing / non-finite hint, or its text level.
 */
function rejectFeature(col: RawColumn, r: number, where: { file: string; row: number; column: string }, decimalComma: boolean): never {
  const kind = col.kinds[r];
  if (kind === CELL.nonFinite) {
    const v = col.firstNonFinite?.value ?? 'NaN';
    if (NUMBER.test(v) || (decimalComma && DECIMAL_COMMA.test(v))) {
      throw new DataError(`${locate(where)}: value ${quoteValue(v)} overflows to infinity. Rescale the column so its values fit a float64.`, where);
    }
    throw new DataError(`${locate(where)}: value ${quoteValue(v)} is NaN or infinite. Replace it with a finite number or remove the row.`, where);
  }
  if (kind === CELL.missing) {
    const v = col.firstMissing?.value ?? '';
    throw new DataError(`${locate(where)}: the value is missing (${quoteValue(v)}). Fill it in (e.g. with the column mean) or remove the row.`, where);
  }
  const v = kind >= 0 ? col.levels[kind] : '(text)';
  throw new DataError(
    `${locate(where)}: value ${quoteValue(v)} is not a number. Feature columns must be numeric: ` +
      'fix the value, drop the column, or pass this column as the label if it is the class.',
    where,
  );
}

/** Throws for a missing or NaN/Inf label (the first such cell of the column, see {@link rejectFeature}). */
function rejectLabel(col: RawColumn, kind: number, where: { file: string; row: number; column: string }): never {
  if (kind === CELL.missing) {
    throw new DataError(
      `${locate(where)}: the label is missing (${quoteValue(col.firstMissing?.value ?? '')}). Give every row a label, or remove the row.`,
      where,
    );
  }
  throw new DataError(
    `${locate(where)}: the label ${quoteValue(col.firstNonFinite?.value ?? 'NaN')} is NaN or infinite. Give every row a finite number or a class name as its label.`,
    where,
  );
}

/** Parses CSV text straight into a dataset (see {@link parseCsv} and {@link tableToDataset}). */
export function parseDataset(text: string, fileName: string, opts: Omit<TableToDatasetOptions, 'fileName'> = {}): CsvDataset {
  return tableToDataset(parseCsv(text, fileName), { ...opts, fileName });
}
