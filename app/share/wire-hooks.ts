/**
 * The page's share wiring as React hooks, so App.tsx only calls them: the first settings come
 * from the link in the fragment; every settings change is written back into the fragment with
 * history.replaceState (throttled, never a new history entry); a fragment pasted into the open
 * page applies its settings; session files (picked, dropped anywhere, or handed over by another
 * drop zone through dropped.ts) restore a run; exports ask the Worker for the solution.
 */
import { useCallback, useEffect, useRef, useState, type Dispatch, type RefObject, type SetStateAction } from 'react';
import type { MetricsHistory, XAxis } from '../history';
import type { IterationMetrics } from '../../solver/types';
import type { FinishReason, FromWorker, RunStatus } from '../protocol';
import { withRaisedBudget, type Settings } from '../settings';
import type { WorkerClient } from '../workerClient';
import { loadPlotly } from '../plots/loadPlotly';
import { firstSessionFile, SESSION_FILE_EVENT } from './dropped';
import type { RaceLink } from './race-link';
import type { StoredRace } from './race-session';
import { importSession } from './session';
import { readLocationState, replaceHistoryState, tryEncodeState, type EncodeResult } from './state';
import { fromShareState, initialState, toShareState, type InitialState, type LocalDataName } from './wire';
import { activeCsv } from './wire-source';
import { raceLinkOf } from '../race/page';
import { fileStem, metricsCsvFile, networkJsonFile, safetensorsFile, sessionDownload, sessionSettings, snippetFile, type DownloadFile } from './wire-files';
import type { RunExport } from './wire-run';

/** Least time between two writes of the fragment while settings change (a slider being dragged). */
export const HISTORY_THROTTLE_MS = 300;

/** Pending export requests to the Worker, answered by its `share-export` replies. */
export class ExportRequests {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve(e: RunExport): void; reject(e: Error): void; run: number }>();

  /**
   * Asks for the current run's export. `run` is the run the page shows; a reply for another run
   * is refused (the results and the page's metrics would not belong together).
   */
  request(send: (msg: { type: 'share-export'; id: number }) => void, run: number): Promise<RunExport> {
    const id = this.nextId++;
    return new Promise<RunExport>((resolve, reject) => {
      this.pending.set(id, { resolve, reject, run });
      send({ type: 'share-export', id });
    });
  }

  /** Takes the replies among a batch of Worker messages. */
  receive(messages: readonly FromWorker[]): void {
    for (const m of messages) {
      if (m.type !== 'share-export') continue;
      const p = this.pending.get(m.id);
      if (!p) continue;
      this.pending.delete(m.id);
      if (!m.result) p.reject(new Error(m.error ?? 'The solver did not answer the export request.'));
      else if (m.run !== p.run) p.reject(new Error('A new run started while the export was prepared; export again once it has results.'));
      else p.resolve(m.result);
    }
  }

  /** Rejects every request still waiting (the Worker went away). */
  cancelAll(reason: string): void {
    for (const p of this.pending.values()) p.reject(new Error(reason));
    this.pending.clear();
  }
}

