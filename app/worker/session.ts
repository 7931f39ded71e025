/**
 * The Worker's runs: each run owns its data, problem and trainer (solver/trainer.ts) and answers
 * the commands of protocol.ts. The page's run (the one the panels show) has no `slot`; more runs
 * can be added beside it under a slot name (the race view), and all running runs share the one
 * GPU, stepped in turn. Commands that touch a trainer run one at a time on a promise chain (a
 * step in flight finishes before a rebuild starts); pause takes effect at once. The environment
 * (posting, fetching, the method registry) is injected so the logic runs in Node tests.
 *
 * Every run is built through its method's registry entry (`(await methods[id].load())(data,
 * settings, env)`), so a new method needs nothing here. The pattern, neuron-norm and boundary
 * views are CRONOS's: they are made only when the trainer's model has `convex`; any other method
 * gets the metrics-only views (its charts from its descriptors, accuracy and confusion matrices
 * from its model's predictions).
 */
import { estimateGpuBuffers } from '../../data/size';
import type { AdapterSummary } from '../../solver/gpu/context';
import { WebGpuUnavailableError } from '../../solver/gpu/context';
import { gpuMemoryPlan } from '../../solver/gpu/buffers';
import { exactSolveContext, resolvePreconditioner } from '../../solver/preconditioner';
import { AdmmDivergedError } from '../../solver/admm/driver';
import { METHODS, methodOf, type MethodRegistry } from '../../solver/methods/index';
import { ResilientRun, RunBrokeDownError, trainerAttempt } from '../../solver/resilience';
import type { TestSet } from '../../solver/solver';
import type { FinishReason, MetricsRecord, TrainedModel, Trainer, TrainerEnv, TrainerState, TrainingData } from '../../solver/trainer';
import { sharedGpuBuffers, sharedGpuContext } from '../../solver/index';
import type { FromRace } from '../race/protocol';
import { RaceRunner } from './race';
import type { DeviceKind, Problem, SolverConfig } from '../../solver/types';
import { datasetInfo } from '../datasets';
import {
  snapshotTransferables,
  viewTransferables,
  type DataSummary,
  type FromWorker,
  type MemoryReport,
  type ProblemView,
  type RunStatus,
  type RunSummary,
  type ToWorker,
} from '../protocol';
import { changeLevel, methodValues, stepBudget, toSolverConfig, type Settings } from '../settings';
import { computeSnapshot, gateLines, metricsSnapshot, patternView, type MetricsViewContext, type SnapshotContext } from '../snapshot';
import { SYNTHETIC_DOMAIN } from '../../data/synthetic';
import { prepareData, type FetchText, type PreparedData } from './prepare';
import type { CurrentDataset } from '../ingest/session';
import { originGateLines, preparedTestSet, prepareUserData, standardisedTargets } from './ingest-prepare';
import { activeCsv, csvSourceFetcher, csvSourceInfo, dataKey } from '../share/wire-source';
import { runExport, runExportTransferables } from '../share/wire-run';
import type { SavedSolution, ToShare } from '../share/wire-protocol';

/** Snapshots are sent at most this often while running (the page redraws on each). */
export const SNAPSHOT_INTERVAL_MS = 250;
/** …and never take more than about 1/SNAPSHOT_COST_FACTOR of the Worker's time. */
const SNAPSHOT_COST_FACTOR = 5;
/** Prepared datasets kept for reuse (a race trains several runs on the same rows; user data can be large). */
const PREPARED_CACHE = 2;
const NO_USER_DATA = 'No dataset of yours is loaded yet: drop a CSV file, a .zip of images or a folder of images on the page first.';

