/**
 * View logic that is not drawing: chart rate limiting, colour scales, status and caption text,
 * adapter names.
 */
import { describe, expect, it } from 'vitest';
import { adapterName } from '../../app/components/GpuPanel';
import { boundaryColor } from '../../app/components/DecisionBoundary';
import { statusText } from '../../app/components/Transport';
import { tileCaption } from '../../app/components/WeightImages';
import { BLUE, classColor, css, diverging, NEUTRAL, ORANGE } from '../../app/colors';
import { FrameScheduler, Throttle, type Timers } from '../../app/frames';
import type { AdapterSummary } from '../../solver/gpu/context';

/** Fake clock and timers plus a frame queue. */
function env() {
  let now = 0;
  const timers: { at: number; fn: () => void; id: number }[] = [];
  let nextId = 1;
  const frames: (() => void)[] = [];
  const t: Timers = {
    now: () => now,
    set: (fn, ms) => {
      const id = nextId++;
      timers.push({ at: now + ms, fn, id });
      return id;
    },
    clear: (h) => {
      const k = timers.findIndex((x) => x.id === h);
      if (k >= 0) timers.splice(k, 1);
    },
  };
  const scheduler = new FrameScheduler(10, (cb) => frames.push(cb), () => now);
  return {
    timers: t,
    scheduler,
    advance(ms: number) {
      now += ms;
      for (const x of timers.filter((x) => x.at <= now)) {
        timers.splice(timers.indexOf(x), 1);
        x.fn();
      }
    },
    frame() {
      for (const cb of frames.splice(0)) cb();
    },
    get pendingTimers() {
      return timers.length;
    },
  };
}

describe('Throttle', () => {
  it('draws at once, then folds requests within the interval into one trailing draw', () => {
    const e = env();
    let draws = 0;
    const t = new Throttle(400, () => draws++, e.scheduler, e.timers);
    t.request();
    e.frame();
    expect(draws).toBe(1);
    e.advance(100);
    t.request();
    t.request();
    t.request();
    e.frame();
    expect(draws).toBe(1);
    expect(e.pendingTimers).toBe(1);
    e.advance(299);
    e.frame();
    expect(draws).toBe(1);
    e.advance(1);
    e.frame();
    expect(draws).toBe(2);
    // Long after the last draw a request runs in the next frame again.
    e.advance(1000);
    t.request();
    e.frame();
    expect(draws).toBe(3);
  });

  it('cancel drops the pending draw', () => {
    const e = env();
    let draws = 0;
    const t = new Throttle(400, () => draws++, e.scheduler, e.timers);
    t.request();
    e.frame();
    t.request();
    t.cancel();
    e.advance(1000);
    e.frame();
    expect(draws).toBe(1);
    t.request();
    t.cancel();
    e.frame();
    expect(draws).toBe(1);
  });
});

describe('colours', () => {
  it('diverging: orange at −1, neutral at 0 and NaN, blue at +1, clamped and quantised', () => {
    expect(diverging(-1)).toEqual(ORANGE);
    expect(diverging(-7)).toEqual(ORANGE);
    expect(diverging(0)).toEqual(NEUTRAL);
    expect(diverging(Number.NaN)).toEqual(NEUTRAL);
    expect(diverging(1)).toEqual(BLUE);
    expect(diverging(0.52, 10)).toEqual(diverging(0.5));
    const mid = diverging(0.5);
    for (let k = 0; k < 3; k++) expect(mid[k]).toBe(Math.round((NEUTRAL[k] + BLUE[k]) / 2));
  });

  it('boundary colours are washed-out diverging colours, and classes use the Playground pair or a qualitative scheme', () => {
    const b = boundaryColor(1);
    for (let k = 0; k < 3; k++) {
      expect(b[k]).toBeGreaterThan(BLUE[k]);
      expect(b[k]).toBeLessThanOrEqual(255);
    }
    expect(boundaryColor(0)).toEqual(boundaryColor(Number.NaN));
    expect(classColor(0, 2)).toEqual(ORANGE);
    expect(classColor(1, 2)).toEqual(BLUE);
    const ten = Array.from({ length: 10 }, (_, c) => css(classColor(c, 10)));
    expect(new Set(ten).size).toBe(10);
    expect(css([1, 2, 3])).toBe('rgb(1, 2, 3)');
    expect(css([1, 2, 3], 0.5)).toBe('rgba(1, 2, 3, 0.5)');
  });
});

describe('texts', () => {
  it('tileCaption names the pattern and the class a neuron votes for', () => {
    const binary = { S: 2, P: 4, C: 1, classNames: ['bag', 'pullover'] };
    expect(tileCaption(binary, 2)).toBe('#3 → pullover');
    expect(tileCaption(binary, 4 + 1)).toBe('#2 → bag');
    const ova = { S: 2, P: 4, C: 3, classNames: ['Adelie', 'Chinstrap', 'Gentoo'] };
    expect(tileCaption(ova, (1 * 2 + 0) * 4 + 3)).toBe('#4 → Chinstrap');
    expect(tileCaption(ova, (2 * 2 + 1) * 4 + 0)).toBe('#1 → not Gentoo');
    const gated = { S: 1, P: 4, C: 1, classNames: ['a', 'b'] };
    expect(tileCaption(gated, 3)).toBe('#4 → b');
  });

  it('statusText says what the run is doing', () => {
    expect(statusText({ status: 'loading', finished: null, phase: 'Loading the dataset' })).toBe('Loading the dataset');
    expect(statusText({ status: 'loading', finished: null, phase: null })).toBe('Loading');
    expect(statusText({ status: 'running', finished: null, phase: null })).toBe('Running');
    expect(statusText({ status: 'finished', finished: 'converged', phase: null })).toBe('Converged');
    expect(statusText({ status: 'finished', finished: 'max-iterations', phase: null })).toBe('Iteration cap reached');
    expect(statusText({ status: 'error', finished: null, phase: null })).toBe('Stopped by an error');
  });

  it('adapterName joins the adapter info that is present', () => {
    const a = { vendor: 'google', architecture: 'swiftshader', device: '', description: '' } as AdapterSummary;
    expect(adapterName(a)).toBe('google swiftshader');
    expect(adapterName({ ...a, vendor: '', architecture: '' })).toBe('unnamed adapter');
  });
});
