/**
 * The Worker's state machine: owns the data, the problem and the solver of the current run and
 * answers the commands of protocol.ts. Commands that touch the solver run one at a time on a
 * promise chain (a step in flight finishes before a rebuild starts); pause takes effect at once.
 * The environment (posting, fetching, solver creation) is injected so the logic runs in Node tests.
 */
import { estimateGpuBuffers } from '../../data/size';
import type { AdapterSummary } from '../../solver/gpu/context';
import { WebGpuUnavailableError } from '../../solver/gpu/context';
import { gpuMemoryPlan } from '../../solver/gpu/buffers';
import type { CreateSolverOptions } from '../../solver/index';
import type { CronosSolver, TestSet } from '../../solver/solver';
import { AdmmDivergedError } from '../../solver/admm/driver';
import type { DeviceKind, IterationMetrics, Problem, SolverConfig } from '../../solver/types';
import { datasetInfo } from '../datasets';
import {
  snapshotTransferables,
  viewTransferables,
  type FinishReason,
  type FromWorker,
  type MemoryReport,
  type ProblemSummary,
  type ProblemView,
  type RunStatus,
  type ToWorker,
} from '../protocol';
import { changeLevel, toSolverConfig, type Settings } from '../settings';
import { computeSnapshot, gateLines, patternView, type SnapshotContext } from '../snapshot';
import { SYNTHETIC_DOMAIN } from '../../data/synthetic';
import { prepareData, type FetchText, type PreparedData } from './prepare';
import type { CurrentDataset } from '../ingest/session';
import { buildPreparedProblem, originGateLines, preparedTestSet, prepareUserData, standardisedTargets } from './ingest-prepare';
import { activeCsv, csvSourceFetcher, csvSourceInfo, dataKey } from '../share/wire-source';
import { runExport, runExportTransferables } from '../share/wire-run';
import type { SavedSolution, ToShare } from '../share/wire-protocol';

/** Snapshots are sent at most this often while running (the page redraws on each). */
export const SNAPSHOT_INTERVAL_MS = 250;
/** …and never take more than about 1/SNAPSHOT_COST_FACTOR of the Worker's time. */
const SNAPSHOT_COST_FACTOR = 5;

/** What the session needs from its surroundings. */
export interface SessionEnv {
  post(msg: FromWorker, transfer?: Transferable[]): void;
  fetchText: FetchText;
  createSolver(problem: Problem, config: SolverConfig, opts: CreateSolverOptions): Promise<CronosSolver>;
  /** The adapter the GPU solver runs on (called after a GPU solver was created). */
  adapter(): Promise<AdapterSummary | null>;
  now(): number;
  /** Runs `fn` after pending events (setTimeout 0 in a Worker), so commands get through between steps. */
  defer(fn: () => void): void;
  /** The dataset the user loaded last (the ingest session's), trained when settings.dataset is 'user'. */
  userData?(): CurrentDataset | null;
  /** Downloads the CSV at an http(s) URL named by a share link (capped, no credentials). */
  fetchUrl?(url: string): Promise<string>;
  /** The text of a URL already downloaded, for the offline copy in a session file. */
  cachedUrl?(url: string): string | null;
}

/** One Worker's runs. */
export class Session {
  private settings: Settings | null = null;
  private prepared: PreparedData | null = null;
  private preparedKey = '';
  private problem: Problem | null = null;
  private solver: CronosSolver | null = null;
  private snapshotCtx: SnapshotContext | null = null;
  private run = 0;
  private status: RunStatus = 'loading';
  private finished: FinishReason | null = null;
  private iter = 0;
  private chain: Promise<void> = Promise.resolve();
  private pumping = false;
  private lastSnapshotAt = -Infinity;
  private snapshotCost = 0;
  /** The user data this session trains: taken when a run on it starts, kept while settings change. */
  private user: CurrentDataset | null = null;
  /** A restored session's solution, shown until the run continues (then the replay replaces it). */
  private restored: SavedSolution | null = null;
  /** Iterations to re-run silently before the next visible step, to continue a restored run. */
  private replay = 0;

  constructor(private readonly env: SessionEnv) {}

