/**
 * The race section of a session file (issue 11): what a race reached, so that opening the file
 * shows its chart and table again without rerunning it. Only the source data is stored: the race
 * settings (as in a race link, app/share/race-link.ts) and every run's curve, learning rate and
 * end. The summaries (medians, bands, best learning rate, table) are derived, so the import
 * rebuilds them with the engine's own {@link raceResultsOf}. The import also checks every
 * number, because a session file is untrusted input.
 */
import { RACE_METHODS } from '../../solver/race/config';
import { raceResultsOf, type RaceResults } from '../../solver/race/race';
import type { CurvePoint } from '../../solver/race/stats';
import type { RaceRun, RunEnd } from '../../solver/race/summary';
import { raceLinkJson, validateRaceLink } from './race-link';
import { array, Invalid, num, object, oneOf, own, str } from './validate';

/** Bounds of a stored race. */
export const RACE_SESSION_LIMITS = {
  /** Runs in all: every method once, tuned ones once per draw (100 draws at the most). */
  runs: RACE_METHODS.length * 100,
  /** Points of one run's curve. */
  points: 1_000_000,
  /** Characters of a failed run's message. */
  errorChars: 2_000,
} as const;

const RUN_KEYS = ['method', 'lr', 'curve', 'end', 'error'] as const;
const POINT_KEYS = ['time_s', 'epoch', 'test_accuracy'] as const;
const ENDS: readonly RunEnd[] = ['converged', 'max-iterations', 'failed'];

/** A race as a session file holds it: its results and the device its runs trained on. */
export interface StoredRace {
  readonly results: RaceResults;
  readonly device: 'cpu' | 'gpu';
}

const DEVICES = ['cpu', 'gpu'] as const;

/** The race section as a session file writes it: the settings, the device and every run, in the results' order. */
export function raceSessionJson(r: StoredRace): Record<string, unknown> {
  const runs = r.results.methods.flatMap((m) =>
    m.runs.map((run) => ({ method: m.method, lr: run.lr, curve: run.curve, end: run.end, ...(run.error !== undefined ? { error: run.error } : {}) })),
  );
  return { config: raceLinkJson(r.results.config), device: r.device, runs };
}

/** One curve point, checked. */
function point(v: unknown, path: string): CurvePoint {
  const o = object(v, path, POINT_KEYS);
  const acc = own(o, 'test_accuracy');
  return {
    time_s: num(own(o, 'time_s'), `${path}.time_s`, { min: 0 }),
    epoch: num(own(o, 'epoch'), `${path}.epoch`, { min: 0 }),
    test_accuracy: acc === null ? null : num(acc, `${path}.test_accuracy`, { min: 0, max: 1 }),
  };
}

/** One run, checked: a method of the race, its learning rate (null: untuned), its curve and end. */
function run(v: unknown, path: string, methods: readonly string[]): RaceRun {
  const o = object(v, path, RUN_KEYS);
  const lr = own(o, 'lr');
  const end = own(o, 'end');
  const error = own(o, 'error');
  return {
    method: oneOf(own(o, 'method'), `${path}.method`, methods),
    lr: lr === null ? null : num(lr, `${path}.lr`, { above: 0 }),
    curve: array(own(o, 'curve'), `${path}.curve`, RACE_SESSION_LIMITS.points).map((p, i) => point(p, `${path}.curve[${i}]`)),
    end: end === null ? null : oneOf(end, `${path}.end`, ENDS),
    ...(error !== undefined ? { error: str(error, `${path}.error`, 0, RACE_SESSION_LIMITS.errorChars) } : {}),
  };
}

/** Validates a parsed race section and rebuilds its results; throws {@link Invalid} naming the field. */
export function validateRaceSession(raw: unknown, path: string): StoredRace {
  const o = object(raw, path, ['config', 'device', 'runs']);
  const config = validateRaceLink(own(o, 'config'), `${path}.config`);
  const device = oneOf(own(o, 'device'), `${path}.device`, DEVICES);
  const runs = array(own(o, 'runs'), `${path}.runs`, RACE_SESSION_LIMITS.runs).map((r, i) => run(r, `${path}.runs[${i}]`, config.methods));
  if (runs.length === 0) throw new Invalid(`${path}.runs: a stored race needs at least one run`);
  return { results: raceResultsOf(config, runs), device };
}
