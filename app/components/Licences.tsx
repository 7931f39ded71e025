/** The licence notices of every built-in dataset (the full texts are in datasets/LICENSES.md). */
import { DATASETS } from '../datasets';

/** Groups datasets that share a licence and citation into one line each. */
function notices(): { titles: string[]; licence: string; citation: string | null }[] {
  const out: { titles: string[]; licence: string; citation: string | null }[] = [];
  for (const d of DATASETS) {
    const same = out.find((n) => n.licence === d.licence && n.citation === d.citation);
    if (same) same.titles.push(d.title);
    else out.push({ titles: [d.title], licence: d.licence, citation: d.citation });
  }
  return out;
}

/** Footer with the dataset licences and citations. */
export function Licences() {
  return (
    <footer className="licences" data-testid="licences">
      <h2>Datasets and licences</h2>
      <ul>
        {notices().map((n) => (
          <li key={n.titles.join('|')}>
            <strong>{n.titles.join(', ')}</strong>: {n.licence}
            {n.citation && <span className="citation"> {n.citation}</span>}
          </li>
        ))}
      </ul>
      <p>
        Full licence texts: <a href={`${import.meta.env.BASE_URL}datasets/LICENSES.md`}>datasets/LICENSES.md</a>. Everything runs in this
        browser; no data leaves it.
      </p>
    </footer>
  );
}
