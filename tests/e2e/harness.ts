/**
 * End-to-end harness: builds the production bundle into a temporary folder, serves it with
 * `vite preview` on a free port, and drives Debian's Chromium through playwright-core (never a
 * downloaded browser). WebGPU in headless Chromium here is SwiftShader's Vulkan.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

/** Repository root. */
export const ROOT = resolve(__dirname, '..', '..');
/** Where screenshots go (git-ignored). */
export const SHOTS = join(ROOT, 'test-results', 'e2e');
const VITE = join(ROOT, 'node_modules', 'vite', 'bin', 'vite.js');
const CHROMIUM = '/usr/bin/chromium';

/** Flags of every launch (no sandbox in containers, no network chatter). */
const BASE_FLAGS = [
  '--no-sandbox',
  '--disable-gpu-sandbox',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-quic',
];
/** WebGPU on SwiftShader in headless Chromium. */
const WEBGPU_FLAGS = ['--enable-unsafe-webgpu', '--enable-features=Vulkan', '--use-angle=swiftshader', '--use-vulkan=swiftshader'];

/** A free TCP port on the loopback interface. */
export function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const srv = createServer();
    srv.once('error', fail);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => ok(port));
    });
  });
}

/** The built page served by `vite preview`. */
export interface Server {
  url: string;
  close(): Promise<void>;
}

/** `vite build` into a temporary folder (the shared dist/ is left alone), then `vite preview` on a free port. */
export async function buildAndServe(): Promise<Server> {
  const outDir = mkdtempSync(join(tmpdir(), 'cronos-e2e-dist-'));
  // vitest sets NODE_ENV=test, which would make Vite bundle React's development build; the tests
  // must exercise the production bundle users get.
  const built = spawnSync(process.execPath, [VITE, 'build', '--outDir', outDir, '--emptyOutDir', '--logLevel', 'warn'], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, NODE_ENV: 'production' },
  });
  if (built.status !== 0) throw new Error(`vite build failed:\n${built.stdout}\n${built.stderr}`);
  const port = await freePort();
  const proc: ChildProcess = spawn(process.execPath, [VITE, 'preview', '--outDir', outDir, '--port', String(port), '--strictPort', '--host', '127.0.0.1'], {
    cwd: ROOT,
    stdio: 'ignore',
  });
  const url = `http://127.0.0.1:${port}/`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      const res = await fetch(url);
      if (res.ok) break;
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline) {
      proc.kill();
      throw new Error(`vite preview did not answer on ${url}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    url,
    close: async () => {
      if (proc.exitCode === null) {
        const exited = new Promise((r) => proc.once('exit', r));
        proc.kill('SIGTERM');
        await exited;
      }
      rmSync(outDir, { recursive: true, force: true });
    },
  };
}

/** A browser with a fresh profile, and the problems its pages reported. */
export interface Browser {
  context: BrowserContext;
  page: Page;
  /** Console errors and uncaught exceptions, in order. */
  errors: string[];
  close(): Promise<void>;
}

/** Launches Chromium with (`webgpu`) or without WebGPU. */
export async function launch(opts: { webgpu: boolean; width?: number; height?: number }): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`The end-to-end tests drive Debian's Chromium at ${CHROMIUM}: apt-get install -y chromium (see README).`);
  const profile = mkdtempSync(join(tmpdir(), 'cronos-e2e-profile-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: [...BASE_FLAGS, ...(opts.webgpu ? WEBGPU_FLAGS : ['--disable-features=WebGPU'])],
    viewport: { width: opts.width ?? 1440, height: opts.height ?? 1000 },
  });
  const page = context.pages()[0] ?? (await context.newPage());
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(`console: ${m.text()}`);
  });
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  // Long tasks on the main thread, from page start (the page must not block while training),
  // in every page of the browser (tabs opened by a test too).
  await context.addInitScript(() => {
    const w = window as unknown as { __longTasks: { start: number; duration: number }[] };
    w.__longTasks = [];
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) w.__longTasks.push({ start: e.startTime, duration: e.duration });
    }).observe({ type: 'longtask', buffered: true });
  });
  return {
    context,
    page,
    errors,
    close: async () => {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/**
 * Saves a screenshot under test-results/e2e/ (the whole page unless `fullPage` is false), after
 * the rate-limited charts have drawn their last points.
 */
export async function screenshot(page: Page, name: string, fullPage = true): Promise<string> {
  mkdirSync(SHOTS, { recursive: true });
  const path = join(SHOTS, `${name}.png`);
  await page.waitForTimeout(700);
  // From the top: a sticky header scrolled along would otherwise be stamped mid-page.
  if (fullPage) await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path, fullPage });
  return path;
}

