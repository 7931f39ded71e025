/**
 * `cronos train --method ID` for a method other than CRONOS: the same data pipeline (cli/data.ts),
 * the trainer from the method registry (`(await methods[id].load())(data, settings, env)`),
 * stepped until its stopping rule or budget, and a result.json of the common shape — `method`,
 * `config`, `data`, `resumed_from`, `history` (the method's metric records), `final` (at least
 * `iterations`, `train_accuracy`, `test_accuracy` as fractions or null) and the network.
 * `--save-state` / `--resume` go through the generic state file (cli/state-file.ts). CRONOS keeps
 * its own path in cli/cronos.ts (its result.json carries the convex diagnostics).
 */
import { DataError } from '../data/errors';
import { METHODS, type MethodRegistry } from '../solver/methods/index';
import { predictModel } from '../solver/predict';
import { accuracyFromLabels } from '../solver/recovery';
import { trainerAttempt, type RunBrokeDownError } from '../solver/resilience';
import type { MetricsRecord, Trainer, TrainerEnv, TrainedModel } from '../solver/trainer';
import type { Network } from '../solver/types';
import type { TrainArgs } from './args';
import { dataFacts, loadTrainingData } from './data';
import { checkWritable, nested, toJson, writeFilesAtomically } from './output';
import { readStateFile, stateFileText } from './state-file';
import { startCliRun, stepToEnd } from './run-loop';

/** What {@link trainMethod} produced: the result document, the state file's text (when asked for) and the breakdown that stopped it, if one did. */
export interface MethodRun {
  result: Record<string, unknown>;
  stateText: string | null;
  stopped: RunBrokeDownError | null;
}

/** One progress line: the step and every number of the record. */
function progressLine(m: MetricsRecord): string {
  const cells = Object.entries(m)
    .filter(([k]) => k !== 'iter' && k !== 'timeMs')
    .map(([k, v]) => `${k} ${typeof v === 'number' && Number.isFinite(v) && !Number.isInteger(v) ? v.toExponential(3) : String(v)}`);
  return `step ${String(m.iter).padStart(5)}  ${cells.join('  ')}  ${m.timeMs.toFixed(0)} ms`;
}

/** The model's scores for n rows (solver/predict.ts: its own predict, its deep network, else its plain network). */
function scores(model: TrainedModel, X: Float64Array, n: number): Float64Array {
  return predictModel(model, X, n);
}

function networkJson(net: Network): Record<string, unknown> {
  return { model: net.model, d: net.d, m: net.m, C: net.C, W1: nested(net.W1, net.d, net.m), w2: nested(net.w2, net.m, net.C) };
}

/**
 * Trains `args.method` (not CRONOS) on the data of `args` and returns result.json's document.
 * `env` is where the trainer runs (the caller opens the GPU for `--device gpu`).
 */
