/** A small segmented switch: a radio group (so arrow keys work) styled as joined buttons. */

/** Props of {@link Segmented}. */
export interface SegmentedProps<T extends string> {
  /** The group's accessible name. */
  label: string;
  /** The radio inputs' `name`. */
  name: string;
  options: readonly (readonly [value: T, text: string])[];
  value: T;
  onChange(value: T): void;
  /** Each input's test id is this prefix followed by its value. */
  testIdPrefix: string;
}

/** A segmented switch between `options`. */
export function Segmented<T extends string>({ label, name, options, value, onChange, testIdPrefix }: SegmentedProps<T>) {
  return (
    <div className="segmented small" role="radiogroup" aria-label={label}>
      {options.map(([v, text]) => (
        <label key={v} className={value === v ? 'on' : ''}>
          <input type="radio" name={name} value={v} checked={value === v} onChange={() => onChange(v)} data-testid={`${testIdPrefix}${v}`} />
          {text}
        </label>
      ))}
    </div>
  );
}