  /** Handles one command from the page. */
  handle(msg: ToWorker): void {
    switch (msg.type) {
      case 'start':
        // A start on 'user' is "train on this data": take the dataset loaded now.
        void this.enqueue(() => this.build(msg.settings, 'problem', msg.autoplay, true));
        break;
      case 'settings':
        void this.enqueue(() => this.applySettings(msg.settings));
        break;
      case 'pause':
        if (this.status === 'running') this.setStatus('paused');
        break;
      case 'resume':
        if (this.status === 'paused') {
          this.setStatus('running');
          this.pump();
        }
        break;
      case 'step':
        void this.enqueue(() => this.step(true));
        break;
      case 'reset':
        if (this.settings) {
          const s = this.settings;
          void this.enqueue(() => this.build(s, 'solver', false));
        }
        break;
      case 'share-export':
      case 'share-restore':
        this.handleShare(msg);
        break;
    }
  }

  /** Resolves when every queued command has run, including commands queued meanwhile (tests). */
  async idle(): Promise<void> {
    let seen: Promise<void>;
    do {
      seen = this.chain;
      await seen;
    } while (seen !== this.chain);
  }

  /** Queues `job` behind the running one; a failure ends the run with an error message. */
  private enqueue(job: () => Promise<void>): Promise<void> {
    this.chain = this.chain.then(job).catch((e: unknown) => this.fail(e));
    return this.chain;
  }

  private fail(e: unknown): void {
    this.status = 'error';
    this.env.post({ type: 'error', run: this.run, message: e instanceof Error ? e.message : String(e) });
  }

  private setStatus(status: RunStatus, finished: FinishReason | null = null): void {
    this.status = status;
    this.finished = finished;
    this.env.post({ type: 'state', run: this.run, status, finished });
  }

  private phase(phase: string): void {
    this.env.post({ type: 'phase', run: this.run, phase });
  }

  /** New settings: rebuild what the change invalidates, keep running unless the user had paused. */
  private async applySettings(next: Settings): Promise<void> {
    const prev = this.settings;
    const level = prev ? changeLevel(prev, next) : 'problem';
    if (level === 'problem' || level === 'solver') {
      await this.build(next, level, this.status !== 'paused', prev?.dataset !== 'user');
      return;
    }
    this.settings = next;
    if (level !== 'limit') return;
    if (this.status === 'finished' && this.finished === 'max-iterations' && this.iter < next.admmIters) this.setStatus('paused');
    else if (this.status === 'running' && this.iter >= next.admmIters) this.setStatus('finished', 'max-iterations');
  }

