/** Small formatting helpers for messages (fixed locale, so messages are the same everywhere). */

/** 1234567 → "1,234,567". */
export function formatCount(n: number): string {
  return n.toLocaleString('en-US', { maximumFractionDigits: 0 });
}

/** "1 row", "3 rows". */
export function plural(n: number, word: string, many = `${word}s`): string {
  return `${formatCount(n)} ${n === 1 ? word : many}`;
}

/** A short list of quoted values: `"a", "b", "c", ...` (each cut to `maxLength` characters). */
export function quoteList(values: readonly string[], max = 5, maxLength = 30): string {
  const shown = values.slice(0, max).map((v) => JSON.stringify(v.length > maxLength ? `${v.slice(0, maxLength - 3)}...` : v));
  return shown.join(', ') + (values.length > max ? ', ...' : '');
}

/** 0.2345 → "23%". */
export function percent(fraction: number): string {
  return `${Math.round(fraction * 100)}%`;
}
