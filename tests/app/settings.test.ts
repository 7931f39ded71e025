/** Settings: defaults inside the limits, clamping, the solver config, and what a change rebuilds. */
import { describe, expect, it } from 'vitest';
import { DATASETS, datasetInfo, DEFAULT_DATASET, hasTestFile, isDatasetId, isPlanar } from '../../app/datasets';
import { changeLevel, clampSetting, clampSettings, DEFAULT_SETTINGS, LIMITS, menuOptions, PRESETS, presets, settingsKey, toSolverConfig, withFastSettings, withPaperSettings, type NumericKey, type Settings } from '../../app/settings';
import { DEFAULT_CONFIG, PAPER_CONFIG } from '../../solver/types';
import { METHODS, type MethodRegistry } from '../../solver/methods/index';
import { defaultsOf } from '../../solver/params/table';

describe('settings', () => {
  it('defaults lie inside the limits and train the default dataset with the solver defaults', () => {
    expect(clampSettings(DEFAULT_SETTINGS)).toEqual(DEFAULT_SETTINGS);
    expect(DEFAULT_SETTINGS.dataset).toBe(DEFAULT_DATASET);
    expect(DEFAULT_SETTINGS.dataset).toBe('fmnist-pullover-bag-10x10');
    for (const key of ['model', 'P', 'beta', 'rho', 'adaptiveRho', 'rank', 'pcgIters', 'warmStart'] as const) {
      expect(DEFAULT_SETTINGS[key]).toBe(DEFAULT_CONFIG[key]);
    }
  });

  it('keeps both surfaces\' defaults: the solver\'s (CLI, library) and the page\'s overrides', () => {
    expect(DEFAULT_CONFIG).toStrictEqual({ model: 'relu', P: 32, beta: 1e-3, rho: 0.1, adaptiveRho: false, rank: 10, preconditioner: 'auto', admmIters: 1500, pcgIters: 100, tol: 1e-4, seed: 0, warmStart: true, alpha: 1.6, rhoBeta: 0.5, rhoRace: 0, anderson: 10, stopRule: 'gap' });
    expect(DEFAULT_SETTINGS).toStrictEqual({
      method: 'cronos',
      dataset: 'fmnist-pullover-bag-10x10',
      noise: 0.1,
      testFraction: 0.3,
      device: 'auto',
      ...DEFAULT_CONFIG,
      seed: 1,
      // Every other registered method's page defaults ride along.
      ...otherMethodDefaults(),
    });
    // NumericKey is derived from the tables: exactly the clamped settings, no more, no fewer.
    const keys: Partial<Record<NumericKey, true>> = { noise: true, testFraction: true, P: true, beta: true, rho: true, rank: true, pcgIters: true, admmIters: true, tol: true, seed: true, alpha: true, anderson: true, rhoRace: true, rhoBeta: true };
    // …plus the numeric settings with a default of every other registered method.
    const others = Object.values(METHODS as MethodRegistry)
      .filter((m) => m.id !== 'cronos')
      .flatMap((m) => Object.entries(m.params).flatMap(([k, p]) => ((p.type === 'number' || p.type === 'integer') && !p.optional ? [settingsKey(m.id, k)] : [])));
    expect(Object.keys(LIMITS).sort()).toEqual([...new Set([...Object.keys(keys), ...others])].sort());
    // CRONOS-AM's admmIters (per head solve, not a budget) and SGD's learning rate (another default than Adam's) keep their own values.
    expect(settingsKey('cronos-am', 'admmIters')).toBe('cronos-am.admmIters');
    expect(DEFAULT_SETTINGS['cronos-am.admmIters']).toBe(METHODS['cronos-am'].params.admmIters.default);
    expect(settingsKey('sgd', 'lr')).toBe('sgd.lr');
    expect(settingsKey('cronos-am', 'beta')).toBe('beta');
  });

  it('every preset is inside its limit and the defaults are offered by the menus', () => {
    for (const [key, values] of Object.entries(PRESETS) as [NumericKey, readonly number[]][]) {
      for (const v of values) expect(clampSetting(key, v)).toBe(v);
      expect(values).toContain(DEFAULT_SETTINGS[key]);
      // Monotone menus (tolerances run from loose to tight).
      const up = [...values].sort((a, b) => a - b);
      expect([up, [...up].reverse()]).toContainEqual([...values]);
    }
  });

  it('clamps to the limits, rounds integer settings and maps NaN to the default', () => {
    expect(clampSetting('P', 0)).toBe(LIMITS.P.min);
    expect(clampSetting('P', 10_000)).toBe(LIMITS.P.max);
    expect(clampSetting('P', 31.6)).toBe(32);
    expect(clampSetting('seed', -5)).toBe(0);
    expect(clampSetting('seed', 12.4)).toBe(12);
    expect(clampSetting('noise', 0.9)).toBe(0.5);
    expect(clampSetting('beta', Number.NaN)).toBe(DEFAULT_SETTINGS.beta);
    expect(clampSetting('tol', Infinity)).toBe(DEFAULT_SETTINGS.tol);
    expect(clampSettings({ ...DEFAULT_SETTINGS, P: -3, rank: 1e9 })).toMatchObject({ P: 1, rank: LIMITS.rank.max });
  });

  it('menuOptions adds an off-menu value in the menu\'s own order', () => {
    expect(menuOptions(presets('P'), 32)).toEqual([...presets('P')]);
    expect(menuOptions([4, 8, 16], 12)).toEqual([4, 8, 12, 16]);
    expect(menuOptions([1e-2, 1e-3, 1e-4], 5e-3)).toEqual([1e-2, 5e-3, 1e-3, 1e-4]);
    expect(menuOptions([1e-2, 1e-3], 1)).toEqual([1, 1e-2, 1e-3]);
  });

  it('toSolverConfig copies every solver field', () => {
    const s: Settings = { ...DEFAULT_SETTINGS, model: 'gated', P: 8, beta: 0.1, rho: 1, adaptiveRho: true, rank: 5, preconditioner: 'block', pcgIters: 50, admmIters: 77, tol: 1e-5, warmStart: false, seed: 9, alpha: 1.5, rhoBeta: 3, rhoRace: 7, anderson: 4, stopRule: 'residuals' };
    expect(toSolverConfig(s)).toEqual({ model: 'gated', P: 8, beta: 0.1, rho: 1, adaptiveRho: true, rank: 5, preconditioner: 'block', pcgIters: 50, admmIters: 77, tol: 1e-5, warmStart: false, seed: 9, alpha: 1.5, rhoBeta: 3, rhoRace: 7, anderson: 4, stopRule: 'residuals' });
  });

  it('changeLevel: data/model/seed rebuild the problem, solver knobs the solver, the cap nothing', () => {
    const base = DEFAULT_SETTINGS;
    expect(changeLevel(base, { ...base })).toBe('none');
    expect(changeLevel(base, { ...base, admmIters: 1000 })).toBe('limit');
    for (const patch of [{ rho: 1 }, { adaptiveRho: true }, { rank: 0 }, { pcgIters: 5 }, { tol: 1e-5 }, { warmStart: false }, { device: 'cpu' as const }]) {
      expect(changeLevel(base, { ...base, ...patch })).toBe('solver');
    }
    for (const patch of [{ dataset: 'spiral' as const }, { noise: 0.3 }, { testFraction: 0.5 }, { model: 'gated' as const }, { P: 64 }, { beta: 0.1 }, { seed: 2 }]) {
      expect(changeLevel(base, { ...base, ...patch })).toBe('problem');
    }
    // The dearest change wins.
    expect(changeLevel(base, { ...base, admmIters: 10, rho: 1, P: 8 })).toBe('problem');
    expect(changeLevel(base, { ...base, admmIters: 10, rho: 1 })).toBe('solver');
  });
});

