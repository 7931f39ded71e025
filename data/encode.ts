/**
 * Table → training data: picks the label and the task, chooses and encodes the feature columns
 * (numbers as they are, categories one-hot), handles missing values, splits train/test with a
 * seed (stratified), and standardises. Everything that is fitted (imputation values, one-hot
 * levels, means and stds) is fitted on the training rows only and kept in an {@link Encoder},
 * so test rows, or a second file, are encoded the same way without leaking test information.
 */
import type { Dataset } from '../solver/types';
import { classBalance, type ClassBalance } from './balance';
import { CELL } from './cells';
import { categoryOf, defaultLabelColumn, profileColumns, resolveColumn, type ColumnProfile, type ProfileOptions } from './columns';
import { DataError, locate, quoteValue, type Notice } from './errors';
import { formatCount, percent, plural, quoteList } from './format';
import { applyStandardization, fitStandardization, standardizationReport, type Standardization, type StandardizationReport } from './preprocess';
import { fitTargetScale, type TargetScale } from './regression';
import { stratifiedSplit } from './split';
import type { ColumnTable, RawColumn } from './table';
import { quantileBins, type TabularDataset, type TaskKind } from './tabular';

/** Choices the user can make about the encoding; every field has a sensible default. */
export interface EncodeOptions {
  /** Label column name (default: the last column). */
  label?: string;
  /** 'auto' (default): text or few distinct numbers → classification, many numbers → regression. */
  task?: 'auto' | TaskKind;
  /** Feature columns; default: every other column except constant, mostly-missing and too-many-category ones. */
  features?: string[];
  /** Rows with a missing feature: 'drop' them (default) or 'impute' (mean / most frequent category). */
  missing?: 'drop' | 'impute';
  /** NaN/Inf and stray text in numeric columns: 'error' (default, names the cell) or treat as 'missing'. */
  badValues?: 'error' | 'missing';
  /** Most categories a categorical feature may have to be one-hot encoded (default 50). */
  maxCategories?: number;
  /** Most classes of a classification label (default 100: each class is one more one-vs-all problem). */
  maxClasses?: number;
  /** Under task 'auto', a numeric label with more distinct values than this is regression (default 20). */
  maxAutoClasses?: number;
  /** Fraction of rows held out for testing (default 0.2; 0 = no test part). */
  testFraction?: number;
  /** Seed of the split (default 0). */
  seed?: number;
  /** Thresholds of the column typing. */
  profile?: ProfileOptions;
}

/** How one feature column becomes columns of X. */
export type FeatureEncoding =
  | { kind: 'numeric'; column: string; fill: number }
  | { kind: 'one-hot'; column: string; levels: string[]; fill: string };

/** Everything fitted on the training rows, enough to encode any table with the same columns. */
export interface Encoder {
  task: TaskKind;
  labelColumn: string;
  /** Classification: class names in label order. Empty for regression. */
  classNames: string[];
  features: FeatureEncoding[];
  /** Names of the columns of X (`col` for numbers, `col=level` for one-hot). */
  featureNames: string[];
  missing: 'drop' | 'impute';
  badValues: 'error' | 'missing';
  standardization: Standardization;
  /** Regression: scale of the training target (see regression.ts). */
  targetScale: TargetScale | null;
}

/** How a column is used, for the column cards. */
export interface ColumnUse extends ColumnProfile {
  use: 'label' | 'feature' | 'excluded';
  /** Why a column was left out (null when used). */
  reason: string | null;
}

/** What encoding did, in numbers the UI shows next to the preview. */
export interface EncodeReport {
  fileName: string;
  task: TaskKind;
  labelColumn: string;
  columns: ColumnUse[];
  rows: {
    inTable: number;
    droppedMissingLabel: number;
    droppedMissingFeature: number;
    used: number;
    train: number;
    test: number;
  };
  /** Cells filled in per column (train and test), with the value used. */
  imputed: { column: string; count: number; value: string }[];
  classBalance: ClassBalance | null;
  split: { testFraction: number; seed: number; stratified: 'class' | 'target quantile' | 'none' };
  standardization: StandardizationReport;
  targetScale: TargetScale | null;
}

