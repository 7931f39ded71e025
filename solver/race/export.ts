/**
 * The race's results table as CSV (one row per method, the scalar columns) and the whole results
 * document as JSON, each with a parser that gives back what was written: numbers print in their
 * shortest exact form, so a parsed table equals the one exported. No Node API (the page saves
 * the same files through a download).
 */
import { readCsvText } from '../../data/csv-reader';
import type { RaceResults } from './race';
import type { MethodSummary } from './summary';

/** One row of the results table. */
export interface RaceTableRow {
  readonly method: string;
  readonly draws: number;
  readonly best_lr: number | null;
  readonly peak_test_accuracy: number | null;
  readonly peak_min: number | null;
  readonly peak_max: number | null;
  readonly final_test_accuracy: number | null;
  readonly final_min: number | null;
  readonly final_max: number | null;
  readonly time_s: number;
  readonly median_run_time_s: number;
  readonly time_to_target_s: number | null;
}

/** The CSV's columns, in order. */
export const TABLE_COLUMNS = [
  'method', 'draws', 'best_lr', 'peak_test_accuracy', 'peak_min', 'peak_max',
  'final_test_accuracy', 'final_min', 'final_max', 'time_s', 'median_run_time_s', 'time_to_target_s',
] as const satisfies readonly (keyof RaceTableRow)[];

/** The table row of one method's summary. */
export function tableRow(s: MethodSummary): RaceTableRow {
  return {
    method: s.method,
    draws: s.runs.length,
    best_lr: s.best_lr ?? null,
    peak_test_accuracy: s.peak_test_accuracy,
    peak_min: s.peak_test_accuracy_range?.[0] ?? null,
    peak_max: s.peak_test_accuracy_range?.[1] ?? null,
    final_test_accuracy: s.final_test_accuracy,
    final_min: s.final_test_accuracy_range?.[0] ?? null,
    final_max: s.final_test_accuracy_range?.[1] ?? null,
    time_s: s.time_s,
    median_run_time_s: s.median_run_time_s,
    time_to_target_s: s.time_to_target_s,
  };
}

/** The results table, one row per method in race order. */
export function resultsTable(r: RaceResults): RaceTableRow[] {
  return r.methods.map(tableRow);
}

/** A cell: a number in its shortest exact form, empty for null (method ids hold no comma or quote). */
function cell(v: string | number | null): string {
  return v === null ? '' : String(v);
}

/** The table as CSV text (header row, `\n` line ends). */
export function tableToCsv(rows: readonly RaceTableRow[]): string {
  return [TABLE_COLUMNS.join(','), ...rows.map((r) => TABLE_COLUMNS.map((c) => cell(r[c])).join(','))].join('\n') + '\n';
}

/** A numeric cell back: empty → null; anything else must be a finite number. */
function numberCell(text: string, column: string, line: number, required: boolean): number | null {
  if (text === '' && !required) return null;
  const v = Number(text);
  if (text === '' || !Number.isFinite(v)) throw new Error(`race table line ${line}: ${column} ${JSON.stringify(text)} is not a number.`);
  return v;
}

/** Parses {@link tableToCsv}'s text back into its rows (through the project's one CSV reader). */
export function tableFromCsv(text: string, fileName = 'race.csv'): RaceTableRow[] {
  const { preview } = readCsvText(text, fileName, { header: true, delimiter: ',', previewRows: Number.MAX_SAFE_INTEGER });
  const missing = TABLE_COLUMNS.filter((c) => !preview.header.includes(c));
  if (missing.length > 0) throw new Error(`${fileName}: missing column(s) ${missing.join(', ')}.`);
  return preview.rows.map((cells, i) => {
    const at = (c: string): string => cells[preview.header.indexOf(c)] ?? '';
    const line = i + 2;
    const num = (c: string): number | null => numberCell(at(c), c, line, false);
    const req = (c: string): number => numberCell(at(c), c, line, true) as number;
    return {
      method: at('method'),
      draws: req('draws'),
      best_lr: num('best_lr'),
      peak_test_accuracy: num('peak_test_accuracy'),
      peak_min: num('peak_min'),
      peak_max: num('peak_max'),
      final_test_accuracy: num('final_test_accuracy'),
      final_min: num('final_min'),
      final_max: num('final_max'),
      time_s: req('time_s'),
      median_run_time_s: req('median_run_time_s'),
      time_to_target_s: num('time_to_target_s'),
    };
  });
}

/** The results document as JSON text (every number in it is finite or null by construction). */
export function resultsToJson(r: RaceResults, indent?: number): string {
  return JSON.stringify(r, null, indent) + '\n';
}

/** Parses {@link resultsToJson}'s text, checking that it is a race results document. */
export function resultsFromJson(text: string): RaceResults {
  const v: unknown = JSON.parse(text);
  const doc = v as Partial<RaceResults> | null;
  if (typeof v !== 'object' || doc === null || doc.format !== 'cronos-race') throw new Error('This is not a race results file (no "format": "cronos-race").');
  if (doc.version !== 1) throw new Error(`Race results version ${String(doc.version)}; this version reads 1.`);
  if (!Array.isArray(doc.methods) || !Array.isArray(doc.time_grid_s) || typeof doc.config !== 'object') throw new Error('Race results need "config", "time_grid_s" and "methods".');
  return doc as RaceResults;
}
