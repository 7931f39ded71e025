/**
 * `npm run bench`: GFLOP/s and GB/s (bytes of X streamed) of the solver's fused products next to
 * tfjs-backend-webgpu's `matMul` on the same dawn.node adapter, then ms per ADMM iteration on the GPU vs the float64 CPU solver.
 *
 * Timing (notes §4): pipelines are built and every buffer written before timing; one warm-up run
 * is discarded; each trial encodes `reps` products into one command buffer and brackets submit +
 * onSubmittedWorkDone with performance.now(); the median trial is reported. tfjs is timed the same
 * way: `reps` matMuls issued back to back, completion awaited once through a small read-back.
 *
 * Environment knobs: BENCH_REPS (products per trial), BENCH_TRIALS, BENCH_SKIP_TFJS=1,
 * BENCH_PCG_ITERS, BENCH_ADMM_STEPS, BENCH_ADMM_ONLY=1 (skip the product table: only the ADMM
 * iteration, its time and its GPU work per iteration).
 *
 * Modes (`npm run bench -- MODE`): `deep` (training steps of the paper's MLP and CNN, ours vs tfjs;
 * bench/deep-step.ts), `accuracy` (Fashion-MNIST pairs, every deep method; bench/deep-accuracy.ts),
 * `conv` (direct convolution vs im2col+GEMM and CNN/MLP step ratio; bench/deep-bench.ts),
 * `convergence` (iterations and time to a certified gap; bench/convergence.ts).
 */
import { countWork, createGpuContext, type GpuContext } from '../solver/gpu/context';
import { nodeGpu } from '../solver/gpu/node-gpu';
import { startTfjsWebgpu } from './tfjs-node';
import { encodeDispatches, uploadF32, type Dispatch } from '../solver/gpu/kernel';
import { forwardProduct, planTransposed, transposedProduct } from '../solver/gpu/gemm';
import { createRng } from '../solver/rng';
import { CpuSolver } from '../solver/cpu/admm';
import { GpuSolver } from '../solver/gpu/admm';
import { buildProblem } from '../solver/problem';
import { runCronos, type CronosSolver } from '../solver/solver';
import { DEFAULT_CONFIG, type SolverConfig } from '../solver/types';

const N = 8192;
const D_FEAT = 256;
const P = 32;
/** ReLU: U⁺ and U⁻ side by side. */
const K = 2 * P;
const REPS = Number(process.env.BENCH_REPS ?? 3);
const TRIALS = Number(process.env.BENCH_TRIALS ?? 5);

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** Runs `reps` products and resolves with wall ms per product. */
type Runner = (reps: number) => Promise<number>;

interface Case {
  name: string;
  run: Runner;
  /** Name of the tfjs case this one is compared with. */
  peer?: string;
}

/** Encodes `reps` copies of the dispatches into one compute pass, submits, awaits completion. */
function oursRunner(ctx: GpuContext, list: Dispatch[]): Runner {
  return async (reps) => {
    const enc = ctx.device.createCommandEncoder();
    const pass = enc.beginComputePass();
    for (let r = 0; r < reps; r++) encodeDispatches(pass, list);
    pass.end();
    const cmd = enc.finish();
    const t0 = performance.now();
    ctx.device.queue.submit([cmd]);
    await ctx.device.queue.onSubmittedWorkDone();
    if (ctx.lostReason) throw new Error(ctx.lostReason);
    return (performance.now() - t0) / reps;
  };
}

function randomF32(seed: number, len: number, f: (u: number) => number): Float32Array {
  const rng = createRng(seed);
  return new Float32Array(len).map(() => f(rng.uniform()));
}

const sym = (u: number): number => 2 * u - 1;

const TFJS_XU = 'tfjs matMul(X, U)';
const TFJS_XTR = 'tfjs matMul(X, R, transposeA)';

function oursCases(ctx: GpuContext, X: Float32Array, U: Float32Array, Dm: Float32Array, R: Float32Array): Case[] {
  const Xb = uploadF32(ctx, X, 'X');
  const Ub = uploadF32(ctx, U, 'U');
  const Db = uploadF32(ctx, Dm, 'D');
  const Rb = uploadF32(ctx, R, 'R');
  const out = uploadF32(ctx, new Float32Array(N * K), 'Z');
  const out2 = uploadF32(ctx, new Float32Array(N * K), 'EZ');
  const T = uploadF32(ctx, new Float32Array(D_FEAT * K), 'T');
  const shape = { X: Xb, n: N, d: D_FEAT, U: Ub, K, D: Db, P };
  return [
    { name: 'ours X·U (plain)', peer: TFJS_XU, run: oursRunner(ctx, forwardProduct(ctx, { ...shape, out, epilogue: 'plain' })) },
    {
      name: 'ours X·U (cone: Z and E∘Z)',
      peer: TFJS_XU,
      run: oursRunner(ctx, forwardProduct(ctx, { ...shape, out, out2, epilogue: 'cone' })),
    },
    {
      name: 'ours α·Xᵀ(E∘R) (cone load, split-K)',
      peer: TFJS_XTR,
      run: oursRunner(
        ctx,
        transposedProduct(ctx, { X: Xb, n: N, d: D_FEAT, R: Rb, K, D: Db, P, S: 2, C: 1, out: T, alpha: 1, load: 'cone' }),
      ),
    },
  ];
}