export async function trainMethod(args: TrainArgs, env: TrainerEnv, log: (s: string) => void, methods: MethodRegistry = METHODS): Promise<MethodRun> {
  const t0 = performance.now();
  const info = methods[args.method];
  const seed = typeof args.settings.seed === 'number' ? args.settings.seed : 0;
  const loaded = loadTrainingData(args, seed, log);
  const { trainData, testData, std } = loaded;
  const stateCtx = { method: args.method, config: args.settings, n: trainData.n, d: trainData.d, classes: trainData.classNames, X: trainData.X, labels: trainData.labels };
  const resumed = args.resume !== undefined ? readStateFile(args.resume, stateCtx, methods) : null;
  // A resumed run at its budget has nothing left to do: say which flag to raise.
  const budget = Object.entries(info.params).find(([, p]) => p.change === 'limit');
  const cap = budget ? args.settings[budget[0]] : undefined;
  if (resumed && budget && typeof cap === 'number' && resumed.iteration >= cap) {
    const flag = budget[1].cli?.flag ?? budget[0];
    throw new DataError(`${args.resume}: the saved state is already at step ${resumed.iteration}; raise ${flag} above it to continue.`, { file: args.resume ?? '' });
  }
  const factory = await info.load();
  const test = testData ? { X: testData.X, n: testData.n, labels: testData.labels } : null;
  const settings: Record<string, string | number | boolean> = {};
  for (const [k, v] of Object.entries(args.settings)) if (v !== undefined) settings[k] = v;
  const data = { train: trainData, test };
  // Every method steps through solver/resilience.ts: checkpoints, a new device after a loss (the
  // CPU after too many), and the last good state on a numerical breakdown.
  const { run, events } = await startCliRun<Trainer>({
    create: async (device) => trainerAttempt(await factory(data, settings, device === 'gpu' ? env : { device: 'cpu' })),
    device: env.device,
    initial: resumed,
    ...(args.simulateDeviceLoss !== undefined ? { simulateDeviceLoss: args.simulateDeviceLoss } : {}),
    unit: 'step',
    log,
  });
  const history: MetricsRecord[] = [];
  let stateText: string | null = null;
  let stopped: RunBrokeDownError | null = null;
  let model: TrainedModel;
  try {
    if (resumed) log(`resumed: ${args.resume} at step ${resumed.iteration}`);
    stopped = await stepToEnd(run, history, (m) => log(progressLine(m)));
    model = await run.trainer.model();
    if (args.saveState !== undefined) stateText = stateFileText(await run.trainer.saveState(), stateCtx, methods);
  } finally {
    run.dispose();
  }
  const trainer = run.trainer;
  const last = history[history.length - 1];
  if (!last) throw new DataError(`${args.data}: the run made no step.`, { file: args.data });
  const net = model.network;
  const trainAcc = trainData.classNames.length > 1 ? accuracyFromLabels(scores(model, trainData.X, trainData.n), trainData.n, net.C, trainData.labels) : null;
  const testAcc = testData ? accuracyFromLabels(scores(model, testData.X, testData.n), testData.n, net.C, testData.labels) : null;
  const wallMs = performance.now() - t0;
  log(`done: ${history.length} steps, train ${trainAcc === null ? '—' : (100 * trainAcc).toFixed(2)}%, test ${testAcc === null ? '—' : (100 * testAcc).toFixed(2)}%, ${(wallMs / 1000).toFixed(1)} s`);
  const result = {
    method: args.method,
    config: { ...args.settings, device: trainer.device },
    data: {
      ...dataFacts(args.data, loaded),
      standardisation: std,
    },
    resumed_from: resumed ? { file: args.resume, iteration: resumed.iteration } : null,
    history,
    final: {
      /** Steps in all (including those before a --resume). */
      iterations: last.iter,
      /** The final model on the training / test rows, as fractions in [0, 1]. */
      train_accuracy: trainAcc,
      test_accuracy: testAcc,
      last: { ...last },
      solve_ms: history.reduce((s, m) => s + m.timeMs, 0),
      wall_ms: wallMs,
    },
    network: networkJson(net),
    /** Device losses, recoveries, a CPU fallback, a breakdown (solver/resilience.ts RunEvent), in order. */
    events,
    /** Set when a numerical breakdown stopped the run: the model and state are then the last good step's, and the CLI exits 1. */
    stopped: stopped ? { iteration: stopped.lastGood, reason: 'numerical-breakdown', message: stopped.message } : null,
  };
  return { result, stateText, stopped };
}

/** Where a CLI run's trainers run: the CPU, or dawn.node's WebGPU (loaded only here, so --device cpu never starts it). */
export async function trainerEnv(device: 'gpu' | 'cpu'): Promise<TrainerEnv> {
  if (device === 'cpu') return { device: 'cpu' };
  const { nodeGpu } = await import('../solver/gpu/node-gpu');
  return { device: 'gpu', gpu: nodeGpu() };
}

/** The CLI around {@link trainMethod}: checks the outputs, opens the device, writes result.json and the state atomically. */
export async function runMethodCli(args: TrainArgs, log: (s: string) => void, methods: MethodRegistry = METHODS): Promise<number> {
  if (args.out !== undefined) checkWritable(args.out, '--out');
  if (args.saveState !== undefined) checkWritable(args.saveState, '--save-state');
  const env = await trainerEnv(args.device);
  const { result, stateText, stopped } = await trainMethod(args, env, log, methods);
  const resultText = toJson(result, 1) + '\n';
  const files: { path: string; text: string }[] = [];
  if (args.out !== undefined) files.push({ path: args.out, text: resultText });
  if (args.saveState !== undefined && stateText !== null) files.push({ path: args.saveState, text: stateText });
  writeFilesAtomically(files);
  if (args.out === undefined) await new Promise<void>((res) => process.stdout.write(resultText, () => res()));
  else log(`wrote ${args.out}`);
  if (args.saveState !== undefined) log(`wrote ${args.saveState}`);
  if (!stopped) return 0;
  log(`error: ${stopped.message}`);
  return 1;
}
