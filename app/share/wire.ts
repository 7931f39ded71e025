/**
 * Between the page's {@link Settings} and the share link's {@link ShareState}. The link's
 * bounds are wider than some of the page's (β, ρ): a value the page cannot use is clamped and
 * named in a notice, never silently changed. Everything the page can set survives the round
 * trip Settings → ShareState → Settings exactly (tests/app-share-wire.test.ts), including the
 * three seeds, so opening a link replays the same data, split, patterns D and Nyström sketch.
 */
import { isDatasetId, type DatasetId } from '../datasets';
import type { XAxis } from '../history';
import { DEFAULT_METHOD, METHODS, type MethodRegistry } from '../../solver/methods';
import { CRONOS_PARAMS } from '../../solver/methods/cronos/params';
import { clampWithReport, type Param } from '../../solver/params/table';
import { clampSetting, DEFAULT_SETTINGS, LIMITS, methodValues, SETTINGS_TABLE, toSolverConfig, withMethodValues, type NumericKey, type Settings } from '../settings';
import type { RaceLink } from './race-link';
import { activeCsv } from './wire-source';
import { readLocationState, BUILTIN_DATASET_IDS, WIRE_DEFAULTS_V1, type DatasetRef, type HistoryHost, type ShareState } from './state';

/** The page's view settings that a link carries besides {@link Settings}. */
export interface ViewSettings {
  xAxis: XAxis;
}

/** The default view (the charts' x-axis is the iteration). */
export const DEFAULT_VIEW: ViewSettings = { xAxis: 'iteration' };

/** Name and label column of the user's own data, for links that can only name it. */
export interface LocalDataName {
  name: string;
  label: string;
}

/** Whether `id` is a dataset a link can name (a shipped file or a 2-D generator). */
function isBuiltin(id: string): id is (typeof BUILTIN_DATASET_IDS)[number] {
  return (BUILTIN_DATASET_IDS as readonly string[]).includes(id);
}

/** The link's description of the data of `s`. Data a link cannot carry becomes `local`. */
function datasetRef(s: Settings, local: LocalDataName): DatasetRef {
  const src = activeCsv(s);
  if (src?.kind === 'url') return { kind: 'url', url: src.url, label: src.label };
  if (src?.kind === 'text') {
    // A link holds one inline table; a separate test file can only travel in a session file.
    if (src.origin === 'inline' && src.test === undefined) return { kind: 'inline', name: src.name, label: src.label, csv: src.train };
    return { kind: 'local', name: src.name, label: src.label };
  }
  if (isBuiltin(s.dataset)) return { kind: 'builtin', id: s.dataset };
  return { kind: 'local', name: local.name, label: local.label };
}

/**
 * The share state of `s` and `view`. `local` names the user's own data (issue 4's "Your data"),
 * which a link cannot carry: encoding such a state fails with a message, a session file takes it.
 */
export function toShareState(
  s: Settings,
  view: ViewSettings = DEFAULT_VIEW,
  local: LocalDataName = { name: 'your data', label: 'label' },
  methods: MethodRegistry = METHODS,
): ShareState {
  const solver: ShareState['solver'] = toSolverConfig(s);
  return {
    // CRONOS, the default, is left out: the link then reads exactly as before methods existed.
    ...(s.method !== DEFAULT_METHOD ? { method: s.method, params: linkParams(s, methods) } : {}),
    dataset: datasetRef(s, local),
    preprocessing: { standardize: true, testFraction: s.testFraction, splitSeed: s.splitSeed ?? s.seed, noise: s.noise, dataSeed: s.dataSeed ?? s.seed },
    solver,
    device: s.device,
    // The page's charts have fixed scales (log for the convergence curves); only the x-axis is a choice.
    plot: { xAxis: view.xAxis, logX: WIRE_DEFAULTS_V1.plot.logX, logY: WIRE_DEFAULTS_V1.plot.logY },
  };
}

/** The set fields of the method of `s` (its table's keys; unset optional ones left out). */
function linkParams(s: Settings, methods: MethodRegistry): Record<string, string | number | boolean> {
  return methodValues(s, s.method, methods);
}

/** Settings read from a link or a session, with what had to change on the way. */
export interface AppliedState {
  settings: Settings;
  view: ViewSettings;
  /** One sentence per value the page could not use as given (clamped or ignored). */
  notices: string[];
  /** The race the state replays on its data (a race link), or null. */
  race: RaceLink | null;
}

/** The name of setting `key` inside a notice (its table's `short`, else its label). */
function noticeName(key: NumericKey): string {
  const p: Param = SETTINGS_TABLE[key];
  return p.short ?? p.label;
}

/**
 * The page's settings for `state`. Numbers outside the page's limits are clamped (with a
 * notice); the data seed and split seed are kept apart only when they differ from the solver
 * seed, so a link made by this page gives back exactly the settings it was made from. `base`
 * supplies the catalogue dataset kept selected under a URL or inline CSV; `dataProvided` says
 * the caller brings the data of a `local` dataset (a session file).
 */
