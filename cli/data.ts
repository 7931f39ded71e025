/**
 * The data of `cronos train`, for every method: the CSV files read by the page's reader (large
 * files in chunks, cli/read-csv.ts), the label column, the optional seeded stratified split, and
 * the z-scoring with the training statistics. Every failure is a DataError naming the file, line or column.
 */
import { resolveLabelColumn, tableToDataset, type CsvDataset } from '../data/csv';
import { DataError } from '../data/errors';
import { standardizationReport, standardize, stratifiedSplit } from '../data/preprocess';
import type { Dataset } from '../solver/types';
import type { TrainArgs } from './args';
import { readCsvTable } from './read-csv';

/** The standardised training and test rows of a run, and how they were made (result.json's `data`). */
export interface LoadedData {
  trainData: Dataset;
  testData: Dataset | undefined;
  std: ReturnType<typeof standardizationReport>;
  labelColumn: string;
  /** The test file, the split that made the test rows, or null. */
  testSource: string | null;
}

/** Reads, splits (with `seed`) and standardises the data of `args`, logging one line about it. */
export function loadTrainingData(args: Pick<TrainArgs, 'data' | 'test' | 'label' | 'split'>, seed: number, log: (s: string) => void): LoadedData {
  const trainTable = readCsvTable(args.data, log);
  const labelColumn = resolveLabelColumn(trainTable, args.label);
  let trainRaw: CsvDataset = tableToDataset(trainTable, { label: labelColumn });
  let testRaw: CsvDataset | undefined;
  let testSource: string | null = null;
  if (args.test !== undefined) {
    testRaw = tableToDataset(readCsvTable(args.test, log), { label: labelColumn, like: trainRaw });
    testSource = args.test;
  } else if (args.split !== undefined) {
    const parts = stratifiedSplit(trainRaw, args.split, seed);
    if (parts.train.n < 2 || parts.test.n < 1) {
      throw new DataError(`${args.data}: a ${args.split} split of ${trainRaw.n} rows leaves too few rows on one side. Use more rows or another --split.`, {
        file: args.data,
      });
    }
    trainRaw = parts.train;
    testRaw = parts.test;
    testSource = `${args.data} (stratified split ${args.split}, seed ${seed})`;
  }
  const { train: trainData, test: testData, stats } = standardize(trainRaw, testRaw);
  const std = standardizationReport(stats, trainData.featureNames);
  log(
    `data: ${args.data}: n=${trainData.n} d=${trainData.d} classes=${trainData.classNames.length} [${shortList(trainData.classNames)}] label="${labelColumn}"` +
      (testData ? `; test: ${testData.n} rows` : '; no test set') +
      (std.constantColumns.length > 0 ? `; ${std.constantColumns.length} constant column(s) set to 0` : ''),
  );

  return { trainData, testData, std, labelColumn, testSource };
}

/** At most this many class names are printed in the data line (1,000 classes would fill the terminal). */
export const MAX_LISTED_CLASSES = 12;

/** `names` joined with ', ', cut after {@link MAX_LISTED_CLASSES} with a count of the rest. */
export function shortList(names: readonly string[], max = MAX_LISTED_CLASSES): string {
  if (names.length <= max) return names.join(', ');
  return `${names.slice(0, max).join(', ')}, … and ${names.length - max} more`;
}

/**
 * The facts about the data at the head of result.json's `data`, the same for every method (a
 * method adds its own after them, then `standardisation`); `file` is the training file.
 */
export function dataFacts(file: string, loaded: LoadedData) {
  const { trainData, testData } = loaded;
  return {
    train_file: file,
    test_file: loaded.testSource,
    label_column: loaded.labelColumn,
    n: trainData.n,
    n_test: testData ? testData.n : null,
    d: trainData.d,
    classes: trainData.classNames,
    features: trainData.featureNames,
  };
}
