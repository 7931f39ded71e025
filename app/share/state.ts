/**
 * The share link: everything needed to replay a run, in the URL fragment (never sent to a
 * server). The fragment is
 *
 *   `v1.` + base64url( DEFLATE(JSON, preset dictionary WIRE_DICTIONARY_V1) ‖ CRC-32(JSON), big-endian )
 *
 * where the JSON lists only the fields that differ from {@link WIRE_DEFAULTS_V1}. The
 * dictionary holds every field name and common values, so they compress to back-references: a
 * link that changes six settings is ~45 characters instead of ~165, and the default demo is 14.
 * Raw DEFLATE plus CRC-32 rather than zlib: zlib's Adler-32 is weak on short inputs (about one
 * in 18 000 single-character changes of a link decoded to different settings), and the version
 * prefix already names the dictionary that zlib's header would.
 *
 * Compatibility rules: the v1 wire defaults and dictionary are frozen forever (changing either
 * would silently change what old links mean); a new optional field may be added to v1 when its
 * default reproduces the old behaviour; anything else needs `v2` and a decoder for v1 kept
 * alongside. The decoder rejects unknown fields rather than ignoring them: a link made by a newer
 * page must say "unknown field" instead of replaying a different run.
 */
import { SYNTHETIC_KINDS, type SyntheticKind } from '../../data/synthetic';
import { DEFAULT_METHOD, METHODS, type MethodId, type MethodRegistry } from '../../solver/methods';
import { CRONOS_PARAMS } from '../../solver/methods/cronos/params';
import { decodeLinkFields, defaultsOf, encodeLinkFields, type IntegerBounds } from '../../solver/params/table';
import type { SolverConfig } from '../../solver/types';
import { raceLinkJson, validateRaceLink, type RaceLink } from './race-link';
import { crc32, deflateRaw, fromBase64, fromUtf8, inflateRawCapped, toBase64, utf8 } from './codec';
import {
  Invalid,
  UINT32_MAX,
  bool,
  errorMessage,
  has,
  httpUrl,
  int,
  num,
  object,
  oneOf,
  own,
  str,
} from './validate';

/** Built-in CSV datasets (files in public/datasets). */
export const FILE_DATASET_IDS = ['fmnist-pullover-bag-10x10', 'fmnist-pullover-bag-28x28', 'breast-cancer', 'digits-8x8', 'penguins'] as const;

/** Every built-in dataset id: the CSV files and the 2-D generators. */
export const BUILTIN_DATASET_IDS: readonly BuiltinDatasetId[] = [...FILE_DATASET_IDS, ...SYNTHETIC_KINDS];

/** A built-in dataset: a file under public/datasets or a TensorFlow-Playground-style 2-D generator. */
export type BuiltinDatasetId = (typeof FILE_DATASET_IDS)[number] | SyntheticKind;

/**
 * Where the data comes from. `local` is data the user dropped on the page: a link can name it but
 * not carry it, so only session files accept it ({@link encodeState} refuses it with a hint).
 */
export type DatasetRef =
  | { kind: 'builtin'; id: BuiltinDatasetId }
  | { kind: 'url'; url: string; label: string }
  | { kind: 'inline'; name: string; label: string; csv: string }
  | { kind: 'local'; name: string; label: string };

/** Steps between the raw table and the solver. */
export interface Preprocessing {
  /** z-score every feature with the training mean and std. */
  standardize: boolean;
  /** Stratified hold-out fraction; 0 = none. Ignored when the dataset has its own test file. */
  testFraction: number;
  /** Seed of the hold-out split (RNG_STREAM.split). */
  splitSeed: number;
  /** Noise of the 2-D generators in [0, 0.5]; ignored by other datasets. */
  noise: number;
  /** Seed of the 2-D generators (RNG_STREAM.data); ignored by other datasets. */
  dataSeed: number;
}

/** Plot settings. */
export interface PlotSettings {
  xAxis: 'iteration' | 'time';
  logX: boolean;
  logY: boolean;
}

/** Which solver to ask for; `auto` falls back to the CPU without WebGPU. */
export type DevicePreference = 'auto' | 'gpu' | 'cpu';

