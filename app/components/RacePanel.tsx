/**
 * The race view (issue 11): the methods to race, the deep methods' architecture, the epoch
 * budget and the learning-rate draws; one chart of test accuracy against each run's own time or
 * epochs (median over draws with a 5th–95th percentile band, growing live); the results table
 * beside it, sortable, exported as CSV and JSON; a link that replays the race; and what makes
 * the race fair. The race trains in the solver Worker on the page's data and device.
 */
import { useMemo, useState } from 'react';
import type { Layout } from 'plotly.js/lib/core';
import { RACE_METHODS, resultsTable, resultsToJson, tableToCsv, type RaceConfig, type RaceResults } from '../../solver/race/index';
import { archTextProblem } from '../../solver/deep/params';
import { Figure } from '../plots/Figure';
import { chartLayout } from '../plots/chartLayout';
import { raceActive, type RaceViewState } from '../race/state';
import { accuracyCell, methodTitle, nextSort, raceLegend, raceTraces, secondsCell, sortRows, type RaceAxis, type RaceSort, type RaceSortKey } from '../race/view';
import { fmt } from '../format';
import { saveFile } from '../share/wire-hooks';
import { Panel } from './Panel';
import { Segmented } from './Segmented';

/** The chart's two x-axes. */
const RACE_AXES = [
  ['time', 'Time'],
  ['epochs', 'Epochs'],
] as const;

/** Props of {@link RacePanel}. */
export interface RacePanelProps {
  config: RaceConfig;
  onConfig(next: RaceConfig): void;
  state: RaceViewState;
  /** The data the race trains on ("XOR: 350 training rows"), or null while the page prepares it. */
  dataLine: string | null;
  onStart(): void;
  onStop(): void;
  /** The link that replays the race (config + the page's data), or why there is none. */
  link: { ok: true; url: string } | { ok: false; error: string };
}

/** Problems of the form that block a start, one sentence each. */
export function formProblems(c: RaceConfig): string[] {
  const out: string[] = [];
  if (c.methods.length === 0) out.push('Pick at least one method.');
  const arch = archTextProblem(c.arch);
  if (arch !== null) out.push(`Architecture: ${arch}`);
  return out;
}

/** The race view. */
export function RacePanel({ config, onConfig, state, dataLine, onStart, onStop, link }: RacePanelProps) {
  const [axis, setAxis] = useState<RaceAxis>('time');
  const problems = formProblems(config);
  const active = raceActive(state);
  const shown = state.config ?? config;
  return (
    <Panel title="Race" className="wide race" testId="race" subtitle="Every method on the same data, the tuned ones over seeded learning-rate draws, trained side by side in the one Worker on the one device.">
      <RaceForm config={config} onConfig={onConfig} disabled={active} />
      <div className="race-actions">
        <button type="button" className="btn primary" data-testid="race-start" disabled={!active && problems.length > 0} onClick={active ? onStop : onStart}>
          {active ? 'Stop' : 'Start race'}
        </button>
        <span className="run-status" data-testid="race-status">
          {statusText(state)}
        </span>
        <span className="muted">{dataLine ?? 'Preparing the data…'}</span>
      </div>
      {problems.length > 0 && <p className="hint">{problems.join(' ')}</p>}
      {state.error && (
        <p className="banner error" role="alert" data-testid="race-error">
          {state.error}
        </p>
      )}
      <Fairness config={shown} />
      {state.results && (
        <div className="race-body">
          <RaceChart results={state.results} axis={axis} onAxis={setAxis} />
          <RaceTable results={state.results} />
        </div>
      )}
      <RaceShare results={state.results} link={link} />
    </Panel>
  );
}

/** "Running: 3 of 9 runs done", "Done", … */
function statusText(s: RaceViewState): string {
  const p = s.progress;
  const runs = p ? `${p.done} of ${p.total} runs done on ${p.device === 'gpu' ? 'WebGPU' : 'the CPU'}` : '';
  switch (s.phase) {
    case 'idle':
      return 'Not started';
    case 'starting':
      return 'Starting…';
    case 'running':
      return `Running: ${runs}`;
    case 'done':
      return `Done: ${runs}`;
    case 'stopped':
      return `Stopped: ${runs}`;
    case 'error':
      return 'Could not start';
  }
}

/** A whole number from an input, or the old value when it is not one. */
function wholeOr(text: string, old: number, min: number): number {
  const v = Number(text);
  return Number.isInteger(v) && v >= min ? v : old;
}

