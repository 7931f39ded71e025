/**
 * From the methods' common {@link TrainingData} to what a deep backend trains on: the input
 * shape (explicit `28x28x1`, else read off the pixel column names of data/images.ts, else a
 * plain vector), the number of outputs for the loss, and the targets (±1 one-vs-all for 'mse',
 * one-hot for 'softmax-ce'). The rows are used as given: the data pipeline has standardised them
 * with the training statistics, and no bias column is appended for CRONOS (README), so there is
 * none to drop.
 */
import { signTargets } from '../problem';
import type { TrainingData } from '../trainer';
import { imageShapeFromFeatureNames, parseImageShape } from './arch';
import type { DeepSplit, LossKind, Shape } from './types';

/**
 * One example's shape: `imageText` (`HxWxC`) when given, else the pixel grid named by the
 * columns, else 1×1×d. Throws when an explicit shape does not hold d values.
 */
export function inputShape(featureNames: readonly string[], d: number, imageText?: string): Shape {
  if (imageText !== undefined && imageText !== '') {
    const s = parseImageShape(imageText);
    if (s.h * s.w * s.c !== d) throw new Error(`Image shape ${imageText} holds ${s.h * s.w * s.c} values, but the data has ${d} features per row; give the shape of the data's images.`);
    return s;
  }
  return imageShapeFromFeatureNames(featureNames) ?? { h: 1, w: 1, c: d };
}

/** Outputs of the final Dense: 'mse' one per class except one ±1 output for two classes; 'softmax-ce' one per class. */
export function outputsFor(loss: LossKind, classes: number): number {
  return loss === 'mse' && classes <= 2 ? 1 : Math.max(2, classes);
}

/** The n × outputs targets of `labels` for `loss` (see {@link outputsFor}). */
export function targetsFor(loss: LossKind, labels: Int32Array, classes: number): Float64Array {
  if (loss === 'mse') return signTargets(labels, classes).Y;
  const O = outputsFor(loss, classes);
  const Y = new Float64Array(labels.length * O);
  for (let j = 0; j < labels.length; j++) Y[j * O + labels[j]] = 1;
  return Y;
}

/** The training and test splits for a deep backend, with the classes counted from the training set. */
export function deepSplits(data: TrainingData, loss: LossKind): { train: DeepSplit; test: DeepSplit | null; classes: number } {
  if (data.targets) throw new Error('The deep-network methods train classifiers; this data has a regression target. Use CRONOS for regression, or pick a class label column.');
  const { train } = data;
  const classes = train.classNames.length;
  if (classes < 2) throw new Error(`The training data has ${classes} class${classes === 1 ? '' : 'es'}; a classifier needs at least two.`);
  for (const split of [train, data.test]) {
    if (!split) continue;
    for (const l of split.labels) if (!(Number.isInteger(l) && l >= 0 && l < classes)) throw new Error(`A label ${l} is not one of the ${classes} training classes.`);
  }
  const make = (X: Float64Array, labels: Int32Array): DeepSplit => ({ X, Y: targetsFor(loss, labels, classes), labels });
  return { train: make(train.X, train.labels), test: data.test ? make(data.test.X, data.test.labels) : null, classes };
}
