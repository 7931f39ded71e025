/**
 * The settings of CRONOS (ADMM + Nyström-preconditioned CG, spec §4), declared once: the
 * solver's defaults (spec §4.7, {@link DEFAULT_CONFIG}), the page's overrides, limits, menus,
 * labels, CLI flags and share-link fields all come from here. Key order is the CLI's `--help`
 * order; `control.order` places an entry elsewhere in the page's fieldset.
 *
 * The `link` keys and ranges are what v1 share links accept (app/share/state.ts): a key must
 * never be renamed and a range never narrowed, or old links would change meaning or fail.
 */
import { choiceOf, menuInteger, menuReal } from '../../params/menu';
import { defineTable, flag, optionalNumber, type Values } from '../../params/table';

/** Largest 32-bit seed: the RNG truncates to 32 bits. */
const UINT32_MAX = 0xffffffff;

/** The CRONOS table. */
export const CRONOS_PARAMS = defineTable({
  model: choiceOf('model', ['relu', 'gated'], {
    label: 'Model', change: 'problem', default: 'relu',
    choices: {
      relu: { label: 'ReLU', help: 'Cone-constrained convex program (spec §1.2).' },
      gated: { label: 'Gated ReLU', help: 'Unconstrained: the gates fix the activations (spec §1.3).' },
    },
    flag: '--model', cliHelp: 'convex ReLU (cone-constrained) or gated ReLU', noun: 'model',
    kind: 'radio', group: 'model',
  }),
  P: menuInteger('P', {
    label: 'Sampled patterns P', short: 'P', change: 'problem',
    help: 'Activation patterns Dᵢ = 1[Xgᵢ ≥ 0]; up to 2P neurons per output.',
    default: 32, min: 1, max: 1024, logScale: true, presets: [4, 8, 16, 32, 64, 128, 256],
    flag: '--P', arg: 'N', cliHelp: 'sampled activation patterns', cliRange: { min: 1 },
    group: 'model', testId: 'P',
  }),
  beta: menuReal('beta', {
    label: 'Group-lasso weight β', short: 'β', change: 'problem', help: 'Larger β prunes more neurons.',
    default: 1e-3, min: 0, max: 100, logScale: true, presets: [0, 1e-4, 1e-3, 1e-2, 0.1, 1, 10],
    flag: '--beta', arg: 'B', cliHelp: 'group-lasso weight β ≥ 0', cliRange: { min: 0 }, linkRange: { min: 0 },
    group: 'model', testId: 'beta', format: 'setting',
  }),
  rho: menuReal('rho', {
    label: 'ADMM penalty ρ', short: 'ρ', change: 'solver',
    default: 0.1, min: 1e-4, max: 1e3, logScale: true, presets: [1e-3, 0.01, 0.1, 1, 10],
    flag: '--rho', arg: 'R', cliHelp: 'ADMM penalty ρ > 0', cliRange: { above: 0 }, linkRange: { above: 0 },
    group: 'solver', testId: 'rho', format: 'setting',
  }),
  adaptiveRho: flag({
    default: false,
    label: 'Adaptive ρ (residual balancing)',
    change: 'solver',
    cli: { flag: '--adaptive-rho', help: 'residual balancing of ρ' },
    link: { key: 'adaptiveRho' },
    control: { kind: 'check', group: 'solver', testId: 'adaptive-rho' },
  }),
  rank: menuInteger('rank', {
    label: 'Nyström rank', short: 'Nyström rank', change: 'solver', help: 'Rank of the PCG preconditioner; 0 = plain CG.',
    default: 10, min: 0, max: 256, presets: [0, 5, 10, 20, 50],
    flag: '--rank', arg: 'R', cliHelp: 'Nyström preconditioner rank, 0 = none', cliRange: { min: 0, max: UINT32_MAX },
    group: 'solver', testId: 'rank',
  }),
  // Enough for a certified 1e-4 with the accelerated defaults (issue 9); --paper restores 50.
  admmIters: menuInteger('admmIters', {
    label: 'ADMM iterations (cap)', short: 'ADMM iterations', change: 'limit',
    default: 1500, min: 1, max: 100_000, logScale: true, presets: [50, 100, 200, 500, 1000, 1500, 2000, 5000],
    flag: '--admm-iters', arg: 'N', cliHelp: 'maximum ADMM iterations', cliRange: { min: 1 },
    group: 'solver', testId: 'admm-iters', order: 8.5,
  }),
  // 100, not the paper's 20: at ρ = c·β the coupling FᵀF/ρ dominates A and no preconditioner
  // removes it, so 20 PCG iterations left the ReLU u-solve too inexact to certify 1e-4
  // (bench convergence, spec §4.5); the tolerance schedule still stops most steps earlier.
  pcgIters: menuInteger('pcgIters', {
    label: 'PCG iterations (max per step)', short: 'PCG iterations', change: 'solver',
    default: 100, min: 1, max: 10_000, presets: [5, 10, 20, 50, 100],
    flag: '--pcg-iters', arg: 'N', cliHelp: 'maximum PCG iterations per ADMM step', cliRange: { min: 1 },
    group: 'solver', testId: 'pcg',
  }),
  pcgTol: optionalNumber({
    type: 'number',
    label: 'PCG tolerance',
    change: 'solver',
    cli: { flag: '--pcg-tol', arg: 'T', help: 'fixed absolute PCG tolerance', range: { min: 0 }, defaultText: ' (default: the schedule 1/(1+k)^1.2)' },
    link: { key: 'pcgTol', range: { min: 0, max: 1 } },
  }),
  // The certified relative gap of the default stopping rule (--paper: 1e-6 on the residuals).
  tol: menuReal('tol', {
    label: 'Tolerance ε', short: 'tolerance ε', change: 'solver',
    help: 'Certified relative gap to stop at (gap rule), or ε_abs = ε_rel of the residual rule.',
    default: 1e-4, min: 0, max: 1, logScale: true, presets: [1e-2, 1e-3, 1e-4, 1e-5, 1e-6],
    flag: '--tol', arg: 'T', cliHelp: 'stop at this certified relative gap (--stop gap) or residual\nε_abs = ε_rel (--stop residuals)', cliRange: { above: 0 },
    group: 'solver', testId: 'tol', format: 'setting',
  }),
  // The seed drives the data, the split and the gates, so it rebuilds the problem. The page
  // shows it with the data (a number field and a "New seed" button).
  seed: menuInteger('seed', {
    label: 'Seed', short: 'seed', change: 'problem', help: 'Drives the data, the split, the gates and the Nyström sketch.',
    default: 0, pageDefault: 1, min: 0, max: UINT32_MAX,
    flag: '--seed', arg: 'S', cliHelp: 'seed of gates, sketch and split',
    group: 'data', testId: 'seed', format: 'custom',
  }),
  warmStart: flag({
    default: true,
    label: 'Warm-start PCG',
    change: 'solver',
    cli: { flag: '--no-warm-start', negate: true, help: "start PCG from 0 each step (the official code's behaviour)" },
    link: { key: 'warmStart' },
    control: { kind: 'check', group: 'solver', testId: 'warm-start', order: 7.5 },
  }),
  alpha: menuReal('alpha', {
    label: 'Over-relaxation α', short: 'α', change: 'solver',
    help: 'v and s see αu + (1 − α)v_old; 1 = plain ADMM (the paper), 1.6 converges ~1.8× faster.',
    default: 1.6, min: 0.1, max: 1.95, presets: [1, 1.5, 1.6, 1.8],
    flag: '--alpha', arg: 'A', cliHelp: 'over-relaxation α in (0, 2); 1 = plain ADMM', cliRange: { above: 0, below: 2 }, linkRange: { above: 0, below: 2 },
    group: 'solver', testId: 'alpha',
  }),
  rhoBeta: menuReal('rhoBeta', {
    label: 'ρ = c·β (c)', short: 'ρ/β', change: 'solver', help: 'The penalty follows β (the best fixed ρ lies in 0.3β–10β); 0 = use ρ as set.',
    default: 0.5, min: 0, max: 100, presets: [0, 0.3, 0.5, 1, 3],
    flag: '--rho-beta', arg: 'C', cliHelp: 'ρ = C·β when C > 0 and β > 0; 0 = use --rho (given --rho alone\nimplies 0)', cliRange: { min: 0 }, linkRange: { min: 0 },
    group: 'solver', testId: 'rho-beta',
  }),
  rhoRace: menuInteger('rhoRace', {
    label: 'ρ race (iterations per candidate)', short: 'ρ race', change: 'solver',
    help: 'Races ρ ∈ β·{0.1, 0.3, 1, 3, 10} for this many iterations each, then continues with the lowest objective; 0 = fixed ρ.',
    default: 0, min: 0, max: 1000, presets: [0, 10, 20, 50, 100],
    flag: '--rho-race', arg: 'N', cliRange: { min: 0, max: 100_000 }, linkRange: { min: 0, max: 100_000 },
    cliHelp: 'iterations per candidate of the ρ race over β·{0.1, 0.3, 1, 3, 10}\n(ρ·{…} when β = 0), then the lowest objective continues; 0 = fixed --rho',
    group: 'solver', testId: 'rho-race',
  }),
  anderson: menuInteger('anderson', {
    label: 'Anderson memory', short: 'Anderson memory', change: 'solver',
    help: 'Safeguarded Anderson acceleration of the ADMM fixed point (CPU and GPU solvers); 0 = off.',
    default: 10, min: 0, max: 50, presets: [0, 5, 10, 20],
    flag: '--anderson', arg: 'M', cliHelp: 'Anderson acceleration memory, 0 = off (CPU and GPU)',
    group: 'solver', testId: 'anderson',
  }),
  stopRule: choiceOf('stopRule', ['gap', 'residuals'], {
    label: 'Stop when', change: 'limit', default: 'gap',
    choices: {
      gap: { label: 'certified gap ≤ ε', help: '(f − dual bound)/f ≤ ε and cone violation ≤ ε·max|XU|: provably ε-optimal.' },
      residuals: { label: 'residuals ≤ ε', help: 'The ADMM primal and dual residual thresholds (spec §4.4).' },
    },
    flag: '--stop', cliHelp: 'stopping rule: certified relative gap or ADMM residuals', noun: 'rule',
    kind: 'radio', group: 'solver', testId: 'stop-rule',
  }),
  // New runs pick the block preconditioner where it applies (spec §5.5); a share link without
  // this field means Nyström (app/share/state.ts WIRE_DEFAULTS_V1), what links made before it ran.
  // After the rank on the page; last in the table so the CLI's and the links' order stay put.
  preconditioner: choiceOf('preconditioner', ['auto', 'block', 'nystrom', 'none'], {
    label: 'PCG preconditioner', short: 'preconditioner', change: 'solver', default: 'auto',
    help: 'Block (I + XᵀX)⁻¹ needs ~10× fewer PCG iterations on pixel data; Nyström is the paper’s.',
    choices: {
      auto: { label: 'Auto', help: 'With n ≤ 2048 rows and a fixed ρ the exact inverse of A (Woodbury); else block for ReLU when d ≤ 2048 and it fits the GPU, else Nyström.' },
      block: { label: 'Block (I + XᵀX)⁻¹', help: 'Exact inverse of I + GᵀG, one d×d factorisation for every ρ (ReLU only).' },
      nystrom: { label: 'Nyström', help: 'The paper’s randomized low-rank preconditioner of the given rank.' },
      none: { label: 'None', help: 'Plain conjugate gradients.' },
    },
    flag: '--preconditioner', noun: 'preconditioner',
    cliHelp: 'PCG preconditioner: auto (n ≤ 2048 and a fixed ρ: the exact inverse of A,\nspec §5.6; else block for ReLU with d ≤ 2048, else Nyström),\nblock (I + XᵀX)⁻¹, nystrom (rank --rank) or none',
    kind: 'select', group: 'solver', testId: 'preconditioner', order: 5.5,
  }),
});

/** The settings CRONOS_PARAMS declares (the same fields as SolverConfig). */
export type CronosParams = Values<typeof CRONOS_PARAMS>;
