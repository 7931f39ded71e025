/**
 * `npm run cronos -- train --data train.csv [--test test.csv] ... --out result.json`
 *
 * Headless CRONOS: read CSVs → standardise with the training statistics → sample patterns
 * (buildProblem) → solve on the GPU (dawn.node) or the float64 CPU reference → recover the
 * two-layer network → write result.json (and optionally the spec §10 interchange JSON).
 * Every failure prints one message naming the file/row/column/size and what to do, and exits 1;
 * output files are written only after everything succeeded, atomically. The one exception is a
 * numerical breakdown after good iterations: the files then hold the last good iteration, complete
 * and marked `stopped` in result.json, and the exit code is still 1 (solver/resilience.ts).
 */
import { exactSolveContext, resolvePreconditioner } from '../solver/preconditioner';
import { DataError } from '../data/errors';
import { formatBytes } from '../data/preprocess';
import { planDataset } from '../data/plan';
import type { AdapterSummary, BufferCensus } from '../solver/gpu/context';
import { AdmmDivergedError, type TestSet } from '../solver/index';
import { cronosAttempts } from '../solver/methods/cronos/create';
import type { CronosTrainer } from '../solver/methods/cronos/trainer';
import { RunBrokeDownError } from '../solver/resilience';
import { buildProblem } from '../solver/problem';
import { accuracyFromLabels, coneViolation, convexObjectiveParts, nonConvexObjective, predictNetwork, recoverNetwork } from '../solver/recovery';
import type { IterationMetrics, Network } from '../solver/types';
import { parseArgs, usageFor, UsageError, type TrainArgs } from './args';
import { dataFacts, loadTrainingData } from './data';
import { runMethodCli } from './train-method';
import { runRaceCli } from './race';
import { DEFAULT_METHOD } from '../solver/methods/index';
import { exportProblem } from './export-problem';
import { readStateFile, stateFileText } from './state-file';
import { startCliRun, stepToEnd } from './run-loop';
import { checkWritable, nested, toJson, writeFilesAtomically } from './output';

function pct(x: number): string {
  return Number.isFinite(x) ? `${(100 * x).toFixed(2)}%` : '—';
}

function progressLine(m: IterationMetrics): string {
  const e = (x: number): string => (Number.isFinite(x) ? x.toExponential(3) : String(x));
  return (
    `iter ${String(m.iter).padStart(4)}  f ${e(m.objective)}  f−dual ${e(m.objective - m.dualObjective)}  r_pri ${e(m.primalResidual)} (ε ${e(m.epsPrimal)})` +
    `  r_dual ${e(m.dualResidual)} (ε ${e(m.epsDual)})  viol ${e(m.coneViolation)}` +
    `  train ${pct(m.trainAccuracy)}  test ${pct(m.testAccuracy)}  pcg ${m.pcgIterations}  ρ ${m.rho}  ${m.timeMs.toFixed(0)} ms` +
    (m.converged ? '  converged' : '')
  );
}

function networkJson(net: Network): Record<string, unknown> {
  const out: Record<string, unknown> = {
    model: net.model,
    d: net.d,
    m: net.m,
    C: net.C,
    layout: 'W1[feature][unit] (d×m), w2[unit][output] (m×C); output = Σ_unit act(x·W1[:,unit])·w2[unit]',
    W1: nested(net.W1, net.d, net.m),
    w2: nested(net.w2, net.m, net.C),
  };
  if (net.gates) out.gates = nested(net.gates, net.d, net.m);
  return out;
}

/** Iterations between two samples of `result.json`'s `resources`. */
const RESOURCE_EVERY = 100;

/** One sample of the resources a run holds (constant over a run that does not leak). */
interface ResourceSample {
  iteration: number;
  gpu_buffers: number;
  gpu_bytes: number;
  heap_bytes: number;
}

function resourceSample(iteration: number, census: BufferCensus | null): ResourceSample {
  return { iteration, gpu_buffers: census?.count ?? 0, gpu_bytes: census?.bytes ?? 0, heap_bytes: process.memoryUsage().heapUsed };
}

