/**
 * The solver Worker: loads a dataset, builds the CRONOS problem and runs ADMM steps on WebGPU
 * (or on the float64 CPU solver when WebGPU is missing), posting metrics after every step.
 */
import { parseDataset } from '../solver/data/csv';
import { standardize } from '../solver/data/preprocess';
import { WebGpuUnavailableError } from '../solver/gpu/context';
import { createSolver, sharedGpuContext } from '../solver/index';
import { buildProblem } from '../solver/problem';
import type { CronosSolver } from '../solver/solver';
import type { DeviceKind } from '../solver/types';
import type { FromWorker, ToWorker } from './protocol';

const post = (m: FromWorker): void => (self as unknown as Worker).postMessage(m);

let solver: CronosSolver | null = null;
let running = false;
let busy = false;
let generation = 0;

/** Fetches a built-in dataset file (relative URLs in a Worker resolve against the script, so use the app base). */
async function fetchDataset(file: string): Promise<string> {
  const url = new URL(`${import.meta.env.BASE_URL}datasets/${file}`, self.location.origin);
  const res = await fetch(url);
  // A dev or preview server answers unknown paths with index.html; never parse that as CSV.
  if (!res.ok || (res.headers.get('content-type') ?? '').includes('text/html')) {
    throw new Error(`Could not load the built-in dataset ${file} (HTTP ${res.status}). Reload the page; if it persists, rebuild with npm run build.`);
  }
  return res.text();
}

async function start(msg: Extract<ToWorker, { type: 'start' }>): Promise<void> {
  const gen = ++generation;
  running = false;
  solver?.dispose();
  solver = null;
  const { dataset, config } = msg;
  const trainRaw = parseDataset(await fetchDataset(dataset.train), dataset.train, { label: dataset.label });
  const testRaw = dataset.test
    ? parseDataset(await fetchDataset(dataset.test), dataset.test, { label: dataset.label, like: trainRaw })
    : undefined;
  const { train, test } = standardize(trainRaw, testRaw);
  const problem = buildProblem(train, { model: config.model, P: config.P, beta: config.beta, seed: config.seed });
  const testSet = test ? { X: test.X, n: test.n, labels: test.labels } : undefined;
  let device: DeviceKind = msg.device === 'cpu' ? 'cpu' : 'gpu';
  let fallbackReason: string | null = null;
  let next: CronosSolver;
  try {
    next = await createSolver(problem, config, { device, test: testSet });
  } catch (e) {
    if (msg.device !== 'auto' || !(e instanceof WebGpuUnavailableError)) throw e;
    fallbackReason = e.message;
    device = 'cpu';
    next = await createSolver(problem, config, { device, test: testSet });
  }
  if (gen !== generation) {
    next.dispose();
    return;
  }
  solver = next;
  const adapter = device === 'gpu' ? (await sharedGpuContext()).adapter : null;
  post({
    type: 'ready',
    device,
    adapter,
    fallbackReason,
    problem: { dataset: dataset.title, n: problem.n, nTest: test?.n ?? 0, d: problem.d, P: problem.P, C: problem.C, classNames: train.classNames, model: problem.model },
  });
  running = true;
  post({ type: 'state', running, finished: null });
  void loop(gen);
}

/** Runs steps while `running`, yielding to the event loop between steps so commands get through. */
async function loop(gen: number): Promise<void> {
  while (running && solver && gen === generation) {
    const finished = await stepOnce();
    if (finished) {
      running = false;
      post({ type: 'state', running, finished });
    }
    await new Promise((r) => setTimeout(r, 0));
  }
}

async function stepOnce(): Promise<'converged' | 'max-iterations' | null> {
  if (!solver || busy) return null;
  busy = true;
  try {
    const m = await solver.step();
    post({ type: 'metrics', metrics: m });
    if (m.converged) return 'converged';
    if (m.iter >= solver.config.admmIters) return 'max-iterations';
    return null;
  } finally {
    busy = false;
  }
}

self.onmessage = (ev: MessageEvent<ToWorker>) => {
  const msg = ev.data;
  const fail = (e: unknown): void => {
    running = false;
    post({ type: 'error', message: e instanceof Error ? e.message : String(e) });
  };
  switch (msg.type) {
    case 'start':
      start(msg).catch(fail);
      break;
    case 'pause':
      running = false;
      post({ type: 'state', running, finished: null });
      break;
    case 'resume':
      if (solver && !running) {
        running = true;
        post({ type: 'state', running, finished: null });
        void loop(generation);
      }
      break;
    case 'step':
      if (!running) stepOnce().catch(fail);
      break;
    case 'reset':
      generation++;
      running = false;
      solver?.dispose();
      solver = null;
      post({ type: 'state', running, finished: null });
      break;
  }
};
