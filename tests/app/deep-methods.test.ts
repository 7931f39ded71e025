/**
 * The five registered deep methods on the page's generic paths (issue 8): the Worker builds and
 * steps an Adam run and a CRONOS-AM run through the registry (CPU, a small dataset) with the
 * metrics-only views, a session file of an Adam run continues exactly, and a link carries Adam's
 * parameters (and SGD's own learning rate, kept apart from Adam's) through a round trip.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS, methodValues, settingsKey, type Settings } from '../../app/settings';
import { exportSession, importSession, type SessionFile } from '../../app/share/session';
import { decodeState, encodeState } from '../../app/share/state';
import { fromShareState, toShareState } from '../../app/share/wire';
import type { MetricsRecord } from '../../solver/trainer';
import { sessionHarness } from '../support/worker-harness';

/** Page settings running `method` on the XOR points, CPU, a tiny network. */
function deepSettings(method: 'adam' | 'cronos-am' | 'sgd', extra: Record<string, string | number> = {}): Settings {
  return { ...DEFAULT_SETTINGS, method, dataset: 'xor', device: 'cpu', testFraction: 0.3, seed: 2, arch: 'mlp:8', batch: 32, epochs: 3, ...extra };
}

const strip = (m: MetricsRecord) => ({ ...m, timeMs: 0, featureMs: 0, headMs: 0 });

describe('the Worker runs the deep methods through the registry', () => {
  it('Adam: builds, steps its epochs and its snapshot scores the deep model as its trainer does', async () => {
    const h = sessionHarness();
    h.send({ type: 'start', settings: deepSettings('adam'), autoplay: true });
    await h.session.idle();
    expect(h.of('error')).toEqual([]);
    const ready = h.of('ready')[0];
    expect(ready.problem).toMatchObject({ method: 'adam', convex: null, dataset: 'xor' });
    expect(ready.memory).toBeNull();
    await h.pump(10);
    const metrics = h.of('metrics').map((m) => m.metrics);
    expect(metrics.map((m) => m.epoch)).toEqual([1, 2, 3]);
    expect(h.lastState()).toMatchObject({ status: 'finished', finished: 'max-iterations' });
    // The confusion matrices come from solver/predict.ts (a CPU forward pass); the metrics from the trainer's backend.
    const snap = h.of('snapshot').at(-1)?.snapshot;
    const last = metrics.at(-1) as MetricsRecord;
    expect(snap?.trainAccuracy).toBeCloseTo(Number(last.trainAccuracy), 12);
    expect(snap?.testAccuracy).toBeCloseTo(Number(last.testAccuracy), 12);
  });

  it('CRONOS-AM: builds and steps with its own per-head-solve ADMM iterations (a scoped setting)', async () => {
    const h = sessionHarness();
    const settings = { ...deepSettings('cronos-am', { epochs: 2, P: 4, checkpoint: 2 }), [settingsKey('cronos-am', 'admmIters')]: 3 };
    expect(methodValues(settings)).toMatchObject({ admmIters: 3, epochs: 2 });
    h.send({ type: 'start', settings, autoplay: true });
    await h.session.idle();
    expect(h.of('error')).toEqual([]);
    expect(h.of('ready')[0].problem).toMatchObject({ method: 'cronos-am', convex: null });
    await h.pump(10);
    const metrics = h.of('metrics').map((m) => m.metrics);
    expect(metrics.map((m) => m.epoch)).toEqual([1, 2]);
    expect(metrics.every((m) => Number.isFinite(Number(m.headObjective)))).toBe(true);
    const snap = h.of('snapshot').at(-1)?.snapshot;
    expect(snap?.trainAccuracy).toBeCloseTo(Number(metrics.at(-1)?.trainAccuracy), 12);
  });

  it('Continue from a session file of an Adam run equals the uninterrupted run', async () => {
    const straight = sessionHarness();
    straight.send({ type: 'start', settings: deepSettings('adam', { epochs: 4 }), autoplay: true });
    await straight.session.idle();
    await straight.pump(10);

    const first = sessionHarness();
    first.send({ type: 'start', settings: deepSettings('adam', { epochs: 2 }), autoplay: true });
    await first.session.idle();
    await first.pump(10);
    first.send({ type: 'share-export', id: 1 });
    await first.session.idle();
    const e = first.of('share-export')[0].result;
    if (!e?.state) throw new Error('no state exported');
    const history = first.of('metrics').map((m) => m.metrics);
    const file: SessionFile = { state: toShareState(e.settings), data: null, results: { history, solution: null, network: e.network, state: e.state } };
    const back = importSession(exportSession(file));
    if (!back.ok) throw new Error(back.error);
    expect(back.session.state.method).toBe('adam');
    const settings = { ...fromShareState(back.session.state, DEFAULT_SETTINGS).settings, epochs: 4 };
    const cont = sessionHarness();
    cont.send({ type: 'share-restore', settings, history, solution: null, state: back.session.results?.state ?? null });
    await cont.session.idle();
    expect(cont.of('error')).toEqual([]);
    expect(cont.lastState()).toMatchObject({ status: 'paused' });
    cont.send({ type: 'resume' });
    await cont.pump(10);
    expect(cont.of('metrics').map((m) => strip(m.metrics))).toEqual(straight.of('metrics').map((m) => strip(m.metrics)));
  });
});

