/**
 * The one typed message interface between the page and the solver Worker. The Worker is the
 * only code that touches the solver and the GPU; the page sends commands and receives metrics
 * (every step) and snapshots (throttled views of the current solution). Every reply carries
 * the run number it belongs to, so the page can drop messages of a run it has replaced.
 *
 * The Worker holds several runs: the page's run (the one the panels show; commands and replies
 * without a `slot`) and runs added beside it under a slot name the page chooses (`add-run`; the
 * race view). Replies of an added run carry its `slot`; `pause`, `resume` and `step` with a slot
 * address that run (`'*'`: every run). Typed arrays in `ready` and `snapshot` are transferred, not copied.
 */
import type { AdapterSummary } from '../solver/gpu/context';
import type { RunEvent } from '../solver/resilience';
import type { FinishReason, MetricsRecord } from '../solver/trainer';
import type { DeviceKind, ModelKind, Task } from '../solver/types';
import type { DatasetId } from './datasets';
import type { FromIngest, ToIngest } from './ingest/protocol';
import type { FromRace, ToRace } from './race/protocol';
import type { FromShare, ToShare } from './share/wire-protocol';
import type { Settings } from './settings';

/** Commands from the page. */
export type ToWorker =
  /** Build everything for `settings`; run at once when `autoplay`. */
  | { type: 'start'; settings: Settings; autoplay: boolean }
  /** New settings: the Worker rebuilds what the change invalidates (see settings.ts changeLevel). */
  | { type: 'settings'; settings: Settings }
  | { type: 'pause'; slot?: string }
  | { type: 'resume'; slot?: string }
  /** One step (while paused or finished). */
  | { type: 'step'; slot?: string }
  /** Back to iteration 0 with the same problem, paused (the page's run). */
  | { type: 'reset' }
  /** Start a run beside the page's run under `slot` (replacing an earlier run of that slot). */
  | { type: 'add-run'; slot: string; settings: Settings; autoplay: boolean }
  /** Stop the run of `slot` and free its GPU buffers. */
  | { type: 'close-run'; slot: string }
  /** Test hook (the page's e2e test): destroy the GPU device before iteration `at` of the run(s) addressed. */
  | { type: 'simulate-device-loss'; slot?: string; at: number }
  /** Loading the user's own data (app/ingest/protocol.ts); answered by FromIngest replies. */
  | ToIngest
  /** Exports and session files (app/share/wire-protocol.ts). */
  | ToShare
  /** The race view's race (app/race/protocol.ts); answered by FromRace replies. */
  | ToRace;

/** Where a run is. */
export type RunStatus = 'loading' | 'running' | 'paused' | 'finished' | 'error';

/** Why a run stopped by itself. */
export type { FinishReason };

/** Facts about the data a run trains on (any method). */
export interface DataSummary {
  dataset: DatasetId;
  title: string;
  /** Training rows. */
  n: number;
  /** Test rows (0 without a test set). */
  nTest: number;
  /** Where the test rows come from. */
  testSource: 'file' | 'split';
  /** Features the solver sees (the 2-D sets get a constant bias feature: d = 3). */
  d: number;
  /** Whether a constant-1 feature was appended (after standardisation). */
  bias: boolean;
  /** Outputs: 1 for binary problems and regression, one per class otherwise. */
  C: number;
  classNames: string[];
  /** Training rows per class. */
  classCounts: number[];
  /** Pixel grid of image data; channels 3 = RGB, interleaved per pixel (default 1). */
  image: { width: number; height: number; channels?: 1 | 3 } | null;
  /** Absent means classification. */
  task?: Task;
  /** Regression: the target column and its training mean and std (Y = (target − mean)/std). */
  target?: { name: string; mean: number; std: number };
}

/** The convex program of a CRONOS run (what its pattern, neuron and boundary views need). */
export interface ConvexSummary {
  P: number;
  /** Sign blocks: 2 for ReLU, 1 for gated ReLU. */
  S: number;
  /** Columns of the d×K variable matrix, C·S·P. */
  K: number;
  model: ModelKind;
  beta: number;
}

