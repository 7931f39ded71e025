/**
 * Cutting a CSV text stream into whole records, so each chunk can be handed to papaparse on its
 * own: a chunk boundary must never fall inside a quoted value (which may hold newlines) or
 * between the \r and \n of one line end.
 */

/** Turns \r\n and lone \r into \n across chunk boundaries (a chunk may end between \r and \n). */
export class NewlineNormalizer {
  private pendingCR = false;

  /** The normalised text of `chunk`; a trailing \r is held back until the next call. */
  push(chunk: string): string {
    let text = this.pendingCR ? `\r${chunk}` : chunk;
    this.pendingCR = text.endsWith('\r');
    if (this.pendingCR) text = text.slice(0, -1);
    return text.indexOf('\r') === -1 ? text : text.replace(/\r\n?/g, '\n');
  }

  /** What is still held back at the end of the input. */
  flush(): string {
    const out = this.pendingCR ? '\n' : '';
    this.pendingCR = false;
    return out;
  }
}

// States of the scanner, mirroring papaparse's rules: a quote opens a quoted value only at the
// start of a field; inside one, "" is a literal quote and a quote followed by optional spaces
// and a delimiter or line end closes it; any other quote is kept and the search goes on.
const FIELD_START = 0;
const UNQUOTED = 1;
const QUOTED = 2;
const QUOTE_IN_QUOTED = 3;
const SPACES_AFTER_QUOTE = 4;

/**
 * Accumulates normalised text (only \n line ends) and releases it in whole records. State is
 * kept between calls, so every character is scanned once however the input is chunked.
 */
export class RecordSplitter {
  private buf = '';
  private scanned = 0;
  private state = FIELD_START;
  private lastEnd = 0;
  private readonly delimiter: number;
  private readonly quote: number;

  constructor(delimiter: string, quoteChar: string) {
    if (delimiter.length !== 1 || quoteChar.length !== 1) throw new RangeError('delimiter and quote must be single characters');
    this.delimiter = delimiter.charCodeAt(0);
    this.quote = quoteChar.charCodeAt(0);
  }

  /** Characters held back because the record they belong to is not complete yet. */
  get pending(): number {
    return this.buf.length;
  }

  /** True while the held-back text ends inside a quoted value. */
  get inQuotes(): boolean {
    return this.state === QUOTED || this.state === QUOTE_IN_QUOTED || this.state === SPACES_AFTER_QUOTE;
  }

  /** Appends `text` and returns every complete record so far (ending in \n), possibly ''. */
  push(text: string): string {
    this.buf += text;
    const buf = this.buf;
    const delim = this.delimiter;
    const quote = this.quote;
    let state = this.state;
    let lastEnd = this.lastEnd;
    for (let i = this.scanned; i < buf.length; i++) {
      const c = buf.charCodeAt(i);
      switch (state) {
        case FIELD_START:
          if (c === quote) state = QUOTED;
          else if (c === 10) lastEnd = i + 1;
          else if (c !== delim) state = UNQUOTED;
          break;
        case UNQUOTED:
          if (c === delim) state = FIELD_START;
          else if (c === 10) {
            lastEnd = i + 1;
            state = FIELD_START;
          }
          break;
        case QUOTED:
          if (c === quote) state = QUOTE_IN_QUOTED;
          break;
        case QUOTE_IN_QUOTED:
        case SPACES_AFTER_QUOTE:
          if (c === delim) state = FIELD_START;
          else if (c === 10) {
            lastEnd = i + 1;
            state = FIELD_START;
          } else if (c === quote) state = state === QUOTE_IN_QUOTED ? QUOTED : QUOTE_IN_QUOTED;
          else if (c === 32 || c === 9) state = SPACES_AFTER_QUOTE;
          else state = QUOTED;
          break;
      }
    }
    const out = buf.slice(0, lastEnd);
    this.buf = buf.slice(lastEnd);
    this.scanned = this.buf.length;
    this.state = state;
    this.lastEnd = 0;
    return out;
  }

  /** Everything still held back (the last record, if the input did not end with a newline). */
  end(): string {
    const out = this.buf;
    this.buf = '';
    this.scanned = 0;
    this.state = FIELD_START;
    return out;
  }
}

/** Number of \n in `text` (fast path for the common case of none). */
export function countNewlines(text: string): number {
  let count = 0;
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) count++;
  return count;
}
