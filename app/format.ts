/** Number formatting for read-outs (pure; unit-tested in tests/app-format.test.ts). */
import { formatBytes } from '../data/size';

export { formatBytes };

/** Compact scientific/decimal formatting with `digits` significant digits; '—' for NaN/±Inf. */
export function fmt(v: number, digits = 4): string {
  if (!Number.isFinite(v)) return '—';
  if (v === 0) return '0';
  const a = Math.abs(v);
  return a >= 1e-3 && a < 1e5 ? trimZeros(v.toPrecision(digits)) : v.toExponential(digits - 1).replace('e+', 'e');
}

/** Drops trailing zeros of a decimal ("0.5000" → "0.5", "12.00" → "12"). */
function trimZeros(s: string): string {
  return s.includes('.') && !s.includes('e') ? s.replace(/\.?0+$/, '') : s;
}

/** A fraction in [0, 1] as a percentage with one decimal ("97.3 %"); '—' for NaN. */
export function pct(v: number): string {
  return Number.isFinite(v) ? `${(100 * v).toFixed(1)} %` : '—';
}

/** A setting value for menus: 0.001 → "1e-3", 0.1 → "0.1", 32 → "32". */
export function fmtSetting(v: number): string {
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a < 0.01 || a >= 1e5) {
    const [m, e] = v.toExponential().split('e');
    return `${m === '1' ? '' : `${m}×`}1e${Number(e)}`;
  }
  return String(v);
}

/** Milliseconds as "850 ms" or "1.25 s". */
export function fmtMs(ms: number): string {
  if (!Number.isFinite(ms)) return '—';
  return ms < 1000 ? `${ms < 10 ? ms.toFixed(1) : Math.round(ms)} ms` : `${(ms / 1000).toFixed(2)} s`;
}

/** A rate per second with a sensible number of digits ("3.4 /s", "120 /s"). */
export function fmtRate(perSecond: number | null): string {
  if (perSecond === null || !Number.isFinite(perSecond)) return '—';
  return `${perSecond < 10 ? perSecond.toFixed(2) : perSecond < 100 ? perSecond.toFixed(1) : Math.round(perSecond)} /s`;
}

/** An integer with thin-space thousands separators (3000 → "3 000"). */
export function fmtInt(v: number): string {
  return Number.isFinite(v) ? Math.round(v).toString().replace(/\B(?=(\d{3})+(?!\d))/g, '\u2009') : '—';
}

/** `part` of `whole` as a percentage string for meters ("12.5 %"), '—' without a whole. */
export function share(part: number, whole: number): string {
  return whole > 0 && Number.isFinite(part) ? `${((100 * part) / whole).toFixed(part / whole < 0.1 ? 2 : 1)} %` : '—';
}

/**
 * (f(u) − dual bound)/f(u): how far, at most, the objective is above the optimum f* (the dual
 * bound is a certified lower bound, solver/residuals.ts); undefined before it is meaningful.
 */
export function certifiedGap(m: { objective: number; dualObjective: number }): number | undefined {
  if (!(m.objective > 0) || !Number.isFinite(m.dualObjective)) return undefined;
  return Math.max(0, m.objective - m.dualObjective) / m.objective;
}
