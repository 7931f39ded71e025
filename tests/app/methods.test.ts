/**
 * Room for more than one method: every generic path driven by a second method that is not in the
 * product registry (tests/support/fixture-method.ts, least squares by gradient descent) — the
 * page's merged settings and method picker, the Worker building and stepping its runs through the
 * registry, metrics-only views, Continue from a session file, and its parameters in share links.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { Controls } from '../../app/components/Controls';
import { datasetInfo } from '../../app/datasets';
import { prepareData } from '../../app/worker/prepare';
import { DEFAULT_SETTINGS, methodChoices, settingsTable, stepBudget, withRaisedBudget, type Settings } from '../../app/settings';
import { exportSession, importSession, type SessionFile } from '../../app/share/session';
import { decodeState, encodeState, WIRE_DICTIONARY_V1 } from '../../app/share/state';
import { fromShareState, toShareState } from '../../app/share/wire';
import { fromBase64, inflateRawCapped, utf8 } from '../../app/share/codec';
import { METHODS, type MethodRegistry } from '../../solver/methods/index';
import { CRONOS_PARAMS } from '../../solver/methods/cronos/params';
import { mergeTables } from '../../solver/params/table';
import type { MetricsRecord } from '../../solver/trainer';
import { leastSquares, LSQ_METHOD, LSQ_METHOD_INFO, LSQ_PARAMS, LsqTrainer, signTargets, WITH_LSQ } from '../support/fixture-method';
import { DATASET_DIR, sessionHarness } from '../support/worker-harness';

/** Page settings running the fixture (its fields ride along with every other method's). */
function lsqSettings(extra: Record<string, number> = {}): Settings {
  const s = { ...DEFAULT_SETTINGS, method: LSQ_METHOD, dataset: 'xor' as const, device: 'cpu' as const, testFraction: 0.3, seed: 4, lsqRate: 0.3, lsqSteps: 30, ...extra };
  return s;
}

/** The JSON inside a v1 link. */
function linkJson(hash: string): Record<string, unknown> {
  const payload = fromBase64(hash.slice(3), 'hash', true);
  const text = new TextDecoder().decode(inflateRawCapped(payload.subarray(0, payload.length - 4), 1 << 16, 'hash', utf8(WIRE_DICTIONARY_V1)));
  return JSON.parse(text) as Record<string, unknown>;
}

describe('the page settings of several methods', () => {
  it('merge every method table; a shared key must mean the same, its wording may differ', () => {
    const merged = settingsTable(WITH_LSQ);
    expect(Object.keys(merged)).toEqual(expect.arrayContaining(['method', 'P', 'rho', 'lsqRate', 'lsqSteps', 'seed']));
    // The fixture's seed has its own help text but CRONOS's meaning: accepted.
    expect(merged.seed.help).toBe(CRONOS_PARAMS.seed.help);
    const clash = { ...LSQ_PARAMS, seed: { ...LSQ_PARAMS.seed, limits: { min: 0, max: 10 } } };
    expect(() => mergeTables([{ owner: 'method cronos', table: CRONOS_PARAMS }, { owner: 'method lsq', table: clash }])).toThrow(
      /"seed" of method lsq differs from "seed" of method cronos/,
    );
    const otherFlag = { ...LSQ_PARAMS, seed: { ...LSQ_PARAMS.seed, cli: { ...CRONOS_PARAMS.seed.cli, flag: '--random-seed' } } };
    expect(() => mergeTables([{ owner: 'a', table: CRONOS_PARAMS }, { owner: 'b', table: otherFlag }])).toThrow(/"seed" of b differs/);
  });

  it('the picker lists every registered method by title; the budget is the method’s limit setting', () => {
    const registered = Object.values(METHODS as MethodRegistry).map(({ id, title, summary }) => ({ id, title, summary }));
    expect(registered[0]).toEqual({ id: 'cronos', title: METHODS.cronos.title, summary: METHODS.cronos.summary });
    expect(methodChoices(WITH_LSQ)).toEqual([...registered, { id: 'lsq', title: LSQ_METHOD_INFO.title, summary: LSQ_METHOD_INFO.summary }]);
    expect(stepBudget(lsqSettings({ lsqSteps: 77 }), WITH_LSQ)).toBe(77);
    expect(stepBudget({ ...DEFAULT_SETTINGS, admmIters: 123 })).toBe(123);
    // Continue training raises the selected method's budget (doubled, at least +50, within its limits).
    expect(stepBudget(withRaisedBudget(lsqSettings({ lsqSteps: 30 }), WITH_LSQ), WITH_LSQ)).toBe(80);
    expect(stepBudget(withRaisedBudget(lsqSettings({ lsqSteps: 90_000 }), WITH_LSQ), WITH_LSQ)).toBe(100_000);
    expect(withRaisedBudget({ ...DEFAULT_SETTINGS, admmIters: 500 }).admmIters).toBe(1000);
    expect(withRaisedBudget(lsqSettings({ lsqSteps: 30 }), WITH_LSQ).admmIters).toBe(DEFAULT_SETTINGS.admmIters);
  });

  it('the controls show the method picker and only the selected method’s fieldsets', () => {
    const html = renderToStaticMarkup(createElement(Controls, { settings: { ...DEFAULT_SETTINGS, dataset: 'xor' }, onChange: () => {} }));
    expect(html).toMatch(/data-testid="method"[^>]*>.*CRONOS \(ADMM \+ Nyström PCG\)/s);
    expect(html).toContain('<legend>Method</legend>');
    expect(html).toContain(METHODS.cronos.summary);
  });
});

