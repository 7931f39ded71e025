/**
 * The settings form: data, model and solver. The Model and Solver fieldsets are rendered from
 * the parameter tables (the method's and the page's, ParamFields.tsx); the data, the split and
 * the seed have controls of their own here. Every control is a native, labelled form element
 * (keyboard-operable as is); menus offer preset values, and a value outside them (set elsewhere)
 * is shown as an extra entry rather than silently changed. Sliders and the seed field commit
 * after the user stops, so a drag does not rebuild the problem on every pixel.
 */
import { memo, useEffect, useRef, useState } from 'react';
import { methodParams, METHOD_IDS, METHODS, type MethodId } from '../../solver/methods';
import { CRONOS_PARAMS } from '../../solver/methods/cronos/params';
import type { AnyValues, Param, ParamTable } from '../../solver/params/table';
import { DATASETS, datasetInfo, hasTestFile, isDatasetId, isPlanar } from '../datasets';
import { PAGE_PARAMS } from '../params';
import { clampSetting, LIMITS, methodChoices, methodValues, presets, withFastSettings, withMethodValues, withPaperSettings, type Settings } from '../settings';
import { activeCsv, csvSourceInfo, seedsApartNote, withOneSeed, withoutCsv } from '../share/wire-source';
import { Field, groupEntries, ParamFields, SelectField } from './ParamFields';
import { ShareRemoteCsv } from './ShareRemoteCsv';

/** Props of {@link Controls}. */
export interface ControlsProps {
  settings: Settings;
  onChange(next: Settings): void;
  /** Disable everything (e.g. while the Worker is gone). */
  disabled?: boolean;
  /** File name of the data loaded in "Your data" (adds it to the dataset menu), or null. */
  userTitle?: string | null;
}

/** The settings sidebar (memoised: it only changes with the settings). */
export const Controls = memo(function Controls({ settings, onChange, disabled = false, userTitle = null }: ControlsProps) {
  // A CSV from a share link or session file stands in for the catalogue entry (share/wire-source.ts).
  const csv = activeCsv(settings);
  const info = csv ? csvSourceInfo(csv, settings.dataset) : datasetInfo(settings.dataset);
  const set = <K extends keyof Settings>(key: K, value: Settings[K]): void => {
    if (settings[key] !== value) onChange({ ...settings, [key]: value });
  };
  // The selected method's table and the page's own give the method's fieldsets (ParamFields.tsx);
  // other methods' settings keep their values but are not shown.
  const tables = [PAGE_PARAMS, methodParams(settings.method)];
  const groups = fieldsetGroups(tables);
  const seedParam: Param = methodParams(settings.method).seed ?? CRONOS_PARAMS.seed;
  // The method's fields under its own keys (a field another table declares differently lives under `method.key`).
  const values: AnyValues = { ...settings, csv: undefined, ...methodValues(settings) };
  const setParam = (key: string, value: string | number | boolean | undefined): void => {
    if (values[key] === value) return;
    if (Object.hasOwn(PAGE_PARAMS, key)) onChange({ ...settings, [key]: value });
    // Choosing CRONOS's ρ means that ρ: the ρ = c·β rule (on by default) would override it otherwise.
    else if (settings.method === 'cronos' && key === 'rho') onChange({ ...settings, rho: Number(value), rhoBeta: 0 });
    else onChange(withMethodValues(settings, settings.method, { [key]: value }));
  };
  return (
    <form className="controls" aria-label="Settings" onSubmit={(e) => e.preventDefault()}>
      <fieldset disabled={disabled}>
        <legend>Data</legend>
        <Field label="Dataset" hint={info.description}>
          {(id) => (
            <select
              id={id}
              value={csv ? 'csv' : settings.dataset}
              data-testid="dataset"
              onChange={(e) => {
                // Picking a dataset leaves a CSV from a link or session.
                if (isDatasetId(e.target.value)) onChange(withoutCsv({ ...settings, dataset: e.target.value }));
              }}
            >
              <optgroup label="2-D (generated, TensorFlow Playground style)">
                {DATASETS.filter((d) => d.group === '2-D').map((d) => (
                  <option key={d.id} value={d.id}>
                    {d.title}
                  </option>
                ))}
              </optgroup>
              <optgroup label="Real data">
                {DATASETS.filter((d) => d.group === 'real').map((d) => (
                  <option key={d.id} value={d.id}>
                    {d.title}
                  </option>
                ))}
              </optgroup>
              {(userTitle !== null || settings.dataset === 'user') && (
                <optgroup label="Your data">
                  <option value="user">{userTitle ?? 'Your data'}</option>
                </optgroup>
              )}
              {csv && (
                <optgroup label="From a link or session">
                  <option value="csv">{info.title}</option>
                </optgroup>
              )}
            </select>
          )}
        </Field>
        <ShareRemoteCsv settings={settings} onChange={onChange} />
        {isPlanar(info) && (
          <SliderField
            label={PAGE_PARAMS.noise.label}
            value={settings.noise}
            min={LIMITS.noise.min}
            max={LIMITS.noise.max}
            step={0.05}
            format={(v) => `${Math.round(v * 100)} %`}
            onCommit={(v) => set('noise', v)}
          />
        )}
        {info.source.kind === 'user' ? (
          <p className="note">Test split: set in "Your data".</p>
        ) : hasTestFile(info) ? (
          <p className="note">Test set: the dataset's own test file.</p>
        ) : (
          <SelectField
            label={PAGE_PARAMS.testFraction.label}
            hint={PAGE_PARAMS.testFraction.help}
            value={settings.testFraction}
            options={presets('testFraction')}
            format={(v) => (v === 0 ? 'No test split (from a link)' : `${Math.round(v * 100)} % test`)}
            onChange={(v) => set('testFraction', v)}
            testId="split"
          />
        )}
        <SeedField param={seedParam} value={settings.seed} note={seedsApartNote(settings)} onCommit={(v) => onChange(withOneSeed(settings, v))} />
        <p className="licence" data-testid="dataset-licence">
          <span className="muted">Licence:</span> {info.licence}
        </p>
      </fieldset>

      <fieldset disabled={disabled}>
        <legend>Method</legend>
        <MethodPicker value={settings.method} onChange={(m) => set('method', m)} />
      </fieldset>

      {groups.map((group) => (
        <fieldset disabled={disabled} key={group}>
          <legend>{groupLegend(group)}</legend>
          <ParamFields tables={tables} group={group} values={values} onChange={setParam} />
        </fieldset>
      ))}
      {settings.method === 'cronos' && (
        <fieldset disabled={disabled}>
          <legend>Presets</legend>
          <div className="field">
            <button
              type="button"
              className="btn"
              data-testid="paper-settings"
              title="The official CRONOS behaviour: fixed ρ = 0.1, no over-relaxation or acceleration, Nyström rank 10, PCG cold start, 20 PCG and 50 ADMM iterations, the residual stopping rule (tol 1e-6)"
              onClick={() => onChange(withPaperSettings(settings))}
            >
              Paper settings
            </button>
            <button type="button" className="btn" data-testid="fast-settings" title="The defaults: over-relaxation, ρ = 0.5·β, certified-gap stopping at 1e-4" onClick={() => onChange(withFastSettings(settings))}>
              Fast defaults
            </button>
          </div>
        </fieldset>
      )}
    </form>
  );
});

