/**
 * A standalone prediction snippet: ES module source text with the network's weights and the
 * input standardisation inlined, exporting `predict(x)`. It needs nothing but a JavaScript
 * engine (browser, Node, Deno), so a trained model can be used outside the playground.
 *
 * The generated code mirrors recovery.ts's predictNetwork (same activations, same accumulation
 * order per unit), and every number is written with its shortest exact decimal form, so it
 * reproduces the playground's scores to rounding.
 */
import type { Network } from '../types';
import type { StandardizationExport } from './network-json';

/** Names shown by the snippet. */
export interface SnippetInfo {
  classNames?: readonly string[];
  featureNames?: readonly string[];
}

/** A number as a JS literal that evaluates to exactly the same double (including −0, NaN, ±Infinity). */
function lit(v: number): string {
  return Object.is(v, -0) ? '-0' : String(v);
}

function numbers(a: ArrayLike<number>, perLine: number): string {
  const parts: string[] = [];
  for (let i = 0; i < a.length; i += perLine) {
    const row: string[] = [];
    for (let j = i; j < Math.min(a.length, i + perLine); j++) row.push(lit(a[j]));
    parts.push(`  ${row.join(', ')},`);
  }
  return parts.length ? `[\n${parts.join('\n')}\n]` : '[]';
}

/**
 * A string as a JS literal. JSON.stringify escapes quotes, backslashes and control characters;
 * `<` and the line separators are escaped too, so the text is also safe inside an HTML script tag.
 */
function strLit(s: string): string {
  return JSON.stringify(s).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

/**
 * The source of an ES module exporting `predict(x: number[]): { scores: number[]; index: number;
 * label: string }` and `model` (sizes and names). `x` holds raw feature values: `standardization`
 * (or null when the network was trained on raw features) is applied inside. For C = 1 the class is
 * 1 when the score is > 0, else 0; for C > 1 the first largest score wins.
 */
export function predictionSnippet(net: Network, standardization: StandardizationExport | null, info: SnippetInfo = {}): string {
  const { d, m, C } = net;
  if (net.W1.length !== d * m || net.w2.length !== m * C) throw new RangeError(`network arrays do not match d = ${d}, m = ${m}, C = ${C}`);
  if (net.model === 'gated' && (!net.gates || net.gates.length !== d * m)) throw new RangeError('a gated network needs d×m gate vectors');
  if (standardization && (standardization.mean.length !== d || standardization.std.length !== d)) {
    throw new RangeError(`standardisation has ${standardization.mean.length} means and ${standardization.std.length} stds for ${d} features`);
  }
  const classes = info.classNames ? [...info.classNames] : Array.from({ length: Math.max(C, 2) }, (_, c) => String(c));
  const features = info.featureNames ? [...info.featureNames] : Array.from({ length: d }, (_, k) => `x${k + 1}`);
  const list = (xs: string[]): string => `[${xs.map(strLit).join(', ')}]`;
  return `// Standalone predictor of a two-layer ${net.model === 'gated' ? 'gated ReLU' : 'ReLU'} network trained by CRONOS Playground
// (CRONOS: Feng, Frangella, Pilanci, NeurIPS 2024). No dependencies.
//   import { predict } from './cronos-model.mjs';
//   predict([${features.slice(0, 3).map((f) => f.replace(/[^\w .-]/g, '?')).join(', ')}${d > 3 ? ', …' : ''}])  // → { scores, index, label }
// x holds raw feature values in the order of model.features; the z-scoring fitted on the training
// rows is applied here. ${C === 1 ? 'Binary: class 1 when scores[0] > 0, else class 0.' : `${C} classes: the largest score wins.`}

const D = ${d};
const M = ${m};
const C = ${C};
const FEATURES = ${list(features)};
const CLASSES = ${list(classes)};
/** Training mean and std per feature (null: the features were used raw); std 0 marks a constant feature, mapped to 0. */
const MEAN = ${standardization ? numbers(standardization.mean, 8) : 'null'};
const STD = ${standardization ? numbers(standardization.std, 8) : 'null'};
/** First layer, D×M row-major: unit h computes Σ_k z[k]·W1[k·M + h]. */
const W1 = ${numbers(net.W1, 8)};
/** Second layer, M×C row-major. */
const W2 = ${numbers(net.w2, 8)};
/** Gated networks: D×M gate vectors; unit h is on when Σ_k z[k]·GATES[k·M + h] ≥ 0. null for ReLU. */
const GATES = ${net.gates ? numbers(net.gates, 8) : 'null'};

/** Sizes and names of the network. */
export const model = { kind: ${strLit(net.model)}, d: D, m: M, C, features: FEATURES, classes: CLASSES };

/** Scores and predicted class of one example x (D raw feature values). */
export function predict(x) {
  if (x == null || typeof x.length !== 'number' || x.length !== D) {
    throw new RangeError('predict expects ' + D + ' feature values, got ' + (x == null ? x : x.length));
  }
  const z = new Array(D);
  for (let k = 0; k < D; k++) {
    const v = Number(x[k]);
    z[k] = MEAN === null ? v : STD[k] === 0 ? 0 : (v - MEAN[k]) / STD[k];
  }
  const scores = new Array(C).fill(0);
  for (let h = 0; h < M; h++) {
    let a = 0;
    for (let k = 0; k < D; k++) a += z[k] * W1[k * M + h];
    if (GATES === null) {
      if (a < 0) a = 0;
    } else {
      let g = 0;
      for (let k = 0; k < D; k++) g += z[k] * GATES[k * M + h];
      if (!(g >= 0)) a = 0;
    }
    for (let c = 0; c < C; c++) scores[c] += a * W2[h * C + c];
  }
  let index = 0;
  if (C === 1) index = scores[0] > 0 ? 1 : 0;
  else for (let c = 1; c < C; c++) if (scores[c] > scores[index]) index = c;
  return { scores, index, label: CLASSES[index] };
}
`;
}
