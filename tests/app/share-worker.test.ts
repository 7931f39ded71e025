/**
 * The Worker's side of sharing (app/worker/session.ts with app/share/wire-*.ts), in Node on the
 * float64 CPU solver: the three seeds of a link each drive their part (data, split, gates); a
 * test fraction of 0 keeps every row; CSV text and URL sources take the CSV path; an export
 * carries the solution, the recovered network and the data a link cannot name; the files built
 * from it read back; and a restored session shows the saved results without training, then
 * continues exactly where the saved run stopped.
 */
import { describe, expect, it } from 'vitest';
import type { FromWorker } from '../../app/protocol';
import { DEFAULT_SETTINGS, type Settings } from '../../app/settings';
import { importSession } from '../../app/share/session';
import { arraysToCsv, fileStem, metricsCsvFile, networkJsonFile, safetensorsFile, sessionDownload, sessionSettings, snippetFile } from '../../app/share/wire-files';
import { RemoteCsvCache } from '../../app/share/wire-remote';
import type { RunExport } from '../../app/share/wire-run';
import { sessionHarness, type CreateSolverFn } from '../support/worker-harness';
import { readSafetensors } from '../../solver/export/index';
import { createSolver } from '../../solver/index';
import { predictNetwork } from '../../solver/recovery';

/** The shared harness plus the export round trip of a run. */
function harness(extra: Parameters<typeof sessionHarness>[0] = {}) {
  const h = sessionHarness(extra);
  const { session, messages } = h;
  return {
    ...h,
    async exportRun(id = 1): Promise<RunExport> {
      session.handle({ type: 'share-export', id });
      await session.idle();
      const r = messages.filter((m): m is Extract<FromWorker, { type: 'share-export' }> => m.type === 'share-export' && m.id === id).at(-1);
      if (!r?.result) throw new Error(r?.error ?? 'no export reply');
      return r.result;
    },
  };
}

// Anderson off: its memory is not part of the saved state, so only plain (relaxed) ADMM continues bit for bit.
const xor: Settings = { ...DEFAULT_SETTINGS, dataset: 'xor', P: 8, admmIters: 12, tol: 0, device: 'cpu', seed: 7, anderson: 0 };

async function started(settings: Settings, run = false) {
  const h = harness();
  h.send({ type: 'start', settings, autoplay: run });
  await h.session.idle();
  if (run) await h.pump(100);
  return h;
}

describe('seeds and split of a link in the Worker', () => {
  it('data, split and solver seeds each drive their own part', async () => {
    const a = (await started({ ...xor, seed: 7, dataSeed: 5, splitSeed: 6 })).of('ready')[0].view;
    const sameData = (await started({ ...xor, seed: 5 })).of('ready')[0].view;
    const sameSplit = (await started({ ...xor, seed: 6, dataSeed: 5 })).of('ready')[0].view;
    const otherGates = (await started({ ...xor, seed: 8, dataSeed: 5, splitSeed: 6 })).of('ready')[0].view;
    // The generated points depend on the data seed only (rows are listed train first, so compare sorted).
    const sorted = (v: typeof a) => Array.from(v.points?.x ?? []).sort((p, q) => p - q);
    expect(sorted(a)).toEqual(sorted(sameData));
    // The split: same data and split seed → same rows held out, whatever the solver seed.
    expect(Array.from(a.points?.x ?? [])).toEqual(Array.from(sameSplit.points?.x ?? []));
    expect(Array.from(a.points?.x ?? [])).not.toEqual(Array.from(sameData.points?.x ?? []));
    expect(Array.from(otherGates.points?.x ?? [])).toEqual(Array.from(a.points?.x ?? []));
    // The gates (patterns D): the solver seed.
    const again = (await started({ ...xor, seed: 7, dataSeed: 5, splitSeed: 6 })).of('ready')[0].view;
    expect(Array.from(again.patterns?.D ?? [])).toEqual(Array.from(a.patterns?.D ?? [0]));
    expect(Array.from(again.gateLines?.a ?? [])).toEqual(Array.from(a.gateLines?.a ?? []));
    expect(Array.from(otherGates.gateLines?.a ?? [])).not.toEqual(Array.from(a.gateLines?.a ?? []));
  });

  it('a test fraction of 0 trains on every row', async () => {
    const h = await started({ ...xor, testFraction: 0 });
    expect(h.of('ready')[0].problem).toMatchObject({ n: 500, nTest: 0 });
  });
});

