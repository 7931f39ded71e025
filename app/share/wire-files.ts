/**
 * The page's files: the trained network (JSON, safetensors), a prediction snippet, the metrics
 * as CSV, and the session file; and the way back from a session file to the page's settings.
 * Pure functions over a {@link RunExport} (computed in the Worker), so the unit tests check
 * exactly what the buttons download.
 */
import { csvField, metricsToCsv, networkToJson, networkToSafetensors, predictionSnippet } from '../../solver/export/index';
import { csvColumns, METRIC_COLUMNS } from '../../solver/export/metrics-csv';
import { DEFAULT_METHOD, METHODS, methodOf, type MethodRegistry } from '../../solver/methods/index';
import type { MetricsRecord } from '../../solver/trainer';
import { DEFAULT_SETTINGS, toSolverConfig, type Settings } from '../settings';
import type { StoredRace } from './race-session';
import { exportSessionGzip, type SessionData, type SessionFile } from './session';
import type { RunExport } from './wire-run';
import { fromShareState, toShareState, type AppliedState, type ViewSettings } from './wire';
import type { CsvSource } from './wire-source';

/** A file to download. */
export interface DownloadFile {
  name: string;
  /** MIME type of the Blob. */
  type: string;
  content: string | Uint8Array;
}

/** A file-name stem from a dataset title: lower-case ASCII words joined by '-'. */
export function fileStem(title: string): string {
  const words = title
    .normalize('NFKD')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, ' ')
    .trim()
    .split(' ')
    .filter(Boolean)
    .slice(0, 6);
  return `cronos-${words.length ? words.join('-') : 'run'}`;
}

/** The recovered network, the convex weights U and W per class, standardisation and hyperparameters. */
export function networkJsonFile(e: RunExport): DownloadFile {
  const content = networkToJson(e.network, {
    ...(e.convex ? { convex: { U: e.convex.U, P: e.convex.P }, config: toSolverConfig(e.settings) } : {}),
    classNames: e.classNames,
    featureNames: e.featureNames,
    standardization: e.standardization,
  });
  return { name: `${fileStem(e.title)}-network.json`, type: 'application/json', content };
}

/** The same tensors as safetensors (float64), names and sizes in the metadata. */
export function safetensorsFile(e: RunExport): DownloadFile {
  const metadata: Record<string, string> = { classNames: JSON.stringify(e.classNames), featureNames: JSON.stringify(e.featureNames) };
  if (e.standardization) {
    metadata.standardization_mean = JSON.stringify(Array.from(e.standardization.mean));
    metadata.standardization_std = JSON.stringify(Array.from(e.standardization.std));
  }
  const content = networkToSafetensors(e.network, { ...(e.convex ? { convex: { U: e.convex.U, P: e.convex.P } } : {}), metadata });
  return { name: `${fileStem(e.title)}-network.safetensors`, type: 'application/octet-stream', content };
}

/** A dependency-free ES module exporting predict(x) with the weights inlined. */
export function snippetFile(e: RunExport): DownloadFile {
  const content = predictionSnippet(e.network, e.standardization, { classNames: e.classNames, featureNames: e.featureNames });
  return { name: `${fileStem(e.title)}-predict.mjs`, type: 'text/javascript', content };
}

/** Every recorded iteration's metrics as CSV. */
export function metricsCsvFile(history: readonly MetricsRecord[], title: string, method: string = DEFAULT_METHOD, methods: MethodRegistry = METHODS): DownloadFile {
  return { name: `${fileStem(title)}-metrics.csv`, type: 'text/csv', content: metricsToCsv(history, metricColumns(method, methods)) };
}

/** The CSV columns of a method's records: CRONOS keeps the columns its files always had; others follow their descriptors. */
export function metricColumns(method: string, methods: MethodRegistry = METHODS): readonly string[] {
  return method === DEFAULT_METHOD ? METRIC_COLUMNS : csvColumns(methodOf(method, methods).metrics);
}

