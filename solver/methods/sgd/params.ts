/** SGD (heavy-ball momentum) settings: the shared deep-network table (solver/deep/params.ts) with learning rate 1e-2 and momentum 0.9 (the paper's baseline). */
import { defineTable, type Values } from '../../params/table';
import { DEEP_MODEL_PARAMS, DEEP_RUN_PARAMS, lrParam, MOMENTUM_PARAM } from '../../deep/params';

/** The SGD table (CLI, page controls, share link). */
export const SGD_PARAMS = defineTable({ ...DEEP_MODEL_PARAMS, lr: lrParam(1e-2), momentum: MOMENTUM_PARAM, ...DEEP_RUN_PARAMS });

/** The settings SGD_PARAMS declares. */
export type SgdParams = Values<typeof SGD_PARAMS>;
