/**
 * The session file, for what a link cannot hold: the settings, the data and the results of a run
 * in one JSON document (`*.cronos.json`), optionally gzipped (`*.cronos.json.gz`).
 *
 * Why JSON and not a zip: one self-describing document that any language reads with its JSON
 * parser; the big arrays are base64 little-endian blocks (see tensor-json.ts), so they are exact
 * and compact; gzip on top gives the zip's size without a container format whose entry names,
 * sizes and nesting the importer would also have to distrust. The importer accepts both forms
 * (gzip is recognised by its magic bytes), caps the inflated size, checks the gzip CRC, and
 * validates every field like the link decoder: unknown fields, wrong types, inconsistent shapes
 * and out-of-range values are rejected with a message, never thrown.
 *
 * Format, version 1:
 * ```
 * { "format": "cronos-playground-session", "version": 1, "createdAt"?: ISO string,
 *   "state": full ShareState (no omitted fields),
 *   "data": null | { "kind": "csv", "name", "label", "train": CSV text, "test"?: CSV text }
 *               | { "kind": "arrays", "name", "featureNames", "classNames",
 *                   "train": { "X": f64 [n, d], "labels": i32 [n] }, "test"?: same },
 *   "results": null | { "history": [IterationMetrics; non-finite numbers as "NaN" / "Infinity" / "-Infinity", −0 as 0],
 *                       "solution": null | { "d", "P", "S", "C", "U": f64 [d, C·S·P], "V": same },
 *                       "network": null | { "model", "d", "m", "C", "W1": f64 [d, m], "w2": f64 [m, C], "gates"?: f64 [d, m] },
 *                       "state"?: the trainer's saved state (trainer-state-json.ts), so "Continue training" goes on exactly
 *                                 without replaying; files written before it existed continue by replay },
 *   "race"?: { "config": a race link's section (race-link.ts), "device": "cpu" | "gpu",
 *              "runs": [{ "method", "lr", "curve": [{ "time_s", "epoch", "test_accuracy" }], "end", "error"? }] }
 *            the race the page showed (race-session.ts); its summaries are rebuilt on import }
 * ```
 * `data` is required when `state.dataset.kind` is `local`; otherwise it is an optional offline copy.
 */
import { METRIC_KINDS } from '../../solver/export/metrics-csv';
import { DEFAULT_METHOD, METHODS, type MethodRegistry } from '../../solver/methods/index';
import type { MetricsRecord, TrainerState } from '../../solver/trainer';
import type { ModelKind, Network } from '../../solver/types';
import { fromUtf8, gunzipCapped, gzip, isGzip } from './codec';
import { raceSessionJson, validateRaceSession, type StoredRace } from './race-session';
import { LIMITS, MAX_NAME_CHARS, stateToJson, validateState, type ShareState } from './state';
import { tensorFromJson, tensorToJson } from './tensor-json';
import { trainerStateFromJson, trainerStateToJson } from './trainer-state-json';
import { Invalid, array, bool, errorMessage, has, int, num, object, oneOf, own, required, str } from './validate';

/** The `format` value of every session file. */
export const SESSION_FORMAT = 'cronos-playground-session';

/** Version written by {@link exportSession}; the only one {@link importSession} reads. */
export const SESSION_VERSION = 1;

/** Default cap on a session file, compressed or not, and on its inflated text. */
export const MAX_SESSION_BYTES = 128 * 1024 * 1024;

/** Most features and classes a session may name. */
export const MAX_FEATURES = 100_000;
export const MAX_CLASSES = 1000;

/** Rows of a dataset held as arrays: X is n×d row-major, labels are class indices. */
export interface LabelledArrays {
  X: Float64Array;
  labels: Int32Array;
}

/** The data of a session: the CSV text as loaded, or parsed arrays (e.g. from an image folder). */
export type SessionData =
  | { kind: 'csv'; name: string; label: string; train: string; test?: string }
  | { kind: 'arrays'; name: string; featureNames: string[]; classNames: string[]; train: LabelledArrays; test?: LabelledArrays };

