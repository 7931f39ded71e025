/** The built-in datasets the page offers (files in public/datasets, described in index.json). */
import type { BuiltinDataset } from './protocol';

/** Built-in datasets, the paper's task first (it trains on load). */
export const BUILTIN_DATASETS: BuiltinDataset[] = [
  { id: 'fmnist-pullover-bag-10x10', title: 'Fashion-MNIST Pullover vs Bag (10×10)', train: 'fmnist-pullover-bag-10x10-train.csv', test: 'fmnist-pullover-bag-10x10-test.csv', label: 'label' },
  { id: 'breast-cancer', title: 'Breast cancer (Wisconsin)', train: 'breast-cancer.csv', label: 'diagnosis' },
  { id: 'penguins', title: 'Palmer penguins (3 species)', train: 'penguins.csv', label: 'species' },
  { id: 'digits-8x8', title: 'Digits 8×8 (10 classes)', train: 'digits-8x8.csv', label: 'digit' },
];