/** The race's settings. */
function RaceForm({ config, onConfig, disabled }: { config: RaceConfig; onConfig(c: RaceConfig): void; disabled: boolean }) {
  const set = (patch: Partial<RaceConfig>): void => onConfig({ ...config, ...patch });
  const toggle = (m: string, on: boolean): void => set({ methods: RACE_METHODS.filter((x) => (x === m ? on : config.methods.includes(x))) });
  return (
    <fieldset className="race-form" disabled={disabled}>
      <div className="race-methods" role="group" aria-label="methods">
        {RACE_METHODS.map((m) => (
          <label key={m} className="check">
            <input type="checkbox" checked={config.methods.includes(m)} onChange={(e) => toggle(m, e.target.checked)} data-testid={`race-method-${m}`} />
            {methodTitle(m)}
          </label>
        ))}
      </div>
      <div className="race-fields">
        <label className="field">
          <span className="field-label">Architecture (deep methods)</span>
          <input type="text" value={config.arch} onChange={(e) => set({ arch: e.target.value.trim() })} data-testid="race-arch" />
        </label>
        <NumberField label="Epochs (budget)" value={config.epochs} min={1} testId="race-epochs" onValue={(v) => set({ epochs: v })} />
        <NumberField label="Batch" value={config.batch} min={1} testId="race-batch" onValue={(v) => set({ batch: v })} />
        <NumberField label="Learning-rate draws" value={config.lrDraws} min={1} testId="race-draws" onValue={(v) => set({ lrDraws: v })} />
        <label className="field">
          <span className="field-label">Draws are</span>
          <select value={config.lrMode} onChange={(e) => set({ lrMode: e.target.value === 'grid' ? 'grid' : 'random' })} data-testid="race-lr-mode">
            <option value="random">seeded log-uniform</option>
            <option value="grid">a log-spaced grid</option>
          </select>
        </label>
        <NumberField label="Seed" value={config.seed} min={0} testId="race-seed" onValue={(v) => set({ seed: v })} />
        <NumberField label="CRONOS iterations (cap)" value={config.cronosIters ?? 0} min={1} testId="race-cronos-iters" onValue={(v) => set({ cronosIters: v })} />
        <label className="field">
          <span className="field-label">Time to reach (test %)</span>
          <input
            type="number"
            min={1}
            max={100}
            value={config.targetAccuracy === undefined ? '' : Math.round(1000 * config.targetAccuracy) / 10}
            onChange={(e) => {
              const v = Number(e.target.value);
              const { targetAccuracy: _old, ...rest } = config;
              onConfig(e.target.value === '' || !(v > 0 && v <= 100) ? rest : { ...rest, targetAccuracy: v / 100 });
            }}
            data-testid="race-target"
          />
        </label>
      </div>
    </fieldset>
  );
}

/** A whole-number input. */
function NumberField({ label, value, min, testId, onValue }: { label: string; value: number; min: number; testId: string; onValue(v: number): void }) {
  return (
    <label className="field">
      <span className="field-label">{label}</span>
      <input type="number" min={min} step={1} value={value} onChange={(e) => onValue(wholeOr(e.target.value, value, min))} data-testid={testId} />
    </label>
  );
}

/** What makes the race fair, and which methods are not tuned. */
function Fairness({ config }: { config: RaceConfig }) {
  const untuned = config.methods.filter((m) => m === 'cronos' || m === 'cronos-am' || m === 'dadapt-adam').map(methodTitle);
  return (
    <p className="note race-fairness" data-testid="race-fairness">
      Fair by construction: every deep method gets the same epoch budget ({config.epochs}) and the same architecture ({config.arch}); every tuned method (Adam,
      AdamW, SGD) the same {config.lrDraws} learning-rate draw{config.lrDraws === 1 ? '' : 's'} ({config.lrMode === 'grid' ? 'a log-spaced grid' : `seeded log-uniform, seed ${config.seed}`}); the
      methods sharing the architecture start from the same initial weights and see the same minibatches (seed {config.seed}). Each run&apos;s clock counts only its own steps, and the race always
      steps the run furthest behind. {untuned.length > 0 ? `Untuned, one run each: ${untuned.join(', ')} (CRONOS has no step size; CRONOS-AM and DAdapt-Adam run at γ = 1).` : ''} CRONOS is
      not held to the epoch budget: one of its steps is an ADMM iteration over every row, up to its certificate or its cap.
    </p>
  );
}

/**
 * Least milliseconds between two redraws of the race chart. Twelve traces redrawn as a whole
 * cost more than the streaming curves of a single run, and a race runs for minutes: once a
 * second reads as live and leaves the main thread to the page (the last results always draw).
 */
const RACE_REDRAW_MS = 1000;

