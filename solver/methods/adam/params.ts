/** Adam (optax adam) settings: the shared deep-network table (solver/deep/params.ts) with learning rate 1e-3. */
import { defineTable, type Values } from '../../params/table';
import { DEEP_MODEL_PARAMS, DEEP_RUN_PARAMS, lrParam } from '../../deep/params';

/** The Adam table (CLI, page controls, share link). */
export const ADAM_PARAMS = defineTable({ ...DEEP_MODEL_PARAMS, lr: lrParam(1e-3), ...DEEP_RUN_PARAMS });

/** The settings ADAM_PARAMS declares. */
export type AdamParams = Values<typeof ADAM_PARAMS>;
