/**
 * The resilient stepping of a command-line run, shared by CRONOS's own run (cli/cronos.ts) and
 * every other method's (cli/train-method.ts): the run goes through solver/resilience.ts
 * (checkpoints, a new device after a loss, the CPU after too many, the last good state on a
 * numerical breakdown) with the CLI's test hooks, and its events are logged as they happen.
 */
import type { DeviceKind } from '../solver/types';
import { ResilientRun, RunBrokeDownError, type Attempt, type RunEvent } from '../solver/resilience';
import type { MetricsRecord, Trainer, TrainerState } from '../solver/trainer';
import { simulatedNaN } from './test-hooks';

/** What {@link startCliRun} needs besides the trainer factory. */
export interface CliRunOptions<T extends Trainer> {
  create(device: DeviceKind): Promise<Attempt<T>>;
  device: DeviceKind;
  /** The state a `--resume` run starts from. */
  initial: TrainerState | null;
  /** `--simulate-device-loss K`. */
  simulateDeviceLoss?: number;
  /** What a step is called in the log (`iteration`, `step`). */
  unit: string;
  log(line: string): void;
}

/** The started run and the events it reports (appended as they happen). */
export interface CliRun<T extends Trainer<M>, M extends MetricsRecord> {
  run: ResilientRun<T, M>;
  events: RunEvent[];
}

/** Starts a resilient run with the CLI's test hooks; every event is kept and logged. */
export async function startCliRun<T extends Trainer<M>, M extends MetricsRecord = MetricsRecord>(o: CliRunOptions<T>): Promise<CliRun<T, M>> {
  const events: RunEvent[] = [];
  const run = await ResilientRun.start<T, M>({
    create: o.create,
    device: o.device,
    initial: o.initial,
    ...(o.simulateDeviceLoss !== undefined ? { simulateDeviceLoss: o.simulateDeviceLoss } : {}),
    ...simulatedNaN(),
    onEvent: (e) => {
      events.push(e);
      o.log(`event at ${o.unit} ${e.iteration}: ${e.type}: ${e.detail}`);
    },
  });
  return { run, events };
}

/**
 * Steps `run` until its trainer is finished, appending each record to `history` and handing it
 * to `onStep`. A breakdown after good steps ends the loop and is returned (the last good state is
 * what gets reported); at the first step there is nothing to report, so the breakdown is thrown.
 */
export async function stepToEnd<T extends Trainer<M>, M extends MetricsRecord>(run: ResilientRun<T, M>, history: M[], onStep: (m: M) => void | Promise<void>): Promise<RunBrokeDownError | null> {
  for (;;) {
    let m: M;
    try {
      m = await run.step();
    } catch (e) {
      if (e instanceof RunBrokeDownError && history.length > 0) return e;
      throw e instanceof RunBrokeDownError ? e.breakdown : e;
    }
    history.push(m);
    await onStep(m);
    if (run.trainer.finished(m)) return null;
  }
}
