/**
 * `npm run bench -- convergence` (issue 9): iterations and wall time to a CERTIFIED relative gap
 * of 1e-4 (solver/residuals.ts certifiedRelativeGap, cone violation ≤ 0.3·1e-4·max(max|XU|, 1)) for
 *   paper      fixed ρ = 0.1, no acceleration, Nyström rank 10 (PAPER_CONFIG's outer loop and
 *              preconditioner, warm-started PCG as the other two),
 *   filed      residual balancing as `--adaptive-rho` ran when issue 9 was filed ("today's residual
 *              balancing" of its targets): plain ADMM, Nyström rank 10, at most 20 PCG iterations,
 *   balancing  plain ADMM with residual balancing of ρ and the DEFAULT preconditioner and PCG
 *              cap, so balancing/default measures the outer loop alone,
 *   default    the new defaults (α, ρ = c·β rule, Anderson on both devices, the auto preconditioner),
 * on the problems of bench/convergence-problems.ts, one run each (wall time includes the solver's setup), on the float64 CPU backend and,
 * when an adapter exists, the WebGPU one (same adapter for all three). Ratios are printed because
 * absolute times on a shared or emulated device mean little. Not part of `npm test`.
 *
 * Environment: BENCH_CAP (iterations, default 1500), BENCH_DEVICES (cpu,gpu), BENCH_ONLY /
 * BENCH_SKIP (substrings of the problem names), BENCH_EXACT=1 (CPU: exact Cholesky u-solve, so
 * only the outer loop is compared, as in research-wave2 §3.1), BENCH_DEFAULT (JSON of
 * SolverConfig fields laid over the defaults, for tuning them: '{"alpha":1.8}'), BENCH_MODES
 * (names of the modes to run, default paper,filed,balancing,default). Medians of the
 * iteration and time ratios are printed against `filed` and `balancing`; a run that does not
 * certify within the cap counts as the cap (and its time as the time of the cap's iterations), so
 * those ratios are lower bounds: raise BENCH_CAP to measure them.
 */
import { CpuSolver } from '../solver/cpu/admm';
import { GpuSolver } from '../solver/gpu/admm';
import { createGpuContext, type GpuContext } from '../solver/gpu/context';
import { nodeGpu } from '../solver/gpu/node-gpu';
import { certifiedRelativeGap } from '../solver/residuals';
import type { CronosSolver } from '../solver/solver';
import { DEFAULT_CONFIG, LEGACY_CONFIG, type Problem, type SolverConfig } from '../solver/types';
import { convergenceProblems } from './convergence-problems';

const CAP = Number(process.env.BENCH_CAP ?? 1500);
const TOL = 1e-4;

/** One setting of the comparison. */
interface Mode {
  name: string;
  config(p: Problem): SolverConfig;
}

const model = (p: Problem) => ({ model: p.model, P: p.P, beta: p.beta, admmIters: CAP, tol: TOL, stopRule: 'gap' as const });
const MODES: Mode[] = [
  { name: 'paper', config: (p) => ({ ...LEGACY_CONFIG, ...model(p) }) },
  { name: 'filed', config: (p) => ({ ...LEGACY_CONFIG, ...model(p), adaptiveRho: true }) },
  { name: 'balancing', config: (p) => ({ ...LEGACY_CONFIG, ...model(p), adaptiveRho: true, preconditioner: DEFAULT_CONFIG.preconditioner, pcgIters: DEFAULT_CONFIG.pcgIters }) },
  { name: 'default', config: (p) => ({ ...DEFAULT_CONFIG, ...model(p), ...defaultOverride() }) },
];

/** BENCH_DEFAULT: settings laid over the defaults (tuning runs). */
function defaultOverride(): Partial<SolverConfig> {
  const raw = process.env.BENCH_DEFAULT;
  if (!raw) return {};
  const v: unknown = JSON.parse(raw);
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new Error(`BENCH_DEFAULT must be a JSON object of SolverConfig fields, got ${raw}`);
  return v as Partial<SolverConfig>;
}

/** The modes BENCH_MODES names (all by default). */
function selectedModes(): (Mode | null)[] {
  const names = (process.env.BENCH_MODES ?? 'paper,filed,balancing,default').split(',');
  return MODES.map((m) => (names.includes(m.name) ? m : null));
}

/** Iterations to the certified gap (null: not within CAP), wall ms, and the last certified gap. */
interface Outcome {
  iters: number | null;
  ms: number;
  gap: number;
}

