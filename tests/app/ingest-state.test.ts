/**
 * The "Your data" panel's logic without a browser: the reducer over requests and Worker replies
 * (stale replies dropped, a failure keeps the loaded dataset, preview and files; a subsample
 * keeps the column cards), the request builders, what a drop holds, the plan limits and the
 * train gate; and the view helpers of user data (2-D domain, origin gate lines, regression
 * colours, RGB weight colours, weight tiles with channels, captions without classes).
 */
import { describe, expect, it } from 'vitest';
import type { ColumnUse, EncodeReport } from '../../data/encode';
import type { DatasetPlan } from '../../data/plan';
import type { DatasetSummary, FromIngest } from '../../app/ingest/protocol';
import {
  applyReply,
  canTrain,
  classifyDrop,
  csvRequest,
  DEFAULT_CHOICES,
  DEFAULT_WEBGPU_LIMITS,
  encodeRequest,
  imagesRequest,
  INITIAL_INGEST_STATE,
  ingestReducer,
  missingSummary,
  oneHotColumns,
  planLimits,
  planRequest,
  rereadRequest,
  type IngestUiState,
} from '../../app/components/ingest/ingestState';
import { delimiterName } from '../../app/components/ingest/DataViews';
import { regressionColor, boundaryColor, REGRESSION_SPAN } from '../../app/components/DecisionBoundary';
import { tileCaption, weightRgb } from '../../app/components/WeightImages';
import { originGateLines, planarDomain, standardisedTargets, userDatasetInfo } from '../../app/worker/ingest-prepare';
import { weightTiles } from '../../app/snapshot';
import { datasetInfo, isDatasetId } from '../../app/datasets';
import { isIngestReply } from '../../app/protocol';

const summary = (over: Partial<DatasetSummary> = {}): DatasetSummary => ({
  source: 'csv',
  fileName: 'a.csv',
  task: 'classification',
  n: 8,
  nTest: 2,
  d: 3,
  classNames: ['x', 'y'],
  featureNames: ['u', 'c=p', 'c=q'],
  balance: null,
  image: null,
  ...over,
});

const column = (over: Partial<ColumnUse>): ColumnUse => ({
  name: 'u',
  index: 0,
  type: 'numeric',
  numbers: 10,
  missing: 0,
  nonFinite: 0,
  text: 0,
  distinctText: 0,
  textOverflow: false,
  min: 0,
  max: 1,
  firstMissing: null,
  firstNonFinite: null,
  firstText: null,
  use: 'feature',
  reason: null,
  ...over,
});

const columns = [column({ name: 'u', index: 0, missing: 2 }), column({ name: 'c', index: 1, type: 'categorical', numbers: 0, text: 10, distinctText: 2 }), column({ name: 'label', index: 2, use: 'label' })];
const report = { labelColumn: 'label', rows: { inTable: 10, droppedMissingLabel: 1, droppedMissingFeature: 2, used: 7, train: 5, test: 2 }, imputed: [] } as unknown as EncodeReport;

const dataset = (id: number, over: Partial<DatasetSummary> = {}): FromIngest => ({
  type: 'ingest-dataset',
  id,
  summary: summary(over),
  columns,
  report,
  montage: null,
  skipped: [],
  notices: [{ level: 'info', file: 'a.csv', message: 'note' }],
});

const preview = (id: number, fileName: string): FromIngest => ({
  type: 'ingest-preview',
  id,
  fileName,
  header: ['u', 'c', 'label'],
  rows: [['1', 'p', 'x']],
  dialect: { delimiter: ',', quoteChar: '"', header: true, headerDetected: true, bom: false, encoding: 'utf-8', decimalComma: false },
  status: 'complete',
  message: null,
  rowsKept: 10,
  rowsSeen: 10,
});

const fileA = new File(['u,c,label\n'], 'a.csv');
const fileB = new File(['u,c,label\n'], 'b.csv');