describe('links of the deep methods', () => {
  it('carry Adam’s parameters and decode to the same settings; SGD’s lr is its own', () => {
    const s = deepSettings('adam', { lr: 0.005, epochs: 7, arch: 'mlp:16,8' });
    const hash = encodeState(toShareState(s));
    const decoded = decodeState(hash);
    if (!decoded.ok) throw new Error(decoded.error);
    expect(decoded.state.params).toMatchObject({ lr: 0.005, epochs: 7, arch: 'mlp:16,8' });
    const back = fromShareState(decoded.state, DEFAULT_SETTINGS).settings;
    expect(methodValues(back)).toEqual(methodValues(s));
    expect(encodeState(toShareState(back))).toBe(hash);
    // SGD's learning rate lives apart from Adam's (another default), under sgd.lr.
    const sgd = { ...deepSettings('sgd'), [settingsKey('sgd', 'lr')]: 0.2 };
    const sgdBack = decodeState(encodeState(toShareState(sgd)));
    if (!sgdBack.ok) throw new Error(sgdBack.error);
    expect(sgdBack.state.params).toMatchObject({ lr: 0.2 });
    const applied = fromShareState(sgdBack.state, DEFAULT_SETTINGS).settings;
    expect(applied['sgd.lr']).toBe(0.2);
    expect(applied.lr).toBe(DEFAULT_SETTINGS.lr);
  });
});

describe('the text settings of the deep methods on the page', () => {
  it('the architecture is a text field of the model fieldset, checked by the parser', async () => {
    const { createElement } = await import('react');
    const { renderToStaticMarkup } = await import('react-dom/server');
    const { Controls } = await import('../../app/components/Controls');
    const { METHODS } = await import('../../solver/methods/index');
    const html = renderToStaticMarkup(createElement(Controls, { settings: deepSettings('adam', { arch: 'mlp:16,8' }), onChange: () => {} }));
    expect(html).toMatch(/<input[^>]*type="text"[^>]*data-testid="arch"[^>]*value="mlp:16,8"/);
    expect(html).toMatch(/data-testid="image"/);
    expect(html).toContain(METHODS.adam.summary);
    const arch = METHODS.adam.params.arch;
    expect(arch.check?.('mlp:16,8')).toBeNull();
    expect(arch.check?.('cnn:32,64')).toBeNull();
    expect(arch.check?.('mlp:0')).toMatch(/"0" is not a hidden width in \[1, 4096\]/);
    expect(arch.check?.('resnet')).toMatch(/is not understood; use mlp/);
    expect(METHODS['cronos-am'].params.arch.check?.('mlp:x')).toMatch(/not a hidden width/);
    expect(METHODS.adam.params.image.check?.('28x28')).toBeNull();
    expect(METHODS.adam.params.image.check?.('28 by 28')).toMatch(/is not HxWxC/);
  });
});
