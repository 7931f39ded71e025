/** The race's learning rates: seeded, within the paper's ranges, grid evenly spaced in the exponent, only for the methods with an lr. */
import { describe, expect, it } from 'vitest';
import { paperLrRange } from '../../../solver/race/config';
import { drawLearningRates, raceLearningRates } from '../../../solver/race/lr';

describe('drawLearningRates', () => {
  it('draws the same rates for the same seed and other rates for another, all within 10^[l, u]', () => {
    const a = drawLearningRates([-5.5, -1.5], 200, 7, 'random');
    expect(drawLearningRates([-5.5, -1.5], 200, 7, 'random')).toEqual(a);
    expect(drawLearningRates([-5.5, -1.5], 200, 8, 'random')).not.toEqual(a);
    for (const lr of a) {
      expect(Math.log10(lr)).toBeGreaterThanOrEqual(-5.5);
      expect(Math.log10(lr)).toBeLessThan(-1.5);
    }
    // Log-uniform: about half of the exponents fall in the lower half of the range.
    const low = a.filter((lr) => Math.log10(lr) < -3.5).length;
    expect(low).toBeGreaterThan(70);
    expect(low).toBeLessThan(130);
  });

  it('grid: K exponents from l to u evenly; K = 1 the middle', () => {
    const g = drawLearningRates([-3.5, -1.5], 5, 0, 'grid').map(Math.log10);
    [-3.5, -3, -2.5, -2, -1.5].forEach((e, i) => expect(g[i]).toBeCloseTo(e, 12));
    expect(Math.log10(drawLearningRates([-3.5, -1.5], 1, 0, 'grid')[0])).toBeCloseTo(-2.5, 12);
  });

  it("uses the paper's ranges: MLP (−5.5, −1.5), CNN (−3.5, −1.5)", () => {
    expect(paperLrRange('mlp:256,256')).toEqual([-5.5, -1.5]);
    expect(paperLrRange('cnn:32,64')).toEqual([-3.5, -1.5]);
  });

  it('tunes Adam, AdamW and SGD on common draws; DAdapt-Adam, CRONOS-AM and CRONOS run untuned', () => {
    const lrs = raceLearningRates({ methods: ['cronos', 'cronos-am', 'adam', 'adamw', 'sgd', 'dadapt-adam'], arch: 'cnn:8', epochs: 1, batch: 8, lrDraws: 3, seed: 4, lrMode: 'random' });
    expect(lrs.cronos).toBeNull();
    expect(lrs['cronos-am']).toBeNull();
    expect(lrs['dadapt-adam']).toBeNull();
    expect(lrs.adam).toHaveLength(3);
    expect(lrs.sgd).toEqual(lrs.adam);
    for (const lr of lrs.adamw ?? []) expect(Math.log10(lr)).toBeGreaterThanOrEqual(-3.5);
  });
});
