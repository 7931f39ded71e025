/**
 * A trainer's saved state ({@link TrainerState}, solver/trainer.ts) inside a session file, so that
 * "Continue training" loads it instead of replaying the run:
 * ```
 * { "format": "cronos-playground-state", "method": "cronos", "version": 1, "iteration": 40,
 *   "scalars": { "rho": 0.1, … }, "arrays": { "U": f64 tensor, … } }
 * ```
 * Arrays are written as exact float64 tensors (tensor-json.ts; float32 and 32-bit integers convert
 * exactly), and the trainer converts them back to what it keeps. Names are plain identifiers and
 * the counts are capped: a session file is user input.
 */
import { METHODS, type MethodRegistry } from '../../solver/methods/index';
import type { TrainerState } from '../../solver/trainer';
import { tensorFromJson, tensorToJson } from './tensor-json';
import { Invalid, int, num, object, oneOf, own, required } from './validate';

/** Most named arrays or scalars a saved state may hold. */
export const MAX_STATE_ENTRIES = 64;

// Dotted segments name a part's fields (the deep methods' optimizer state: `opt.count`).
const NAME = /^(?=.{1,64}$)[A-Za-z][A-Za-z0-9_]*(\.[A-Za-z][A-Za-z0-9_]*)*$/;

/** `state` as JSON-ready data. */
export function trainerStateToJson(state: TrainerState): Record<string, unknown> {
  const arrays: Record<string, unknown> = {};
  for (const [name, a] of Object.entries(state.arrays)) arrays[name] = tensorToJson(a instanceof Float64Array ? a : Float64Array.from(a), [a.length]);
  return { format: state.format, method: state.method, version: state.version, iteration: state.iteration, scalars: { ...state.scalars }, arrays };
}

/** Reads a saved state written by {@link trainerStateToJson}. Throws {@link Invalid} naming the field. */
export function trainerStateFromJson(v: unknown, path: string, methods: MethodRegistry = METHODS): TrainerState {
  const o = object(v, path, ['format', 'method', 'version', 'iteration', 'scalars', 'arrays']);
  oneOf(required(o, 'format', path), `${path}.format`, ['cronos-playground-state'] as const);
  const method = oneOf(required(o, 'method', path), `${path}.method`, Object.keys(methods));
  const version = int(required(o, 'version', path), `${path}.version`, 1, 1000);
  const iteration = int(required(o, 'iteration', path), `${path}.iteration`, 0, 2 ** 31 - 1);
  const scalars: Record<string, number> = {};
  for (const [name, x] of entries(required(o, 'scalars', path), `${path}.scalars`)) scalars[name] = num(x, `${path}.scalars.${name}`);
  const arrays: Record<string, Float64Array> = {};
  for (const [name, x] of entries(required(o, 'arrays', path), `${path}.arrays`)) arrays[name] = tensorFromJson(x, `${path}.arrays.${name}`, 'f64', [null]).data;
  return { format: 'cronos-playground-state', method, version, iteration, scalars, arrays };
}

/** The entries of a plain object with identifier keys, at most {@link MAX_STATE_ENTRIES}. */
function entries(v: unknown, path: string): [string, unknown][] {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new Invalid(`${path}: must be an object`);
  const keys = Object.keys(v);
  if (keys.length > MAX_STATE_ENTRIES) throw new Invalid(`${path}: more than ${MAX_STATE_ENTRIES} entries`);
  const o = object(v, path, keys);
  return keys.map((k) => {
    if (!NAME.test(k)) throw new Invalid(`${path}: ${JSON.stringify(k.slice(0, 40))} is not a valid name (letters, digits and _, dot-separated)`);
    return [k, own(o, k)];
  });
}