/** tfjs-backend-webgpu's matMul on the same adapter (bench/tfjs-node.ts starts it). */
async function tfjsCases(X: Float32Array, U: Float32Array, R: Float32Array): Promise<Case[]> {
  const tf = await startTfjsWebgpu();
  const Xt = tf.tensor2d(X, [N, D_FEAT]);
  const Ut = tf.tensor2d(U, [D_FEAT, K]);
  const Rt = tf.tensor2d(R, [N, K]);
  const runner =
    (f: () => ReturnType<typeof tf.matMul>): Runner =>
    async (reps) => {
      const t0 = performance.now();
      const outs = [];
      for (let r = 0; r < reps; r++) outs.push(f());
      // A 1-element slice keeps the read-back tiny; the queue is in order, so it waits for all products.
      const probe = tf.slice(outs[outs.length - 1]!, [0, 0], [1, 1]);
      await probe.data();
      const ms = (performance.now() - t0) / reps;
      probe.dispose();
      for (const o of outs) o.dispose();
      return ms;
    };
  return [
    { name: TFJS_XU, run: runner(() => tf.matMul(Xt, Ut)) },
    { name: TFJS_XTR, run: runner(() => tf.matMul(Xt, Rt, true, false)) },
  ];
}

/**
 * ADMM TIMING PLACEHOLDER — owned by the solver. Will time ms per ADMM iteration, GPU vs CPU float64,
 * through `createSolver` from solver/index.ts. Until that module exists it only reports 'pending'.
 */
/**
 * ms per ADMM iteration at the same shape (ReLU, P = 32, rank 10, a fixed number of PCG
 * iterations (PCG tolerance 0) so every step does the same work): the WebGPU solver on this
 * adapter next to the float64 CPU reference in this process. Setup (upload, sketch) is excluded.
 */
async function benchAdmm(ctx: GpuContext): Promise<void> {
  const pcgIters = Number(process.env.BENCH_PCG_ITERS ?? 10);
  const steps = Number(process.env.BENCH_ADMM_STEPS ?? 3);
  const rng = createRng(7, 0);
  const X = new Float64Array(N * D_FEAT);
  for (let i = 0; i < X.length; i++) X[i] = rng.normal();
  const labels = new Int32Array(N);
  for (let j = 0; j < N; j++) labels[j] = X[j * D_FEAT] * X[j * D_FEAT + 1] > 0 ? 1 : 0;
  const data = {
    X, n: N, d: D_FEAT, labels, classNames: ['a', 'b'],
    featureNames: Array.from({ length: D_FEAT }, (_, k) => `x${k}`),
  };
  // PCG tolerance 0: both devices do exactly pcgIters iterations per step.
  const config: SolverConfig = { ...DEFAULT_CONFIG, P, pcgIters, admmIters: steps + 1, pcgTol: 0, warmStart: false };
  const problem = buildProblem(data, { model: 'relu', P, beta: config.beta, seed: 0 });
  // The one outer loop (runCronos) of the CLI, so the benchmark times what a run does.
  const time = async (solver: CronosSolver): Promise<number> => {
    await runCronos(solver, undefined, { maxIterations: 1 }); // warm-up: first use of every pipeline
    const t0 = performance.now();
    const history = await runCronos(solver, undefined, { maxIterations: steps });
    solver.dispose();
    return (performance.now() - t0) / history.length;
  };
  console.log(`ADMM iteration (n=${N}, d=${D_FEAT}, P=${P}, ReLU, ${pcgIters} PCG iterations, mean of ${steps} steps):`);
  for (const preconditioner of ['nystrom', 'block'] as const) {
    const cfg: SolverConfig = { ...config, preconditioner };
    const gpu = await GpuSolver.create(ctx, problem, cfg);
    await runCronos(gpu, undefined, { maxIterations: 1 });
    // Per-iteration GPU work, counted on the device (countWork wraps passes, submit, mapAsync).
    const { census, stop } = countWork(ctx.device);
    try {
      await runCronos(gpu, undefined, { maxIterations: steps });
    } finally {
      stop();
    }
    const per = (v: number): string => fmt(v / steps, 4);
    const gpuMs = await time(gpu);
    const cpuMs = await time(new CpuSolver(problem, cfg));
    const name = preconditioner === 'block' ? 'block (I + XᵀX)⁻¹' : `Nyström rank ${cfg.rank}`;
    console.log(`  ${name}:`);
    console.log(`    GPU work per iteration  ${per(census.dispatches)} dispatches (${per(census.indirect)} indirect), ${per(census.submissions)} submissions, ${per(census.readBacks)} read-backs`);
    console.log(`    WebGPU (this adapter)   ${fmt(gpuMs, 4)} ms`);
    console.log(`    CPU float64             ${fmt(cpuMs, 4)} ms`);
    console.log(`    CPU/GPU                 ${fmt(cpuMs / gpuMs)}×`);
  }
}

