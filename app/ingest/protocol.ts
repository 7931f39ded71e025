/**
 * Messages between the page and the Worker code that ingests user data (session.ts). They can be
 * added to the solver Worker's own ToWorker/FromWorker unions, or used by a Worker of their own.
 * Every reply carries the request's `id`, so the page can ignore replies to a request it has
 * replaced (a second drop while the first file is still being read).
 */
import type { ClassBalance } from '../../data/balance';
import type { ColumnUse, EncodeOptions, EncodeReport } from '../../data/encode';
import type { ErrorInfo, Notice } from '../../data/errors';
import type { DatasetLimits, DatasetPlan } from '../../data/plan';
import type { TabularDataset, TaskKind } from '../../data/tabular';
import type { ModelKind } from '../../solver/types';
import type { CsvDialect, CsvStatus } from '../../data/csv-reader';
import type { CsvStreamOptions } from './csv-stream';
import type { ImageLoadOptions, MontageClass } from './images';
import type { SkippedFile } from '../../data/image-files';

/** CSV reading options that can cross postMessage (no callbacks or signals). */
export type CsvReadOptions = Omit<CsvStreamOptions, 'onProgress' | 'signal' | 'fileName'>;

/** Image options that can cross postMessage. */
export type ImageReadOptions = Omit<ImageLoadOptions, 'onProgress' | 'signal'>;

/** Requests from the page. */
export type ToIngest =
  /** Read a dropped or picked CSV file, then encode it with `encode`. */
  | { type: 'ingest-csv'; id: number; file: Blob; name?: string; read?: CsvReadOptions; encode?: EncodeOptions }
  /** Encode the last CSV again with other choices (label column, task, missing values, split); omitted choices stay as they were. */
  | { type: 'ingest-encode'; id: number; encode: EncodeOptions }
  /**
   * Read a folder of class folders, or one .zip of them. `paths` (same order as `files`) are the
   * paths inside a dropped folder; a folder picked with <input webkitdirectory> needs none.
   */
  | { type: 'ingest-images'; id: number; files: File[]; paths?: string[]; name?: string; options: ImageReadOptions }
  /** Plan GPU memory for the current dataset under these solver settings. */
  | { type: 'ingest-plan'; id: number; P: number; model: ModelKind; rank: number; limits: DatasetLimits }
  /** Replace the current training set by a stratified seeded subsample of at most `nMax` rows. */
  | { type: 'ingest-subsample'; id: number; nMax: number; seed: number }
  /** Stop the read in progress (its request gets an ingest-error with `cancelled`). */
  | { type: 'ingest-cancel'; id: number };

/** The parts of a dataset the page shows (the arrays stay in the Worker unless asked for). */
export interface DatasetSummary {
  source: 'csv' | 'images';
  fileName: string;
  task: TaskKind;
  n: number;
  nTest: number;
  d: number;
  /** Classification: class names; regression: []. */
  classNames: string[];
  featureNames: string[];
  balance: ClassBalance | null;
  /** Images: the side of the resized images and channels. */
  image: { size: number; channels: 1 | 3 } | null;
}

/** The preview of a CSV file as the Worker read it (the ingest-preview reply without type and id). */
export interface CsvPreview {
  fileName: string;
  header: string[];
  rows: string[][];
  dialect: CsvDialect;
  status: CsvStatus;
  /** The row-cap message (offer "subsample") when status is not 'complete'. */
  message: string | null;
  rowsKept: number;
  rowsSeen: number;
}

/** A loaded dataset as the page shows it (the ingest-dataset reply without the arrays). */
export interface LoadedDataset {
  summary: DatasetSummary;
  columns: ColumnUse[] | null;
  report: EncodeReport | null;
  montage: MontageClass[] | null;
  skipped: SkippedFile[];
  notices: Notice[];
}

/** Replies from the Worker. */
export type FromIngest =
  | { type: 'ingest-progress'; id: number; phase: 'reading' | 'decoding'; done: number; total: number; rows: number }
  /** After reading a CSV: the preview table, how it was read, and the column cards. */
  | ({ type: 'ingest-preview'; id: number } & CsvPreview)
  /** A dataset is ready (it replaced the previous one). `train`/`test` only with includeData. */
  | ({ type: 'ingest-dataset'; id: number; train?: TabularDataset; test?: TabularDataset | null } & LoadedDataset)
  | { type: 'ingest-plan'; id: number; plan: DatasetPlan }
  /** The request failed; the previous dataset is still loaded. Show `error.message` in role="alert". */
  | { type: 'ingest-error'; id: number; error: ErrorInfo; cancelled: boolean };
