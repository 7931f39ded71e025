/**
 * Session files dropped or picked anywhere on the page. Any drop handler (the "Your data" drop
 * zone of issue 4, or the page-wide fallback of wire-hooks.ts) asks {@link isSessionFile} first
 * and hands session files to {@link requestSessionImport} instead of reading them as data; the
 * page's session importer listens for {@link SESSION_FILE_EVENT}. A handler that does so should
 * call `preventDefault()` on the drop, which tells the page-wide fallback it was handled.
 */

/** Name of the window event that carries a session file to the importer. */
export const SESSION_FILE_EVENT = 'cronos:session-file';

/** File-name endings of session files (wire-files.ts writes `.cronos.json.gz`). */
const SESSION_SUFFIXES = ['.cronos.json', '.cronos.json.gz', '.cronos.gz'];

/** Whether `file` is a CRONOS Playground session file, judged by its name (its content is validated on import). */
export function isSessionFile(file: Pick<File, 'name'>): boolean {
  const name = file.name.toLowerCase();
  return SESSION_SUFFIXES.some((s) => name.endsWith(s));
}

/** Hands `file` to the page's session importer (a no-op until the page listens). */
export function requestSessionImport(file: File, target: EventTarget = window): void {
  target.dispatchEvent(new CustomEvent<File>(SESSION_FILE_EVENT, { detail: file }));
}

/** The first session file among `files`, if any. */
export function firstSessionFile(files: FileList | readonly File[] | null | undefined): File | null {
  if (!files) return null;
  for (const f of Array.from(files)) if (isSessionFile(f)) return f;
  return null;
}