  /**
   * Starts a new run: (re)loads data and problem when `level` is 'problem', always a new solver.
   * `takeUser`: on the 'user' dataset, train the dataset loaded now rather than the one kept.
   */
  private async build(settings: Settings, level: 'problem' | 'solver', autoplay: boolean, takeUser = false): Promise<void> {
    this.run++;
    this.solver?.dispose();
    this.solver = null;
    this.settings = settings;
    this.iter = 0;
    this.restored = null;
    this.replay = 0;
    this.lastSnapshotAt = -Infinity;
    this.setStatus('loading');
    const user = settings.dataset === 'user' ? this.userDataset(takeUser) : null;
    // A CSV from a share link or session file takes the catalogue's CSV path (share/wire-source.ts).
    const csv = activeCsv(settings);
    const info = user ? null : csv ? csvSourceInfo(csv, settings.dataset) : datasetInfo(settings.dataset);
    if (level === 'problem' || !this.problem || !this.prepared) {
      // User data: the split and seed live in the data panel, so the dataset object is the key.
      const key = user ? this.userKey(user) : dataKey(settings);
      if (!this.prepared || key !== this.preparedKey) {
        this.phase(user ? 'Preparing your data' : info?.source.kind === 'csv' ? 'Loading the dataset' : 'Generating points');
        this.prepared = null;
        this.prepared = user
          ? prepareUserData(user)
          : await prepareData(info ?? datasetInfo(settings.dataset), settings, csv ? csvSourceFetcher(csv, this.env.fetchUrl) : this.env.fetchText);
        this.preparedKey = key;
      }
      this.phase('Sampling activation patterns');
      // Cleared first: a failed build must not leave an old problem paired with new data.
      this.problem = null;
      this.problem = buildPreparedProblem(this.prepared, { model: settings.model, P: settings.P, beta: settings.beta, seed: settings.seed });
    }
    const prepared = this.prepared;
    const problem = this.problem;
    const test: TestSet | null = preparedTestSet(prepared);
    const config = toSolverConfig(settings);
    this.phase(settings.device === 'cpu' ? 'Building the solver (CPU)' : 'Building the solver and its Nyström preconditioner');
    const { solver, device, fallbackReason } = await this.createSolver(problem, config, test, settings.device);
    this.solver = solver;
    const numClasses = prepared.train.classNames.length;
    this.snapshotCtx = {
      problem,
      trainLabels: prepared.train.labels,
      numClasses,
      test,
      stats: prepared.stats,
      bias: prepared.bias,
      image: prepared.info.image,
      domain: prepared.planar ? (prepared.domain ?? SYNTHETIC_DOMAIN) : null,
    };
    const view = problemView(prepared, problem);
    this.env.post(
      {
        type: 'ready',
        run: this.run,
        device,
        adapter: device === 'gpu' ? await this.env.adapter() : null,
        fallbackReason,
        problem: problemSummary(prepared, problem, prepared.info.title, prepared.info.image),
        memory: memoryReport(problem, config, test?.n ?? 0),
        view,
        settings,
      },
      viewTransferables(view),
    );
    await this.snapshot();
    if (autoplay) {
      this.setStatus('running');
      this.pump();
    } else this.setStatus('paused');
  }

  /** The user dataset to train: the one kept, or (when `take` or none is kept) the one loaded now. */
  private userDataset(take: boolean): CurrentDataset {
    if (take || !this.user) this.user = this.env.userData?.() ?? null;
    if (!this.user) throw new Error('No dataset of yours is loaded yet: drop a CSV file, a .zip of images or a folder of images on the page first.');
    return this.user;
  }

  private readonly userKeys = new WeakMap<CurrentDataset, string>();

  /** A cache key per user dataset object (a new load or a subsample is a new object). */
  private userKey(cur: CurrentDataset): string {
    let key = this.userKeys.get(cur);
    if (key === undefined) {
      key = `user:${++userKeyCount}`;
      this.userKeys.set(cur, key);
    }
    return key;
  }

  /** A solver on the preferred device; 'auto' falls back to the CPU when WebGPU is unavailable. */
  private async createSolver(
    problem: Problem,
    config: SolverConfig,
    test: TestSet | null,
    pref: Settings['device'],
  ): Promise<{ solver: CronosSolver; device: DeviceKind; fallbackReason: string | null }> {
    const opts = test ? { test } : {};
    if (pref === 'cpu') return { solver: await this.env.createSolver(problem, config, { device: 'cpu', ...opts }), device: 'cpu', fallbackReason: null };
    try {
      return { solver: await this.env.createSolver(problem, config, { device: 'gpu', ...opts }), device: 'gpu', fallbackReason: null };
    } catch (e) {
      if (pref !== 'auto' || !(e instanceof WebGpuUnavailableError)) throw e;
      const solver = await this.env.createSolver(problem, config, { device: 'cpu', ...opts });
      return { solver, device: 'cpu', fallbackReason: e.message };
    }
  }

  /** Keeps stepping while running, yielding between steps so pause and settings get through. */
  private pump(): void {
    if (this.pumping) return;
    this.pumping = true;
    const loop = (): void => {
      if (this.status !== 'running') {
        this.pumping = false;
        return;
      }
      void this.enqueue(async () => {
        if (this.status === 'running') await this.step(false);
      }).then(() => this.env.defer(loop));
    };
    loop();
  }

