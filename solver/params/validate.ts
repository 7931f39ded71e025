/**
 * The primitive checks of untrusted values (share links, session files, parameter tables). They
 * throw {@link Invalid} with a message that names the field path and the allowed values; public
 * decoders catch it at their boundary. They live under solver/ (no browser or Node API) so that
 * the parameter tables can validate with exactly the messages the share-link decoder has always
 * given; app/share/validate.ts re-exports them.
 */

/** A validation failure; never escapes a public decoder. */
export class Invalid extends Error {
  override name = 'Invalid';
}

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

/** An integer in [min, max]. */
export function int(v: unknown, path: string, min: number, max: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    throw new Invalid(`${path}: must be an integer in [${min}, ${max}], got ${describe(v)}`);
  }
  return v;
}

/** Bounds of a real number; `above` and `below` are exclusive. */
export interface NumberRange {
  min?: number;
  above?: number;
  max?: number;
  below?: number;
}

/** Whether `v` lies within every bound of `r` (the one range test of links, tables and the CLI). */
export function inRange(v: number, r: NumberRange): boolean {
  return (r.min === undefined || v >= r.min) && (r.above === undefined || v > r.above) && (r.max === undefined || v <= r.max) && (r.below === undefined || v < r.below);
}

/** A finite number within `range`'s inclusive bounds and `above` (callers word `below` themselves). */
export function num(v: unknown, path: string, range: NumberRange = {}): number {
  const ok = typeof v === 'number' && Number.isFinite(v) && inRange(v, { ...range, below: undefined });
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