/** The accuracy chart with its axis switch and legend. */
function RaceChart({ results, axis, onAxis }: { results: RaceResults; axis: RaceAxis; onAxis(a: RaceAxis): void }) {
  const data = useMemo(() => raceTraces(results, axis), [results, axis]);
  const layout = useMemo<Partial<Layout>>(() => ({ ...chartLayout({ yType: 'linear', ySuffix: ' %', height: 300 }), margin: { l: 48, r: 10, t: 6, b: 28 } }), []);
  const legend = raceLegend(results);
  return (
    <div className="race-chart">
      <div className="race-chart-head">
        <strong>Test accuracy</strong>
        <Segmented label="race x-axis" name="race-axis" options={RACE_AXES} value={axis} onChange={onAxis} testIdPrefix="race-x-" />
      </div>
      <Figure id="chart-race" label="Test accuracy of every method against time or epochs" data={data} layout={layout} minRedrawMs={RACE_REDRAW_MS} />
      <p className="x-label" data-testid="chart-race-x">
        {axis === 'time' ? "each run's own compute time (s)" : 'epochs (CRONOS: ADMM iterations)'}
      </p>
      <ul className="legend" data-testid="race-legend">
        {legend.map((e) => (
          <li key={e.method}>
            <span className="swatch" style={{ background: e.color }} />
            {e.title} <span className="muted">({e.note})</span>
          </li>
        ))}
      </ul>
      <p className="hint">Lines: the median over a method&apos;s draws; bands: their 5th–95th percentiles.</p>
    </div>
  );
}

/** The sortable columns and their headers. */
const COLUMNS: readonly [RaceSortKey, string][] = [
  ['method', 'Method'],
  ['peak_test_accuracy', 'Peak test (range)'],
  ['final_test_accuracy', 'Final test (range)'],
  ['best_lr', 'Best lr'],
  ['time_to_target_s', 'Time to target'],
  ['time_s', 'Total time'],
];

/** The results table. */
function RaceTable({ results }: { results: RaceResults }) {
  const [sort, setSort] = useState<RaceSort>({ key: 'peak_test_accuracy', descending: true });
  const rows = sortRows(resultsTable(results), sort);
  const target = results.config.targetAccuracy;
  return (
    <div className="race-table-wrap">
      <table className="race-table" data-testid="race-table">
        <thead>
          <tr>
            {COLUMNS.map(([key, text]) => (
              <th key={key} aria-sort={sort.key === key ? (sort.descending ? 'descending' : 'ascending') : 'none'}>
                <button type="button" className="sort" onClick={() => setSort(nextSort(sort, key))} data-testid={`race-sort-${key}`}>
                  {key === 'time_to_target_s' && target !== undefined ? `Time to ${(100 * target).toFixed(0)} %` : text}
                  {sort.key === key ? (sort.descending ? ' ▾' : ' ▴') : ''}
                </button>
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.method} data-testid="race-row" data-method={r.method}>
              <td>
                {methodTitle(r.method)}
                <span className="muted"> ×{r.draws}</span>
              </td>
              <td>{accuracyCell(r.peak_test_accuracy, r.peak_min, r.peak_max, r.draws)}</td>
              <td>{accuracyCell(r.final_test_accuracy, r.final_min, r.final_max, r.draws)}</td>
              <td>{r.best_lr === null ? 'untuned' : fmt(r.best_lr, 2)}</td>
              <td>{target === undefined ? 'no target' : secondsCell(r.time_to_target_s)}</td>
              <td>{secondsCell(r.time_s)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <p className="hint">Total time: all of a method&apos;s runs together (tuning included). Time to target: the median over draws.</p>
    </div>
  );
}

/** Exports and the replay link. */
function RaceShare({ results, link }: { results: RaceResults | null; link: RacePanelProps['link'] }) {
  return (
    <div className="race-share">
      <button type="button" className="btn small" disabled={!results} onClick={() => results && saveFile({ name: 'race.csv', type: 'text/csv', content: tableToCsv(resultsTable(results)) })} data-testid="race-export-csv">
        Export CSV
      </button>
      <button type="button" className="btn small" disabled={!results} onClick={() => results && saveFile({ name: 'race.json', type: 'application/json', content: resultsToJson(results, 1) })} data-testid="race-export-json">
        Export JSON
      </button>
      {link.ok ? (
        <label className="race-link">
          <span className="field-label">Link that replays this race</span>
          <input type="text" readOnly value={link.url} onFocus={(e) => e.target.select()} data-testid="race-link" />
        </label>
      ) : (
        <span className="hint" data-testid="race-link-error">
          No link: {link.error}
        </span>
      )}
    </div>
  );
}
