/**
 * SessionFile files: export → import round trips (plain and gzipped, CSV and array data, ReLU and
 * gated results), and broken or hostile files rejected with a message, never thrown.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { gzip, utf8 } from '../../app/share/codec';
import {
  SESSION_FORMAT,
  exportSession,
  exportSessionGzip,
  importSession,
  type SessionFile,
  type SessionData,
} from '../../app/share/session';
import { defaultShareState, tryEncodeState } from '../../app/share/state';
import type { ModelKind } from '../../solver/types';
import { fakeHistory, randomRun } from '../support/export-fixtures';

function makeSession(model: ModelKind, classes: number, data: 'csv' | 'arrays' | null): SessionFile {
  const { data: ds, problem, U, V, net } = randomRun({ n: 40, d: 5, P: 6, classes, model, seed: 3 });
  const state = defaultShareState();
  state.solver.model = model;
  state.solver.P = problem.P;
  state.solver.pcgTol = 1e-6;
  state.preprocessing.splitSeed = 99;
  let sd: SessionData | null = null;
  if (data === 'csv') {
    state.dataset = { kind: 'local', name: 'mine.csv', label: 'y' };
    sd = { kind: 'csv', name: 'mine.csv', label: 'y', train: 'a,b,y\n1,2,x\n3,4,z\n', test: 'a,b,y\n5,6,x\n' };
  } else if (data === 'arrays') {
    state.dataset = { kind: 'local', name: 'images/', label: 'class' };
    sd = {
      kind: 'arrays',
      name: 'images/',
      featureNames: ds.featureNames,
      classNames: ds.classNames,
      train: { X: ds.X.slice(0, 30 * ds.d), labels: ds.labels.slice(0, 30) },
      test: { X: ds.X.slice(30 * ds.d), labels: ds.labels.slice(30) },
    };
  }
  const history = fakeHistory(7);
  return {
    state,
    data: sd,
    results: { history, solution: { d: problem.d, P: problem.P, S: problem.S as 1 | 2, C: problem.C, U, V }, network: net },
    createdAt: '2026-01-02T03:04:05.000Z',
  };
}

function rejected(input: string | Uint8Array, maxBytes?: number): string {
  const r = importSession(input, maxBytes === undefined ? {} : { maxBytes });
  if (r.ok) throw new Error('expected the session to be rejected');
  expect(r.error).toMatch(/^Invalid session file: ./);
  return r.error;
}

type Path = (string | number)[];
/** Marks a field to delete in {@link edited}. */
const DELETE = Symbol('delete');
/** A new value, or one computed from the old value and the whole document. */
type Edit = [Path, unknown];

function getAt(root: unknown, path: Path): unknown {
  let cur = root;
  for (const k of path) cur = (cur as Record<string | number, unknown>)[k];
  return cur;
}

/** The exported session parsed, changed at each path, and serialised again. */
function edited(s: SessionFile, ...edits: Edit[]): string {
  const root = JSON.parse(exportSession(s)) as unknown;
  for (const [path, value] of edits) {
    const parent = getAt(root, path.slice(0, -1)) as Record<string | number, unknown>;
    const key = path[path.length - 1];
    const v = typeof value === 'function' ? (value as (old: unknown, root: unknown) => unknown)(parent[key], root) : value;
    if (v === DELETE) delete parent[key];
    else parent[key] = v;
  }
  return JSON.stringify(root);
}

