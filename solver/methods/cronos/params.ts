/**
 * The settings of CRONOS (ADMM + Nyström-preconditioned CG, spec §4), declared once: the
 * solver's defaults (spec §4.7, {@link DEFAULT_CONFIG}), the page's overrides, limits, menus,
 * labels, CLI flags and share-link fields all come from here. Key order is the CLI's `--help`
 * order; `control.order` places an entry elsewhere in the page's fieldset.
 *
 * The `link` keys and ranges are what v1 share links accept (app/share/state.ts): a key must
 * never be renamed and a range never narrowed, or old links would change meaning or fail.
 */
import { choice, defineTable, flag, integer, optionalNumber, real, type Values } from '../../params/table';

/** Largest 32-bit seed: the RNG truncates to 32 bits. */
const UINT32_MAX = 0xffffffff;

/** The CRONOS table. */
export const CRONOS_PARAMS = defineTable({
  model: choice(['relu', 'gated'], {
    default: 'relu',
    label: 'Model',
    change: 'problem',
    choices: {
      relu: { label: 'ReLU', help: 'Cone-constrained convex program (spec §1.2).' },
      gated: { label: 'Gated ReLU', help: 'Unconstrained: the gates fix the activations (spec §1.3).' },
    },
    cli: { flag: '--model', help: 'convex ReLU (cone-constrained) or gated ReLU', noun: 'model' },
    link: { key: 'model' },
    control: { kind: 'radio', group: 'model' },
  }),
  P: integer({
    default: 32,
    label: 'Sampled patterns P',
    short: 'P',
    help: 'Activation patterns Dᵢ = 1[Xgᵢ ≥ 0]; up to 2P neurons per output.',
    change: 'problem',
    limits: { min: 1, max: 1024 },
    logScale: true,
    presets: [4, 8, 16, 32, 64, 128, 256],
    cli: { flag: '--P', arg: 'N', help: 'sampled activation patterns', range: { min: 1 } },
    link: { key: 'P', range: { min: 1, max: 1024 } },
    control: { kind: 'menu', group: 'model', testId: 'P', format: 'plain' },
  }),
  beta: real({
    default: 1e-3,
    label: 'Group-lasso weight β',
    short: 'β',
    help: 'Larger β prunes more neurons.',
    change: 'problem',
    limits: { min: 0, max: 100 },
    logScale: true,
    presets: [0, 1e-4, 1e-3, 1e-2, 0.1, 1, 10],
    cli: { flag: '--beta', arg: 'B', help: 'group-lasso weight β ≥ 0', range: { min: 0 } },
    link: { key: 'beta', range: { min: 0 } },
    control: { kind: 'menu', group: 'model', testId: 'beta', format: 'setting' },
  }),
  rho: real({
    default: 0.1,
    label: 'ADMM penalty ρ',
    short: 'ρ',
    change: 'solver',
    limits: { min: 1e-4, max: 1e3 },
    logScale: true,
    presets: [1e-3, 0.01, 0.1, 1, 10],
    cli: { flag: '--rho', arg: 'R', help: 'ADMM penalty ρ > 0', range: { above: 0 } },
    link: { key: 'rho', range: { above: 0 } },
    control: { kind: 'menu', group: 'solver', testId: 'rho', format: 'setting' },
  }),
  adaptiveRho: flag({
    default: false,
    label: 'Adaptive ρ (residual balancing)',
    change: 'solver',
    cli: { flag: '--adaptive-rho', help: 'residual balancing of ρ' },
    link: { key: 'adaptiveRho' },
    control: { kind: 'check', group: 'solver', testId: 'adaptive-rho' },
  }),
  rank: integer({
    default: 10,
    label: 'Nyström rank',
    short: 'Nyström rank',
    help: 'Rank of the PCG preconditioner; 0 = plain CG.',
    change: 'solver',
    limits: { min: 0, max: 256 },
    presets: [0, 5, 10, 20, 50],
    cli: { flag: '--rank', arg: 'R', help: 'Nyström preconditioner rank, 0 = none', range: { min: 0, max: UINT32_MAX } },
    link: { key: 'rank', range: { min: 0, max: 256 } },
    control: { kind: 'menu', group: 'solver', testId: 'rank', format: 'plain' },
  }),
  admmIters: integer({
    // Enough for a certified 1e-4 with the accelerated defaults (issue 9); --paper restores 50.
    default: 1500,
    label: 'ADMM iterations (cap)',
    short: 'ADMM iterations',
    change: 'limit',
    limits: { min: 1, max: 100_000 },
    logScale: true,
    presets: [50, 100, 200, 500, 1000, 1500, 2000, 5000],
    cli: { flag: '--admm-iters', arg: 'N', help: 'maximum ADMM iterations', range: { min: 1 } },
    link: { key: 'admmIters', range: { min: 1, max: 100_000 } },
    control: { kind: 'menu', group: 'solver', testId: 'admm-iters', format: 'plain', order: 8.5 },
  }),
  pcgIters: integer({
    // 100, not the paper's 20: at ρ = c·β the coupling FᵀF/ρ dominates A and no preconditioner
    // removes it, so 20 PCG iterations left the ReLU u-solve too inexact to certify 1e-4
    // (bench convergence, spec §4.5); the tolerance schedule still stops most steps earlier.
    default: 100,
    label: 'PCG iterations (max per step)',
    short: 'PCG iterations',
    change: 'solver',
    limits: { min: 1, max: 10_000 },
    presets: [5, 10, 20, 50, 100],
    cli: { flag: '--pcg-iters', arg: 'N', help: 'maximum PCG iterations per ADMM step', range: { min: 1 } },
    link: { key: 'pcgIters', range: { min: 1, max: 10_000 } },
    control: { kind: 'menu', group: 'solver', testId: 'pcg', format: 'plain' },
  }),
  pcgTol: optionalNumber({
    type: 'number',
    label: 'PCG tolerance',
    change: 'solver',
    cli: { flag: '--pcg-tol', arg: 'T', help: 'fixed absolute PCG tolerance', range: { min: 0 }, defaultText: ' (default: the schedule 1/(1+k)^1.2)' },
    link: { key: 'pcgTol', range: { min: 0, max: 1 } },
  }),
  tol: real({
    // The certified relative gap of the default stopping rule (--paper: 1e-6 on the residuals).
    default: 1e-4,
    label: 'Tolerance ε',
    short: 'tolerance ε',
    help: 'Certified relative gap to stop at (gap rule), or ε_abs = ε_rel of the residual rule.',
    change: 'solver',
    limits: { min: 0, max: 1 },
    logScale: true,
    presets: [1e-2, 1e-3, 1e-4, 1e-5, 1e-6],
    cli: { flag: '--tol', arg: 'T', help: 'stop at this certified relative gap (--stop gap) or residual\nε_abs = ε_rel (--stop residuals)', range: { above: 0 } },
    link: { key: 'tol', range: { min: 0, max: 1 } },
    control: { kind: 'menu', group: 'solver', testId: 'tol', format: 'setting' },
  }),
  seed: integer({
    default: 0,
    pageDefault: 1,
    label: 'Seed',
    short: 'seed',
    help: 'Drives the data, the split, the gates and the Nyström sketch.',
    // The seed drives the data, the split and the gates, so it rebuilds the problem.
    change: 'problem',
    limits: { min: 0, max: UINT32_MAX },
    cli: { flag: '--seed', arg: 'S', help: 'seed of gates, sketch and split', range: { min: 0, max: UINT32_MAX } },
    link: { key: 'seed', range: { min: 0, max: UINT32_MAX } },
    // The page shows the seed with the data (a number field and a "New seed" button).
    control: { kind: 'custom', group: 'data', testId: 'seed' },
  }),
  warmStart: flag({
    default: true,
    label: 'Warm-start PCG',
    change: 'solver',
    cli: { flag: '--no-warm-start', negate: true, help: "start PCG from 0 each step (the official code's behaviour)" },
    link: { key: 'warmStart' },
    control: { kind: 'check', group: 'solver', testId: 'warm-start', order: 7.5 },
  }),
  alpha: real({
    default: 1.6,
    label: 'Over-relaxation α',
    short: 'α',
    help: 'v and s see αu + (1 − α)v_old; 1 = plain ADMM (the paper), 1.6 converges ~1.8× faster.',
    change: 'solver',
    limits: { min: 0.1, max: 1.95 },
    presets: [1, 1.5, 1.6, 1.8],
    cli: { flag: '--alpha', arg: 'A', help: 'over-relaxation α in (0, 2); 1 = plain ADMM', range: { above: 0, below: 2 } },
    link: { key: 'alpha', range: { above: 0, below: 2 } },
    control: { kind: 'menu', group: 'solver', testId: 'alpha', format: 'plain' },
  }),
  rhoBeta: real({
    default: 0.5,
    label: 'ρ = c·β (c)',
    short: 'ρ/β',
    help: 'The penalty follows β (the best fixed ρ lies in 0.3β–10β); 0 = use ρ as set.',
    change: 'solver',
    limits: { min: 0, max: 100 },
    presets: [0, 0.3, 0.5, 1, 3],
    cli: { flag: '--rho-beta', arg: 'C', help: 'ρ = C·β when C > 0 and β > 0; 0 = use --rho (given --rho alone\nimplies 0)', range: { min: 0 } },
    link: { key: 'rhoBeta', range: { min: 0 } },
    control: { kind: 'menu', group: 'solver', testId: 'rho-beta', format: 'plain' },
  }),
  rhoRace: integer({
    default: 0,
    label: 'ρ race (iterations per candidate)',
    short: 'ρ race',
    help: 'Races ρ ∈ β·{0.1, 0.3, 1, 3, 10} for this many iterations each, then continues with the lowest objective; 0 = fixed ρ.',
    change: 'solver',
    limits: { min: 0, max: 1000 },
    presets: [0, 10, 20, 50, 100],
    cli: { flag: '--rho-race', arg: 'N', help: 'iterations per candidate of the ρ race over β·{0.1, 0.3, 1, 3, 10}\n(ρ·{…} when β = 0), then the lowest objective continues; 0 = fixed --rho', range: { min: 0, max: 100_000 } },
    link: { key: 'rhoRace', range: { min: 0, max: 100_000 } },
    control: { kind: 'menu', group: 'solver', testId: 'rho-race', format: 'plain' },
  }),
  anderson: integer({
    default: 10,
    label: 'Anderson memory',
    short: 'Anderson memory',
    help: 'Safeguarded Anderson acceleration of the ADMM fixed point (CPU and GPU solvers); 0 = off.',
    change: 'solver',
    limits: { min: 0, max: 50 },
    presets: [0, 5, 10, 20],
    cli: { flag: '--anderson', arg: 'M', help: 'Anderson acceleration memory, 0 = off (CPU and GPU)', range: { min: 0, max: 50 } },
    link: { key: 'anderson', range: { min: 0, max: 50 } },
    control: { kind: 'menu', group: 'solver', testId: 'anderson', format: 'plain' },
  }),
  stopRule: choice(['gap', 'residuals'], {
    default: 'gap',
    label: 'Stop when',
    change: 'limit',
    choices: {
      gap: { label: 'certified gap ≤ ε', help: '(f − dual bound)/f ≤ ε and cone violation ≤ ε·max|XU|: provably ε-optimal.' },
      residuals: { label: 'residuals ≤ ε', help: 'The ADMM primal and dual residual thresholds (spec §4.4).' },
    },
    cli: { flag: '--stop', help: 'stopping rule: certified relative gap or ADMM residuals', noun: 'rule' },
    link: { key: 'stopRule' },
    control: { kind: 'radio', group: 'solver', testId: 'stop-rule' },
  }),
  preconditioner: choice(['auto', 'block', 'nystrom', 'none'], {
    // New runs pick the block preconditioner where it applies (spec §5.5); a share link without
    // this field means Nyström (app/share/state.ts WIRE_DEFAULTS_V1), what links made before it ran.
    default: 'auto',
    label: 'PCG preconditioner',
    short: 'preconditioner',
    help: 'Block (I + XᵀX)⁻¹ needs ~10× fewer PCG iterations on pixel data; Nyström is the paper’s.',
    change: 'solver',
    choices: {
      auto: { label: 'Auto', help: 'Block for ReLU when d ≤ 2048 and it fits the GPU, else Nyström.' },
      block: { label: 'Block (I + XᵀX)⁻¹', help: 'Exact inverse of I + GᵀG, one d×d factorisation for every ρ (ReLU only).' },
      nystrom: { label: 'Nyström', help: 'The paper’s randomized low-rank preconditioner of the given rank.' },
      none: { label: 'None', help: 'Plain conjugate gradients.' },
    },
    cli: { flag: '--preconditioner', help: 'PCG preconditioner: auto (block for ReLU with d ≤ 2048, else Nyström),\nblock (I + XᵀX)⁻¹, nystrom (rank --rank) or none', noun: 'preconditioner' },
    link: { key: 'preconditioner' },
    // After the rank on the page; last in the table so the CLI's and the links' order stay put.
    control: { kind: 'select', group: 'solver', testId: 'preconditioner', order: 5.5 },
  }),
});

/** The settings CRONOS_PARAMS declares (the same fields as SolverConfig). */
export type CronosParams = Values<typeof CRONOS_PARAMS>;
