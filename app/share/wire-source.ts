/**
 * Data from outside the catalogue that a share link or a session file brings to the page: a CSV
 * at an http(s) URL (fetched by the solver Worker), or CSV text (small inline data of a link, or
 * the data of a session file). Both then take the catalogue's CSV path (worker/prepare.ts,
 * data/csv.ts on the project's one reader, data/csv-reader.ts), so they are parsed, split and
 * standardised exactly like the built-in tables. Also the three seeds of a run, which a link may set apart.
 *
 * This module is imported by the Worker, so it stays free of the link codec and of React.
 */
import type { DatasetInfo, DatasetId } from '../datasets';
import type { Settings } from '../settings';

/** A CSV the page did not ship: where it comes from and which column holds the class. */
export type CsvSource =
  | { kind: 'url'; url: string; label: string }
  | {
      kind: 'text';
      /** 'inline': data carried by a share link; 'session': data of a session file. */
      origin: 'inline' | 'session';
      /** File name shown in the page (never rendered as HTML). */
      name: string;
      label: string;
      train: string;
      /** A test file of its own (session files only); otherwise the split setting applies. */
      test?: string;
    };

/** The file names a text source is read under (they appear in the CSV parser's messages). */
export function textFiles(src: Extract<CsvSource, { kind: 'text' }>): { train: string; test: string } {
  return { train: src.name, test: `${src.name} (test file)` };
}

/** The seeds of a run: 2-D generator, hold-out split, and solver (gates and Nyström sketch). */
export interface RunSeeds {
  data: number;
  split: number;
  solver: number;
}

/** The seeds `s` asks for; a seed left unset follows `s.seed`, which the page's seed field sets. */
export function runSeeds(s: Pick<Settings, 'seed' | 'dataSeed' | 'splitSeed'>): RunSeeds {
  return { data: s.dataSeed ?? s.seed, split: s.splitSeed ?? s.seed, solver: s.seed };
}

/** The host of a URL for titles ("data.example.org"), or the text itself when it does not parse. */
export function urlHost(url: string): string {
  try {
    return new URL(url).host || url;
  } catch {
    return url;
  }
}

/** The last path segment of a URL ("iris.csv"), for download names and titles. */
export function urlFileName(url: string): string {
  try {
    const seg = new URL(url).pathname.split('/').filter(Boolean).pop();
    return seg ? decodeURIComponent(seg) : urlHost(url);
  } catch {
    return 'remote.csv';
  }
}

/**
 * A catalogue-like entry for `src`, so the Worker and the controls treat it like a built-in CSV.
 * `id` is the catalogue id the page keeps selected underneath (ProblemSummary needs one); the
 * title, not the id, names the data in the page.
 */
export function csvSourceInfo(src: CsvSource, id: DatasetId): DatasetInfo {
  if (src.kind === 'url') {
    return {
      id,
      title: `${urlFileName(src.url)} (from ${urlHost(src.url)})`,
      group: 'real',
      // The host only: a long URL would not wrap in the sidebar (the URL field shows it whole).
      description: `A CSV from the web (${urlHost(src.url)}), downloaded by this page.`,
      source: { kind: 'csv', train: src.url, label: src.label },
      image: null,
      licence: 'Set by the owner of the remote file.',
      citation: null,
    };
  }
  return {
    id,
    title: src.name,
    group: 'real',
    description: src.origin === 'inline' ? 'A CSV carried by the share link.' : 'A CSV from a session file.',
    source: src.test !== undefined ? { kind: 'csv', ...textFiles(src), label: src.label } : { kind: 'csv', train: textFiles(src).train, label: src.label },
    image: null,
    licence: src.origin === 'inline' ? 'Data carried by the link.' : 'Data from your session file (it stays in this browser).',
    citation: null,
  };
}

/** Fetches the text of a file named by a catalogue entry. */
export type TextFetcher = (file: string) => Promise<string>;

/**
 * The fetchText to prepare `src` with: a text source answers its two pseudo files itself; a URL
 * goes to `fetchUrl` (the Worker's capped, credential-free download).
 */
export function csvSourceFetcher(src: CsvSource, fetchUrl: TextFetcher | undefined): TextFetcher {
  if (src.kind === 'url') {
    return (file) => {
      if (!fetchUrl) return Promise.reject(new Error('This page cannot download remote CSV files here.'));
      return fetchUrl(file);
    };
  }
  const files = textFiles(src);
  return async (file) => {
    if (file === files.train) return src.train;
    if (file === files.test && src.test !== undefined) return src.test;
    throw new Error(`No data for ${file}.`);
  };
}

/**
 * A short key of the data a run reads (which file or text, and the seeds and split that shape
 * it), so the Worker re-reads data only when it changed. Text is keyed by length and a hash,
 * not by itself: a session's CSV may be megabytes.
 */
export function dataKey(s: Settings): string {
  const seeds = runSeeds(s);
  const src = activeCsv(s);
  const what = !src ? ['builtin', s.dataset] : src.kind === 'url' ? ['url', src.url, src.label] : ['text', src.name, src.label, src.train.length, hash(src.train), src.test?.length ?? -1, src.test ? hash(src.test) : 0];
  return JSON.stringify([...what, s.noise, s.testFraction, seeds.data, seeds.split]);
}

/** FNV-1a over the UTF-16 code units (a cache key, not a checksum against tampering). */
function hash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/**
 * Whether two sources give the same data (by content: settings are copied across postMessage).
 * A text source's origin is left out: moving session data into a link changes no row.
 */
export function sameCsvSource(a: CsvSource | undefined, b: CsvSource | undefined): boolean {
  if (a === b) return true;
  if (!a || !b) return false;
  if (a.kind === 'url') return b.kind === 'url' && a.url === b.url && a.label === b.label;
  if (b.kind === 'url') return false;
  return a.name === b.name && a.label === b.label && a.train === b.train && a.test === b.test;
}

/**
 * The CSV source a run of `s` reads, or null for the catalogue or the user's own data. "Your
 * data" ('user') wins over a source left in the settings, as it does in the Worker.
 */
export function activeCsv(s: Pick<Settings, 'dataset' | 'csv'>): CsvSource | null {
  return s.dataset === 'user' ? null : (s.csv ?? null);
}

/** `s` without a CSV source (the user picked a catalogue dataset). */
export function withoutCsv<T extends Pick<Settings, 'csv'>>(s: T): T {
  const out = { ...s };
  delete out.csv;
  return out;
}

/** `s` with one seed for data, split and solver (what the page's seed field sets). */
export function withOneSeed<T extends Pick<Settings, 'seed' | 'dataSeed' | 'splitSeed'>>(s: T, seed: number): T {
  const out = { ...s, seed };
  delete out.dataSeed;
  delete out.splitSeed;
  return out;
}

/** A note for the seed field when a link set the data or split seed apart, else null. */
export function seedsApartNote(s: Pick<Settings, 'seed' | 'dataSeed' | 'splitSeed'>): string | null {
  const { data, split, solver } = runSeeds(s);
  if (data === solver && split === solver) return null;
  return `From the link: data seed ${data}, split seed ${split}, gates and sketch ${solver}. A new seed sets all three.`;
}
