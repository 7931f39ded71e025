/**
 * The Worker side of data ingestion: answers {@link ToIngest} requests with {@link FromIngest}
 * replies. It keeps the last parsed CSV table (so changing the label column re-encodes without
 * re-reading the file) and the current dataset, which a failed request never replaces: the
 * page shows the error and keeps training on what was loaded before.
 */
import { encodeTable, type EncodeOptions, type EncodeResult } from '../../data/encode';
import { errorInfo } from '../../data/errors';
import { planDataset } from '../../data/plan';
import { subsample } from '../../data/subsample';
import type { ColumnTable } from '../../data/table';
import type { TabularDataset } from '../../data/tabular';
import { streamCsv } from './csv-stream';
import { isZipFile, loadImageDataset, type DecodeImage, type ImageSource } from './images';
import type { DatasetSummary, FromIngest, ToIngest } from './protocol';

/** A loaded dataset: training part, test part and what the page shows about it. */
export interface CurrentDataset {
  train: TabularDataset;
  test: TabularDataset | null;
  summary: DatasetSummary;
}

/** Options of {@link IngestSession}. */
export interface IngestSessionOptions {
  /** Send `train`/`test` in ingest-dataset (for a separate ingest Worker); default false. */
  includeData?: boolean;
  /** Image decoder (default: createImageBitmap + OffscreenCanvas). */
  decode?: DecodeImage;
  /** Least milliseconds between two progress messages (default 100). */
  progressIntervalMs?: number;
}

/** Handles ingestion requests one at a time; a new read cancels the one in progress. */
export class IngestSession {
  private table: ColumnTable | null = null;
  private lastEncode: EncodeOptions = {};
  private currentData: CurrentDataset | null = null;
  private running: { id: number; abort: AbortController } | null = null;

  constructor(
    private readonly post: (m: FromIngest) => void,
    private readonly opts: IngestSessionOptions = {},
  ) {}

  /** The dataset loaded last (null before the first success). */
  get current(): CurrentDataset | null {
    return this.currentData;
  }

  /** Handles one request; never throws (failures become ingest-error replies). */
  async handle(msg: ToIngest): Promise<void> {
    if (msg.type === 'ingest-cancel') {
      if (this.running?.id === msg.id) this.running.abort.abort(new Error('cancelled'));
      return;
    }
    this.running?.abort.abort(new Error('cancelled'));
    const abort = new AbortController();
    const run = { id: msg.id, abort };
    this.running = run;
    try {
      await this.dispatch(msg, abort.signal);
    } catch (e) {
      const cancelled = abort.signal.aborted;
      const error = errorInfo(e, msg.type === 'ingest-csv' ? (msg.name ?? fileNameOf(msg.file)) : 'the data');
      if (cancelled) error.message = 'Reading was cancelled; the previous dataset is still loaded.';
      this.post({ type: 'ingest-error', id: msg.id, error, cancelled });
    } finally {
      if (this.running === run) this.running = null;
    }
  }

