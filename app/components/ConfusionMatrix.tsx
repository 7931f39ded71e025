/** A confusion matrix as a table: rows = true class, columns = predicted, cells shaded by row share. */
import { classColor, css } from '../colors';
import { pct } from '../format';

/** Props of {@link ConfusionMatrix}. */
export interface ConfusionMatrixProps {
  caption: string;
  counts: Int32Array;
  classNames: string[];
  testId: string;
}

/** Longest class name shown in full in the header. */
const MAX_NAME = 12;

/** The matrix, with per-class recall in the last column. */
export function ConfusionMatrix({ caption, counts, classNames, testId }: ConfusionMatrixProps) {
  const k = classNames.length;
  const rowTotals = classNames.map((_, r) => {
    let s = 0;
    for (let c = 0; c < k; c++) s += counts[r * k + c];
    return s;
  });
  const short = (name: string): string => (name.length > MAX_NAME ? `${name.slice(0, MAX_NAME - 1)}…` : name);
  return (
    <table className={`confusion${k > 4 ? ' dense' : ''}`} data-testid={testId}>
      <caption>{caption}</caption>
      <thead>
        <tr>
          <th scope="col" className="corner">
            true ↓ / predicted →
          </th>
          {classNames.map((name, c) => (
            <th key={c} scope="col" title={name}>
              <span className="swatch" style={{ background: css(classColor(c, k)) }} />
              {short(name)}
            </th>
          ))}
          <th scope="col">recall</th>
        </tr>
      </thead>
      <tbody>
        {classNames.map((name, r) => (
          <tr key={r}>
            <th scope="row" title={name}>
              <span className="swatch" style={{ background: css(classColor(r, k)) }} />
              {short(name)}
            </th>
            {classNames.map((_, c) => {
              const v = counts[r * k + c];
              const share = rowTotals[r] > 0 ? v / rowTotals[r] : 0;
              const hit = r === c;
              const bg = hit ? `rgba(31, 111, 178, ${0.08 + 0.6 * share})` : `rgba(192, 57, 43, ${share > 0 ? 0.08 + 0.6 * share : 0})`;
              return (
                <td key={c} style={{ background: bg, color: share > 0.6 ? '#fff' : undefined }}>
                  {v}
                </td>
              );
            })}
            <td className="recall">{pct(rowTotals[r] > 0 ? counts[r * k + r] / rowTotals[r] : NaN)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
