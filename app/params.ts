/**
 * The page's settings that are not a method's: the method itself, the data, the hold-out split,
 * the device and the seeds a link may set apart. The method's own settings come from its table
 * (solver/methods/); app/settings.ts joins them into {@link Settings}.
 */
import { MAX_SYNTHETIC_NOISE } from '../data/synthetic';
import { DEFAULT_METHOD, METHOD_IDS, type MethodId } from '../solver/methods';
import { choice, defineTable, optionalNumber, real, type Values } from '../solver/params/table';
import { DATASETS, DEFAULT_DATASET, type DatasetId } from './datasets';

const DATASET_IDS: readonly DatasetId[] = [...DATASETS.map((d) => d.id), 'user'];

/** The page table. Link fields of the data and seeds live in app/share/state.ts's preprocessing section. */
export const PAGE_PARAMS = defineTable({
  method: choice<MethodId>(METHOD_IDS, {
    default: DEFAULT_METHOD,
    label: 'Method',
    // Another method trains another model on the same data: start over.
    change: 'problem',
  }),
  dataset: choice<DatasetId>(DATASET_IDS, {
    default: DEFAULT_DATASET,
    label: 'Dataset',
    change: 'problem',
    control: { kind: 'custom', group: 'data', testId: 'dataset' },
  }),
  noise: real({
    default: 0.1,
    label: 'Noise',
    short: 'noise',
    help: 'Noise of the 2-D generators.',
    change: 'problem',
    limits: { min: 0, max: MAX_SYNTHETIC_NOISE },
    control: { kind: 'custom', group: 'data', testId: 'noise' },
  }),
  testFraction: real({
    default: 0.3,
    label: 'Test split',
    short: 'test fraction',
    help: 'Seeded, stratified hold-out for the test accuracy.',
    change: 'problem',
    limits: { min: 0, max: 0.9 },
    presets: [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9],
    control: { kind: 'custom', group: 'data', testId: 'split' },
  }),
  device: choice(['auto', 'gpu', 'cpu'], {
    default: 'auto',
    label: 'Device',
    change: 'solver',
    choices: { auto: { label: 'WebGPU, CPU fallback' }, gpu: { label: 'WebGPU only' }, cpu: { label: 'CPU (float64)' } },
    // Last in the solver fieldset, after the method's settings.
    control: { kind: 'select', group: 'solver', testId: 'device-pref', order: 1000 },
  }),
  dataSeed: optionalNumber({ type: 'integer', label: 'data seed', change: 'problem' }),
  splitSeed: optionalNumber({ type: 'integer', label: 'split seed', change: 'problem' }),
});

/** The settings PAGE_PARAMS declares. */
export type PageParams = Values<typeof PAGE_PARAMS>;