describe('session file: round trips', () => {
  for (const model of ['relu', 'gated'] as const) {
    for (const classes of [2, 3]) {
      for (const data of ['csv', 'arrays', null] as const) {
        it(`${model}, ${classes} classes, data ${data}`, () => {
          const s = makeSession(model, classes, data);
          const text = exportSession(s);
          expect(JSON.parse(text)).toMatchObject({ format: SESSION_FORMAT, version: 1 });
          expect(importSession(text)).toStrictEqual({ ok: true, session: s });
          expect(importSession(utf8(text))).toStrictEqual({ ok: true, session: s });
          expect(importSession(utf8(text).buffer as ArrayBuffer)).toStrictEqual({ ok: true, session: s });
          expect(importSession(`\uFEFF${text}`)).toStrictEqual({ ok: true, session: s });
          const gz = exportSessionGzip(s);
          expect(gz.length).toBeLessThan(text.length);
          expect(importSession(gz)).toStrictEqual({ ok: true, session: s });
        });
      }
    }
  }

  it('keeps NaN and ±Infinity in metrics, and every double (−0 too) in arrays, exactly', () => {
    const s = makeSession('relu', 2, null);
    const U = s.results!.solution!.U;
    U[0] = NaN;
    U[1] = -Infinity;
    U[2] = -0;
    U[3] = Number.MIN_VALUE;
    const r = importSession(exportSession(s));
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const back = r.session.results!;
    expect(Object.is(back.solution!.U[2], -0)).toBe(true);
    expect(back.solution!.U[1]).toBe(-Infinity);
    expect(back.solution!.U[3]).toBe(Number.MIN_VALUE);
    expect(back.history[0].primalResidual).toBe(Infinity);
    expect(back.history[0].testAccuracy).toBeNaN();
  });

  it('a session without results or data (a built-in dataset) is tiny and its state is also a link', () => {
    const s: SessionFile = { state: defaultShareState(), data: null, results: null };
    const text = exportSession(s);
    expect(text.length).toBeLessThan(600);
    expect(importSession(text)).toStrictEqual({ ok: true, session: s });
    expect(tryEncodeState(s.state).ok).toBe(true);
  });

  it('arbitrary arrays data round-trips', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 6 }).chain((d) =>
          fc.record({
            d: fc.constant(d),
            names: fc.array(fc.string({ maxLength: 30, unit: 'binary' }), { minLength: d, maxLength: d }),
            classes: fc.array(fc.string({ maxLength: 30, unit: 'binary' }), { minLength: 2, maxLength: 4 }),
            rows: fc.integer({ min: 0, max: 12 }),
          }),
        ).chain((r) =>
          fc.record({
            r: fc.constant(r),
            X: fc.float64Array({ minLength: r.rows * r.d, maxLength: r.rows * r.d }),
            labels: fc.array(fc.integer({ min: 0, max: r.classes.length - 1 }), { minLength: r.rows, maxLength: r.rows }),
          }),
        ),
        ({ r, X, labels }) => {
          const s: SessionFile = {
            state: { ...defaultShareState(), dataset: { kind: 'local', name: 'x', label: 'y' } },
            data: { kind: 'arrays', name: 'x', featureNames: r.names, classNames: r.classes, train: { X, labels: Int32Array.from(labels) } },
            results: null,
          };
          const back = importSession(exportSession(s));
          expect(back.ok).toBe(true);
          if (!back.ok) return;
          // Compared bit for bit: NaN payloads aside, every double (−0 included) must come back.
          const got = back.session.data;
          expect(got?.kind === 'arrays' && new Uint8Array(got.train.X.buffer)).toEqual(new Uint8Array(X.buffer, X.byteOffset, X.byteLength));
          expect(back.session).toStrictEqual(s);
        },
      ),
      { numRuns: 100 },
    );
  });

  it('refuses to export an invalid session (so it never writes a file it cannot read back)', () => {
    const s = makeSession('relu', 2, null);
    s.state.solver.beta = NaN;
    expect(() => exportSession(s)).toThrow(RangeError);
    const t = makeSession('relu', 2, null);
    t.results!.network!.m += 1;
    expect(() => exportSession(t)).toThrow(/shape|holds/);
  });
});

