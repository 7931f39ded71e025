/**
 * The datasets the page offers: the Playground-style 2-D generators (data/synthetic.ts)
 * and the real tables under public/datasets (described, with licences, in index.json there;
 * tests/app-datasets.test.ts keeps this catalogue in step with that manifest).
 */
import type { SyntheticKind } from '../data/synthetic';

/** Ids of every dataset; also the value stored in the URL. */
export type DatasetId =
  | 'spiral'
  | 'circles'
  | 'xor'
  | 'gaussian'
  | 'fmnist-pullover-bag-10x10'
  | 'fmnist-pullover-bag-28x28'
  | 'breast-cancer'
  | 'digits-8x8'
  | 'penguins'
  /** The user's own CSV or image dataset, loaded in the "Your data" panel (never in DATASETS). */
  | 'user';

/** Where the rows come from. */
export type DatasetSource =
  | { kind: 'synthetic'; generator: SyntheticKind; n: number }
  | { kind: 'csv'; train: string; test?: string; label: string }
  /** Whatever the "Your data" panel loaded last; the Worker holds the rows. */
  | { kind: 'user' };

/** One entry of the dataset menu. */
export interface DatasetInfo {
  id: DatasetId;
  title: string;
  /** Menu group: generated 2-D sets first, then the real tables. */
  group: '2-D' | 'real';
  description: string;
  source: DatasetSource;
  /** Pixel grid for image data (first-layer weights are drawn as images); channels 3 = RGB (default 1). */
  image: { width: number; height: number; channels?: 1 | 3 } | null;
  /** Licence line shown next to the dataset. */
  licence: string;
  citation: string | null;
}

/** Points per generated 2-D set (the Playground's 500). */
const SYNTHETIC_POINTS = 500;

const PLAYGROUND_NOTE = 'Generated in your browser from the seed, after TensorFlow Playground (Apache-2.0).';
const FMNIST_LICENCE = 'MIT (© 2017 Zalando SE)';
const FMNIST_CITATION =
  'Han Xiao, Kashif Rasul, Roland Vollgraf. Fashion-MNIST: a Novel Image Dataset for Benchmarking Machine Learning Algorithms. arXiv:1708.07747, 2017.';
const SKLEARN_LICENCE = 'BSD-3-Clause (scikit-learn); data from the UCI Machine Learning Repository';

/** Every dataset, in menu order. */
/** The Fashion-MNIST Pullover-vs-Bag set at `size`×`size` pixels (its train and test CSVs). */
function fmnistPulloverBag(size: 10 | 28, description: string): DatasetInfo {
  const id: DatasetId = size === 10 ? 'fmnist-pullover-bag-10x10' : 'fmnist-pullover-bag-28x28';
  return {
    id,
    title: `Fashion-MNIST Pullover vs Bag, ${size}×${size}`,
    group: 'real',
    description,
    source: { kind: 'csv', train: `${id}-train.csv`, test: `${id}-test.csv`, label: 'label' },
    image: { width: size, height: size },
    licence: FMNIST_LICENCE,
    citation: FMNIST_CITATION,
  };
}