/**
 * Everything a link replays. `solver.seed` drives the gates (patterns D) and the Nyström sketch
 * through separate RNG streams; `preprocessing.splitSeed` drives the hold-out split.
 */
export interface ShareState {
  /**
   * The training method; absent means CRONOS, what every link made before methods existed ran
   * (a new optional v1 field whose default reproduces the old behaviour, so no v2 is needed).
   */
  method?: MethodId;
  dataset: DatasetRef;
  preprocessing: Preprocessing;
  /** CRONOS's settings (kept, at their defaults or as set, whichever method runs). */
  solver: SolverConfig;
  /**
   * A method other than CRONOS: its settings by table key (a v1 field added with the methods;
   * on the wire under their link keys, every link field written so a link does not depend on
   * the method's defaults). Absent for CRONOS.
   */
  params?: Readonly<Record<string, string | number | boolean>>;
  /**
   * A race to replay on this data (issue 11; a v1 field added with the race view, absent in
   * every older link, which then opens the playground as before).
   */
  race?: RaceLink;
  device: DevicePreference;
  plot: PlotSettings;
}

/** Version written by {@link encodeState}; the only one {@link decodeState} reads. */
export const SHARE_VERSION = 1;

/** Longest fragment accepted (≈ 6 KB of compressed JSON; chat apps and browsers cope with it). */
export const MAX_HASH_CHARS = 8192;

/** Largest inflated JSON of a link: the zip-bomb guard and the cap of inline CSV data. */
export const MAX_STATE_JSON_BYTES = 64 * 1024;

/** Longest dataset URL. */
export const MAX_URL_CHARS = 2048;

/** Longest label column or dataset name. */
export const MAX_NAME_CHARS = 256;

/**
 * Bounds of the numeric fields; the decoder's messages quote them. The solver's come from the
 * link ranges of the CRONOS table (solver/methods/cronos/params.ts); the preprocessing ones are
 * this format's own.
 */
export const LIMITS = {
  P: linkBounds(CRONOS_PARAMS.P.link.range),
  rank: linkBounds(CRONOS_PARAMS.rank.link.range),
  admmIters: linkBounds(CRONOS_PARAMS.admmIters.link.range),
  pcgIters: linkBounds(CRONOS_PARAMS.pcgIters.link.range),
  testFraction: [0, 0.9],
  noise: [0, 0.5],
} as const;

/** `[min, max]` of an integer field's link range. */
function linkBounds(r: IntegerBounds): readonly [number, number] {
  return [r.min, r.max];
}

/**
 * The values an omitted field takes in a v1 link. FROZEN: these are not DEFAULT_CONFIG by
 * reference, because a later change of the page's defaults must not change old links.
 */
export const WIRE_DEFAULTS_V1: ShareState = deepFreeze({
  dataset: { kind: 'builtin', id: 'fmnist-pullover-bag-10x10' },
  preprocessing: { standardize: true, testFraction: 0, splitSeed: 0, noise: 0, dataSeed: 0 },
  // Fields added after the first links (the preconditioner, α, Anderson, the stopping rule) default
  // to the behaviour those links ran, so an old link replays the same run although the page's
  // defaults moved on.
  solver: { model: 'relu', P: 32, beta: 1e-3, rho: 0.1, adaptiveRho: false, rank: 10, preconditioner: 'nystrom', admmIters: 50, pcgIters: 20, tol: 1e-6, seed: 0, warmStart: true, alpha: 1, anderson: 0, rhoRace: 0, rhoBeta: 0, stopRule: 'residuals' },
  device: 'auto',
  plot: { xAxis: 'iteration', logX: false, logY: true },
});

/**
 * The DEFLATE preset dictionary of v1 links. FROZEN: old links only inflate with these exact
 * bytes. The likeliest strings come last, where back-references are cheapest.
 */
