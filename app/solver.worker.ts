/**
 * The solver Web Worker: the only place that touches the solver and the GPU. It wires a
 * {@link Session} to postMessage, fetches built-in datasets (cached per file) and creates solvers
 * on WebGPU, or on the float64 CPU solver when WebGPU is missing.
 */
import { createSolver, sharedGpuContext } from '../solver/index';
import type { FromWorker, ToWorker } from './protocol';
import { Session } from './worker/session';

const scope = self as unknown as Worker;
const texts = new Map<string, Promise<string>>();

/** Fetches a built-in dataset file once (relative URLs in a Worker resolve against the script, so use the app base). */
function fetchDataset(file: string): Promise<string> {
  let p = texts.get(file);
  if (!p) {
    p = (async () => {
      const url = new URL(`${import.meta.env.BASE_URL}datasets/${file}`, self.location.origin);
      const res = await fetch(url);
      // A dev or preview server answers unknown paths with index.html; never parse that as CSV.
      if (!res.ok || (res.headers.get('content-type') ?? '').includes('text/html')) {
        throw new Error(`Could not load the built-in dataset ${file} (HTTP ${res.status}). Reload the page; if it persists, rebuild with npm run build.`);
      }
      return res.text();
    })();
    p.catch(() => texts.delete(file));
    texts.set(file, p);
  }
  return p;
}

const session = new Session({
  post: (msg: FromWorker, transfer: Transferable[] = []) => scope.postMessage(msg, transfer),
  fetchText: fetchDataset,
  createSolver,
  adapter: async () => (await sharedGpuContext()).adapter,
  now: () => performance.now(),
  defer: (fn) => setTimeout(fn, 0),
});

scope.onmessage = (ev: MessageEvent<ToWorker>) => session.handle(ev.data);
