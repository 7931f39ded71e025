/**
 * The standalone prediction snippet, loaded as a real ES module through a data: URL (no eval),
 * agrees with predictNetwork on random networks: ReLU and gated, binary and multi-class,
 * with and without standardisation.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { applyStandardization } from '../../data/preprocess';
import { predictionSnippet } from '../../solver/export/snippet';
import { predictNetwork } from '../../solver/recovery';
import { createRng } from '../../solver/rng';
import type { ModelKind, Network } from '../../solver/types';

interface SnippetModule {
  predict(x: ArrayLike<number>): { scores: number[]; index: number; label: string };
  model: { kind: string; d: number; m: number; C: number; features: string[]; classes: string[] };
}

async function load(source: string): Promise<SnippetModule> {
  const url = `data:text/javascript;base64,${Buffer.from(source, 'utf8').toString('base64')}`;
  return (await import(/* @vite-ignore */ url)) as SnippetModule;
}

function randomNet(model: ModelKind, d: number, m: number, C: number, seed: number): Network {
  const rng = createRng(seed, 5);
  const fill = (len: number): Float64Array => Float64Array.from({ length: len }, () => rng.normal() * 3);
  const net: Network = { model, d, m, C, W1: fill(d * m), w2: fill(m * C) };
  if (model === 'gated') net.gates = fill(d * m);
  return net;
}

describe('predictionSnippet', () => {
  it('matches predictNetwork to 1e-12 on random networks and inputs', async () => {
    const cases = fc.sample(
      fc.record({
        model: fc.constantFrom('relu' as const, 'gated' as const),
        d: fc.integer({ min: 1, max: 12 }),
        m: fc.integer({ min: 0, max: 40 }),
        C: fc.constantFrom<number>(1, 2, 3, 7),
        standardize: fc.boolean(),
        seed: fc.nat(),
      }),
      { numRuns: 60, seed: 42 },
    );
    // Make sure every combination is present whatever the sampler drew.
    for (const model of ['relu', 'gated'] as const) for (const C of [1, 4]) cases.push({ model, d: 5, m: 9, C, standardize: true, seed: C });
    for (const c of cases) {
      const net = randomNet(c.model, c.d, c.m, c.C, c.seed);
      const rng = createRng(c.seed, 6);
      const n = 50;
      const raw = Float64Array.from({ length: n * c.d }, () => rng.normal() * 10 + 3);
      const stats = {
        mean: Float64Array.from({ length: c.d }, () => rng.normal()),
        // Every third feature constant (std 0 maps it to 0, as applyStandardization does).
        std: Float64Array.from({ length: c.d }, (_, k) => (k % 3 === 2 ? 0 : 0.5 + rng.uniform() * 4)),
      };
      const constant = Uint8Array.from(stats.std, (s) => (s === 0 ? 1 : 0));
      const X = c.standardize ? applyStandardization({ X: raw, n, d: c.d }, { ...stats, constant }).X : raw;
      const expected = predictNetwork(net, X, n);
      const classNames = Array.from({ length: Math.max(c.C, 2) }, (_, k) => `class ${k}`);
      const mod = await load(predictionSnippet(net, c.standardize ? stats : null, { classNames }));
      expect(mod.model).toMatchObject({ kind: c.model, d: c.d, m: c.m, C: c.C, classes: classNames });
      for (let j = 0; j < n; j++) {
        const out = mod.predict(Array.from(raw.subarray(j * c.d, (j + 1) * c.d)));
        expect(out.scores).toHaveLength(c.C);
        let best = 0;
        for (let k = 0; k < c.C; k++) {
          const e = expected[j * c.C + k];
          expect(Math.abs(out.scores[k] - e)).toBeLessThanOrEqual(1e-12 * Math.max(1, Math.abs(e)));
          if (e > expected[j * c.C + best]) best = k;
        }
        const index = c.C === 1 ? (expected[j] > 0 ? 1 : 0) : best;
        // Exact ties between near-equal scores are the only place rounding could flip a label.
        if (c.C === 1 ? Math.abs(expected[j]) > 1e-9 : true) expect(out.index).toBe(index);
        expect(out.label).toBe(classNames[out.index]);
      }
    }
  });

  it('typed arrays are accepted; a wrong length throws a clear RangeError', async () => {
    const net = randomNet('relu', 3, 4, 1, 1);
    const mod = await load(predictionSnippet(net, null));
    expect(mod.predict(new Float64Array([1, 2, 3])).scores[0]).toBeCloseTo(predictNetwork(net, new Float64Array([1, 2, 3]), 1)[0], 12);
    expect(() => mod.predict([1, 2])).toThrow('predict expects 3 feature values, got 2');
    expect(mod.model.classes).toEqual(['0', '1']);
    expect(mod.model.features).toEqual(['x1', 'x2', 'x3']);
  });

  it('embeds hostile names as inert string data and keeps exact weights (−0, NaN, ±Infinity, subnormals)', async () => {
    const names = ['"; throw new Error("pwned"); //', '</script><script>alert(1)</script>', 'back\\slash', 'line\nbreak', '\u2028\u2029', '`${x}`', '*/ }'];
    const net = randomNet('gated', 2, 3, names.length, 9);
    net.W1.set([-0, Number.MIN_VALUE, -Number.MAX_VALUE]);
    net.w2[0] = NaN;
    net.w2[1] = Infinity;
    const source = predictionSnippet(net, { mean: [0, 1], std: [1, 2] }, { classNames: names, featureNames: ['a\nexport const evil = 1;', '// x'] });
    expect(source).not.toMatch(/<\/script/i);
    expect(source).not.toMatch(/\beval\b|new Function|\bimport\b\s*\(/);
    const mod = await load(source);
    expect(mod.model.classes).toEqual(names);
    expect(mod.model.features).toEqual(['a\nexport const evil = 1;', '// x']);
    expect(Object.keys(mod).sort()).toEqual(['model', 'predict']);
    const out = mod.predict([0.3, -0.7]);
    const expected = predictNetwork(net, new Float64Array([0.3, (-0.7 - 1) / 2]), 1);
    out.scores.forEach((v, c) => {
      const e = expected[c];
      if (Number.isFinite(e)) expect(Math.abs(v - e)).toBeLessThanOrEqual(1e-12 * Math.max(1, Math.abs(e)));
      else expect(v).toBe(e); // NaN and ±Infinity propagate the same way
    });
    expect(out.scores[0]).toBeNaN();
  });

  it('refuses inconsistent inputs', () => {
    const net = randomNet('gated', 2, 3, 1, 1);
    expect(() => predictionSnippet({ ...net, gates: undefined }, null)).toThrow(/gate vectors/);
    expect(() => predictionSnippet(net, { mean: [0], std: [1] })).toThrow(/standardisation/);
    expect(() => predictionSnippet({ ...net, m: 4 }, null)).toThrow(/do not match/);
  });
});
