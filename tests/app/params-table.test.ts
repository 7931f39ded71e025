/**
 * The parameter-table helpers (solver/params/table.ts) on a throwaway method — a fake optimiser
 * with a learning rate, momentum, a schedule and an epoch cap — to show that a new method's
 * settings need nothing but their table: typed defaults, clamping and validation, CLI flags and
 * --help, link fields and the page's controls all follow. Plus the page's controls from the real
 * tables, in the order and with the test ids the e2e suites select by.
 */
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { Controls } from '../../app/components/Controls';
import { groupEntries, ParamFields } from '../../app/components/ParamFields';
import { PAGE_PARAMS } from '../../app/params';
import { DEFAULT_SETTINGS } from '../../app/settings';
import { CRONOS_PARAMS } from '../../solver/methods/cronos/params';
import {
  changeLevelOf,
  choice,
  clampValues,
  decodeLinkFields,
  defaultsOf,
  defineTable,
  encodeLinkFields,
  flag,
  FlagError,
  flagHelp,
  integer,
  parseFlags,
  real,
  validateValues,
  type Values,
} from '../../solver/params/table';
import { Invalid } from '../../solver/params/validate';

const FAKE = defineTable({
  lr: real({
    default: 1e-2,
    label: 'Learning rate η',
    short: 'η',
    help: 'Step size of every update.',
    change: 'solver',
    limits: { min: 1e-6, max: 1 },
    logScale: true,
    presets: [1e-3, 1e-2, 0.1],
    cli: { flag: '--lr', arg: 'ETA', help: 'learning rate η', range: { above: 0, max: 1 } },
    link: { key: 'lr', range: { above: 0, max: 1 } },
    control: { kind: 'menu', group: 'solver', testId: 'lr', format: 'setting' },
  }),
  momentum: flag({
    default: true,
    label: 'Momentum',
    change: 'solver',
    cli: { flag: '--no-momentum', negate: true, help: 'plain gradient steps' },
    link: { key: 'mom' },
    control: { kind: 'check', group: 'solver', testId: 'momentum' },
  }),
  schedule: choice(['constant', 'cosine'], {
    default: 'constant',
    label: 'Schedule',
    change: 'solver',
    choices: { constant: { label: 'Constant' }, cosine: { label: 'Cosine decay' } },
    cli: { flag: '--schedule', help: 'learning-rate schedule', noun: 'schedule' },
    link: { key: 'schedule' },
    control: { kind: 'select', group: 'solver', testId: 'schedule' },
  }),
  epochs: integer({
    default: 10,
    pageDefault: 100,
    label: 'Epochs (cap)',
    change: 'limit',
    limits: { min: 1, max: 1000 },
    cli: { flag: '--epochs', arg: 'N', help: 'maximum epochs', range: { min: 1 } },
    link: { key: 'epochs', range: { min: 1, max: 1000 } },
    control: { kind: 'menu', group: 'solver', testId: 'epochs', format: 'plain', order: -1 },
  }),
});

/** The settings type the table yields (a compile error here means the mapped type drifted). */
type FakeSettings = Values<typeof FAKE>;
const typed: FakeSettings = { lr: 0.5, momentum: false, schedule: 'cosine', epochs: 3 };

