/**
 * The page's view of the current run, as a reducer over batches of Worker messages. Messages
 * of a run that has been replaced are dropped; a message of a newer run starts a fresh state
 * (keeping the previous problem's views until the new `ready` arrives, so the layout does not
 * jump while the next problem builds).
 */
import type { AdapterSummary } from '../solver/gpu/context';
import type { MetricsRecord } from '../solver/trainer';
import type { RunEvent } from '../solver/resilience';
import type { DeviceKind } from '../solver/types';
import type { FinishReason, FromWorker, GpuResourceSample, MemoryReport, ProblemView, RunStatus, RunSummary, Snapshot } from './protocol';

/** Everything the page renders about the run. */
export interface RunState {
  /** Run number of the newest message seen (-1 before any). */
  run: number;
  status: RunStatus;
  /** What the Worker is doing while loading. */
  phase: string | null;
  finished: FinishReason | null;
  device: DeviceKind | null;
  adapter: AdapterSummary | null;
  fallbackReason: string | null;
  /** The PCG preconditioner in use and why (null until the solver is built, or for a method without one). */
  preconditioner: string | null;
  /** The run's method, data and (CRONOS) convex program. */
  problem: RunSummary | null;
  memory: MemoryReport | null;
  view: ProblemView | null;
  /** The newest step's metrics record (the method's keys; see its descriptors). */
  latest: MetricsRecord | null;
  /** Exponential moving average of the milliseconds per ADMM step. */
  msPerStep: number | null;
  snapshot: Snapshot | null;
  error: string | null;
  /** The newest count of live GPU buffers on the Worker's device (null on the CPU). */
  resources: GpuResourceSample | null;
  /** What happened to the run on the way (device lost and recovered, CPU fallback), for the page's notice. */
  notice: string | null;
}

/** The state before the Worker has said anything. */
export const INITIAL_RUN_STATE: RunState = {
  run: -1,
  status: 'loading',
  phase: 'Starting the solver',
  finished: null,
  device: null,
  adapter: null,
  fallbackReason: null,
  preconditioner: null,
  problem: null,
  memory: null,
  view: null,
  latest: null,
  msPerStep: null,
  snapshot: null,
  error: null,
  resources: null,
  notice: null,
};

/** Weight of the newest step in {@link RunState.msPerStep}. */
const MS_EMA = 0.2;

/** Actions: a frame's worth of Worker messages. */
export type RunAction = { type: 'messages'; messages: FromWorker[] };

/** Applies a batch of messages in order. */
export function runReducer(state: RunState, action: RunAction): RunState {
  let s = state;
  for (const msg of action.messages) s = applyMessage(s, msg);
  return s;
}

/** Applies one message. */
export function applyMessage(state: RunState, msg: FromWorker): RunState {
  // Runs added beside the page's run (a race) have their own views; they never replace this one.
  if ('slot' in msg && msg.slot !== undefined) return state;
  if (msg.run < state.run) return state;
  const s: RunState = msg.run > state.run ? { ...state, run: msg.run, latest: null, msPerStep: null, snapshot: null, finished: null, error: null, notice: null } : { ...state };
  switch (msg.type) {
    case 'phase':
      s.phase = msg.phase;
      s.status = 'loading';
      return s;
    case 'ready':
      return {
        ...s,
        phase: null,
        device: msg.device,
        adapter: msg.adapter,
        fallbackReason: msg.fallbackReason,
        preconditioner: msg.preconditioner ?? null,
        problem: msg.problem,
        memory: msg.memory,
        view: msg.view,
      };
    case 'metrics':
      s.latest = msg.metrics;
      s.msPerStep = s.msPerStep === null ? msg.metrics.timeMs : (1 - MS_EMA) * s.msPerStep + MS_EMA * msg.metrics.timeMs;
      return s;
    case 'snapshot':
      s.snapshot = msg.snapshot;
      return s;
    case 'resources':
      s.resources = msg.resources;
      return s;
    case 'state':
      s.status = msg.status;
      s.finished = msg.finished;
      if (msg.status !== 'loading') s.phase = null;
      return s;
    case 'error':
      s.status = 'error';
      s.error = msg.message;
      s.phase = null;
      return s;
    case 'event':
      return applyEvent(s, msg.event);
    case 'share-export':
      // Answers to export requests; the page's share code takes them (app/share/wire-hooks.ts).
      return state;
  }
}

/** A run event as the page's notice; a CPU fallback also moves the device read-out. */
function applyEvent(s: RunState, e: RunEvent): RunState {
  switch (e.type) {
    case 'device-lost':
      return { ...s, notice: `The GPU device was lost at iteration ${e.iteration}; the run continues from its last checkpoint. (${e.detail})` };
    case 'recovered':
      return { ...s, notice: `The GPU device was lost and replaced; training went on from the last checkpoint with the same results. (${e.detail})` };
    case 'fallback-cpu':
      return { ...s, device: 'cpu', fallbackReason: e.detail, notice: `The GPU device was lost; training goes on on the CPU solver from the last checkpoint. (${e.detail})` };
    case 'restored-last-good':
      return { ...s, notice: `The run stopped at iteration ${e.iteration}, its last good state; the charts, views and exports show that iteration.` };
    default:
      return s;
  }
}

/** ADMM iterations per second from the step time (null before the first step). */
export function iterationsPerSecond(state: Pick<RunState, 'msPerStep'>): number | null {
  return state.msPerStep === null || state.msPerStep <= 0 ? null : 1000 / state.msPerStep;
}
