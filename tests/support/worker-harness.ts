/**
 * The Worker's run session (app/worker/session.ts) driven in Node on the float64 CPU solver, with
 * every posted message collected and the steps run by hand (`pump`), so a test decides when the
 * next iteration runs. Shared by the app-*session and share-worker suites.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { FromWorker, ToWorker } from '../../app/protocol';
import { isRaceReply, type FromRace } from '../../app/race/protocol';
import { Session, type SessionEnv } from '../../app/worker/session';
import { createSolver, type CreateSolverOptions } from '../../solver/index';
import { CRONOS_PARAMS, type CronosParams } from '../../solver/methods/cronos/params';
import { CronosTrainer, cronosProblem } from '../../solver/methods/cronos/trainer';
import { defineMethod, METHODS, type MethodRegistry } from '../../solver/methods/index';
import type { TrainerEnv, TrainingData } from '../../solver/trainer';
import { pick } from '../../solver/params/table';
import type { CronosSolver } from '../../solver/solver';
import type { Problem, SolverConfig } from '../../solver/types';
import { ROOT } from './paths';

/** A CRONOS solver factory (tests wrap the real one to count, fail or diverge). */
export type CreateSolverFn = (problem: Problem, config: SolverConfig, opts: CreateSolverOptions) => Promise<CronosSolver>;

/**
 * The registry with CRONOS's trainer built around `create` instead of the real solver factory
 * (the Worker builds every run through the registry; this is the tests' seam into it).
 */
export function cronosWithSolver(create: CreateSolverFn, methods: MethodRegistry = METHODS): MethodRegistry {
  const cronos = defineMethod({
    ...METHODS.cronos,
    load: async () => async (data: TrainingData, settings: CronosParams, env: TrainerEnv) => {
      const config = pick(CRONOS_PARAMS, settings);
      const test = data.test ?? undefined;
      return new CronosTrainer(await create(cronosProblem(data, config), config, { device: env.device, ...(test ? { test } : {}), ...(env.gpu ? { gpu: env.gpu } : {}) }));
    },
  });
  return { ...methods, cronos };
}

/** public/datasets, where the built-in files are read from. */
export const DATASET_DIR = resolve(ROOT, 'public', 'datasets');

/**
 * A session whose messages are collected; the clock advances 1 ms per call. `createSolver`
 * replaces CRONOS's solver factory (see {@link cronosWithSolver}); `methods` adds fixture methods.
 */
export function sessionHarness(extra: Partial<SessionEnv> & { createSolver?: CreateSolverFn } = {}) {
  const { createSolver: create, ...rest } = extra;
  const messages: FromWorker[] = [];
  /** The race replies, apart (the run replies' tests never see them). */
  const raceMessages: FromRace[] = [];
  let clock = 0;
  const deferred: (() => void)[] = [];
  const env: SessionEnv = {
    post: (m) => (isRaceReply(m) ? raceMessages.push(m) : messages.push(m)),
    fetchText: async (file) => readFileSync(resolve(DATASET_DIR, file), 'utf8'),
    adapter: async () => null,
    now: () => ++clock,
    defer: (fn) => deferred.push(fn),
    ...rest,
    methods: cronosWithSolver(create ?? createSolver, rest.methods),
  };
  const session = new Session(env);
  return {
    messages,
    raceMessages,
    session,
    send: (m: ToWorker) => session.handle(m),
    /** Runs every deferred step (and those they defer) until nothing is left or `max` ran. */
    async drain(max = 10_000) {
      for (let t = 0; t < max; t++) {
        await session.idle();
        const fn = deferred.shift();
        if (!fn) return t;
        fn();
      }
      await session.idle();
      return max;
    },
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