/** The state after loading a.csv as request 1. */
function loaded(): IngestUiState {
  let s = ingestReducer(INITIAL_INGEST_STATE, { type: 'request', id: 1, kind: 'csv', name: 'a.csv', source: { kind: 'csv', file: fileA } });
  s = ingestReducer(s, { type: 'replies', replies: [{ type: 'ingest-progress', id: 1, phase: 'reading', done: 5, total: 10, rows: 3 }, preview(1, 'a.csv'), dataset(1)] });
  return s;
}

describe('ingest reducer', () => {
  it('a CSV request: progress, then the preview and dataset together', () => {
    let s = ingestReducer(INITIAL_INGEST_STATE, { type: 'request', id: 1, kind: 'csv', name: 'a.csv', source: { kind: 'csv', file: fileA } });
    expect(s.pending?.id).toBe(1);
    s = applyReply(s, { type: 'ingest-progress', id: 1, phase: 'reading', done: 5, total: 10, rows: 3 });
    expect(s.progress).toEqual({ phase: 'reading', done: 5, total: 10, rows: 3 });
    s = applyReply(s, preview(1, 'a.csv'));
    // Not shown yet: the file is not the dataset until encoding has worked.
    expect(s.preview).toBeNull();
    s = applyReply(s, dataset(1));
    expect(s.pending).toBeNull();
    expect(s.progress).toBeNull();
    expect(s.preview?.fileName).toBe('a.csv');
    expect(s.dataset?.summary.fileName).toBe('a.csv');
    expect(s.source).toEqual({ kind: 'csv', file: fileA });
    expect(s.version).toBe(1);
  });

  it('replies to a replaced request are ignored', () => {
    let s = ingestReducer(INITIAL_INGEST_STATE, { type: 'request', id: 1, kind: 'csv', name: 'a.csv', source: { kind: 'csv', file: fileA } });
    s = ingestReducer(s, { type: 'request', id: 2, kind: 'csv', name: 'b.csv', source: { kind: 'csv', file: fileB } });
    s = ingestReducer(s, {
      type: 'replies',
      replies: [preview(1, 'a.csv'), { type: 'ingest-error', id: 1, cancelled: true, error: { dataError: false, file: 'a.csv', message: 'cancelled' } }, dataset(1)],
    });
    expect(s.pending?.id).toBe(2);
    expect(s.dataset).toBeNull();
    expect(s.error).toBeNull();
    s = ingestReducer(s, { type: 'replies', replies: [preview(2, 'b.csv'), dataset(2, { fileName: 'b.csv' })] });
    expect(s.dataset?.summary.fileName).toBe('b.csv');
    expect(s.preview?.fileName).toBe('b.csv');
  });

  it('a failure shows the error and keeps the loaded dataset, its preview and its file', () => {
    const before = loaded();
    let s = ingestReducer(before, { type: 'request', id: 2, kind: 'csv', name: 'b.csv', source: { kind: 'csv', file: fileB } });
    s = ingestReducer(s, {
      type: 'replies',
      replies: [preview(2, 'b.csv'), { type: 'ingest-error', id: 2, cancelled: false, error: { dataError: true, file: 'b.csv', row: 3, column: 'u', message: 'b.csv, line 3, column "u": value "x" is not a number' } }],
    });
    expect(s.error?.message).toMatch(/line 3, column "u"/);
    expect(s.dataset).toBe(before.dataset);
    expect(s.preview).toBe(before.preview);
    expect(s.source).toBe(before.source);
    expect(s.failed).toEqual({ kind: 'csv', file: fileB });
    expect(s.version).toBe(1);
    expect(s.pending).toBeNull();
    // A new request clears the alert.
    s = ingestReducer(s, { type: 'request', id: 3, kind: 'csv', name: 'b.csv', source: { kind: 'csv', file: fileB } });
    expect(s.error).toBeNull();
  });

  it('an encode failure is about the loaded data: nothing to read again', () => {
    let s = ingestReducer(loaded(), { type: 'request', id: 2, kind: 'encode', name: 'a.csv', source: null });
    s = applyReply(s, { type: 'ingest-error', id: 2, cancelled: false, error: { dataError: true, file: 'a.csv', message: 'one class' } });
    expect(s.failed).toBeNull();
    expect(s.error?.message).toBe('one class');
  });

  it('a subsample keeps the column cards, notices and preview; a re-encode keeps the preview', () => {
    const before = loaded();
    let s = ingestReducer(before, { type: 'request', id: 2, kind: 'subsample', name: 'a.csv', source: null });
    s = applyReply(s, { type: 'ingest-dataset', id: 2, summary: summary({ n: 4 }), columns: null, report: null, montage: null, skipped: [], notices: [] });
    expect(s.dataset?.summary.n).toBe(4);
    expect(s.dataset?.columns).toBe(columns);
    expect(s.dataset?.notices).toHaveLength(1);
    expect(s.preview).toBe(before.preview);
    expect(s.source).toBe(before.source);
    expect(s.version).toBe(2);
    s = ingestReducer(s, { type: 'request', id: 3, kind: 'encode', name: 'a.csv', source: null });
    s = applyReply(s, dataset(3, { task: 'regression', classNames: [] }));
    expect(s.preview).toBe(before.preview);
    expect(s.dataset?.summary.task).toBe('regression');
  });

  it('images replace a CSV preview; plans count only for the latest plan request', () => {
    let s = ingestReducer(loaded(), { type: 'request', id: 2, kind: 'images', name: 'set.zip', source: { kind: 'images', files: [fileA], name: 'set.zip' } });
    s = applyReply(s, { ...(dataset(2, { source: 'images', image: { size: 28, channels: 1 } }) as Extract<FromIngest, { type: 'ingest-dataset' }>), columns: null, report: null, montage: [{ className: 'x', size: 28, tiles: [] }] });
    expect(s.preview).toBeNull();
    expect(s.dataset?.montage).toHaveLength(1);
    const plan = { fits: true } as DatasetPlan;
    s = ingestReducer(s, { type: 'plan-request', id: 7 });
    s = applyReply(s, { type: 'ingest-plan', id: 6, plan });
    expect(s.plan).toBeNull();
    s = applyReply(s, { type: 'ingest-plan', id: 7, plan });
    expect(s.plan).toBe(plan);
  });

  it('page-side errors and dismissing', () => {
    let s = ingestReducer(loaded(), { type: 'local-error', file: 'x.png', message: 'x.png: one image is not a dataset.' });
    expect(s.error).toEqual({ dataError: true, file: 'x.png', message: 'x.png: one image is not a dataset.' });
    expect(s.dataset).not.toBeNull();
    s = ingestReducer(s, { type: 'dismiss-error' });
    expect(s.error).toBeNull();
  });
});

