/**
 * Writing results: JSON with typed arrays as plain arrays and NaN/±Inf as null (JSON has no
 * NaN), written atomically (temp file in the same folder, then rename) so a crash or error never
 * leaves a half-written result behind.
 */
import { accessSync, constants, existsSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { DataError } from '../data/errors';

/** Row-major rows×cols values as an array of rows. */
export function nested(a: ArrayLike<number>, rows: number, cols: number): number[][] {
  const out: number[][] = [];
  for (let r = 0; r < rows; r++) {
    const row = new Array<number>(cols);
    for (let c = 0; c < cols; c++) row[c] = a[r * cols + c];
    out.push(row);
  }
  return out;
}

/** JSON.stringify with typed arrays → arrays and non-finite numbers → null. */
export function toJson(value: unknown, indent?: number): string {
  return JSON.stringify(
    value,
    (_key, v: unknown) => {
      if (typeof v === 'number' && !Number.isFinite(v)) return null;
      if (ArrayBuffer.isView(v) && !(v instanceof DataView)) return Array.from(v as unknown as ArrayLike<number>);
      return v;
    },
    indent,
  );
}

/** Fails early (before a long run) when `path` could not be written: no folder, or a folder in the way. */
export function checkWritable(path: string, flag: string): void {
  const dir = dirname(resolve(path));
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw new DataError(`${path}: the folder ${dir} does not exist. Create it first or give ${flag} another path.`, { file: path });
  }
  if (existsSync(path) && statSync(path).isDirectory()) {
    throw new DataError(`${path}: this is a folder. Give ${flag} a file name.`, { file: path });
  }
  try {
    accessSync(dir, constants.W_OK);
  } catch {
    throw new DataError(`${path}: the folder ${dir} is not writable. Give ${flag} a path you can write to.`, { file: path });
  }
}

/**
 * Writes all `files` or none: each goes to a temp file next to its target first, and only when
 * every temp file is complete are they renamed into place.
 */
export function writeFilesAtomically(files: { path: string; text: string }[]): void {
  const temps: { tmp: string; path: string }[] = [];
  try {
    for (const f of files) {
      const tmp = join(dirname(resolve(f.path)), `.${basename(f.path)}.tmp-${process.pid}`);
      temps.push({ tmp, path: f.path });
      writeFileSync(tmp, f.text);
    }
    for (const t of temps) renameSync(t.tmp, t.path);
  } catch (e) {
    for (const t of temps) if (existsSync(t.tmp)) unlinkSync(t.tmp);
    throw e;
  }
}
