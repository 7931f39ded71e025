/**
 * Remote CSV download against a local HTTP server: redirects, byte cap while streaming and from
 * Content-Length, HTTP errors, refused schemes and credentials, network failure mapped to the
 * CORS message, cancellation, and the request options that keep credentials at home.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fetchRemoteCsv } from '../../app/share/remote';

const CSV = 'x1,x2,label\n1,2,a\n3,4,b\n';
let server: Server;
let base = '';
let endlessClosed: Promise<number>;
let resolveEndless: (written: number) => void = () => undefined;
const seenHeaders: Record<string, string | string[] | undefined>[] = [];

beforeAll(async () => {
  endlessClosed = new Promise((r) => (resolveEndless = r));
  server = createServer((req, res) => {
    seenHeaders.push(req.headers);
    const path = req.url ?? '/';
    if (path === '/data.csv') {
      res.writeHead(200, { 'content-type': 'text/csv', 'content-length': Buffer.byteLength(CSV) });
      res.end(CSV);
    } else if (path === '/bom.csv') {
      res.end(`\uFEFF${CSV}`);
    } else if (path === '/moved') {
      res.writeHead(302, { location: '/data.csv' });
      res.end();
    } else if (path === '/endless') {
      // No Content-Length: the cap must hold while streaming. Count what was written until the client hung up.
      res.writeHead(200, { 'content-type': 'text/csv' });
      const chunk = Buffer.alloc(16 * 1024, 0x31);
      let written = 0;
      const timer = setInterval(() => {
        if (res.destroyed) return;
        res.write(chunk);
        written += chunk.length;
      }, 1);
      res.on('close', () => {
        clearInterval(timer);
        resolveEndless(written);
      });
    } else if (path === '/declared-huge') {
      res.writeHead(200, { 'content-length': String(10 * 1024 * 1024) });
      res.write('a');
      setTimeout(() => res.destroy(), 2000);
    } else if (path === '/slow') {
      res.writeHead(200);
      res.write('a,b\n');
      setTimeout(() => res.end('1,2\n'), 5000);
    } else {
      res.writeHead(404, 'Not Found');
      res.end('<h1>not here</h1>');
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

describe('fetchRemoteCsv', () => {
  it('downloads a CSV as text', async () => {
    const r = await fetchRemoteCsv(`${base}/data.csv`, { maxBytes: 1000 });
    expect(r).toEqual({ ok: true, text: CSV, bytes: Buffer.byteLength(CSV), finalUrl: `${base}/data.csv` });
    expect(await fetchRemoteCsv(`${base}/bom.csv`, { maxBytes: 1000 })).toMatchObject({ ok: true, text: CSV });
  });

  it('follows redirects and reports the final URL', async () => {
    expect(await fetchRemoteCsv(`${base}/moved`, { maxBytes: 1000 })).toMatchObject({ ok: true, text: CSV, finalUrl: `${base}/data.csv` });
  });

  it('stops an endless body at the cap and hangs up', async () => {
    const r = await fetchRemoteCsv(`${base}/endless`, { maxBytes: 256 * 1024 });
    expect(r).toMatchObject({ ok: false, reason: 'too-large' });
    expect(!r.ok && r.error).toContain('more than the 256 KiB limit');
    const written = await endlessClosed;
    expect(written).toBeLessThan(64 * 1024 * 1024);
  });

  it('refuses a declared Content-Length over the cap before reading', async () => {
    const t0 = performance.now();
    const r = await fetchRemoteCsv(`${base}/declared-huge`, { maxBytes: 1024 * 1024 });
    expect(r).toMatchObject({ ok: false, reason: 'too-large' });
    expect(!r.ok && r.error).toContain('is 10.0 MiB, more than the 1.0 MiB limit');
    expect(performance.now() - t0).toBeLessThan(1500);
  });

  it('reports HTTP errors without reading the page as data', async () => {
    const r = await fetchRemoteCsv(`${base}/missing.csv`, { maxBytes: 1000 });
    expect(r).toEqual({ ok: false, reason: 'http', error: `The server answered 404 Not Found for ${base}/missing.csv.` });
  });

  it('refuses other schemes, relative URLs and credentials without fetching', async () => {
    let called = 0;
    const spy = (async () => {
      called++;
      return new Response('');
    }) as typeof fetch;
    for (const u of ['javascript:alert(1)', 'data:text/csv,a,b', 'file:///etc/passwd', 'ftp://example.com/a.csv', 'blob:https://x/y']) {
      const r = await fetchRemoteCsv(u, { maxBytes: 10, fetchImpl: spy });
      expect(r).toMatchObject({ ok: false, reason: 'url' });
      expect(!r.ok && r.error).toMatch(/^Only http: and https: URLs can be loaded, not [a-z]+:/);
    }
    expect(await fetchRemoteCsv('/datasets/a.csv', { maxBytes: 10, fetchImpl: spy })).toMatchObject({ ok: false, reason: 'url' });
    const cred = await fetchRemoteCsv('https://user:secret@example.com/a.csv', { maxBytes: 10, fetchImpl: spy });
    expect(cred).toMatchObject({ ok: false, reason: 'url' });
    expect(!cred.ok && cred.error).not.toContain('secret');
    expect(await fetchRemoteCsv('https://example.com/a.csv', { maxBytes: 0, fetchImpl: spy })).toMatchObject({ ok: false, reason: 'url' });
    expect(called).toBe(0);
  });

  it('maps a fetch TypeError (CORS refusal or network failure) to the CORS explanation', async () => {
    // A closed port: Node's fetch rejects with TypeError, as browsers do for a CORS refusal.
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((r) => closed.close(r));
    const url = `http://127.0.0.1:${port}/data.csv`;
    const r = await fetchRemoteCsv(url, { maxBytes: 1000 });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.reason).toBe('network');
    expect(r.error).toContain(url);
    expect(r.error).toContain('must allow cross-origin requests (CORS');
    expect(r.error).toContain('drop it on the page');
  });

  it('sends no credentials and no referrer, follows redirects, never caches', async () => {
    let init: RequestInit | undefined;
    const spy = (async (_url: string | URL | Request, i?: RequestInit) => {
      init = i;
      return new Response(CSV);
    }) as typeof fetch;
    expect(await fetchRemoteCsv('https://example.com/x.csv', { maxBytes: 1000, fetchImpl: spy })).toMatchObject({ ok: true, text: CSV });
    expect(init).toMatchObject({ method: 'GET', credentials: 'omit', redirect: 'follow', mode: 'cors', referrerPolicy: 'no-referrer', cache: 'no-store' });
    await fetchRemoteCsv(`${base}/data.csv`, { maxBytes: 1000 });
    const last = seenHeaders[seenHeaders.length - 1];
    expect(last.cookie).toBeUndefined();
    expect(last.authorization).toBeUndefined();
    expect(last.referer).toBeUndefined();
  });

  it('can be cancelled, before and during the download', async () => {
    const pre = new AbortController();
    pre.abort();
    expect(await fetchRemoteCsv(`${base}/data.csv`, { maxBytes: 1000, signal: pre.signal })).toMatchObject({ ok: false, reason: 'aborted' });
    const during = new AbortController();
    setTimeout(() => during.abort(), 100);
    const t0 = performance.now();
    expect(await fetchRemoteCsv(`${base}/slow`, { maxBytes: 1000, signal: during.signal })).toMatchObject({ ok: false, reason: 'aborted' });
    expect(performance.now() - t0).toBeLessThan(3000);
  });

  it('clips very long URLs in messages', async () => {
    const r = await fetchRemoteCsv(`ftp://example.com/${'a'.repeat(5000)}`, { maxBytes: 10 });
    expect(!r.ok && r.error.length).toBeLessThan(400);
  });
});