describe('session file: broken and hostile files are rejected, never thrown', () => {
  const good = makeSession('relu', 3, 'csv');

  it('not JSON, not a session, other versions', () => {
    expect(rejected('')).toContain('not valid JSON');
    expect(rejected('a,b\n1,2\n')).toContain('not valid JSON');
    expect(rejected(new Uint8Array([0xff, 0xfe, 0x00]))).toContain('not valid UTF-8');
    expect(rejected('[]')).toContain('session: must be an object');
    expect(rejected('{"format":"safetensors"}')).toContain('not a CRONOS Playground session file');
    expect(rejected(edited(good, [['version'], 2]))).toContain('session.version: unsupported version 2');
    expect(rejected(edited(good, [['version'], '1']))).toContain('unsupported version "1"');
    expect(rejected(edited(good, [['state'], DELETE]))).toContain('session.state: is required');
  });

  it('unknown fields and prototype-pollution keys', () => {
    expect(rejected(edited(good, [['extra'], 1]))).toContain('session: unknown field "extra"');
    const proto = exportSession(good).replace('"format"', '"__proto__":{"polluted":1},"format"');
    expect(rejected(proto)).toContain('session: unknown field "__proto__"');
    expect(rejected(edited(good, [['results', 'network', 'constructor'], {}]))).toContain('session.results.network: unknown field "constructor"');
    expect(rejected(edited(good, [['state', 'solver', 'prototype'], 1]))).toContain('session.state.solver: unknown field "prototype"');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('state checks are the link checks (plus local data)', () => {
    expect(rejected(edited(good, [['state', 'solver', 'P'], 2000]))).toContain('session.state.solver.P: must be an integer in [1, 1024]');
    expect(rejected(edited(good, [['state', 'dataset'], { kind: 'url', url: 'javascript:alert(1)', label: 'y' }]))).toContain('must use http: or https:');
    expect(rejected(edited(good, [['data'], null]))).toContain('session.data: is required for a local dataset');
  });

  it('data: labels out of range, shapes and byte counts that disagree', () => {
    const arrays = makeSession('gated', 3, 'arrays');
    const e = (path: Path, value: unknown): string => rejected(edited(arrays, [path, value]));
    expect(e(['data', 'kind'], 'parquet')).toContain('session.data.kind: must be one of csv, arrays');
    expect(e(['data', 'classNames'], ['only'])).toContain('at least two classes');
    expect(e(['data', 'featureNames'], (old: string[]) => old.slice(1))).toContain('session.data.train.X.shape[1]: must be an integer in [4, 4]');
    expect(e(['data', 'train', 'X', 'shape'], [1e9, 5])).toContain('session.data.train.X.shape[0]');
    expect(e(['data', 'train', 'labels', 'shape'], [2 ** 27 + 1])).toContain('session.data.train.labels.shape[0]: must be an integer in [0, 134217728]');
    expect(e(['data', 'train', 'X', 'base64'], (old: string) => old.slice(4))).toContain('session.data.train.X.base64: must hold');
    expect(e(['data', 'train', 'X', 'base64'], (old: string) => `${old.slice(0, -4)}@@@@`)).toContain('invalid character');
    expect(e(['data', 'train', 'X', 'dtype'], 'f32')).toContain('session.data.train.X.dtype: must be one of f64');
    // A label of 7 with 3 classes: rewrite the first label's bytes.
    expect(
      e(['data', 'train', 'labels', 'base64'], (old: string) => {
        const b = Buffer.from(old, 'base64');
        b.writeInt32LE(7, 0);
        return b.toString('base64');
      }),
    ).toContain('session.data.train.labels[0]: must be a class index in [0, 2], got 7');
  });

  it('results: metrics, solution and network must be consistent', () => {
    const e = (path: Path, value: unknown): string => rejected(edited(good, [path, value]));
    expect(e(['results', 'history', 0, 'iter'], 0)).toContain('session.results.history[0].iter: must be an integer in [1, 100000], got 0');
    expect(e(['results', 'history', 1, 'objective'], 'nan')).toContain('session.results.history[1].objective: must be a finite number');
    expect(e(['results', 'history', 2, 'rho'], DELETE)).toContain('session.results.history[2].rho: is required');
    expect(e(['results', 'history', 0, 'converged'], 1)).toContain('converged: must be true or false');
    expect(e(['results', 'solution', 'P'], 7)).toContain('session.results.solution.P: must be an integer in [6, 6]');
    expect(e(['results', 'solution', 'S'], 1)).toContain('session.results.solution.S');
    expect(e(['results', 'network', 'model'], 'gated')).toContain('session.results.network.model: must be one of relu');
    expect(e(['results', 'network', 'gates'], (_: unknown, root: unknown) => getAt(root, ['results', 'network', 'W1']))).toContain('only gated networks have gates');
    expect(e(['results', 'network', 'd'], 4)).toMatch(/session\.results\.network\.W1\.shape\[0\]|disagree/);
    expect(e(['results', 'history'], Array.from({ length: 100_001 }, () => 0))).toContain('at most 100000 items');
  });

  it('size caps: plain, gzipped, and a gzip bomb', () => {
    const text = exportSession(good);
    expect(rejected(text, 100)).toContain('larger than 100 bytes');
    expect(rejected(utf8(text), 100)).toContain(`is ${utf8(text).length} bytes, more than 100`);
    const bomb = gzip(utf8(`{"format":"${' '.repeat(50 << 20)}"}`));
    expect(bomb.length).toBeLessThan(200_000);
    expect(rejected(bomb, 1 << 20)).toContain('the session file: inflates to more than 1048576 bytes');
    const gz = exportSessionGzip(good);
    const cut = gz.subarray(0, gz.length - 9);
    expect(rejected(cut)).toMatch(/truncated|corrupt|checksum/);
  });

  it('random mutations of a file never throw', () => {
    const bytes = utf8(exportSession(makeSession('relu', 2, 'csv')));
    const gz = exportSessionGzip(makeSession('gated', 2, null));
    fc.assert(
      fc.property(fc.boolean(), fc.nat(), fc.integer({ min: 1, max: 255 }), fc.nat({ max: 40 }), (useGz, pos, x, cut) => {
        const src = useGz ? gz : bytes;
        const m = Uint8Array.from(src.subarray(0, src.length - cut));
        m[pos % m.length] ^= x;
        const r = importSession(m);
        expect(typeof r.ok).toBe('boolean');
      }),
      { numRuns: 300 },
    );
  });
});
