/**
 * The settings form: data, model and solver. Every control is a native, labelled form element
 * (keyboard-operable as is); menus offer preset values, and a value outside them (set elsewhere)
 * is shown as an extra entry rather than silently changed. Sliders and the seed field commit
 * after the user stops, so a drag does not rebuild the problem on every pixel.
 */
import { memo, useEffect, useId, useRef, useState, type ReactNode } from 'react';
import { DATASETS, datasetInfo, hasTestFile, isDatasetId, isPlanar } from '../datasets';
import { fmtSetting } from '../format';
import { clampSetting, LIMITS, menuOptions, PRESETS, type DevicePreference, type Settings } from '../settings';
import { activeCsv, csvSourceInfo, seedsApartNote, withOneSeed, withoutCsv } from '../share/wire-source';
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
            label="Noise"
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
            label="Test split"
            hint="Seeded, stratified hold-out for the test accuracy."
            value={settings.testFraction}
            options={PRESETS.testFraction}
            format={(v) => (v === 0 ? 'No test split (from a link)' : `${Math.round(v * 100)} % test`)}
            onChange={(v) => set('testFraction', v)}
            testId="split"
          />
        )}
        <SeedField value={settings.seed} note={seedsApartNote(settings)} onCommit={(v) => onChange(withOneSeed(settings, v))} />
        <p className="licence" data-testid="dataset-licence">
          <span className="muted">Licence:</span> {info.licence}
        </p>
      </fieldset>

      <fieldset disabled={disabled}>
        <legend>Model</legend>
        <div className="field" role="radiogroup" aria-label="Model">
          <span className="field-label" aria-hidden="true">
            Model
          </span>
          <div className="segmented">
            {(
              [
                ['relu', 'ReLU'],
                ['gated', 'Gated ReLU'],
              ] as const
            ).map(([value, text]) => (
              <label key={value} className={settings.model === value ? 'on' : ''}>
                <input type="radio" name="model" value={value} checked={settings.model === value} onChange={() => set('model', value)} />
                {text}
              </label>
            ))}
          </div>
          <p className="hint">{settings.model === 'relu' ? 'Cone-constrained convex program (spec §1.2).' : 'Unconstrained: the gates fix the activations (spec §1.3).'}</p>
        </div>
        <SelectField
          label="Sampled patterns P"
          hint="Activation patterns Dᵢ = 1[Xgᵢ ≥ 0]; up to 2P neurons per output."
          value={settings.P}
          options={PRESETS.P}
          format={String}
          onChange={(v) => set('P', v)}
          testId="P"
        />
        <SelectField
          label="Group-lasso weight β"
          hint="Larger β prunes more neurons."
          value={settings.beta}
          options={PRESETS.beta}
          format={fmtSetting}
          onChange={(v) => set('beta', v)}
          testId="beta"
        />
      </fieldset>

      <fieldset disabled={disabled}>
        <legend>Solver</legend>
        <SelectField label="ADMM penalty ρ" value={settings.rho} options={PRESETS.rho} format={fmtSetting} onChange={(v) => set('rho', v)} testId="rho" />
        <CheckField
          label="Adaptive ρ (residual balancing)"
          checked={settings.adaptiveRho}
          onChange={(v) => set('adaptiveRho', v)}
          testId="adaptive-rho"
        />
        <SelectField
          label="Nyström rank"
          hint="Rank of the PCG preconditioner; 0 = plain CG."
          value={settings.rank}
          options={PRESETS.rank}
          format={String}
          onChange={(v) => set('rank', v)}
          testId="rank"
        />
        <SelectField label="PCG iterations (max per step)" value={settings.pcgIters} options={PRESETS.pcgIters} format={String} onChange={(v) => set('pcgIters', v)} testId="pcg" />
        <CheckField label="Warm-start PCG" checked={settings.warmStart} onChange={(v) => set('warmStart', v)} testId="warm-start" />
        <SelectField
          label="ADMM iterations (cap)"
          value={settings.admmIters}
          options={PRESETS.admmIters}
          format={String}
          onChange={(v) => set('admmIters', v)}
          testId="admm-iters"
        />
        <SelectField
          label="Tolerance ε"
          hint="ε_abs = ε_rel of the stopping rule."
          value={settings.tol}
          options={PRESETS.tol}
          format={fmtSetting}
          onChange={(v) => set('tol', v)}
          testId="tol"
        />
        <Field label="Device">
          {(id) => (
            <select id={id} value={settings.device} data-testid="device-pref" onChange={(e) => set('device', e.target.value as DevicePreference)}>
              <option value="auto">WebGPU, CPU fallback</option>
              <option value="gpu">WebGPU only</option>
              <option value="cpu">CPU (float64)</option>
            </select>
          )}
        </Field>
      </fieldset>
    </form>
  );
});

/** A label above a control, with an optional hint; `children` gets the control's id. */
function Field({ label, hint, children }: { label: string; hint?: ReactNode; children: (id: string) => ReactNode }) {
  const id = useId();
  return (
    <div className="field">
      <label className="field-label" htmlFor={id}>
        {label}
      </label>
      {children(id)}
      {hint && <p className="hint">{hint}</p>}
    </div>
  );
}

/** Props of {@link SelectField}. */
interface SelectFieldProps {
  label: string;
  hint?: string;
  value: number;
  options: readonly number[];
  format(v: number): string;
  onChange(v: number): void;
  testId: string;
}

/** A menu of numeric presets (plus the current value when it is not one of them). */
function SelectField({ label, hint, value, options, format, onChange, testId }: SelectFieldProps) {
  const all = menuOptions(options, value);
  return (
    <Field label={label} hint={hint}>
      {(id) => (
        <select id={id} value={String(value)} data-testid={testId} onChange={(e) => onChange(Number(e.target.value))}>
          {all.map((v) => (
            <option key={v} value={String(v)}>
              {format(v)}
            </option>
          ))}
        </select>
      )}
    </Field>
  );
}

/** A checkbox with its label. */
function CheckField({ label, checked, onChange, testId }: { label: string; checked: boolean; onChange(v: boolean): void; testId: string }) {
  return (
    <label className="check">
      <input type="checkbox" checked={checked} data-testid={testId} onChange={(e) => onChange(e.target.checked)} />
      {label}
    </label>
  );
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
function SeedField({ value, note, onCommit }: { value: number; note: string | null; onCommit(v: number): void }) {
  const [draft, setDraft] = useState(String(value));
  useEffect(() => setDraft(String(value)), [value]);
  const commit = (): void => {
    const v = clampSetting('seed', Number(draft));
    setDraft(String(v));
    if (v !== value) onCommit(v);
  };
  return (
    <Field label="Seed" hint={note ?? 'Drives the data, the split, the gates and the Nyström sketch.'}>
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