export function fromShareState(state: ShareState, base: Settings = DEFAULT_SETTINGS, opts: { dataProvided?: boolean; methods?: MethodRegistry } = {}): AppliedState {
  const notices: string[] = [];
  const clamp = (key: NumericKey, v: number): number => {
    const c = clampSetting(key, v);
    if (c !== v) notices.push(`The ${noticeName(key)} ${v} is outside this page's range [${LIMITS[key].min}, ${LIMITS[key].max}]; using ${c}.`);
    return c;
  };
  const { solver: sv, preprocessing: pre } = state;
  // The method's settings come through whole, each number clamped to its table's page limits.
  const { values: solver, clamped } = clampWithReport(CRONOS_PARAMS, sv, 'page');
  const method = state.method ?? DEFAULT_METHOD;
  const methodId: string = method;
  // Another method's settings over the page's defaults of every other field (its own table's limits).
  const own = methodId !== DEFAULT_METHOD ? clampWithReport((opts.methods ?? METHODS)[method].params, { ...state.params }, 'page') : { values: {}, clamped: [] };
  for (const c of [...clamped, ...own.clamped]) notices.push(`The ${c.name} ${c.from} is outside this page's range [${c.limits.min}, ${c.limits.max}]; using ${c.to}.`);
  const dataSeed = clamp('seed', pre.dataSeed);
  const splitSeed = clamp('seed', pre.splitSeed);
  const base0: Settings = {
    ...DEFAULT_SETTINGS,
    method,
    dataset: base.dataset,
    noise: clamp('noise', pre.noise),
    testFraction: clamp('testFraction', pre.testFraction),
    device: state.device,
    ...solver,
  };
  // The method's own keys go where the page keeps them (app/settings.ts settingsKey).
  const settings: Settings = withMethodValues(base0, methodId, own.values, opts.methods ?? METHODS);
  // The page's defaults carry no pcgTol, dataSeed or splitSeed; the state's CRONOS fields say whether pcgTol is set.
  if (solver.pcgTol === undefined) delete settings.pcgTol;
  delete settings.dataSeed;
  delete settings.splitSeed;
  if (dataSeed !== settings.seed) settings.dataSeed = dataSeed;
  if (splitSeed !== settings.seed) settings.splitSeed = splitSeed;
  const ds = state.dataset;
  switch (ds.kind) {
    case 'builtin':
      if (isDatasetId(ds.id)) settings.dataset = ds.id;
      break;
    case 'url':
      settings.csv = { kind: 'url', url: ds.url, label: ds.label };
      settings.dataset = underCsv(base.dataset);
      break;
    case 'inline':
      settings.csv = { kind: 'text', origin: 'inline', name: ds.name, label: ds.label, train: ds.csv };
      settings.dataset = underCsv(base.dataset);
      break;
    case 'local':
      // Only session files name local data; the caller supplies it (wire-files.ts sessionSettings).
      if (!opts.dataProvided) notices.push(`The data "${ds.name}" was a local file; it is not part of this state, so the page keeps its current dataset.`);
      break;
  }
  if (!pre.standardize) notices.push('This page always standardises the features; the state asks for raw features, so the run may differ.');
  if (state.plot.logX !== WIRE_DEFAULTS_V1.plot.logX || state.plot.logY !== WIRE_DEFAULTS_V1.plot.logY) {
    notices.push("This page's charts have fixed axis scales; the state's logX/logY choice is not applied.");
  }
  return { settings, view: { xAxis: state.plot.xAxis }, notices, race: state.race ?? null };
}

/**
 * The catalogue dataset kept selected under a CSV source: any but the user's own ('user' tells
 * the Worker to train the "Your data" rows, which would win over the CSV).
 */
function underCsv(id: DatasetId): DatasetId {
  return id === 'user' ? DEFAULT_SETTINGS.dataset : id;
}

/** What the page opens with: the link's settings, or the defaults and why the link was refused. */
export interface InitialState extends AppliedState {
  /** The message of a link that could not be read (the page then keeps the defaults). */
  error: string | null;
  /** Whether the settings came from the link. */
  fromLink: boolean;
}

/** The settings for the page's first render, from the fragment of `win` (never throws). */
export function initialState(win: Pick<HistoryHost, 'location'>, defaults: Settings = DEFAULT_SETTINGS): InitialState {
  const r = readLocationState(win);
  if (r === null) return { settings: defaults, view: DEFAULT_VIEW, notices: [], race: null, error: null, fromLink: false };
  if (!r.ok) return { settings: defaults, view: DEFAULT_VIEW, notices: [], race: null, error: r.error, fromLink: false };
  return { ...fromShareState(r.state, defaults), error: null, fromLink: true };
}