function fmt(v: number, digits = 3): string {
  return v.toPrecision(digits);
}

function printTable(cases: Case[], ms: Map<string, number>): void {
  const flops = 2 * N * D_FEAT * K;
  const bytesX = N * D_FEAT * 4;
  const header = ['product', 'ms', 'GFLOP/s', 'GB/s of X', 'ours/tfjs'];
  const lines = cases.map((c) => {
    const t = ms.get(c.name)!;
    const peer = c.peer === undefined ? undefined : ms.get(c.peer);
    const ratio = peer === undefined ? '' : `${fmt(peer / t)}×`;
    return [c.name, fmt(t, 4), fmt(flops / t / 1e6), fmt(bytesX / t / 1e6), ratio];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  const line = (cells: string[]): string =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  console.log(line(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const l of lines) console.log(line(l));
}

async function main(): Promise<void> {
  const ctx = await createGpuContext(nodeGpu());
  const a = ctx.adapter;
  console.log(`adapter: ${a.description || a.device || a.vendor} (${a.architecture}, ${a.featureLevel})`);
  console.log(
    `shapes: X ${N}×${D_FEAT}, U ${D_FEAT}×${K}, R ${N}×${K}, D ${N}×${P}; ${(2 * N * D_FEAT * K) / 1e6} MFLOP per product`,
  );
  const plan = planTransposed(ctx, N, D_FEAT, K);
  console.log(
    `transposed product: ${plan.rowTiles * plan.colTiles} output tiles × ${plan.numChunks} row chunks of ${plan.rowsPerChunk} rows`,
  );
  console.log(
    `timing: one warm-up, then ${TRIALS} trials of ${REPS} products per submission (cases interleaved), median trial\n`,
  );

  if (process.env.BENCH_ADMM_ONLY === '1') {
    await benchAdmm(ctx);
    ctx.destroy();
    return;
  }
  const X = randomF32(1, N * D_FEAT, sym);
  const U = randomF32(2, D_FEAT * K, sym);
  const Dm = randomF32(3, N * P, (u) => (u < 0.5 ? 1 : 0));
  const R = randomF32(4, N * K, sym);

  const cases = oursCases(ctx, X, U, Dm, R);
  if (process.env.BENCH_SKIP_TFJS !== '1') {
    try {
      cases.push(...(await tfjsCases(X, U, R)));
    } catch (e) {
      console.log(`tfjs comparison skipped: ${(e as Error).message}`);
    }
  }
  for (const c of cases) await c.run(1);
  // Interleaving the cases spreads load changes on a shared machine over all of them.
  const times = new Map<string, number[]>(cases.map((c) => [c.name, []]));
  for (let t = 0; t < TRIALS; t++) for (const c of cases) times.get(c.name)!.push(await c.run(REPS));
  printTable(cases, new Map([...times].map(([k, v]) => [k, median(v)])));
  console.log('\nours/tfjs = tfjs time ÷ our time for the same shapes (> 1: ours is faster; ours also fuses the mask).\n');
  await benchAdmm(ctx);
  ctx.destroy();
}

/** `npm run bench -- MODE`: the products and ADMM (no mode), `deep`, `accuracy`, `conv` (bench/deep-bench.ts) or `convergence`. */
const MODES: Record<string, () => Promise<void>> = {
  products: main,
  deep: async () => (await import('./deep-step')).benchDeepSteps(),
  accuracy: async () => (await import('./deep-accuracy')).runAccuracy(process.argv.slice(3)),
  conv: async () => (await import('./deep-bench')).benchConv(),
  convergence: async () => {
    await import('./convergence');
  },
};
const mode = process.argv[2] ?? 'products';
const run = MODES[mode];
if (!run) {
  console.error(`unknown bench mode ${JSON.stringify(mode)}; use one of: ${Object.keys(MODES).join(', ')} (npm run bench -- deep)`);
  process.exit(2);
}
try {
  await run();
  process.exit(0);
} catch (e) {
  console.error(e);
  process.exit(1);
}