/** Facts about a CRONOS run's problem: its data and its convex program (the CRONOS-only panels take it). */
export type ProblemSummary = DataSummary & ConvexSummary;

/** What `ready` says about a run: its method, its data, and its convex program when the method has one. */
export type RunSummary = DataSummary & {
  /** The method's registry id. */
  method: string;
  /** Null for a method without a convex program (its views are the metrics-only ones). */
  convex: ConvexSummary | null;
};

/** The CRONOS-only panels' view of a run summary, or null for a method without a convex program. */
export function convexProblem(s: RunSummary | null): ProblemSummary | null {
  return s?.convex ? { ...s, ...s.convex } : null;
}

/** GPU memory the problem needs (the solver's one buffer list, solver/gpu/buffers.ts gpuMemoryPlan). */
export interface MemoryReport {
  /** Largest single storage binding in bytes. */
  largestBinding: number;
  /** All solver buffers together, in bytes. */
  total: number;
  /** The biggest buffers, largest first. */
  buffers: { name: string; bytes: number }[];
}

/** The pattern matrix D for display: a subsample of rows grouped by class. */
export interface PatternView {
  rows: number;
  P: number;
  /** rows×P, 0/1. */
  D: Uint8Array;
  /** Class of every displayed row (rows are sorted by class). */
  rowClass: Uint8Array;
  /** Training rows in total (before subsampling). */
  totalRows: number;
}

/** The training and test points of a 2-D set, in the generator's coordinates. */
export interface PointView {
  x: Float32Array;
  y: Float32Array;
  label: Uint8Array;
  /** 1 for test rows. */
  test: Uint8Array;
  /** Regression: each point's target, standardised like the problem's Y (the boundary's scale). */
  value?: Float32Array;
  /** Half-width of the square view. */
  domain: number;
}

/** Gate hyperplane i as the line a·x + b·y + c = 0 in the generator's coordinates. */
export interface GateLines {
  a: Float64Array;
  b: Float64Array;
  c: Float64Array;
}

/** Parts of the view that stay fixed for a problem (sent once, in `ready`). */
export interface ProblemView {
  /** CRONOS: a sample of the patterns D; null for a method without them. */
  patterns: PatternView | null;
  points: PointView | null;
  gateLines: GateLines | null;
}

/** Confusion matrices of the recovered network (row = true class, column = predicted). */
export interface ConfusionView {
  classes: number;
  /** classes×classes counts. */
  train: Int32Array;
  test: Int32Array | null;
}

/** First-layer weights of the strongest neurons, for image data. */
export interface WeightTiles {
  count: number;
  width: number;
  height: number;
  /** count×(width·height·channels) weights (standardised-pixel units, channels interleaved). */
  pixels: Float32Array;
  /** 3 for RGB images (default 1). */
  channels?: 1 | 3;
  /** Column of the variable matrix each tile shows (a deep network: the unit or filter index). */
  column: Int32Array;
  norm: Float64Array;
  /** A deep network's first layer the tiles come from; absent for CRONOS's u. */
  layer?: 'dense' | 'conv3x3';
}

/**
 * A view of the current model, computed in the Worker from `trainer.model()`. CRONOS fills every
 * field; a method without a convex program gets the metrics-only views: empty norms, no
 * boundary, a deep network's first-layer tiles, and accuracy and confusion matrices from its model's predictions.
 */
export interface Snapshot {
  iter: number;
  /** ‖column‖ of u and of the group-sparse v, for the K columns (layout of solver/types.ts); empty without a convex program. */
  normsU: Float64Array;
  normsV: Float64Array;
  /** Hidden units of the recovered network. */
  hidden: number;
  /** Accuracy of the recovered network (fractions; NaN without test rows). */
  trainAccuracy: number;
  testAccuracy: number;
  confusion: ConfusionView;
  /** 2-D sets: network output on a size×size grid over the view (row 0 at the top). */
  boundary: { size: number; values: Float32Array } | null;
  tiles: WeightTiles | null;
}

