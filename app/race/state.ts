/**
 * The race view's state (issue 11), folded from the Worker's race replies: which race is shown,
 * where it is, its results (live, then full) and what went wrong. Pure, so it is tested in Node;
 * replies of a race the page has replaced are dropped.
 */
import type { RaceConfig, RaceResults } from '../../solver/race/index';
import type { FromRace, RaceProgress } from './protocol';

/** Where the race view's race is. */
export type RacePhase = 'idle' | 'starting' | 'running' | 'done' | 'stopped' | 'error';

/** Everything the race view shows. */
export interface RaceViewState {
  /** The id of the race shown (0 before the first). */
  readonly race: number;
  readonly phase: RacePhase;
  /** The config the race was started with. */
  readonly config: RaceConfig | null;
  readonly progress: RaceProgress | null;
  readonly results: RaceResults | null;
  readonly error: string | null;
}

/** No race yet. */
export const INITIAL_RACE_STATE: RaceViewState = { race: 0, phase: 'idle', config: null, progress: null, results: null, error: null };

/** What changes the race view. */
export type RaceAction =
  | { type: 'start'; race: number; config: RaceConfig }
  | { type: 'replies'; replies: readonly FromRace[] }
  /** A race a session file held: shown as a finished race under a new id. */
  | { type: 'restore'; race: number; results: RaceResults; device: 'cpu' | 'gpu' };

/** One reply into the state (replies of another race are dropped). */
function reply(s: RaceViewState, m: FromRace): RaceViewState {
  if (m.race !== s.race) return s;
  switch (m.type) {
    case 'race-progress':
      // A progress reply that overtook the final one must not reopen a finished race.
      return s.phase === 'starting' || s.phase === 'running' ? { ...s, phase: 'running', progress: m.progress, results: m.results } : s;
    case 'race-results':
      return { ...s, phase: m.stopped ? 'stopped' : 'done', progress: m.progress, results: m.results };
    case 'race-error':
      return { ...s, phase: 'error', error: m.message };
  }
}

/** The race view's reducer. */
export function raceReducer(s: RaceViewState, a: RaceAction): RaceViewState {
  if (a.type === 'start') return { race: a.race, phase: 'starting', config: a.config, progress: null, results: null, error: null };
  if (a.type === 'restore') {
    const runs = a.results.methods.flatMap((m) => m.runs);
    const progress = { done: runs.filter((r) => r.end !== null).length, total: runs.length, device: a.device };
    return { race: a.race, phase: 'done', config: a.results.config, progress, results: a.results, error: null };
  }
  return a.replies.reduce(reply, s);
}

/** Whether the race is under way (the Start button then reads Stop). */
export function raceActive(s: RaceViewState): boolean {
  return s.phase === 'starting' || s.phase === 'running';
}
