/**
 * The "Your data" panel's state as a reducer over its own requests and the Worker's ingest
 * replies, plus the builders of those requests. Pure (no DOM), so the rules are unit-tested:
 * only replies to the request in flight count (a second drop replaces the first), a failed
 * request leaves the loaded dataset, its preview and its files exactly as they were, and the
 * preview of a file being read is shown only once that file has become the dataset.
 */
import type { AdapterSummary } from '../../../solver/gpu/context';
import type { ColumnUse, EncodeOptions } from '../../../data/encode';
import type { ErrorInfo } from '../../../data/errors';
import type { DatasetLimits, DatasetPlan } from '../../../data/plan';
import type { CsvPreview, CsvReadOptions, FromIngest, LoadedDataset, ToIngest } from '../../ingest/protocol';
import type { Settings } from '../../settings';

export type { CsvPreview, LoadedDataset } from '../../ingest/protocol';

/** What a dataset was read from, kept so a change of options can read it again. */
export type IngestSource = { kind: 'csv'; file: File } | { kind: 'images'; files: File[]; paths?: string[]; name: string };

/** The request kinds of the panel (plans are tracked apart: they never replace the dataset). */
export type RequestKind = 'csv' | 'encode' | 'images' | 'subsample';

/** Everything the panel renders. */
export interface IngestUiState {
  /** The request whose replies count, or null when idle. */
  pending: { id: number; kind: RequestKind; name: string; source: IngestSource | null } | null;
  progress: { phase: 'reading' | 'decoding'; done: number; total: number; rows: number } | null;
  /** Preview of the file being read: shown once it has become the dataset. */
  pendingPreview: CsvPreview | null;
  preview: CsvPreview | null;
  dataset: LoadedDataset | null;
  /** Files of the loaded dataset. */
  source: IngestSource | null;
  /** Files of the last request that failed (so "skip malformed rows" can read them again). */
  failed: IngestSource | null;
  plan: DatasetPlan | null;
  /** Id of the plan request whose reply counts. */
  planId: number;
  error: ErrorInfo | null;
  /** Bumped for every dataset that is loaded (a plan or a run refers to one version). */
  version: number;
}

/** Before anything was dropped. */
export const INITIAL_INGEST_STATE: IngestUiState = {
  pending: null,
  progress: null,
  pendingPreview: null,
  preview: null,
  dataset: null,
  source: null,
  failed: null,
  plan: null,
  planId: 0,
  error: null,
  version: 0,
};

/** Actions of {@link ingestReducer}. */
export type IngestAction =
  /** A request was sent (its replies replace those of any earlier one). */
  | { type: 'request'; id: number; kind: RequestKind; name: string; source: IngestSource | null }
  | { type: 'plan-request'; id: number }
  /** A frame's worth of Worker replies. */
  | { type: 'replies'; replies: FromIngest[] }
  /** A problem found on the page before anything was sent (e.g. an unsupported drop). */
  | { type: 'local-error'; message: string; file: string }
  | { type: 'dismiss-error' };

/** Applies one action. */
export function ingestReducer(state: IngestUiState, action: IngestAction): IngestUiState {
  switch (action.type) {
    case 'request':
      return { ...state, pending: { id: action.id, kind: action.kind, name: action.name, source: action.source }, progress: null, pendingPreview: null, error: null };
    case 'plan-request':
      return { ...state, planId: action.id };
    case 'local-error':
      return { ...state, error: { dataError: true, file: action.file, message: action.message } };
    case 'dismiss-error':
      return { ...state, error: null };
    case 'replies': {
      let s = state;
      for (const r of action.replies) s = applyReply(s, r);
      return s;
    }
  }
}

/** Applies one Worker reply; replies to a replaced request are ignored. */
export function applyReply(state: IngestUiState, msg: FromIngest): IngestUiState {
  if (msg.type === 'ingest-plan') return msg.id === state.planId ? { ...state, plan: msg.plan } : state;
  const pending = state.pending;
  if (!pending || msg.id !== pending.id) return state;
  switch (msg.type) {
    case 'ingest-progress':
      return { ...state, progress: { phase: msg.phase, done: msg.done, total: msg.total, rows: msg.rows } };
    case 'ingest-preview': {
      const { fileName, header, rows, dialect, status, message, rowsKept, rowsSeen } = msg;
      return { ...state, pendingPreview: { fileName, header, rows, dialect, status, message, rowsKept, rowsSeen } };
    }
    case 'ingest-dataset': {
      const prev = state.dataset;
      // A subsample only shrinks the training rows: the columns, report and montage still describe the data.
      const keep = pending.kind === 'subsample' && prev !== null;
      const dataset: LoadedDataset = {
        summary: msg.summary,
        columns: msg.columns ?? (keep ? prev.columns : null),
        report: msg.report ?? (keep ? prev.report : null),
        montage: msg.montage ?? (keep ? prev.montage : null),
        skipped: keep ? prev.skipped : msg.skipped,
        notices: keep ? prev.notices : msg.notices,
      };
      const fresh = pending.kind === 'csv' || pending.kind === 'images';
      return {
        ...state,
        pending: null,
        progress: null,
        dataset,
        preview: pending.kind === 'csv' ? state.pendingPreview : pending.kind === 'images' ? null : state.preview,
        pendingPreview: null,
        source: fresh ? pending.source : state.source,
        failed: null,
        plan: null,
        error: null,
        version: state.version + 1,
      };
    }
    case 'ingest-error':
      return {
        ...state,
        pending: null,
        progress: null,
        pendingPreview: null,
        // An encode or subsample failure is about the loaded data: nothing to read again.
        failed: pending.source,
        error: msg.cancelled ? state.error : msg.error,
      };
  }
}