describe('CSV sources in the Worker', () => {
  const csv = 'a,b,kind\n1,2,x\n2,1,x\n3,4,y\n4,3,y\n5,1,x\n0,5,y\n1,1,x\n2,6,y\n';

  it('CSV text takes the CSV path and is titled by its name', async () => {
    const h = await started({ ...xor, testFraction: 0.25, csv: { kind: 'text', origin: 'inline', name: 'tiny.csv', label: 'kind', train: csv } });
    const r = h.of('ready')[0];
    expect(r.problem).toMatchObject({ title: 'tiny.csv', n: 6, nTest: 2, d: 2, bias: false, classNames: ['x', 'y'] });
    expect(h.of('error')).toEqual([]);
  });

  it('URLs are downloaded once through fetchUrl; failures are reported as the run error', async () => {
    const asked: string[] = [];
    const h = harness({
      fetchUrl: async (u) => {
        asked.push(u);
        return csv;
      },
    });
    const s: Settings = { ...xor, testFraction: 0.25, csv: { kind: 'url', url: 'https://data.example.org/t.csv', label: 'kind' } };
    h.send({ type: 'start', settings: s, autoplay: false });
    await h.session.idle();
    expect(h.of('ready')[0].problem.title).toBe('t.csv (from data.example.org)');
    h.send({ type: 'settings', settings: { ...s, P: 4 } });
    await h.session.idle();
    expect(asked).toEqual(['https://data.example.org/t.csv']);
    const bad = harness({ fetchUrl: async () => Promise.reject(new Error('The server answered 404 Not Found for https://x.org/a.csv.')) });
    bad.send({ type: 'start', settings: { ...s, csv: { kind: 'url', url: 'https://x.org/a.csv', label: 'kind' } }, autoplay: true });
    await bad.session.idle();
    expect(bad.of('error')[0].message).toMatch(/404/);
  });

  it('the download cache: one request per URL, a byte cap, cancellation when the data changes', async () => {
    let calls = 0;
    const fake = (async (_u: string | URL | Request, init?: RequestInit) => {
      calls++;
      const signal = init?.signal;
      return await new Promise<Response>((ok, fail) => {
        const t = setTimeout(() => ok(new Response('a,y\n1,p\n2,q\n', { status: 200 })), 20);
        signal?.addEventListener('abort', () => {
          clearTimeout(t);
          fail(new DOMException('aborted', 'AbortError'));
        });
      });
    }) as typeof fetch;
    const cache = new RemoteCsvCache(fake);
    const [x, y] = await Promise.all([cache.fetch('https://a.org/d.csv'), cache.fetch('https://a.org/d.csv')]);
    expect(x).toBe('a,y\n1,p\n2,q\n');
    expect(y).toBe(x);
    expect(calls).toBe(1);
    expect(cache.cached('https://a.org/d.csv')).toBe(x);
    const pending = cache.fetch('https://b.org/e.csv');
    cache.keepFor({ ...xor, csv: { kind: 'url', url: 'https://a.org/d.csv', label: 'y' } });
    await expect(pending).rejects.toThrow(/cancelled/);
    expect(cache.cached('https://a.org/d.csv')).toBe(x);
    cache.keepFor(xor);
    expect(cache.cached('https://a.org/d.csv')).toBeNull();
    await expect(new RemoteCsvCache(fake).fetch('file:///etc/passwd')).rejects.toThrow(/Only http: and https:/);
  });
});

