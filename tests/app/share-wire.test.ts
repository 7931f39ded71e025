/**
 * Settings ↔ share state (app/share/wire.ts): every setting the page can hold survives
 * Settings → link → Settings exactly (fast-check), the three seeds travel apart, values beyond
 * the page's limits are clamped with a notice, the page's first state comes from the fragment
 * (or the defaults and a message for a hostile one), and the Worker-side helpers of
 * wire-source.ts (seeds, data keys, source comparison, fetchers) behave.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DATASETS } from '../../app/datasets';
import { METHOD_IDS } from '../../solver/methods';
import { changeLevel, DEFAULT_SETTINGS, LIMITS, type Settings } from '../../app/settings';
import { decodeState, defaultShareState, encodeState, replaceHistoryState, tryEncodeState, WIRE_DEFAULTS_V1, type HistoryHost, type ShareState } from '../../app/share/state';
import { DEFAULT_VIEW, fromShareState, initialState, toShareState, type ViewSettings } from '../../app/share/wire';
import { csvSourceFetcher, csvSourceInfo, dataKey, runSeeds, sameCsvSource, type CsvSource } from '../../app/share/wire-source';
import { isSessionFile, firstSessionFile, requestSessionImport, SESSION_FILE_EVENT } from '../../app/share/dropped';

/** -0 → 0: JSON has no negative zero, and neither do the page's controls. */
const z = (v: number): number => v + 0;

const builtinIds = DATASETS.map((d) => d.id);
const seedArb = fc.integer({ min: 0, max: 2 ** 32 - 1 });

const csvArb: fc.Arbitrary<CsvSource | undefined> = fc.oneof(
  fc.constant(undefined),
  fc.record({
    kind: fc.constant('url' as const),
    url: fc.webUrl({ validSchemes: ['http', 'https'] }).filter((u) => !/@/.test(u) && u.length < 300),
    label: fc.string({ minLength: 1, maxLength: 20 }),
  }),
  fc.record({
    kind: fc.constant('text' as const),
    origin: fc.constant('inline' as const),
    name: fc.string({ minLength: 1, maxLength: 20 }),
    label: fc.string({ minLength: 1, maxLength: 20 }),
    train: fc.string({ minLength: 1, maxLength: 200 }),
  }),
);

/** Any settings inside the page's limits. */
const settingsArb: fc.Arbitrary<Settings> = fc
  .record({
    method: fc.constantFrom(...METHOD_IDS),
    dataset: fc.constantFrom(...builtinIds),
    noise: fc.double({ min: 0, max: LIMITS.noise.max, noNaN: true }).map(z),
    testFraction: fc.double({ min: 0, max: LIMITS.testFraction.max, noNaN: true }).map(z),
    model: fc.constantFrom('relu' as const, 'gated' as const),
    P: fc.integer({ min: 1, max: LIMITS.P.max }),
    beta: fc.double({ min: 0, max: LIMITS.beta.max, noNaN: true }).map(z),
    rho: fc.double({ min: LIMITS.rho.min, max: LIMITS.rho.max, noNaN: true }),
    adaptiveRho: fc.boolean(),
    rank: fc.integer({ min: 0, max: LIMITS.rank.max }),
    preconditioner: fc.constantFrom('auto' as const, 'block' as const, 'nystrom' as const, 'none' as const),
    pcgIters: fc.integer({ min: 1, max: LIMITS.pcgIters.max }),
    admmIters: fc.integer({ min: 1, max: LIMITS.admmIters.max }),
    tol: fc.double({ min: 0, max: 1, noNaN: true }).map(z),
    alpha: fc.double({ min: LIMITS.alpha.min, max: LIMITS.alpha.max, noNaN: true }),
    anderson: fc.integer({ min: 0, max: LIMITS.anderson.max }),
    rhoRace: fc.integer({ min: 0, max: LIMITS.rhoRace.max }),
    rhoBeta: fc.double({ min: 0, max: LIMITS.rhoBeta.max, noNaN: true }).map(z),
    stopRule: fc.constantFrom('gap' as const, 'residuals' as const),
    warmStart: fc.boolean(),
    seed: seedArb,
    device: fc.constantFrom('auto' as const, 'gpu' as const, 'cpu' as const),
    dataSeed: fc.option(seedArb, { nil: undefined }),
    splitSeed: fc.option(seedArb, { nil: undefined }),
    pcgTol: fc.option(fc.double({ min: 0, max: 1, noNaN: true }).map(z), { nil: undefined }),
    csv: csvArb,
  })
  .map((s) => {
    // Optional fields are absent, not undefined; a seed equal to `seed` is the unset seed.
    // Other methods' fields (not part of a CRONOS link) at their defaults.
    const out: Settings = { ...DEFAULT_SETTINGS, ...s };
    for (const key of ['dataSeed', 'splitSeed', 'pcgTol', 'csv'] as const) if (out[key] === undefined) delete out[key];
    if (out.dataSeed === out.seed) delete out.dataSeed;
    if (out.splitSeed === out.seed) delete out.splitSeed;
    return out;
  });