/** Saves `file` through a temporary object URL and a download link (no navigation). */
export function saveFile(file: DownloadFile): void {
  const part: BlobPart = typeof file.content === 'string' ? file.content : new Uint8Array(file.content);
  const url = URL.createObjectURL(new Blob([part], { type: file.type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = file.name;
  a.rel = 'noopener';
  a.style.display = 'none';
  document.body.append(a);
  a.click();
  a.remove();
  // Revoked later: some browsers read the URL after click() returns.
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

/**
 * The bytes of a data: URL made by Plotly.toImage. Decoded here, not fetched: the page's CSP
 * does not allow fetching data: URLs, and needs not.
 */
export function dataUrlBytes(url: string): { type: string; bytes: Uint8Array } {
  const m = /^data:([^;,]+)(;base64)?,(.*)$/s.exec(url);
  if (!m) throw new Error('The chart library returned no image.');
  if (m[2]) {
    const bin = atob(m[3]);
    const bytes = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
    return { type: m[1], bytes };
  }
  return { type: m[1], bytes: new TextEncoder().encode(decodeURIComponent(m[3])) };
}

/** `message` as a sentence (closing full stop), then `more`. */
function sentence(message: string, more: string): string {
  return `${message}${/[.!?]$/.test(message) ? '' : '.'} ${more}`;
}

/** What the export menu offers. */
export type ExportKind = 'network-json' | 'safetensors' | 'snippet' | 'metrics' | 'session';

/** A session file that was opened. */
export interface LoadedSession {
  /** The file's name (shown as text). */
  fileName: string;
  /** Iterations the session saved. */
  iterations: number;
  /** When it was saved (ISO 8601), if the file says. */
  createdAt: string | null;
  /** Whether the user continued the saved run (it is then training again). */
  continued: boolean;
}

/** Inputs of {@link useShare}: the App's settings state and its Worker. */
export interface ShareInputs {
  /** The state the page opened with ({@link useBootState}). */
  boot: InitialState;
  /** The page's current settings and chart x-axis, and their setters. */
  settings: Settings;
  xAxis: XAxis;
  setSettings: Dispatch<SetStateAction<Settings>>;
  setXAxis: Dispatch<SetStateAction<XAxis>>;
  /** The settings the Worker was last sent (App keeps it for the Worker's first start). */
  latest: RefObject<Settings>;
  /** The solver Worker. */
  client: RefObject<WorkerClient | null>;
  /** The metrics of the run the page shows (they go into session files and the CSV). */
  history: MetricsHistory<IterationMetrics>;
  /** Run number, title and status of the run the page shows. */
  run: number;
  title: string | null;
  status: RunStatus;
  finished: FinishReason | null;
  /** The race the page shows (it goes into session files), or null. */
  race: StoredRace | null;
  /** Shows a race a session file held (its chart and table, without rerunning it). */
  onRaceOpened(race: StoredRace): void;
  /**
   * The race section the address bar carries beside the settings (app/share/race-link.ts): the
   * race on screen while the race view is open, so a reload or a copied address replays it;
   * null otherwise (a plain playground link).
   */
  raceSection?: RaceLink | null;
}

/** What the share UI uses. */
export interface ShareApi {
  /** Give every batch of Worker messages to this (it takes the export replies). Stable. */
  receive(messages: readonly FromWorker[]): void;
  /** Why a link or session file could not be opened (shown as an alert). */
  error: string | null;
  /** Values a link or session asked for that the page changed or ignores. */
  notices: string[];
  /** The session file that was opened last, until dismissed. */
  session: LoadedSession | null;
  /** Clears the error, the notices and the session banner. */
  dismiss(): void;
  /** The link of the current settings, or why there is none. */
  link(): EncodeResult;
  /**
   * For CSV text from a session file (no test file of its own): the link that would carry the
   * data inline, or why it cannot (too big). Null for any other data.
   */
  inlineLink(): EncodeResult | null;
  /** Puts that CSV text into the link (nothing is retrained: the rows are the same). */
  putDataInLink(): void;
  /** Opens a session file: its settings, its data, and its results without training. */
  openSession(file: File): Promise<void>;
  /** Downloads one export of the current run (failures land in `exportError`). */
  exportFile(kind: ExportKind): Promise<void>;
  /** Downloads the plotly.js chart `chartId` as PNG or SVG. */
  exportPlot(chartId: string, label: string, format: 'png' | 'svg'): Promise<void>;
  /** Continues the shown run: raises a reached iteration cap, then plays. */
  continueRun(): void;
  /** What is being prepared ("network JSON"), or null. */
  busy: string | null;
  /** Why the last export failed, or null. */
  exportError: string | null;
}

/** The page's first state from the fragment, read once. */
export function useBootState(): InitialState {
  const [boot] = useState(() => initialState(window));
  return boot;
}

/** Wires sharing into the page; see the module comment. */
export function useShare(inputs: ShareInputs): ShareApi {
  const { boot, settings, xAxis, setSettings, setXAxis, latest, client, history, run, title, status, finished, race, onRaceOpened } = inputs;
  const raceSection = inputs.raceSection ?? null;
  const requests = useRef(new ExportRequests()).current;
  const [error, setError] = useState<string | null>(boot.error === null ? null : sentence(boot.error, 'The page uses its default settings instead.'));
  const [notices, setNotices] = useState<string[]>(boot.notices);
  const [session, setSession] = useState<LoadedSession | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const [exportError, setExportError] = useState<string | null>(null);
  const local: LocalDataName = { name: title ?? 'your data', label: 'label' };
  const localRef = useRef(local);
  localRef.current = local;
  const current = useRef({ settings, xAxis, run, title, status, finished, race, raceSection });
  current.current = { settings, xAxis, run, title, status, finished, race, raceSection };

  // The fragment follows the settings. Not until something changes after a refused link, so
  // the address bar keeps the link the user can still read (and report).
  const written = useRef(boot.error === null);
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  // The race section is compared by content: App rebuilds it on every render.
  const raceKey = raceSection === null ? '' : JSON.stringify(raceSection);
  const bootRaceKey = boot.race === null ? '' : JSON.stringify(raceLinkOf(boot.race));
  useEffect(() => {
    if (!written.current && settings === boot.settings && xAxis === boot.view.xAxis && raceKey === bootRaceKey) return;
    written.current = true;
    // Throttled, trailing: one write per interval, always of the latest settings.
    timer.current ??= setTimeout(() => {
      timer.current = null;
      const { settings: now, xAxis: axis, raceSection: section } = current.current;
      const state = toShareState(now, { xAxis: axis }, localRef.current);
      replaceHistoryState(window, section === null ? state : { ...state, race: section });
    }, HISTORY_THROTTLE_MS);
  }, [settings, xAxis, boot, raceKey, bootRaceKey]);
  useEffect(
    () => () => {
      // Nulled too: StrictMode unmounts and remounts, and a stale id would block every later write.
      if (timer.current !== null) clearTimeout(timer.current);
      timer.current = null;
    },
    [],
  );

  const apply = useCallback(
    (next: Settings, axis: XAxis) => {
      setSettings(next);
      setXAxis(axis);
      latest.current = next;
    },
    [setSettings, setXAxis, latest],
  );

  // A link pasted into the address bar of the open page (replaceState fires no hashchange).
  useEffect(() => {
    const onHash = (): void => {
      const r = readLocationState(window);
      if (r === null) return;
      if (!r.ok) {
        setError(sentence(r.error, 'The page keeps its current settings.'));
        return;
      }
      const applied = fromShareState(r.state, current.current.settings);
      setError(null);
      setNotices(applied.notices);
      setSession(null);
      apply(applied.settings, applied.view.xAxis);
      client.current?.send({ type: 'settings', settings: applied.settings });
    };
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, [apply, client]);

  const openSession = useCallback(
    async (file: File) => {
      let bytes: ArrayBuffer;
      try {
        bytes = await file.arrayBuffer();
      } catch (e) {
        setError(sentence(`Could not read ${file.name}: ${e instanceof Error ? e.message : String(e)}`, 'The page keeps its current run.'));
        return;
      }
      const r = importSession(bytes);
      if (!r.ok) {
        setError(sentence(r.error, 'The page keeps its current run.'));
        return;
      }
      const applied = sessionSettings(r.session, current.current.settings);
      if (applied.settings.device === 'gpu' && !('gpu' in navigator)) {
        // The saved results need no GPU to be shown; 'WebGPU only' would stop at an error instead.
        applied.settings = { ...applied.settings, device: 'auto' };
        applied.notices = [...applied.notices, 'The session ran on WebGPU, which this browser lacks: it opens with the CPU fallback.'];
      }
      const results = r.session.results;
      setError(null);
      setNotices(applied.notices);
      setSession({ fileName: file.name, iterations: results?.history.at(-1)?.iter ?? 0, createdAt: r.session.createdAt ?? null, continued: false });
      apply(applied.settings, applied.view.xAxis);
      if (r.session.race) onRaceOpened(r.session.race);
      const sol = results?.solution ?? null;
      if (results && results.history.length > 0) {
        client.current?.send({ type: 'share-restore', settings: applied.settings, history: results.history, solution: sol ? { U: sol.U, V: sol.V } : null, state: results.state ?? null });
      } else {
        // No results saved: the session is a configuration (and data); train it.
        client.current?.send({ type: 'start', settings: applied.settings, autoplay: true });
      }
    },
    [apply, client, onRaceOpened],
  );

  // Session files dropped anywhere on the page, or handed over by another drop zone.
  useEffect(() => {
    const hasFiles = (e: DragEvent): boolean => Array.from(e.dataTransfer?.types ?? []).includes('Files');
    const onDragOver = (e: DragEvent): void => {
      // Allows the drop event; without it Chrome would open a dropped file instead of the page.
      if (hasFiles(e)) e.preventDefault();
    };
    const onDrop = (e: DragEvent): void => {
      if (e.defaultPrevented) return; // a drop zone took it
      const f = firstSessionFile(e.dataTransfer?.files);
      if (!hasFiles(e)) return;
      // Never let a stray file replace the page; only session files are read here.
      e.preventDefault();
      if (f) void openSession(f);
    };
    const onHanded = (e: Event): void => {
      const f = (e as CustomEvent<unknown>).detail;
      if (f instanceof File) void openSession(f);
    };
    window.addEventListener('dragover', onDragOver);
    window.addEventListener('drop', onDrop);
    window.addEventListener(SESSION_FILE_EVENT, onHanded);
    return () => {
      window.removeEventListener('dragover', onDragOver);
      window.removeEventListener('drop', onDrop);
      window.removeEventListener(SESSION_FILE_EVENT, onHanded);
    };
  }, [openSession]);

  useEffect(() => () => requests.cancelAll('The page closed.'), [requests]);

  const withBusy = useCallback(async (what: string, job: () => Promise<void>) => {
    setBusy(what);
    setExportError(null);
    try {
      await job();
    } catch (e) {
      setExportError(e instanceof Error ? e.message : String(e));
    } finally {
      setBusy(null);
    }
  }, []);

  const exportFile = useCallback(
    (kind: ExportKind) =>
      withBusy(EXPORT_LABELS[kind], async () => {
        const { run: shown, title: shownTitle, xAxis: axis } = current.current;
        if (kind === 'metrics') {
          if (history.length === 0) throw new Error('There are no iterations to export yet.');
          saveFile(metricsCsvFile(history.rows, shownTitle ?? 'run', current.current.settings.method));
          return;
        }
        const c = client.current;
        if (!c) throw new Error('The solver is not running.');
        const e = await requests.request((m) => c.send(m), shown);
        if (kind === 'session') {
          // The export's own settings and the page's metrics of that same run.
          if (history.run !== shown) throw new Error('A new run started; export again.');
          saveFile(sessionDownload(e, history.rows, { xAxis: axis }, new Date(), current.current.race));
        } else if (kind === 'network-json') saveFile(networkJsonFile(e));
        else if (kind === 'safetensors') saveFile(safetensorsFile(e));
        else saveFile(snippetFile(e));
      }),
    [withBusy, client, requests, history],
  );

  const exportPlot = useCallback(
    (chartId: string, label: string, format: 'png' | 'svg') =>
      withBusy(`${label} (${format.toUpperCase()})`, async () => {
        const el = document.getElementById(chartId);
        if (!el) throw new Error(`The chart "${label}" is not on the page.`);
        const plotly = await loadPlotly();
        const rect = el.getBoundingClientRect();
        const url = await plotly.toImage(el, { format, width: Math.max(320, Math.round(rect.width)), height: Math.max(200, Math.round(rect.height)), scale: format === 'png' ? 2 : 1 });
        const { type, bytes } = dataUrlBytes(url);
        saveFile({ name: `${fileStem(current.current.title ?? 'run')}-${chartId.replace(/^chart-/, '')}.${format}`, type, content: bytes });
      }),
    [withBusy],
  );

  const continueRun = useCallback(() => {
    const c = client.current;
    const now = current.current;
    if (!c) return;
    setSession((s) => (s ? { ...s, continued: true } : s));
    if (now.status === 'finished' && now.finished === 'max-iterations') {
      // The Worker reopens a run whose cap is raised (settings.ts 'limit' change), then plays it.
      const next: Settings = withRaisedBudget(now.settings);
      apply(next, now.xAxis);
      c.send({ type: 'settings', settings: next });
    }
    c.send({ type: 'resume' });
  }, [apply, client]);

  /** The settings with session CSV text moved into the link, or null when that does not apply. */
  const inlined = (s: Settings): Settings | null => {
    const src = activeCsv(s);
    if (src?.kind !== 'text' || src.origin === 'inline' || src.test !== undefined) return null;
    return { ...s, csv: { ...src, origin: 'inline' } };
  };

  const receive = useCallback((messages: readonly FromWorker[]) => requests.receive(messages), [requests]);

  return {
    receive,
    error,
    notices,
    session,
    dismiss: () => {
      setError(null);
      setNotices([]);
      setSession(null);
    },
    link: () => tryEncodeState(toShareState(current.current.settings, { xAxis: current.current.xAxis }, localRef.current)),
    inlineLink: () => {
      const next = inlined(current.current.settings);
      return next ? tryEncodeState(toShareState(next, { xAxis: current.current.xAxis }, localRef.current)) : null;
    },
    putDataInLink: () => {
      const next = inlined(current.current.settings);
      if (!next) return;
      apply(next, current.current.xAxis);
      // The Worker sees the same rows (share/wire-source.ts sameCsvSource): nothing is rebuilt.
      client.current?.send({ type: 'settings', settings: next });
    },
    openSession,
    exportFile,
    exportPlot,
    continueRun,
    busy,
    exportError,
  };
}

/** Names of the exports, for the busy line and the menu. */
export const EXPORT_LABELS: Record<ExportKind, string> = {
  'network-json': 'Network as JSON',
  safetensors: 'Network as safetensors',
  snippet: 'Prediction snippet (.mjs)',
  metrics: 'Metrics per iteration (CSV)',
  session: 'Session file (.cronos.json.gz)',
};
