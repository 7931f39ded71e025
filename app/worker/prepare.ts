/**
 * From a catalogue entry and the settings to standardised training and test matrices: fetch or
 * generate the rows, split them (seeded, stratified) when there is no test file, z-score with the
 * training statistics, and give the 2-D sets a constant bias feature. CRONOS has no bias term,
 * so without it every gate hyperplane and every neuron would pass through the origin and the
 * circles set could not be separated at all.
 */
import { parseDataset } from '../../data/csv';
import { standardize, type Standardization } from '../../data/preprocess';
import { stratifiedSplit } from '../../data/split';
import { syntheticDataset } from '../../data/synthetic';
import type { Dataset } from '../../solver/types';
import type { DatasetInfo } from '../datasets';
import { appendBias } from '../features';
import type { Settings } from '../settings';
import { runSeeds } from '../share/wire-source';

/** Training and test data ready for buildProblem, plus what the views need to map back. */
export interface PreparedData {
  info: DatasetInfo;
  /** Standardised (and, for 2-D sets, bias-extended) training rows. */
  train: Dataset;
  test: Dataset | null;
  testSource: 'file' | 'split';
  /** Training statistics of the original features. */
  stats: Standardization;
  bias: boolean;
  /** 2-D sets: the rows in generator coordinates, for the scatter plot. */
  planar: { train: Dataset; test: Dataset | null } | null;
  /** Half-width of the 2-D view when it is not the generators' (user data in z-scores). */
  domain?: number;
  /** Regression (user data): the target of every row in its own units; labels are then all 0. */
  targets?: { name: string; train: Float64Array; test: Float64Array | null };
}

/** Fetches the text of a built-in file (injected so tests can read from disk). */
export type FetchText = (file: string) => Promise<string>;

/** Loads (or generates), splits and standardises the dataset of `settings`. */
export async function prepareData(info: DatasetInfo, settings: Settings, fetchText: FetchText): Promise<PreparedData> {
  const src = info.source;
  let trainRaw: Dataset;
  let testRaw: Dataset | null = null;
  let testSource: 'file' | 'split' = 'split';
  if (src.kind === 'synthetic') {
    const all = syntheticDataset(src.generator, { n: src.n, noise: settings.noise, seed: runSeeds(settings).data });
    ({ train: trainRaw, test: testRaw } = holdOut(all, settings));
  } else if (src.kind === 'user') {
    // The rows live in the Worker's ingest session; worker/ingest-prepare.ts turns them into PreparedData.
    throw new Error('Your own data is prepared from the "Your data" panel, not fetched.');
  } else {
    const trainFile = parseDataset(await fetchText(src.train), src.train, { label: src.label });
    if (src.test) {
      testRaw = parseDataset(await fetchText(src.test), src.test, { label: src.label, like: trainFile });
      trainRaw = trainFile;
      testSource = 'file';
    } else {
      ({ train: trainRaw, test: testRaw } = holdOut(trainFile, settings));
    }
  }
  const { train, test, stats } = standardize(trainRaw, testRaw ?? undefined);
  const bias = src.kind === 'synthetic';
  return {
    info,
    train: bias ? appendBias(train) : train,
    test: test ? (bias ? appendBias(test) : test) : null,
    testSource,
    stats,
    bias,
    planar: bias ? { train: trainRaw, test: testRaw } : null,
  };
}

/** The seeded stratified hold-out of `settings`; a test fraction of 0 (share links) keeps every row for training. */
function holdOut(all: Dataset, settings: Settings): { train: Dataset; test: Dataset | null } {
  if (settings.testFraction === 0) return { train: all, test: null };
  const split = stratifiedSplit(all, settings.testFraction, runSeeds(settings).split);
  return { train: split.train, test: split.test };
}