export const WIRE_DICTIONARY_V1 =
  '{"dataset":{"kind":"inline","name":"data.csv","label":"label","csv":"x1,x2,label\n"}},' +
  '{"kind":"url","url":"https://raw.githubusercontent.com/","label":"class"}},' +
  '{"kind":"builtin","id":"fmnist-pullover-bag-28x28"breast-cancer"digits-8x8"penguins"spiral"circles"xor"gaussian"}},' +
  '"device":"cpu"gpu","plot":{"xAxis":"time","logX":true,"logY":false}},' +
  '"preprocessing":{"standardize":false,"testFraction":0.2,"splitSeed":1,"noise":0.1,"dataSeed":1},' +
  '"solver":{"model":"gated","P":64,"beta":0.01,"rho":1,"adaptiveRho":true,"rank":20,"admmIters":100,"pcgIters":50,"tol":0.0001,"seed":1,"warmStart":false,"pcgTol":0.001}}';

const DICTIONARY = utf8(WIRE_DICTIONARY_V1);

/** A fresh, mutable copy of the v1 defaults (the state of a page opened without a fragment). */
export function defaultShareState(): ShareState {
  return cloneState(WIRE_DEFAULTS_V1);
}

function deepFreeze<T>(o: T): T {
  if (typeof o === 'object' && o !== null) {
    for (const v of Object.values(o)) deepFreeze(v);
    Object.freeze(o);
  }
  return o;
}

/** A deep copy of `s` (all leaves are primitives). */
export function cloneState(s: ShareState): ShareState {
  const solver: SolverConfig = { ...s.solver };
  if (solver.pcgTol === undefined) delete solver.pcgTol;
  const out: ShareState = { dataset: { ...s.dataset }, preprocessing: { ...s.preprocessing }, solver, device: s.device, plot: { ...s.plot } };
  if (s.method !== undefined) out.method = s.method;
  if (s.params !== undefined) out.params = { ...s.params };
  if (s.race !== undefined) out.race = { ...s.race, methods: [...s.race.methods] };
  return out;
}

// ---------------------------------------------------------------- validation

const TOP_KEYS = ['dataset', 'preprocessing', 'solver', 'device', 'plot', 'method', 'params', 'race'] as const;
const PRE_KEYS = ['standardize', 'testFraction', 'splitSeed', 'noise', 'dataSeed'] as const;
const PLOT_KEYS = ['xAxis', 'logX', 'logY'] as const;
const DATASET_KEYS: Record<DatasetRef['kind'], readonly string[]> = {
  builtin: ['kind', 'id'],
  url: ['kind', 'url', 'label'],
  inline: ['kind', 'name', 'label', 'csv'],
  local: ['kind', 'name', 'label'],
};

/** Where a state is read from: links cannot carry local files. */
export type StateContext = 'link' | 'session';

function dataset(v: unknown, path: string, context: StateContext): DatasetRef {
  const kinds: DatasetRef['kind'][] = context === 'link' ? ['builtin', 'url', 'inline'] : ['builtin', 'url', 'inline', 'local'];
  const probe = object(v, path, ['kind', 'id', 'url', 'label', 'name', 'csv']);
  if (context === 'link' && own(probe, 'kind') === 'local') {
    throw new Invalid(`${path}.kind: a link cannot carry a local file; open the session file instead`);
  }
  const kind = oneOf(own(probe, 'kind'), `${path}.kind`, kinds);
  const o = object(v, path, DATASET_KEYS[kind]);
  const name = (key: string): string => str(need(o, key, path), `${path}.${key}`, 1, MAX_NAME_CHARS);
  switch (kind) {
    case 'builtin':
      return { kind, id: oneOf(need(o, 'id', path), `${path}.id`, BUILTIN_DATASET_IDS) };
    case 'url':
      return { kind, url: httpUrl(need(o, 'url', path), `${path}.url`, MAX_URL_CHARS), label: name('label') };
    case 'inline':
      return { kind, name: name('name'), label: name('label'), csv: str(need(o, 'csv', path), `${path}.csv`, 1, MAX_STATE_JSON_BYTES) };
    case 'local':
      return { kind, name: name('name'), label: name('label') };
  }
}

function need(o: Record<string, unknown>, key: string, path: string): unknown {
  if (!has(o, key)) throw new Invalid(`${path}.${key}: is required`);
  return o[key];
}

/** `o[key]` validated by `check`, or `fallback` when the field is omitted. */
function opt<T>(o: Record<string, unknown>, key: string, path: string, fallback: T, check: (v: unknown, p: string) => T): T {
  // `undefined` only occurs in typed input (JSON has none): an optional property left unset.
  return has(o, key) && o[key] !== undefined ? check(o[key], `${path}.${key}`) : fallback;
}

