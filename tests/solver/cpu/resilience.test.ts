/**
 * solver/resilience.ts on the float64 CPU solver, with a device that the test can lose at will:
 * repeated losses end on the CPU after `maxDeviceLosses`, the step budget and a loaded state
 * survive a recovery, a failed recovery falls back, errors that are neither a loss nor a breakdown
 * pass through untouched, and the checkpoint interval keeps saving within its budget.
 */
import { describe, expect, it } from 'vitest';
import { createSolver } from '../../../solver/index';
import { CronosTrainer, cronosAttempt } from '../../../solver/methods/cronos/trainer';
import { checkpointInterval, isNumericalBreakdown, poisonedState, ResilientRun, RunBrokeDownError, type Attempt } from '../../../solver/resilience';
import type { DeviceKind, IterationMetrics } from '../../../solver/types';
import { makeProblem, testConfig } from '../../support/cpu-fixtures';

const problem = makeProblem({ model: 'relu', n: 30, d: 3, P: 4, beta: 0.05, seed: 5, classes: 2 });
const config = testConfig(problem, { rho: 10, adaptiveRho: true, rank: 4, pcgIters: 6, admmIters: 12 });

/**
 * "GPU" attempts on CPU arithmetic: `loseAt` lists iterations before which each new device is
 * lost (one entry per device, in order); `gpuLeft` devices can be had in all.
 */
function devices(loseAt: number[], gpuLeft = Infinity) {
  let made = 0;
  const created: DeviceKind[] = [];
  const create = async (device: DeviceKind): Promise<Attempt<CronosTrainer>> => {
    created.push(device);
    const trainer = new CronosTrainer(await createSolver(problem, config, { device: 'cpu' }));
    if (device === 'cpu') return cronosAttempt(trainer);
    if (made >= gpuLeft) throw new Error('no adapter');
    const at = loseAt[made++];
    let lost: string | null = null;
    const step = trainer.step.bind(trainer);
    trainer.step = async () => {
      if (at !== undefined && trainer.iteration + 1 >= at) lost = 'GPU device lost (unknown): driver reset';
      if (lost) throw new Error('device lost');
      return step();
    };
    return { trainer, lost: () => lost };
  };
  return { create, created };
}

async function straight(): Promise<{ ms: IterationMetrics[]; U: Float64Array }> {
  const t = new CronosTrainer(await createSolver(problem, config, { device: 'cpu' }));
  const ms: IterationMetrics[] = [];
  for (let k = 0; k < config.admmIters; k++) ms.push(await t.step());
  return { ms, U: (await t.solver.solution()).U };
}

const exact = (ms: IterationMetrics[]) => ms.map((m) => ({ ...m, timeMs: 0 }));