  private async dispatch(msg: Exclude<ToIngest, { type: 'ingest-cancel' }>, signal: AbortSignal): Promise<void> {
    switch (msg.type) {
      case 'ingest-csv': {
        const name = msg.name ?? fileNameOf(msg.file);
        const progress = this.throttle((p: { bytesRead: number; totalBytes: number; rows: number }) =>
          this.post({ type: 'ingest-progress', id: msg.id, phase: 'reading', done: p.bytesRead, total: p.totalBytes, rows: p.rows }),
        );
        const res = await streamCsv(msg.file, { ...msg.read, fileName: name, signal, onProgress: progress });
        // A newer request may have started while this one awaited: never overwrite its result.
        signal.throwIfAborted();
        this.post({
          type: 'ingest-preview',
          id: msg.id,
          fileName: name,
          header: res.preview.header,
          rows: res.preview.rows,
          dialect: res.dialect,
          status: res.status,
          message: res.message,
          rowsKept: res.rowsKept,
          rowsSeen: res.rowsSeen,
        });
        const encode = msg.encode ?? {};
        const encoded = encodeTable(res.table, encode);
        // Only now, with both steps done, does the new file replace the old one.
        this.table = res.table;
        this.lastEncode = encode;
        this.publishCsv(msg.id, encoded, [...res.notices, ...encoded.notices]);
        return;
      }
      case 'ingest-encode': {
        if (this.table === null) throw new Error('no CSV file has been read yet');
        // Choices not given keep their previous values, so the page can send only what changed.
        const encode = { ...this.lastEncode, ...msg.encode };
        const encoded = encodeTable(this.table, encode);
        this.lastEncode = encode;
        this.publishCsv(msg.id, encoded, encoded.notices);
        return;
      }
      case 'ingest-images': {
        const zip = msg.files.length === 1 && (await isZipFile(msg.files[0]));
        const source: ImageSource = zip ? { kind: 'zip', file: msg.files[0], name: msg.name ?? msg.files[0].name } : { kind: 'files', files: msg.files, paths: msg.paths, name: msg.name };
        const progress = this.throttle((p: { done: number; total: number; skipped: number }) =>
          this.post({ type: 'ingest-progress', id: msg.id, phase: 'decoding', done: p.done, total: p.total, rows: p.done - p.skipped }),
        );
        const res = await loadImageDataset(source, { ...msg.options, signal, onProgress: progress }, this.opts.decode);
        signal.throwIfAborted();
        const summary: DatasetSummary = {
          source: 'images',
          fileName: res.train.fileName,
          task: 'classification',
          n: res.train.n,
          nTest: res.test?.n ?? 0,
          d: res.train.d,
          classNames: res.classNames,
          featureNames: res.train.featureNames,
          balance: res.balance,
          image: { size: msg.options.size, channels: msg.options.channels },
        };
        this.table = null;
        this.currentData = { train: res.train, test: res.test, summary };
        this.post({ type: 'ingest-dataset', id: msg.id, summary, columns: null, report: null, montage: res.montage, skipped: res.skipped, notices: res.notices, ...this.data() });
        return;
      }
      case 'ingest-plan': {
        const cur = this.requireCurrent();
        const C = cur.train.task === 'classification' && cur.train.classNames.length > 2 ? cur.train.classNames.length : 1;
        const plan = planDataset(cur.train.n, cur.train.d, msg.P, C, msg.model, msg.rank, msg.limits, { testRows: cur.test?.n ?? 0 });
        this.post({ type: 'ingest-plan', id: msg.id, plan });
        return;
      }
      case 'ingest-subsample': {
        const cur = this.requireCurrent();
        const train = subsample(cur.train, msg.nMax, msg.seed);
        const summary = { ...cur.summary, n: train.n };
        this.currentData = { ...cur, train, summary };
        this.post({ type: 'ingest-dataset', id: msg.id, summary, columns: null, report: null, montage: null, skipped: [], notices: [], ...this.data() });
        return;
      }
    }
  }

  private publishCsv(id: number, encoded: EncodeResult, notices: EncodeResult['notices']): void {
    const { train, test, report } = encoded;
    const summary: DatasetSummary = {
      source: 'csv',
      fileName: report.fileName,
      task: report.task,
      n: train.n,
      nTest: test?.n ?? 0,
      d: train.d,
      classNames: train.task === 'classification' ? train.classNames : [],
      featureNames: train.featureNames,
      balance: report.classBalance,
      image: null,
    };
    this.currentData = { train, test, summary };
    this.post({ type: 'ingest-dataset', id, summary, columns: report.columns, report, montage: null, skipped: [], notices, ...this.data() });
  }

  private data(): { train?: TabularDataset; test?: TabularDataset | null } {
    if (!this.opts.includeData || this.currentData === null) return {};
    return { train: this.currentData.train, test: this.currentData.test };
  }

  private requireCurrent(): CurrentDataset {
    if (this.currentData === null) throw new Error('no dataset has been loaded yet');
    return this.currentData;
  }

  /** `fn` at most once per progressIntervalMs (the first call always goes through). */
  private throttle<A>(fn: (a: A) => void): (a: A) => void {
    const every = this.opts.progressIntervalMs ?? 100;
    let last = -Infinity;
    return (a) => {
      const now = Date.now();
      if (now - last >= every) {
        last = now;
        fn(a);
      }
    };
  }
}

/** A Blob's file name when it is a File. */
function fileNameOf(b: Blob): string {
  return 'name' in b && typeof b.name === 'string' && b.name !== '' ? b.name : 'data.csv';
}