describe('the Worker runs a method through the registry', () => {
  it('builds and steps a fixture run: metrics-only views, its budget, the known optimum', async () => {
    const before = LsqTrainer.live;
    const h = sessionHarness({ methods: WITH_LSQ });
    h.send({ type: 'start', settings: lsqSettings({ lsqSteps: 400 }), autoplay: true });
    await h.session.idle();
    const ready = h.of('ready')[0];
    expect(ready.problem).toMatchObject({ method: 'lsq', convex: null, dataset: 'xor', d: 3, C: 1 });
    expect(ready.view.patterns).toBeNull();
    expect(ready.view.gateLines).toBeNull();
    expect(ready.view.points?.x.length).toBe(500);
    expect(ready.memory).toBeNull();
    await h.pump(500);
    const metrics = h.of('metrics').map((m) => m.metrics);
    expect(metrics.map((m) => m.iter)).toEqual(Array.from({ length: 400 }, (_, i) => i + 1));
    expect(Object.keys(metrics[0]).sort()).toEqual(['gradNorm', 'iter', 'loss', 'testAccuracy', 'timeMs', 'trainAccuracy']);
    // Gradient descent with η below 2/λmax decreases the loss at every step.
    for (let t = 1; t < metrics.length; t++) expect(Number(metrics[t].loss)).toBeLessThanOrEqual(Number(metrics[t - 1].loss) + 1e-15);
    expect(h.lastState()).toMatchObject({ status: 'finished', finished: 'max-iterations' });
    // The metrics-only snapshot: no norms, no boundary, confusion from the model's predictions.
    const snap = h.of('snapshot').at(-1)?.snapshot;
    expect(snap?.normsU.length).toBe(0);
    expect(snap?.boundary).toBeNull();
    const last = metrics.at(-1) as MetricsRecord;
    expect(snap?.trainAccuracy).toBeCloseTo(Number(last.trainAccuracy), 12);
    expect(snap?.testAccuracy).toBeCloseTo(Number(last.testAccuracy), 12);
    // What ran is gradient descent on this problem: the network it exports is the least-squares fit.
    h.send({ type: 'share-export', id: 1 });
    await h.session.idle();
    const exp = h.of('share-export')[0].result;
    expect(exp?.convex).toBeNull();
    const state = exp?.state;
    expect(state?.method).toBe('lsq');
    expect(state?.iteration).toBe(400);
    const train = await trainRows();
    const { Y, C } = signTargets(train.labels, 2);
    const optimum = leastSquares(train.X, train.n, train.d, Y, C);
    const w = state?.arrays.w ?? new Float64Array(0);
    expect(w.length).toBe(3);
    for (let k = 0; k < 3; k++) expect(w[k]).toBeCloseTo(optimum[k], 6);
    h.send({ type: 'settings', settings: { ...lsqSettings(), method: DEFAULT_SETTINGS.method, P: 4, admmIters: 2 } });
    await h.session.idle();
    // Switching back to CRONOS rebuilds with its convex views and frees the fixture's trainer.
    expect(h.of('ready').at(-1)?.problem.convex).toMatchObject({ P: 4 });
    expect(LsqTrainer.live).toBe(before);
  });

  it('a higher step cap reopens a finished fixture run and it goes on where it stopped', async () => {
    const h = sessionHarness({ methods: WITH_LSQ });
    h.send({ type: 'start', settings: lsqSettings({ lsqSteps: 5 }), autoplay: true });
    await h.session.idle();
    await h.pump(10);
    expect(h.lastState()).toMatchObject({ status: 'finished', finished: 'max-iterations' });
    h.send({ type: 'settings', settings: lsqSettings({ lsqSteps: 8 }) });
    await h.session.idle();
    expect(h.lastState()).toMatchObject({ status: 'paused' });
    expect(h.of('ready')).toHaveLength(1);
    h.send({ type: 'resume' });
    await h.pump(10);
    expect(h.of('metrics').map((m) => m.metrics.iter)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
  });

  it('Continue from a session file of the fixture equals the uninterrupted run, bit for bit', async () => {
    const straight = sessionHarness({ methods: WITH_LSQ });
    straight.send({ type: 'start', settings: lsqSettings({ lsqSteps: 12 }), autoplay: true });
    await straight.session.idle();
    await straight.pump(20);

    const first = sessionHarness({ methods: WITH_LSQ });
    first.send({ type: 'start', settings: lsqSettings({ lsqSteps: 5 }), autoplay: true });
    await first.session.idle();
    await first.pump(10);
    first.send({ type: 'share-export', id: 1 });
    await first.session.idle();
    const e = first.of('share-export')[0].result;
    if (!e?.state) throw new Error('no state exported');
    const history = first.of('metrics').map((m) => m.metrics);
    const file: SessionFile = { state: toShareState(e.settings, undefined, undefined, WITH_LSQ), data: null, results: { history, solution: null, network: e.network, state: e.state } };
    const text = exportSession(file, WITH_LSQ);
    const back = importSession(text, { methods: WITH_LSQ });
    if (!back.ok) throw new Error(back.error);
    // The session file round trip keeps the method, its settings, the records and the state.
    expect(back.session.state.method).toBe('lsq');
    expect(back.session.state.params).toEqual({ lsqRate: 0.3, lsqSteps: 5, seed: 4 });
    expect(back.session.results?.history).toEqual(history);
    expect(Array.from(back.session.results?.state?.arrays.w ?? [])).toEqual(Array.from(e.state.arrays.w));
    // Without the fixture registered the file names an unknown method.
    expect(importSession(text)).toMatchObject({ ok: false, error: expect.stringMatching(/state\.method: .*"lsq"/) });

    const settings = { ...fromShareState(back.session.state, DEFAULT_SETTINGS, { methods: WITH_LSQ }).settings, lsqSteps: 12 };
    const cont = sessionHarness({ methods: WITH_LSQ });
    cont.send({ type: 'share-restore', settings, history, solution: null, state: back.session.results?.state ?? null });
    await cont.session.idle();
    expect(cont.lastState()).toMatchObject({ status: 'paused' });
    cont.send({ type: 'resume' });
    await cont.pump(20);
    const strip = (m: MetricsRecord) => ({ ...m, timeMs: 0 });
    const continued = cont.of('metrics').map((m) => strip(m.metrics));
    expect(continued).toEqual(straight.of('metrics').map((m) => strip(m.metrics)));
  });
});

describe('share links of another method', () => {
  it('carry its parameters (every link field), decode and re-encode identically', () => {
    const s = lsqSettings({ lsqRate: 0.05, lsqSteps: 250, seed: 9 });
    const hash = encodeState(toShareState(s, undefined, undefined, WITH_LSQ), WITH_LSQ);
    const json = linkJson(hash);
    expect(json.method).toBe('lsq');
    expect(json.params).toEqual({ lsqRate: 0.05, lsqSteps: 250, seed: 9 });
    const decoded = decodeState(hash, WITH_LSQ);
    if (!decoded.ok) throw new Error(decoded.error);
    const back = fromShareState(decoded.state, DEFAULT_SETTINGS, { methods: WITH_LSQ }).settings as Settings & { lsqRate: number; lsqSteps: number };
    expect([back.method, back.lsqRate, back.lsqSteps, back.seed, back.dataset, back.testFraction]).toEqual([LSQ_METHOD, 0.05, 250, 9, 'xor', 0.3]);
    expect(encodeState(toShareState(back, undefined, undefined, WITH_LSQ), WITH_LSQ)).toBe(hash);
    // A bad value names the field; an unknown method is refused without the fixture.
    expect(decodeState(hash)).toMatchObject({ ok: false, error: expect.stringMatching(/state\.method/) });
    expect(encodeState(toShareState(lsqSettings({ lsqSteps: 100_000 }), undefined, undefined, WITH_LSQ), WITH_LSQ)).toMatch(/^v1\./);
    expect(() => encodeState(toShareState(lsqSettings({ lsqRate: 20 }), undefined, undefined, WITH_LSQ), WITH_LSQ)).toThrow(/state\.params\.lsqRate: must be a finite number > 0 and ≤ 10, got 20/);
  });

  it('CRONOS links never write a method or params', () => {
    const hash = encodeState(toShareState({ ...DEFAULT_SETTINGS, P: 64 }));
    const json = linkJson(hash);
    expect(json).not.toHaveProperty('method');
    expect(json).not.toHaveProperty('params');
    expect(json.solver).toMatchObject({ P: 64 });
  });
});

/** The training rows of the fixture's runs, prepared as the Worker prepares them. */
async function trainRows() {
  const prepared = await prepareData(datasetInfo('xor'), lsqSettings(), async (f) => readFileSync(resolve(DATASET_DIR, f), 'utf8'));
  return prepared.train;
}
