/**
 * A tiny strict validator for untrusted JSON (share links, session files). Checks throw
 * {@link Invalid} with a message that names the field path and the allowed values; the public
 * decoders catch it at their boundary and return `{ ok: false, error }`, so nothing escapes.
 *
 * Untrusted objects are only read through {@link own}: a plain `o[key]` would find inherited
 * members such as `constructor` or `__proto__` on a JSON object that does not define them.
 */
import { describe, has, Invalid } from '../../solver/params/validate';

/** The outcome of every public decoder: a value, or a message for the user. */
export type Result<T> = { ok: true; value: T } | { ok: false; error: string };

/** Largest unsigned 32-bit integer: seeds are uint32 because the RNG truncates to 32 bits. */
export const UINT32_MAX = 0xffffffff;

// The primitive checks moved to solver/params so the parameter tables share their messages.
export { bool, describe, has, int, Invalid, num, object, oneOf, own, type NumberRange } from '../../solver/params/validate';

/** A required field: its value, or an error naming it. */
export function required(o: Record<string, unknown>, key: string, path: string): unknown {
  if (!has(o, key)) throw new Invalid(`${path}.${key}: is required`);
  return o[key];
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
