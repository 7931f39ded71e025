/**
 * The CRONOS method entry: two-layer ReLU (or gated ReLU) networks trained to the global optimum
 * of their convex reformulation by ADMM with a Nyström-preconditioned CG inner solve.
 */
import { createSolver } from '../../index';
import type { TrainerEnv, TrainingData } from '../../trainer';
import type { SolverConfig } from '../../types';
import { CRONOS_METRICS } from './metrics';
import { CronosTrainer, cronosProblem, type StatefulSolver } from './trainer';

/** CRONOS in the method registry (solver/methods/registry.ts). */
export const CRONOS_METHOD = {
  id: 'cronos' as const,
  label: 'CRONOS',
  summary: 'Convex two-layer network solved to its certified global optimum (ADMM + Nyström-PCG).',
  metrics: CRONOS_METRICS,
  async create(data: TrainingData, config: SolverConfig, env: TrainerEnv): Promise<CronosTrainer> {
    const problem = cronosProblem(data, config);
    const test = data.test ?? undefined;
    const solver = await createSolver(problem, config, { device: env.device, ...(test ? { test } : {}), ...(env.gpu ? { gpu: env.gpu } : {}) });
    return new CronosTrainer(solver as StatefulSolver, data.test);
  },
};