/** The convex solution with the layout needed to read it (types.ts: K = C·S·P columns). */
export interface SolutionRecord {
  d: number;
  P: number;
  S: 1 | 2;
  C: number;
  /** d×K primal iterate. */
  U: Float64Array;
  /** d×K group-sparse iterate. */
  V: Float64Array;
}

/** What a run produced. */
export interface SessionResults {
  /** One record per step, keyed by the method's metrics (CRONOS: IterationMetrics). */
  history: MetricsRecord[];
  solution: SolutionRecord | null;
  network: Network | null;
  /** The trainer's state at the end of `history` (absent in older files). */
  state?: TrainerState;
}

/** A whole session file (not the Worker's run `Session` of app/worker/session.ts). */
export interface SessionFile {
  state: ShareState;
  data: SessionData | null;
  results: SessionResults | null;
  /** ISO 8601 time of the export. */
  createdAt?: string;
  /** The race the page showed, when it had one (app/share/race-session.ts; absent in older files). */
  race?: StoredRace;
}

/** Result of {@link importSession}. */
export type ImportResult = { ok: true; session: SessionFile } | { ok: false; error: string };

// ---------------------------------------------------------------- export

type MetricCell = number | boolean | 'NaN' | 'Infinity' | '-Infinity';

function metricToJson(m: MetricsRecord, cronos: boolean): Record<string, MetricCell> {
  const out: Record<string, MetricCell> = {};
  // CRONOS files list IterationMetrics' fields in their fixed order; another method's records as they are.
  for (const key of cronos ? METRIC_KEYS : Object.keys(m)) {
    const v = m[key];
    out[key] = typeof v === 'number' && !Number.isFinite(v) ? (String(v) as 'NaN' | 'Infinity' | '-Infinity') : v;
  }
  return out;
}

function arraysToJson(a: LabelledArrays, d: number): Record<string, unknown> {
  return { X: tensorToJson(a.X, [a.labels.length, d]), labels: tensorToJson(a.labels, [a.labels.length]) };
}

function toWire(s: SessionFile, methods: MethodRegistry): Record<string, unknown> {
  let data: Record<string, unknown> | null = null;
  if (s.data?.kind === 'csv') {
    data = { kind: 'csv', name: s.data.name, label: s.data.label, train: s.data.train };
    if (s.data.test !== undefined) data.test = s.data.test;
  } else if (s.data?.kind === 'arrays') {
    const d = s.data.featureNames.length;
    data = { kind: 'arrays', name: s.data.name, featureNames: s.data.featureNames, classNames: s.data.classNames, train: arraysToJson(s.data.train, d) };
    if (s.data.test !== undefined) data.test = arraysToJson(s.data.test, d);
  }
  let results: Record<string, unknown> | null = null;
  if (s.results) {
    const { solution: sol, network: net } = s.results;
    const K = sol ? sol.C * sol.S * sol.P : 0;
    let network: Record<string, unknown> | null = null;
    if (net) {
      network = { model: net.model, d: net.d, m: net.m, C: net.C, W1: tensorToJson(net.W1, [net.d, net.m]), w2: tensorToJson(net.w2, [net.m, net.C]) };
      if (net.gates) network.gates = tensorToJson(net.gates, [net.d, net.m]);
    }
    results = {
      history: s.results.history.map((m) => metricToJson(m, (s.state.method ?? DEFAULT_METHOD) === DEFAULT_METHOD)),
      solution: sol ? { d: sol.d, P: sol.P, S: sol.S, C: sol.C, U: tensorToJson(sol.U, [sol.d, K]), V: tensorToJson(sol.V, [sol.d, K]) } : null,
      network,
    };
    if (s.results.state) results.state = trainerStateToJson(s.results.state);
  }
  const out: Record<string, unknown> = { format: SESSION_FORMAT, version: SESSION_VERSION };
  if (s.createdAt !== undefined) out.createdAt = s.createdAt;
  out.state = stateToJson(s.state, methods);
  out.data = data;
  out.results = results;
  if (s.race) out.race = raceSessionJson(s.race);
  return out;
}

/**
 * The session as JSON text. The document is validated before it is returned, so the page never
 * writes a file that {@link importSession} refuses; an invalid session throws a RangeError.
 */
