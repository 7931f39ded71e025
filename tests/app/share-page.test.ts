/**
 * The page-side helpers of the share wiring that run without a browser: export requests matched
 * to the Worker's replies (and refused for another run), chart images decoded from Plotly's data:
 * URLs, and index.html carrying the Content-Security-Policy first in <head>.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { FromWorker } from '../../app/protocol';
import { CSP_META_TAG } from '../../app/share/csp';
import { dataUrlBytes, ExportRequests } from '../../app/share/wire-hooks';
import type { RunExport } from '../../app/share/wire-run';
import { ROOT } from '../support/paths';

const result = { iter: 3 } as unknown as RunExport;

describe('export requests', () => {
  it('resolve with the matching reply, reject errors, replies of another run and cancellation', async () => {
    const r = new ExportRequests();
    const sent: number[] = [];
    const a = r.request((m) => sent.push(m.id), 4);
    const b = r.request((m) => sent.push(m.id), 4);
    const c = r.request((m) => sent.push(m.id), 4);
    const d = r.request((m) => sent.push(m.id), 4);
    expect(sent).toEqual([1, 2, 3, 4]);
    const replies: FromWorker[] = [
      { type: 'metrics', run: 4, metrics: {} as never },
      { type: 'share-export', run: 4, id: 2, result, error: null },
      { type: 'share-export', run: 4, id: 1, result: null, error: 'There is no trained run to export yet.' },
      { type: 'share-export', run: 5, id: 3, result, error: null },
      { type: 'share-export', run: 4, id: 99, result, error: null },
    ];
    r.receive(replies);
    await expect(b).resolves.toBe(result);
    await expect(a).rejects.toThrow(/no trained run/);
    await expect(c).rejects.toThrow(/new run started/);
    r.cancelAll('gone');
    await expect(d).rejects.toThrow('gone');
  });
});

describe('chart images', () => {
  it('decode base64 PNG and URL-encoded SVG data: URLs without fetching them', () => {
    const png = dataUrlBytes('data:image/png;base64,iVBORw0KGgo=');
    expect(png.type).toBe('image/png');
    expect(Array.from(png.bytes)).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    const svg = dataUrlBytes(`data:image/svg+xml,${encodeURIComponent('<svg xmlns="http://www.w3.org/2000/svg"><text>é %</text></svg>')}`);
    expect(svg.type).toBe('image/svg+xml');
    expect(new TextDecoder().decode(svg.bytes)).toBe('<svg xmlns="http://www.w3.org/2000/svg"><text>é %</text></svg>');
    expect(() => dataUrlBytes('blob:nothing')).toThrow(/no image/);
  });
});

describe('index.html', () => {
  it('has the Content-Security-Policy tag first in <head>, before any script or stylesheet', () => {
    const html = readFileSync(resolve(ROOT, 'index.html'), 'utf8');
    const head = /<head>\s*([\s\S]*?)<\/head>/.exec(html)?.[1] ?? '';
    expect(head.startsWith(CSP_META_TAG)).toBe(true);
    // Nothing inline for the policy to refuse: the entry script is an external module.
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    expect(html).not.toMatch(/\son[a-z]+=/i);
  });
});