  /** One ADMM iteration; `manual` steps only run while not running. */
  private async step(manual: boolean): Promise<void> {
    const solver = this.solver;
    const settings = this.settings;
    if (!solver || !settings || (manual && (this.status === 'running' || this.status === 'loading' || this.status === 'error'))) return;
    if (this.replay > 0) await this.replayRestored(solver);
    let m: IterationMetrics;
    try {
      m = await solver.step();
    } catch (e) {
      // The solver detects divergence (solver/admm/driver.ts) and says what to change; the page
      // still gets the diverged iteration's metrics, then the message instead of NaN (TensorFlow
      // Playground's silent NaN, its issue #77).
      if (e instanceof AdmmDivergedError) {
        this.iter = e.metrics.iter;
        this.env.post({ type: 'metrics', run: this.run, metrics: e.metrics });
      }
      throw e;
    }
    this.iter = m.iter;
    this.env.post({ type: 'metrics', run: this.run, metrics: m });
    let finish: FinishReason | null = null;
    if (m.converged) finish = 'converged';
    else if (m.iter >= settings.admmIters) finish = 'max-iterations';
    const now = this.env.now();
    const due = now - this.lastSnapshotAt >= Math.max(SNAPSHOT_INTERVAL_MS, SNAPSHOT_COST_FACTOR * this.snapshotCost);
    if (manual || finish || due) await this.snapshot();
    if (finish && (this.status === 'running' || manual)) this.setStatus('finished', finish);
  }

  /** Reads the solution back and posts a {@link Snapshot} (buffers transferred). */
  private async snapshot(): Promise<void> {
    const solver = this.solver;
    const ctx = this.snapshotCtx;
    if (!solver || !ctx) return;
    const t0 = this.env.now();
    const { U, V } = await solver.solution();
    const snap = computeSnapshot(ctx, U, V, this.iter);
    this.env.post({ type: 'snapshot', run: this.run, snapshot: snap }, snapshotTransferables(snap));
    this.lastSnapshotAt = this.env.now();
    this.snapshotCost = this.lastSnapshotAt - t0;
  }

  // ---- share: exports and session files (app/share/wire-protocol.ts)

  private handleShare(msg: ToShare): void {
    if (msg.type === 'share-export') void this.enqueue(() => this.shareExport(msg.id));
    else void this.enqueue(() => this.restore(msg.settings, msg.history, msg.solution));
  }

  /** Answers an export request with the current (or restored) solution; failures go to the request, not the run. */
  private async shareExport(id: number): Promise<void> {
    const run = this.run;
    try {
      const { settings, prepared, problem, solver } = this;
      if (!settings || !prepared || !problem || (!solver && !this.restored)) throw new Error('There is no trained run to export yet.');
      // The restored arrays stay here for later exports; the copies are transferred.
      const sol = this.restored ? { U: Float64Array.from(this.restored.U), V: Float64Array.from(this.restored.V) } : await (solver as CronosSolver).solution();
      const csv = activeCsv(settings);
      const remoteText = csv?.kind === 'url' ? (this.env.cachedUrl?.(csv.url) ?? null) : null;
      const result = runExport({ settings, prepared, problem, U: sol.U, V: sol.V, iter: this.iter, remoteText });
      this.env.post({ type: 'share-export', run, id, result, error: null }, runExportTransferables(result));
    } catch (e) {
      this.env.post({ type: 'share-export', run, id, result: null, error: e instanceof Error ? e.message : String(e) });
    }
  }

  /**
   * Opens a saved run: builds its problem and a solver (paused), reports the saved metrics and a
   * snapshot of the saved solution, and ends paused or finished as the saved run did. Nothing is
   * trained; continuing replays the saved iterations first (the solver has no way to load an
   * ADMM state, and a replay reproduces it: exactly on the CPU, to float tolerance on one GPU).
   */
  private async restore(settings: Settings, history: IterationMetrics[], solution: SavedSolution | null): Promise<void> {
    await this.build(settings, 'problem', false);
    const ctx = this.snapshotCtx;
    const last = history.at(-1);
    if (!last || !ctx) return;
    if (solution && solution.U.length !== ctx.problem.d * ctx.problem.K) {
      throw new Error(`The session's solution has ${solution.U.length} values; the rebuilt problem needs ${ctx.problem.d * ctx.problem.K}. The data or settings differ from the saved run.`);
    }
    for (const metrics of history) this.env.post({ type: 'metrics', run: this.run, metrics });
    this.iter = last.iter;
    this.replay = last.iter;
    if (solution) {
      this.restored = solution;
      const snap = computeSnapshot(ctx, solution.U, solution.V, this.iter);
      this.env.post({ type: 'snapshot', run: this.run, snapshot: snap }, snapshotTransferables(snap));
    }
    if (last.converged) this.setStatus('finished', 'converged');
    else if (last.iter >= settings.admmIters) this.setStatus('finished', 'max-iterations');
    else this.setStatus('paused');
  }