/** The method menu, from the registry (title per entry, the selected one's summary below). */
function MethodPicker({ value, onChange }: { value: MethodId; onChange(m: MethodId): void }) {
  const choices = methodChoices();
  return (
    <Field label="Method" hint={METHODS[value].summary}>
      {(id) => (
        <select
          id={id}
          value={value}
          data-testid="method"
          onChange={(e) => {
            const m = METHOD_IDS.find((k) => k === e.target.value);
            if (m !== undefined) onChange(m);
          }}
        >
          {choices.map((c) => (
            <option key={c.id} value={c.id} title={c.summary}>
              {c.title}
            </option>
          ))}
        </select>
      )}
    </Field>
  );
}

/** Legends of the fieldsets CRONOS and the page use; another method's group shows its name capitalised. */
const LEGENDS: Readonly<Record<string, string>> = { model: 'Model', solver: 'Solver' };

function groupLegend(group: string): string {
  return LEGENDS[group] ?? group.charAt(0).toUpperCase() + group.slice(1);
}

/** The control groups of `tables` other than the data's (shown in its own fieldset), model and solver first. */
function fieldsetGroups(tables: readonly ParamTable[]): string[] {
  const seen = new Set<string>(['model', 'solver']);
  for (const t of tables) for (const p of Object.values(t)) if (p.control && p.control.group !== 'data') seen.add(p.control.group);
  return [...seen].filter((g) => groupEntries(tables, g).length > 0);
}

/** Milliseconds a slider or text field waits after the last change before it commits. */
const COMMIT_DELAY_MS = 350;

/** A range slider that shows its value live and commits once the user pauses. */
function SliderField(props: { label: string; value: number; min: number; max: number; step: number; format(v: number): string; onCommit(v: number): void }) {
  const { label, value, min, max, step, format, onCommit } = props;
  const [draft, setDraft] = useState(value);
  // The parent re-renders every frame while training; a ref keeps its new callbacks from restarting the timer.
  const commit = useRef(onCommit);
  commit.current = onCommit;
  useEffect(() => setDraft(value), [value]);
  useEffect(() => {
    if (draft === value) return;
    const t = setTimeout(() => commit.current(draft), COMMIT_DELAY_MS);
    return () => clearTimeout(t);
  }, [draft, value]);
  return (
    <Field label={`${label}: ${format(draft)}`}>
      {(id) => <input id={id} type="range" min={min} max={max} step={step} value={draft} aria-valuetext={format(draft)} data-testid="noise" onChange={(e) => setDraft(Number(e.target.value))} />}
    </Field>
  );
}

/** The seed: a number field (committed on Enter, blur or a pause) and a button for a fresh one. */
function SeedField({ param, value, note, onCommit }: { param: Param; value: number; note: string | null; onCommit(v: number): void }) {
  const [draft, setDraft] = useState(String(value));
  useEffect(() => setDraft(String(value)), [value]);
  const commit = (): void => {
    const v = clampSetting('seed', Number(draft));
    setDraft(String(v));
    if (v !== value) onCommit(v);
  };
  return (
    <Field label={param.label} hint={note ?? param.help}>
      {(id) => (
        <div className="seed-row">
          <input
            id={id}
            type="number"
            inputMode="numeric"
            min={LIMITS.seed.min}
            max={LIMITS.seed.max}
            step={1}
            value={draft}
            data-testid="seed"
            onChange={(e) => setDraft(e.target.value)}
            onBlur={commit}
            onKeyDown={(e) => {
              if (e.key === 'Enter') commit();
            }}
          />
          <button type="button" className="btn small" onClick={() => onCommit(randomSeed())} title="Draw a new seed">
            New seed
          </button>
        </div>
      )}
    </Field>
  );
}

/** A fresh seed (only the page's choice; the runs themselves are deterministic given it). */
function randomSeed(): number {
  return Math.floor(Math.random() * 1_000_000);
}
