/** Number formatting for metric read-outs. */

/** Compact scientific/decimal formatting; '—' for NaN. */
export function fmt(v: number, digits = 4): string {
  if (!Number.isFinite(v)) return '—';
  if (v === 0) return '0';
  const a = Math.abs(v);
  return a >= 1e-3 && a < 1e5 ? v.toPrecision(digits) : v.toExponential(digits - 1);
}

/** A fraction in [0, 1] as a percentage. */
export function pct(v: number): string {
  return Number.isFinite(v) ? `${(100 * v).toFixed(1)} %` : '—';
}