const seed = (v: unknown, p: string): number => int(v, p, 0, UINT32_MAX);

/** A sub-object, or {} when omitted (all its fields then take their defaults); null is an error. */
function section(top: Record<string, unknown>, key: string): unknown {
  const v = own(top, key);
  return v === undefined ? {} : v;
}

/**
 * Validates a parsed JSON state, filling omitted fields from {@link WIRE_DEFAULTS_V1}. Throws
 * {@link Invalid}; the result shares nothing with the input.
 */
export function validateState(raw: unknown, context: StateContext, path = 'state', methods: MethodRegistry = METHODS): ShareState {
  const D = WIRE_DEFAULTS_V1;
  const top = object(raw, path, TOP_KEYS);
  const ds = own(top, 'dataset') !== undefined ? dataset(top.dataset, `${path}.dataset`, context) : { ...D.dataset };

  const pp = `${path}.preprocessing`;
  const pre = object(section(top, 'preprocessing'), pp, PRE_KEYS);
  const preprocessing: Preprocessing = {
    standardize: opt(pre, 'standardize', pp, D.preprocessing.standardize, bool),
    testFraction: opt(pre, 'testFraction', pp, D.preprocessing.testFraction, (v, p) => num(v, p, { min: LIMITS.testFraction[0], max: LIMITS.testFraction[1] })),
    splitSeed: opt(pre, 'splitSeed', pp, D.preprocessing.splitSeed, seed),
    noise: opt(pre, 'noise', pp, D.preprocessing.noise, (v, p) => num(v, p, { min: LIMITS.noise[0], max: LIMITS.noise[1] })),
    dataSeed: opt(pre, 'dataSeed', pp, D.preprocessing.dataSeed, seed),
  };

  // The method names the table the params section is read with.
  const method = opt(top, 'method', path, DEFAULT_METHOD, (v, p) => oneOf(v, p, Object.keys(methods))) as MethodId;
  // The solver section's fields, ranges and messages come from the CRONOS table.
  const solver: SolverConfig = decodeLinkFields(CRONOS_PARAMS, section(top, 'solver'), `${path}.solver`, D.solver);
  let params: Record<string, string | number | boolean> | undefined;
  if (method === DEFAULT_METHOD) {
    if (own(top, 'params') !== undefined) throw new Invalid(`${path}.params: CRONOS settings go in ${path}.solver; params belongs to another method`);
  } else {
    // Omitted fields take the method's own defaults (links made by the page write them all).
    const table = methods[method].params;
    const values: Record<string, string | number | boolean | undefined> = decodeLinkFields(table, section(top, 'params'), `${path}.params`, defaultsOf(table));
    params = {};
    for (const [k, v] of Object.entries(values)) if (v !== undefined) params[k] = v;
  }

  const device = opt(top, 'device', path, D.device, (v, p) => oneOf(v, p, ['auto', 'gpu', 'cpu'] as const));

  const lp = `${path}.plot`;
  const pl = object(section(top, 'plot'), lp, PLOT_KEYS);
  const plot: PlotSettings = {
    xAxis: opt(pl, 'xAxis', lp, D.plot.xAxis, (v, p) => oneOf(v, p, ['iteration', 'time'] as const)),
    logX: opt(pl, 'logX', lp, D.plot.logX, bool),
    logY: opt(pl, 'logY', lp, D.plot.logY, bool),
  };
  const out: ShareState = { dataset: ds, preprocessing, solver, device, plot };
  // Only a method other than the default is kept, so old and new states compare equal.
  if (method !== DEFAULT_METHOD) out.method = method;
  if (params !== undefined) out.params = params;
  const race = own(top, 'race');
  if (race !== undefined) out.race = validateRaceLink(race, `${path}.race`);
  return out;
}

/**
 * A valid state as the JSON object a session file holds: every field, the params under their
 * link keys (what {@link validateState} reads back).
 */
