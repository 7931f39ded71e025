/**
 * The one typed message interface between the page and the solver Worker. The page never
 * touches GPU buffers; it sends commands and receives metrics.
 */
import type { AdapterSummary } from '../solver/gpu/context';
import type { DeviceKind, IterationMetrics, SolverConfig } from '../solver/types';

/** A built-in dataset: CSV files under public/datasets (see index.json there). */
export interface BuiltinDataset {
  id: string;
  title: string;
  train: string;
  test?: string;
  label: string;
}

/** Commands from the page. */
export type ToWorker =
  | { type: 'start'; dataset: BuiltinDataset; config: SolverConfig; device: 'auto' | DeviceKind }
  | { type: 'pause' }
  | { type: 'resume' }
  | { type: 'step' }
  | { type: 'reset' };

/** Facts about the problem the Worker built. */
export interface ProblemSummary {
  dataset: string;
  n: number;
  nTest: number;
  d: number;
  P: number;
  C: number;
  classNames: string[];
  model: SolverConfig['model'];
}

/** Replies and progress from the Worker. */
export type FromWorker =
  | { type: 'ready'; device: DeviceKind; adapter: AdapterSummary | null; fallbackReason: string | null; problem: ProblemSummary }
  | { type: 'metrics'; metrics: IterationMetrics }
  | { type: 'state'; running: boolean; finished: 'converged' | 'max-iterations' | null }
  | { type: 'error'; message: string };