describe('ResilientRun (CPU arithmetic)', () => {
  it('three losses with two allowed: two recoveries, then the CPU; the same run bit for bit', async () => {
    const ref = await straight();
    const dev = devices([3, 6, 9]);
    const run = await ResilientRun.start<CronosTrainer, IterationMetrics>({ create: dev.create, device: 'gpu', maxDeviceLosses: 2 });
    const ms: IterationMetrics[] = [];
    for (let k = 0; k < config.admmIters; k++) ms.push(await run.step());
    expect(run.events.map((e) => `${e.iteration}:${e.type}`)).toEqual(['2:device-lost', '2:recovered', '5:device-lost', '5:recovered', '8:device-lost', '8:fallback-cpu']);
    expect(dev.created).toEqual(['gpu', 'gpu', 'gpu', 'cpu']);
    expect(run.trainer.device).toBe('cpu');
    expect(exact(ms)).toEqual(exact(ref.ms));
    expect((await run.trainer.solver.solution()).U).toEqual(ref.U);
  });

  it('no new device: the CPU at once, with the reason', async () => {
    const dev = devices([4], 1);
    const run = await ResilientRun.start<CronosTrainer, IterationMetrics>({ create: dev.create, device: 'gpu' });
    for (let k = 0; k < 6; k++) await run.step();
    expect(run.events.map((e) => e.type)).toEqual(['device-lost', 'fallback-cpu']);
    expect(run.events[1].detail).toMatch(/no new GPU device \(no adapter\)/);
  });

  it('the budget set while running and a loaded state survive a recovery', async () => {
    const ref = await straight();
    const dev = devices([9]);
    const run = await ResilientRun.start<CronosTrainer, IterationMetrics>({ create: dev.create, device: 'gpu' });
    // A session file's state at iteration 5 (from the straight run's twin).
    const twin = new CronosTrainer(await createSolver(problem, config, { device: 'cpu' }));
    for (let k = 0; k < 5; k++) await twin.step();
    await run.loadState(await twin.saveState());
    expect(run.checkpointIteration).toBe(5);
    run.setBudget(10);
    const ms: IterationMetrics[] = [];
    for (;;) {
      const m = await run.step();
      ms.push(m);
      if (run.trainer.finished(m)) break;
    }
    expect(run.events.map((e) => e.type)).toEqual(['device-lost', 'recovered']);
    expect(ms.map((m) => m.iter)).toEqual([6, 7, 8, 9, 10]);
    expect(exact(ms)).toEqual(exact(ref.ms.slice(5, 10)));
  });

  it('an error that is neither a loss nor a breakdown passes through unchanged', async () => {
    const create = async (): Promise<Attempt<CronosTrainer>> => {
      const trainer = new CronosTrainer(await createSolver(problem, config, { device: 'cpu' }));
      trainer.step = async () => {
        throw new RangeError('something else');
      };
      return cronosAttempt(trainer);
    };
    const run = await ResilientRun.start<CronosTrainer, IterationMetrics>({ create, device: 'cpu' });
    await expect(run.step()).rejects.toThrow(RangeError);
    expect(run.events).toEqual([]);
  });

  it('a breakdown on the CPU: back at the last good iteration, bit for bit', async () => {
    const ref = await straight();
    const run = await ResilientRun.start<CronosTrainer, IterationMetrics>({ create: devices([]).create, device: 'cpu', simulateNaN: { iteration: 8, value: -Infinity } });
    for (let k = 0; k < 7; k++) await run.step();
    const e = await run.step().catch((x: unknown) => x);
    expect(e).toBeInstanceOf(RunBrokeDownError);
    expect(isNumericalBreakdown((e as RunBrokeDownError).breakdown)).toBe(true);
    expect(run.trainer.iteration).toBe(7);
    const s = await run.trainer.saveState();
    expect(s.iteration).toBe(7);
    const twin = new CronosTrainer(await createSolver(problem, config, { device: 'cpu' }));
    for (let k = 0; k < 7; k++) await twin.step();
    expect(s).toEqual(await twin.saveState());
    expect(ref.ms[6].iter).toBe(7);
  });

  it('the checkpoint interval keeps saving within the budget', () => {
    expect(checkpointInterval(1, 100, 0.05)).toBe(1);
    expect(checkpointInterval(10, 100, 0.05)).toBe(2);
    expect(checkpointInterval(50, 10, 0.05)).toBe(100);
    for (const [save, step] of [[3, 7], [0.2, 0.01], [40, 1000]]) expect(save / (checkpointInterval(save, step, 0.05) * step)).toBeLessThanOrEqual(0.05);
    expect(checkpointInterval(0, 0, 0.05)).toBe(1);
  });

  it('poisonedState fills the float arrays and keeps the rest', () => {
    const p = poisonedState({ format: 'cronos-playground-state', method: 'cronos', version: 1, iteration: 3, scalars: { rho: 2 }, arrays: { u: new Float64Array(3), i: new Int32Array([1, 2]) } }, Number.NaN);
    expect([...p.arrays.u].every(Number.isNaN)).toBe(true);
    expect([...p.arrays.i]).toEqual([1, 2]);
    expect(p.scalars.rho).toBe(2);
  });
});