/** True while a request (other than a plan) is in flight. */
export function isBusy(state: IngestUiState): boolean {
  return state.pending !== null;
}

/** The choices of the panel that shape a dataset. */
export interface IngestChoices {
  /** Label column; undefined = the default (last column). */
  label?: string;
  task: 'auto' | 'classification' | 'regression';
  missing: 'drop' | 'impute';
  badValues: 'error' | 'missing';
  raggedRows: 'error' | 'skip';
  header: 'auto' | 'yes' | 'no';
  delimiter: 'auto' | ',' | ';' | '\t' | '|';
  testFraction: number;
  seed: number;
  imageSize: 28 | 32;
  channels: 1 | 3;
}

/** The panel's defaults: the encoder's and the (28×28 greyscale, 20 % test). */
export const DEFAULT_CHOICES: IngestChoices = {
  task: 'auto',
  missing: 'drop',
  badValues: 'error',
  raggedRows: 'error',
  header: 'auto',
  delimiter: 'auto',
  testFraction: 0.2,
  seed: 0,
  imageSize: 28,
  channels: 1,
};

/** Test fractions the split menu offers (0 = train on every row, no test metrics). */
export const TEST_FRACTIONS = [0, 0.1, 0.2, 0.3, 0.4, 0.5] as const;

/** The encoding options of the choices (the label only once the user has picked one). */
export function encodeOptions(c: IngestChoices): EncodeOptions {
  const out: EncodeOptions = { task: c.task, missing: c.missing, badValues: c.badValues, testFraction: c.testFraction, seed: c.seed };
  if (c.label !== undefined) out.label = c.label;
  return out;
}

/** The reading options of the choices; `subsample` reads the whole file and keeps a seeded sample. */
export function readOptions(c: IngestChoices, subsample = false): CsvReadOptions {
  const out: CsvReadOptions = { raggedRows: c.raggedRows, header: c.header === 'auto' ? 'auto' : c.header === 'yes', delimiter: c.delimiter };
  if (subsample) {
    out.overflow = 'subsample';
    out.seed = c.seed;
  }
  return out;
}

/** Read `file` as CSV and encode it with the choices. */
export function csvRequest(id: number, file: File, c: IngestChoices, subsample = false): ToIngest {
  return { type: 'ingest-csv', id, file, name: file.name, read: readOptions(c, subsample), encode: encodeOptions(c) };
}

/** Encode the loaded CSV again with the choices (no re-read). */
export function encodeRequest(id: number, c: IngestChoices): ToIngest {
  return { type: 'ingest-encode', id, encode: encodeOptions(c) };
}

/** Read images (a folder's files, or one .zip) with the choices. */
export function imagesRequest(id: number, src: Extract<IngestSource, { kind: 'images' }>, c: IngestChoices): ToIngest {
  const msg: ToIngest = { type: 'ingest-images', id, files: src.files, name: src.name, options: { size: c.imageSize, channels: c.channels, testFraction: c.testFraction, seed: c.seed } };
  if (src.paths) msg.paths = src.paths;
  return msg;
}

/** Read `src` again with the choices (after a change of reading or image options). */
export function rereadRequest(id: number, src: IngestSource, c: IngestChoices): ToIngest {
  return src.kind === 'csv' ? csvRequest(id, src.file, c) : imagesRequest(id, src, c);
}

/**
 * WebGPU's default limits (the spec's guaranteed minimum): the plan's yardstick when the page
 * runs on the CPU and knows no adapter.
 */
export const DEFAULT_WEBGPU_LIMITS: DatasetLimits = { maxStorageBufferBindingSize: 128 * 1024 * 1024, maxBufferSize: 256 * 1024 * 1024 };

/** The adapter's buffer limits, or WebGPU's defaults without one. */
export function planLimits(adapter: Pick<AdapterSummary, 'maxStorageBufferBindingSize' | 'maxBufferSize'> | null): DatasetLimits {
  return adapter ? { maxStorageBufferBindingSize: adapter.maxStorageBufferBindingSize, maxBufferSize: adapter.maxBufferSize } : DEFAULT_WEBGPU_LIMITS;
}

