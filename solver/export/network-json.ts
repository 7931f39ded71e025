/**
 * The trained network as a JSON document: the recovered two-layer network (W1, w2 and, for gated
 * nets, the gates) plus, optionally, the convex weights U and W of every class, the input
 * standardisation and the hyperparameters. Matrices are nested row arrays (W1[feature][unit]);
 * non-finite values, which JSON cannot hold, are written as null.
 */
import type { Network, SolverConfig } from '../types';
import { convexBlocks, nestedRows, type ConvexWeights } from './layout';

/** The input transform applied before the network: x ↦ (x − mean)/std, 0 where std = 0. */
export interface StandardizationExport {
  mean: ArrayLike<number>;
  std: ArrayLike<number>;
}

/** Optional parts of the JSON export. */
export interface NetworkExportExtra {
  /** The convex solution (U or V of the solver) to export per class. */
  convex?: ConvexWeights;
  classNames?: readonly string[];
  featureNames?: readonly string[];
  /** The standardisation fitted on the training rows; null when the features were used raw. */
  standardization?: StandardizationExport | null;
  config?: SolverConfig;
}

/** Format tag of {@link networkToJson}'s document. */
export const NETWORK_JSON_FORMAT = 'cronos-network';

/** The JSON text of `net` and `extra` (one line; it is meant for programs, not for reading). */
export function networkToJson(net: Network, extra: NetworkExportExtra = {}): string {
  const doc: Record<string, unknown> = {
    format: NETWORK_JSON_FORMAT,
    version: 1,
    model: net.model,
    d: net.d,
    m: net.m,
    C: net.C,
    layout:
      'W1[feature][unit] (d×m), w2[unit][output] (m×C); output_c = Σ_unit act_unit(x)·w2[unit][c] with act = max(0, x·W1[:,unit])' +
      (net.model === 'gated' ? ', gated: act = 1[x·gates[:,unit] ≥ 0]·(x·W1[:,unit])' : '') +
      '; C = 1: class 1 when output > 0; C > 1: argmax',
  };
  if (extra.classNames) doc.classNames = [...extra.classNames];
  if (extra.featureNames) doc.featureNames = [...extra.featureNames];
  if (extra.standardization !== undefined) {
    const s = extra.standardization;
    doc.standardization = s === null ? null : { mean: nestedRows(s.mean, 1, s.mean.length)[0], std: nestedRows(s.std, 1, s.std.length)[0] };
  }
  doc.W1 = nestedRows(net.W1, net.d, net.m);
  doc.w2 = nestedRows(net.w2, net.m, net.C);
  if (net.gates) doc.gates = nestedRows(net.gates, net.d, net.m);
  if (extra.convex) {
    const { P } = extra.convex;
    doc.convex = {
      P,
      layout: 'per class: U[feature][pattern] (d×P)' + (net.model === 'relu' ? ' and W (d×P); output = Σ_i D_i X (U[:,i] − W[:,i])' : '; output = Σ_i D_i X U[:,i]'),
      classes: convexBlocks(extra.convex, net.model, net.d, net.C).map((b, c) => {
        const o: Record<string, unknown> = {};
        if (extra.classNames && net.C > 1) o.class = extra.classNames[c];
        o.U = nestedRows(b.U, net.d, P);
        if (b.W) o.W = nestedRows(b.W, net.d, P);
        return o;
      }),
    };
  }
  if (extra.config) doc.config = { ...extra.config };
  return JSON.stringify(doc);
}
