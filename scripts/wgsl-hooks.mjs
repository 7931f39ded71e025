// Node module hooks: load `*.wgsl?raw` as a default-exported string, the way Vite does,
// so the same solver sources run under Vite (browser), Vitest and plain Node (CLI, bench).
import { readFile } from 'node:fs/promises';

/** @type {import('node:module').LoadHook} */
export async function load(url, context, nextLoad) {
  const u = new URL(url);
  if (u.protocol === 'file:' && u.pathname.endsWith('.wgsl')) {
    const text = await readFile(u, 'utf8');
    return { format: 'module', source: `export default ${JSON.stringify(text)};`, shortCircuit: true };
  }
  return nextLoad(url, context);
}