/** Plan the loaded dataset under the solver settings. */
export function planRequest(id: number, s: Pick<Settings, 'P' | 'model' | 'rank'>, limits: DatasetLimits): ToIngest {
  return { type: 'ingest-plan', id, P: s.P, model: s.model, rank: s.rank, limits };
}

/** What a drop or a pick holds, decided from the names and folder paths alone. */
export type DropKind =
  | { kind: 'csv'; index: number }
  | { kind: 'zip'; index: number }
  | { kind: 'images' }
  | { kind: 'unsupported'; message: string };

/** Extensions read as delimited text. */
const TEXT_EXT = /\.(csv|tsv|tab|txt|dat)$/i;

/**
 * Decides what to do with dropped or picked files: one CSV (or other delimited text) → read it;
 * one .zip → image classes inside; files from a folder (a path with a "/") → image classes;
 * anything else gets a message that says what to drop instead.
 */
export function classifyDrop(files: { name: string; path: string }[]): DropKind {
  if (files.length === 0) return { kind: 'unsupported', message: 'Nothing was dropped that the page can read: drop a CSV file, a .zip of images, or a folder with one sub-folder per class.' };
  const folder = files.some((f) => f.path.replace(/^\/+/, '').includes('/'));
  if (folder) return { kind: 'images' };
  if (files.length === 1) {
    const name = files[0].name;
    if (/\.zip$/i.test(name)) return { kind: 'zip', index: 0 };
    if (TEXT_EXT.test(name)) return { kind: 'csv', index: 0 };
    if (/\.(png|jpe?g|gif|bmp|webp)$/i.test(name)) {
      return { kind: 'unsupported', message: `${name}: one image is not a dataset. Drop a folder (or a .zip) with one sub-folder of images per class, e.g. cats/1.png, dogs/2.png.` };
    }
    if (/\.(xlsx?|ods|parquet|json)$/i.test(name)) {
      return { kind: 'unsupported', message: `${name}: this page reads CSV files. Save or export the table as CSV (UTF-8), then drop that file.` };
    }
    // Unknown extension: try it as text; the reader says clearly when it is not.
    return { kind: 'csv', index: 0 };
  }
  const csv = files.filter((f) => TEXT_EXT.test(f.name));
  const names = files.slice(0, 3).map((f) => f.name).join(', ');
  return {
    kind: 'unsupported',
    message:
      `${files.length} files were dropped (${names}${files.length > 3 ? ', ...' : ''}). ` +
      (csv.length > 0 ? 'Drop one CSV file at a time.' : 'Drop one folder (or one .zip) with one sub-folder of images per class, rather than loose files.'),
  };
}

/** Categorical feature columns and how many one-hot columns each became. */
export function oneHotColumns(columns: ColumnUse[] | null, featureNames: string[]): { column: string; levels: number }[] {
  if (!columns) return [];
  return columns
    .filter((c) => c.use === 'feature' && c.type === 'categorical')
    .map((c) => ({ column: c.name, levels: featureNames.filter((f) => f.startsWith(`${c.name}=`)).length }));
}

/** Missing values in the used columns and what the encoder did with them. */
export interface MissingSummary {
  /** Missing cells in the feature columns (all rows of the file). */
  cells: number;
  /** Rows dropped for a missing feature (choice 'drop'). */
  droppedRows: number;
  /** Rows dropped for a missing label (always). */
  droppedLabel: number;
  /** Cells filled in (choice 'impute'). */
  imputed: number;
  /** Per feature column with gaps: name and missing cells. */
  columns: { name: string; missing: number }[];
}

/** The {@link MissingSummary} of an encoded CSV (null for images). */
export function missingSummary(d: Pick<LoadedDataset, 'columns' | 'report'>): MissingSummary | null {
  if (!d.columns || !d.report) return null;
  const cols = d.columns.filter((c) => c.use === 'feature' && c.missing > 0).map((c) => ({ name: c.name, missing: c.missing }));
  return {
    cells: cols.reduce((s, c) => s + c.missing, 0),
    droppedRows: d.report.rows.droppedMissingFeature,
    droppedLabel: d.report.rows.droppedMissingLabel,
    imputed: d.report.imputed.reduce((s, x) => s + x.count, 0),
    columns: cols,
  };
}

/**
 * Whether "Train on this data" may start: a dataset is loaded, nothing is being read, and on a
 * GPU run the plan says it fits (on the CPU the GPU's buffer limits do not apply).
 */
export function canTrain(state: Pick<IngestUiState, 'dataset' | 'pending' | 'plan'>, onGpu: boolean): boolean {
  if (!state.dataset || state.pending) return false;
  return !onGpu || (state.plan !== null && state.plan.fits);
}
