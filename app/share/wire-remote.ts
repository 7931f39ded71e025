/**
 * The Worker's downloads of CSV files named by share links: one download per URL (settings
 * changes that keep the data reuse it), cancelled when the page moves to other data, capped in
 * size and time. The download itself (http(s) only, no credentials, streamed byte cap, CORS
 * message) is remote.ts's fetchRemoteCsv.
 */
import { fetchRemoteCsv, type RemoteCsvOptions } from './remote';
import { activeCsv } from './wire-source';
import type { Settings } from '../settings';

/** Largest remote CSV the page downloads (bigger files: download them and drop them on the page). */
export const REMOTE_CSV_MAX_BYTES = 64 * 1024 * 1024;

/** Longest a remote download may take. */
export const REMOTE_CSV_TIMEOUT_MS = 30_000;

interface Entry {
  controller: AbortController;
  promise: Promise<string>;
  text: string | null;
}

/** Downloads by URL, at most one in flight per URL; failed downloads are forgotten (a retry fetches again). */
export class RemoteCsvCache {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly fetchImpl?: typeof fetch) {}

  /** The text at `url`, downloading it once. Rejects with the user-facing message of the failure. */
  fetch(url: string): Promise<string> {
    const known = this.entries.get(url);
    if (known) return known.promise;
    const controller = new AbortController();
    const opts: RemoteCsvOptions = { maxBytes: REMOTE_CSV_MAX_BYTES, signal: AbortSignal.any([controller.signal, AbortSignal.timeout(REMOTE_CSV_TIMEOUT_MS)]) };
    if (this.fetchImpl) opts.fetchImpl = this.fetchImpl;
    const entry: Entry = {
      controller,
      text: null,
      promise: fetchRemoteCsv(url, opts).then((r) => {
        if (!r.ok) {
          if (this.entries.get(url) === entry) this.entries.delete(url);
          const timedOut = r.reason === 'aborted' && !controller.signal.aborted;
          throw new Error(timedOut ? `The download of ${url} took longer than ${REMOTE_CSV_TIMEOUT_MS / 1000} s and was stopped.` : r.error);
        }
        entry.text = r.text;
        return r.text;
      }),
    };
    // Rejections are reported by whoever awaits the promise; this only silences the unhandled copy.
    entry.promise.catch(() => undefined);
    this.entries.set(url, entry);
    return entry.promise;
  }

  /** The text of `url` when its download has finished. */
  cached(url: string): string | null {
    return this.entries.get(url)?.text ?? null;
  }

  /** Cancels and forgets every download but `url`'s (null: all): the page has moved to other data. */
  keepOnly(url: string | null): void {
    for (const [u, e] of this.entries) {
      if (u === url) continue;
      e.controller.abort();
      this.entries.delete(u);
    }
  }

  /** {@link keepOnly} for the data of `settings`. */
  keepFor(settings: Settings): void {
    const src = activeCsv(settings);
    this.keepOnly(src?.kind === 'url' ? src.url : null);
  }
}