/** Buffers alive on the Worker's GPU device (solver/gpu/context.ts countBuffers): flat over a run that does not leak. */
export interface GpuResourceSample {
  /** The iteration of the run when it was taken. */
  iteration: number;
  /** Buffers created and not destroyed, every run of the Worker together. */
  buffers: number;
  bytes: number;
}

/** Replies and progress from the Worker. */
export type FromWorker =
  | { type: 'phase'; run: number; slot?: string; phase: string }
  | {
      type: 'ready';
      run: number;
      slot?: string;
      device: DeviceKind;
      adapter: AdapterSummary | null;
      /** Why WebGPU is not used, when the CPU runs because of a fallback. */
      fallbackReason: string | null;
      /** The PCG preconditioner in use and why (solver/preconditioner.ts ResolvedPreconditioner.reason); absent for a method without one. */
      preconditioner?: string;
      problem: RunSummary;
      /** CRONOS's GPU buffer plan; null for a method without one. */
      memory: MemoryReport | null;
      view: ProblemView;
      settings: Settings;
    }
  /** One step's record, keyed by the method's metric descriptors (CRONOS: IterationMetrics). */
  | { type: 'metrics'; run: number; slot?: string; metrics: MetricsRecord }
  | { type: 'snapshot'; run: number; slot?: string; snapshot: Snapshot }
  /** The GPU buffers alive on the Worker's device (sent with each snapshot of a GPU run; the soak test watches it stay flat). */
  | { type: 'resources'; run: number; slot?: string; resources: GpuResourceSample }
  | { type: 'state'; run: number; slot?: string; status: RunStatus; finished: FinishReason | null }
  | { type: 'error'; run: number; slot?: string; message: string }
  /** Something happened to the run and it went on (device lost, recovered, CPU fallback) or stopped at its last good state. */
  | { type: 'event'; run: number; slot?: string; event: RunEvent }
  /** The answer to a share-export request (app/share/wire-protocol.ts). */
  | FromShare;

/** Anything the Worker posts: the solver's replies, the data-ingestion replies and the race's. */
export type WorkerReply = FromWorker | FromIngest | FromRace;

/** True for the replies of the data ingestion (their type starts with 'ingest-'). */
export function isIngestReply(m: WorkerReply): m is FromIngest {
  return m.type.startsWith('ingest-');
}

/** The buffers of a snapshot, to transfer instead of copy. */
export function snapshotTransferables(s: Snapshot): Transferable[] {
  const list: ArrayBufferLike[] = [s.normsU.buffer, s.normsV.buffer, s.confusion.train.buffer];
  if (s.confusion.test) list.push(s.confusion.test.buffer);
  if (s.boundary) list.push(s.boundary.values.buffer);
  if (s.tiles) list.push(s.tiles.pixels.buffer, s.tiles.column.buffer, s.tiles.norm.buffer);
  return unique(list);
}

/** The buffers of a problem view, to transfer instead of copy. */
export function viewTransferables(v: ProblemView): Transferable[] {
  const list: ArrayBufferLike[] = v.patterns ? [v.patterns.D.buffer, v.patterns.rowClass.buffer] : [];
  if (v.points) list.push(v.points.x.buffer, v.points.y.buffer, v.points.label.buffer, v.points.test.buffer);
  if (v.points?.value) list.push(v.points.value.buffer);
  if (v.gateLines) list.push(v.gateLines.a.buffer, v.gateLines.b.buffer, v.gateLines.c.buffer);
  return unique(list);
}

/** Distinct ArrayBuffers (a buffer listed twice makes postMessage throw). */
function unique(list: ArrayBufferLike[]): Transferable[] {
  return [...new Set(list)].filter((b): b is ArrayBuffer => b instanceof ArrayBuffer);
}
