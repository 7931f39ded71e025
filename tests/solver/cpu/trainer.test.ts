/**
 * CRONOS through the Trainer contract (solver/trainer.ts) and the method registry: the registry's
 * lazily loaded factory builds a working trainer; the model is the network recovered from u;
 * a saved TrainerState continues exactly (bit for bit on the CPU); a state of another method,
 * layout version or with a bad ρ is refused.
 */
import { describe, expect, it } from 'vitest';
import { METHODS } from '../../../solver/methods/index';
import { CronosTrainer } from '../../../solver/methods/cronos/trainer';
import { recoverNetwork } from '../../../solver/recovery';
import type { Trainer, TrainerState, TrainingData } from '../../../solver/trainer';
import { LEGACY_CONFIG, type SolverConfig } from '../../../solver/types';
import { randomDataset, runSteps } from '../../support/helpers';

const train = randomDataset(60, 4, 3, 11);
const test = randomDataset(30, 4, 3, 12);
const data: TrainingData = { train, test: { X: test.X, n: test.n, labels: test.labels } };
// ρ far off with residual balancing, so ρ and the rescaled duals are part of the saved state.
const settings: SolverConfig = { ...LEGACY_CONFIG, P: 6, rank: 4, pcgIters: 8, rho: 10, adaptiveRho: true, tol: 1e-12, admmIters: 30 };

async function cronos(): Promise<Trainer> {
  const create = await METHODS.cronos.load();
  return create(data, settings, { device: 'cpu' });
}

const strip = (m: Record<string, unknown>) => ({ ...m, timeMs: 0 });

describe('CRONOS as a Trainer', () => {
  it('the registry builds it; it steps, counts, stops at its cap and recovers the network from u', async () => {
    const t = await cronos();
    expect(t).toBeInstanceOf(CronosTrainer);
    expect(t.method).toBe('cronos');
    expect(t.device).toBe('cpu');
    expect(t.metrics).toBe(METHODS.cronos.metrics);
    const history = await runSteps(t, 30);
    expect(t.iteration).toBe(30);
    expect(history.map((m) => m.iter)).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
    expect(t.finished(history[28])).toBeNull();
    expect(t.finished(history[29])).toBe('max-iterations');
    // Every described metric is in the record.
    for (const d of t.metrics) expect(typeof history[0][d.key]).not.toBe('undefined');
    const model = await t.model();
    const solver = (t as CronosTrainer).solver;
    const { U } = await solver.solution();
    expect(Array.from(model.convex?.U ?? [])).toEqual(Array.from(U));
    expect(model.network).toEqual(recoverNetwork(solver.problem, U));
    expect(model.network.C).toBe(3);
    t.dispose();
  });

  it('a state saved at 12 continues to 30 exactly as a straight run', async () => {
    const straight = await cronos();
    const ref = await runSteps(straight, 30);
    const first = await cronos();
    await runSteps(first, 12);
    const state = await first.saveState();
    expect(state).toMatchObject({ format: 'cronos-playground-state', method: 'cronos', version: 1, iteration: 12 });
    expect(new Set(ref.slice(0, 12).map((m) => m.rho)).size).toBeGreaterThan(1);
    const second = await cronos();
    await second.loadState(state);
    expect(second.iteration).toBe(12);
    const rest = await runSteps(second, 18);
    expect(rest.map(strip)).toEqual(ref.slice(12).map(strip));
    expect(Array.from((await second.model()).convex?.U ?? [])).toEqual(Array.from((await straight.model()).convex?.U ?? []));
    for (const t of [straight, first, second]) t.dispose();
  });

  it('refuses a state of another method, another layout version or with a bad ρ', async () => {
    const t = await cronos();
    await runSteps(t, 2);
    const good = await t.saveState();
    const other = { ...good, method: 'adam' } as unknown as TrainerState;
    await expect(t.loadState(other)).rejects.toThrow(/method "adam", not "cronos"/);
    await expect(t.loadState({ ...good, version: 2 })).rejects.toThrow(/layout version 2/);
    await expect(t.loadState({ ...good, scalars: { ...good.scalars, rho: -1 } })).rejects.toThrow(/ρ/);
    await expect(t.loadState({ ...good, format: 'x' } as unknown as TrainerState)).rejects.toThrow(/not a saved training state/);
    t.dispose();
  });
});