describe('a throwaway method table', () => {
  it('yields typed defaults, with the page overriding where declared', () => {
    expect(defaultsOf(FAKE)).toStrictEqual({ lr: 1e-2, momentum: true, schedule: 'constant', epochs: 10 });
    expect(defaultsOf(FAKE, 'page')).toStrictEqual({ lr: 1e-2, momentum: true, schedule: 'constant', epochs: 100 });
  });

  it('clamps to the page limits and names the setting and value of an invalid one', () => {
    expect(clampValues(FAKE, { ...typed, lr: 5, epochs: 3.6 })).toStrictEqual({ ...typed, lr: 1, epochs: 4 });
    expect(clampValues(FAKE, { ...typed, lr: Number.NaN })).toStrictEqual({ ...typed, lr: 1e-2 });
    expect(validateValues(FAKE, typed)).toEqual([]);
    expect(validateValues(FAKE, { ...typed, lr: 7, epochs: 2.5, schedule: 'step' })).toEqual([
      'Learning rate η (lr): 7 is outside [0.000001, 1]',
      'Schedule (schedule): "step" is not one of constant, cosine',
      'Epochs (cap) (epochs): 2.5 is not an integer',
    ]);
  });

  it('says what a change invalidates', () => {
    const d = defaultsOf(FAKE);
    expect(changeLevelOf(FAKE, d, { ...d })).toBe('none');
    expect(changeLevelOf(FAKE, d, { ...d, epochs: 20 })).toBe('limit');
    expect(changeLevelOf(FAKE, d, { ...d, epochs: 20, lr: 0.1 })).toBe('solver');
  });

  it('parses its CLI flags and rejects bad values with the flag named', () => {
    expect(parseFlags(FAKE, ['--lr', '0.5', '--no-momentum', '--schedule=cosine', '--epochs', '3'])).toStrictEqual(typed);
    expect(parseFlags(FAKE, [])).toStrictEqual({});
    const fails = (argv: string[]): string => {
      try {
        parseFlags(FAKE, argv);
      } catch (e) {
        expect(e).toBeInstanceOf(FlagError);
        return (e as Error).message;
      }
      throw new Error(`accepted ${argv.join(' ')}`);
    };
    expect(fails(['--lr', '0'])).toBe('--lr: "0" is not a number > 0 and ≤ 1.');
    expect(fails(['--lr', 'fast'])).toBe('--lr: "fast" is not a number.');
    expect(fails(['--epochs', '1.5'])).toBe('--epochs: "1.5" is not an integer ≥ 1.');
    expect(fails(['--schedule', 'step'])).toBe('--schedule: "step" is not a schedule; use constant or cosine.');
    expect(fails(['--no-momentum=1'])).toBe('--no-momentum takes no value.');
    expect(fails(['--LR', '1'])).toBe('unknown option --LR (did you mean --lr?); see --help.');
    expect(fails(['--lr', '1', '--lr', '1'])).toBe('--lr is given more than once.');
    expect(fails(['--lr'])).toBe('--lr needs a value.');
  });

  it('renders its --help lines', () => {
    expect(flagHelp(FAKE)).toEqual([
      '  --lr ETA               learning rate η (default 0.01)',
      '  --no-momentum          plain gradient steps',
      '  --schedule constant|cosine  learning-rate schedule (default constant)',
      '  --epochs N             maximum epochs (default 10)',
    ]);
  });

  it('round-trips its link fields, writing only changes, and rejects unknown or bad fields', () => {
    const base = defaultsOf(FAKE);
    const wire = encodeLinkFields(FAKE, typed, base);
    expect(wire).toStrictEqual({ lr: 0.5, mom: false, schedule: 'cosine', epochs: 3 });
    expect(encodeLinkFields(FAKE, base, base)).toBeUndefined();
    const back = decodeLinkFields(FAKE, JSON.parse(JSON.stringify(wire)), 'state.solver', base);
    expect(back).toStrictEqual(typed);
    expect(decodeLinkFields(FAKE, { lr: 0.5 }, 'state.solver', base)).toStrictEqual({ ...base, lr: 0.5 });
    expect(() => decodeLinkFields(FAKE, { momentum: false }, 'state.solver', base)).toThrow(new Invalid('state.solver: unknown field "momentum" (allowed: lr, mom, schedule, epochs)'));
    expect(() => decodeLinkFields(FAKE, { lr: 0 }, 'state.solver', base)).toThrow(new Invalid('state.solver.lr: must be a finite number > 0 and ≤ 1, got 0'));
    expect(() => decodeLinkFields(FAKE, { epochs: 1001 }, 'state.solver', base)).toThrow(new Invalid('state.solver.epochs: must be an integer in [1, 1000], got 1001'));
  });

  it('renders its controls (order, labels, menus, test ids) and reports changes by key', () => {
    const changes: [string, unknown][] = [];
    const html = renderToStaticMarkup(createElement(ParamFields, { tables: [FAKE], group: 'solver', values: defaultsOf(FAKE, 'page'), onChange: (k, v) => changes.push([k, v]) }));
    const ids = [...html.matchAll(/data-testid="([^"]+)"/g)].map((m) => m[1]);
    expect(ids).toEqual(['epochs', 'lr', 'momentum', 'schedule']);
    expect(html).toContain('Learning rate η');
    expect(html).toContain('<option value="0.001">1e-3</option>');
    // The page default 100 is not a preset: shown as an extra entry, selected.
    expect(html).toContain('<option value="100" selected="">100</option>');
    expect(html).toContain('<option value="cosine">Cosine decay</option>');
    expect(html).toMatch(/<input type="checkbox" data-testid="momentum" checked=""\/>Momentum/);
  });
});

describe('the page controls from the real tables', () => {
  it('keep the fieldsets, order and test ids of the hand-written panel', () => {
    expect(groupEntries([PAGE_PARAMS, CRONOS_PARAMS], 'model').map(([k]) => k)).toEqual(['model', 'P', 'beta']);
    expect(groupEntries([PAGE_PARAMS, CRONOS_PARAMS], 'solver').map(([k]) => k)).toEqual(['rho', 'adaptiveRho', 'rank', 'preconditioner', 'pcgIters', 'warmStart', 'admmIters', 'tol', 'alpha', 'rhoBeta', 'rhoRace', 'anderson', 'stopRule', 'device']);
    const html = renderToStaticMarkup(createElement(Controls, { settings: { ...DEFAULT_SETTINGS, dataset: 'xor' }, onChange: () => {} }));
    const ids = [...html.matchAll(/data-testid="([^"]+)"/g)].map((m) => m[1]);
    expect(ids).toEqual(['dataset', 'remote-url', 'remote-label', 'remote-load', 'noise', 'split', 'seed', 'dataset-licence', 'method', 'P', 'beta', 'rho', 'adaptive-rho', 'rank', 'preconditioner', 'pcg', 'warm-start', 'admm-iters', 'tol', 'alpha', 'rho-beta', 'rho-race', 'anderson', 'device-pref', 'paper-settings', 'fast-settings']);
    expect(html).toContain('aria-label="Model"');
    expect(html).toContain('<option value="0.000001">1e-6</option>');
  });
});