/** What the session needs from its surroundings. */
export interface SessionEnv {
  post(msg: FromWorker | FromRace, transfer?: Transferable[]): void;
  fetchText: FetchText;
  /** The methods runs are built from (default: the registry, solver/methods/index.ts); tests add a fixture method or wrap a factory. */
  methods?: MethodRegistry;
  /** GPU entry point for the trainers (navigator.gpu when omitted). */
  gpu?: GPU;
  /** The adapter the GPU solver runs on (called after a GPU trainer was created). */
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

/** One run: its settings, data, trainer and where it is. */
interface Run {
  /** Unique per session; every message of the run carries it. */
  readonly id: number;
  /** Absent for the page's run; the name the page gave an added run. */
  readonly slot: string | undefined;
  settings: Settings;
  prepared: PreparedData | null;
  trainer: Trainer | null;
  /** What the snapshots are computed from: CRONOS's convex views, or the metrics-only ones. */
  views: Views | null;
  /** Steps the trainer: checkpoints, a new device after a loss, the last good state after a breakdown (solver/resilience.ts). */
  guard: ResilientRun<Trainer> | null;
  status: RunStatus;
  finished: FinishReason | null;
  iter: number;
  /** The newest step's metrics (the trainer's stopping rule is asked again when the budget moves). */
  last: MetricsRecord | null;
  lastSnapshotAt: number;
  snapshotCost: number;
  /** A restored session's convex solution, shown (and exported) until the run continues. */
  restored: SavedSolution | null;
  /** Iterations to re-run silently before the next visible step (a restored run without a saved state). */
  replay: number;
}

/** A run's views: CRONOS's (from the convex iterate and its problem) or the metrics-only ones. */
type Views = { kind: 'convex'; ctx: SnapshotContext } | { kind: 'metrics'; ctx: MetricsViewContext };

/** One Worker's runs. */
export class Session {
  /** Every live run by id; the page's run is `main`. */
  private readonly runs = new Map<number, Run>();
  private main: Run | null = null;
  private nextId = 0;
  /** Prepared data by data key, most recent last. */
  private readonly prepared = new Map<string, PreparedData>();
  private chain: Promise<void> = Promise.resolve();
  private pumping = false;
  /** Round-robin position of the pump among the running runs. */
  private turn = 0;
  /** A device-loss test hook that arrived before the page's run had a trainer. */
  private pendingLoss: number | null = null;
  /** The user data the page's run trains: taken when a run on it starts, kept while settings change. */
  private user: CurrentDataset | null = null;

  private readonly methods: MethodRegistry;

  /** The race view's race, stepped on the same chain as the runs. */
  private readonly race: RaceRunner;

  constructor(private readonly env: SessionEnv) {
    this.methods = env.methods ?? METHODS;
    this.race = new RaceRunner({
      post: (msg) => env.post(msg),
      enqueue: (job) => void this.enqueue(job),
      defer: (fn) => env.defer(fn),
      now: () => env.now(),
      data: (settings) => this.raceData(settings),
      env: (settings) => this.raceEnv(settings),
      methods: this.methods,
    });
  }

  /** The rows a race trains on: the page's data pipeline for `settings` (the user's data loaded now on 'user'). */
  private async raceData(settings: Settings): Promise<TrainingData> {
    const prepared = await this.prepareData(settings, settings.dataset === 'user' ? this.loadedUserData() : null, () => undefined);
    return trainingData(prepared, preparedTestSet(prepared));
  }

  /** The device of a race: the settings' choice, 'auto' taking WebGPU when an adapter answers. */
  private async raceEnv(settings: Settings): Promise<TrainerEnv> {
    const gpu = this.env.gpu ? { gpu: this.env.gpu } : {};
    if (settings.device === 'cpu') return { device: 'cpu' };
    if (settings.device === 'gpu') return { device: 'gpu', ...gpu };
    try {
      await sharedGpuContext(this.env.gpu);
      return { device: 'gpu', ...gpu };
    } catch (e) {
      if (e instanceof WebGpuUnavailableError) return { device: 'cpu' };
      throw e;
    }
  }