export function stateToJson(s: ShareState, methods: MethodRegistry = METHODS): Record<string, unknown> {
  const out: Record<string, unknown> = { ...cloneState(s) };
  if (s.race !== undefined) out.race = raceLinkJson(s.race);
  if (s.method !== undefined && s.method !== DEFAULT_METHOD && s.params) out.params = encodeLinkFields(methods[s.method].params, { ...s.params }, {}) ?? {};
  return out;
}

// ---------------------------------------------------------------- wire format

/** The fields of `value` that differ from `base` (shallow; both are flat records of primitives). */
function diff(value: object, base: object): Record<string, unknown> | undefined {
  const v = value as Record<string, unknown>;
  const b = base as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  let changed = false;
  for (const key of Object.keys(v)) {
    if (v[key] === undefined) continue;
    // `!==` treats −0 as 0, which is also what JSON writes.
    if (!has(b, key) || b[key] !== v[key]) {
      out[key] = v[key];
      changed = true;
    }
  }
  return changed ? out : undefined;
}

/**
 * The order v1 links have always written the solver fields in. FROZEN with the dictionary: the
 * same settings must give the same fragment, or opening an old link would rewrite the address.
 * Fields a later table adds follow in table order.
 */
const V1_SOLVER_ORDER = ['model', 'P', 'beta', 'rho', 'adaptiveRho', 'rank', 'admmIters', 'pcgIters', 'tol', 'seed', 'warmStart', 'pcgTol'];

function inV1Order(fields: Record<string, unknown>): Record<string, unknown> {
  const rank = (k: string): number => {
    const i = V1_SOLVER_ORDER.indexOf(k);
    return i < 0 ? V1_SOLVER_ORDER.length : i;
  };
  return Object.fromEntries(Object.entries(fields).sort(([a], [b]) => rank(a) - rank(b)));
}

/** The minimal JSON object of a (valid) state: only what differs from the v1 defaults. */
function toWire(s: ShareState, methods: MethodRegistry): Record<string, unknown> {
  const D = WIRE_DEFAULTS_V1;
  const out: Record<string, unknown> = {};
  // A dataset is written whole: its fields only make sense together with its kind.
  if (diff(s.dataset, D.dataset) !== undefined) out.dataset = { ...s.dataset };
  const pre = diff(s.preprocessing, D.preprocessing);
  if (pre) out.preprocessing = pre;
  const solver = encodeLinkFields(CRONOS_PARAMS, { ...s.solver }, { ...D.solver });
  if (solver) out.solver = inV1Order(solver);
  if (s.device !== D.device) out.device = s.device;
  const plot = diff(s.plot, D.plot);
  if (plot) out.plot = plot;
  if (s.method !== undefined && s.method !== DEFAULT_METHOD) {
    out.method = s.method;
    // Every link field of the method (base {}): the link means the same if its defaults change.
    const params = encodeLinkFields(methods[s.method].params, { ...s.params }, {});
    if (params) out.params = params;
  }
  // Last, so a link without a race is the same bytes as before races existed.
  if (s.race !== undefined) out.race = raceLinkJson(s.race);
  return out;
}

/** Result of {@link tryEncodeState}. */
export type EncodeResult = { ok: true; hash: string } | { ok: false; error: string };

/**
 * The fragment (without `#`) for `state`, or why there is none: an invalid state, a local file,
 * or data too big for a link (then the page should offer a session file).
 */
export function tryEncodeState(state: ShareState, methods: MethodRegistry = METHODS): EncodeResult {
  let json: Uint8Array;
  try {
    // Encoding the validated copy means the link holds exactly what the decoder will read back.
    const valid = validateState(stateToJson(state, methods), 'link', 'state', methods);
    json = utf8(JSON.stringify(toWire(valid, methods)));
  } catch (e) {
    return { ok: false, error: errorMessage(e, 'cannot encode the state') };
  }
  if (json.length > MAX_STATE_JSON_BYTES) {
    return { ok: false, error: `the settings and data take ${json.length} bytes, more than a link holds (${MAX_STATE_JSON_BYTES}); export a session file instead` };
  }
  const packed = deflateRaw(json, DICTIONARY);
  const payload = new Uint8Array(packed.length + 4);
  payload.set(packed);
  new DataView(payload.buffer).setUint32(packed.length, crc32(json));
  const hash = `v${SHARE_VERSION}.${toBase64(payload, true)}`;
  if (hash.length > MAX_HASH_CHARS) {
    return { ok: false, error: `the link would be ${hash.length} characters, more than ${MAX_HASH_CHARS}; export a session file instead` };
  }
  return { ok: true, hash };
}

