/**
 * The share-link codec: exact round trips of arbitrary valid states (fast-check), the frozen v1
 * wire format, and hostile fragments (bad encodings, truncation, other versions, zip bombs,
 * non-http URLs, non-finite and out-of-range numbers, prototype-pollution keys) that must be
 * rejected with a message naming the field, without ever throwing.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { METHOD_IDS } from '../../solver/methods/index';
import { crc32, deflateRaw, fromBase64, inflateRawCapped, toBase64, utf8 } from '../../app/share/codec';
import {
  BUILTIN_DATASET_IDS,
  cloneState,
  MAX_HASH_CHARS,
  MAX_STATE_JSON_BYTES,
  WIRE_DEFAULTS_V1,
  WIRE_DICTIONARY_V1,
  decodeState,
  defaultShareState,
  encodeState,
  readLocationState,
  replaceHistoryState,
  tryEncodeState,
  type DatasetRef,
  type HistoryHost,
  type ShareState,
} from '../../app/share/state';
import type { SolverConfig } from '../../solver/types';

const DICT = utf8(WIRE_DICTIONARY_V1);

/** A v1 fragment of arbitrary bytes, packed like the encoder does (DEFLATE with the dictionary, CRC-32). */
function pack(bytes: Uint8Array, dictionary: Uint8Array | undefined = DICT): string {
  const z = deflateRaw(bytes, dictionary);
  const out = new Uint8Array(z.length + 4);
  out.set(z);
  new DataView(out.buffer).setUint32(z.length, crc32(bytes));
  return `v1.${toBase64(out, true)}`;
}

/** A v1 fragment holding arbitrary JSON text (what a hand-made or hostile link can contain). */
function rawHash(json: string): string {
  return pack(utf8(json));
}

/** The JSON text inside a fragment. */
function wireJson(hash: string): string {
  const payload = fromBase64(hash.slice(3), 'test', true);
  return new TextDecoder().decode(inflateRawCapped(payload.subarray(0, payload.length - 4), MAX_STATE_JSON_BYTES, 'test', DICT));
}

function rejected(hash: string): string {
  const r = decodeState(hash);
  if (r.ok) throw new Error(`expected ${hash.slice(0, 60)} to be rejected, got ${JSON.stringify(r.state)}`);
  expect(r.error).toMatch(/^Invalid share link: ./);
  return r.error;
}

/** Any -0 becomes +0 (JSON cannot tell them apart; the codec documents it). */
const noNegZero = (v: number): number => v + 0;

const uint32 = fc.integer({ min: 0, max: 0xffffffff });
const name = fc.string({ minLength: 1, maxLength: 40, unit: 'binary' });
const url = fc
  .webUrl({ withQueryParameters: true, withFragments: true })
  .filter((u) => u.length <= 2048 && (u.startsWith('http:') || u.startsWith('https:')));

const datasetArb: fc.Arbitrary<DatasetRef> = fc.oneof(
  fc.constantFrom(...BUILTIN_DATASET_IDS).map((id): DatasetRef => ({ kind: 'builtin', id })),
  fc.record({ url, label: name }).map((r): DatasetRef => ({ kind: 'url', ...r })),
  fc.record({ name, label: name, csv: fc.string({ minLength: 1, maxLength: 300, unit: 'binary' }) }).map((r): DatasetRef => ({ kind: 'inline', ...r })),
);

