/**
 * The read-only views of the "Your data" panel: the preview table and how the file was read,
 * the column cards, the class balance, the image montage, skipped files and notices, and the
 * size plan. They only draw what the Worker sent (ingestState.ts).
 */
import { memo, useEffect, useRef } from 'react';
import type { ClassBalance } from '../../../data/balance';
import type { ColumnUse } from '../../../data/encode';
import type { Notice } from '../../../data/errors';
import type { SkippedFile } from '../../../data/image-files';
import type { DatasetPlan } from '../../../data/plan';
import { classColor, css } from '../../colors';
import { fmt, fmtInt, formatBytes } from '../../format';
import type { CsvDialect } from '../../ingest/csv-stream';
import type { MontageClass } from '../../ingest/images';
import type { CsvPreview } from './ingestState';

const DELIMITER_NAMES: Record<string, string> = { ',': 'comma', ';': 'semicolon', '\t': 'tab', '|': 'pipe', ' ': 'space' };

/** A delimiter as words ("comma", "tab"). */
export function delimiterName(d: string): string {
  return DELIMITER_NAMES[d] ?? JSON.stringify(d);
}

/** One line on how the file was read. */
export function DialectLine({ dialect }: { dialect: CsvDialect }) {
  const parts = [
    `${delimiterName(dialect.delimiter)}-separated`,
    dialect.header ? `first row is the header${dialect.headerDetected ? ' (detected)' : ''}` : `no header row${dialect.headerDetected ? ' (detected)' : ''}`,
    dialect.encoding.toUpperCase() + (dialect.bom ? ' with BOM' : ''),
  ];
  if (dialect.quoteChar !== '"') parts.push(`quote ${JSON.stringify(dialect.quoteChar)}`);
  if (dialect.decimalComma) parts.push('decimal commas read as points');
  return (
    <p className="data-line" data-testid="data-dialect">
      Read as {parts.join(', ')}.
    </p>
  );
}

