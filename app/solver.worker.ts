/**
 * The solver Web Worker: the only place that touches the solver and the GPU. It wires a
 * {@link Session} to postMessage and fetches built-in datasets (cached per file); the session
 * builds each run through the method registry, on WebGPU or, when WebGPU is missing, the CPU. The user's own data is read
 * here too (an {@link IngestSession}), so training on it needs no copy between Workers.
 */
import { sharedGpuContext } from '../solver/index';
import { IngestSession } from './ingest/session';
import type { ToIngest } from './ingest/protocol';
import type { FromWorker, ToWorker } from './protocol';
import { Session } from './worker/session';
import { RemoteCsvCache } from './share/wire-remote';

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

const ingest = new IngestSession((msg) => scope.postMessage(msg));
/** CSV files named by share links (app/share/wire-remote.ts). */
const remote = new RemoteCsvCache();

const session = new Session({
  post: (msg: FromWorker, transfer: Transferable[] = []) => scope.postMessage(msg, transfer),
  fetchText: fetchDataset,
  adapter: async () => (await sharedGpuContext()).adapter,
  now: () => performance.now(),
  defer: (fn) => setTimeout(fn, 0),
  userData: () => ingest.current,
  fetchUrl: (url) => remote.fetch(url),
  cachedUrl: (url) => remote.cached(url),
});

/** Ingestion requests, told apart by their type prefix. */
function isIngestRequest(msg: ToWorker): msg is ToIngest {
  return msg.type.startsWith('ingest-');
}

scope.onmessage = (ev: MessageEvent<ToWorker>) => {
  const msg = ev.data;
  // IngestSession.handle never rejects: failures come back as ingest-error replies.
  if (isIngestRequest(msg)) void ingest.handle(msg);
  else {
    // Settings for other data cancel a remote download in flight (before the queued build runs).
    if (msg.type === 'start' || msg.type === 'settings' || msg.type === 'share-restore') remote.keepFor(msg.settings);
    session.handle(msg);
  }
};
