/**
 * The Export menu: the trained network (JSON with the convex weights U, W; safetensors), a
 * standalone prediction snippet, the metrics as CSV, the session file, and any chart of the page
 * as PNG or SVG. The charts offered are the plotly.js charts present when the menu opens.
 */
import { useState } from 'react';
import { EXPORT_LABELS, type ExportKind, type ShareApi } from '../share/wire-hooks';
import './share.css';

/** Props of {@link ExportMenu}. */
export interface ExportMenuProps {
  share: ShareApi;
  /** Whether the Worker has a problem (and so a solution) to export. */
  hasRun: boolean;
  /** Whether any iteration has been recorded. */
  hasMetrics: boolean;
}

interface Chart {
  id: string;
  label: string;
}

/** The plotly.js charts on the page (ids chart-*), labelled by their accessible names. */
function chartsOnPage(): Chart[] {
  return Array.from(document.querySelectorAll<HTMLElement>('.js-plotly-plot[id^="chart-"]')).map((el) => ({ id: el.id, label: el.getAttribute('aria-label') ?? el.id }));
}

const MODEL_ITEMS: ExportKind[] = ['network-json', 'safetensors', 'snippet'];

/** The Export button and its menu. */
export function ExportMenu({ share, hasRun, hasMetrics }: ExportMenuProps) {
  const [charts, setCharts] = useState<Chart[]>([]);
  const [chart, setChart] = useState('');
  const busy = share.busy !== null;
  const picked = charts.find((c) => c.id === chart) ?? charts[0];
  return (
    <details
      className="export-menu"
      data-testid="export-menu"
      onToggle={(e) => {
        if (!e.currentTarget.open) return;
        const list = chartsOnPage();
        setCharts(list);
        if (!list.some((c) => c.id === chart)) setChart(list[0]?.id ?? '');
      }}
    >
      <summary className="btn" data-testid="export-open">
        Export
      </summary>
      <div className="export-list" role="group" aria-label="Export">
        <h3>Trained model</h3>
        {MODEL_ITEMS.map((k) => (
          <button key={k} type="button" className="item" disabled={!hasRun || busy} onClick={() => void share.exportFile(k)} data-testid={`export-${k}`}>
            {EXPORT_LABELS[k]}
          </button>
        ))}
        <h3>Run</h3>
        <button type="button" className="item" disabled={!hasMetrics || busy} onClick={() => void share.exportFile('metrics')} data-testid="export-metrics">
          {EXPORT_LABELS.metrics}
        </button>
        <button type="button" className="item" disabled={!hasRun || busy} onClick={() => void share.exportFile('session')} data-testid="export-session">
          {EXPORT_LABELS.session}
        </button>
        <h3>Charts</h3>
        {charts.length === 0 ? (
          <p className="status">No charts are drawn yet.</p>
        ) : (
          <div className="plot-row">
            <select aria-label="Chart" value={picked?.id ?? ''} onChange={(e) => setChart(e.target.value)} data-testid="export-chart">
              {charts.map((c) => (
                <option key={c.id} value={c.id}>
                  {c.label}
                </option>
              ))}
            </select>
            {(['png', 'svg'] as const).map((f) => (
              <button key={f} type="button" className="btn small" disabled={!picked || busy} onClick={() => picked && void share.exportPlot(picked.id, picked.label, f)} data-testid={`export-${f}`}>
                {f.toUpperCase()}
              </button>
            ))}
          </div>
        )}
        {share.busy && <p className="status">Preparing {share.busy}…</p>}
        {share.exportError && (
          <p className="status problem" role="alert" data-testid="export-error">
            {share.exportError}
          </p>
        )}
      </div>
    </details>
  );
}
