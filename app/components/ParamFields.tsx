/**
 * The controls of a parameter table's entries (solver/params/table.ts): one fieldset's worth,
 * rendered from the declarations — a preset menu, a choice menu, segmented radio buttons or a
 * checkbox — so a method's new setting appears without page code. Entries marked `custom` are
 * the page's own (Controls.tsx renders them).
 */
import { useEffect, useId, useState, type ReactNode } from 'react';
import type { AnyValues, BooleanParam, EnumParam, NumberParam, Param, ParamTable, TextParam } from '../../solver/params/table';
import { fmtSetting } from '../format';
import { menuOptions } from '../settings';

/** Props of {@link ParamFields}. */
export interface ParamFieldsProps {
  /** The tables whose entries of `group` are shown, sorted by `control.order` (else the index in its table). */
  tables: readonly ParamTable[];
  group: string;
  values: AnyValues;
  /** A new value of setting `key` (undefined: a text setting cleared, its default). */
  onChange(key: string, value: string | number | boolean | undefined): void;
}

/** The entries of `group` in `tables`, in display order. */
export function groupEntries(tables: readonly ParamTable[], group: string): [string, Param][] {
  // `order` counts within its own table (0, 1, 2, … by declaration), so 7.5 means "after the 8th".
  const all = tables.flatMap((t) => Object.entries(t).map(([key, p], i) => ({ key, p, at: p.control?.order ?? i })));
  return all
    .filter(({ p }) => p.control !== undefined && p.control.group === group && p.control.kind !== 'custom')
    .sort((a, b) => a.at - b.at)
    .map(({ key, p }) => [key, p]);
}

/** The controls of one group of settings. */
export function ParamFields({ tables, group, values, onChange }: ParamFieldsProps) {
  return (
    <>
      {groupEntries(tables, group).map(([key, p]) => (
        <ParamField key={key} name={key} param={p} value={values[key]} onChange={(v) => onChange(key, v)} />
      ))}
    </>
  );
}

/** One entry's control, by its declared kind. */
function ParamField({ name, param: p, value, onChange }: { name: string; param: Param; value: unknown; onChange(v: string | number | boolean | undefined): void }) {
  const testId = p.control?.testId ?? name;
  switch (p.control?.kind) {
    case 'menu':
      if ((p.type === 'number' || p.type === 'integer') && !p.optional && typeof value === 'number') {
        return <MenuField param={p} value={value} onChange={onChange} testId={testId} />;
      }
      return null;
    case 'check':
      return p.type === 'boolean' && typeof value === 'boolean' ? <CheckField param={p} checked={value} onChange={onChange} testId={testId} /> : null;
    case 'radio':
      return p.type === 'enum' && typeof value === 'string' ? <RadioField name={name} param={p} value={value} onChange={onChange} /> : null;
    case 'select':
      return p.type === 'enum' && typeof value === 'string' ? <ChoiceField param={p} value={value} onChange={onChange} testId={testId} /> : null;
    case 'text':
      return p.type === 'text' && (value === undefined || typeof value === 'string') ? <TextField param={p} value={value} onChange={onChange} testId={testId} /> : null;
    default:
      return null;
  }
}

/** A label above a control, with an optional hint; `children` gets the control's id. */
export function Field({ label, hint, children }: { label: string; hint?: ReactNode; children: (id: string) => ReactNode }) {
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
export interface SelectFieldProps {
  label: string;
  hint?: string;
  value: number;
  options: readonly number[];
  format(v: number): string;
  onChange(v: number): void;
  testId: string;
}

/** A menu of numeric presets (plus the current value when it is not one of them). */
export function SelectField({ label, hint, value, options, format, onChange, testId }: SelectFieldProps) {
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

function MenuField({ param: p, value, onChange, testId }: { param: NumberParam; value: number; onChange(v: number): void; testId: string }) {
  const format = p.control?.format === 'setting' ? fmtSetting : String;
  return <SelectField label={p.label} hint={p.help} value={value} options={p.presets ?? []} format={format} onChange={onChange} testId={testId} />;
}

function CheckField({ param: p, checked, onChange, testId }: { param: BooleanParam; checked: boolean; onChange(v: boolean): void; testId: string }) {
  return (
    <label className="check">
      <input type="checkbox" checked={checked} data-testid={testId} onChange={(e) => onChange(e.target.checked)} />
      {p.label}
    </label>
  );
}

/** Segmented buttons (a native radio group) for a short enum; the selected value's hint below. */
function RadioField({ name, param: p, value, onChange }: { name: string; param: EnumParam; value: string; onChange(v: string): void }) {
  const hint = p.choices?.[value]?.help ?? p.help;
  return (
    <div className="field" role="radiogroup" aria-label={p.label}>
      <span className="field-label" aria-hidden="true">
        {p.label}
      </span>
      <div className="segmented">
        {p.values.map((v) => (
          <label key={v} className={value === v ? 'on' : ''}>
            <input type="radio" name={name} value={v} checked={value === v} onChange={() => onChange(v)} />
            {p.choices?.[v]?.label ?? v}
          </label>
        ))}
      </div>
      {hint && <p className="hint">{hint}</p>}
    </div>
  );
}

/** A menu of an enum's values with their labels. */
function ChoiceField({ param: p, value, onChange, testId }: { param: EnumParam; value: string; onChange(v: string): void; testId: string }) {
  return (
    <Field label={p.label} hint={p.help}>
      {(id) => (
        <select id={id} value={value} data-testid={testId} onChange={(e) => onChange(e.target.value)}>
          {p.values.map((v) => (
            <option key={v} value={v}>
              {p.choices?.[v]?.label ?? v}
            </option>
          ))}
        </select>
      )}
    </Field>
  );
}

/**
 * A text setting: edited freely, committed on Enter or when the field is left, and only when the
 * table's `check` accepts it (else its message is shown and the setting keeps its value); an
 * empty field is the setting's default.
 */
function TextField({ param: p, value, onChange, testId }: { param: TextParam; value: string | undefined; onChange(v: string | undefined): void; testId: string }) {
  const [draft, setDraft] = useState(value ?? '');
  const [problem, setProblem] = useState<string | null>(null);
  // A new value from outside (a link, another method's run) replaces the draft.
  useEffect(() => {
    setDraft(value ?? '');
    setProblem(null);
  }, [value]);
  const commit = (): void => {
    const t = draft.trim();
    const why = t === '' ? null : (p.check?.(t) ?? null);
    setProblem(why);
    if (why === null && (t === '' ? undefined : t) !== value) onChange(t === '' ? undefined : t);
  };
  return (
    <Field label={p.label} hint={problem !== null ? <span role="alert">{problem}</span> : p.help}>
      {(id) => (
        <input
          id={id}
          type="text"
          value={draft}
          placeholder="default"
          spellCheck={false}
          data-testid={testId}
          aria-invalid={problem !== null}
          onChange={(e) => setDraft(e.target.value)}
          onBlur={commit}
          onKeyDown={(e) => {
            if (e.key === 'Enter') commit();
          }}
        />
      )}
    </Field>
  );
}
