/**
 * The accuracy harness's data (bench/fmnist.ts) and its command line (bench/deep-accuracy.ts):
 * balanced first-of-class selection, the product's standardisation (train mean, population std,
 * constant pixels → 0, the test rows through the training transform), and refusals by name.
 */
import { describe, expect, it } from 'vitest';
import { classIndex, firstOfClasses, fmnistPair, type Idx } from '../../bench/fmnist';
import { parseAccuracyArgs, runSpecs } from '../../bench/deep-accuracy';

/** A tiny IDX: 2×2 images, labels cycling 0, 2, 8, 2, 8, …; pixel 3 constant. */
function fakeIdx(count: number, seed: number): Idx {
  const labels = Uint8Array.from({ length: count }, (_, i) => [0, 2, 8][i % 3]!);
  const pixels = new Uint8Array(count * 4);
  for (let i = 0; i < count; i++) {
    pixels[i * 4] = (i * 37 + seed) % 256;
    pixels[i * 4 + 1] = (i * 11 + 3 * seed) % 256;
    pixels[i * 4 + 2] = labels[i]! * 20 + (i % 5);
    pixels[i * 4 + 3] = 9;
  }
  return { count, rows: 2, cols: 2, pixels, labels };
}

describe('Fashion-MNIST pairs for the accuracy harness', () => {
  it('takes the first rows of each class in file order, balanced', () => {
    const idx = fakeIdx(30, 1);
    expect(firstOfClasses(idx, [2, 8], 3)).toEqual([1, 2, 4, 5, 7, 8]);
    expect(() => firstOfClasses(idx, [2, 8], 11)).toThrow(/only 10 images of class 2 \(Pullover\), wanted 11/);
  });

  it('standardises with the training mean and population std; a constant pixel becomes 0', () => {
    const data = fmnistPair([2, 8], 12, 0, fakeIdx(60, 1), fakeIdx(30, 5));
    const { X, n, d, labels } = data.train;
    expect([n, d]).toEqual([12, 4]);
    expect(Array.from(labels).filter((l) => l === 1).length).toBe(6);
    for (let k = 0; k < 3; k++) {
      let m = 0;
      let v = 0;
      for (let i = 0; i < n; i++) m += X[i * d + k]! / n;
      for (let i = 0; i < n; i++) v += (X[i * d + k]! - m) ** 2 / n;
      expect(Math.abs(m)).toBeLessThan(1e-12);
      expect(v).toBeCloseTo(1, 12);
    }
    for (let i = 0; i < n; i++) expect(X[i * d + 3]).toBe(0);
    // Test rows: every row of the two classes (10 each), through the training transform.
    expect(data.test!.n).toBe(20);
  });

  it('refuses an odd row count and an unknown class by name', () => {
    expect(() => fmnistPair([2, 8], 7, 0, fakeIdx(60, 1), fakeIdx(30, 5))).toThrow(/training rows 7: give an even number/);
    expect(() => classIndex('Hat')).toThrow(/"Hat" is not a Fashion-MNIST class/);
    expect(classIndex('t-shirt')).toBe(0);
    expect(classIndex('Bag')).toBe(8);
  });
});

describe('accuracy harness command line', () => {
  it('defaults to Pullover/Bag and Shirt/T-shirt, 4000 rows, 10 epochs, batch 256 on the GPU', () => {
    const o = parseAccuracyArgs([]);
    expect(o.pairs).toEqual([[2, 8], [6, 0]]);
    expect([o.rows, o.epochs, o.batch, o.device]).toEqual([4000, 10, 256, 'gpu']);
  });

  it('reads pairs by name or number and names a bad flag', () => {
    expect(parseAccuracyArgs(['--pair', 'Shirt/Coat', '--pair', '6:0']).pairs).toEqual([[6, 4], [6, 0]]);
    expect(() => parseAccuracyArgs(['--rows', 'ten'])).toThrow(/--rows ten is not a whole number ≥ 2/);
    expect(() => parseAccuracyArgs(['--methods', 'adamx'])).toThrow(/adamx is not a registered method/);
    expect(() => parseAccuracyArgs(['--frobnicate'])).toThrow(/unknown argument "--frobnicate"/);
  });

  it('runs CRONOS-AM only when it is registered', () => {
    expect(runSpecs(['adam']).some((r) => r.method === 'cronos-am')).toBe(false);
    expect(runSpecs(['adam', 'cronos-am']).some((r) => r.method === 'cronos-am')).toBe(true);
  });

  it('reads CRONOS-AM variants and runs them instead of the defaults', () => {
    const o = parseAccuracyArgs(['--am', 'admmIters=20,preconditioner=block', '--am', 'headWarmStart=true']);
    expect(o.amVariants).toEqual([{ admmIters: 20, preconditioner: 'block' }, { headWarmStart: true }]);
    const am = runSpecs(['cronos-am'], o.amVariants).filter((r) => r.method === 'cronos-am');
    expect(am.map((r) => r.settings)).toEqual(o.amVariants);
    expect(am.some((r) => r.label.includes('defaults'))).toBe(false);
    expect(() => parseAccuracyArgs(['--am', 'checkpoint'])).toThrow(/"checkpoint" is not key=value/);
    expect(() => parseAccuracyArgs(['--am', ''])).toThrow(/--am needs key=value pairs/);
  });
});