export const DATASETS: readonly DatasetInfo[] = [
  {
    id: 'spiral',
    title: 'Spiral',
    group: '2-D',
    description: 'Two interleaved spiral arms, 500 points. Needs many neurons.',
    source: { kind: 'synthetic', generator: 'spiral', n: SYNTHETIC_POINTS },
    image: null,
    licence: PLAYGROUND_NOTE,
    citation: null,
  },
  {
    id: 'circles',
    title: 'Circles',
    group: '2-D',
    description: 'A disc inside a ring, 500 points.',
    source: { kind: 'synthetic', generator: 'circles', n: SYNTHETIC_POINTS },
    image: null,
    licence: PLAYGROUND_NOTE,
    citation: null,
  },
  {
    id: 'xor',
    title: 'XOR',
    group: '2-D',
    description: 'The sign of x·y, 500 points.',
    source: { kind: 'synthetic', generator: 'xor', n: SYNTHETIC_POINTS },
    image: null,
    licence: PLAYGROUND_NOTE,
    citation: null,
  },
  {
    id: 'gaussian',
    title: 'Gaussian blobs',
    group: '2-D',
    description: 'Two Gaussian clusters, 500 points; noise widens them.',
    source: { kind: 'synthetic', generator: 'gaussian', n: SYNTHETIC_POINTS },
    image: null,
    licence: PLAYGROUND_NOTE,
    citation: null,
  },
  fmnistPulloverBag(10, "The CRONOS paper's binary task at 10×10 pixels: 3000 training and 1000 test images."),
  fmnistPulloverBag(28, 'The same task at full resolution (784 pixels): 600 training and 300 test images.'),
  {
    id: 'breast-cancer',
    title: 'Breast cancer (Wisconsin diagnostic)',
    group: 'real',
    description: '569 tumours, 30 features of cell nuclei; benign vs malignant.',
    source: { kind: 'csv', train: 'breast-cancer.csv', label: 'diagnosis' },
    image: null,
    licence: SKLEARN_LICENCE,
    citation:
      'W. N. Street, W. H. Wolberg, O. L. Mangasarian. Nuclear feature extraction for breast tumor diagnosis. IS&T/SPIE 1993. Breast Cancer Wisconsin (Diagnostic), UCI Machine Learning Repository; copy from scikit-learn (Pedregosa et al., JMLR 12, 2011).',
  },
  {
    id: 'digits-8x8',
    title: 'Handwritten digits 8×8 (10 classes)',
    group: 'real',
    description: '1797 digits as 8×8 images; ten one-vs-all problems sharing the patterns.',
    source: { kind: 'csv', train: 'digits-8x8.csv', label: 'digit' },
    image: { width: 8, height: 8 },
    licence: SKLEARN_LICENCE,
    citation:
      'E. Alpaydin, C. Kaynak. Optical Recognition of Handwritten Digits, UCI Machine Learning Repository, 1998; copy from scikit-learn (Pedregosa et al., JMLR 12, 2011).',
  },
  {
    id: 'penguins',
    title: 'Palmer penguins (3 species)',
    group: 'real',
    description: '342 penguins: bill length and depth, flipper length, body mass.',
    source: { kind: 'csv', train: 'penguins.csv', label: 'species' },
    image: null,
    licence: 'CC0-1.0 (Horst, Hill, Gorman)',
    citation:
      'Horst AM, Hill AP, Gorman KB (2020). palmerpenguins: Palmer Archipelago (Antarctica) penguin data. R package version 0.1.0. Data: Gorman KB, Williams TD, Fraser WR (2014) PLoS ONE 9(3): e90081.',
  },
];

/** The dataset that trains when the page opens (the paper's task). */
export const DEFAULT_DATASET: DatasetId = 'fmnist-pullover-bag-10x10';

/**
 * The entry of the user's own data. Kept out of {@link DATASETS}: that list mirrors the files
 * under public/datasets, and the real title, size and image grid only exist once a file has been
 * read (the Worker sends them in the problem summary).
 */
export const USER_DATASET: DatasetInfo = {
  id: 'user',
  title: 'Your data',
  group: 'real',
  description: 'The CSV file or images loaded in "Your data"; they never leave this browser.',
  source: { kind: 'user' },
  image: null,
  licence: 'Your own data (it stays in this browser).',
  citation: null,
};

/** The catalogue entry of `id` (the default dataset's for an unknown id). */
export function datasetInfo(id: string): DatasetInfo {
  if (id === 'user') return USER_DATASET;
  return DATASETS.find((d) => d.id === id) ?? (DATASETS.find((d) => d.id === DEFAULT_DATASET) as DatasetInfo);
}

/** Whether `id` names a dataset of the catalogue or the user's own ('user'). */
export function isDatasetId(id: string): id is DatasetId {
  return id === 'user' || DATASETS.some((d) => d.id === id);
}

/** True for the generated 2-D sets (noise slider, decision boundary, hyperplanes). */
export function isPlanar(info: DatasetInfo): boolean {
  return info.source.kind === 'synthetic';
}

/** True when the dataset ships its own test file (the split setting does not apply). */
export function hasTestFile(info: DatasetInfo): boolean {
  return info.source.kind === 'csv' && info.source.test !== undefined;
}
