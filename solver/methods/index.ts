/**
 * The registry of training methods. A method is one folder under solver/methods/ (its parameter
 * table, its metric descriptors, its Trainer) plus one entry here: the page's controls, the CLI
 * flags and `--help`, the share-link fields (from `params`) and the charts (from `metrics`) find it
 * in this table, and `load` gives its trainer factory, imported lazily so the page's main thread
 * can read the registry without bundling the solvers. (The Worker and the CLI still build CRONOS
 * runs themselves, around an injectable solver factory; routing them through `load` comes with the
 * second method.)
 */
import type { ParamTable } from '../params/table';
import type { MetricDescriptor, Trainer, TrainerEnv, TrainingData } from '../trainer';
import { CRONOS_METRICS } from './cronos/metrics';
import { CRONOS_PARAMS, type CronosParams } from './cronos/params';

/** Every method id (one for now). */
export const METHOD_IDS = ['cronos'] as const;

/** A training method. */
export type MethodId = (typeof METHOD_IDS)[number];

/** The method of settings, CLI runs and links that name none: CRONOS (what every old link ran). */
export const DEFAULT_METHOD: MethodId = 'cronos';

/** Starts a run of a method on `data` with its settings (a settings object holding at least the method's table). */
export type TrainerFactory<S = never> = (data: TrainingData, settings: S, env: TrainerEnv) => Promise<Trainer>;

/** One registered method. */
export interface MethodInfo<S = never> {
  id: MethodId;
  /** Menu and report name. */
  title: string;
  /** One sentence for the method picker and the docs. */
  summary: string;
  /** Every setting of the method (solver/params/table.ts). */
  params: ParamTable;
  /** What its trainer's `step` reports, in display order. */
  metrics: readonly MetricDescriptor[];
  /** The trainer factory, loaded on first use. */
  load(): Promise<TrainerFactory<S>>;
}

/** The registry, by id. */
export const METHODS: { readonly [K in MethodId]: MethodInfo<SettingsOf<K>> } = {
  cronos: {
    id: 'cronos',
    title: 'CRONOS (ADMM + Nyström PCG)',
    summary: 'A two-layer ReLU network trained to the certified global optimum of its convex reformulation.',
    params: CRONOS_PARAMS,
    metrics: CRONOS_METRICS,
    load: async () => (await import('./cronos/create')).createCronosTrainer,
  },
};

/** The settings each method's factory reads. */
interface SettingsByMethod {
  cronos: CronosParams;
}

/** The settings type of method `K`. */
export type SettingsOf<K extends MethodId> = SettingsByMethod[K];

/** The parameter table of method `id`. */
export function methodParams(id: MethodId): ParamTable {
  return METHODS[id].params;
}