/** The result of {@link encodeTable}. */
export interface EncodeResult {
  train: TabularDataset;
  test: TabularDataset | null;
  encoder: Encoder;
  report: EncodeReport;
  notices: Notice[];
}

const DEFAULTS = {
  missing: 'drop',
  badValues: 'error',
  maxCategories: 50,
  maxClasses: 100,
  maxAutoClasses: 20,
  testFraction: 0.2,
  seed: 0,
} as const;

/** Encodes `table` for training (see the file comment); throws a located DataError on bad input. */
export function encodeTable(table: ColumnTable, opts: EncodeOptions = {}): EncodeResult {
  const file = table.fileName;
  const notices: Notice[] = [];
  const missing = opts.missing ?? DEFAULTS.missing;
  const badValues = opts.badValues ?? DEFAULTS.badValues;
  const maxCategories = opts.maxCategories ?? DEFAULTS.maxCategories;
  const testFraction = opts.testFraction ?? DEFAULTS.testFraction;
  const seed = opts.seed ?? DEFAULTS.seed;
  if (!(testFraction >= 0 && testFraction < 1)) throw new RangeError(`test fraction must be in [0, 1), got ${testFraction}`);
  if (table.n === 0) {
    throw new DataError(`${file}: the file has a header but no data rows. Add rows below the header (one row per example).`, { file, row: 2 });
  }
  if (table.n === 1) {
    // One row makes every column constant; say so rather than "no usable feature columns".
    throw new DataError(`${file}: the file has only 1 data row; training needs at least 2. Add rows below the header (one row per example).`, { file, row: 2 });
  }

  const profiles = profileColumns(table, opts.profile);
  const labelColumn = resolveColumn(table, opts.label ?? defaultLabelColumn(table), 'label');
  const labelIdx = table.header.indexOf(labelColumn);
  const labelCol = table.columns[labelIdx];
  const task = chooseTask(table, profiles[labelIdx], opts, notices);

  // Columns: label, features, excluded (with the reason shown on the column card).
  const uses: ColumnUse[] = profiles.map((p) => ({ ...p, use: 'excluded', reason: null }));
  uses[labelIdx].use = 'label';
  const explicit = opts.features?.map((name) => resolveColumn(table, name, 'feature'));
  for (const u of uses) {
    if (u.use === 'label') continue;
    if (explicit) {
      if (explicit.includes(u.name)) u.use = 'feature';
      else u.reason = 'not selected';
      continue;
    }
    const why = exclusionReason(u, maxCategories);
    if (why === null) u.use = 'feature';
    else u.reason = why;
  }
  if (explicit?.includes(labelColumn)) {
    throw new DataError(
      `${locate({ file, column: labelColumn })}: the label column cannot also be a feature. Remove it from the feature columns or pick another label.`,
      { file, column: labelColumn },
    );
  }
  const featureUses = uses.filter((u) => u.use === 'feature');
  for (const u of uses) {
    if (u.use === 'excluded' && u.reason !== null && u.reason !== 'not selected') {
      notices.push({ level: u.type === 'constant' ? 'info' : 'warning', file, column: u.name, message: `${locate({ file, column: u.name })}: left out, ${u.reason}.` });
    }
  }
  if (featureUses.length === 0) {
    const left = uses.filter((u) => u.use === 'excluded').map((u) => `"${u.name}" (${u.reason})`);
    throw new DataError(
      `${file}: no usable feature columns besides the label "${labelColumn}"` +
        (left.length > 0 ? `; left out: ${left.slice(0, 5).join('; ')}${left.length > 5 ? '; ...' : ''}` : '') +
        '. Add numeric or categorical feature columns, choose the feature columns yourself, or check the delimiter.',
      { file, column: labelColumn },
    );
  }
  for (const u of featureUses) {
    if (u.type === 'categorical' && (u.distinctText + (u.numbers > 0 ? 1 : 0) > maxCategories || u.textOverflow)) {
      throw new DataError(
        `${locate({ file, column: u.name })}: this categorical column has ${u.textOverflow ? 'more than ' : ''}${formatCount(u.distinctText)} distinct values, ` +
          `more than the ${maxCategories} that one-hot encoding allows. Leave the column out, or merge rare values into "other".`,
        { file, column: u.name },
      );
    }
    if (u.type === 'categorical') continue;
    if (badValues === 'error') checkBadValues(table, u);
    else if (u.nonFinite + u.text > 0) {
      const first = [u.firstNonFinite, u.firstText].filter((c) => c !== null).sort((a, b) => (a?.row ?? 0) - (b?.row ?? 0))[0];
      notices.push({
        level: 'warning',
        file,
        column: u.name,
        row: first?.row,
        message:
          `${locate({ file, column: u.name })}: ${plural(u.nonFinite + u.text, 'value')} that ${u.nonFinite + u.text === 1 ? 'is' : 'are'} not a finite number ` +
          `(first ${quoteValue(first?.value ?? '')} at line ${first?.row ?? '?'}) ${u.nonFinite + u.text === 1 ? 'is' : 'are'} treated as missing.`,
      });
    }
  }

  // Rows: a row needs a label; with missing = 'drop' it also needs every feature.
  const featureCols = featureUses.map((u) => table.columns[u.index]);
  const numericFeature = featureUses.map((u) => u.type !== 'categorical');
  const keep = new Uint8Array(table.n);
  let droppedMissingLabel = 0;
  let droppedMissingFeature = 0;
  const missingPerColumn = new Array<number>(featureCols.length).fill(0);
  for (let r = 0; r < table.n; r++) {
    if (!labelPresent(table, labelCol, r, task, badValues)) {
      droppedMissingLabel++;
      continue;
    }
    let complete = true;
    for (let k = 0; k < featureCols.length; k++) {
      if (!cellPresent(featureCols[k], r, numericFeature[k])) {
        missingPerColumn[k]++;
        complete = false;
      }
    }
    if (!complete && missing === 'drop') {
      droppedMissingFeature++;
      continue;
    }
    keep[r] = 1;
  }
  const rows: number[] = [];
  for (let r = 0; r < table.n; r++) if (keep[r]) rows.push(r);
  if (droppedMissingLabel > 0) {
    notices.push({
      level: 'warning',
      file,
      column: labelColumn,
      message: `${locate({ file, column: labelColumn })}: ${plural(droppedMissingLabel, 'row')} without a label ${droppedMissingLabel === 1 ? 'was' : 'were'} dropped.`,
    });
  }
  if (droppedMissingFeature > 0) {
    const worst = featureCols.map((c, k) => ({ name: c.name, count: missingPerColumn[k] })).filter((c) => c.count > 0).sort((a, b) => b.count - a.count);
    notices.push({
      level: 'warning',
      file,
      message:
        `${file}: ${plural(droppedMissingFeature, 'row')} with missing values ${droppedMissingFeature === 1 ? 'was' : 'were'} dropped ` +
        `(${worst.slice(0, 3).map((c) => `"${c.name}": ${formatCount(c.count)}`).join(', ')}). Choose "impute" to fill them in instead.`,
    });
  }
  if (rows.length === 0) {
    throw new DataError(
      droppedMissingLabel === table.n
        ? `${locate({ file, column: labelColumn })}: no row has a label. Pick the column that holds the classes or target values.`
        : `${file}: every row has a missing value in a feature column, so none is left. Choose "impute" to fill missing values, or leave out the columns with gaps.`,
      { file, column: droppedMissingLabel === table.n ? labelColumn : undefined },
    );
  }

  // Labels or target of the kept rows.
  const m = rows.length;
  let classNames: string[] = [];
  const labels = new Int32Array(m);
  const target = new Float64Array(m);
  if (task === 'classification') {
    classNames = collectClasses(table, labelCol, rows, opts.maxClasses ?? DEFAULTS.maxClasses);
    const index = new Map(classNames.map((c, i) => [c, i]));
    for (let i = 0; i < m; i++) labels[i] = index.get(categoryOf(labelCol, rows[i]) ?? '') ?? 0;
  } else {
    for (let i = 0; i < m; i++) target[i] = labelCol.values[rows[i]];
  }
  if (m < 2) {
    throw new DataError(`${file}: only ${plural(m, 'usable row')} left; training needs at least 2. Add rows or fill in missing values.`, { file });
  }

  // Split on the strata (classes, or target quantiles), then fit everything on train only.
  const strata = task === 'classification' ? { labels, count: classNames.length } : quantileBins(target);
  let trainPos: Int32Array = Int32Array.from({ length: m }, (_, i) => i);
  let testPos: Int32Array = new Int32Array(0);
  if (testFraction > 0) {
    const byStrata: Dataset = { X: new Float64Array(0), n: m, d: 0, labels: strata.labels, classNames: new Array<string>(strata.count).fill(''), featureNames: [] };
    const split = stratifiedSplit(byStrata, testFraction, seed);
    trainPos = split.trainIndex;
    testPos = split.testIndex;
    if (testPos.length === 0) {
      notices.push({ level: 'warning', file, message: `${file}: too few rows for a test part (${plural(m, 'row')}); training on all of them, no test accuracy.` });
    }
  }
  const trainRows = Array.from(trainPos, (i) => rows[i]);
  const testRows = Array.from(testPos, (i) => rows[i]);
  const features = fitFeatures(table, featureUses, trainRows, numericFeature);
  const featureNames = features.flatMap(encodedNames);
  const imputedCounts = new Array<number>(features.length).fill(0);
  const unseen = new Array<number>(features.length).fill(0);
  const Xtrain = encodeRows(table, features, trainRows, imputedCounts, unseen);
  const Xtest = encodeRows(table, features, testRows, imputedCounts, unseen);
  const d = featureNames.length;
  const standardization = fitStandardization({ X: Xtrain, n: trainRows.length, d });
  const targetScale = task === 'regression' ? fitTargetScale(Array.from(trainPos, (i) => target[i])) : null;
  const encoder: Encoder = { task, labelColumn, classNames, features, featureNames, missing, badValues, standardization, targetScale };

  const imputed = features
    .map((f, k) => ({ column: f.column, count: imputedCounts[k], value: f.kind === 'numeric' ? String(f.fill) : f.fill }))
    .filter((x) => x.count > 0);
  for (const x of imputed) {
    notices.push({ level: 'info', file, column: x.column, message: `${locate({ file, column: x.column })}: ${plural(x.count, 'missing value')} filled in with ${quoteValue(x.value)}.` });
  }
  features.forEach((f, k) => {
    if (unseen[k] > 0) {
      notices.push({
        level: 'info',
        file,
        column: f.column,
        message: `${locate({ file, column: f.column })}: ${plural(unseen[k], 'test row')} ha${unseen[k] === 1 ? 's' : 've'} a category not seen in training; encoded as all zeros.`,
      });
    }
  });

  const make = (X: Float64Array, pos: Int32Array): TabularDataset => {
    const n = pos.length;
    const Xs = applyStandardization({ X, n, d }, standardization).X;
    if (task === 'classification') {
      return { task, X: Xs, n, d, labels: Int32Array.from(pos, (i) => labels[i]), classNames: classNames.slice(), featureNames: featureNames.slice(), fileName: file, labelColumn };
    }
    return { task, X: Xs, n, d, target: Float64Array.from(pos, (i) => target[i]), featureNames: featureNames.slice(), fileName: file, labelColumn };
  };
  const train = make(Xtrain, trainPos);
  const test = testPos.length > 0 ? make(Xtest, testPos) : null;

  let balance: ClassBalance | null = null;
  if (train.task === 'classification') {
    const b = classBalance(classNames, train.labels, test && test.task === 'classification' ? test.labels : null, file, labelColumn);
    balance = b.balance;
    notices.push(...b.notices);
  }
  const report: EncodeReport = {
    fileName: file,
    task,
    labelColumn,
    columns: uses,
    rows: { inTable: table.n, droppedMissingLabel, droppedMissingFeature, used: m, train: train.n, test: test?.n ?? 0 },
    imputed,
    classBalance: balance,
    split: { testFraction, seed, stratified: testFraction === 0 ? 'none' : task === 'classification' ? 'class' : 'target quantile' },
    standardization: standardizationReport(standardization, featureNames),
    targetScale,
  };
  return { train, test, encoder, report, notices };
}