  /** Handles one command from the page. */
  handle(msg: ToWorker): void {
    switch (msg.type) {
      case 'start':
        // A start on 'user' is "train on this data": take the dataset loaded now.
        void this.enqueue(() => this.buildMain(msg.settings, 'problem', msg.autoplay, true));
        break;
      case 'settings':
        void this.enqueue(() => this.applySettings(msg.settings));
        break;
      case 'add-run':
        void this.enqueue(() => this.addRun(msg.slot, msg.settings, msg.autoplay));
        break;
      case 'close-run':
        void this.enqueue(async () => this.closeRun(msg.slot));
        break;
      case 'pause':
        for (const run of this.targets(msg.slot)) if (run.status === 'running') this.setStatus(run, 'paused');
        break;
      case 'resume':
        for (const run of this.targets(msg.slot)) if (run.status === 'paused') this.setStatus(run, 'running');
        this.pump();
        break;
      case 'step':
        for (const run of this.targets(msg.slot)) void this.enqueue(() => this.step(run, true), () => run);
        break;
      case 'simulate-device-loss':
        // The page's test hook (e2e): destroy the GPU device before iteration `at` of the addressed
        // runs; sent before the page's run exists (at load), it arms the next page run built.
        for (const run of this.targets(msg.slot)) run.guard?.simulateDeviceLossAt(msg.at);
        if (msg.slot === undefined && !this.main?.guard) this.pendingLoss = msg.at;
        break;
      case 'reset': {
        const main = this.main;
        if (main) void this.enqueue(() => this.buildMain(main.settings, 'solver', false));
        break;
      }
      case 'share-export':
      case 'share-restore':
        this.handleShare(msg);
        break;
      case 'race-start':
      case 'race-stop':
        this.race.handle(msg);
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

  /** The runs a command addresses: the page's run without a slot, `*` for every run, else the named one. */
  private targets(slot: string | undefined): Run[] {
    if (slot === undefined) return this.main ? [this.main] : [];
    return [...this.runs.values()].filter((r) => slot === '*' || r.slot === slot);
  }

  /** Queues `job` behind the running one; a failure ends the page's run with an error message. */
  private enqueue(job: () => Promise<void>, run?: () => Run | null): Promise<void> {
    this.chain = this.chain.then(job).catch((e: unknown) => this.fail(run?.() ?? this.main, e));
    return this.chain;
  }

  /**
   * Reports a failure on its run. The page's run stays (its settings can be changed to recover);
   * an added run is over: it is freed at once, so a failed race entry holds no GPU buffers.
   */
  private fail(run: Run | null, e: unknown): void {
    const message = e instanceof Error ? e.message : String(e);
    if (run) run.status = 'error';
    this.env.post({ type: 'error', run: run?.id ?? this.nextId, ...slotOf(run), message });
    if (run && run !== this.main) this.dispose(run);
  }

  private setStatus(run: Run, status: RunStatus, finished: FinishReason | null = null): void {
    run.status = status;
    run.finished = finished;
    this.env.post({ type: 'state', run: run.id, ...slotOf(run), status, finished });
  }

  private phase(run: Run, phase: string): void {
    this.env.post({ type: 'phase', run: run.id, ...slotOf(run), phase });
  }

  /** New settings for the page's run: rebuild what the change invalidates, keep running unless the user had paused. */
  private async applySettings(next: Settings): Promise<void> {
    const run = this.main;
    const prev = run?.settings ?? null;
    const level = prev ? changeLevel(prev, next, this.methods) : 'problem';
    if (!run || level === 'problem' || level === 'solver') {
      await this.buildMain(next, level === 'solver' ? 'solver' : 'problem', !run || run.status !== 'paused', prev?.dataset !== 'user');
      return;
    }
    run.settings = next;
    if (level !== 'limit' || !run.trainer) return;
    const budget = stepBudget(next, this.methods);
    if (budget === null) return;
    (run.guard ?? run.trainer).setBudget(budget);
    // The trainer's own stopping rule decides whether the moved budget ends or reopens the run.
    const finish = run.last ? run.trainer.finished(run.last) : null;
    if (run.status === 'finished' && run.finished === 'max-iterations' && finish === null) this.setStatus(run, 'paused');
    else if (run.status === 'running' && finish !== null) this.setStatus(run, 'finished', finish);
  }

  /**
   * Replaces the page's run: (re)loads data and problem when `level` is 'problem', always a new trainer.
   * `takeUser`: on the 'user' dataset, train the dataset loaded now rather than the one kept.
   */
  private async buildMain(settings: Settings, level: 'problem' | 'solver', autoplay: boolean, takeUser = false): Promise<void> {
    const old = this.main;
    const run = this.newRun(undefined, settings);
    this.main = run;
    if (old) this.dispose(old);
    // A solver-level change keeps the old run's data (same rows, split and standardisation).
    await this.build(run, autoplay, takeUser, level === 'solver' ? (old?.prepared ?? null) : null);
  }

  /** Adds a run beside the page's run (replacing an earlier run of the same slot). */
  private async addRun(slot: string, settings: Settings, autoplay: boolean): Promise<void> {
    for (const r of this.runs.values()) if (r.slot === slot) this.dispose(r);
    const run = this.newRun(slot, settings);
    try {
      await this.build(run, autoplay, false, null);
    } catch (e) {
      // A failed extra run is reported on its own slot; the page's run goes on.
      this.fail(run, e);
    }
  }

  private closeRun(slot: string): void {
    for (const r of this.runs.values()) if (r.slot === slot) this.dispose(r);
  }

  private newRun(slot: string | undefined, settings: Settings): Run {
    const run: Run = {
      id: ++this.nextId,
      slot,
      settings,
      prepared: null,
      trainer: null,
      views: null,
      guard: null,
      status: 'loading',
      finished: null,
      iter: 0,
      last: null,
      lastSnapshotAt: -Infinity,
      snapshotCost: 0,
      restored: null,
      replay: 0,
    };
    this.runs.set(run.id, run);
    return run;
  }

  /** Frees a run's trainer (its GPU buffers) and forgets it. */
  private dispose(run: Run): void {
    run.trainer?.dispose();
    run.trainer = null;
    run.guard = null;
    run.status = 'finished';
    this.runs.delete(run.id);
    if (this.main === run) this.main = null;
  }

  /** Loads data and trainer of `run`, reports them, and starts or pauses it. */
  private async build(run: Run, autoplay: boolean, takeUser: boolean, reuse: PreparedData | null): Promise<void> {
    const settings = run.settings;
    this.setStatus(run, 'loading');
    run.prepared = reuse ?? (await this.prepare(run, settings, takeUser));
    const prepared = run.prepared;
    const method = methodOf(settings.method, this.methods);
    const test: TestSet | null = preparedTestSet(prepared);
    this.phase(run, settings.device === 'cpu' ? 'Building the solver (CPU)' : 'Building the solver (WebGPU)');
    const { trainer, device, fallbackReason, start } = await this.createTrainer(settings, trainingData(prepared, test));
    if (!this.runs.has(run.id)) {
      // Replaced while the trainer was being built.
      trainer.dispose();
      return;
    }
    run.trainer = trainer;
    run.guard = await this.guarded(run, trainer, start);
    const model = await trainer.model();
    const convex = model.convex;
    let view: ProblemView;
    let memory: MemoryReport | null = null;
    if (convex) {
      const problem = convex.problem;
      run.views = {
        kind: 'convex',
        ctx: {
          problem,
          trainLabels: prepared.train.labels,
          numClasses: prepared.train.classNames.length,
          test,
          stats: prepared.stats,
          bias: prepared.bias,
          image: prepared.info.image,
          domain: prepared.planar ? (prepared.domain ?? SYNTHETIC_DOMAIN) : null,
        },
      };
      view = problemView(prepared, problem);
      memory = memoryReport(problem, toSolverConfig(settings), test?.n ?? 0);
    } else {
      run.views = { kind: 'metrics', ctx: { train: prepared.train, numClasses: prepared.train.classNames.length, test, regression: prepared.targets !== undefined, image: prepared.info.image } };
      view = { patterns: null, points: pointView(prepared, null), gateLines: null };
    }
    const data = dataSummary(prepared, prepared.info.title, prepared.info.image, convex?.problem ?? null);
    const summary: RunSummary = {
      ...data,
      method: method.id,
      convex: convex ? { P: convex.problem.P, S: convex.problem.S, K: convex.problem.K, model: convex.problem.model, beta: convex.problem.beta } : null,
    };
    this.env.post(
      {
        type: 'ready',
        run: run.id,
        ...slotOf(run),
        device,
        adapter: device === 'gpu' ? await this.env.adapter() : null,
        fallbackReason,
        preconditioner: trainer.preconditionerInUse?.() ?? undefined,
        problem: summary,
        memory,
        view,
        settings,
      },
      viewTransferables(view),
    );
    await this.snapshot(run, model);
    if (autoplay) {
      this.setStatus(run, 'running');
      this.pump();
    } else this.setStatus(run, 'paused');
  }

  /** The standardised data of `run`'s `settings`, from the cache when another run already prepared it. */
  private prepare(run: Run, settings: Settings, takeUser: boolean): Promise<PreparedData> {
    // An added run takes the data loaded now without changing what the page's run keeps.
    const user = settings.dataset !== 'user' ? null : run.slot !== undefined ? this.loadedUserData() : this.userDataset(takeUser);
    return this.prepareData(settings, user, (phase) => this.phase(run, phase));
  }

  /** The standardised data of `settings` (the user's `user` when given), cached by data key. */
  private async prepareData(settings: Settings, user: CurrentDataset | null, phase: (text: string) => void): Promise<PreparedData> {
    // User data: the split and seed live in the data panel, so the dataset object is the key.
    const key = user ? this.userKey(user) : dataKey(settings);
    const hit = this.prepared.get(key);
    if (hit) {
      this.prepared.delete(key);
      this.prepared.set(key, hit);
      return hit;
    }
    // A CSV from a share link or session file takes the catalogue's CSV path (share/wire-source.ts).
    const csv = activeCsv(settings);
    const info = user ? null : csv ? csvSourceInfo(csv, settings.dataset) : datasetInfo(settings.dataset);
    phase(user ? 'Preparing your data' : info?.source.kind === 'csv' ? 'Loading the dataset' : 'Generating points');
    const prepared = user
      ? prepareUserData(user)
      : await prepareData(info ?? datasetInfo(settings.dataset), settings, csv ? csvSourceFetcher(csv, this.env.fetchUrl) : this.env.fetchText);
    this.prepared.set(key, prepared);
    for (const k of this.prepared.keys()) {
      if (this.prepared.size <= PREPARED_CACHE) break;
      this.prepared.delete(k);
    }
    return prepared;
  }

  /** The user dataset to train: the one kept, or (when `take` or none is kept) the one loaded now. */
  private userDataset(take: boolean): CurrentDataset {
    if (take || !this.user) this.user = this.env.userData?.() ?? null;
    if (!this.user) throw new Error(NO_USER_DATA);
    return this.user;
  }

  /** The dataset the user loaded last. */
  private loadedUserData(): CurrentDataset {
    const cur = this.env.userData?.() ?? null;
    if (!cur) throw new Error(NO_USER_DATA);
    return cur;
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

  /**
   * A trainer of the settings' method on the preferred device; 'auto' falls back to the CPU when
   * WebGPU is unavailable. `start` makes another one at iteration 0 (ResilientRun's `create`, after a device loss).
   */
  private async createTrainer(settings: Settings, data: TrainingData): Promise<{ trainer: Trainer; device: DeviceKind; fallbackReason: string | null; start: (device: DeviceKind) => Promise<Trainer> }> {
    const factory = await methodOf(settings.method, this.methods).load();
    // The factory reads its own table's fields, under its own keys (app/settings.ts methodValues).
    const values = methodValues(settings, settings.method, this.methods);
    const gpu = this.env.gpu ? { gpu: this.env.gpu } : {};
    const start = (device: DeviceKind): Promise<Trainer> => factory(data, values, device === 'gpu' ? { device, ...gpu } : { device });
    const pref = settings.device;
    if (pref === 'cpu') return { trainer: await start('cpu'), device: 'cpu', fallbackReason: null, start };
    try {
      return { trainer: await start('gpu'), device: 'gpu', fallbackReason: null, start };
    } catch (e) {
      if (pref !== 'auto' || !(e instanceof WebGpuUnavailableError)) throw e;
      return { trainer: await start('cpu'), device: 'cpu', fallbackReason: e.message, start };
    }
  }

  /**
   * The run's trainer behind solver/resilience.ts, whatever its method; its events (device lost,
   * recovered, CPU fallback, breakdown) go to the page as `event` messages for its notice.
   */
  private guarded(run: Run, trainer: Trainer, start: (device: DeviceKind) => Promise<Trainer>): Promise<ResilientRun<Trainer>> {
    return ResilientRun.start<Trainer>({
      first: trainerAttempt(trainer),
      device: trainer.device,
      create: async (device) => trainerAttempt(await start(device)),
      onEvent: (event) => this.env.post({ type: 'event', run: run.id, ...slotOf(run), event }),
      ...(run === this.main && this.pendingLoss !== null ? { simulateDeviceLoss: this.takePendingLoss() } : {}),
    });
  }

  private takePendingLoss(): number | undefined {
    const at = this.pendingLoss ?? undefined;
    this.pendingLoss = null;
    return at;
  }

  /**
   * Keeps stepping while any run is running, one step of one run at a time in turn (so several
   * runs share the GPU fairly), yielding between steps so pause and settings get through.
   */
  private pump(): void {
    if (this.pumping) return;
    this.pumping = true;
    const loop = (): void => {
      const running = [...this.runs.values()].filter((r) => r.status === 'running');
      if (running.length === 0) {
        this.pumping = false;
        return;
      }
      const run = running[this.turn++ % running.length];
      void this.enqueue(
        async () => {
          if (run.status === 'running' && this.runs.has(run.id)) await this.step(run, false);
        },
        () => run,
      ).then(() => this.env.defer(loop));
    };
    loop();
  }

  /** One step of `run`; `manual` steps only run while it is not running. */
  private async step(run: Run, manual: boolean): Promise<void> {
    const trainer = run.trainer;
    if (!trainer || !this.runs.has(run.id) || (manual && (run.status === 'running' || run.status === 'loading' || run.status === 'error'))) return;
    if (run.replay > 0) await this.replayRestored(run, trainer);
    let m: MetricsRecord;
    try {
      m = await (run.guard ?? trainer).step();
      // After a device loss the run goes on in a new trainer (on a new device or the CPU).
      run.trainer = run.guard?.trainer ?? trainer;
    } catch (e) {
      // A recovery may have replaced the trainer before the step failed.
      if (run.guard) run.trainer = run.guard.trainer;
      // A breakdown left the trainer at the last good iteration: the page shows that state.
      if (e instanceof RunBrokeDownError) {
        if (e.breakdown instanceof AdmmDivergedError) this.env.post({ type: 'metrics', run: run.id, ...slotOf(run), metrics: e.breakdown.metrics });
        await this.snapshot(run);
        if (run !== this.main) return this.fail(run, e);
        throw e;
      }
      // The driver detects divergence (solver/admm/driver.ts) and says what to change; the page
      // still gets the diverged iteration's metrics (charts skip non-finite values), then the
      // message instead of silent NaN (TensorFlow Playground's issue #77).
      if (e instanceof AdmmDivergedError) {
        run.iter = e.metrics.iter;
        this.env.post({ type: 'metrics', run: run.id, ...slotOf(run), metrics: e.metrics });
      }
      // A run that fails stops on its own; other runs of a race go on.
      if (run !== this.main) return this.fail(run, e);
      throw e;
    }
    run.iter = m.iter;
    run.last = m;
    this.env.post({ type: 'metrics', run: run.id, ...slotOf(run), metrics: m });
    run.restored = null;
    const finish = (run.trainer ?? trainer).finished(m);
    const now = this.env.now();
    const due = now - run.lastSnapshotAt >= Math.max(SNAPSHOT_INTERVAL_MS, SNAPSHOT_COST_FACTOR * run.snapshotCost);
    if (manual || finish || due) await this.snapshot(run);
    if (finish && (run.status === 'running' || manual)) this.setStatus(run, 'finished', finish);
  }

  /** Reads the model back (unless given) and posts a {@link Snapshot} (buffers transferred). */
  private async snapshot(run: Run, given?: TrainedModel): Promise<void> {
    const trainer = run.trainer;
    const views = run.views;
    if (!trainer || !views) return;
    const t0 = this.env.now();
    const model = given ?? (await trainer.model());
    const snap = views.kind === 'convex' && model.convex ? computeSnapshot(views.ctx, model.convex.U, model.convex.V, run.iter, model.network) : metricsSnapshot(views.kind === 'metrics' ? views.ctx : metricsContext(views.ctx), model, run.iter);
    this.env.post({ type: 'snapshot', run: run.id, ...slotOf(run), snapshot: snap }, snapshotTransferables(snap));
    const census = trainer.device === 'gpu' ? sharedGpuBuffers() : null;
    if (census) this.env.post({ type: 'resources', run: run.id, ...slotOf(run), resources: { iteration: run.iter, buffers: census.count, bytes: census.bytes } });
    run.lastSnapshotAt = this.env.now();
    run.snapshotCost = run.lastSnapshotAt - t0;
  }

  // ---- share: exports and session files (app/share/wire-protocol.ts)

  private handleShare(msg: ToShare): void {
    if (msg.type === 'share-export') void this.enqueue(() => this.shareExport(msg.id));
    else void this.enqueue(() => this.restore(msg.settings, msg.history, msg.solution, msg.state ?? null));
  }

  /** Answers an export request with the page's run (current or restored); failures go to the request, not the run. */
  private async shareExport(id: number): Promise<void> {
    const run = this.main;
    try {
      if (!run || !run.prepared || (!run.trainer && !run.restored)) throw new Error('There is no trained run to export yet.');
      const { settings, prepared, trainer } = run;
      const model = trainer ? await trainer.model() : null;
      // A restored run shows (and exports) the saved solution until it continues; copies are
      // transferred, the restored arrays stay here for later exports.
      const problem = model?.convex?.problem ?? (run.views?.kind === 'convex' ? run.views.ctx.problem : null);
      const convex = run.restored && problem ? { U: Float64Array.from(run.restored.U), V: Float64Array.from(run.restored.V), problem } : (model?.convex ?? null);
      if (!model && !convex) throw new Error('There is no trained run to export yet.');
      // A restored run not yet continued has no state of its own beyond the replay count.
      const state = trainer && run.replay === 0 ? await trainer.saveState() : null;
      const csv = activeCsv(settings);
      const remoteText = csv?.kind === 'url' ? (this.env.cachedUrl?.(csv.url) ?? null) : null;
      const result = { ...runExport({ settings, prepared, convex, network: model?.network ?? null, iter: run.iter, remoteText }), state };
      this.env.post({ type: 'share-export', run: run.id, id, result, error: null }, runExportTransferables(result));
    } catch (e) {
      this.env.post({ type: 'share-export', run: run?.id ?? this.nextId, id, result: null, error: e instanceof Error ? e.message : String(e) });
    }
  }

  /**
   * Opens a saved run: builds its problem and a trainer (paused), reports the saved metrics and a
   * snapshot of the saved solution, and ends paused or finished as the saved run did. Nothing is
   * trained. With the saved trainer state the trainer continues from it; an older file without
   * one is continued by replaying its iterations first (exact on the CPU, to float tolerance on
   * one GPU).
   */
  private async restore(settings: Settings, history: MetricsRecord[], solution: SavedSolution | null, state: TrainerState | null): Promise<void> {
    await this.buildMain(settings, 'problem', false);
    const run = this.main;
    const views = run?.views;
    const last = history.at(-1);
    if (!run || !last || !views || !run.trainer) return;
    if (solution && views.kind !== 'convex') throw new Error(`The session holds a convex solution, but the method ${settings.method} has none. The file is damaged or was edited.`);
    if (solution && views.kind === 'convex' && solution.U.length !== views.ctx.problem.d * views.ctx.problem.K) {
      const need = views.ctx.problem.d * views.ctx.problem.K;
      throw new Error(`The session's solution has ${solution.U.length} values; the rebuilt problem needs ${need}. The data or settings differ from the saved run.`);
    }
    if (state && state.iteration !== last.iter) throw new Error(`The session's saved state is at iteration ${state.iteration} but its history ends at ${last.iter}.`);
    if (!state && views.kind !== 'convex') throw new Error(`The session has no saved ${settings.method} state to continue from; only CRONOS sessions from before saved states can be replayed.`);
    for (const metrics of history) this.env.post({ type: 'metrics', run: run.id, metrics });
    run.iter = last.iter;
    run.last = last;
    if (state) await (run.guard ?? run.trainer).loadState(state);
    else run.replay = last.iter;
    if (solution && views.kind === 'convex') {
      run.restored = solution;
      const snap = computeSnapshot(views.ctx, solution.U, solution.V, run.iter);
      this.env.post({ type: 'snapshot', run: run.id, snapshot: snap }, snapshotTransferables(snap));
    } else if (state) await this.snapshot(run);
    // The trainer's stopping rule, with the saved run's last metrics.
    const finish = run.trainer.finished(last);
    if (finish) this.setStatus(run, 'finished', finish);
    else this.setStatus(run, 'paused');
  }

  /** Re-runs a restored run's iterations without reporting them, so the next step continues it. */
  private async replayRestored(run: Run, trainer: Trainer): Promise<void> {
    const total = run.replay;
    this.phase(run, `Replaying the session's ${total} iterations to continue it`);
    while (run.replay > 0) {
      await (run.guard ?? trainer).step();
      run.replay--;
    }
    // The phase message showed 'loading' in the page; say where the run really is.
    this.env.post({ type: 'state', run: run.id, ...slotOf(run), status: run.status, finished: run.finished });
  }
}

/** The `slot` field of a run's messages: absent for the page's run. */
function slotOf(run: Run | null): { slot?: string } {
  return run?.slot !== undefined ? { slot: run.slot } : {};
}

let userKeyCount = 0;

/** The facts the page shows about a run's data (the regression target's scale from the CRONOS problem when there is one). */
export function dataSummary(prepared: PreparedData, title: string, image: DataSummary['image'], problem: Problem | null): DataSummary {
  const classCounts = prepared.train.classNames.map(() => 0);
  for (const c of prepared.train.labels) if (c < classCounts.length) classCounts[c]++;
  const targets = prepared.targets;
  const target = targets ? { name: targets.name, mean: problem?.targetMean ?? mean(targets.train), std: problem?.targetStd ?? populationStd(targets.train) } : null;
  const classes = prepared.train.classNames.length;
  return {
    ...(target ? { task: 'regression' as const, target } : {}),
    dataset: prepared.info.id,
    title,
    n: prepared.train.n,
    nTest: prepared.test?.n ?? 0,
    testSource: prepared.testSource,
    d: prepared.train.d,
    bias: prepared.bias,
    C: problem?.C ?? (target || classes <= 2 ? 1 : classes),
    classNames: prepared.train.classNames.slice(),
    classCounts,
    image,
  };
}

function mean(v: Float64Array): number {
  let s = 0;
  for (const x of v) s += x;
  return v.length ? s / v.length : 0;
}

function populationStd(v: Float64Array): number {
  const m = mean(v);
  let s = 0;
  for (const x of v) s += (x - m) ** 2;
  return v.length ? Math.sqrt(s / v.length) || 1 : 1;
}

/** The data every method trains on, from prepared rows. */
function trainingData(prepared: PreparedData, test: TestSet | null): TrainingData {
  return { train: prepared.train, test, ...(prepared.targets ? { targets: prepared.targets.train } : {}) };
}

/** The metrics-only context of a CRONOS run (a restored convex run falls back to it without its model). */
function metricsContext(ctx: SnapshotContext): MetricsViewContext {
  return { train: { X: ctx.problem.X, n: ctx.problem.n, labels: ctx.trainLabels }, numClasses: ctx.numClasses, test: ctx.test, regression: ctx.problem.task === 'regression' };
}

/** GPU memory the problem needs, with the four biggest buffers named. */
export function memoryReport(problem: Problem, config: SolverConfig, testRows: number): MemoryReport {
  const plan = gpuMemoryPlan(problem, config, testRows);
  const buffers = estimateGpuBuffers(problem.n, problem.d, problem.P, problem.C, problem.model, config.rank, testRows, resolvePreconditioner(config, problem.d, Infinity, exactSolveContext(config, problem, 'gpu')).kind, config.anderson)
    .sort((a, b) => b.bytes - a.bytes)
    .slice(0, 4);
  return { largestBinding: plan.largestBinding, total: plan.total, buffers };
}

/** The fixed parts of the views: D sample, and for 2-D sets the points and gate lines. */
export function problemView(prepared: PreparedData, problem: Problem): ProblemView {
  // Regression rows have no classes: they form one group (label 0) in the pattern view.
  const numClasses = Math.max(1, prepared.train.classNames.length);
  const patterns = patternView(problem, prepared.train.labels, numClasses);
  // 2-D data without a bias feature (user tables): the gate hyperplanes pass through the origin.
  const lines = prepared.planar && !prepared.bias && problem.d === 2 ? originGateLines(problem.gates, problem.P) : gateLines(problem.gates, problem.P, prepared.stats, prepared.bias);
  return { patterns, points: pointView(prepared, problem), gateLines: lines };
}

/** The points of a 2-D set (any method), regression targets on the CRONOS problem's scale when there is one. */
function pointView(prepared: PreparedData, problem: Problem | null): ProblemView['points'] {
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
    const value = standardisedTargets(prepared, problem ?? {});
    if (value) points.value = value;
  }
  return points;
}
