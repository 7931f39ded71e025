/**
 * The share and export messages between the page and the solver Worker (part of the unions of
 * protocol.ts; their types start with 'share-'). `share-export` asks for the current solution and
 * network (RunExport); `share-restore` opens a session file: the Worker rebuilds its problem from
 * the settings and shows the saved results without training, and loads the saved trainer state
 * (or, for files without one, replays the saved iterations) if the user continues the run.
 */
import type { MetricsRecord, TrainerState } from '../../solver/trainer';
import type { Settings } from '../settings';
import type { RunExport } from './wire-run';

/** The convex iterates of a saved run. */
export interface SavedSolution {
  U: Float64Array;
  V: Float64Array;
}

/** Share commands from the page. */
export type ToShare =
  /** Reply with a `share-export` of the current run (answered after a step in flight). */
  | { type: 'share-export'; id: number }
  /**
   * Build the problem of `settings` (no training), then report `history` as the run's metrics
   * and a snapshot of `solution`. The run is paused, or finished as the history ended.
   */
  | { type: 'share-restore'; settings: Settings; history: MetricsRecord[]; solution: SavedSolution | null; state?: TrainerState | null };

/** Share replies from the Worker. */
export type FromShare = { type: 'share-export'; run: number; id: number; result: RunExport | null; error: string | null };

/** True for the share replies (their type starts with 'share-'). */
export function isShareReply(m: { type: string }): m is FromShare {
  return m.type.startsWith('share-');
}
