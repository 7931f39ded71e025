/**
 * Thinner race results for the live view: every curve and band cut to at most `max` points
 * (evenly spaced by index, first and last kept), so a progress reply stays small whatever the
 * budget and the page's redraw costs the same at epoch 5 and at epoch 500. The numbers of the
 * summaries (peaks, finals, times) are the full race's.
 */
import type { MethodSummary, RaceResults, RunSummary } from '../../solver/race/index';

/** At most `max` (≥ 2) items of `items`, evenly by index, keeping the first and the last. */
export function thin<T>(items: readonly T[], max: number): readonly T[] {
  if (items.length <= max) return items;
  const keep = Math.max(2, max);
  return Array.from({ length: keep }, (_, i) => items[Math.round((i * (items.length - 1)) / (keep - 1))]);
}

/** A run's summary with its curve thinned. */
function thinRun(r: RunSummary, max: number): RunSummary {
  return { ...r, curve: thin(r.curve, max) };
}

/** A method's summary with its curves and bands thinned. */
function thinMethod(m: MethodSummary, max: number): MethodSummary {
  return { ...m, curve: thin(m.curve, max), band_epochs: thin(m.band_epochs, max), band_time: thin(m.band_time, max), runs: m.runs.map((r) => thinRun(r, max)) };
}

/** `r` with every curve and band at most `max` points. */
export function downsampleResults(r: RaceResults, max: number): RaceResults {
  return { ...r, methods: r.methods.map((m) => thinMethod(m, max)) };
}