const viewArb: fc.Arbitrary<ViewSettings> = fc.record({ xAxis: fc.constantFrom('iteration' as const, 'time' as const) });

/** A fake window: location and history as the share helpers use them. */
function fakeWindow(hash = ''): HistoryHost & { replaced: number } {
  const w = {
    replaced: 0,
    location: { hash, pathname: '/', search: '' },
    history: {
      state: null as unknown,
      replaceState(_d: unknown, _u: string, url?: string | URL | null) {
        w.replaced++;
        const s = String(url ?? '');
        w.location.hash = s.startsWith('#') ? s : '';
      },
    },
  };
  return w;
}

describe('Settings ↔ share state', () => {
  it('round-trips every setting exactly through the link (fast-check)', () => {
    fc.assert(
      fc.property(settingsArb, viewArb, (s, view) => {
        const hash = encodeState(toShareState(s, view));
        const back = decodeState(hash);
        expect(back.ok).toBe(true);
        if (!back.ok) return;
        const applied = fromShareState(back.state, { ...DEFAULT_SETTINGS, dataset: s.dataset });
        expect(applied.notices).toEqual([]);
        expect(applied.settings).toEqual(s);
        expect(applied.view).toEqual(view);
        // Nothing the Worker rebuilds on changes between the two.
        expect(changeLevel(s, applied.settings)).toBe('none');
      }),
      { numRuns: 300 },
    );
  });

  it('the default page makes a short link that opens the default page', () => {
    const hash = encodeState(toShareState(DEFAULT_SETTINGS));
    // Longer since issue 9: the page's defaults (α, Anderson, ρ = c·β, gap rule, 1500 iterations) differ from the v1 wire defaults, which keep the old behaviour.
    expect(hash.length).toBeLessThan(140);
    const r = decodeState(hash);
    expect(r.ok && fromShareState(r.state).settings).toEqual(DEFAULT_SETTINGS);
  });

  it('keeps the three seeds apart: data, split and solver', () => {
    const s: Settings = { ...DEFAULT_SETTINGS, dataset: 'xor', seed: 7, dataSeed: 11, splitSeed: 2 ** 32 - 1 };
    const st = toShareState(s);
    expect(st.preprocessing).toMatchObject({ dataSeed: 11, splitSeed: 2 ** 32 - 1 });
    expect(st.solver.seed).toBe(7);
    expect(runSeeds(s)).toEqual({ data: 11, split: 2 ** 32 - 1, solver: 7 });
    // One page seed drives all three, and writes all three to the link.
    const one = toShareState({ ...DEFAULT_SETTINGS, seed: 5 });
    expect([one.preprocessing.dataSeed, one.preprocessing.splitSeed, one.solver.seed]).toEqual([5, 5, 5]);
    expect(runSeeds({ seed: 5 })).toEqual({ data: 5, split: 5, solver: 5 });
    // A link from another page with different seeds keeps them; equal ones collapse to `seed`.
    const st2 = defaultShareState();
    st2.solver.seed = 3;
    st2.preprocessing.dataSeed = 3;
    st2.preprocessing.splitSeed = 4;
    const back = fromShareState(st2).settings;
    expect(back.seed).toBe(3);
    expect(back.dataSeed).toBeUndefined();
    expect(back.splitSeed).toBe(4);
    expect(changeLevel({ ...DEFAULT_SETTINGS }, { ...DEFAULT_SETTINGS, splitSeed: 9 })).toBe('problem');
  });

  it('widened limits: P 1024, rank 256, 32-bit seeds, test fraction 0 and long runs pass unclamped', () => {
    const st = defaultShareState();
    Object.assign(st.solver, { P: 1024, rank: 256, seed: 2 ** 32 - 1, admmIters: 100_000, pcgIters: 10_000, tol: 0 });
    st.preprocessing.testFraction = 0;
    const { settings, notices } = fromShareState(st);
    expect(notices).toEqual([]);
    expect(settings).toMatchObject({ P: 1024, rank: 256, seed: 2 ** 32 - 1, admmIters: 100_000, pcgIters: 10_000, tol: 0, testFraction: 0 });
  });

  it('clamps what the page cannot use, naming each value', () => {
    const st = defaultShareState();
    st.solver.beta = 500;
    st.solver.rho = 1e-9;
    st.solver.rho = 1e-9;
    const { settings, notices } = fromShareState(st);
    expect(settings.beta).toBe(LIMITS.beta.max);
    expect(settings.rho).toBe(LIMITS.rho.min);
    expect(notices).toHaveLength(2);
    expect(notices[0]).toMatch(/β 500 is outside this page's range \[0, 100\]; using 100/);
    expect(notices[1]).toMatch(/ρ 1e-9 .* using 0\.0001/);
  });

  it('says what it ignores: raw features, log-scale choices, a local file without its data', () => {
    const st = defaultShareState();
    st.preprocessing.standardize = false;
    st.plot.logX = true;
    const a = fromShareState(st);
    expect(a.notices.join(' ')).toMatch(/always standardises.*fixed axis scales/);
    const local: ShareState = { ...defaultShareState(), dataset: { kind: 'local', name: 'mine.csv', label: 'y' } };
    const b = fromShareState(local, { ...DEFAULT_SETTINGS, dataset: 'penguins' });
    expect(b.settings.dataset).toBe('penguins');
    expect(b.settings.csv).toBeUndefined();
    expect(b.notices.join(' ')).toMatch(/"mine\.csv" was a local file/);
    expect(fromShareState(local, DEFAULT_SETTINGS, { dataProvided: true }).notices).toEqual([]);
  });

  it('URL and inline datasets become CSV sources over a catalogue id (never the user data)', () => {
    const st = defaultShareState();
    st.dataset = { kind: 'url', url: 'https://example.org/d/iris.csv', label: 'species' };
    const a = fromShareState(st, { ...DEFAULT_SETTINGS, dataset: 'user' });
    expect(a.settings.csv).toEqual({ kind: 'url', url: 'https://example.org/d/iris.csv', label: 'species' });
    expect(a.settings.dataset).toBe(DEFAULT_SETTINGS.dataset);
    st.dataset = { kind: 'inline', name: 'tiny.csv', label: 'y', csv: 'a,y\n1,p\n2,q\n' };
    expect(fromShareState(st).settings.csv).toEqual({ kind: 'text', origin: 'inline', name: 'tiny.csv', label: 'y', train: 'a,y\n1,p\n2,q\n' });
  });

  it('data a link cannot carry gives a message, not a link', () => {
    const session: Settings = { ...DEFAULT_SETTINGS, csv: { kind: 'text', origin: 'session', name: 'big.csv', label: 'y', train: 'a,y\n1,p\n' } };
    const r = tryEncodeState(toShareState(session));
    expect(r).toEqual({ ok: false, error: expect.stringMatching(/local file.*session file/) });
    const user = tryEncodeState(toShareState({ ...DEFAULT_SETTINGS, dataset: 'user' }, DEFAULT_VIEW, { name: 'mine.csv', label: 'y' }));
    expect(user.ok).toBe(false);
    // Inline data that does not compress into a link: the message points to a session file.
    let lcg = 1;
    const rows = Array.from({ length: 3000 }, () => {
      lcg = (lcg * 48271) % 2147483647;
      return `${lcg},p`;
    });
    const big: Settings = { ...DEFAULT_SETTINGS, csv: { kind: 'text', origin: 'inline', name: 'x.csv', label: 'y', train: `a,y\n${rows.join('\n')}\n` } };
    const rb = tryEncodeState(toShareState(big));
    expect(rb.ok).toBe(false);
    if (!rb.ok) expect(rb.error).toMatch(/session file/);
  });

  it('the plot settings: the x-axis travels, the fixed scales are written as the v1 defaults', () => {
    const st = toShareState(DEFAULT_SETTINGS, { xAxis: 'time' });
    expect(st.plot).toEqual({ xAxis: 'time', logX: WIRE_DEFAULTS_V1.plot.logX, logY: WIRE_DEFAULTS_V1.plot.logY });
  });
});

describe('the page state from the fragment', () => {
  it('no fragment: the defaults; a valid one: its settings; a hostile one: the defaults and a message', () => {
    expect(initialState(fakeWindow(''))).toMatchObject({ settings: DEFAULT_SETTINGS, error: null, fromLink: false });
    const s: Settings = { ...DEFAULT_SETTINGS, dataset: 'xor', P: 16, beta: 0.01, seed: 7, device: 'cpu' };
    const ok = initialState(fakeWindow(`#${encodeState(toShareState(s, { xAxis: 'time' }))}`));
    expect(ok).toMatchObject({ settings: s, view: { xAxis: 'time' }, error: null, fromLink: true });
    for (const hash of ['#v1.garbage', '#v9.x', '#v1.', '#hello', `#v1.${'A'.repeat(9000)}`]) {
      const bad = initialState(fakeWindow(hash));
      expect(bad.settings).toBe(DEFAULT_SETTINGS);
      expect(bad.fromLink).toBe(false);
      expect(bad.error).toMatch(/^Invalid share link: /);
    }
    expect(initialState(fakeWindow('#v9.x')).error).toMatch(/unsupported version 9/);
  });

  it('writing the settings replaces the fragment (never pushes), and clears it for local data', () => {
    const w = fakeWindow('');
    const s: Settings = { ...DEFAULT_SETTINGS, dataset: 'spiral' };
    replaceHistoryState(w, toShareState(s));
    expect(w.replaced).toBe(1);
    expect(initialState(w).settings).toEqual(s);
    replaceHistoryState(w, toShareState(s));
    expect(w.replaced).toBe(1); // unchanged state: no history call at all
    replaceHistoryState(w, toShareState({ ...s, csv: { kind: 'text', origin: 'session', name: 'a.csv', label: 'y', train: 'a,y\n1,p\n' } }));
    expect(w.location.hash).toBe('');
  });
});

describe('CSV sources in the Worker (wire-source.ts)', () => {
  const text: CsvSource = { kind: 'text', origin: 'session', name: 'mine.csv', label: 'y', train: 'a,y\n1,p\n', test: 'a,y\n2,q\n' };
  const url: CsvSource = { kind: 'url', url: 'https://example.org/x/data%20set.csv', label: 'y' };

  it('catalogue-like entries name the data and point the CSV path at it', () => {
    const a = csvSourceInfo(url, 'xor');
    expect(a.title).toBe('data set.csv (from example.org)');
    expect(a.source).toEqual({ kind: 'csv', train: url.kind === 'url' ? url.url : '', label: 'y' });
    const b = csvSourceInfo(text, 'xor');
    expect(b.source).toEqual({ kind: 'csv', train: 'mine.csv', test: 'mine.csv (test file)', label: 'y' });
    expect(b.image).toBeNull();
  });

  it('fetchers: text sources answer their files, URLs go to the download', async () => {
    const f = csvSourceFetcher(text, undefined);
    await expect(f('mine.csv')).resolves.toBe('a,y\n1,p\n');
    await expect(f('mine.csv (test file)')).resolves.toBe('a,y\n2,q\n');
    await expect(f('other')).rejects.toThrow(/No data/);
    const asked: string[] = [];
    const g = csvSourceFetcher(url, async (u) => {
      asked.push(u);
      return 'a,y\n';
    });
    await expect(g('https://example.org/x/data%20set.csv')).resolves.toBe('a,y\n');
    expect(asked).toEqual(['https://example.org/x/data%20set.csv']);
    await expect(csvSourceFetcher(url, undefined)('x')).rejects.toThrow(/cannot download/);
  });

  it('data keys change with the data, the seeds that shape it and the split, not with solver knobs', () => {
    const base: Settings = { ...DEFAULT_SETTINGS, dataset: 'xor' };
    const k = dataKey(base);
    expect(dataKey({ ...base, P: 64, beta: 1 })).toBe(k);
    for (const patch of [{ seed: 2 }, { dataSeed: 3 }, { splitSeed: 3 }, { noise: 0.2 }, { testFraction: 0.5 }, { dataset: 'spiral' as const }, { csv: text }]) {
      expect(dataKey({ ...base, ...patch }), JSON.stringify(patch)).not.toBe(k);
    }
    expect(dataKey({ ...base, csv: { ...text, train: 'a,y\n1,q\n' } })).not.toBe(dataKey({ ...base, csv: text }));
  });

  it('sources compare by content (settings cross postMessage as copies)', () => {
    expect(sameCsvSource(undefined, undefined)).toBe(true);
    expect(sameCsvSource(text, structuredClone(text))).toBe(true);
    expect(sameCsvSource(url, structuredClone(url))).toBe(true);
    expect(sameCsvSource(text, url)).toBe(false);
    expect(sameCsvSource(url, { ...url, label: 'z' })).toBe(false);
    expect(sameCsvSource(text, undefined)).toBe(false);
    const s: Settings = { ...DEFAULT_SETTINGS, csv: text };
    expect(changeLevel(s, structuredClone({ ...s, admmIters: 7 }))).toBe('limit');
    expect(changeLevel(s, { ...s, csv: { ...text, label: 'a' } })).toBe('problem');
    // Session data moved into the link: the same rows, nothing to rebuild.
    expect(changeLevel(s, { ...s, csv: { ...text, origin: 'inline' } })).toBe('none');
  });
});

describe('session files dropped on the page (dropped.ts)', () => {
  it('recognises session files by name and hands them to the importer', () => {
    expect(isSessionFile({ name: 'run.cronos.json' })).toBe(true);
    expect(isSessionFile({ name: 'RUN.CRONOS.JSON.GZ' })).toBe(true);
    expect(isSessionFile({ name: 'data.csv' })).toBe(false);
    expect(isSessionFile({ name: 'cronos.json' })).toBe(false);
    const files = [new File(['x'], 'a.csv'), new File(['y'], 'b.cronos.json.gz')];
    expect(firstSessionFile(files)?.name).toBe('b.cronos.json.gz');
    expect(firstSessionFile([files[0]])).toBeNull();
    const target = new EventTarget();
    const got: File[] = [];
    target.addEventListener(SESSION_FILE_EVENT, (e) => got.push((e as CustomEvent<File>).detail));
    requestSessionImport(files[1], target);
    expect(got).toEqual([files[1]]);
  });
});
