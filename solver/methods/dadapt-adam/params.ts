/** DAdapt-Adam (optax dadapt_adamw) settings: the shared deep-network table (solver/deep/params.ts): no learning rate (γ = 1, d adapts), weight decay 0 as in the paper. */
import { defineTable, type Values } from '../../params/table';
import { DEEP_MODEL_PARAMS, DEEP_RUN_PARAMS, weightDecayParam } from '../../deep/params';

/** The DAdapt-Adam table (CLI, page controls, share link). */
export const DADAPT_PARAMS = defineTable({ ...DEEP_MODEL_PARAMS, weightDecay: weightDecayParam(0), ...DEEP_RUN_PARAMS });

/** The settings DADAPT_PARAMS declares. */
export type DadaptAdamParams = Values<typeof DADAPT_PARAMS>;