/** The iteration counter shown in the transport bar. */
export async function iteration(page: Page): Promise<number> {
  const text = (await page.getByTestId('iteration').textContent()) ?? '';
  const m = /Iteration\s+(\d+)/.exec(text);
  return m ? Number(m[1]) : -1;
}

/** Points in trace 0 of a streaming chart (plotly keeps the data on the element). */
export function chartPoints(page: Page, id: string): Promise<number> {
  return page.evaluate((sel) => {
    const el = document.getElementById(sel) as (HTMLElement & { data?: { x?: unknown[] }[] }) | null;
    return el?.data?.[0]?.x?.length ?? -1;
  }, id);
}

/** Waits until `check` holds, polling every 250 ms. */
export async function until(what: string, check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for: ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** Long tasks (≥ 50 ms) that started after `since` (performance.now() of the page). */
export function longTasksSince(page: Page, since: number): Promise<{ start: number; duration: number }[]> {
  return page.evaluate((t) => (window as unknown as { __longTasks: { start: number; duration: number }[] }).__longTasks.filter((e) => e.start >= t), since);
}

/**
 * Whether this machine has spare CPU (1-minute load below the core count). Long-task timings
 * are wall-clock: when other processes crowd the CPUs (SwiftShader emulating the GPU, the GPU
 * test suites beside this one), a chart update of ~8 ms CPU can be descheduled past 50 ms.
 */
export function machineIsQuiet(): boolean {
  return loadavg()[0] < cpus().length;
}

/**
 * The JS heap of each dedicated Worker of `page` with its ArrayBuffer backing stores, in bytes,
 * after a forced garbage collection in it: the DevTools protocol attaches to the page's worker
 * targets (non-flat sessions, since a Playwright CDP session has no per-message session id) and
 * runs `HeapProfiler.collectGarbage` and `Runtime.getHeapUsage` inside each.
 */
export async function workerHeapsAfterGc(page: Page): Promise<number[]> {
  const cdp = await page.context().newCDPSession(page);
  const sessions: string[] = [];
  const pending = new Map<number, (result: unknown) => void>();
  let nextId = 1;
  cdp.on('Target.attachedToTarget', (e: { sessionId: string; targetInfo: { type: string } }) => {
    if (e.targetInfo.type === 'worker') sessions.push(e.sessionId);
  });
  cdp.on('Target.receivedMessageFromTarget', (e: { message: string }) => {
    const msg = JSON.parse(e.message) as { id?: number; result?: unknown };
    if (msg.id !== undefined) pending.get(msg.id)?.(msg.result);
  });
  const inWorker = (sessionId: string, method: string): Promise<unknown> =>
    new Promise((res, rej) => {
      const id = nextId++;
      const timer = setTimeout(() => rej(new Error(`worker ${method}: no reply`)), 30_000);
      pending.set(id, (r) => {
        clearTimeout(timer);
        res(r);
      });
      void cdp.send('Target.sendMessageToTarget', { sessionId, message: JSON.stringify({ id, method }) });
    });
  try {
    await cdp.send('Target.setAutoAttach', { autoAttach: true, waitForDebuggerOnStart: false, flatten: false });
    const heaps: number[] = [];
    for (const s of sessions) {
      await inWorker(s, 'HeapProfiler.collectGarbage');
      const use = (await inWorker(s, 'Runtime.getHeapUsage')) as { usedSize: number; backingStorageSize?: number };
      // Typed arrays (the data, iterates and snapshots) live in backing stores outside the JS heap proper.
      heaps.push(use.usedSize + (use.backingStorageSize ?? 0));
    }
    return heaps;
  } finally {
    await cdp.detach();
  }
}