describe('requests and helpers', () => {
  it('builds the requests from the choices', () => {
    const c = { ...DEFAULT_CHOICES, label: 'z', task: 'regression' as const, missing: 'impute' as const, testFraction: 0.3, seed: 5 };
    expect(csvRequest(1, fileA, c)).toEqual({
      type: 'ingest-csv',
      id: 1,
      file: fileA,
      name: 'a.csv',
      read: { raggedRows: 'error', header: 'auto', delimiter: 'auto' },
      encode: { label: 'z', task: 'regression', missing: 'impute', badValues: 'error', testFraction: 0.3, seed: 5 },
    });
    expect(csvRequest(2, fileA, { ...c, header: 'no', raggedRows: 'skip' }, true)).toMatchObject({ read: { header: false, raggedRows: 'skip', overflow: 'subsample', seed: 5 } });
    // No label before the user picks one: the encoder's default (last column) applies.
    expect(encodeRequest(3, DEFAULT_CHOICES)).toEqual({ type: 'ingest-encode', id: 3, encode: { task: 'auto', missing: 'drop', badValues: 'error', testFraction: 0.2, seed: 0 } });
    const folder = { kind: 'images' as const, files: [fileA], paths: ['set/x/a.png'], name: 'set' };
    expect(imagesRequest(4, folder, { ...c, imageSize: 32, channels: 3 })).toEqual({
      type: 'ingest-images',
      id: 4,
      files: [fileA],
      paths: ['set/x/a.png'],
      name: 'set',
      options: { size: 32, channels: 3, testFraction: 0.3, seed: 5 },
    });
    expect(rereadRequest(5, { kind: 'csv', file: fileB }, c)).toMatchObject({ type: 'ingest-csv', id: 5, name: 'b.csv' });
    expect(planRequest(6, { P: 16, model: 'gated', rank: 3 }, DEFAULT_WEBGPU_LIMITS)).toEqual({ type: 'ingest-plan', id: 6, P: 16, model: 'gated', rank: 3, limits: DEFAULT_WEBGPU_LIMITS });
  });

  it('tells a CSV, a zip and a folder apart, and explains what it cannot read', () => {
    expect(classifyDrop([{ name: 'data.csv', path: 'data.csv' }])).toEqual({ kind: 'csv', index: 0 });
    expect(classifyDrop([{ name: 'data.TSV', path: 'data.TSV' }])).toEqual({ kind: 'csv', index: 0 });
    expect(classifyDrop([{ name: 'set.zip', path: 'set.zip' }])).toEqual({ kind: 'zip', index: 0 });
    expect(classifyDrop([{ name: '1.png', path: 'set/cats/1.png' }, { name: '2.png', path: 'set/dogs/2.png' }])).toEqual({ kind: 'images' });
    expect(classifyDrop([{ name: 'a.png', path: 'a.png' }])).toMatchObject({ kind: 'unsupported', message: expect.stringMatching(/a\.png: one image is not a dataset/) });
    expect(classifyDrop([{ name: 'book.xlsx', path: 'book.xlsx' }])).toMatchObject({ kind: 'unsupported', message: expect.stringMatching(/Save or export the table as CSV/) });
    expect(classifyDrop([{ name: 'a.csv', path: 'a.csv' }, { name: 'b.csv', path: 'b.csv' }])).toMatchObject({ kind: 'unsupported', message: expect.stringMatching(/Drop one CSV file at a time/) });
    expect(classifyDrop([{ name: 'a.png', path: 'a.png' }, { name: 'b.png', path: 'b.png' }])).toMatchObject({ kind: 'unsupported', message: expect.stringMatching(/sub-folder of images per class/) });
    expect(classifyDrop([])).toMatchObject({ kind: 'unsupported' });
  });

  it('plans against the adapter, or WebGPU defaults; trains only when loaded, idle and fitting a GPU run', () => {
    expect(planLimits(null)).toEqual({ maxStorageBufferBindingSize: 134217728, maxBufferSize: 268435456 });
    expect(planLimits({ maxStorageBufferBindingSize: 1, maxBufferSize: 2 })).toEqual({ maxStorageBufferBindingSize: 1, maxBufferSize: 2 });
    const s = loaded();
    expect(canTrain(s, false)).toBe(true);
    expect(canTrain(s, true)).toBe(false);
    expect(canTrain({ ...s, plan: { fits: true } as DatasetPlan }, true)).toBe(true);
    expect(canTrain({ ...s, plan: { fits: false } as DatasetPlan }, true)).toBe(false);
    expect(canTrain({ ...s, pending: { id: 9, kind: 'encode', name: '', source: null } }, false)).toBe(false);
    expect(canTrain(INITIAL_INGEST_STATE, false)).toBe(false);
  });

  it('counts missing values and one-hot columns for the panel', () => {
    expect(missingSummary({ columns, report })).toEqual({ cells: 2, droppedRows: 2, droppedLabel: 1, imputed: 0, columns: [{ name: 'u', missing: 2 }] });
    expect(missingSummary({ columns: null, report: null })).toBeNull();
    expect(oneHotColumns(columns, ['u', 'c=p', 'c=q'])).toEqual([{ column: 'c', levels: 2 }]);
    expect(delimiterName('\t')).toBe('tab');
    expect(delimiterName('#')).toBe('"#"');
  });
});

