/**
 * Links made by the page before the parameter table (the `#v1.` encoder of December 2026, run on
 * the untouched code) must keep opening with exactly the settings they were made from.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS, type Settings } from '../../app/settings';
import { decodeState, encodeState } from '../../app/share/state';
import { fromShareState, toShareState } from '../../app/share/wire';

/** What links made before issue 9 ran: Nyström, plain ADMM, no acceleration, the residual stopping rule. */
const BEFORE_ISSUE_9 = { preconditioner: 'nystrom', alpha: 1, anderson: 0, rhoRace: 0, rhoBeta: 0, stopRule: 'residuals' } as const;

interface Fixture {
  name: string;
  hash: string;
  /** The page and CRONOS fields then (any other method's stay at their defaults); `preconditioner` and issue 9's fields did not exist (they must read as the old behaviour). */
  settings: Partial<Omit<Settings, 'method' | keyof typeof BEFORE_ISSUE_9>>;
  xAxis: 'iteration' | 'time';
}

const FIXTURES: Fixture[] = [
  {"name":"defaults","hash":"v1.q8YMCHRPG5PjaSTHmoIcC3cewnW1tQBSJ6L6","settings":{"dataset":"fmnist-pullover-bag-10x10","noise":0.1,"testFraction":0.3,"model":"relu","P":32,"beta":0.001,"rho":0.1,"adaptiveRho":false,"rank":10,"pcgIters":20,"admmIters":500,"tol":0.001,"warmStart":true,"seed":1,"device":"auto"},"xAxis":"iteration"},
  {"name":"xor, cpu, P 16, β 0.01, tol 1e-6, 100 iters, seed 7, time axis","hash":"v1.w5a-0KISFP7YAgw9cIxRAsccV-CYowQOMDAMzVADA92fEM-AtKFEPI5Ir60FANqfOV4","settings":{"dataset":"xor","noise":0.1,"testFraction":0.3,"model":"relu","P":16,"beta":0.01,"rho":0.1,"adaptiveRho":false,"rank":10,"pcgIters":20,"admmIters":100,"tol":0.000001,"warmStart":true,"seed":7,"device":"cpu"},"xAxis":"time"},
  {"name":"gated, adaptive ρ, no warm start, rank 0, pcg 50","hash":"v1.q8YMCHRPG1PD0wR9iOpBUzwexOe_2loAR9iEDQ","settings":{"dataset":"fmnist-pullover-bag-10x10","noise":0.1,"testFraction":0.3,"model":"gated","P":32,"beta":0.001,"rho":1,"adaptiveRho":true,"rank":0,"pcgIters":50,"admmIters":500,"tol":0.001,"warmStart":false,"seed":1,"device":"auto"},"xAxis":"iteration"},
  {"name":"spiral, noise 0.25, split 0.5, seeds apart, pcgTol","hash":"v1.w5a-0KISGh3Ywgw9fExRwwcYXPAAMgLKIYUQahAhec0U5DW4Z-B-MUZ1OcjpAELQDuw","settings":{"dataset":"spiral","noise":0.25,"testFraction":0.5,"model":"relu","P":32,"beta":0.001,"rho":0.1,"adaptiveRho":false,"rank":10,"pcgIters":20,"admmIters":500,"tol":0.001,"warmStart":true,"seed":3,"device":"auto","dataSeed":11,"splitSeed":12,"pcgTol":0.0001},"xAxis":"iteration"},
  {"name":"breast-cancer, gpu, β 0, ρ 10, 5000 iters, tol 1e-5","hash":"v1.w5a-0KISNcKwBR16MBmTE0zAYDEyNYOHCyxQUD1uCvQfsl-RPIucMECJohYAji9Wxg","settings":{"dataset":"breast-cancer","noise":0.1,"testFraction":0.3,"model":"relu","P":256,"beta":0,"rho":10,"adaptiveRho":false,"rank":10,"pcgIters":20,"admmIters":5000,"tol":0.00001,"warmStart":true,"seed":1,"device":"gpu"},"xAxis":"iteration"},
];

describe('v1 links from the pre-table encoder', () => {
  for (const f of FIXTURES) {
    it(`${f.name} opens with the same settings`, () => {
      const r = decodeState(f.hash);
      if (!r.ok) throw new Error(r.error);
      const applied = fromShareState(r.state, DEFAULT_SETTINGS);
      expect(applied.notices).toEqual([]);
      expect(applied.view).toEqual({ xAxis: f.xAxis });
      // A link without the later fields replays the run it was made from: Nyström, not the new
      // 'auto', and plain ADMM with the residual rule.
      expect(applied.settings).toStrictEqual({ ...DEFAULT_SETTINGS, ...BEFORE_ISSUE_9, ...f.settings });
      // And the page writes the very same fragment back (the address does not change on open).
      expect(encodeState(toShareState(applied.settings, applied.view))).toBe(f.hash);
    });
  }
});
