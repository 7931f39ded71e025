/** AdamW (optax adamw) settings: the shared deep-network table (solver/deep/params.ts) with learning rate 1e-3 and the paper's weight decay 1e-4. */
import { defineTable, type Values } from '../../params/table';
import { DEEP_MODEL_PARAMS, DEEP_RUN_PARAMS, lrParam, weightDecayParam } from '../../deep/params';

/** The AdamW table (CLI, page controls, share link). */
export const ADAMW_PARAMS = defineTable({ ...DEEP_MODEL_PARAMS, lr: lrParam(1e-3), weightDecay: weightDecayParam(1e-4), ...DEEP_RUN_PARAMS });

/** The settings ADAMW_PARAMS declares. */
export type AdamWParams = Values<typeof ADAMW_PARAMS>;