describe('exports', () => {
  it('carry the solution, the network the views show, the standardisation, and data only when needed', async () => {
    const h = await started(xor, true);
    const e = await h.exportRun();
    expect(e).toMatchObject({ iter: 12, d: 3, C: 1, convex: { model: 'relu', P: 8, S: 2 }, data: null, dataNote: null, title: 'XOR' });
    expect(e.convex?.U.length).toBe(3 * 16);
    expect(e.network.m).toBe(h.of('snapshot').at(-1)?.snapshot.hidden);
    expect(e.featureNames).toEqual(['x1', 'x2', 'bias']);
    // The bias feature passes through (mean 0, std 1).
    expect([e.standardization?.mean[2], e.standardization?.std[2]]).toEqual([0, 1]);
    // Data a link cannot name travels with the session.
    const t = await started({ ...xor, testFraction: 0.25, csv: { kind: 'text', origin: 'session', name: 'tiny.csv', label: 'kind', train: 'a,kind\n1,x\n2,y\n3,x\n4,y\n' } }, true);
    expect((await t.exportRun()).data).toEqual({ kind: 'csv', name: 'tiny.csv', label: 'kind', train: 'a,kind\n1,x\n2,y\n3,x\n4,y\n' });
  });

  it('an export before any run says so', async () => {
    const h = harness();
    h.send({ type: 'share-export', id: 9 });
    await h.session.idle();
    expect(h.of('share-export')[0]).toMatchObject({ id: 9, result: null, error: expect.stringMatching(/no trained run/) });
  });

  it('the files read back: JSON, safetensors, snippet, metrics CSV and session', async () => {
    const h = await started(xor, true);
    const e = await h.exportRun();
    const json = JSON.parse(networkJsonFile(e).content as string) as { format: string; W1: number[][]; convex: { classes: { U: number[][]; W: number[][] }[] }; config: { seed: number } };
    expect(json.format).toBe('cronos-network');
    expect(json.W1.length).toBe(3);
    expect(json.convex.classes[0].U.length).toBe(3);
    expect(json.config.seed).toBe(7);
    const st = readSafetensors(safetensorsFile(e).content as Uint8Array);
    expect(Array.from(st.tensors.W1.data)).toEqual(Array.from(e.network.W1));
    expect(st.metadata.classNames).toBe(JSON.stringify(e.classNames));
    const snippet = snippetFile(e);
    expect(snippet.name).toBe('cronos-xor-predict.mjs');
    const mod = (await import(`data:text/javascript;base64,${Buffer.from(snippet.content as string).toString('base64')}`)) as { predict(x: number[]): { scores: number[] } };
    // The snippet standardises raw inputs itself and agrees with the network on a standardised point.
    const raw = [1.5, -2, 1];
    const s = e.standardization;
    const z = Float64Array.from(raw, (v, k) => (s && s.std[k] !== 0 ? (v - s.mean[k]) / s.std[k] : 0));
    expect(mod.predict(raw).scores[0]).toBeCloseTo(predictNetwork(e.network, z, 1)[0], 12);
    const history = h.of('metrics').map((m) => m.metrics);
    const csvFile = metricsCsvFile(history, e.title);
    expect((csvFile.content as string).trim().split('\r\n')).toHaveLength(13);
    const file = sessionDownload(e, history, { xAxis: 'time' }, new Date('2026-01-02T03:04:05Z'));
    expect(file.name).toBe('cronos-xor.cronos.json.gz');
    const back = importSession(file.content as Uint8Array);
    expect(back.ok).toBe(true);
    if (!back.ok) return;
    expect(back.session.createdAt).toBe('2026-01-02T03:04:05.000Z');
    expect(back.session.results?.history).toEqual(history);
    expect(Array.from(back.session.results?.solution?.U ?? [])).toEqual(Array.from(e.convex?.U ?? [0]));
    expect(sessionSettings(back.session)).toMatchObject({ settings: xor, view: { xAxis: 'time' }, notices: [] });
  });

  it('user data is saved as arrays and comes back as CSV text with the same rows', () => {
    const data = {
      kind: 'arrays' as const,
      name: 'pics',
      featureNames: ['p0', 'label', 'p,2'],
      classNames: ['cat', 'dog "big"'],
      train: { X: Float64Array.from([0.1, -0, 1 / 3, 2, 3, 4]), labels: Int32Array.from([0, 1]) },
    };
    const c = arraysToCsv(data);
    expect(c.label).toBe('label_2');
    expect(c.train).toBe(`p0,label,"p,2",label_2\n0.1,0,${1 / 3},cat\n2,3,4,"dog ""big"""\n`);
    expect(fileStem('Fashion-MNIST Pullover vs Bag, 10×10')).toBe('cronos-fashion-mnist-pullover-vs-bag-10');
  });
});