/**
 * Encodes another table with a fitted encoder (a separate test file): same columns by name,
 * same imputation values, levels, standardisation and classes. Rows without a label, or with
 * a missing feature under 'drop', are skipped.
 */
export function applyEncoder(encoder: Encoder, table: ColumnTable): TabularDataset {
  const file = table.fileName;
  const labelIdx = table.header.indexOf(resolveColumn(table, encoder.labelColumn, 'label'));
  const labelCol = table.columns[labelIdx];
  const cols = encoder.features.map((f) => table.columns[table.header.indexOf(resolveColumn(table, f.column, 'feature'))]);
  const rows: number[] = [];
  for (let r = 0; r < table.n; r++) {
    if (!labelPresent(table, labelCol, r, encoder.task, 'missing')) continue;
    if (encoder.missing === 'drop' && encoder.features.some((f, k) => !cellPresent(cols[k], r, f.kind === 'numeric'))) continue;
    rows.push(r);
  }
  const remapped: ColumnTable = { ...table, columns: cols, header: cols.map((c) => c.name) };
  const X = encodeRows(remapped, encoder.features, rows, new Array<number>(cols.length).fill(0), new Array<number>(cols.length).fill(0));
  const n = rows.length;
  const d = encoder.featureNames.length;
  const Xs = applyStandardization({ X, n, d }, encoder.standardization).X;
  if (encoder.task === 'regression') {
    return { task: 'regression', X: Xs, n, d, target: Float64Array.from(rows, (r) => labelCol.values[r]), featureNames: encoder.featureNames.slice(), fileName: file, labelColumn: encoder.labelColumn };
  }
  const index = new Map(encoder.classNames.map((c, i) => [c, i]));
  const labels = new Int32Array(n);
  rows.forEach((r, i) => {
    const c = categoryOf(labelCol, r) ?? '';
    const k = index.get(c);
    if (k === undefined) {
      const where = { file, row: table.lines[r], column: encoder.labelColumn };
      throw new DataError(`${locate(where)}: label ${quoteValue(c)} is not a class of the training data (${quoteList(encoder.classNames)}). Remove the row or fix the label.`, where);
    }
    labels[i] = k;
  });
  return { task: 'classification', X: Xs, n, d, labels, classNames: encoder.classNames.slice(), featureNames: encoder.featureNames.slice(), fileName: file, labelColumn: encoder.labelColumn };
}

