/**
 * Main-thread pacing. Worker messages are collected and handled once per animation frame, and
 * chart updates run under a per-frame time budget, so a burst of fast iterations (a 2-D set
 * steps in a few milliseconds) never turns into a long task that blocks input.
 */

/** Schedules a callback for the next frame (requestAnimationFrame in the page; injectable in tests). */
export type ScheduleFrame = (cb: () => void) => void;

/** Default frame scheduler: requestAnimationFrame, or a 16 ms timer where there is none. */
export const nextFrame: ScheduleFrame = (cb) => {
  if (typeof requestAnimationFrame === 'function') requestAnimationFrame(() => cb());
  else setTimeout(cb, 16);
};

/** Collects items and hands them to `flush` in one batch per frame. */
export class FrameBatcher<T> {
  private items: T[] = [];
  private scheduled = false;

  constructor(
    private readonly flush: (items: T[]) => void,
    private readonly schedule: ScheduleFrame = nextFrame,
  ) {}

  /** Adds an item; the first item of a frame schedules the flush. */
  push(item: T): void {
    this.items.push(item);
    if (this.scheduled) return;
    this.scheduled = true;
    this.schedule(() => {
      this.scheduled = false;
      const batch = this.items;
      this.items = [];
      if (batch.length > 0) this.flush(batch);
    });
  }

  /** Items waiting for the next frame. */
  get pending(): number {
    return this.items.length;
  }
}

/**
 * Runs keyed jobs in frames, at most `budgetMs` of work per frame (jobs left over wait for the
 * next frame). Requesting a key that is already queued replaces its job, so a chart that falls
 * behind draws once with everything new instead of once per message.
 */
export class FrameScheduler {
  private readonly jobs = new Map<unknown, () => void>();
  private scheduled = false;

  constructor(
    private readonly budgetMs = 10,
    private readonly schedule: ScheduleFrame = nextFrame,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** Queues `job` under `key` (replacing a queued job with the same key). */
  request(key: unknown, job: () => void): void {
    this.jobs.delete(key);
    this.jobs.set(key, job);
    this.kick();
  }

  /** Drops a queued job (a chart being unmounted). */
  cancel(key: unknown): void {
    this.jobs.delete(key);
  }

  /** Jobs waiting. */
  get pending(): number {
    return this.jobs.size;
  }

  private kick(): void {
    if (this.scheduled || this.jobs.size === 0) return;
    this.scheduled = true;
    this.schedule(() => {
      this.scheduled = false;
      this.runFrame();
      this.kick();
    });
  }

  private runFrame(): void {
    const start = this.now();
    for (const [key, job] of this.jobs) {
      this.jobs.delete(key);
      try {
        job();
      } catch (e) {
        // One broken chart must not stop the others; report it where developers look.
        console.warn('chart update failed', e);
      }
      if (this.now() - start >= this.budgetMs) break;
    }
  }
}

/** The page's one chart scheduler. */
export const chartScheduler = new FrameScheduler();

/** Timer functions (injectable in tests). */
export interface Timers {
  now(): number;
  set(fn: () => void, ms: number): unknown;
  clear(handle: unknown): void;
}

const browserTimers: Timers = {
  now: () => performance.now(),
  set: (fn, ms) => setTimeout(fn, ms),
  clear: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
};

/**
 * Rate-limits one chart: `request()` runs `job` (through `scheduler`) at most once per `minMs`;
 * requests in between are folded into one trailing run, so the newest data is always drawn.
 * plotly.js redraws a whole figure on every update, so a chart fed every few milliseconds must
 * take its points in batches.
 */
export class Throttle {
  private last = -Infinity;
  private timer: unknown = null;
  private readonly key = {};

  constructor(
    private readonly minMs: number,
    private readonly job: () => void,
    private readonly scheduler: FrameScheduler = chartScheduler,
    private readonly timers: Timers = browserTimers,
  ) {}

  /** Asks for a run: now if the last one is old enough, else once the interval has passed. */
  request(): void {
    if (this.timer !== null) return;
    const wait = this.last + this.minMs - this.timers.now();
    if (wait <= 0) this.fire();
    else this.timer = this.timers.set(() => this.fire(), wait);
  }

  /** Drops a pending run. */
  cancel(): void {
    if (this.timer !== null) this.timers.clear(this.timer);
    this.timer = null;
    this.scheduler.cancel(this.key);
  }

  private fire(): void {
    this.timer = null;
    this.scheduler.request(this.key, () => {
      this.last = this.timers.now();
      this.job();
    });
  }
}