const solverArb: fc.Arbitrary<SolverConfig> = fc.record(
  {
    model: fc.constantFrom('relu' as const, 'gated' as const),
    P: fc.integer({ min: 1, max: 1024 }),
    beta: fc.double({ min: 0, max: 1e300, noNaN: true }).map(noNegZero),
    rho: fc.double({ min: Number.MIN_VALUE, max: 1e300, noNaN: true }),
    adaptiveRho: fc.boolean(),
    rank: fc.integer({ min: 0, max: 256 }),
    preconditioner: fc.constantFrom('auto' as const, 'block' as const, 'nystrom' as const, 'none' as const),
    admmIters: fc.integer({ min: 1, max: 100_000 }),
    pcgIters: fc.integer({ min: 1, max: 10_000 }),
    tol: fc.double({ min: 0, max: 1, noNaN: true }).map(noNegZero),
    seed: uint32,
    warmStart: fc.boolean(),
    pcgTol: fc.double({ min: 0, max: 1, noNaN: true }).map(noNegZero),
    alpha: fc.double({ min: 0.01, max: 1.99, noNaN: true }),
    anderson: fc.integer({ min: 0, max: 50 }),
    rhoRace: fc.integer({ min: 0, max: 100_000 }),
    rhoBeta: fc.double({ min: 0, max: 1e6, noNaN: true }).map(noNegZero),
    stopRule: fc.constantFrom('gap' as const, 'residuals' as const),
  },
  { requiredKeys: ['model', 'P', 'beta', 'rho', 'adaptiveRho', 'rank', 'preconditioner', 'admmIters', 'pcgIters', 'tol', 'seed', 'warmStart', 'alpha', 'anderson', 'rhoRace', 'rhoBeta', 'stopRule'] },
);

/** Any valid state; `fc.constant` branches make "field equals its default" common, as in real links. */
const stateArb: fc.Arbitrary<ShareState> = fc.record({
  dataset: fc.oneof(fc.constant<DatasetRef>({ ...WIRE_DEFAULTS_V1.dataset }), datasetArb),
  preprocessing: fc.record({
    standardize: fc.boolean(),
    testFraction: fc.oneof(fc.constant(0), fc.double({ min: 0, max: 0.9, noNaN: true }).map(noNegZero)),
    splitSeed: fc.oneof(fc.constant(0), uint32),
    noise: fc.oneof(fc.constant(0), fc.double({ min: 0, max: 0.5, noNaN: true }).map(noNegZero)),
    dataSeed: fc.oneof(fc.constant(0), uint32),
  }),
  solver: fc.oneof(fc.constant<SolverConfig>({ ...WIRE_DEFAULTS_V1.solver }), solverArb),
  device: fc.constantFrom('auto' as const, 'gpu' as const, 'cpu' as const),
  plot: fc.record({ xAxis: fc.constantFrom('iteration' as const, 'time' as const), logX: fc.boolean(), logY: fc.boolean() }),
});

