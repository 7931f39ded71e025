/**
 * What the solver Worker hands the page for exports and session files: the current network (for
 * CRONOS the one recovered from the convex solution U, V exactly as the views recover it, with
 * the solution itself), the input
 * standardisation, names, and the data when a link cannot reproduce it. Computed in the Worker
 * (it owns the problem and the solution); the page turns it into files (wire-files.ts).
 */
import { recoverNetwork } from '../../solver/recovery';
import type { TrainerState } from '../../solver/trainer';
import type { ModelKind, Network, Problem } from '../../solver/types';
import type { Settings } from '../settings';
import type { PreparedData } from '../worker/prepare';
import type { SessionData } from './session';
import { activeCsv, urlFileName } from './wire-source';

/** The current run's results. */
export interface RunExport {
  /** The settings of the run the results belong to (the Worker's, not the page's latest). */
  settings: Settings;
  /** The dataset's title, for file names. */
  title: string;
  /** Completed steps (CRONOS: ADMM iterations). */
  iter: number;
  /** Features and outputs of the network. */
  d: number;
  C: number;
  /** CRONOS: the d×K convex iterates (solver/types.ts layout) and their shape; null for a method without them. */
  convex: ConvexExport | null;
  network: Network;
  /** Per solver feature: x ↦ (x − mean)/std, std 0 for a constant feature (mapped to 0). */
  standardization: { mean: Float64Array; std: Float64Array } | null;
  classNames: string[];
  featureNames: string[];
  /** The data for a session file; null when the link's dataset reproduces it (the catalogue). */
  data: SessionData | null;
  /** Why there is no data although the run's dataset cannot be named by a link. */
  dataNote: string | null;
  /** The trainer's state, so a session file continues exactly (null for a restored run not yet continued). */
  state?: TrainerState | null;
}

/** The convex solution of a CRONOS run with what is needed to read it. */
export interface ConvexExport {
  model: ModelKind;
  P: number;
  S: 1 | 2;
  /** d×K primal iterate u and its group-sparse copy v. */
  U: Float64Array;
  V: Float64Array;
}

/** Inputs of {@link runExport}. */
export interface RunExportInput {
  settings: Settings;
  prepared: PreparedData;
  /** CRONOS: the convex iterates and their problem (the network is recovered from U). */
  convex: { U: Float64Array; V: Float64Array; problem: Problem } | null;
  /** The trainer's network; used when there is no convex solution. */
  network: Network | null;
  iter: number;
  /** The downloaded text of a URL dataset (an offline copy for the session file), if cached. */
  remoteText: string | null;
}

/** The export of the run described by `input`. */
export function runExport(input: RunExportInput): RunExport {
  const { settings, prepared, convex, iter } = input;
  const { stats, bias, train } = prepared;
  const network = convex ? recoverNetwork(convex.problem, convex.U) : input.network;
  if (!network) throw new Error('There is no trained network to export yet.');
  const d = train.d;
  const d0 = stats.mean.length;
  // The 2-D sets get a constant bias feature after standardisation: it passes through as 1.
  const mean = new Float64Array(d);
  const std = new Float64Array(d).fill(1);
  for (let k = 0; k < d0; k++) {
    mean[k] = stats.mean[k];
    std[k] = stats.constant[k] ? 0 : stats.std[k];
  }
  const { data, dataNote } = sessionData(input);
  return {
    settings,
    title: prepared.info.title,
    iter,
    d,
    C: network.C,
    convex: convex ? { model: convex.problem.model, P: convex.problem.P, S: convex.problem.S === 1 ? 1 : 2, U: convex.U, V: convex.V } : null,
    network,
    standardization: bias || d0 === d ? { mean, std } : null,
    classNames: train.classNames.slice(),
    featureNames: train.featureNames.slice(),
    data,
    dataNote,
  };
}

/** The data a session file needs to replay the run without the link's dataset reference. */
function sessionData(input: RunExportInput): { data: SessionData | null; dataNote: string | null } {
  const { settings, prepared, remoteText } = input;
  const src = activeCsv(settings);
  if (src?.kind === 'text') {
    const data: SessionData = { kind: 'csv', name: src.name, label: src.label, train: src.train };
    if (src.test !== undefined) data.test = src.test;
    return { data, dataNote: null };
  }
  if (src?.kind === 'url') {
    // An offline copy: the remote file may change or vanish after the session is saved.
    return remoteText === null ? { data: null, dataNote: null } : { data: { kind: 'csv', name: urlFileName(src.url), label: src.label, train: remoteText }, dataNote: null };
  }
  if (settings.dataset !== 'user') return { data: null, dataNote: null };
  // The user's own rows ("Your data"): as the arrays the solver trained on, without the bias feature.
  if (prepared.targets || prepared.train.classNames.length < 2) {
    return { data: null, dataNote: 'Session files hold classification data only; this regression dataset cannot be saved in one yet.' };
  }
  const strip = (ds: PreparedData['train']): { X: Float64Array; labels: Int32Array } => {
    if (!prepared.bias) return { X: Float64Array.from(ds.X), labels: Int32Array.from(ds.labels) };
    const d = ds.d - 1;
    const X = new Float64Array(ds.n * d);
    for (let j = 0; j < ds.n; j++) X.set(ds.X.subarray(j * ds.d, j * ds.d + d), j * d);
    return { X, labels: Int32Array.from(ds.labels) };
  };
  const featureNames = prepared.bias ? prepared.train.featureNames.slice(0, -1) : prepared.train.featureNames.slice();
  const data: SessionData = { kind: 'arrays', name: prepared.info.title, featureNames, classNames: prepared.train.classNames.slice(), train: strip(prepared.train) };
  if (prepared.test) data.test = strip(prepared.test);
  return { data, dataNote: null };
}

/** The buffers of an export, to transfer instead of copy. */
export function runExportTransferables(e: RunExport): Transferable[] {
  const list: ArrayBufferLike[] = [e.network.W1.buffer, e.network.w2.buffer];
  if (e.convex) list.push(e.convex.U.buffer, e.convex.V.buffer);
  if (e.network.gates) list.push(e.network.gates.buffer);
  if (e.standardization) list.push(e.standardization.mean.buffer, e.standardization.std.buffer);
  if (e.data?.kind === 'arrays') {
    list.push(e.data.train.X.buffer, e.data.train.labels.buffer);
    if (e.data.test) list.push(e.data.test.X.buffer, e.data.test.labels.buffer);
  }
  // Saved states are copies made for this export.
  if (e.state) for (const a of Object.values(e.state.arrays)) list.push(a.buffer);
  return [...new Set(list)].filter((b): b is ArrayBuffer => b instanceof ArrayBuffer);
}
