/**
 * The registry of training methods: each names its parameter table, from which the page's
 * controls, the CLI flags, the share-link fields and `--help` are derived. The next methods
 * (CRONOS-AM, Adam, AdamW, SGD, DAdapt-Adam) each add an id, a table and an entry here.
 */
import type { ParamTable } from '../params/table';
import { CRONOS_PARAMS } from './cronos/params';

/** Every method id (one for now). */
export const METHOD_IDS = ['cronos'] as const;

/** A training method. */
export type MethodId = (typeof METHOD_IDS)[number];

/** The method of settings, CLI runs and links that name none: CRONOS (what every old link ran). */
export const DEFAULT_METHOD: MethodId = 'cronos';

/** One registered method. */
export interface MethodInfo {
  id: MethodId;
  /** Menu and report name. */
  title: string;
  params: ParamTable;
}

/** The registry, by id. */
export const METHODS: Readonly<Record<MethodId, MethodInfo>> = {
  cronos: { id: 'cronos', title: 'CRONOS (ADMM + Nyström PCG)', params: CRONOS_PARAMS },
};

/** The parameter table of method `id`. */
export function methodParams(id: MethodId): ParamTable {
  return METHODS[id].params;
}
