/** The CLI's test hooks that are not flags (environment variables), shared by the CRONOS and the generic runs. */
import { UsageError } from './args';

/**
 * The NaN-injection test hook: `CRONOS_SIMULATE_NAN=K` (or `K:inf`) makes the iterates NaN (∞)
 * just before iteration K. An environment variable, not a flag: it exists for tests only.
 */
export function simulatedNaN(): { simulateNaN?: { iteration: number; value: number } } {
  const spec = process.env.CRONOS_SIMULATE_NAN;
  if (spec === undefined || spec === '') return {};
  const m = /^(\d+)(?::(nan|inf|-inf))?$/i.exec(spec.trim());
  const iteration = m ? Number(m[1]) : NaN;
  if (!m || !(iteration >= 1)) throw new UsageError(`CRONOS_SIMULATE_NAN=${JSON.stringify(spec)} is not K or K:nan|inf|-inf with K ≥ 1 (the iteration to poison).`);
  const kind = (m[2] ?? 'nan').toLowerCase();
  return { simulateNaN: { iteration, value: kind === 'inf' ? Infinity : kind === '-inf' ? -Infinity : NaN } };
}
