/**
 * The methods the playground can train, one entry each. A new method is one folder under
 * solver/methods/ (its parameter table, metrics, trainer) plus one line here; the CLI, the Worker,
 * the page's method picker and the share link find it through this table.
 */
import type { MethodId, MetricDescriptor, Trainer, TrainerEnv, TrainingData } from '../trainer';
import { CRONOS_METHOD } from './cronos/index';

/** What the registry knows of a method: its name, what it reports, and how to start a run. */
export interface MethodDefinition<Params = unknown> {
  readonly id: MethodId;
  /** Name in menus and legends. */
  readonly label: string;
  /** One sentence for the method picker and `--help`. */
  readonly summary: string;
  /** What its trainer's `step` reports. */
  readonly metrics: readonly MetricDescriptor[];
  /** Starts a run on `data` with `params` (the method's settings) on the device of `env`. */
  create(data: TrainingData, params: Params, env: TrainerEnv): Promise<Trainer>;
}

/** Every method, by id. */
export const METHODS = {
  cronos: CRONOS_METHOD,
} as const satisfies Record<MethodId, MethodDefinition<never>>;

/** The method ids in menu order. */
export const METHOD_IDS = Object.keys(METHODS) as MethodId[];