/** The first rows of the file as text. */
export const PreviewTable = memo(function PreviewTable({ preview, label }: { preview: CsvPreview; label: string | null }) {
  return (
    <div className="data-scroll">
      <table className="data-table" data-testid="data-preview">
        <caption>
          First {preview.rows.length} of {fmtInt(preview.rowsKept)} rows of {preview.fileName}
        </caption>
        <thead>
          <tr>
            {preview.header.map((h, j) => (
              <th key={j} scope="col" className={h === label ? 'is-label' : undefined}>
                {h}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {preview.rows.map((row, i) => (
            <tr key={i}>
              {row.map((cell, j) => (
                <td key={j} className={preview.header[j] === label ? 'is-label' : undefined}>
                  {cell === '' ? <span className="muted">∅</span> : cell.length > 24 ? `${cell.slice(0, 23)}…` : cell}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
});

const TYPE_TEXT: Record<ColumnUse['type'], string> = { numeric: 'numeric', categorical: 'categorical', constant: 'constant', 'mostly-missing': 'mostly missing' };

/** A card per column: type, use (or why it was left out), counts and range. */
export const ColumnCards = memo(function ColumnCards({ columns, featureNames }: { columns: ColumnUse[]; featureNames: string[] }) {
  return (
    <ul className="column-cards" data-testid="column-cards">
      {columns.map((c) => {
        const oneHot = c.use === 'feature' && c.type === 'categorical' ? featureNames.filter((f) => f.startsWith(`${c.name}=`)).length : 0;
        return (
          <li key={c.index} className={`column-card use-${c.use}`} data-testid="column-card">
            <div className="column-head">
              <strong title={c.name}>{c.name}</strong>
              <span className={`chip type-${c.type}`}>{TYPE_TEXT[c.type]}</span>
            </div>
            <div className="column-use">
              {c.use === 'label' ? 'label (target)' : c.use === 'feature' ? (oneHot > 0 ? `feature, one-hot: ${oneHot} columns` : 'feature') : `left out: ${c.reason ?? 'not selected'}`}
            </div>
            <div className="column-stats muted">
              {fmtInt(c.numbers)} numbers
              {c.text > 0 && `, ${fmtInt(c.text)} text (${fmtInt(c.distinctText)}${c.textOverflow ? '+' : ''} distinct)`}
              {c.missing > 0 && `, ${fmtInt(c.missing)} missing`}
              {c.nonFinite > 0 && `, ${fmtInt(c.nonFinite)} NaN/Inf`}
              {Number.isFinite(c.min) && (
                <>
                  <br />
                  range {fmt(c.min, 4)} – {fmt(c.max, 4)}
                </>
              )}
            </div>
          </li>
        );
      })}
    </ul>
  );
});

/** Rows per class in the training and test parts, as bars. */
export const ClassBalanceView = memo(function ClassBalanceView({ balance }: { balance: ClassBalance }) {
  const k = balance.classNames.length;
  const max = Math.max(1, ...balance.train.map((t, c) => t + (balance.test[c] ?? 0)));
  const shown = balance.classNames.slice(0, 30);
  return (
    <table className="balance" data-testid="class-balance">
      <caption>Class balance{k > shown.length ? ` (first ${shown.length} of ${k} classes)` : ''}</caption>
      <thead>
        <tr>
          <th scope="col">class</th>
          <th scope="col">train</th>
          <th scope="col">test</th>
          <th scope="col" aria-hidden="true" />
        </tr>
      </thead>
      <tbody>
        {shown.map((name, c) => (
          <tr key={c}>
            <th scope="row" title={name}>
              <span className="swatch" style={{ background: css(classColor(c, k)) }} />
              {name.length > 20 ? `${name.slice(0, 19)}…` : name}
            </th>
            <td>{fmtInt(balance.train[c])}</td>
            <td>{balance.test.length > 0 ? fmtInt(balance.test[c]) : '—'}</td>
            <td className="bar-cell" aria-hidden="true">
              <span className="bar train" style={{ width: `${(100 * balance.train[c]) / max}%` }} />
              <span className="bar test" style={{ width: `${(100 * (balance.test[c] ?? 0)) / max}%` }} />
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
});

/** A few decoded (resized) images per class, as the solver sees them. */
export const Montage = memo(function Montage({ montage }: { montage: MontageClass[] }) {
  return (
    <div className="montage" data-testid="montage">
      {montage.map((m) => (
        <div key={m.className} className="montage-class">
          <div className="montage-name" title={m.className}>
            {m.className}
          </div>
          <div className="montage-tiles">
            {m.tiles.map((tile, i) => (
              <MontageTile key={i} tile={tile} size={m.size} label={`${m.className} image ${i + 1}`} />
            ))}
          </div>
        </div>
      ))}
    </div>
  );
});

function MontageTile({ tile, size, label }: { tile: Uint8ClampedArray; size: number; label: string }) {
  const ref = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    const canvas = ref.current;
    const ctx = canvas?.getContext('2d');
    if (!canvas || !ctx || tile.length !== size * size * 4) return;
    canvas.width = size;
    canvas.height = size;
    // A copy: ImageData wants an ArrayBuffer-backed array of exactly its size.
    ctx.putImageData(new ImageData(new Uint8ClampedArray(tile), size, size), 0, 0);
  }, [tile, size]);
  return <canvas ref={ref} className="pixels montage-tile" role="img" aria-label={label} />;
}

/** Files that were not used, with the reason. */
export function SkippedFiles({ skipped }: { skipped: SkippedFile[] }) {
  if (skipped.length === 0) return null;
  return (
    <details className="data-details" data-testid="skipped-files">
      <summary>
        {fmtInt(skipped.length)} file{skipped.length === 1 ? '' : 's'} skipped
      </summary>
      <ul className="skipped">
        {skipped.slice(0, 200).map((s, i) => (
          <li key={i}>
            <code>{s.path}</code>: {s.reason}
          </li>
        ))}
        {skipped.length > 200 && <li className="muted">… and {fmtInt(skipped.length - 200)} more</li>}
      </ul>
    </details>
  );
}

/** What loading noticed without stopping (columns left out, rows dropped, values filled in). */
export function NoticeList({ notices }: { notices: Notice[] }) {
  if (notices.length === 0) return null;
  return (
    <ul className="notices" data-testid="data-notices">
      {notices.map((n, i) => (
        <li key={i} className={`notice ${n.level}`}>
          <span className="notice-level">{n.level === 'warning' ? 'Warning' : 'Note'}</span> {n.message}
        </li>
      ))}
    </ul>
  );
}

/** Whose limits the plan is checked against: the run's adapter, none (CPU solver), or not known yet. */
export type PlanMode = 'gpu' | 'cpu' | 'unknown';

/** Props of {@link PlanView}. */
export interface PlanViewProps {
  plan: DatasetPlan | null;
  mode: PlanMode;
  busy: boolean;
  onSubsample(nMax: number): void;
}

/** The memory plan against the adapter's limits, with the subsample offer when it does not fit. */
export function PlanView({ plan, mode, busy, onSubsample }: PlanViewProps) {
  if (!plan) return <p className="data-line muted">Checking the size against the device's limits…</p>;
  const lead =
    mode === 'gpu'
      ? plan.fits
        ? 'Fits this GPU. '
        : 'Does not fit this GPU. '
      : mode === 'cpu'
        ? 'Runs on the CPU solver, so no GPU buffer limits apply. On a WebGPU device with the default limits: '
        : "Against WebGPU's default limits (this device's are known once a run has started on it): ";
  return (
    <div className={`plan ${plan.fits ? 'fits' : mode === 'gpu' ? 'no-fit' : 'cpu'}`} data-testid="data-plan">
      <p>
        <strong>{lead}</strong>
        {plan.message} Host memory for the data: about {formatBytes(plan.hostBytes)}.
      </p>
      {!plan.fits && plan.maxRows > 0 && (
        <button type="button" className="btn small" disabled={busy} onClick={() => onSubsample(plan.maxRows)} data-testid="plan-subsample">
          Subsample to {fmtInt(plan.maxRows)} training rows
        </button>
      )}
    </div>
  );
}