/** Why a column is left out by default, or null to use it. */
function exclusionReason(p: ColumnProfile, maxCategories: number): string | null {
  if (p.type === 'constant') return 'every row has the same value';
  if (p.type === 'mostly-missing') return `${percent(p.missing / Math.max(1, p.numbers + p.missing + p.nonFinite + p.text))} of its values are missing`;
  if (p.type === 'categorical') {
    const distinct = p.distinctText + (p.numbers > 0 ? 1 : 0);
    // Every value different (names, IDs, free text): one-hot columns of single rows teach nothing.
    if (!p.textOverflow && p.numbers === 0 && p.text >= 20 && p.distinctText === p.text) {
      return `every one of its ${formatCount(p.text)} values is different (an ID or free text?)`;
    }
    if (p.textOverflow || distinct > maxCategories) {
      return `${p.textOverflow ? 'more than ' : ''}${formatCount(p.distinctText)} distinct text values, above the one-hot cap of ${maxCategories}`;
    }
  }
  return null;
}

/** Classification or regression for the label column (see {@link EncodeOptions.task}). */
function chooseTask(table: ColumnTable, label: ColumnProfile, opts: EncodeOptions, notices: Notice[]): TaskKind {
  const file = table.fileName;
  if (label.numbers + label.text === 0) {
    throw new DataError(`${locate({ file, column: label.name })}: the label column has no values. Pick the column that holds the classes or target values.`, {
      file,
      column: label.name,
    });
  }
  const asked = opts.task ?? 'auto';
  if (asked !== 'auto') return asked;
  if (label.text > 0) return 'classification';
  const limit = opts.maxAutoClasses ?? DEFAULTS.maxAutoClasses;
  const distinct = distinctNumbers(table.columns[label.index], table.n, limit + 1);
  if (distinct <= limit) return 'classification';
  notices.push({
    level: 'info',
    file,
    column: label.name,
    message:
      `${locate({ file, column: label.name })}: the label has more than ${limit} distinct numbers, so it is trained as regression ` +
      '(MSE and R² are reported). Choose classification to treat each value as a class.',
  });
  return 'regression';
}

