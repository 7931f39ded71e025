/** The JSON export: recovered network, per-class convex weights that reproduce the convex model, metadata. */
import { describe, expect, it } from 'vitest';
import { networkToJson } from '../../solver/export/network-json';
import { convexOutputs, predictNetwork } from '../../solver/recovery';
import { DEFAULT_CONFIG } from '../../solver/types';
import { randomRun } from '../support/export-fixtures';

interface Doc {
  format: string;
  version: number;
  model: string;
  d: number;
  m: number;
  C: number;
  classNames?: string[];
  featureNames?: string[];
  standardization?: { mean: number[]; std: number[] } | null;
  W1: number[][];
  w2: number[][];
  gates?: number[][];
  convex?: { P: number; classes: { class?: string; U: number[][]; W?: number[][] }[] };
  config?: Record<string, unknown>;
}

describe('networkToJson', () => {
  for (const model of ['relu', 'gated'] as const) {
    for (const classes of [2, 4]) {
      it(`${model}, ${classes} classes: the exported weights reproduce both models`, () => {
        const { data, problem, U, net } = randomRun({ n: 25, d: 4, P: 6, classes, model, seed: 21 });
        const doc = JSON.parse(
          networkToJson(net, { convex: { U, P: problem.P }, classNames: data.classNames, featureNames: data.featureNames, standardization: null, config: DEFAULT_CONFIG }),
        ) as Doc;
        expect(doc).toMatchObject({ format: 'cronos-network', version: 1, model, d: 4, m: net.m, C: problem.C, classNames: data.classNames, featureNames: data.featureNames, standardization: null });
        expect(doc.config).toEqual(DEFAULT_CONFIG);
        expect(doc.W1.flat()).toEqual(Array.from(net.W1));
        expect(doc.w2.flat()).toEqual(Array.from(net.w2));
        expect(doc.W1).toHaveLength(net.d);
        expect(doc.gates === undefined).toBe(model === 'relu');
        if (doc.gates) expect(doc.gates.flat()).toEqual(Array.from(net.gates!));

        // The recovered network, rebuilt from the JSON alone, predicts what predictNetwork does.
        const rebuilt = { ...net, W1: Float64Array.from(doc.W1.flat()), w2: Float64Array.from(doc.w2.flat()), gates: doc.gates ? Float64Array.from(doc.gates.flat()) : undefined };
        expect(predictNetwork(rebuilt, problem.X, problem.n)).toEqual(predictNetwork(net, problem.X, problem.n));

        // The convex blocks give Σ_i D_i X (U_i − W_i) per class, i.e. convexOutputs.
        const f = convexOutputs(problem, U);
        const blocks = doc.convex!.classes;
        expect(blocks).toHaveLength(problem.C);
        expect(doc.convex!.P).toBe(problem.P);
        for (let c = 0; c < problem.C; c++) {
          if (problem.C > 1) expect(blocks[c].class).toBe(data.classNames[c]);
          expect(blocks[c].W === undefined).toBe(model === 'gated');
          const { U: Uc, W: Wc } = blocks[c];
          for (let j = 0; j < problem.n; j++) {
            let acc = 0;
            for (let i = 0; i < problem.P; i++) {
              if (!problem.D[j * problem.P + i]) continue;
              for (let k = 0; k < problem.d; k++) acc += problem.X[j * problem.d + k] * (Uc[k][i] - (Wc ? Wc[k][i] : 0));
            }
            expect(acc).toBeCloseTo(f[j * problem.C + c], 12);
          }
        }
      });
    }
  }

  it('non-finite values become null; standardisation is exported', () => {
    const { net } = randomRun({ n: 10, d: 2, P: 3, classes: 2, model: 'relu', seed: 2 });
    net.W1[0] = NaN;
    net.w2[0] = Infinity;
    const doc = JSON.parse(networkToJson(net, { standardization: { mean: [1, 2], std: [0.5, 0] } })) as Doc;
    expect(doc.W1[0][0]).toBeNull();
    expect(doc.w2[0][0]).toBeNull();
    expect(doc.standardization).toEqual({ mean: [1, 2], std: [0.5, 0] });
    expect(doc.convex).toBeUndefined();
  });

  it('refuses convex weights of the wrong size', () => {
    const { net } = randomRun({ n: 10, d: 2, P: 3, classes: 2, model: 'relu', seed: 2 });
    expect(() => networkToJson(net, { convex: { U: new Float64Array(5), P: 3 } })).toThrow(/expected d·C·S·P/);
  });
});
