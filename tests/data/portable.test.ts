/**
 * data/ is shared by the data Worker (browser) and Node (CLI, tests, scripts): no file in it may
 * import a Node module or touch a browser-only or Node-only global. The adapters live elsewhere
 * (app/ingest for File/Blob/streams, cli/ for the file system).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../support/paths';

const DATA = resolve(ROOT, 'data');

/** The code of a TypeScript file without its comments (good enough for identifier checks). */
function code(text: string): string {
  return text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`])\/\/.*$/gm, '$1');
}

// TextDecoder is allowed: every target (Node, pages, Workers) has it. Blob/File/streams are the
// browser adapter's business even where Node has them too.
const NODE_IMPORT = /from\s+['"](node:[^'"]+|fs|path|zlib|os|crypto|child_process|url)['"]/;
const PLATFORM_GLOBAL = /\b(Blob|File|FileReader|ReadableStream|createImageBitmap|OffscreenCanvas|document|window|self|postMessage|process|Buffer|require)\b\s*[.(]/;

describe('data/ is portable', () => {
  const files = readdirSync(DATA).filter((f) => f.endsWith('.ts'));
  it('has files to check', () => expect(files.length).toBeGreaterThan(10));
  it.each(files)('%s uses neither Node modules nor platform globals', (f) => {
    const src = code(readFileSync(join(DATA, f), 'utf8'));
    expect(src).not.toMatch(NODE_IMPORT);
    expect(src).not.toMatch(PLATFORM_GLOBAL);
  });
});