describe('restoring a session', () => {
  /** A factory whose solvers count their steps. */
  function countingSteps() {
    const count = { steps: 0 };
    const create: CreateSolverFn = async (p, c, o) => {
      const s = await createSolver(p, c, o);
      const step = s.step.bind(s);
      s.step = () => {
        count.steps++;
        return step();
      };
      return s;
    };
    return { create, count };
  }

  for (const withState of [true, false]) {
    it(`shows the saved results without training, then continues exactly where the saved run stopped (${withState ? 'loads the saved state' : 'an older file without state replays'})`, async () => {
      // The reference: 15 iterations straight.
      const ref = await started({ ...xor, admmIters: 15 }, true);
      const refIters = ref.of('metrics').map((m) => m.metrics);
      expect(refIters).toHaveLength(15);
      // The saved run: 12 iterations, exported.
      const saved = await started(xor, true);
      const e = await saved.exportRun();
      expect(e.state?.iteration).toBe(12);
      const history = saved.of('metrics').map((m) => m.metrics);
      const file = sessionDownload(withState ? e : { ...e, state: null }, history, { xAxis: 'iteration' }, new Date());
      const imported = importSession(file.content as Uint8Array);
      if (!imported.ok) throw new Error(imported.error);
      const { settings } = sessionSettings(imported.session);
      const sol = imported.session.results?.solution;
      const state = imported.session.results?.state ?? null;
      expect(state !== null).toBe(withState);

      const { create, count } = countingSteps();
      const r = harness({ createSolver: create });
      r.send({ type: 'share-restore', settings, history, solution: sol ? { U: sol.U, V: sol.V } : null, state });
      await r.session.idle();
      expect(count.steps).toBe(0);
      expect(r.of('metrics').map((m) => m.metrics)).toEqual(history);
      const lastSaved = saved.of('snapshot').at(-1)?.snapshot;
      const lastRestored = r.of('snapshot').at(-1)?.snapshot;
      expect(lastRestored?.iter).toBe(12);
      expect(Array.from(lastRestored?.normsU ?? [])).toEqual(Array.from(lastSaved?.normsU ?? []));
      expect(lastRestored?.hidden).toBe(lastSaved?.hidden);
      expect(Array.from(lastRestored?.boundary?.values ?? [])).toEqual(Array.from(lastSaved?.boundary?.values ?? []));
      expect(r.lastState()).toMatchObject({ status: 'finished', finished: 'max-iterations' });
      // Exporting the restored run gives the saved solution back.
      r.send({ type: 'share-export', id: 2 });
      await r.session.idle();
      const again = r.of('share-export').at(-1)?.result;
      expect(Array.from(again?.convex?.U ?? [])).toEqual(Array.from(e.convex?.U ?? [0]));
      expect(again?.iter).toBe(12);

      // Continue: raise the cap and play; the run goes on as the reference did.
      r.send({ type: 'settings', settings: { ...settings, admmIters: 15 } });
      await r.session.idle();
      expect(r.lastState()).toMatchObject({ status: 'paused' });
      r.send({ type: 'resume' });
      await r.pump(10);
      const after = r.of('metrics').map((m) => m.metrics).slice(12);
      expect(after.map((m) => m.iter)).toEqual([13, 14, 15]);
      const strip = (m: (typeof after)[number]) => ({ ...m, timeMs: 0 });
      expect(after.map(strip)).toEqual(refIters.slice(12).map(strip));
      // With the saved state nothing is replayed: only the three new steps run.
      expect(count.steps).toBe(withState ? 3 : 15);
      expect(r.lastState()).toMatchObject({ status: 'finished' });
      // An export now holds the continued run, not the opened file's solution.
      r.send({ type: 'share-export', id: 3 });
      await r.session.idle();
      const continued = r.of('share-export').at(-1)?.result;
      const refExport = await ref.exportRun(9);
      expect(continued?.iter).toBe(15);
      expect(continued?.state?.iteration).toBe(15);
      expect(Array.from(continued?.convex?.U ?? [])).toEqual(Array.from(refExport.convex?.U ?? [0]));
    });
  }

  it('a saved state that does not belong to the history is refused on import', async () => {
    const saved = await started(xor, true);
    const e = await saved.exportRun();
    const history = saved.of('metrics').map((m) => m.metrics).slice(0, 10);
    expect(() => sessionDownload(e, history, { xAxis: 'iteration' }, new Date())).toThrow(/state: is at iteration 12, but the history ends at 10/);
  });

  it('a solution that does not fit the rebuilt problem is an error, not a wrong picture', async () => {
    const r = harness();
    r.send({ type: 'share-restore', settings: xor, history: [], solution: null });
    await r.session.idle();
    expect(r.lastState()).toMatchObject({ status: 'paused' });
    const m = (await started(xor, true)).of('metrics').map((x) => x.metrics);
    r.send({ type: 'share-restore', settings: xor, history: m, solution: { U: new Float64Array(5), V: new Float64Array(5) } });
    await r.session.idle();
    expect(r.of('error').at(-1)?.message).toMatch(/needs 48/);
  });
});
