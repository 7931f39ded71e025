/**
 * A parsed CSV file held column by column in typed arrays: 12 bytes a cell instead of a string
 * each (≈ 40 bytes), which is what lets a Worker hold a few million cells. Text cells are
 * dictionary-encoded per column. Typing and encoding (columns.ts, encode.ts) read this.
 */
import { CELL, classifyCell } from './cells';

/** One column: per row a number (NaN when none) and what the cell was. */
export interface RawColumn {
  name: string;
  /** The number in each cell; NaN for missing, non-finite and text cells. */
  values: Float64Array;
  /** Per row: a {@link CELL} kind, or for text the index of the string in `levels`. */
  kinds: Int32Array;
  /** Distinct text values in order of first appearance (at most `maxLevels`). */
  levels: string[];
  /** True when the column had more distinct text values than were kept. */
  levelsOverflow: boolean;
  /** The raw text of the first non-finite cell and its line, for messages. */
  firstNonFinite: { row: number; value: string } | null;
  /**
   * The raw text of the first missing cell (`NA`, `?`, '') and its line: the strict reading of
   * csv.ts quotes the token it rejects. Absent in tables not built by {@link ColumnTableBuilder}.
   */
  firstMissing?: { row: number; value: string } | null;
}

/** A whole parsed file. Row i of every column comes from file line `lines[i]`. */
export interface ColumnTable {
  fileName: string;
  header: string[];
  columns: RawColumn[];
  n: number;
  /** 1-based file line where each row starts (header = line 1), for messages. */
  lines: Int32Array;
  delimiter: string;
  /** Cells like `1,5` were read as 1.5 (semicolon files). */
  decimalComma: boolean;
}

/** Options of {@link ColumnTableBuilder}. */
export interface TableBuilderOptions {
  /** Most rows the table can hold; arrays grow up to this. */
  capacity: number;
  delimiter: string;
  decimalComma: boolean;
  /** Most distinct strings kept per column (beyond, cells become CELL.textOverflow). */
  maxLevels?: number;
}

const INITIAL_ROWS = 4096;

/** Appends (or, for reservoir sampling, overwrites) rows of already-split cells. */
export class ColumnTableBuilder {
  private capacityNow: number;
  private count = 0;
  private lines: Int32Array;
  private readonly values: Float64Array[];
  private readonly kinds: Int32Array[];
  private readonly levelIndex: Map<string, number>[];
  private readonly levels: string[][];
  private readonly overflow: boolean[];
  private readonly firstNonFinite: ({ row: number; value: string } | null)[];
  private readonly firstMissing: ({ row: number; value: string } | null)[];
  private readonly scratch = new Float64Array(1);
  private readonly maxLevels: number;

  constructor(
    private readonly fileName: string,
    private readonly header: string[],
    private readonly opts: TableBuilderOptions,
  ) {
    const d = header.length;
    this.capacityNow = Math.max(1, Math.min(opts.capacity, INITIAL_ROWS));
    this.maxLevels = opts.maxLevels ?? 10_000;
    this.lines = new Int32Array(this.capacityNow);
    this.values = Array.from({ length: d }, () => new Float64Array(this.capacityNow));
    this.kinds = Array.from({ length: d }, () => new Int32Array(this.capacityNow));
    this.levelIndex = Array.from({ length: d }, () => new Map<string, number>());
    this.levels = Array.from({ length: d }, () => []);
    this.overflow = new Array<boolean>(d).fill(false);
    this.firstNonFinite = new Array<{ row: number; value: string } | null>(d).fill(null);
    this.firstMissing = new Array<{ row: number; value: string } | null>(d).fill(null);
  }

  /** Rows held so far. */
  get n(): number {
    return this.count;
  }

  /** True when {@link add} would exceed the capacity. */
  get full(): boolean {
    return this.count >= this.opts.capacity;
  }

  /** Appends one row (cells already trimmed, one per header column). */
  add(cells: string[], line: number): void {
    if (this.full) throw new RangeError('table is full');
    if (this.count === this.capacityNow) this.grow();
    this.write(this.count++, cells, line);
  }

  /** Overwrites row `slot` (reservoir sampling keeps a bounded random subset). */
  replace(slot: number, cells: string[], line: number): void {
    if (slot < 0 || slot >= this.count) throw new RangeError(`no row ${slot}`);
    this.write(slot, cells, line);
  }

  /** The table, rows sorted by file line (reservoir replacement scrambles them). */
  build(): ColumnTable {
    const n = this.count;
    const lines = this.lines.slice(0, n);
    let sorted = true;
    for (let i = 1; i < n && sorted; i++) sorted = lines[i - 1] < lines[i];
    const order = sorted ? null : Int32Array.from(lines.keys()).sort((a, b) => lines[a] - lines[b]);
    const take = <A extends Float64Array | Int32Array>(a: A): A => {
      const out = a.slice(0, n) as A;
      if (order) for (let i = 0; i < n; i++) out[i] = a[order[i]];
      return out;
    };
    const columns: RawColumn[] = this.header.map((name, j) => ({
      name,
      values: take(this.values[j]),
      kinds: take(this.kinds[j]),
      levels: this.levels[j].slice(),
      levelsOverflow: this.overflow[j],
      firstNonFinite: this.firstNonFinite[j],
      firstMissing: this.firstMissing[j],
    }));
    return {
      fileName: this.fileName,
      header: this.header.slice(),
      columns,
      n,
      lines: take(this.lines),
      delimiter: this.opts.delimiter,
      decimalComma: this.opts.decimalComma,
    };
  }

  private grow(): void {
    const next = Math.min(this.opts.capacity, this.capacityNow * 2);
    const widen = <A extends Float64Array | Int32Array>(a: A, make: (len: number) => A): A => {
      const b = make(next);
      b.set(a);
      return b;
    };
    this.lines = widen(this.lines, (len) => new Int32Array(len));
    for (let j = 0; j < this.header.length; j++) {
      this.values[j] = widen(this.values[j], (len) => new Float64Array(len));
      this.kinds[j] = widen(this.kinds[j], (len) => new Int32Array(len));
    }
    this.capacityNow = next;
  }

  private write(slot: number, cells: string[], line: number): void {
    this.lines[slot] = line;
    const out = this.scratch;
    for (let j = 0; j < this.header.length; j++) {
      const v = cells[j];
      const kind = classifyCell(v, this.opts.decimalComma, out);
      if (kind === CELL.number) {
        this.values[j][slot] = out[0];
        this.kinds[j][slot] = kind;
        continue;
      }
      this.values[j][slot] = NaN;
      if (kind !== null) {
        this.kinds[j][slot] = kind;
        if (kind === CELL.nonFinite && this.firstNonFinite[j] === null) this.firstNonFinite[j] = { row: line, value: v };
        else if (kind === CELL.missing && this.firstMissing[j] === null) this.firstMissing[j] = { row: line, value: v };
        continue;
      }
      let level = this.levelIndex[j].get(v);
      if (level === undefined) {
        if (this.levels[j].length >= this.maxLevels) {
          this.overflow[j] = true;
          this.kinds[j][slot] = CELL.textOverflow;
          continue;
        }
        level = this.levels[j].length;
        this.levels[j].push(v);
        this.levelIndex[j].set(v, level);
      }
      this.kinds[j][slot] = level;
    }
  }
}
