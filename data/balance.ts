/** Class balance: how many rows of each class, for the UI and for warnings about tiny classes. */
import type { Notice } from './errors';
import { plural } from './format';

/** Rows per class (index = class). */
export function classCounts(labels: ArrayLike<number>, numClasses: number): number[] {
  const counts = new Array<number>(numClasses).fill(0);
  for (let i = 0; i < labels.length; i++) counts[labels[i]]++;
  return counts;
}

/** Per-class counts of both parts of a split. */
export interface ClassBalance {
  classNames: string[];
  train: number[];
  /** Empty when there is no test part. */
  test: number[];
}

/** The balance of `train` (and `test`), with a warning per class too small to learn or test. */
export function classBalance(
  classNames: string[],
  train: ArrayLike<number>,
  test: ArrayLike<number> | null,
  file: string,
  column: string,
): { balance: ClassBalance; notices: Notice[] } {
  const C = classNames.length;
  const balance: ClassBalance = { classNames: classNames.slice(), train: classCounts(train, C), test: test ? classCounts(test, C) : [] };
  const notices: Notice[] = [];
  const tiny = classNames.filter((_, c) => balance.train[c] < 5);
  if (tiny.length > 0) {
    const list = tiny.slice(0, 5).map((name) => `${JSON.stringify(name)} (${plural(balance.train[classNames.indexOf(name)], 'row')})`);
    notices.push({
      level: 'warning',
      file,
      column,
      message:
        `${file}, column "${column}": ${plural(tiny.length, 'class', 'classes')} ha${tiny.length === 1 ? 's' : 've'} fewer than 5 training rows: ` +
        `${list.join(', ')}${tiny.length > 5 ? ', ...' : ''}. Accuracy on ${tiny.length === 1 ? 'it' : 'them'} will be unreliable; add rows or merge rare classes.`,
    });
  }
  return { balance, notices };
}
