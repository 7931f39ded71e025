/**
 * The Worker's run session (app/worker/session.ts) driven in Node on the float64 CPU solver, with
 * every posted message collected and the steps run by hand (`pump`), so a test decides when the
 * next iteration runs. Shared by the app-*session and share-worker suites.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { FromWorker, ToWorker } from '../../app/protocol';
import { Session, type SessionEnv } from '../../app/worker/session';
import { createSolver } from '../../solver/index';
import { ROOT } from './paths';

/** public/datasets, where the built-in files are read from. */
export const DATASET_DIR = resolve(ROOT, 'public', 'datasets');

/** A session whose messages are collected; the clock advances 1 ms per call. */
export function sessionHarness(extra: Partial<SessionEnv> = {}) {
  const messages: FromWorker[] = [];
  let clock = 0;
  const deferred: (() => void)[] = [];
  const env: SessionEnv = {
    post: (m) => messages.push(m),
    fetchText: async (file) => readFileSync(resolve(DATASET_DIR, file), 'utf8'),
    createSolver,
    adapter: async () => null,
    now: () => ++clock,
    defer: (fn) => deferred.push(fn),
    ...extra,
  };
  const session = new Session(env);
  return {
    messages,
    session,
    send: (m: ToWorker) => session.handle(m),
    /** Lets the run loop take `k` more steps. */
    async pump(k: number) {
      for (let t = 0; t < k; t++) {
        await session.idle();
        const fn = deferred.shift();
        if (!fn) break;
        fn();
        await session.idle();
      }
    },
    of: <T extends FromWorker['type']>(type: T) => messages.filter((m): m is Extract<FromWorker, { type: T }> => m.type === type),
    lastState: () => messages.filter((m) => m.type === 'state').at(-1),
  };
}