describe('share link: round trips', () => {
  it('the defaults encode to a 14-character link that decodes to the defaults', () => {
    const h = encodeState(defaultShareState());
    expect(h).toMatch(/^v1\.[A-Za-z0-9_-]+$/);
    expect(h.length).toBe(14);
    expect(wireJson(h)).toBe('{}');
    expect(decodeState(h)).toStrictEqual({ ok: true, state: defaultShareState() });
    expect(decodeState(`#${h}`)).toStrictEqual({ ok: true, state: defaultShareState() });
  });

  it('writes only the fields that differ from the frozen v1 defaults', () => {
    const s = defaultShareState();
    s.solver.P = 64;
    s.plot.logY = false;
    expect(wireJson(encodeState(s))).toBe('{"solver":{"P":64},"plot":{"logY":false}}');
  });

  it('the v1 defaults and dictionary are frozen (old links must keep their meaning)', () => {
    expect(WIRE_DEFAULTS_V1).toStrictEqual({
      dataset: { kind: 'builtin', id: 'fmnist-pullover-bag-10x10' },
      preprocessing: { standardize: true, testFraction: 0, splitSeed: 0, noise: 0, dataSeed: 0 },
      // Fields added later (the preconditioner, issue 9's) with the behaviour links had before them
      // (Nyström, plain ADMM, residual rule).
      solver: { model: 'relu', P: 32, beta: 1e-3, rho: 0.1, adaptiveRho: false, rank: 10, preconditioner: 'nystrom', admmIters: 50, pcgIters: 20, tol: 1e-6, seed: 0, warmStart: true, alpha: 1, anderson: 0, rhoRace: 0, rhoBeta: 0, stopRule: 'residuals' },
      device: 'auto',
      plot: { xAxis: 'iteration', logX: false, logY: true },
    });
    expect(Object.isFrozen(WIRE_DEFAULTS_V1.solver)).toBe(true);
    // The preset dictionary too: any edit would make every old link fail its checksum.
    expect(utf8(WIRE_DICTIONARY_V1).length).toBe(608);
    expect(crc32(utf8(WIRE_DICTIONARY_V1))).toBe(0xe300298f);
  });

  it('a link made today still decodes to the same state (golden v1 fragment)', () => {
    const golden = 'v1.w5a-0KISGh1YwwwRGOZIgWFE2P8g07DFWW0tAOO37rU';
    const s = defaultShareState();
    s.dataset = { kind: 'builtin', id: 'spiral' };
    s.preprocessing.splitSeed = 7;
    s.preprocessing.noise = 0.2;
    s.solver.model = 'gated';
    s.solver.P = 64;
    s.plot.xAxis = 'time';
    expect(decodeState(golden)).toStrictEqual({ ok: true, state: s });
    expect(encodeState(s)).toBe(golden);
  });

  it('arbitrary valid states round-trip exactly', () => {
    fc.assert(
      fc.property(stateArb, (s) => {
        // fast-check builds records without a prototype; compare against plain objects.
        s = cloneState(s);
        const r = tryEncodeState(s);
        if (!r.ok) throw new Error(r.error);
        expect(r.hash.length).toBeLessThanOrEqual(MAX_HASH_CHARS);
        expect(r.hash).toMatch(/^v1\.[A-Za-z0-9_-]+$/);
        expect(decodeState(r.hash)).toStrictEqual({ ok: true, state: s });
      }),
      { numRuns: 500 },
    );
  });

  it('encoding is deterministic and decoding then encoding is the identity on fragments', () => {
    fc.assert(
      fc.property(stateArb, (s) => {
        const h = encodeState(s);
        const d = decodeState(h);
        expect(d.ok && encodeState(d.state)).toBe(h);
      }),
      { numRuns: 200 },
    );
  });
});

describe('share link: the encoder refuses what a link cannot hold', () => {
  it('a local file asks for a session file', () => {
    const s = defaultShareState();
    s.dataset = { kind: 'local', name: 'big.csv', label: 'y' };
    const r = tryEncodeState(s);
    expect(r.ok).toBe(false);
    expect(!r.ok && r.error).toMatch(/state\.dataset\.kind.*session/);
    expect(() => encodeState(s)).toThrow(RangeError);
  });

  it('inline data too big for a link asks for a session file', () => {
    const s = defaultShareState();
    let csv = 'a,b,label\n';
    let seed = 1;
    while (csv.length < 40_000) {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      csv += `${seed / 2 ** 31},${(seed % 1000) / 7},${seed % 2}\n`;
    }
    s.dataset = { kind: 'inline', name: 'd.csv', label: 'label', csv };
    const r = tryEncodeState(s);
    expect(r.ok).toBe(false);
    expect(!r.ok && r.error).toMatch(/session file/);
  });

  it('invalid values name the field', () => {
    const s = defaultShareState();
    s.solver.beta = NaN;
    expect(tryEncodeState(s)).toStrictEqual({ ok: false, error: 'state.solver.beta: must be a finite number ≥ 0, got NaN' });
  });

  it('an unset optional pcgTol is not written', () => {
    const s = defaultShareState();
    s.solver.pcgTol = undefined;
    expect(wireJson(encodeState(s))).toBe('{}');
  });
});