  /** Re-runs a restored run's iterations without reporting them, so the next step continues it. */
  private async replayRestored(solver: CronosSolver): Promise<void> {
    const total = this.replay;
    this.phase(`Replaying the session's ${total} iterations to continue it`);
    while (this.replay > 0) {
      await solver.step();
      this.replay--;
    }
    this.restored = null;
    // The phase message showed 'loading' in the page; say where the run really is.
    this.env.post({ type: 'state', run: this.run, status: this.status, finished: this.finished });
  }
}

let userKeyCount = 0;

/** The facts the page shows about a problem. */
export function problemSummary(prepared: PreparedData, problem: Problem, title: string, image: ProblemSummary['image']): ProblemSummary {
  const classCounts = prepared.train.classNames.map(() => 0);
  for (const c of prepared.train.labels) if (c < classCounts.length) classCounts[c]++;
  const regression = problem.task === 'regression';
  return {
    ...(regression ? { task: 'regression' as const, target: { name: prepared.targets?.name ?? 'target', mean: problem.targetMean ?? 0, std: problem.targetStd ?? 1 } } : {}),
    dataset: prepared.info.id,
    title,
    n: problem.n,
    nTest: prepared.test?.n ?? 0,
    testSource: prepared.testSource,
    d: problem.d,
    bias: prepared.bias,
    P: problem.P,
    C: problem.C,
    S: problem.S,
    K: problem.K,
    classNames: prepared.train.classNames.slice(),
    classCounts,
    model: problem.model,
    beta: problem.beta,
    image,
  };
}

/** GPU memory the problem needs, with the four biggest buffers named. */
export function memoryReport(problem: Problem, config: SolverConfig, testRows: number): MemoryReport {
  const plan = gpuMemoryPlan(problem, config, testRows);
  const buffers = estimateGpuBuffers(problem.n, problem.d, problem.P, problem.C, problem.model, config.rank, testRows)
    .sort((a, b) => b.bytes - a.bytes)
    .slice(0, 4);
  return { largestBinding: plan.largestBinding, total: plan.total, buffers };
}

/** The fixed parts of the views: D sample, and for 2-D sets the points and gate lines. */
export function problemView(prepared: PreparedData, problem: Problem): ProblemView {
  // Regression rows have no classes: they form one group (label 0) in the pattern view.
  const numClasses = Math.max(1, prepared.train.classNames.length);
  const patterns = patternView(problem, prepared.train.labels, numClasses);
  let points: ProblemView['points'] = null;
  if (prepared.planar) {
    const { train, test } = prepared.planar;
    const nt = test?.n ?? 0;
    const total = train.n + nt;
    const x = new Float32Array(total);
    const y = new Float32Array(total);
    const label = new Uint8Array(total);
    const isTest = new Uint8Array(total);
    const put = (data: typeof train, offset: number, flag: number): void => {
      for (let j = 0; j < data.n; j++) {
        x[offset + j] = data.X[2 * j];
        y[offset + j] = data.X[2 * j + 1];
        label[offset + j] = data.labels[j];
        isTest[offset + j] = flag;
      }
    };
    put(train, 0, 0);
    if (test) put(test, train.n, 1);
    points = { x, y, label, test: isTest, domain: prepared.domain ?? SYNTHETIC_DOMAIN };
    const value = standardisedTargets(prepared, problem);
    if (value) points.value = value;
  }
  // 2-D data without a bias feature (user tables): the gate hyperplanes pass through the origin.
  const lines = prepared.planar && !prepared.bias && problem.d === 2 ? originGateLines(problem.gates, problem.P) : gateLines(problem.gates, problem.P, prepared.stats, prepared.bias);
  return { patterns, points, gateLines: lines };
}
