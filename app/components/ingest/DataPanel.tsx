/**
 * "Your data": load a CSV file, a .zip of class folders or a folder of images (drop anywhere on
 * the page, or pick with the file inputs), see how it was read, make the choices that shape the
 * dataset, check its size against the device, and train on it. Reading and encoding happen in
 * the solver Worker (app/ingest/session.ts); this component sends requests and draws replies.
 * A bad file is reported in a role="alert" element while the loaded dataset and the run stay.
 */
import { memo, useCallback, useEffect, useId, useRef, useState, type Dispatch } from 'react';
import { createPortal } from 'react-dom';
import type { AdapterSummary } from '../../../solver/gpu/context';
import type { DeviceKind } from '../../../solver/types';
import { fmtInt } from '../../format';
import type { ToIngest } from '../../ingest/protocol';
import type { Settings } from '../../settings';
import { firstSessionFile, requestSessionImport } from '../../share/dropped';
import { Panel } from '../Panel';
import { ClassBalanceView, ColumnCards, DialectLine, Montage, NoticeList, PlanView, PreviewTable, SkippedFiles, type PlanMode } from './DataViews';
import { dragHasFiles, filesFromDrop, filesFromInput, type DroppedFiles } from './dropFiles';
import {
  canTrain,
  classifyDrop,
  csvRequest,
  DEFAULT_CHOICES,
  encodeRequest,
  imagesRequest,
  isBusy,
  missingSummary,
  oneHotColumns,
  planLimits,
  planRequest,
  rereadRequest,
  TEST_FRACTIONS,
  type IngestAction,
  type IngestChoices,
  type IngestSource,
  type IngestUiState,
  type RequestKind,
} from './ingestState';
import './ingest.css';

/** Props of {@link DataPanel}. */
export interface DataPanelProps {
  state: IngestUiState;
  dispatch: Dispatch<IngestAction>;
  send(msg: ToIngest): void;
  settings: Settings;
  /** The WebGPU adapter of the current run (null on the CPU or before the first GPU run). */
  adapter: AdapterSummary | null;
  device: DeviceKind | null;
  /** Title of the problem being trained (to say whether the run uses the loaded data). */
  trainingTitle: string | null;
  /** Switch the run to the loaded data. */
  onTrain(): void;
}

/** How a choice change reaches the data: re-encode the CSV table, re-read the file, or re-decode images. */
type Effect = 'encode' | 'read' | 'images' | 'split';

