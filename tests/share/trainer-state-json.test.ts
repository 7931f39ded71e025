import { describe, expect, it } from 'vitest';
import { trainerStateFromJson, trainerStateToJson } from '../../app/share/trainer-state-json';
import type { TrainerState } from '../../solver/trainer';

const state: TrainerState = {
  format: 'cronos-playground-state',
  method: 'cronos',
  version: 1,
  iteration: 40,
  scalars: { rho: 0.2, k: 40 },
  arrays: { U: Float64Array.of(1.5, -0, NaN, Infinity, 1e-300), Nu: Float32Array.of(0.1, -2.5) },
};

/** Through JSON text, as a session file carries it. */
const viaText = (v: unknown): unknown => JSON.parse(JSON.stringify(v));

describe('trainer state in session files', () => {
  it('round-trips exactly (NaN, ±Infinity, −0; float32 widened exactly)', () => {
    const back = trainerStateFromJson(viaText(trainerStateToJson(state)), 'state');
    expect(back.method).toBe('cronos');
    expect(back.iteration).toBe(40);
    expect(back.scalars).toEqual({ rho: 0.2, k: 40 });
    expect(Array.from(back.arrays.U)).toEqual([1.5, -0, NaN, Infinity, 1e-300]);
    expect(Object.is(back.arrays.U[1], -0)).toBe(true);
    expect(Array.from(back.arrays.Nu)).toEqual(Array.from(Float32Array.of(0.1, -2.5)));
  });

  it('rejects a wrong format, an unknown method, bad names and prototype keys, naming the field', () => {
    const good = viaText(trainerStateToJson(state)) as Record<string, unknown>;
    expect(() => trainerStateFromJson({ ...good, format: 'other' }, 'state')).toThrow(/state\.format/);
    expect(() => trainerStateFromJson({ ...good, method: 'lbfgs' }, 'state')).toThrow(/state\.method/);
    expect(() => trainerStateFromJson({ ...good, scalars: { 'bad name': 1 } }, 'state')).toThrow(/not a valid name/);
    expect(() => trainerStateFromJson(JSON.parse('{"format":"cronos-playground-state","method":"cronos","version":1,"iteration":1,"scalars":{"__proto__":1},"arrays":{}}'), 'state')).toThrow();
    expect(() => trainerStateFromJson({ ...good, iteration: -1 }, 'state')).toThrow(/state\.iteration/);
    expect(() => trainerStateFromJson({ ...good, extra: 1 }, 'state')).toThrow(/extra/);
  });
});