/** True for the solver's WebGPU-unavailable error (checked by name so no GPU module must load). */
function isWebGpuUnavailable(e: unknown): boolean {
  return e instanceof Error && e.name === 'WebGpuUnavailableError';
}

/** Trains and writes the outputs; 0, or 1 when a breakdown stopped the run at its last good state. */
async function train(args: TrainArgs): Promise<number> {
  const t0 = performance.now();
  const log = (s: string): void => void process.stderr.write(`${s}\n`);
  if (args.out !== undefined) checkWritable(args.out, '--out');
  if (args.exportProblem !== undefined) checkWritable(args.exportProblem, '--export-problem');
  if (args.saveState !== undefined) checkWritable(args.saveState, '--save-state');

  const loaded = loadTrainingData(args, args.config.seed, log);
  const { trainData, testData, std } = loaded;

  const { config } = args;
  const problem = buildProblem(trainData, { model: config.model, P: config.P, beta: config.beta, seed: config.seed });
  const N = problem.S * problem.d * problem.P;
  // The rank only matters where Nyström is the preconditioner (solver/preconditioner.ts).
  if (config.rank > N && resolvePreconditioner(config, problem.d, Infinity, exactSolveContext(config, problem, args.device === 'gpu' ? 'gpu' : 'cpu')).kind === 'nystrom') {
    throw new DataError(
      `${args.data}: --rank ${config.rank} exceeds the u-system size S·d·P = ${problem.S}·${problem.d}·${problem.P} = ${N}. Use --rank ≤ ${N}.`,
      { file: args.data },
    );
  }
  const test: TestSet | undefined = testData ? { X: testData.X, n: testData.n, labels: testData.labels } : undefined;
  // A state to resume is checked before any GPU work starts.
  const stateCtx = { config, n: trainData.n, d: trainData.d, classes: trainData.classNames, X: trainData.X, labels: trainData.labels };
  const resumed = args.resume !== undefined ? readStateFile(args.resume, stateCtx) : null;
  if (resumed && resumed.iteration >= config.admmIters) {
    throw new DataError(`${args.resume}: the saved state is already at iteration ${resumed.iteration}; raise --admm-iters above it to continue.`, { file: args.resume as string });
  }

  let gpu: GPU | undefined;
  let adapter: AdapterSummary | null = null;
  let census: BufferCensus | null = null;
  /** The live buffers of the device a run is on now (a new device after a recovery). */
  let gpuCensus: ((device: 'gpu' | 'cpu') => Promise<BufferCensus | null>) | null = null;
  if (args.device === 'gpu') {
    // Loaded only here, so --device cpu never starts dawn.node.
    const { nodeGpu } = await import('../solver/gpu/node-gpu');
    const { sharedGpuContext } = await import('../solver/index');
    gpu = nodeGpu();
    const ctx = await sharedGpuContext(gpu);
    adapter = ctx.adapter;
    census = ctx.buffers;
    gpuCensus = async (device) => (device === 'gpu' ? (await sharedGpuContext(gpu)).buffers : null);
    // X may be split into row blocks (solver/gpu/rowblocks.ts); every other buffer must fit whole.
    const plan = planDataset(problem.n, problem.d, problem.P, problem.C, problem.model, config.rank, adapter, { testRows: test?.n ?? 0 });
    if (!plan.fits) throw new DataError(`${args.data}: ${plan.message}`, { file: args.data });
    const largest = plan.buffers.filter((b) => !b.blockable).reduce((a, b) => (b.bytes > a.bytes ? b : a));
    log(
      `gpu: ${adapter.description || adapter.vendor || 'adapter'} (${adapter.architecture}); X in ${plan.x.blocks} row block(s); ` +
        `largest other buffer ${formatBytes(largest.bytes)} of ${formatBytes(plan.bufferLimit)}`,
    );
  }

  // The run steps through solver/resilience.ts: checkpoints, device-loss recovery, last good state on a breakdown.
  const { run, events } = await startCliRun<CronosTrainer, IterationMetrics>({
    create: cronosAttempts(problem, config, { ...(test ? { test } : {}), ...(gpu ? { gpu } : {}) }),
    device: args.device,
    initial: resumed,
    ...(args.simulateDeviceLoss !== undefined ? { simulateDeviceLoss: args.simulateDeviceLoss } : {}),
    unit: 'iteration',
    log,
  });
  const precond = run.trainer.solver.preconditionerInUse?.();
  if (precond) log(`PCG preconditioner: ${precond.reason}`);
  // The GPU runs Anderson only when its memory fits one binding (spec §4.5); say so rather than imply it ran.
  if (config.anderson > 0 && run.trainer.solver.andersonIn?.() === null) log(`Anderson acceleration (--anderson ${config.anderson}) does not fit this device's buffers; this run is ADMM with α = ${config.alpha} and no Anderson step (a smaller --anderson may fit).`);
  const history: IterationMetrics[] = [];
  let stopped: RunBrokeDownError | null = null;
  let eventsSeen = 0;
  let U: Float64Array;
  let savedText: string | null = null;
  const resources: ResourceSample[] = [];
  try {
    if (resumed) log(`resumed: ${args.resume} at iteration ${resumed.iteration}, ρ ${resumed.scalars.rho}`);
    // --admm-iters is the total: a resumed run does the iterations that are left.
    stopped = await stepToEnd(run, history, async (m) => {
      if (events.length !== eventsSeen) {
        // After a recovery the buffers live on another device (or none, on the CPU).
        eventsSeen = events.length;
        census = gpuCensus ? await gpuCensus(run.trainer.device) : null;
      }
      log(progressLine(m));
      if (m.iter % RESOURCE_EVERY === 0 || resources.length === 0) resources.push(resourceSample(m.iter, census));
    });
    U = (await run.trainer.solver.solution()).U;
    if (args.saveState !== undefined) savedText = stateFileText(await run.trainer.saveState(), stateCtx);
  } finally {
    run.dispose();
  }
  const last = history[history.length - 1];
  const net = recoverNetwork(problem, U);
  const trainAcc = accuracyFromLabels(predictNetwork(net, problem.X, problem.n), problem.n, net.C, trainData.labels);
  const testAcc = testData ? accuracyFromLabels(predictNetwork(net, testData.X, testData.n), testData.n, net.C, testData.labels) : null;
  const parts = convexObjectiveParts(problem, U);
  const wallMs = performance.now() - t0;
  log(
    `done: ${history.length} iterations${last.converged ? ' (converged)' : ''}, f=${last.objective.toExponential(4)}, ` +
      `network: ${net.m} units, train ${pct(trainAcc)}, test ${testAcc === null ? '—' : pct(testAcc)}, ${(wallMs / 1000).toFixed(1)} s`,
  );

  const result = {
    /** The method's registry id (every method's result.json names it). */
    method: DEFAULT_METHOD,
    config: { ...config, device: args.device },
    data: {
      ...dataFacts(args.data, loaded),
      /** How class indices become ±1 targets (problem.ts signTargets). */
      targets: trainData.classNames.length <= 2 ? `${trainData.classNames[0]} ↦ −1, ${trainData.classNames[1]} ↦ +1` : 'one-vs-all: column c is +1 for class c, −1 otherwise',
      standardisation: std,
    },
    /** Where a --resume run started (its history holds only the iterations after it). */
    resumed_from: resumed ? { file: args.resume, iteration: resumed.iteration } : null,
    history,
    final: {
      /** Total ADMM iterations (including those before a --resume). */
      iterations: last.iter,
      converged: last.converged,
      objective: last.objective,
      objective_v: last.objectiveV,
      loss: last.loss,
      penalty: last.penalty,
      primal_residual: last.primalResidual,
      dual_residual: last.dualResidual,
      cone_violation: last.coneViolation,
      active_neurons: last.activeNeurons,
      /** Convex model sign(Fu) on the training rows, as reported by the solver. */
      train_accuracy: last.trainAccuracy,
      /** The recovered network (the weights below) on the training / test rows. */
      network_train_accuracy: trainAcc,
      test_accuracy: testAcc,
      /** Objectives of the returned U recomputed in float64, and of the recovered network (equal when the cone violation is 0). */
      objective_f64: parts.objective,
      cone_violation_f64: coneViolation(problem, U),
      nonconvex_objective: nonConvexObjective(net, problem.X, problem.n, problem.Y, problem.beta),
      solve_ms: history.reduce((s, m) => s + m.timeMs, 0),
      wall_ms: wallMs,
    },
    network: networkJson(net),
    adapter,
    /** After the first iteration and every RESOURCE_EVERY iterations: live GPU buffers and bytes, JS heap. */
    resources,
    /** Device losses, recoveries, a CPU fallback, a breakdown (solver/resilience.ts RunEvent), in order. */
    events,
    /**
     * Set when a numerical breakdown stopped the run: everything above is then the last good
     * iteration's (never NaN), and the CLI exits 1.
     */
    stopped: stopped ? { iteration: stopped.lastGood, reason: 'numerical-breakdown', message: stopped.message } : null,
  };

  const files: { path: string; text: string }[] = [];
  const resultText = toJson(result, 1) + '\n';
  if (args.out !== undefined) files.push({ path: args.out, text: resultText });
  if (args.exportProblem !== undefined) files.push({ path: args.exportProblem, text: toJson(exportProblem(problem, U, trainData.classNames)) + '\n' });
  if (args.saveState !== undefined && savedText !== null) files.push({ path: args.saveState, text: savedText });
  writeFilesAtomically(files);
  if (args.out === undefined) await new Promise<void>((res) => process.stdout.write(resultText, () => res()));
  else log(`wrote ${args.out}`);
  if (args.exportProblem !== undefined) log(`wrote ${args.exportProblem}`);
  if (args.saveState !== undefined) log(`wrote ${args.saveState}`);
  if (!stopped) return 0;
  log(`error: ${stopped.message}`);
  if (files.length > 0) log(`The files written hold the last good iteration ${stopped.lastGood}, marked "stopped" in the result.`);
  return 1;
}

