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
import { deepMetrics } from '../deep/metrics';
import { ADAM_PARAMS, type AdamParams } from './adam/params';
import { ADAMW_PARAMS, type AdamWParams } from './adamw/params';
import { CRONOS_METRICS } from './cronos/metrics';
import { CRONOS_PARAMS, type CronosParams } from './cronos/params';
import { CRONOS_AM_METRICS } from './cronos-am/metrics';
import { CRONOS_AM_PARAMS, type CronosAmParams } from './cronos-am/params';
import { DADAPT_PARAMS, type DadaptAdamParams } from './dadapt-adam/params';
import { SGD_PARAMS, type SgdParams } from './sgd/params';

/** Every method id. */
export const METHOD_IDS = ['cronos', 'adam', 'adamw', 'sgd', 'dadapt-adam', 'cronos-am'] as const;

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
  adam: {
    id: 'adam',
    title: 'Adam',
    summary: 'A deep network (MLP or CNN) trained by minibatch Adam (optax), a first-order baseline of the paper.',
    params: ADAM_PARAMS,
    metrics: deepMetrics('adam'),
    load: async () => (await import('./adam/create')).createAdamTrainer,
  },
  adamw: {
    id: 'adamw',
    title: 'AdamW',
    summary: 'Adam with decoupled weight decay (optax adamw), a first-order baseline of the paper.',
    params: ADAMW_PARAMS,
    metrics: deepMetrics('adamw'),
    load: async () => (await import('./adamw/create')).createAdamWTrainer,
  },
  sgd: {
    id: 'sgd',
    title: 'SGD (momentum)',
    summary: 'Minibatch SGD with heavy-ball momentum, a first-order baseline of the paper.',
    params: SGD_PARAMS,
    metrics: deepMetrics('sgd'),
    load: async () => (await import('./sgd/create')).createSgdTrainer,
  },
  'dadapt-adam': {
    id: 'dadapt-adam',
    title: 'DAdapt-Adam',
    summary: 'Adam whose step size is set by D-Adaptation (optax dadapt_adamw): no learning rate to tune.',
    params: DADAPT_PARAMS,
    metrics: deepMetrics('dadapt-adam'),
    load: async () => (await import('./dadapt-adam/create')).createDadaptAdamTrainer,
  },
  'cronos-am': {
    id: 'cronos-am',
    title: 'CRONOS-AM',
    summary: 'A deep network whose feature layers train by DAdapt-Adam while its two-layer head is re-solved by CRONOS every few minibatches (spec §7).',
    params: CRONOS_AM_PARAMS,
    metrics: CRONOS_AM_METRICS,
    load: async () => (await import('./cronos-am/create')).createCronosAmTrainer,
  },
};

/** The settings each method's factory reads. */
interface SettingsByMethod {
  cronos: CronosParams;
  adam: AdamParams;
  adamw: AdamWParams;
  sgd: SgdParams;
  'dadapt-adam': DadaptAdamParams;
  'cronos-am': CronosAmParams;
}

/** The settings type of method `K`. */
export type SettingsOf<K extends MethodId> = SettingsByMethod[K];

/** The parameter table of method `id`. */
export function methodParams(id: MethodId): ParamTable {
  return METHODS[id].params;
}
