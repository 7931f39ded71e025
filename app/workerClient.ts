/**
 * The page's side of the Worker connection: a typed `send`, and incoming messages delivered in
 * one batch per animation frame (see frames.ts). Data-ingestion and race replies go to their
 * own callbacks: the run reducer never sees them.
 */
import type { FromIngest } from './ingest/protocol';
import { FrameBatcher, type ScheduleFrame } from './frames';
import { isIngestReply, type FromWorker, type ToWorker, type WorkerReply } from './protocol';
import { isRaceReply, type FromRace } from './race/protocol';

/** A running solver Worker. */
export interface WorkerClient {
  send(msg: ToWorker): void;
  /** Terminates the Worker (its GPU resources go with it). */
  dispose(): void;
}

/**
 * Starts the solver Worker; `onBatch` receives its run messages, `onIngest` its ingestion
 * replies and `onRace` its race replies, each a frame's worth at a time.
 */
export function createWorkerClient(
  onBatch: (messages: FromWorker[]) => void,
  schedule?: ScheduleFrame,
  onIngest?: (replies: FromIngest[]) => void,
  onRace?: (replies: FromRace[]) => void,
): WorkerClient {
  const worker = new Worker(new URL('./solver.worker.ts', import.meta.url), { type: 'module', name: 'cronos-solver' });
  const batcher = new FrameBatcher<FromWorker>(onBatch, schedule);
  const ingest = new FrameBatcher<FromIngest>((replies) => onIngest?.(replies), schedule);
  const race = new FrameBatcher<FromRace>((replies) => onRace?.(replies), schedule);
  worker.onmessage = (ev: MessageEvent<WorkerReply>) => {
    if (isIngestReply(ev.data)) ingest.push(ev.data);
    else if (isRaceReply(ev.data)) race.push(ev.data);
    else batcher.push(ev.data);
  };
  worker.onerror = (ev: ErrorEvent) => {
    // A Worker that fails to load (or throws outside a command) would otherwise leave the page spinning.
    ev.preventDefault();
    batcher.push({ type: 'error', run: Number.MAX_SAFE_INTEGER, message: `The solver Worker failed: ${ev.message || 'could not start'}` });
  };
  // The device-loss test hook of the e2e suite: `?simulate-device-loss=K` destroys the GPU device
  // before iteration K of the page's first run (app/worker/session.ts, solver/resilience.ts).
  const at = simulatedDeviceLoss(globalThis.location?.search ?? '');
  if (at !== null) worker.postMessage({ type: 'simulate-device-loss', at } satisfies ToWorker);
  return {
    send: (msg) => worker.postMessage(msg),
    dispose: () => worker.terminate(),
  };
}

/** K of a `simulate-device-loss=K` query parameter (a whole number ≥ 1), else null. */
export function simulatedDeviceLoss(search: string): number | null {
  const v = new URLSearchParams(search).get('simulate-device-loss');
  if (v === null || !/^\d+$/.test(v)) return null;
  const k = Number(v);
  return k >= 1 ? k : null;
}