/** The "Your data" panel (with the page-wide drop zone). */
export const DataPanel = memo(function DataPanel({ state, dispatch, send, settings, adapter, device, trainingTitle, onTrain }: DataPanelProps) {
  const [choices, setChoices] = useState<IngestChoices>(DEFAULT_CHOICES);
  const [dragging, setDragging] = useState(false);
  const [trainedVersion, setTrainedVersion] = useState(-1);
  const nextId = useRef(1);
  const folderInput = useRef<HTMLInputElement>(null);
  const ids = { file: useId(), folder: useId(), label: useId(), split: useId(), seed: useId(), size: useId(), header: useId(), delimiter: useId() };
  const busy = isBusy(state);
  const { dataset, preview } = state;
  const csv = dataset?.summary.source === 'csv';
  // Which limits bind: the adapter's on a WebGPU run; none on the CPU; unknown while the first run starts.
  const planMode: PlanMode = settings.device === 'cpu' || device === 'cpu' ? 'cpu' : adapter !== null && device === 'gpu' ? 'gpu' : 'unknown';
  const onGpu = planMode === 'gpu';

  // React has no prop for it; the attribute makes the picker choose a folder.
  useEffect(() => folderInput.current?.setAttribute('webkitdirectory', ''), []);

  const request = useCallback(
    (kind: RequestKind, name: string, source: IngestSource | null, build: (id: number) => ToIngest): void => {
      const id = nextId.current++;
      dispatch({ type: 'request', id, kind, name, source });
      send(build(id));
    },
    [dispatch, send],
  );

  /** Reads what was dropped or picked (a new file starts with the default label column). */
  const load = useCallback(
    (dropped: DroppedFiles): void => {
      // A saved session is not data: the session importer (app/share) opens it.
      const session = firstSessionFile(dropped.files);
      if (session) {
        requestSessionImport(session);
        return;
      }
      const kind = classifyDrop(dropped.files.map((f, i) => ({ name: f.name, path: dropped.paths[i] ?? f.name })));
      if (kind.kind === 'unsupported') {
        dispatch({ type: 'local-error', message: kind.message, file: dropped.files[0]?.name ?? 'the drop' });
        return;
      }
      if (kind.kind === 'csv') {
        const file = dropped.files[kind.index];
        const c = { ...choices, label: undefined, task: 'auto' as const };
        setChoices(c);
        request('csv', file.name, { kind: 'csv', file }, (id) => csvRequest(id, file, c));
        return;
      }
      const files = kind.kind === 'zip' ? [dropped.files[kind.index]] : dropped.files;
      const name = kind.kind === 'zip' ? files[0].name : folderName(dropped.paths);
      // Paths only for a dropped folder: a picked one carries webkitRelativePath itself.
      const paths = kind.kind === 'images' && dropped.paths.some((p, i) => p !== (dropped.files[i].webkitRelativePath || dropped.files[i].name)) ? dropped.paths : undefined;
      const source: IngestSource = paths ? { kind: 'images', files, paths, name } : { kind: 'images', files, name };
      request('images', name, source, (id) => imagesRequest(id, source, choices));
    },
    [choices, dispatch, request],
  );

  // The page-wide drop zone: the whole window takes drops while this panel is mounted.
  const loadRef = useRef(load);
  loadRef.current = load;
  useEffect(() => {
    let depth = 0;
    const enter = (e: DragEvent): void => {
      if (!dragHasFiles(e.dataTransfer)) return;
      e.preventDefault();
      depth++;
      setDragging(true);
    };
    const over = (e: DragEvent): void => {
      if (!dragHasFiles(e.dataTransfer)) return;
      e.preventDefault();
      if (e.dataTransfer) e.dataTransfer.dropEffect = 'copy';
    };
    const leave = (e: DragEvent): void => {
      if (!dragHasFiles(e.dataTransfer)) return;
      depth = Math.max(0, depth - 1);
      if (depth === 0) setDragging(false);
    };
    const drop = (e: DragEvent): void => {
      depth = 0;
      setDragging(false);
      // Already handled by an earlier listener.
      if (e.defaultPrevented || !e.dataTransfer || !dragHasFiles(e.dataTransfer)) return;
      // Without this the browser would open the file and leave the page (and the run).
      e.preventDefault();
      filesFromDrop(e.dataTransfer).then(
        (d) => loadRef.current(d),
        (err: unknown) => dispatch({ type: 'local-error', file: 'the dropped folder', message: `The dropped folder could not be read (${err instanceof Error ? err.message : String(err)}). Try the folder picker instead.` }),
      );
    };
    window.addEventListener('dragenter', enter);
    window.addEventListener('dragover', over);
    window.addEventListener('dragleave', leave);
    // Capture phase: this drop zone decides before the page-wide session-file fallback (share/wire-hooks.ts),
    // which ignores drops that are already handled (defaultPrevented) and swallows any other file.
    window.addEventListener('drop', drop, true);
    return () => {
      window.removeEventListener('dragenter', enter);
      window.removeEventListener('dragover', over);
      window.removeEventListener('dragleave', leave);
      window.removeEventListener('drop', drop, true);
    };
  }, [dispatch]);

  /**
   * A choice changed: apply it to the loaded data, or, for the choices error messages point to
   * (`fix`: skip malformed rows, bad values as missing, impute, header, delimiter, image options),
   * to the file that just failed.
   */
  const choose = (change: Partial<IngestChoices>, effect: Effect, fix = false): void => {
    const c = { ...choices, ...change };
    setChoices(c);
    const target = fix && state.error && state.failed ? state.failed : state.source;
    if (!target) return;
    const fixing = target !== state.source;
    if (target.kind === 'csv') {
      if (effect === 'images') return;
      if (effect === 'read' || fixing) request('csv', target.file.name, target, (id) => rereadRequest(id, target, c));
      else request('encode', target.file.name, null, (id) => encodeRequest(id, c));
      return;
    }
    if (effect === 'images' || effect === 'split') request('images', target.name, target, (id) => rereadRequest(id, target, c));
  };

  // The size plan of the loaded dataset under the current solver settings and device limits.
  const limits = planLimits(onGpu ? adapter : null);
  const { maxStorageBufferBindingSize: bindLimit, maxBufferSize: bufLimit } = limits;
  const version = state.version;
  const hasData = dataset !== null;
  useEffect(() => {
    // Never while reading: a request cancels the one in flight, and a plan would cancel the read.
    if (!hasData || busy) return;
    const id = nextId.current++;
    dispatch({ type: 'plan-request', id });
    send(planRequest(id, { P: settings.P, model: settings.model, rank: settings.rank }, { maxStorageBufferBindingSize: bindLimit, maxBufferSize: bufLimit }));
  }, [hasData, busy, version, settings.P, settings.model, settings.rank, bindLimit, bufLimit, dispatch, send]);

  const train = (): void => {
    setTrainedVersion(state.version);
    onTrain();
  };
  // Choosing "Your data" in the dataset menu also trains the data loaded at that moment (worker/session.ts).
  const prevDataset = useRef(settings.dataset);
  useEffect(() => {
    if (settings.dataset === 'user' && prevDataset.current !== 'user') setTrainedVersion(state.version);
    prevDataset.current = settings.dataset;
  }, [settings.dataset, state.version]);

  const label = dataset?.report?.labelColumn ?? null;
  const labelCol = dataset?.columns?.find((c) => c.use === 'label') ?? null;
  const missing = dataset ? missingSummary(dataset) : null;
  const oneHot = dataset ? oneHotColumns(dataset.columns, dataset.summary.featureNames) : [];
  const trainingThis = settings.dataset === 'user' && trainedVersion === state.version;
  const summary = dataset?.summary ?? null;
  const source = state.source;
  const csvOptions = source?.kind === 'csv' || state.failed?.kind === 'csv';

  return (
    <Panel
      title="Your data"
      subtitle="Drop a CSV file, a .zip with one folder of images per class, or such a folder anywhere on this page, or pick one below. Your data never leaves this browser."
      className="wide data-panel"
      testId="data-panel"
    >
      {dragging &&
        // In <body>: a panel's CSS containment would otherwise confine a fixed overlay to the panel.
        createPortal(
          <div className="drop-overlay" data-testid="drop-overlay" aria-hidden="true">
            <div>Drop to load: a CSV file, a .zip of images, or a folder with one sub-folder per class</div>
          </div>,
          document.body,
        )}
      <div className={`drop-zone${dragging ? ' active' : ''}`}>
        <div className="pickers">
          <div className="picker">
            <label htmlFor={ids.file}>CSV file or .zip of images</label>
            <input
              id={ids.file}
              type="file"
              accept=".csv,.tsv,.txt,.tab,.dat,.zip,text/csv,text/tab-separated-values,application/zip"
              data-testid="data-file"
              onChange={(e) => {
                const picked = filesFromInput(e.target.files);
                // Cleared so picking the same file again (after fixing it) reads it again.
                e.target.value = '';
                if (picked.files.length > 0) load(picked);
              }}
            />
          </div>
          <div className="picker">
            <label htmlFor={ids.folder}>Folder of images (one sub-folder per class)</label>
            <input
              id={ids.folder}
              ref={folderInput}
              type="file"
              multiple
              data-testid="data-folder"
              onChange={(e) => {
                const picked = filesFromInput(e.target.files);
                e.target.value = '';
                if (picked.files.length > 0) load(picked);
              }}
            />
          </div>
          <div className="picker image-options" role="group" aria-label="Image options">
            <label htmlFor={ids.size}>Images: size and colour</label>
            <div className="row">
              <select id={ids.size} value={choices.imageSize} data-testid="image-size" onChange={(e) => choose({ imageSize: Number(e.target.value) === 32 ? 32 : 28 }, 'images', true)}>
                <option value={28}>28 × 28</option>
                <option value={32}>32 × 32</option>
              </select>
              <div className="segmented small" role="radiogroup" aria-label="Image colour">
                {(
                  [
                    [1, 'Greyscale'],
                    [3, 'RGB'],
                  ] as const
                ).map(([ch, text]) => (
                  <label key={ch} className={choices.channels === ch ? 'on' : ''}>
                    <input type="radio" name="image-channels" checked={choices.channels === ch} onChange={() => choose({ channels: ch }, 'images', true)} data-testid={`image-channels-${ch}`} />
                    {text}
                  </label>
                ))}
              </div>
            </div>
          </div>
        </div>
        <p className="drop-hint muted">
          …or drag files here (the whole page is a drop zone). CSV: one row per example, a header row, the label in any column (default: the last). Images:
          folders named after their classes (PNG, JPEG, GIF, BMP, WebP), optionally inside train/ and test/.
        </p>
      </div>

      {state.pending && (
        <div className="data-progress" role="status" data-testid="data-progress">
          <progress max={state.progress?.total || 1} value={state.progress?.done ?? 0} aria-label={`Progress of ${state.pending.name}`} />
          <span>
            {state.progress?.phase === 'decoding' ? 'Decoding' : state.pending.kind === 'encode' ? 'Encoding' : 'Reading'} {state.pending.name}
            {state.progress ? (state.progress.phase === 'decoding' ? `: ${fmtInt(state.progress.done)} of ${fmtInt(state.progress.total)} images` : `: ${fmtInt(state.progress.rows)} rows`) : '…'}
          </span>
        </div>
      )}

      <div role="alert" className={state.error ? 'data-alert' : 'data-alert empty'} data-testid="data-error">
        {state.error && (
          <>
            <p>
              <strong>Could not load {state.error.file}.</strong> {state.error.message}
            </p>
            <p className="muted">{dataset ? `The data loaded before (${dataset.summary.fileName}) is still loaded${settings.dataset === 'user' ? ' and the run continues' : ''}.` : 'Nothing was loaded.'}</p>
            <button type="button" className="btn small" onClick={() => dispatch({ type: 'dismiss-error' })}>
              Dismiss
            </button>
          </>
        )}
      </div>

      {summary && dataset && (
        <>
          <div className="data-summary">
            <p data-testid="data-summary">
              <strong>{summary.fileName}</strong>: {fmtInt(summary.n)} training rows, {fmtInt(summary.nTest)} test rows, {fmtInt(summary.d)} features
              {summary.image ? ` (${summary.image.size}×${summary.image.size} ${summary.image.channels === 3 ? 'RGB' : 'greyscale'})` : ''};{' '}
              {summary.task === 'regression' ? `regression on "${label ?? 'target'}" (MSE and R²)` : `${summary.classNames.length} classes${summary.classNames.length > 2 ? ' (one-vs-all)' : ''}`}.
              {oneHot.length > 0 && ` Categorical features one-hot encoded: ${oneHot.map((o) => `${o.column} (${o.levels} columns)`).join(', ')}.`} Features are z-scored with the training rows'
              statistics.
            </p>
            <div className="train-row">
              <button type="button" className="btn primary" disabled={!canTrain(state, onGpu)} onClick={train} data-testid="train-user">
                Train on this data
              </button>
              <span className="muted" data-testid="train-status">
                {trainingThis
                  ? `The run trains on this data${trainingTitle ? ` (${trainingTitle})` : ''}.`
                  : settings.dataset === 'user'
                    ? 'The run still trains the data loaded before; press the button to switch.'
                    : 'The run trains a built-in dataset; press the button to switch (the built-in ones stay in the Dataset menu).'}
              </span>
            </div>
            <PlanView plan={state.plan} mode={planMode} busy={busy} onSubsample={(nMax) => request('subsample', summary.fileName, null, (id) => ({ type: 'ingest-subsample', id, nMax, seed: choices.seed }))} />
          </div>
        </>
      )}

      {/* After the summary, but also without a dataset: the fixes a failed file's message names. */}
      {csvOptions && (
        <section className="data-section reading-options" aria-label="Reading options">
          <h3>Reading options</h3>
          <div className="row">
            <div className="field">
              <label className="field-label" htmlFor={ids.header}>
                Header row
              </label>
              <select id={ids.header} value={choices.header} onChange={(e) => choose({ header: e.target.value === 'yes' ? 'yes' : e.target.value === 'no' ? 'no' : 'auto' }, 'read', true)}>
                <option value="auto">detect</option>
                <option value="yes">first row is the header</option>
                <option value="no">no header row</option>
              </select>
            </div>
            <div className="field">
              <label className="field-label" htmlFor={ids.delimiter}>
                Delimiter
              </label>
              <select id={ids.delimiter} value={choices.delimiter} onChange={(e) => choose({ delimiter: toDelimiter(e.target.value) }, 'read', true)}>
                <option value="auto">detect</option>
                <option value=",">comma</option>
                <option value=";">semicolon</option>
                <option value={'\t'}>tab</option>
                <option value="|">pipe</option>
              </select>
            </div>
            <div className="field" role="radiogroup" aria-label="Missing values">
              <span className="field-label" aria-hidden="true">
                Missing values
              </span>
              <div className="segmented small">
                {(
                  [
                    ['drop', 'Drop rows'],
                    ['impute', 'Impute'],
                  ] as const
                ).map(([m, text]) => (
                  <label key={m} className={choices.missing === m ? 'on' : ''}>
                    <input type="radio" name="data-missing" checked={choices.missing === m} onChange={() => choose({ missing: m }, 'encode', true)} data-testid={`missing-${m}`} />
                    {text}
                  </label>
                ))}
              </div>
            </div>
          </div>
          {csv && (
            <p className="hint" data-testid="missing-counts">
              {missing && missing.cells > 0
                ? `${fmtInt(missing.cells)} missing cells in ${missing.columns.length} feature column${missing.columns.length === 1 ? '' : 's'} (${missing.columns
                    .slice(0, 3)
                    .map((c) => `${c.name}: ${fmtInt(c.missing)}`)
                    .join(', ')}); ${missing.droppedRows > 0 ? `${fmtInt(missing.droppedRows)} rows dropped` : `${fmtInt(missing.imputed)} cells filled in (mean, or most frequent category)`}.`
                : 'No missing values in the feature columns.'}
              {missing && missing.droppedLabel > 0 ? ` ${fmtInt(missing.droppedLabel)} rows without a label dropped.` : ''}
            </p>
          )}
          <label className="check">
            <input type="checkbox" checked={choices.badValues === 'missing'} onChange={(e) => choose({ badValues: e.target.checked ? 'missing' : 'error' }, 'encode', true)} data-testid="bad-values" />
            Treat bad values as missing (text, NaN or Inf in a numeric column)
          </label>
          <label className="check">
            <input type="checkbox" checked={choices.raggedRows === 'skip'} onChange={(e) => choose({ raggedRows: e.target.checked ? 'skip' : 'error' }, 'read', true)} data-testid="skip-ragged" />
            Skip malformed rows (a number of fields other than the header's)
          </label>
        </section>
      )}

      {summary && dataset && (
        <>
          <div className="data-grid">
            {csv && preview && (
              <section className="data-section">
                <h3>How the file was read</h3>
                <DialectLine dialect={preview.dialect} />
                <p className="data-line">
                  {fmtInt(preview.rowsKept)} rows kept{preview.rowsSeen > preview.rowsKept ? ` of ${fmtInt(preview.rowsSeen)} read` : ''}.
                </p>
                {preview.message && (
                  <div className="plan no-fit" data-testid="row-cap">
                    <p>{preview.message}</p>
                    {preview.status === 'truncated' && source?.kind === 'csv' && (
                      <button type="button" className="btn small" disabled={busy} onClick={() => request('csv', source.file.name, source, (id) => csvRequest(id, source.file, choices, true))} data-testid="row-cap-subsample">
                        Subsample the whole file instead
                      </button>
                    )}
                  </div>
                )}
              </section>
            )}

            {csv && dataset.columns && (
              <section className="data-section">
                <h3>Target and task</h3>
                <div className="field">
                  <label className="field-label" htmlFor={ids.label}>
                    Label column
                  </label>
                  <select id={ids.label} value={label ?? ''} data-testid="label-column" onChange={(e) => choose({ label: e.target.value, task: 'auto' }, 'encode')}>
                    {dataset.columns.map((c) => (
                      <option key={c.index} value={c.name}>
                        {c.name}
                      </option>
                    ))}
                  </select>
                  <p className="hint">The column to predict; it is removed from the features. Default: the last column.</p>
                </div>
                {labelCol?.type === 'numeric' && (
                  <div className="field" role="radiogroup" aria-label="Task">
                    <span className="field-label" aria-hidden="true">
                      Task
                    </span>
                    <div className="segmented small">
                      {(
                        [
                          ['classification', 'Classification'],
                          ['regression', 'Regression'],
                        ] as const
                      ).map(([t, text]) => (
                        <label key={t} className={summary.task === t ? 'on' : ''}>
                          <input type="radio" name="data-task" checked={summary.task === t} onChange={() => choose({ task: t }, 'encode')} data-testid={`task-${t}`} />
                          {text}
                        </label>
                      ))}
                    </div>
                    <p className="hint">A numeric target: each value a class, or regression on the same least-squares objective (MSE and R²).</p>
                  </div>
                )}
              </section>
            )}

            <section className="data-section">
              <h3>Split</h3>
              <div className="row">
                <div className="field">
                  <label className="field-label" htmlFor={ids.split}>
                    Test split
                  </label>
                  <select id={ids.split} value={choices.testFraction} data-testid="data-split" onChange={(e) => choose({ testFraction: Number(e.target.value) }, 'split')}>
                    {TEST_FRACTIONS.map((f) => (
                      <option key={f} value={f}>
                        {f === 0 ? 'none (train on all rows)' : `${Math.round(f * 100)} % test`}
                      </option>
                    ))}
                  </select>
                </div>
                <div className="field">
                  <label className="field-label" htmlFor={ids.seed}>
                    Split seed
                  </label>
                  <SeedInput id={ids.seed} value={choices.seed} onCommit={(seed) => choose({ seed }, 'split')} />
                </div>
              </div>
              <p className="hint">
                {summary.task === 'regression' ? 'Stratified by target quantiles' : 'Stratified by class'}, seeded; {summary.source === 'images' ? 'train/ and test/ folders, when present, are used instead.' : 'statistics are fitted on the training rows only.'}
              </p>
              {summary.balance && <ClassBalanceView balance={summary.balance} />}
            </section>
          </div>

          {dataset.montage && dataset.montage.length > 0 && (
            <section className="data-section">
              <h3>
                Montage: {dataset.montage[0].tiles.length > 0 ? `up to ${Math.max(...dataset.montage.map((m) => m.tiles.length))} images per class` : 'no images'}, as the solver sees them
              </h3>
              <Montage montage={dataset.montage} />
            </section>
          )}
          <SkippedFiles skipped={dataset.skipped} />
          <NoticeList notices={dataset.notices} />
          {csv && dataset.columns && (
            <details className="data-details" open>
              <summary>Columns ({dataset.columns.length}): types and use</summary>
              <ColumnCards columns={dataset.columns} featureNames={summary.featureNames} />
            </details>
          )}
          {csv && preview && (
            <details className="data-details" open>
              <summary>Preview</summary>
              <PreviewTable preview={preview} label={label} />
            </details>
          )}
        </>
      )}
    </Panel>
  );
});

/** A seed field that commits on Enter or blur (a re-split per keystroke would be wasted work). */
function SeedInput({ id, value, onCommit }: { id: string; value: number; onCommit(v: number): void }) {
  const [draft, setDraft] = useState(String(value));
  useEffect(() => setDraft(String(value)), [value]);
  const commit = (): void => {
    const v = Math.max(0, Math.min(2 ** 31 - 1, Math.round(Number(draft))));
    if (!Number.isFinite(v)) {
      setDraft(String(value));
      return;
    }
    setDraft(String(v));
    if (v !== value) onCommit(v);
  };
  return (
    <input
      id={id}
      type="number"
      min={0}
      step={1}
      value={draft}
      data-testid="data-seed"
      onChange={(e) => setDraft(e.target.value)}
      onBlur={commit}
      onKeyDown={(e) => {
        if (e.key === 'Enter') commit();
      }}
    />
  );
}

/** A delimiter menu value. */
function toDelimiter(v: string): IngestChoices['delimiter'] {
  return v === ',' || v === ';' || v === '\t' || v === '|' ? v : 'auto';
}

/** The dropped folder's name: the first path segment shared by the files. */
function folderName(paths: string[]): string {
  const first = (paths[0] ?? '').replace(/^\/+/, '');
  return first.includes('/') ? first.slice(0, first.indexOf('/')) : 'images';
}
