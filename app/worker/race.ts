/**
 * The Worker's race (issue 11): one {@link Race} of solver/race at a time, stepped through the
 * session's command chain (so a race step and a step of the page's run never overlap on the
 * device) and yielding between steps, so a stop gets through at once. The engine picks which run
 * steps (the one with the least own clock), so the runs share the one device fairly. Progress
 * goes to the page at most every RACE_PROGRESS_MS with downsampled curves; the full results
 * when the race ends or is stopped.
 */
import { Race, RaceConfigError, type Clock, type RaceConfig, type RaceResults } from '../../solver/race/index';
import type { MethodRegistry } from '../../solver/methods/index';
import type { TrainerEnv, TrainingData } from '../../solver/trainer';
import { downsampleResults } from '../race/downsample';
import { RACE_PROGRESS_MS, RACE_PROGRESS_POINTS, type FromRace, type RaceProgress, type ToRace } from '../race/protocol';
import type { Settings } from '../settings';

/** What the race needs from the session around it. */
export interface RaceHost {
  post(msg: FromRace): void;
  /** Runs `job` on the session's command chain (one device job at a time). */
  enqueue(job: () => Promise<void>): void;
  /** Runs `fn` after pending events. */
  defer(fn: () => void): void;
  /** Milliseconds (the progress throttle). */
  now(): number;
  /** The training and test rows of `settings` (the page's data pipeline and its cache). */
  data(settings: Settings): Promise<TrainingData>;
  /** Where the trainers of `settings` run (its device; 'auto' without WebGPU: the CPU). */
  env(settings: Settings): Promise<TrainerEnv>;
  methods?: MethodRegistry;
  /** The runs' clock (seconds); the engine's default when absent. */
  clock?: Clock;
}

/** The race in flight. */
interface Live {
  readonly id: number;
  readonly race: Race;
  readonly device: 'cpu' | 'gpu';
  stopped: boolean;
  lastPost: number;
}

/** The Worker's one race. */
export class RaceRunner {
  private live: Live | null = null;
  /** The race the page wants now (its last start, unless stopped since). */
  private wanted: number | null = null;

  constructor(private readonly host: RaceHost) {}

  /** Handles a race command. */
  handle(msg: ToRace): void {
    if (msg.type === 'race-start') this.start(msg.race, msg.settings, msg.config);
    else {
      if (this.wanted === msg.race) this.wanted = null;
      if (this.live?.id === msg.race) this.stop(this.live);
    }
  }

  /** Ends any race, then builds race `id` on the chain and steps it. */
  private start(id: number, settings: Settings, config: RaceConfig): void {
    if (this.live) this.stop(this.live);
    this.wanted = id;
    this.host.enqueue(async () => {
      let live: Live;
      try {
        const [data, env] = await Promise.all([this.host.data(settings), this.host.env(settings)]);
        const race = new Race({ config, data, env, ...(this.host.methods ? { methods: this.host.methods } : {}), ...(this.host.clock ? { clock: this.host.clock } : {}) });
        live = { id, race, device: env.device, stopped: false, lastPost: -Infinity };
      } catch (e) {
        this.host.post({ type: 'race-error', race: id, message: raceErrorMessage(e) });
        return;
      }
      this.live = live;
      // A later start or a stop came while the data loaded: the newest start wins.
      if (this.wanted !== id) {
        this.finish(live, true);
        return;
      }
      this.progress(live, true);
      this.loop(live);
    });
  }

  /** One step on the chain, then the next after pending events, until the race ends or stops. */
  private loop(live: Live): void {
    this.host.enqueue(async () => {
      if (live.stopped) return;
      const s = await live.race.step();
      if (s === null || live.race.done) {
        this.finish(live, false);
        return;
      }
      this.progress(live, false);
      this.host.defer(() => this.loop(live));
    });
  }

  /** Stops `live`: frees its trainers and sends its results as they stand. */
  private stop(live: Live): void {
    if (live.stopped) return;
    this.finish(live, true);
  }

  private finish(live: Live, stopped: boolean): void {
    live.stopped = true;
    live.race.dispose();
    if (this.live === live) this.live = null;
    this.host.post({ type: 'race-results', race: live.id, progress: progressOf(live), results: live.race.results(), stopped });
  }

  /** Posts the downsampled results when the last post is old enough (or `force`). */
  private progress(live: Live, force: boolean): void {
    const now = this.host.now();
    if (!force && now - live.lastPost < RACE_PROGRESS_MS) return;
    live.lastPost = now;
    const results: RaceResults = downsampleResults(live.race.results(), RACE_PROGRESS_POINTS);
    this.host.post({ type: 'race-progress', race: live.id, progress: progressOf(live), results });
  }
}

/** Runs ended and in all. */
function progressOf(live: Live): RaceProgress {
  const runs = live.race.runs;
  return { done: runs.filter((r) => r.end !== null).length, total: runs.length, device: live.device };
}

/** The message of a race that could not start. */
function raceErrorMessage(e: unknown): string {
  const m = e instanceof Error ? e.message : String(e);
  return e instanceof RaceConfigError ? `The race settings need a change: ${m}` : m;
}