export function exportSession(session: SessionFile, methods: MethodRegistry = METHODS): string {
  const wire = toWire(session, methods);
  try {
    validateSession(wire, methods);
  } catch (e) {
    throw new RangeError(errorMessage(e, 'cannot export the session'));
  }
  return JSON.stringify(wire);
}

/** The session as gzipped JSON (typically 3–10× smaller for CSV data). */
export function exportSessionGzip(session: SessionFile, methods: MethodRegistry = METHODS): Uint8Array {
  return gzip(new TextEncoder().encode(exportSession(session, methods)));
}

// ---------------------------------------------------------------- import

/** Options of {@link importSession}. */
export interface ImportOptions {
  /** The methods a file may name (default: the registry). */
  methods?: MethodRegistry;
  /** Cap on the input and on its inflated text, in bytes (default {@link MAX_SESSION_BYTES}). */
  maxBytes?: number;
}

/**
 * Reads a session file: JSON text, its UTF-8 bytes or gzipped bytes. Never throws; every problem
 * comes back as a message that names the field and the allowed values.
 */
export function importSession(input: string | Uint8Array | ArrayBuffer, opts: ImportOptions = {}): ImportResult {
  try {
    const maxBytes = opts.maxBytes ?? MAX_SESSION_BYTES;
    let text: string;
    if (typeof input === 'string') {
      // UTF-16 length ≤ UTF-8 length, so this never refuses a file the byte check would take.
      if (input.length > maxBytes) throw new Invalid(`the session file is larger than ${maxBytes} bytes`);
      text = input.startsWith('\uFEFF') ? input.slice(1) : input;
    } else {
      const bytes = input instanceof Uint8Array ? input : new Uint8Array(input);
      if (bytes.length > maxBytes) throw new Invalid(`the session file is ${bytes.length} bytes, more than ${maxBytes}`);
      text = fromUtf8(isGzip(bytes) ? gunzipCapped(bytes, maxBytes, 'the session file') : bytes, 'the session file');
    }
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch {
      throw new Invalid('the session file is not valid JSON (nor gzipped JSON)');
    }
    return { ok: true, session: validateSession(raw, opts.methods ?? METHODS) };
  } catch (e) {
    return { ok: false, error: `Invalid session file: ${errorMessage(e, 'internal error')}` };
  }
}

function names(v: unknown, path: string, max: number): string[] {
  const a = array(v, path, max);
  return a.map((x, i) => str(x, `${path}[${i}]`, 0, MAX_NAME_CHARS));
}

function labelledArrays(v: unknown, path: string, d: number, C: number): LabelledArrays {
  const o = object(v, path, ['X', 'labels']);
  const labels = tensorFromJson(required(o, 'labels', path), `${path}.labels`, 'i32', [null]).data;
  const X = tensorFromJson(required(o, 'X', path), `${path}.X`, 'f64', [labels.length, d]).data;
  for (let i = 0; i < labels.length; i++) {
    if (labels[i] < 0 || labels[i] >= C) throw new Invalid(`${path}.labels[${i}]: must be a class index in [0, ${C - 1}], got ${labels[i]}`);
  }
  return { X, labels };
}

function sessionData(v: unknown, path: string): SessionData {
  const probe = object(v, path, ['kind', 'name', 'label', 'train', 'test', 'featureNames', 'classNames']);
  const kind = oneOf(own(probe, 'kind'), `${path}.kind`, ['csv', 'arrays'] as const);
  const name = (o: Record<string, unknown>): string => str(required(o, 'name', path), `${path}.name`, 1, MAX_NAME_CHARS);
  if (kind === 'csv') {
    const o = object(v, path, ['kind', 'name', 'label', 'train', 'test']);
    const csv = (key: string): string => str(required(o, key, path), `${path}.${key}`, 1, MAX_SESSION_BYTES);
    const out: SessionData = { kind, name: name(o), label: str(required(o, 'label', path), `${path}.label`, 1, MAX_NAME_CHARS), train: csv('train') };
    if (has(o, 'test')) out.test = csv('test');
    return out;
  }
  const o = object(v, path, ['kind', 'name', 'featureNames', 'classNames', 'train', 'test']);
  const featureNames = names(required(o, 'featureNames', path), `${path}.featureNames`, MAX_FEATURES);
  if (featureNames.length === 0) throw new Invalid(`${path}.featureNames: must name at least one feature`);
  const classNames = names(required(o, 'classNames', path), `${path}.classNames`, MAX_CLASSES);
  if (classNames.length < 2) throw new Invalid(`${path}.classNames: must name at least two classes, got ${classNames.length}`);
  const d = featureNames.length;
  const C = classNames.length;
  const out: SessionData = { kind, name: name(o), featureNames, classNames, train: labelledArrays(required(o, 'train', path), `${path}.train`, d, C) };
  if (has(o, 'test')) out.test = labelledArrays(o.test, `${path}.test`, d, C);
  return out;
}

