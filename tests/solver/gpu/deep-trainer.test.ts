/**
 * The deep methods as Trainers on the WebGPU device, through the registry: the same run on the
 * GPU and on the float64 CPU device reports the same metrics (float32 tolerance) epoch by epoch,
 * and a saved GPU state continues on the CPU where the GPU run goes (the backend's buffer census
 * is tests/solver/gpu/deep-backend.test.ts's).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GpuContext } from '../../../solver/gpu/context';
import { nodeGpu } from '../../../solver/gpu/node-gpu';
import { METHODS } from '../../../solver/methods/index';
import { defaultsOf } from '../../../solver/params/table';
import { createRng } from '../../../solver/rng';
import type { Trainer, TrainerEnv, TrainingData } from '../../../solver/trainer';
import type { Dataset } from '../../../solver/types';
import { gpuContext, runSteps } from '../../support/helpers';

let ctx: GpuContext;
beforeAll(async () => {
  ctx = await gpuContext();
});
afterAll(() => ctx?.destroy());

/** Three Gaussian blobs in d dimensions, labels 0..2. */
function blobs(n: number, d: number, seed: number): Dataset {
  const rng = createRng(seed, 77);
  const X = new Float64Array(n * d);
  const labels = new Int32Array(n);
  for (let j = 0; j < n; j++) {
    labels[j] = j % 3;
    for (let k = 0; k < d; k++) X[j * d + k] = rng.normal() * 0.8 + (k === labels[j] ? 1.5 : 0);
  }
  return { X, n, d, labels, classNames: ['a', 'b', 'c'], featureNames: Array.from({ length: d }, (_, k) => `x${k}`) };
}

const train = blobs(90, 5, 1);
const test = blobs(30, 5, 2);
const data: TrainingData = { train, test: { X: test.X, n: test.n, labels: test.labels } };

type Settings = Record<string, number | string | boolean>;
async function trainer(id: 'adam' | 'dadapt-adam', env: TrainerEnv, over: Settings = {}): Promise<Trainer> {
  const settings = { ...defaultsOf(METHODS[id].params), arch: 'mlp:12,8', batch: 16, epochs: 4, ...over };
  const create = (await METHODS[id].load()) as unknown as (d: TrainingData, s: Settings, e: TrainerEnv) => Promise<Trainer>;
  return create(data, settings, env);
}

const KEYS = ['batchLoss', 'trainLoss', 'testLoss', 'd'] as const;

describe('deep Trainers on the GPU', () => {
  it.each(['adam', 'dadapt-adam'] as const)('%s: GPU and float64 CPU report the same epochs', async (id) => {
    const gpu = await trainer(id, { device: 'gpu', gpu: nodeGpu() });
    const cpu = await trainer(id, { device: 'cpu' });
    expect(gpu.device).toBe('gpu');
    const [hg, hc] = [await runSteps(gpu, 4), await runSteps(cpu, 4)];
    for (let e = 0; e < 4; e++) {
      for (const k of KEYS.filter((key) => key in hc[e]!)) expect(Math.abs((hg[e]![k] as number) - (hc[e]![k] as number))).toBeLessThanOrEqual(1e-4 * Math.max(1, Math.abs(hc[e]![k] as number)));
      expect(Math.abs((hg[e]!.trainAccuracy as number) - (hc[e]!.trainAccuracy as number))).toBeLessThanOrEqual(1 / 90 + 1e-12);
    }
    expect(hc[3]!.trainLoss as number).toBeLessThan(hc[0]!.trainLoss as number);
    gpu.dispose();
    cpu.dispose();
  });

  it('a GPU state continues on the CPU where the GPU run goes', async () => {
    const a = await trainer('adam', { device: 'gpu', gpu: nodeGpu() });
    await runSteps(a, 2);
    const state = await a.saveState();
    const ahead = await runSteps(a, 2);
    const b = await trainer('adam', { device: 'cpu' });
    await b.loadState(state);
    expect(b.iteration).toBe(2);
    const resumed = await runSteps(b, 2);
    for (let e = 0; e < 2; e++) expect(Math.abs((resumed[e]!.trainLoss as number) - (ahead[e]!.trainLoss as number))).toBeLessThanOrEqual(1e-4 * (ahead[e]!.trainLoss as number));
    a.dispose();
    b.dispose();
  });
});