describe('share link: hostile and broken fragments are rejected, never thrown', () => {
  it('arbitrary strings', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: 'binary', maxLength: 300 }), fc.string({ maxLength: 300 }).map((s) => `v1.${s}`)), (s) => {
        const r = decodeState(s);
        expect(r.ok).toBe(false);
      }),
      { numRuns: 1000 },
    );
  });

  it('non-string input from an untyped caller', () => {
    for (const v of [null, undefined, 42, {}, []]) expect(decodeState(v as unknown as string).ok).toBe(false);
  });

  it('mutated encodings: a one-character change is rejected or decodes to the very same state', () => {
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    fc.assert(
      fc.property(stateArb, fc.nat(), fc.nat(), (s, pos, c) => {
        s = cloneState(s);
        const h = encodeState(s);
        const i = 3 + (pos % (h.length - 3));
        const ch = alphabet[c % 64] === h[i] ? alphabet[(c + 1) % 64] : alphabet[c % 64];
        const m = h.slice(0, i) + ch + h.slice(i + 1);
        const r = decodeState(m);
        // The deflate stream and the CRC-32 of the output catch changes of meaning; only the
        // unused padding bits after the last deflate block can change without an error, and
        // then the output, so the state, is identical. (With zlib's Adler-32 about 1 in 18 000
        // single-character changes decoded to different settings.)
        if (r.ok) expect(r.state).toStrictEqual(s);
      }),
      { numRuns: 500 },
    );
  });

  it('every truncation of a fragment is rejected', () => {
    fc.assert(
      fc.property(stateArb, (s) => {
        const h = encodeState(s);
        for (let len = 0; len < h.length; len++) expect(decodeState(h.slice(0, len)).ok).toBe(false);
      }),
      { numRuns: 30 },
    );
  });

  it('unknown versions and missing prefixes', () => {
    const body = encodeState(defaultShareState()).slice(3);
    expect(rejected(`v2.${body}`)).toContain('unsupported version 2 (this page reads version 1)');
    expect(rejected(`v0.${body}`)).toContain('unsupported version 0');
    expect(rejected(`v01.${body}`)).toContain('unsupported version 01');
    expect(rejected(`v999999.${body}`)).toContain('unsupported version 999999');
    expect(rejected(body)).toContain('does not start with a version');
    expect(rejected(`V1.${body}`)).toContain('does not start with a version');
    expect(rejected('')).toContain('does not start with a version');
    expect(rejected(`dataset=spiral&P=64`)).toContain('does not start with a version');
  });

  it('bad base64url', () => {
    const h = encodeState(defaultShareState());
    expect(rejected(`${h}=`)).toContain('invalid character');
    expect(rejected(`${h.slice(0, 6)}+${h.slice(7)}`)).toContain('invalid character at position 3');
    expect(rejected(`${h}A`)).toMatch(/truncated|corrupt|checksum/);
    expect(rejected('v1.éé')).toContain('invalid character at position 0');
    expect(rejected('v1.A')).toContain('truncated base64');
  });

  it('oversized fragments are refused before decoding', () => {
    expect(rejected(`v1.${'A'.repeat(MAX_HASH_CHARS)}`)).toContain(`more than ${MAX_HASH_CHARS}`);
  });

  it('a zip bomb stops at the inflate cap', () => {
    const bomb = rawHash(`{"dataset":{"kind":"inline","name":"x","label":"y","csv":"${'1,'.repeat(1_500_000)}"}}`);
    expect(bomb.length).toBeLessThan(MAX_HASH_CHARS);
    const t0 = performance.now();
    expect(rejected(bomb)).toContain(`inflates to more than ${MAX_STATE_JSON_BYTES} bytes`);
    expect(performance.now() - t0).toBeLessThan(2000);
  });

  it('a payload packed with another dictionary is refused; one packed without any is the same data', () => {
    const s = defaultShareState();
    s.solver.P = 64;
    s.solver.beta = 0.01;
    const json = utf8(wireJson(encodeState(s)));
    expect(rejected(pack(json, utf8('{"solver":{"beta":0.1,"P":16}}')))).toMatch(/corrupt|checksum/);
    // No back-references into the dictionary: valid, merely longer.
    expect(decodeState(pack(json, undefined))).toStrictEqual({ ok: true, state: s });
  });

  it('a wrong checksum is refused', () => {
    const payload = fromBase64(encodeState(defaultShareState()).slice(3), 't', true);
    payload[payload.length - 1] ^= 1;
    expect(rejected(`v1.${toBase64(payload, true)}`)).toContain('checksum mismatch');
  });

  it('non-JSON, non-UTF-8 and non-object payloads', () => {
    expect(rejected(rawHash('{"solver":{"beta":NaN}}'))).toContain('does not hold valid JSON');
    expect(rejected(rawHash('{'))).toContain('does not hold valid JSON');
    expect(rejected(pack(new Uint8Array([0x7b, 0xff, 0xfe, 0x7d])))).toContain('not valid UTF-8');
    for (const top of ['[]', 'null', '"x"', '1', 'true']) expect(rejected(rawHash(top))).toContain('state: must be an object');
    for (const sec of ['dataset', 'preprocessing', 'solver', 'plot']) {
      expect(rejected(rawHash(`{"${sec}":null}`))).toContain(`state.${sec}: must be an object, got null`);
      expect(rejected(rawHash(`{"${sec}":[]}`))).toContain(`state.${sec}: must be an object, got an array`);
    }
    expect(rejected(rawHash(`${'['.repeat(20_000)}${']'.repeat(20_000)}`))).toContain('state: must be an object');
    expect(rejected(rawHash(`${'{"a":'.repeat(10_000)}1${'}'.repeat(10_000)}`))).toMatch(/unknown field "a"|valid JSON/);
  });

  it('URLs other than http(s), with credentials, or relative', () => {
    const ds = (u: string): string => rawHash(JSON.stringify({ dataset: { kind: 'url', url: u, label: 'y' } }));
    expect(rejected(ds('javascript:alert(1)'))).toContain('state.dataset.url: must use http: or https:, got "javascript:"');
    expect(rejected(ds('JavaScript:alert(document.cookie)//http://x'))).toContain('must use http: or https:');
    expect(rejected(ds('data:text/csv,a,b'))).toContain('got "data:"');
    expect(rejected(ds('file:///etc/passwd'))).toContain('got "file:"');
    expect(rejected(ds('ftp://example.com/a.csv'))).toContain('got "ftp:"');
    expect(rejected(ds('blob:https://example.com/uuid'))).toContain('got "blob:"');
    expect(rejected(ds('//evil.example/a.csv'))).toContain('must be an absolute http: or https: URL');
    expect(rejected(ds('/datasets/a.csv'))).toContain('must be an absolute');
    expect(rejected(ds('https://user:secret@example.com/a.csv'))).toContain('must not contain a user name or password');
    expect(rejected(ds(`https://example.com/${'a'.repeat(3000)}`))).toContain('state.dataset.url: must be 1–2048 characters long');
    expect(decodeState(ds('https://example.com/data.csv?x=1#frag')).ok).toBe(true);
  });

  it('non-finite, huge, fractional and out-of-range numbers name the field and the range', () => {
    const solver = (o: Record<string, unknown>): string => rawHash(JSON.stringify({ solver: o }));
    expect(rejected(solver({ P: 5000 }))).toContain('state.solver.P: must be an integer in [1, 1024], got 5000');
    expect(rejected(solver({ P: 0 }))).toContain('state.solver.P: must be an integer in [1, 1024], got 0');
    expect(rejected(solver({ P: 1.5 }))).toContain('got 1.5');
    expect(rejected(solver({ P: '32' }))).toContain('got "32"');
    expect(rejected(solver({ P: true }))).toContain('got true');
    expect(rejected(solver({ P: null }))).toContain('got null');
    expect(rejected(rawHash('{"solver":{"beta":1e400}}'))).toContain('state.solver.beta: must be a finite number ≥ 0, got Infinity');
    expect(rejected(solver({ beta: -1e-9 }))).toContain('state.solver.beta: must be a finite number ≥ 0');
    expect(rejected(solver({ beta: 'NaN' }))).toContain('got "NaN"');
    expect(rejected(solver({ rho: 0 }))).toContain('state.solver.rho: must be a finite number > 0, got 0');
    expect(rejected(solver({ rank: 257 }))).toContain('state.solver.rank: must be an integer in [0, 256]');
    expect(rejected(solver({ admmIters: 0 }))).toContain('state.solver.admmIters: must be an integer in [1, 100000]');
    expect(rejected(solver({ pcgIters: 1e9 }))).toContain('state.solver.pcgIters: must be an integer in [1, 10000]');
    expect(rejected(solver({ tol: 2 }))).toContain('state.solver.tol: must be a finite number ≥ 0 and ≤ 1, got 2');
    expect(rejected(solver({ pcgTol: -1 }))).toContain('state.solver.pcgTol');
    expect(rejected(solver({ seed: -1 }))).toContain('state.solver.seed: must be an integer in [0, 4294967295], got -1');
    expect(rejected(solver({ seed: 2 ** 32 }))).toContain('got 4294967296');
    expect(rejected(solver({ seed: 1e300 }))).toContain('state.solver.seed');
    expect(rejected(solver({ model: 'tanh' }))).toContain('state.solver.model: must be one of relu, gated, got "tanh"');
    const pre = (o: Record<string, unknown>): string => rawHash(JSON.stringify({ preprocessing: o }));
    expect(rejected(pre({ testFraction: 0.95 }))).toContain('state.preprocessing.testFraction: must be a finite number ≥ 0 and ≤ 0.9');
    expect(rejected(pre({ noise: 0.6 }))).toContain('state.preprocessing.noise');
    expect(rejected(pre({ splitSeed: 0.5 }))).toContain('state.preprocessing.splitSeed');
    expect(rejected(pre({ standardize: 'false' }))).toContain('state.preprocessing.standardize: must be true or false, got "false"');
    expect(rejected(rawHash('{"plot":{"xAxis":"epoch"}}'))).toContain('state.plot.xAxis: must be one of iteration, time');
    expect(rejected(rawHash('{"device":"tpu"}'))).toContain('state.device: must be one of auto, gpu, cpu');
  });

  it('unknown fields and prototype-pollution keys', () => {
    const before = Object.getOwnPropertyNames(Object.prototype).sort();
    expect(rejected(rawHash('{"__proto__":{"polluted":1}}'))).toContain('state: unknown field "__proto__"');
    expect(rejected(rawHash('{"solver":{"__proto__":{"P":5000}}}'))).toContain('state.solver: unknown field "__proto__"');
    expect(rejected(rawHash('{"constructor":{"prototype":{"polluted":1}}}'))).toContain('state: unknown field "constructor"');
    expect(rejected(rawHash('{"plot":{"toString":1}}'))).toContain('state.plot: unknown field "toString"');
    expect(rejected(rawHash('{"dataset":{"kind":"builtin","id":"spiral","hasOwnProperty":1}}'))).toContain('unknown field "hasOwnProperty"');
    expect(rejected(rawHash('{"tutorial":"x"}'))).toContain('state: unknown field "tutorial" (allowed: dataset, preprocessing, solver, device, plot, method, params, race)');
    expect(rejected(rawHash('{"dataset":{"kind":"builtin","id":"constructor"}}'))).toContain('state.dataset.id: must be one of');
    expect(rejected(rawHash('{"dataset":{"kind":"__proto__"}}'))).toContain('state.dataset.kind: must be one of builtin, url, inline');
    expect(rejected(rawHash('{"dataset":{"kind":"builtin","url":"https://x"}}'))).toContain('state.dataset: unknown field "url"');
    expect(rejected(rawHash('{"dataset":{"kind":"builtin"}}'))).toContain('state.dataset.id: is required');
    expect(rejected(rawHash('{"dataset":{"kind":"local","name":"a.csv","label":"y"}}'))).toContain('a link cannot carry a local file');
    expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(before);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('the optional method field: absent or "cronos" is the old behaviour, anything else is refused', () => {
    expect(decodeState(rawHash('{"method":"cronos"}'))).toStrictEqual({ ok: true, state: defaultShareState() });
    expect(decodeState(rawHash('{"method":"cronos","solver":{"P":64}}'))).toStrictEqual(decodeState(rawHash('{"solver":{"P":64}}')));
    expect(rejected(rawHash('{"method":"no-such-method"}'))).toContain(`state.method: must be one of ${METHOD_IDS.join(', ')}, got "no-such-method"`);
    expect(rejected(rawHash('{"method":1}'))).toContain(`state.method: must be one of ${METHOD_IDS.join(', ')}, got 1`);
    // The default method is never written: today's links stay byte-identical.
    expect(wireJson(encodeState({ ...defaultShareState(), method: 'cronos' }))).toBe('{}');
  });

  it('a long hostile key is clipped in the message', () => {
    const err = rejected(rawHash(JSON.stringify({ [`<img src=x onerror=alert(1)>${'x'.repeat(500)}`]: 1 })));
    expect(err.length).toBeLessThan(300);
  });

  it('arbitrary JSON values in any field never throw; accepted ones re-encode to themselves', () => {
    const keys = ['dataset', 'preprocessing', 'solver', 'device', 'plot', 'P', 'seed', 'kind', 'url', '__proto__', 'constructor'];
    const field = fc.tuple(fc.constantFrom(...keys), fc.constantFrom('dataset', 'preprocessing', 'solver', 'plot', null), fc.jsonValue({ maxDepth: 3 }));
    fc.assert(
      fc.property(stateArb, field, (s, [key, section, value]) => {
        const wire = JSON.parse(wireJson(encodeState(s))) as Record<string, Record<string, unknown>>;
        if (section === null) wire[key] = value as Record<string, unknown>;
        else wire[section] = { ...(typeof wire[section] === 'object' ? wire[section] : {}), [key]: value };
        const r = decodeState(rawHash(JSON.stringify(wire)));
        if (r.ok) expect(decodeState(encodeState(r.state))).toStrictEqual(r);
        else expect(r.error).toMatch(/^Invalid share link: state/);
      }),
      { numRuns: 500 },
    );
  });

  it('fragments of random bytes never throw', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), fc.boolean(), (bytes, compress) => {
        // Packed bytes carry a valid checksum, so only the JSON and field checks stand between
        // them and a state: a few tiny ones (`{}`) are valid, nothing throws.
        const h = compress ? pack(bytes) : `v1.${toBase64(bytes, true)}`;
        const r = decodeState(h);
        if (r.ok) expect(new TextDecoder().decode(bytes).trim()).toMatch(/^\{.*\}$/s);
      }),
      { numRuns: 500 },
    );
  });
});

