/**
 * The registry of training methods. A method is one folder under solver/methods/ (its parameter
 * table, its metric descriptors, its Trainer) plus one entry in {@link METHODS}: the ids, the
 * page's settings and method picker, the CLI's `--method` and flags, the share-link fields (from
 * `params`), the charts (from `metrics`) and the Worker's and CLI's runs (through `load`) all
 * derive from that table, so nothing else changes when a method is added. `load` imports the
 * trainer factory lazily, so the page's main thread reads the registry without bundling solvers.
 *
 * Code that must also run on a method that is not registered here (the tests' fixture method)
 * takes a {@link MethodRegistry} argument whose default is {@link METHODS}.
 */
import type { ParamTable, Values } from '../params/table';
import type { MetricDescriptor, Trainer, TrainerEnv, TrainingData } from '../trainer';
import { deepMetrics } from '../deep/metrics';
import { ADAM_PARAMS } from './adam/params';
import { ADAMW_PARAMS } from './adamw/params';
import { CRONOS_METRICS } from './cronos/metrics';
import { CRONOS_PARAMS } from './cronos/params';
import { CRONOS_AM_METRICS } from './cronos-am/metrics';
import { CRONOS_AM_PARAMS } from './cronos-am/params';
import { DADAPT_PARAMS } from './dadapt-adam/params';
import { SGD_PARAMS } from './sgd/params';

/**
 * Starts a run of a method on `data` with its settings (an object holding at least the fields of
 * the method's table; the page passes all its settings). Declared through a method signature so
 * a factory of one method's settings is assignable where any settings record is expected.
 */
export type TrainerFactory<S> = { bivariant(data: TrainingData, settings: S, env: TrainerEnv): Promise<Trainer> }['bivariant'];

/** One registered method; `T` is its parameter table. */
export interface MethodInfo<T extends ParamTable = ParamTable> {
  /** Its key in the registry; also `Trainer.method`, `TrainerState.method` and the link's `method`. */
  readonly id: string;
  /** Menu and report name. */
  readonly title: string;
  /** One sentence for the method picker and the docs. */
  readonly summary: string;
  /** Every setting of the method (solver/params/table.ts). */
  readonly params: T;
  /** What its trainer's `step` reports, in display order. */
  readonly metrics: readonly MetricDescriptor[];
  /** The trainer factory, loaded on first use. */
  load(): Promise<TrainerFactory<Values<T>>>;
}

/** Declares a registry entry, keeping its table's precise type (so the page's settings type is exact). */
export function defineMethod<const T extends ParamTable>(info: MethodInfo<T>): MethodInfo<T> {
  return info;
}

/**
 * The registry, by id. Adding a method: its folder and one entry here (docs/architecture.md).
 * Key order is the method picker's order; the first entry is the default method.
 */
export const METHODS = {
  cronos: defineMethod({
    id: 'cronos',
    title: 'CRONOS (ADMM + Nyström PCG)',
    summary: 'A two-layer ReLU network trained to the certified global optimum of its convex reformulation.',
    params: CRONOS_PARAMS,
    metrics: CRONOS_METRICS,
    load: async () => (await import('./cronos/create')).createCronosTrainer,
  }),
  adam: defineMethod({
    id: 'adam',
    title: 'Adam',
    summary: 'A deep network (MLP or CNN) trained by minibatch Adam (optax), a first-order baseline of the paper.',
    params: ADAM_PARAMS,
    metrics: deepMetrics('adam'),
    load: async () => (await import('./adam/create')).createAdamTrainer,
  }),
  adamw: defineMethod({
    id: 'adamw',
    title: 'AdamW',
    summary: 'Adam with decoupled weight decay (optax adamw), a first-order baseline of the paper.',
    params: ADAMW_PARAMS,
    metrics: deepMetrics('adamw'),
    load: async () => (await import('./adamw/create')).createAdamWTrainer,
  }),
  sgd: defineMethod({
    id: 'sgd',
    title: 'SGD (momentum)',
    summary: 'Minibatch SGD with heavy-ball momentum, a first-order baseline of the paper.',
    params: SGD_PARAMS,
    metrics: deepMetrics('sgd'),
    load: async () => (await import('./sgd/create')).createSgdTrainer,
  }),
  'dadapt-adam': defineMethod({
    id: 'dadapt-adam',
    title: 'DAdapt-Adam',
    summary: 'Adam whose step size is set by D-Adaptation (optax dadapt_adamw): no learning rate to tune.',
    params: DADAPT_PARAMS,
    metrics: deepMetrics('dadapt-adam'),
    load: async () => (await import('./dadapt-adam/create')).createDadaptAdamTrainer,
  }),
  'cronos-am': defineMethod({
    id: 'cronos-am',
    title: 'CRONOS-AM',
    summary: 'A deep network whose feature layers train by DAdapt-Adam while its two-layer head is re-solved by CRONOS every few minibatches (spec §7).',
    params: CRONOS_AM_PARAMS,
    metrics: CRONOS_AM_METRICS,
    load: async () => (await import('./cronos-am/create')).createCronosAmTrainer,
  }),
} as const;

/** A training method. */
export type MethodId = keyof typeof METHODS;

/** Every method id, in registry order. */
export const METHOD_IDS = Object.keys(METHODS) as MethodId[];

/** The method of settings, CLI runs and links that name none: CRONOS (what every old link ran). */
export const DEFAULT_METHOD: MethodId = 'cronos';

/** Any set of methods by id (the registry, or the registry plus a test fixture). */
export type MethodRegistry = Readonly<Record<string, MethodInfo>>;

/** The settings type of method `K`. */
export type SettingsOf<K extends MethodId> = Values<(typeof METHODS)[K]['params']>;

/** The parameter table of method `id`. */
export function methodParams(id: MethodId): ParamTable {
  return METHODS[id].params;
}

/** The method `id` of `methods`, or an error naming the known ones (ids come from links, files and command lines). */
export function methodOf(id: string, methods: MethodRegistry = METHODS): MethodInfo {
  const m = Object.hasOwn(methods, id) ? methods[id] : undefined;
  if (!m) throw new Error(`Unknown method ${JSON.stringify(id)}; use one of ${Object.keys(methods).join(', ')}.`);
  return m;
}

// Every entry's id is its key (the Worker, the CLI and saved states look methods up by `id`).
for (const [key, m] of Object.entries(METHODS as MethodRegistry)) if (m.id !== key) throw new Error(`method registry: entry ${key} has id ${m.id}`);
