/**
 * Fetching a CSV named by a share link. The URL is untrusted: only http(s), no credentials
 * (cookies or HTTP auth of the user must never reach a server chosen by whoever made the link),
 * no referrer, a byte cap enforced while streaming (a server may lie about or omit
 * Content-Length), and errors mapped to messages a user can act on. The result is text for the
 * CSV parser; nothing here is ever rendered as HTML.
 */

/** Options of {@link fetchRemoteCsv}. */
export interface RemoteCsvOptions {
  /** Refuse bodies larger than this many bytes. */
  maxBytes: number;
  /** Cancels the download (e.g. the user picked another dataset, or AbortSignal.timeout). */
  signal?: AbortSignal;
  /** The fetch to use (tests inject one); defaults to the global fetch. */
  fetchImpl?: typeof fetch;
}

/** Why a download failed. */
export type RemoteCsvFailure = 'url' | 'network' | 'http' | 'too-large' | 'aborted';

/** Result of {@link fetchRemoteCsv}; it never throws. */
export type RemoteCsvResult =
  | { ok: true; text: string; bytes: number; finalUrl: string }
  | { ok: false; reason: RemoteCsvFailure; error: string };

/** `url` clipped for messages (a hostile link can be very long). */
function show(url: string): string {
  return url.length > 200 ? `${url.slice(0, 200)}…` : url;
}

function mb(bytes: number): string {
  return bytes >= 1 << 20 ? `${(bytes / (1 << 20)).toFixed(1)} MiB` : `${Math.ceil(bytes / 1024)} KiB`;
}

/**
 * Downloads the CSV at `url` (http: or https: only) as UTF-8 text, following redirects, without
 * credentials, aborting once more than `maxBytes` arrive. A `TypeError` from fetch is what
 * browsers raise for a CORS refusal (indistinguishable from a network failure by design), so
 * the message explains both and the way out: a server that allows cross-origin requests, or
 * downloading the file and dropping it on the page.
 */
export async function fetchRemoteCsv(url: string, opts: RemoteCsvOptions): Promise<RemoteCsvResult> {
  const { maxBytes, signal } = opts;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return { ok: false, reason: 'url', error: `"${show(url)}" is not an absolute URL.` };
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    return { ok: false, reason: 'url', error: `Only http: and https: URLs can be loaded, not ${parsed.protocol} (${show(url)}).` };
  }
  if (parsed.username !== '' || parsed.password !== '') {
    return { ok: false, reason: 'url', error: `The URL ${show(parsed.origin)}/… contains a user name or password; remove them.` };
  }
  if (!(Number.isSafeInteger(maxBytes) && maxBytes > 0)) return { ok: false, reason: 'url', error: `maxBytes must be a positive integer, got ${maxBytes}` };
  const where = show(parsed.href);
  // Our own controller, so the byte cap can stop the download as well as the caller's signal.
  const controller = new AbortController();
  const onAbort = (): void => controller.abort(signal?.reason);
  if (signal?.aborted) return { ok: false, reason: 'aborted', error: `The download of ${where} was cancelled.` };
  signal?.addEventListener('abort', onAbort, { once: true });
  const doFetch = opts.fetchImpl ?? fetch;
  try {
    let res: Response;
    try {
      res = await doFetch(parsed.href, {
        method: 'GET',
        credentials: 'omit',
        redirect: 'follow',
        mode: 'cors',
        referrerPolicy: 'no-referrer',
        cache: 'no-store',
        signal: controller.signal,
      });
    } catch (e) {
      if (controller.signal.aborted) return { ok: false, reason: 'aborted', error: `The download of ${where} was cancelled.` };
      if (e instanceof TypeError) {
        return {
          ok: false,
          reason: 'network',
          error:
            `Could not download ${where}: the browser blocked the request or the network failed. ` +
            'The server must allow cross-origin requests (CORS: an Access-Control-Allow-Origin header), ' +
            'or download the file yourself and drop it on the page.',
        };
      }
      return { ok: false, reason: 'network', error: `Could not download ${where}: ${e instanceof Error ? e.message : String(e)}` };
    }
    const finalUrl = res.url || parsed.href;
    if (!res.ok) {
      return { ok: false, reason: 'http', error: `The server answered ${res.status}${res.statusText ? ` ${res.statusText}` : ''} for ${show(finalUrl)}.` };
    }
    const tooLarge = (n: string): RemoteCsvResult => ({
      ok: false,
      reason: 'too-large',
      error: `${show(finalUrl)} is ${n}, more than the ${mb(maxBytes)} limit; download it and drop it on the page, or use a smaller file.`,
    });
    const declared = Number(res.headers.get('content-length') ?? NaN);
    if (Number.isFinite(declared) && declared > maxBytes) {
      controller.abort();
      return tooLarge(mb(declared));
    }
    const chunks: Uint8Array[] = [];
    let total = 0;
    if (res.body) {
      const reader = res.body.getReader();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        total += value.length;
        if (total > maxBytes) {
          controller.abort();
          await reader.cancel().catch(() => undefined);
          return tooLarge(`larger than ${mb(maxBytes)}`);
        }
        chunks.push(value);
      }
    }
    const bytes = new Uint8Array(total);
    let o = 0;
    for (const c of chunks) {
      bytes.set(c, o);
      o += c.length;
    }
    // Non-fatal decoding: a Latin-1 header should still give numbers; the BOM is dropped.
    return { ok: true, text: new TextDecoder('utf-8').decode(bytes), bytes: total, finalUrl };
  } catch (e) {
    if (controller.signal.aborted) return { ok: false, reason: 'aborted', error: `The download of ${where} was cancelled.` };
    return { ok: false, reason: 'network', error: `The download of ${where} failed: ${e instanceof Error ? e.message : String(e)}` };
  } finally {
    signal?.removeEventListener('abort', onAbort);
  }
}
