/** Read-out formatting. */
import { describe, expect, it } from 'vitest';
import { certifiedGap, fmt, fmtInt, fmtMs, fmtRate, fmtSetting, formatBytes, pct, share } from '../../app/format';

describe('format', () => {
  it('fmt: significant digits, trailing zeros dropped, exponents outside [1e-3, 1e5), dashes for non-finite', () => {
    expect(fmt(0)).toBe('0');
    expect(fmt(39.0131)).toBe('39.01');
    expect(fmt(0.5)).toBe('0.5');
    expect(fmt(12)).toBe('12');
    expect(fmt(1234.5678, 6)).toBe('1234.57');
    expect(fmt(0.000123)).toBe('1.230e-4');
    expect(fmt(2.5e7, 3)).toBe('2.50e7');
    expect(fmt(-0.25)).toBe('-0.25');
    expect(fmt(Number.NaN)).toBe('—');
    expect(fmt(Infinity)).toBe('—');
  });

  it('pct: one decimal and a dash for NaN', () => {
    expect(pct(0.9765)).toBe('97.7 %');
    expect(pct(1)).toBe('100.0 %');
    expect(pct(0)).toBe('0.0 %');
    expect(pct(Number.NaN)).toBe('—');
  });

  it('fmtSetting: menu labels of hyperparameters', () => {
    expect(fmtSetting(0)).toBe('0');
    expect(fmtSetting(0.001)).toBe('1e-3');
    expect(fmtSetting(1e-6)).toBe('1e-6');
    expect(fmtSetting(5e-4)).toBe('5×1e-4');
    expect(fmtSetting(0.1)).toBe('0.1');
    expect(fmtSetting(10)).toBe('10');
    expect(fmtSetting(32)).toBe('32');
  });

  it('durations, rates, integers, bytes and shares', () => {
    expect(fmtMs(2.345)).toBe('2.3 ms');
    expect(fmtMs(256.4)).toBe('256 ms');
    expect(fmtMs(2350)).toBe('2.35 s');
    expect(fmtMs(Number.NaN)).toBe('—');
    expect(fmtRate(0.4255)).toBe('0.43 /s');
    expect(fmtRate(42.04)).toBe('42.0 /s');
    expect(fmtRate(431.6)).toBe('432 /s');
    expect(fmtRate(null)).toBe('—');
    expect(fmtInt(65535)).toBe('65\u2009535');
    expect(fmtInt(999)).toBe('999');
    expect(formatBytes(7.32 * 2 ** 20)).toBe('7.32 MiB');
    expect(formatBytes(2 ** 30)).toBe('1.00 GiB');
    expect(share(7.32 * 2 ** 20, 2 ** 30)).toBe('0.71 %');
    expect(share(1, 2)).toBe('50.0 %');
    expect(share(1, 0)).toBe('—');
  });
});

describe('certifiedGap', () => {
  it('is the relative distance from f(u) down to the dual bound, and undefined before it means anything', () => {
    expect(certifiedGap({ objective: 10, dualObjective: 9 })).toBeCloseTo(0.1, 12);
    // The bound can exceed f(u) by float noise at the optimum (f(u) is not feasible exactly): no negative gap.
    expect(certifiedGap({ objective: 10, dualObjective: 10.000001 })).toBe(0);
    expect(certifiedGap({ objective: 0, dualObjective: 0 })).toBeUndefined();
    expect(certifiedGap({ objective: 5, dualObjective: Number.NaN })).toBeUndefined();
  });
});
