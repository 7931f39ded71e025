/**
 * The dataset picker's field for a CSV on the web: an http(s) URL and its class column. The
 * Worker downloads it without credentials, capped in size and time (share/wire-remote.ts), and a
 * share link then names the URL. Also says which CSV from a link or session is in use.
 */
import { useId, useState } from 'react';
import { DEFAULT_DATASET } from '../datasets';
import type { Settings } from '../settings';
import { activeCsv, urlHost } from '../share/wire-source';
import './share.css';

/** Props of {@link ShareRemoteCsv}. */
export interface ShareRemoteCsvProps {
  settings: Settings;
  onChange(next: Settings): void;
}

/** Why `url` cannot be loaded, or null. */
export function remoteUrlProblem(url: string): string | null {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return 'Enter an absolute URL such as https://example.org/data.csv.';
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') return `Only http: and https: URLs can be loaded, not ${u.protocol}`;
  if (u.username || u.password) return 'Remove the user name and password from the URL.';
  return null;
}

/** The remote-CSV field. */
export function ShareRemoteCsv({ settings, onChange }: ShareRemoteCsvProps) {
  const csv = activeCsv(settings);
  const [url, setUrl] = useState(csv?.kind === 'url' ? csv.url : '');
  const [label, setLabel] = useState(csv?.label ?? '');
  const [problem, setProblem] = useState<string | null>(null);
  const urlId = useId();
  const labelId = useId();
  const load = (): void => {
    const p = remoteUrlProblem(url.trim()) ?? (label.trim() === '' ? 'Name the column that holds the class.' : null);
    setProblem(p);
    if (p) return;
    // 'user' would make the Worker train "Your data" instead of the download.
    onChange({ ...settings, dataset: settings.dataset === 'user' ? DEFAULT_DATASET : settings.dataset, csv: { kind: 'url', url: url.trim(), label: label.trim() } });
  };
  return (
    <>
      {csv && (
        <p className="csv-source" data-testid="csv-source">
          {csv.kind === 'url' ? `Downloaded from ${urlHost(csv.url)}` : csv.origin === 'inline' ? 'Carried by the share link' : 'From the session file'}; class column “{csv.label}”. Pick a
          dataset above to leave it.
        </p>
      )}
      <details className="remote-csv" open={csv?.kind === 'url'}>
        <summary>Load a CSV from the web…</summary>
        {/* A div, not a form: this sits inside the settings form, and forms do not nest. */}
        <div
          className="remote-fields"
          onKeyDown={(e) => {
            if (e.key === 'Enter' && e.target instanceof HTMLInputElement) {
              e.preventDefault();
              load();
            }
          }}
        >
          <label className="field-label" htmlFor={urlId}>
            CSV URL (http or https; the server must allow cross-origin requests)
          </label>
          <input id={urlId} type="url" placeholder="https://example.org/data.csv" value={url} onChange={(e) => setUrl(e.target.value)} data-testid="remote-url" />
          <label className="field-label" htmlFor={labelId}>
            Class column
          </label>
          <input id={labelId} type="text" placeholder="e.g. species" value={label} onChange={(e) => setLabel(e.target.value)} data-testid="remote-label" />
          {problem && (
            <p className="problem" role="alert">
              {problem}
            </p>
          )}
          <button type="button" className="btn small" onClick={load} data-testid="remote-load">
            Load and train
          </button>
        </div>
      </details>
    </>
  );
}
