/**
 * Files out of a drop. A folder dropped on the page arrives as one DataTransfer item whose
 * File has no webkitRelativePath, so the folder is walked through webkitGetAsEntry() and every
 * file keeps its path inside the drop (the class folders are in those paths).
 */

/** Dropped files with their paths ("cats/1.png"; just the name for a loose file). */
export interface DroppedFiles {
  files: File[];
  paths: string[];
}

/** Most files taken from one dropped folder (a runaway home-folder drop must not hang the page). */
export const MAX_DROPPED_FILES = 100_000;

/**
 * Collects the files of a drop. Must be called inside the drop handler: the entries are taken
 * synchronously (the DataTransfer is emptied once the event returns), then walked.
 */
export function filesFromDrop(dt: DataTransfer): Promise<DroppedFiles> {
  const entries: FileSystemEntry[] = [];
  for (const item of Array.from(dt.items)) {
    if (item.kind !== 'file') continue;
    const entry = typeof item.webkitGetAsEntry === 'function' ? item.webkitGetAsEntry() : null;
    if (entry) entries.push(entry);
  }
  const loose = Array.from(dt.files);
  // Without folder entries (or without entry support) the plain file list is all there is.
  if (!entries.some((e) => e.isDirectory)) return Promise.resolve({ files: loose, paths: loose.map((f) => f.name) });
  return walkEntries(entries);
}

/** Every file below the entries, depth first, with its path relative to the drop. */
export async function walkEntries(entries: FileSystemEntry[]): Promise<DroppedFiles> {
  const out: DroppedFiles = { files: [], paths: [] };
  const visit = async (entry: FileSystemEntry): Promise<void> => {
    if (out.files.length >= MAX_DROPPED_FILES) return;
    if (entry.isFile) {
      const file = await new Promise<File>((ok, fail) => (entry as FileSystemFileEntry).file(ok, fail));
      out.files.push(file);
      out.paths.push(entry.fullPath.replace(/^\/+/, ''));
      return;
    }
    if (!entry.isDirectory) return;
    const reader = (entry as FileSystemDirectoryEntry).createReader();
    // readEntries answers in batches (about 100 in Chromium) until it returns an empty one.
    for (;;) {
      const batch = await new Promise<FileSystemEntry[]>((ok, fail) => reader.readEntries(ok, fail));
      if (batch.length === 0) break;
      for (const e of batch) await visit(e);
    }
  };
  for (const e of entries) await visit(e);
  return out;
}

/** The files of an <input type="file">, with their paths inside a picked folder (webkitRelativePath). */
export function filesFromInput(list: FileList | null): DroppedFiles {
  const files = list ? Array.from(list) : [];
  return { files, paths: files.map((f) => f.webkitRelativePath || f.name) };
}

/** True when a drag carries files (not text or a link dragged within the page). */
export function dragHasFiles(dt: DataTransfer | null): boolean {
  return dt !== null && Array.from(dt.types).includes('Files');
}