/** Distinct numeric values of a column, counting stops at `cap`. */
function distinctNumbers(col: RawColumn, n: number, cap: number): number {
  const seen = new Set<number>();
  for (let r = 0; r < n && seen.size < cap; r++) if (col.kinds[r] === CELL.number) seen.add(col.values[r]);
  return seen.size;
}

/** Throws at the first NaN/Inf or stray text cell of a numeric feature column. */
function checkBadValues(table: ColumnTable, p: ColumnProfile): void {
  const file = table.fileName;
  const extra = (count: number, what: string): string => (count > 1 ? ` (${plural(count - 1, `more ${what}`, `more ${what}s`)} in this column)` : '');
  if (p.firstNonFinite) {
    const where = { file, row: p.firstNonFinite.row, column: p.name };
    throw new DataError(
      `${locate(where)}: value ${quoteValue(p.firstNonFinite.value)} is NaN or infinite${extra(p.nonFinite, 'such cell')}. ` +
        'Replace it with a finite number, leave the cell empty to mark it missing, or choose "treat bad values as missing".',
      where,
    );
  }
  if (p.firstText) {
    const where = { file, row: p.firstText.row, column: p.name };
    throw new DataError(
      `${locate(where)}: value ${quoteValue(p.firstText.value)} is not a number, but the column is otherwise numeric ` +
        `(${percent(p.numbers / (p.numbers + p.text))} numbers)${extra(p.text, 'text cell')}. ` +
        'Fix the value, leave the cell empty to mark it missing, or choose "treat bad values as missing".',
      where,
    );
  }
}

