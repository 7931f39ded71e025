/**
 * A tiny strict validator for untrusted JSON (share links, session files). Checks throw
 * {@link Invalid} with a message that names the field path and the allowed values; the public
 * decoders catch it at their boundary and return `{ ok: false, error }`, so nothing escapes.
 *
 * Untrusted objects are only read through {@link own}: a plain `o[key]` would find inherited
 * members such as `constructor` or `__proto__` on a JSON object that does not define them.
 */

/** A validation failure; never escapes a public decoder. */
export class Invalid extends Error {
  override name = 'Invalid';
}

/** The outcome of every public decoder: a value, or a message for the user. */
export type Result<T> = { ok: true; value: T } | { ok: false; error: string };

/** Largest unsigned 32-bit integer: seeds are uint32 because the RNG truncates to 32 bits. */
export const UINT32_MAX = 0xffffffff;

/** A short, safe description of an untrusted value for error messages (strings are clipped). */
export function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  switch (typeof v) {
    case 'string':
      return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v);
    case 'number':
    case 'boolean':
      return String(v);
    case 'undefined':
      return 'nothing';
    case 'object':
      return 'an object';
    default:
      return typeof v;
  }
}

/** `o`'s own property `key`, or undefined (never an inherited member). */
export function own(o: Record<string, unknown>, key: string): unknown {
  return Object.prototype.hasOwnProperty.call(o, key) ? o[key] : undefined;
}

/** True when `o` has its own property `key`. */
export function has(o: Record<string, unknown>, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(o, key);
}

/** A plain JSON object whose keys are all in `allowed`. */
export function object(v: unknown, path: string, allowed: readonly string[]): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new Invalid(`${path}: must be an object, got ${describe(v)}`);
  for (const key of Object.keys(v)) {
    if (!allowed.includes(key)) {
      throw new Invalid(`${path}: unknown field ${describe(key)} (allowed: ${allowed.join(', ')})`);
    }
  }
  return v as Record<string, unknown>;
}

/** A required field: its value, or an error naming it. */
export function required(o: Record<string, unknown>, key: string, path: string): unknown {
  if (!has(o, key)) throw new Invalid(`${path}.${key}: is required`);
  return o[key];
}

/** An integer in [min, max]. */
export function int(v: unknown, path: string, min: number, max: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    throw new Invalid(`${path}: must be an integer in [${min}, ${max}], got ${describe(v)}`);
  }
  return v;
}

/** Bounds of a real number; `above` is an exclusive lower bound. */
export interface NumberRange {
  min?: number;
  above?: number;
  max?: number;
}

/** A finite number within `range`. */
export function num(v: unknown, path: string, range: NumberRange = {}): number {
  const ok =
    typeof v === 'number' &&
    Number.isFinite(v) &&
    (range.min === undefined || v >= range.min) &&
    (range.above === undefined || v > range.above) &&
    (range.max === undefined || v <= range.max);
  if (!ok) throw new Invalid(`${path}: must be a finite number ${rangeText(range)}, got ${describe(v)}`);
  return v as number;
}

function rangeText(r: NumberRange): string {
  const lo = r.above !== undefined ? `> ${r.above}` : r.min !== undefined ? `≥ ${r.min}` : '';
  const hi = r.max !== undefined ? `≤ ${r.max}` : '';
  return [lo, hi].filter(Boolean).join(' and ') || '(any)';
}

/** true or false. */
export function bool(v: unknown, path: string): boolean {
  if (typeof v !== 'boolean') throw new Invalid(`${path}: must be true or false, got ${describe(v)}`);
  return v;
}

/** One of the listed strings. */
export function oneOf<T extends string>(v: unknown, path: string, values: readonly T[]): T {
  if (typeof v !== 'string' || !(values as readonly string[]).includes(v)) {
    throw new Invalid(`${path}: must be one of ${values.join(', ')}, got ${describe(v)}`);
  }
  return v as T;
}

/** A string of [minLength, maxLength] UTF-16 code units. */
export function str(v: unknown, path: string, minLength: number, maxLength: number): string {
  if (typeof v !== 'string') throw new Invalid(`${path}: must be a string, got ${describe(v)}`);
  if (v.length < minLength || v.length > maxLength) {
    throw new Invalid(`${path}: must be ${minLength}–${maxLength} characters long, got ${v.length}`);
  }
  return v;
}

/** An array of at most `maxLength` items. */
export function array(v: unknown, path: string, maxLength: number): unknown[] {
  if (!Array.isArray(v)) throw new Invalid(`${path}: must be an array, got ${describe(v)}`);
  if (v.length > maxLength) throw new Invalid(`${path}: must have at most ${maxLength} items, got ${v.length}`);
  return v;
}

/** An http: or https: URL without user name or password (a link must not carry credentials). */
export function httpUrl(v: unknown, path: string, maxLength: number): string {
  const s = str(v, path, 1, maxLength);
  let url: URL;
  try {
    url = new URL(s);
  } catch {
    throw new Invalid(`${path}: must be an absolute http: or https: URL, got ${describe(s)}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new Invalid(`${path}: must use http: or https:, got ${describe(url.protocol)}`);
  }
  if (url.username !== '' || url.password !== '') throw new Invalid(`${path}: must not contain a user name or password`);
  return s;
}

/** The message of any thrown value; `Invalid` messages are for users, others are internal. */
export function errorMessage(e: unknown, what: string): string {
  if (e instanceof Invalid) return e.message;
  return `${what}: ${e instanceof Error ? e.message : String(e)}`;
}