const METRIC_KEYS: readonly string[] = Object.keys(METRIC_KINDS);

/** Most fields of one metrics record of a method other than CRONOS. */
const MAX_METRIC_FIELDS = 64;
const METRIC_NAME = /^[A-Za-z][A-Za-z0-9_]{0,63}$/;

/** One number of a record: a JSON number or the names of the non-finite ones. */
function metricNumber(x: unknown, p: string): number {
  return x === 'NaN' || x === 'Infinity' || x === '-Infinity' ? Number(x) : num(x, p);
}

/** A CRONOS record: exactly IterationMetrics' fields. */
function cronosMetric(v: unknown, path: string): MetricsRecord {
  const o = object(v, path, METRIC_KEYS);
  const out: Record<string, number | boolean> = {};
  for (const key of METRIC_KEYS) {
    const x = required(o, key, path);
    const p = `${path}.${key}`;
    out[key] = METRIC_KINDS[key as keyof typeof METRIC_KINDS] === 'boolean' ? bool(x, p) : metricNumber(x, p);
  }
  return withSteps(out, path);
}

/** Another method's record: `iter`, `timeMs` and its own named numbers and flags. */
function methodMetric(v: unknown, path: string): MetricsRecord {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new Invalid(`${path}: must be an object`);
  const keys = Object.keys(v);
  if (keys.length > MAX_METRIC_FIELDS) throw new Invalid(`${path}: more than ${MAX_METRIC_FIELDS} fields`);
  const o = object(v, path, keys);
  const out: Record<string, number | boolean> = {};
  for (const key of keys) {
    if (!METRIC_NAME.test(key)) throw new Invalid(`${path}: ${JSON.stringify(key.slice(0, 40))} is not a valid metric name (letters, digits and _)`);
    const x = own(o, key);
    out[key] = typeof x === 'boolean' ? x : metricNumber(x, `${path}.${key}`);
  }
  required(o, 'timeMs', path);
  return withSteps(out, path);
}

/** `out` with its step count checked (a whole number ≥ 1) and `timeMs` present. */
function withSteps(out: Record<string, number | boolean>, path: string): MetricsRecord {
  const iter = int(out.iter, `${path}.iter`, 1, LIMITS.admmIters[1]);
  const timeMs = out.timeMs;
  if (typeof timeMs !== 'number') throw new Invalid(`${path}.timeMs: must be a number`);
  return { ...out, iter, timeMs };
}

function solution(v: unknown, path: string, state: ShareState): SolutionRecord {
  const o = object(v, path, ['d', 'P', 'S', 'C', 'U', 'V']);
  const d = int(required(o, 'd', path), `${path}.d`, 1, MAX_FEATURES);
  const P = int(required(o, 'P', path), `${path}.P`, state.solver.P, state.solver.P);
  const wantS = state.solver.model === 'relu' ? 2 : 1;
  const S = int(required(o, 'S', path), `${path}.S`, wantS, wantS) as 1 | 2;
  const C = int(required(o, 'C', path), `${path}.C`, 1, MAX_CLASSES);
  const K = C * S * P;
  const U = tensorFromJson(required(o, 'U', path), `${path}.U`, 'f64', [d, K]).data;
  const V = tensorFromJson(required(o, 'V', path), `${path}.V`, 'f64', [d, K]).data;
  return { d, P, S, C, U, V };
}