describe('user data views', () => {
  it("the 'user' dataset id, its catalogue entry and the routing of ingest replies", () => {
    expect(isDatasetId('user')).toBe(true);
    expect(datasetInfo('user').source).toEqual({ kind: 'user' });
    expect(userDatasetInfo({ summary: summary({ source: 'images', fileName: 'set.zip', image: { size: 32, channels: 3 } }) })).toMatchObject({
      id: 'user',
      title: 'Your data: set.zip (images)',
      image: { width: 32, height: 32, channels: 3 },
    });
    expect(isIngestReply({ type: 'ingest-plan', id: 1, plan: {} as DatasetPlan })).toBe(true);
    expect(isIngestReply({ type: 'phase', run: 1, phase: 'x' })).toBe(false);
  });

  it('2-D domain, gate lines through the origin, standardised targets', () => {
    expect(planarDomain({ X: Float64Array.from([0.5, -1.7, 1, 0]), n: 2, d: 2 }, { X: Float64Array.from([2.2, 0]), n: 1, d: 2 })).toBe(2.5);
    expect(planarDomain({ X: new Float64Array(4), n: 2, d: 2 }, null)).toBe(1);
    const lines = originGateLines(Float64Array.from([1, 2, 3, 4]), 2);
    expect(Array.from(lines.a)).toEqual([1, 2]);
    expect(Array.from(lines.b)).toEqual([3, 4]);
    expect(Array.from(lines.c)).toEqual([0, 0]);
    const z = standardisedTargets(
      { targets: { name: 't', train: Float64Array.from([1, 3]), test: Float64Array.from([5]) } } as Parameters<typeof standardisedTargets>[0],
      { targetMean: 2, targetStd: 1 },
    );
    expect(Array.from(z ?? [])).toEqual([-1, 1, 3]);
  });

  it('regression colours span ±2 std; RGB weights are grey at 0; captions without classes', () => {
    expect(regressionColor(REGRESSION_SPAN)).toEqual(boundaryColor(1));
    expect(regressionColor(-2 * REGRESSION_SPAN)).toEqual(boundaryColor(-1));
    expect(weightRgb(0, 0, 0)).toEqual([128, 128, 128]);
    expect(weightRgb(1, -1, 5)).toEqual([255, 0, 255]);
    expect(weightRgb(Number.NaN, 0, 0)).toEqual([128, 128, 128]);
    expect(tileCaption({ S: 2, P: 4, C: 1, classNames: [] }, 5)).toBe('#2 (−)');
    expect(tileCaption({ S: 1, P: 4, C: 1, classNames: [] }, 2)).toBe('#3');
  });

  it('weight tiles of RGB images: three interleaved values per pixel', () => {
    const d = 2 * 2 * 3;
    const K = 2;
    const U = Float64Array.from({ length: d * K }, (_, i) => (i % K === 1 ? i : 0));
    const norms = Float64Array.from([0, 1]);
    const t = weightTiles(U, { d, K }, norms, { width: 2, height: 2, channels: 3 });
    expect(t).toMatchObject({ count: 1, width: 2, height: 2, channels: 3 });
    expect(Array.from(t?.pixels ?? [])).toEqual(Array.from({ length: d }, (_, k) => k * K + 1));
    // The grid must match d: greyscale 2×2 is not 12 features.
    expect(weightTiles(U, { d, K }, norms, { width: 2, height: 2 })).toBeNull();
  });
});
