/** Small numeric searches shared by the memory planners (plan.ts, size.ts). */

/**
 * Largest v in [1, hi] with ok(v), by bisection; 0 when none (hi < 1 or not even ok(1)).
 * `ok` must be monotone: true up to some v, false above.
 */
export function largestFitting(hi: number, ok: (v: number) => boolean): number {
  if (hi < 1 || !ok(1)) return 0;
  let lo = 1;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (ok(mid)) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}
