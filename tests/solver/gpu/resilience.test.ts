/**
 * Device loss on the GPU solver (solver/resilience.ts): the device destroyed before iteration K,
 * the run goes on on a new device from the last checkpoint and ends where an uninterrupted run
 * ends (float32 tolerance); with no GPU left it goes on on the CPU; a NaN breakdown on the GPU
 * leaves the last good state. Also measures what a checkpoint costs against a step.
 */
import { describe, expect, it } from 'vitest';
import { sharedGpuContext } from '../../../solver/index';
import { cronosAttempts } from '../../../solver/methods/cronos/create';
import { nodeGpu } from '../../../solver/gpu/node-gpu';
import { ResilientRun, RunBrokeDownError, type ResilienceOptions } from '../../../solver/resilience';
import type { CronosTrainer } from '../../../solver/methods/cronos/trainer';
import type { DeviceKind, IterationMetrics } from '../../../solver/types';
import { makeProblem, testConfig } from '../../support/cpu-fixtures';
import { relError } from '../../support/helpers';

// ρ₀ far from balanced, so residual balancing changes ρ during the run.
const problem = makeProblem({ model: 'relu', n: 40, d: 4, P: 6, beta: 0.05, seed: 3, classes: 2 });
const config = testConfig(problem, { rho: 50, adaptiveRho: true, rank: 8, pcgIters: 8, admmIters: 16 });
const gpu = nodeGpu();
const create = cronosAttempts(problem, config, { gpu });

async function runAll(opts: Partial<ResilienceOptions<CronosTrainer>>, device: DeviceKind = 'gpu'): Promise<{ ms: IterationMetrics[]; U: Float64Array; run: ResilientRun<CronosTrainer, IterationMetrics> }> {
  const run = await ResilientRun.start<CronosTrainer, IterationMetrics>({ create, device, ...opts });
  const ms: IterationMetrics[] = [];
  for (let k = 0; k < config.admmIters; k++) ms.push(await run.step());
  const U = (await run.trainer.model()).convex?.U as Float64Array;
  run.dispose();
  return { ms, U, run };
}

/** The uninterrupted run, made once (SwiftShader compiles slowly). */
let refRun: ReturnType<typeof runAll> | null = null;
const reference = (): ReturnType<typeof runAll> => (refRun ??= runAll({}));

const rel = (a: number, b: number): number => Math.abs(a - b) / Math.max(Math.abs(b), 1e-30);

describe('GPU device loss', () => {
  it('a loss before iteration 9 recovers on a new device and ends as the uninterrupted run', async () => {
    const ref = await reference();
    expect(new Set(ref.ms.map((m) => m.rho)).size).toBeGreaterThan(1);
    const first = await sharedGpuContext(gpu);
    const got = await runAll({ simulateDeviceLoss: 9 });
    expect(got.run.events.map((e) => e.type)).toEqual(['simulated-device-loss', 'device-lost', 'recovered']);
    expect(got.run.events[1].iteration).toBe(8);
    expect(got.run.trainer.device).toBe('gpu');
    // A new device really was made (the old one is destroyed).
    expect(first.lostReason).not.toBeNull();
    expect(await sharedGpuContext(gpu)).not.toBe(first);
    expect(got.ms.map((m) => m.iter)).toEqual(ref.ms.map((m) => m.iter));
    for (let k = 0; k < ref.ms.length; k++) {
      expect(got.ms[k].rho).toBe(ref.ms[k].rho);
      expect(rel(got.ms[k].objective, ref.ms[k].objective)).toBeLessThanOrEqual(1e-5);
    }
    expect(relError(got.U, ref.U)).toBeLessThanOrEqual(1e-5);
  });

  it('with no GPU losses allowed it goes on on the CPU solver, to float tolerance', async () => {
    const ref = await reference();
    const got = await runAll({ simulateDeviceLoss: 9, maxDeviceLosses: 0 });
    expect(got.run.events.map((e) => e.type)).toEqual(['simulated-device-loss', 'device-lost', 'fallback-cpu']);
    expect(got.run.trainer.device).toBe('cpu');
    expect(got.ms.map((m) => m.iter)).toEqual(ref.ms.map((m) => m.iter));
    // float32 GPU vs float64 CPU after the switch: the same run to float32 accuracy.
    expect(rel(got.ms.at(-1)?.objective ?? NaN, ref.ms.at(-1)?.objective ?? NaN)).toBeLessThanOrEqual(1e-3);
    expect(relError(got.U, ref.U)).toBeLessThanOrEqual(1e-2);
  });

  it('a checkpoint costs a small fraction of a step', async () => {
    const run = await ResilientRun.start<CronosTrainer, IterationMetrics>({ create, device: 'gpu' });
    let stepMs = 0;
    for (let k = 0; k < 6; k++) stepMs += (await run.step()).timeMs;
    const t0 = performance.now();
    for (let k = 0; k < 6; k++) await run.trainer.saveState();
    const saveMs = performance.now() - t0;
    console.log(`checkpoint / step time: ${(saveMs / stepMs).toFixed(4)}; interval ${run.interval}`);
    // The adaptive interval keeps the checkpoints within the 5 % budget whatever the ratio is.
    expect(saveMs / (run.interval * stepMs)).toBeLessThanOrEqual(0.05 * 2);
    run.dispose();
  });
});

describe('NaN on the GPU', () => {
  it('stops at the last good iteration; the model is finite and equals the run stopped there', async () => {
    const ref = await reference();
    const run = await ResilientRun.start<CronosTrainer, IterationMetrics>({ create, device: 'gpu', simulateNaN: { iteration: 7, value: Number.NaN } });
    for (let k = 0; k < 6; k++) await run.step();
    const err = await run.step().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RunBrokeDownError);
    expect((err as RunBrokeDownError).lastGood).toBe(6);
    expect((err as Error).message).toMatch(/diverged at iteration 7.*larger ρ.*stopped at iteration 6/);
    const model = await run.trainer.model();
    const U = model.convex?.U as Float64Array;
    expect(U.every(Number.isFinite)).toBe(true);
    expect(model.network.W1.every(Number.isFinite)).toBe(true);
    // The state after 6 iterations of an uninterrupted run.
    const six = await ResilientRun.start<CronosTrainer, IterationMetrics>({ create, device: 'gpu' });
    for (let k = 0; k < 6; k++) await six.step();
    expect(relError(U, (await six.trainer.model()).convex?.U as Float64Array)).toBeLessThanOrEqual(1e-5);
    six.dispose();
    run.dispose();
    expect(ref.ms.length).toBe(config.admmIters);
  });
});