/** A network; `want` is CRONOS's model setting (another method's network may be either kind). */
function network(v: unknown, path: string, want: ModelKind | null): Network {
  const o = object(v, path, ['model', 'd', 'm', 'C', 'W1', 'w2', 'gates']);
  const model = oneOf(required(o, 'model', path), `${path}.model`, want ? [want] : (['relu', 'gated'] as const));
  const d = int(required(o, 'd', path), `${path}.d`, 1, MAX_FEATURES);
  const m = int(required(o, 'm', path), `${path}.m`, 0, MAX_CLASSES * 2 * LIMITS.P[1]);
  const C = int(required(o, 'C', path), `${path}.C`, 1, MAX_CLASSES);
  const net: Network = {
    model,
    d,
    m,
    C,
    W1: tensorFromJson(required(o, 'W1', path), `${path}.W1`, 'f64', [d, m]).data,
    w2: tensorFromJson(required(o, 'w2', path), `${path}.w2`, 'f64', [m, C]).data,
  };
  if (model === 'gated') net.gates = tensorFromJson(required(o, 'gates', path), `${path}.gates`, 'f64', [d, m]).data;
  else if (has(o, 'gates')) throw new Invalid(`${path}.gates: only gated networks have gates`);
  return net;
}

/** Validates a parsed session document. Throws {@link Invalid}. */
function validateSession(raw: unknown, methods: MethodRegistry): SessionFile {
  const o = object(raw, 'session', ['format', 'version', 'createdAt', 'state', 'data', 'results', 'race']);
  if (own(o, 'format') !== SESSION_FORMAT) throw new Invalid(`session.format: must be ${JSON.stringify(SESSION_FORMAT)}; this is not a CRONOS Playground session file`);
  const version = own(o, 'version');
  if (version !== SESSION_VERSION) throw new Invalid(`session.version: unsupported version ${String(typeof version === 'number' ? version : JSON.stringify(version) ?? 'nothing')} (this page reads version ${SESSION_VERSION})`);
  const state = validateState(required(o, 'state', 'session'), 'session', 'session.state', methods);
  const cronos = (state.method ?? DEFAULT_METHOD) === DEFAULT_METHOD;
  const rawData = required(o, 'data', 'session');
  const data = rawData === null ? null : sessionData(rawData, 'session.data');
  if (state.dataset.kind === 'local' && data === null) throw new Invalid('session.data: is required for a local dataset');
  const rawResults = required(o, 'results', 'session');
  let results: SessionResults | null = null;
  if (rawResults !== null) {
    const r = object(rawResults, 'session.results', ['history', 'solution', 'network', 'state']);
    const metric = cronos ? cronosMetric : methodMetric;
    const history = array(required(r, 'history', 'session.results'), 'session.results.history', LIMITS.admmIters[1]).map((m, i) => metric(m, `session.results.history[${i}]`));
    const rawSol = required(r, 'solution', 'session.results');
    if (rawSol !== null && !cronos) throw new Invalid(`session.results.solution: only CRONOS runs have a convex solution; this is a ${String(state.method)} run`);
    const sol = rawSol === null ? null : solution(rawSol, 'session.results.solution', state);
    const rawNet = required(r, 'network', 'session.results');
    const net = rawNet === null ? null : network(rawNet, 'session.results.network', cronos ? state.solver.model : null);
    if (sol && net && (sol.d !== net.d || sol.C !== net.C)) {
      throw new Invalid(`session.results: the solution (d = ${sol.d}, C = ${sol.C}) and the network (d = ${net.d}, C = ${net.C}) disagree`);
    }
    results = { history, solution: sol, network: net };
    if (has(r, 'state')) {
      const state = trainerStateFromJson(r.state, 'session.results.state', methods);
      const last = history.at(-1)?.iter ?? 0;
      if (state.iteration !== last) throw new Invalid(`session.results.state: is at iteration ${state.iteration}, but the history ends at ${last}`);
      results.state = state;
    }
  }
  const out: SessionFile = { state, data, results };
  if (has(o, 'createdAt')) out.createdAt = str(o.createdAt, 'session.createdAt', 1, 64);
  if (has(o, 'race')) out.race = validateRaceSession(o.race, 'session.race');
  return out;
}