/**
 * The session file (gzipped JSON): the run's settings as a share state, its data when a link
 * cannot name it, the metrics, the solution and the recovered network, and the race the page
 * shows, if any. Throws a RangeError with
 * a message when the run cannot be saved (e.g. user data of a kind sessions do not hold).
 */
export function sessionDownload(e: RunExport, history: readonly MetricsRecord[], view: ViewSettings, createdAt: Date, race: StoredRace | null = null): DownloadFile {
  const state = toShareState(e.settings, view, { name: e.title, label: 'label' });
  if (state.dataset.kind === 'local' && !e.data) throw new RangeError(e.dataNote ?? 'The data of this run is not available for a session file.');
  const session: SessionFile = {
    state,
    data: e.data,
    results: {
      history: history.slice(),
      solution: e.convex ? { d: e.d, P: e.convex.P, S: e.convex.S, C: e.C, U: e.convex.U, V: e.convex.V } : null,
      network: e.network,
      ...(e.state ? { state: e.state } : {}),
    },
    createdAt: createdAt.toISOString(),
    ...(race ? { race } : {}),
  };
  return { name: `${fileStem(e.title)}.cronos.json.gz`, type: 'application/gzip', content: exportSessionGzip(session) };
}

/**
 * A label column name not used by a feature ("label", else "label_2", …), for arrays written
 * as CSV.
 */
function freeLabelName(featureNames: readonly string[]): string {
  const taken = new Set(featureNames);
  let name = 'label';
  for (let k = 2; taken.has(name); k++) name = `label_${k}`;
  return name;
}

/**
 * Rows held as arrays (an image folder, user data) as CSV text, so they take the catalogue's
 * CSV path. Numbers are written in their shortest round-trip form, so the parser reads back the
 * exact doubles; labels are written by class name.
 */
export function arraysToCsv(data: Extract<SessionData, { kind: 'arrays' }>): { label: string; train: string; test?: string } {
  const label = freeLabelName(data.featureNames);
  const header = [...data.featureNames, label].map(csvField).join(',');
  const d = data.featureNames.length;
  const write = (a: { X: Float64Array; labels: Int32Array }): string => {
    const lines = [header];
    for (let j = 0; j < a.labels.length; j++) {
      const cells: string[] = [];
      for (let k = 0; k < d; k++) cells.push(String(a.X[j * d + k]));
      cells.push(csvField(data.classNames[a.labels[j]]));
      lines.push(cells.join(','));
    }
    return `${lines.join('\n')}\n`;
  };
  const out: { label: string; train: string; test?: string } = { label, train: write(data.train) };
  if (data.test) out.test = write(data.test);
  return out;
}

/** The CSV source for a session's data. */
export function sessionCsvSource(data: SessionData): CsvSource {
  if (data.kind === 'csv') {
    const src: CsvSource = { kind: 'text', origin: 'session', name: data.name, label: data.label, train: data.train };
    if (data.test !== undefined) src.test = data.test;
    return src;
  }
  const csv = arraysToCsv(data);
  const src: CsvSource = { kind: 'text', origin: 'session', name: data.name, label: csv.label, train: csv.train };
  if (csv.test !== undefined) src.test = csv.test;
  return src;
}

/**
 * The page's settings for a session file: its state, with its data (when it has any) in place
 * of the state's dataset reference, so the session replays offline.
 */
export function sessionSettings(file: SessionFile, base: Settings = DEFAULT_SETTINGS): AppliedState {
  const applied = fromShareState(file.state, base, { dataProvided: file.data !== null });
  if (!file.data) return applied;
  const settings: Settings = { ...applied.settings, csv: sessionCsvSource(file.data) };
  // 'user' would make the Worker train the "Your data" rows instead of the session's.
  if (settings.dataset === 'user') settings.dataset = DEFAULT_SETTINGS.dataset;
  return { ...applied, settings };
}
