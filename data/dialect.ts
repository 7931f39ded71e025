/**
 * Guessing how a CSV file is written (delimiter, quote character, whether the first row is a
 * header) from a sample at its start, so a dropped file just works. Every guess can be
 * overridden by the caller; the guesses are reported so the UI can show them.
 */
import Papa from 'papaparse';
import { cellNumber, isMissingCell } from './cells';

/** Delimiters tried, in order of preference on ties (comma is the default). */
export const DELIMITERS = [',', '\t', ';', '|'] as const;

/** How many records of the sample the guesses look at. */
const SAMPLE_RECORDS = 50;

/**
 * The quote character: `'` only when the sample has no `"` at all but has `'`-quoted fields;
 * otherwise the standard `"`.
 */
export function detectQuoteChar(sample: string): string {
  if (sample.includes('"')) return '"';
  return /(^|[,;\t|])'[^'\n]*'(?=[,;\t|]|\n|$)/m.test(sample) ? "'" : '"';
}

/**
 * The delimiter that splits the sample's records into the same number (> 1) of fields most
 * consistently, then into the most fields; comma when nothing splits (a one-column file).
 * `complete` says the sample is the whole file (else its last, possibly cut, record is ignored).
 */
export function detectDelimiter(sample: string, quoteChar: string, complete: boolean): string {
  let best: string = DELIMITERS[0];
  let bestScore = [0, 0];
  for (const delimiter of DELIMITERS) {
    const res = Papa.parse<string[]>(sample, { delimiter, quoteChar, newline: '\n', preview: SAMPLE_RECORDS + 1 });
    let records = res.data.filter((r) => !(r.length === 1 && r[0].trim() === ''));
    if (!complete && records.length > 1) records = records.slice(0, -1);
    records = records.slice(0, SAMPLE_RECORDS);
    if (records.length === 0) continue;
    const freq = new Map<number, number>();
    for (const r of records) freq.set(r.length, (freq.get(r.length) ?? 0) + 1);
    let mode = 1;
    let modeCount = 0;
    for (const [len, count] of freq) {
      if (count > modeCount || (count === modeCount && len > mode)) {
        mode = len;
        modeCount = count;
      }
    }
    if (mode < 2) continue;
    // Consistency first (a stray comma inside text must not win over a real semicolon layout).
    const score = [Math.round((100 * modeCount) / records.length), mode];
    if (score[0] > bestScore[0] || (score[0] === bestScore[0] && score[1] > bestScore[1])) {
      best = delimiter;
      bestScore = score;
    }
  }
  return best;
}

/**
 * Is `first` a header above `rows`? Yes when some column is numeric below but its first cell is
 * text (the NNDemo rule); no when a first-row cell is a number (names rarely are). Otherwise
 * (an all-text file) yes when the first-row values are distinct and never recur below.
 */
export function looksLikeHeader(first: string[], rows: string[][], decimalComma: boolean): boolean {
  const isNum = (v: string): boolean => !Number.isNaN(cellNumber(v.trim(), decimalComma));
  const sample = rows.slice(0, SAMPLE_RECORDS);
  for (let j = 0; j < first.length; j++) {
    const top = first[j].trim();
    if (top === '' || isNum(top) || isMissingCell(top)) continue;
    let numeric = 0;
    let text = 0;
    for (const r of sample) {
      const v = (r[j] ?? '').trim();
      if (isMissingCell(v)) continue;
      if (isNum(v)) numeric++;
      else text++;
    }
    if (numeric > 0 && text === 0) return true;
  }
  if (first.some((v) => isNum(v.trim()))) return false;
  if (sample.length === 0) return true;
  const names = first.map((v) => v.trim());
  if (new Set(names).size !== names.length) return false;
  return names.every((name, j) => name !== '' && sample.every((r) => (r[j] ?? '').trim() !== name));
}

/** Unique, non-empty column names: blanks become `column_3`, repeats `x_2`, `x_3`. */
export function uniqueColumnNames(raw: string[]): { names: string[]; renamed: { from: string; to: string; index: number }[] } {
  const names: string[] = [];
  const renamed: { from: string; to: string; index: number }[] = [];
  const used = new Set<string>();
  raw.forEach((value, j) => {
    const trimmed = value.trim();
    let name = trimmed || `column_${j + 1}`;
    if (used.has(name)) {
      let k = 2;
      while (used.has(`${name}_${k}`)) k++;
      name = `${name}_${k}`;
    }
    if (name !== trimmed) renamed.push({ from: trimmed, to: name, index: j });
    used.add(name);
    names.push(name);
  });
  return { names, renamed };
}