describe('dataset catalogue helpers', () => {
  it('finds entries, falls back to the default and classifies them', () => {
    expect(datasetInfo('spiral').title).toBe('Spiral');
    expect(datasetInfo('no-such-set').id).toBe(DEFAULT_DATASET);
    expect(isDatasetId('xor')).toBe(true);
    expect(isDatasetId('mnist')).toBe(false);
    expect(DATASETS.filter(isPlanar).map((d) => d.id)).toEqual(['spiral', 'circles', 'xor', 'gaussian']);
    expect(DATASETS.filter(hasTestFile).map((d) => d.id)).toEqual(['fmnist-pullover-bag-10x10', 'fmnist-pullover-bag-28x28']);
  });

  it('Paper settings run Nyström, the fast defaults the auto preconditioner (both keep model and data)', () => {
    const s: Settings = { ...DEFAULT_SETTINGS, dataset: 'xor', model: 'gated', preconditioner: 'none' };
    const paper = withPaperSettings(s);
    expect(paper.preconditioner).toBe('nystrom');
    expect(toSolverConfig(paper)).toMatchObject({ ...PAPER_CONFIG, model: 'gated', P: s.P, beta: s.beta, seed: s.seed });
    expect(paper.dataset).toBe('xor');
    expect(withFastSettings(paper).preconditioner).toBe(DEFAULT_CONFIG.preconditioner);
  });
});

/** The page defaults of every registered method but CRONOS (none while CRONOS is the only one). */
function otherMethodDefaults(): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const m of Object.values(METHODS as MethodRegistry)) {
    if (m.id === 'cronos') continue;
    for (const [k, v] of Object.entries(defaultsOf(m.params, 'page'))) {
      const at = settingsKey(m.id, k);
      if (at === k && k in DEFAULT_CONFIG) continue;
      out[at] ??= v;
    }
  }
  return out;
}
