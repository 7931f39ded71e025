/**
 * The parameter tables of the four first-order methods: each takes exactly its own optimizer
 * settings (lr but not for DAdapt, momentum for SGD, weight decay for AdamW/DAdapt) on top of the
 * shared ones; the CLI flags parse and reject bad values by name; link fields round-trip.
 */
import { describe, expect, it } from 'vitest';
import { METHODS } from '../../../solver/methods/index';
import { decodeLinkFields, defaultsOf, encodeLinkFields, flagHelp, parseFlags, validateValues, type AnyValues } from '../../../solver/params/table';

const SHARED = ['arch', 'image', 'bias', 'loss', 'epochs', 'batch', 'sampling', 'logEvery', 'seed'];

describe('deep method tables', () => {
  const own = { adam: ['lr'], adamw: ['lr', 'weightDecay'], sgd: ['lr', 'momentum'], 'dadapt-adam': ['weightDecay'] } as const;
  for (const [id, extra] of Object.entries(own) as [keyof typeof own, readonly string[]][]) {
    it(`${id}: the shared settings plus ${extra.join(', ')}; defaults valid; flags and link fields work`, () => {
      const table = METHODS[id].params;
      expect(Object.keys(table).sort()).toEqual([...SHARED, ...extra].sort());
      const defaults = defaultsOf(table) as AnyValues;
      expect(validateValues(table, defaults)).toEqual([]);
      const argv = ['--arch', 'cnn:8,16', '--image', '28x28x1', '--epochs', '3', '--batch', '64', ...(extra.includes('lr') ? ['--lr', '3e-4'] : []), ...(extra.includes('weightDecay') ? ['--weight-decay', '0.01'] : [])];
      const parsed = parseFlags(table, argv);
      expect(parsed).toMatchObject({ arch: 'cnn:8,16', image: '28x28x1', epochs: 3, batch: 64 });
      if (!extra.includes('lr')) expect(() => parseFlags(table, ['--lr', '1'])).toThrow(/unknown option --lr/);
      expect(() => parseFlags(table, ['--epochs', '0'])).toThrow(/--epochs: "0" is not an integer in \[1, 10000\]/);
      expect(flagHelp(table).some((l) => l.includes('--arch SPEC') && l.includes('(default mlp:256,256)'))).toBe(true);
      const values = { ...defaults, ...parsed };
      const link = encodeLinkFields(table, values, defaults);
      expect(decodeLinkFields(table, JSON.parse(JSON.stringify(link)), 'solver', defaults)).toEqual(values);
    });
  }

  it('momentum and learning rate stay within the page limits on the command line too', () => {
    expect(() => parseFlags(METHODS.sgd.params, ['--momentum', '1'])).toThrow(/--momentum: "1" is not a number ≥ 0 and ≤ 0.999/);
    expect(() => parseFlags(METHODS.adam.params, ['--lr', '0'])).toThrow(/--lr: "0" is not a number ≥ 1e-8 and ≤ 10/);
  });
});
