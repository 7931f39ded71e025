/**
 * The CPU solver's exact u-solve for few rows (solver/cpu/woodbury.ts, spec §5.6): `auto` picks
 * it on the float64 CPU when n ≤ EXACT_MAX_ROWS and ρ stays fixed, and its iterates equal those
 * of the dense Cholesky solve of A (the test-only exact path) to rounding — for ReLU and gated,
 * binary and one-vs-all, and after a ρ change (a loaded state at another ρ refactors its core).
 */
import { describe, expect, it } from 'vitest';
import { CpuSolver } from '../../../solver/cpu/admm';
import { EXACT_MAX_ROWS, exactSolveContext, resolvePreconditioner, WOODBURY_GPU_MAX_ERROR, woodburyFloat32Error } from '../../../solver/preconditioner';
import { DEFAULT_CONFIG, type ModelKind } from '../../../solver/types';
import { randomProblem, relError } from '../../support/helpers';

describe.each([
  { model: 'relu' as ModelKind, classes: 2 },
  { model: 'relu' as ModelKind, classes: 3 },
  { model: 'gated' as ModelKind, classes: 2 },
  { model: 'gated' as ModelKind, classes: 3 },
])('Woodbury u-solve: $model, $classes classes', ({ model, classes }) => {
  it('auto picks it on the CPU, and its iterates equal the dense exact solve', async () => {
    const problem = randomProblem({ n: 48, d: 5, P: 6, classes, model, beta: 0.05, seed: 3 });
    const config = { ...DEFAULT_CONFIG, model, P: 6, beta: 0.05, admmIters: 200, anderson: 0 };
    const wood = new CpuSolver(problem, config);
    expect(wood.preconditionerInUse()?.kind).toBe('exact');
    expect(wood.preconditionerInUse()?.reason).toMatch(/Woodbury.*48×48/);
    const dense = new CpuSolver(problem, config, undefined, { exactSolve: true });
    for (let k = 0; k < 25; k++) {
      const a = await wood.step();
      const b = await dense.step();
      expect(Math.abs(a.objective - b.objective), `iteration ${k + 1}`).toBeLessThanOrEqual(1e-9 * Math.abs(b.objective));
      expect(a.pcgIterations).toBe(0);
    }
    // A state at another ρ: both refactor (the Woodbury core is kept, only ρI changes).
    const state = await dense.saveState();
    const moved = { ...state, rho: state.rho * 3 };
    await wood.loadState(moved);
    await dense.loadState(moved);
    for (let k = 0; k < 5; k++) {
      const a = await wood.step();
      const b = await dense.step();
      expect(Math.abs(a.objective - b.objective)).toBeLessThanOrEqual(1e-9 * Math.abs(b.objective));
    }
    const [sa, sb] = await Promise.all([wood.solution(), dense.solution()]);
    expect(relError(sa.U, sb.U)).toBeLessThan(1e-8);
  });
});

describe('when auto takes the exact u-solve', () => {
  const relu = { model: 'relu' as ModelKind, rank: 10, preconditioner: 'auto' as const };
  it('with few rows and a fixed ρ: on the CPU the solve itself, on the GPU its factors as the preconditioner', () => {
    // ReLU with P = 32: the core's top eigenvalue is below 2P = 64.
    const cpu = (rows: number, fixedRho = true) => ({ rows, fixedRho, device: 'cpu' as const, rho: 5e-4, coreBound: 64 });
    const gpu = (rows: number, fixedRho = true, rho = 5e-4, coreBound = 64) => ({ rows, fixedRho, device: 'gpu' as const, rho, coreBound });
    expect(resolvePreconditioner(relu, 100, Infinity, cpu(EXACT_MAX_ROWS)).kind).toBe('exact');
    expect(resolvePreconditioner(relu, 100, Infinity, cpu(EXACT_MAX_ROWS + 1)).kind).toBe('block');
    expect(resolvePreconditioner(relu, 100, Infinity, cpu(100, false)).kind).toBe('block');
    expect(resolvePreconditioner({ ...relu, preconditioner: 'block' }, 100, Infinity, cpu(100)).kind).toBe('block');
    expect(resolvePreconditioner({ ...relu, preconditioner: 'nystrom' }, 100, Infinity, cpu(100)).kind).toBe('nystrom');
    expect(resolvePreconditioner(relu, 100, Infinity, gpu(EXACT_MAX_ROWS)).kind).toBe('woodbury');
    // Gated ReLU on the GPU only where P·‖X‖_F²/ρ keeps float32 accurate (B = I: the core keeps XXᵀ's range) …
    const gated = { model: 'gated' as ModelKind, rank: 10, preconditioner: 'auto' as const };
    const fmnistSlice = exactSolveContext({ ...DEFAULT_CONFIG, P: 8 }, { n: 300, beta: 1e-3, model: 'gated', X: new Float64Array(300 * 100).fill(1) }, 'gpu');
    expect(fmnistSlice.coreBound).toBe(8 * 300 * 100);
    expect(resolvePreconditioner(gated, 100, Infinity, fmnistSlice).kind).toBe('nystrom');
    const small = exactSolveContext({ ...DEFAULT_CONFIG, P: 8 }, { n: 60, beta: 0.1, model: 'gated', X: new Float64Array(60 * 5).fill(1) }, 'gpu');
    expect(resolvePreconditioner(gated, 5, Infinity, small).kind).toBe('woodbury');
    expect(exactSolveContext(DEFAULT_CONFIG, { n: 60, beta: 0.1, model: 'gated' }, 'gpu').coreBound).toBe(Infinity);
    expect(resolvePreconditioner({ model: 'gated', rank: 10, preconditioner: 'auto' }, 100, Infinity, cpu(100)).kind).toBe('exact');
    // … and for ReLU not where ε₃₂·(1 + 2P/ρ) exceeds WOODBURY_GPU_MAX_ERROR (P = 32: ρ below ~7.6e-5).
    expect(woodburyFloat32Error(64, 7.7e-5)).toBeLessThanOrEqual(WOODBURY_GPU_MAX_ERROR);
    expect(resolvePreconditioner(relu, 100, Infinity, gpu(100, true, 7.7e-5)).kind).toBe('woodbury');
    expect(resolvePreconditioner(relu, 100, Infinity, gpu(100, true, 7e-5)).kind).toBe('block');
    expect(resolvePreconditioner(relu, 100, Infinity, gpu(EXACT_MAX_ROWS + 1)).kind).toBe('block');
    expect(resolvePreconditioner(relu, 100, Infinity, gpu(100, false)).kind).toBe('block');
    // W and Wᵀ must each fit one binding.
    expect(resolvePreconditioner(relu, 100, 4 * 1000 * 1000 - 1, gpu(1000)).kind).toBe('block');
    expect(resolvePreconditioner(relu, 100, 4 * 1000 * 1000, gpu(1000)).kind).toBe('woodbury');
    // Without a context (the paths that predate it) nothing changes.
    expect(resolvePreconditioner(relu, 100, Infinity).kind).toBe('block');
  });
});