/** Does row r have a usable label? Throws on NaN/Inf or (regression) text under badValues 'error'. */
function labelPresent(table: ColumnTable, col: RawColumn, r: number, task: TaskKind, badValues: 'error' | 'missing'): boolean {
  const k = col.kinds[r];
  if (k === CELL.missing) return false;
  if (k === CELL.number) return true;
  const textLike = k >= 0 || k === CELL.textOverflow;
  if (task === 'classification' && textLike) return true;
  if (badValues === 'missing') return false;
  const file = table.fileName;
  const where = { file, row: table.lines[r], column: col.name };
  if (k === CELL.nonFinite) {
    throw new DataError(`${locate(where)}: the label is NaN or infinite. Fix it, leave it empty (the row is then dropped), or choose "treat bad values as missing".`, where);
  }
  throw new DataError(
    `${locate(where)}: label ${quoteValue(k >= 0 ? col.levels[k] : '(text)')} is not a number, but a regression target must be numeric. ` +
      'Fix the value, or train the column as classification.',
    where,
  );
}

/** Is the feature cell usable (a number for numeric features, a category otherwise)? */
function cellPresent(col: RawColumn, r: number, numeric: boolean): boolean {
  const k = col.kinds[r];
  return numeric ? k === CELL.number : k >= 0 || k === CELL.number;
}

