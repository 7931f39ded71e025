/**
 * The race section of a share link (app/share/race-link.ts): a race link decodes to the same race
 * on the same data, a link without a race keeps its exact bytes (the race is an optional v1
 * field), and a bad race section is refused naming the field.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS, type Settings } from '../../app/settings';
import { decodeState, encodeState, type ShareState } from '../../app/share/state';
import { fromShareState, toShareState } from '../../app/share/wire';
import { raceLinkJson, validateRaceLink, type RaceLink } from '../../app/share/race-link';
import { RACE_METHODS } from '../../solver/race/config';

const XOR: Settings = { ...DEFAULT_SETTINGS, dataset: 'xor', device: 'cpu', seed: 4 };
const RACE: RaceLink = { methods: ['cronos', 'adam', 'sgd'], arch: 'mlp:16', epochs: 3, batch: 32, lrDraws: 2, seed: 9, lrMode: 'grid', targetAccuracy: 0.8, cronosIters: 40 };

/** The state of `settings` with `race`. */
function raceState(settings: Settings, race: RaceLink): ShareState {
  return { ...toShareState(settings), race };
}

/** Decodes or fails the test with the decoder's message. */
function decoded(hash: string): ShareState {
  const r = decodeState(hash);
  if (!r.ok) throw new Error(r.error);
  return r.state;
}

describe('race links', () => {
  it('replay the race, its data and its seeds', () => {
    const state = decoded(encodeState(raceState(XOR, RACE)));
    expect(state.race).toStrictEqual(RACE);
    const applied = fromShareState(state, DEFAULT_SETTINGS);
    expect(applied.race).toStrictEqual(RACE);
    expect(applied.settings).toStrictEqual(XOR);
    expect(applied.notices).toEqual([]);
  });

  it('carry every method and leave unset optional fields out', () => {
    const all: RaceLink = { methods: RACE_METHODS, arch: 'cnn:4', epochs: 1, batch: 1, lrDraws: 100, seed: 0xffffffff, lrMode: 'random' };
    const state = decoded(encodeState(raceState(DEFAULT_SETTINGS, all)));
    expect(state.race).toStrictEqual(all);
    expect(Object.hasOwn(state.race ?? {}, 'targetAccuracy')).toBe(false);
  });

  it('leave a link without a race byte for byte as before', () => {
    const plain = encodeState(toShareState(XOR));
    const raced = encodeState(raceState(XOR, RACE));
    expect(raced).not.toBe(plain);
    const again = decoded(plain);
    expect(again.race).toBeUndefined();
    expect(encodeState(again)).toBe(plain);
    expect(fromShareState(again).race).toBeNull();
  });

  const bad: [string, Partial<Record<keyof RaceLink, unknown>>, RegExp][] = [
    ['an unknown method', { methods: ['cronos', 'lbfgs'] }, /race\.methods\[1\]: must be one of/],
    ['a method twice', { methods: ['adam', 'adam'] }, /adam is listed twice/],
    ['no method', { methods: [] }, /at least one method/],
    ['a bad architecture', { arch: 'mlp:0' }, /race\.arch/],
    ['zero epochs', { epochs: 0 }, /race\.epochs: must be an integer in \[1, 10000\]/],
    ['a fractional draw count', { lrDraws: 1.5 }, /race\.lrDraws/],
    ['an unknown lr mode', { lrMode: 'sobol' }, /race\.lrMode: must be one of random, grid/],
    ['a target above 1', { targetAccuracy: 1.5 }, /race\.targetAccuracy/],
  ];
  for (const [what, change, message] of bad) {
    it(`refuse ${what}`, () => {
      const r = encodeStateResult({ ...RACE, ...change } as RaceLink);
      expect(r).toMatch(message);
    });
  }

  it('refuse an unknown race field', () => {
    expect(() => validateRaceLink({ ...raceLinkJson(RACE), speed: 2 }, 'state.race')).toThrow(/state\.race: unknown field "speed"/);
  });
});

/** The encoder's refusal of a state with `race` (its message), or 'ok'. */
function encodeStateResult(race: RaceLink): string {
  try {
    encodeState(raceState(XOR, race));
    return 'ok';
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  }
}
