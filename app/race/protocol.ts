/**
 * The race messages between the page and the solver Worker (issue 11). The page starts a race on
 * the data of its settings and stops it; the Worker answers with progress (at most every
 * {@link RACE_PROGRESS_MS}, curves downsampled so the main thread stays light), the full results
 * when the race ends or is stopped, or an error. Every reply names the race it belongs to, so
 * the page drops the replies of a race it has replaced. Everything is plain structured-clone
 * data: the page never sees a trainer or a GPU buffer.
 */
import type { RaceConfig, RaceResults } from '../../solver/race/index';
import type { Settings } from '../settings';

/** Least time between two progress replies of a race. */
export const RACE_PROGRESS_MS = 250;
/** Most points of any curve in a progress reply (the final results keep every point). */
export const RACE_PROGRESS_POINTS = 120;

/** Race commands from the page. */
export type ToRace =
  /** Start race `race` (replacing any race running) on the data of `settings`, on its device. */
  | { type: 'race-start'; race: number; settings: Settings; config: RaceConfig }
  /** Stop race `race`: its trainers are freed and its results as they stand are sent. */
  | { type: 'race-stop'; race: number };

/** How far a race is. */
export interface RaceProgress {
  /** Runs ended (finished, converged or failed). */
  readonly done: number;
  readonly total: number;
  /** The device the runs train on. */
  readonly device: 'cpu' | 'gpu';
}

/** Race replies from the Worker. */
export type FromRace =
  /** The results so far, every curve at most {@link RACE_PROGRESS_POINTS} points. */
  | { type: 'race-progress'; race: number; progress: RaceProgress; results: RaceResults }
  /** The results with every point: the race ended, or was stopped (`stopped`). */
  | { type: 'race-results'; race: number; progress: RaceProgress; results: RaceResults; stopped: boolean }
  /** The race could not start (bad settings, no test rows, the data failed to load). */
  | { type: 'race-error'; race: number; message: string };

/** True for the race replies (their type starts with 'race-'). */
export function isRaceReply(m: { type: string }): m is FromRace {
  return m.type.startsWith('race-');
}