/** The sorted classes of the kept rows, or a DataError for one class or too many. */
function collectClasses(table: ColumnTable, col: RawColumn, rows: number[], maxClasses: number): string[] {
  const file = table.fileName;
  const seen = new Set<string>();
  for (const r of rows) {
    const c = categoryOf(col, r);
    if (c !== null) seen.add(c);
    else if (col.kinds[r] === CELL.textOverflow) {
      seen.add(`\u0000overflow`);
      break;
    }
  }
  const overflow = seen.delete('\u0000overflow');
  if (overflow || seen.size > maxClasses) {
    throw new DataError(
      `${locate({ file, column: col.name })}: the label column has ${overflow ? 'more than ' : ''}${formatCount(seen.size)} distinct values ` +
        `(${quoteList([...seen])}); the playground trains at most ${maxClasses} classes, one one-vs-all problem each. ` +
        'Pick another label column, merge rare classes into one, or, if the label is a number, train it as regression.',
      { file, column: col.name },
    );
  }
  const names = [...seen];
  if (names.length < 2) {
    throw new DataError(
      `${locate({ file, column: col.name })}: every row has the same label ${quoteValue(names[0] ?? '')}; classification needs at least 2 classes. ` +
        'Pick the column that holds the classes, or add rows of another class.',
      { file, column: col.name },
    );
  }
  // Classes sort numerically when all are numbers, else by code unit: the same order in every locale.
  const numeric = names.every((c) => !Number.isNaN(Number(c)) && c.trim() !== '');
  return numeric ? names.sort((a, b) => Number(a) - Number(b)) : names.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/** Imputation values and one-hot levels from the training rows. */
function fitFeatures(table: ColumnTable, uses: ColumnUse[], trainRows: number[], numeric: boolean[]): FeatureEncoding[] {
  return uses.map((u, k) => {
    const col = table.columns[u.index];
    if (numeric[k]) {
      let sum = 0;
      let count = 0;
      for (const r of trainRows) {
        if (col.kinds[r] === CELL.number) {
          sum += col.values[r];
          count++;
        }
      }
      return { kind: 'numeric', column: u.name, fill: count > 0 ? sum / count : 0 };
    }
    const counts = new Map<string, number>();
    for (const r of trainRows) {
      const c = categoryOf(col, r);
      if (c !== null) counts.set(c, (counts.get(c) ?? 0) + 1);
    }
    const levels = [...counts.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    let fill = levels[0] ?? '';
    for (const l of levels) if ((counts.get(l) ?? 0) > (counts.get(fill) ?? 0)) fill = l;
    return { kind: 'one-hot', column: u.name, levels, fill };
  });
}

/** Column names of X for one feature. */
function encodedNames(f: FeatureEncoding): string[] {
  return f.kind === 'numeric' ? [f.column] : f.levels.map((l) => `${f.column}=${l}`);
}

/** Unstandardised X of `rows`; counts filled-in cells and unseen categories per feature. */
function encodeRows(table: ColumnTable, features: FeatureEncoding[], rows: number[], imputed: number[], unseen: number[]): Float64Array {
  const widths = features.map((f) => (f.kind === 'numeric' ? 1 : f.levels.length));
  const d = widths.reduce((a, b) => a + b, 0);
  const X = new Float64Array(rows.length * d);
  const cols = features.map((f) => table.columns[table.header.indexOf(f.column)]);
  const levelIndex = features.map((f) => (f.kind === 'one-hot' ? new Map(f.levels.map((l, i) => [l, i])) : null));
  rows.forEach((r, i) => {
    let off = i * d;
    features.forEach((f, k) => {
      const col = cols[k];
      if (f.kind === 'numeric') {
        if (col.kinds[r] === CELL.number) X[off] = col.values[r];
        else {
          X[off] = f.fill;
          imputed[k]++;
        }
      } else {
        let c = categoryOf(col, r);
        if (c === null) {
          c = f.fill;
          imputed[k]++;
        }
        const j = levelIndex[k]?.get(c);
        if (j !== undefined) X[off + j] = 1;
        else unseen[k]++;
      }
      off += widths[k];
    });
  });
  return X;
}