/** The fragment (without `#`) for `state`. Throws a RangeError where {@link tryEncodeState} fails. */
export function encodeState(state: ShareState, methods: MethodRegistry = METHODS): string {
  const r = tryEncodeState(state, methods);
  if (!r.ok) throw new RangeError(r.error);
  return r.hash;
}

/** Result of {@link decodeState}. */
export type DecodeResult = { ok: true; state: ShareState } | { ok: false; error: string };

/**
 * The state in a fragment (with or without the leading `#`). Never throws: any problem (unknown
 * version, bad encoding, a checksum mismatch, more than {@link MAX_STATE_JSON_BYTES} inflated,
 * unknown fields, wrong types, out-of-range values) comes back as a message naming the field.
 */
export function decodeState(hash: string, methods: MethodRegistry = METHODS): DecodeResult {
  try {
    return { ok: true, state: decodeOrThrow(hash, methods) };
  } catch (e) {
    return { ok: false, error: `Invalid share link: ${errorMessage(e, 'internal error')}` };
  }
}

function decodeOrThrow(hash: unknown, methods: MethodRegistry): ShareState {
  if (typeof hash !== 'string') throw new Invalid(`the fragment must be a string, got ${typeof hash}`);
  const h = hash.startsWith('#') ? hash.slice(1) : hash;
  if (h.length > MAX_HASH_CHARS) throw new Invalid(`the fragment is ${h.length} characters, more than ${MAX_HASH_CHARS}`);
  const m = /^v(\d{1,6})\.(.*)$/s.exec(h);
  if (!m) throw new Invalid('the fragment does not start with a version such as "v1."');
  const version = Number(m[1]);
  if (version !== SHARE_VERSION || m[1] !== String(version)) {
    throw new Invalid(`unsupported version ${m[1]} (this page reads version ${SHARE_VERSION}); open the link with the page that made it`);
  }
  const payload = fromBase64(m[2], 'the fragment', true);
  if (payload.length < 5) throw new Invalid('the fragment: truncated compressed data');
  const body = payload.subarray(0, payload.length - 4);
  const bytes = inflateRawCapped(body, MAX_STATE_JSON_BYTES, 'the fragment', DICTIONARY);
  if (crc32(bytes) !== new DataView(payload.buffer, payload.byteOffset).getUint32(body.length)) {
    throw new Invalid('the fragment: checksum mismatch (the link was altered or cut)');
  }
  const text = fromUtf8(bytes, 'the fragment');
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new Invalid('the fragment does not hold valid JSON');
  }
  return validateState(raw, 'link', 'state', methods);
}

// ---------------------------------------------------------------- browser history

/** The parts of `window` the history helpers use (a fake in tests). */
export interface HistoryHost {
  location: { hash: string; pathname: string; search: string };
  history: { state: unknown; replaceState(data: unknown, unused: string, url?: string | URL | null): void };
}

/**
 * Writes `state` into the fragment with `history.replaceState`, so moving a slider replaces the
 * current history entry instead of pushing one per step (Back leaves the page, as users expect).
 * Returns the result of {@link tryEncodeState}; when the state cannot be a link (local data, too
 * big) the fragment is removed, so a reload never replays settings other than the current ones.
 */
export function replaceHistoryState(win: HistoryHost, state: ShareState): EncodeResult {
  const r = tryEncodeState(state);
  const { hash, pathname, search } = win.location;
  if (r.ok) {
    if (hash !== `#${r.hash}`) win.history.replaceState(win.history.state, '', `#${r.hash}`);
  } else if (hash !== '') {
    win.history.replaceState(win.history.state, '', `${pathname}${search}`);
  }
  return r;
}

/** The state in the page's fragment, or null when there is none (then use the defaults). */
export function readLocationState(win: Pick<HistoryHost, 'location'>): DecodeResult | null {
  const h = win.location.hash;
  return h === '' || h === '#' ? null : decodeState(h);
}