/** Wall time counts from before the solver is made: its setup (a Nyström sketch, a Woodbury factor) is part of the cost. */
async function solve(make: () => Promise<CronosSolver>): Promise<Outcome> {
  const t0 = performance.now();
  const solver = await make();
  let gap = NaN;
  try {
    for (let k = 0; k < CAP; k++) {
      const m = await solver.step();
      gap = certifiedRelativeGap(m.objective, m.dualObjective);
      if (m.converged) return { iters: m.iter, ms: performance.now() - t0, gap };
    }
    return { iters: null, ms: performance.now() - t0, gap };
  } finally {
    solver.dispose();
  }
}

/** A mode BENCH_MODES left out. */
const SKIPPED: Outcome = { iters: null, ms: NaN, gap: NaN };

function cell(o: Outcome): string {
  if (o === SKIPPED) return 'skipped';
  return o.iters === null ? `–(${o.gap.toExponential(1)})` : `${o.iters} (${(o.ms / 1000).toFixed(1)} s)`;
}

function ratio(a: Outcome, b: Outcome): string {
  if (a === SKIPPED || b === SKIPPED) return '—';
  if (a.iters === null || b.iters === null) return a.iters === null && b.iters !== null ? `>${(CAP / b.iters).toFixed(1)}×` : '—';
  return `${(a.iters / b.iters).toFixed(2)}× iters, ${(a.ms / b.ms).toFixed(2)}× time`;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? NaN : s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

/** Runs the comparison on one device; `make` builds a solver of that device. */
async function device(label: string, make: (p: Problem, c: SolverConfig) => Promise<CronosSolver>): Promise<void> {
  console.log(`\n${label}: iterations (wall) to a certified relative gap ≤ ${TOL}, cap ${CAP}; –(g) = not reached, g = last certified gap`);
  const speedups: Record<'filed' | 'balancing', { iters: number[]; time: number[] }> = { filed: { iters: [], time: [] }, balancing: { iters: [], time: [] } };
  for (const bp of convergenceProblems()) {
    if (process.env.BENCH_ONLY && !bp.name.includes(process.env.BENCH_ONLY)) continue;
    if (process.env.BENCH_SKIP && bp.name.includes(process.env.BENCH_SKIP)) continue;
    const out: Outcome[] = [];
    for (const mode of selectedModes()) {
      const o = mode ? await solve(() => make(bp.problem, mode.config(bp.problem))) : SKIPPED;
      // Progress on stderr: a slow shared machine shows each run as it ends.
      if (mode) process.stderr.write(`    ${bp.name} ${mode.name}: ${cell(o)}\n`);
      out.push(o);
    }
    const [paper, filed, rb, def] = out;
    // Not reached counts as CAP (a lower bound on the true ratio).
    for (const [name, base] of [['filed', filed], ['balancing', rb]] as const) {
      if (base === SKIPPED || def === SKIPPED) continue;
      speedups[name].iters.push((base.iters ?? CAP) / (def.iters ?? CAP));
      speedups[name].time.push(base.ms / def.ms);
    }
    console.log(
      `  ${bp.name}\n    paper ${cell(paper)} | filed ${cell(filed)} | balancing ${cell(rb)} | default ${cell(def)}\n` +
        `    filed/default ${ratio(filed, def)} | balancing/default ${ratio(rb, def)} | paper/default ${ratio(paper, def)}`,
    );
  }
  for (const [name, s] of Object.entries(speedups)) {
    if (s.iters.length > 0) console.log(`  median ${name}/default (unreached = the cap, ${CAP}): ${median(s.iters).toFixed(2)}× iterations, ${median(s.time).toFixed(2)}× time`);
  }
}

async function main(): Promise<void> {
  const devices = (process.env.BENCH_DEVICES ?? 'cpu,gpu').split(',');
  const exact = process.env.BENCH_EXACT === '1';
  if (devices.includes('cpu')) await device(`CPU float64${exact ? ', exact u-solve' : ''}`, async (p, c) => new CpuSolver(p, c, undefined, { exactSolve: exact }));
  if (!devices.includes('gpu')) return;
  let ctx: GpuContext;
  try {
    ctx = await createGpuContext(nodeGpu());
  } catch (e) {
    console.log(`\nWebGPU: no adapter (${(e as Error).message}); GPU rows skipped.`);
    return;
  }
  const a = ctx.adapter;
  await device(`WebGPU (${a.description || a.device || a.vendor})`, (p, c) => GpuSolver.create(ctx, p, c));
  ctx.destroy();
}

await main();