/** Message for any error, with the fix; the CLI prints it and exits 1. */
function describeError(e: unknown): string {
  if (e instanceof UsageError) return `error: ${e.message}\n(run with --help for usage)`;
  if (e instanceof DataError) return `error: ${e.message}`;
  // The solver's message already says what to change (ρ, adaptive ρ, PCG iterations, device).
  if (e instanceof AdmmDivergedError || e instanceof RunBrokeDownError) return `error: ${e.message}`;
  if (isWebGpuUnavailable(e)) return `error: WebGPU is not available: ${(e as Error).message}\nRun on the CPU instead with --device cpu.`;
  const msg = e instanceof Error ? e.message : String(e);
  return `error: ${msg}\nIf this is a GPU problem, try --device cpu; otherwise please report it with the command line used.`;
}

async function main(): Promise<number> {
  try {
    const argv = process.argv.slice(2);
    // `race` has its own flags (cli/race.ts); everything else is `train`.
    if (argv[0] === 'race') return await runRaceCli(argv.slice(1), (s) => void process.stderr.write(`${s}\n`));
    const parsed = parseArgs(argv);
    if (parsed.help) {
      process.stdout.write(`${usageFor(parsed.method)}\n`);
      return 0;
    }
    // CRONOS keeps its own run (convex diagnostics in result.json); any other method the generic one.
    if (parsed.args.method === DEFAULT_METHOD) return await train(parsed.args);
    return await runMethodCli(parsed.args, (s) => void process.stderr.write(`${s}\n`));
  } catch (e) {
    process.stderr.write(`${describeError(e)}\n`);
    if (process.env.CRONOS_DEBUG && e instanceof Error && e.stack) process.stderr.write(`${e.stack}\n`);
    return 1;
  }
}

// Exit explicitly: a live dawn.node instance would otherwise keep the process running.
void main().then((code) => process.exit(code));