describe('share link: browser history', () => {
  function fakeWindow(hash = ''): HistoryHost & { calls: string[] } {
    const calls: string[] = [];
    const win = {
      calls,
      location: { hash, pathname: '/playground/', search: '?lang=en' },
      history: {
        state: { app: 1 },
        replaceState(_data: unknown, _unused: string, url?: string | URL | null): void {
          calls.push(String(url));
          const u = String(url);
          win.location.hash = u.startsWith('#') ? u : '';
        },
      },
    };
    return win;
  }

  it('replaces the current entry (no pushState), and skips a no-op', () => {
    const win = fakeWindow();
    const s = defaultShareState();
    for (const P of [33, 34, 35]) {
      s.solver.P = P;
      expect(replaceHistoryState(win, s).ok).toBe(true);
    }
    expect(replaceHistoryState(win, s).ok).toBe(true);
    expect(win.calls).toHaveLength(3);
    const read = readLocationState(win);
    expect(read?.ok && read.state.solver.P).toBe(35);
  });

  it('removes the fragment when the state cannot be a link', () => {
    const win = fakeWindow(`#${encodeState(defaultShareState())}`);
    const s = defaultShareState();
    s.dataset = { kind: 'local', name: 'mine.csv', label: 'y' };
    expect(replaceHistoryState(win, s).ok).toBe(false);
    expect(win.calls).toEqual(['/playground/?lang=en']);
    expect(readLocationState(win)).toBeNull();
  });

  it('no fragment means no state; a bad one is a message', () => {
    expect(readLocationState({ location: { hash: '', pathname: '/', search: '' } })).toBeNull();
    expect(readLocationState({ location: { hash: '#', pathname: '/', search: '' } })).toBeNull();
    expect(readLocationState({ location: { hash: '#v9.x', pathname: '/', search: '' } })).toMatchObject({ ok: false });
  });
});
