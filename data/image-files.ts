/**
 * Which files of a dropped folder or .zip are images, and which class each belongs to: the
 * folder-per-class layout of Keras' image_dataset_from_directory and torchvision's ImageFolder
 * (`<class>/<image>`), with one wrapper folder tolerated, optional train/test levels, and the
 * clutter of zips made on macOS or Windows skipped silently.
 */
import { DataError } from './errors';
import { plural, quoteList } from './format';

/** Image formats browsers decode with createImageBitmap everywhere. */
export type ImageFormat = 'png' | 'jpeg' | 'gif' | 'bmp' | 'webp';

/** MIME type per format (createImageBitmap needs a typed Blob in some browsers). */
export const IMAGE_MIME: Record<ImageFormat, string> = {
  png: 'image/png',
  jpeg: 'image/jpeg',
  gif: 'image/gif',
  bmp: 'image/bmp',
  webp: 'image/webp',
};

const EXTENSIONS: Record<string, ImageFormat> = { png: 'png', jpg: 'jpeg', jpeg: 'jpeg', jfif: 'jpeg', gif: 'gif', bmp: 'bmp', webp: 'webp' };
/** Image formats people drop that browsers cannot decode, named in the skip reason. */
const UNSUPPORTED = new Set(['heic', 'heif', 'tif', 'tiff', 'svg', 'avif', 'raw', 'cr2', 'nef', 'psd', 'ico']);
/** Files that operating systems leave in folders. */
const CLUTTER = new Set(['thumbs.db', 'desktop.ini', '.ds_store']);

/** The format the extension promises, or null. */
export function formatFromName(path: string): ImageFormat | null {
  const ext = extension(path);
  return EXTENSIONS[ext] ?? null;
}

/** The format the first bytes (magic number) show, or null when they are no supported image. */
export function sniffImage(bytes: Uint8Array): ImageFormat | null {
  const b = bytes;
  if (b.length >= 8 && b[0] === 0x89 && b[1] === 0x50 && b[2] === 0x4e && b[3] === 0x47 && b[4] === 0x0d && b[5] === 0x0a && b[6] === 0x1a && b[7] === 0x0a) {
    return 'png';
  }
  if (b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return 'jpeg';
  if (b.length >= 6 && b[0] === 0x47 && b[1] === 0x49 && b[2] === 0x46 && b[3] === 0x38 && (b[4] === 0x37 || b[4] === 0x39) && b[5] === 0x61) return 'gif';
  if (b.length >= 14 && b[0] === 0x42 && b[1] === 0x4d) return 'bmp';
  if (b.length >= 12 && b[0] === 0x52 && b[1] === 0x49 && b[2] === 0x46 && b[3] === 0x46 && b[8] === 0x57 && b[9] === 0x45 && b[10] === 0x42 && b[11] === 0x50) {
    return 'webp';
  }
  return null;
}

/** A path that is skipped without a word (OS clutter, hidden files, __MACOSX resource forks). */
export function isClutter(path: string): boolean {
  return path.split('/').some((seg) => seg === '__MACOSX' || (seg.startsWith('.') && seg.length > 1) || CLUTTER.has(seg.toLowerCase()));
}

/** A file that was not used, and why (shown in the skipped-files list). */
export interface SkippedFile {
  path: string;
  reason: string;
}

/** One image file and its class. */
export interface ImageItem {
  path: string;
  /** Class index into {@link ImageLayout.classNames}. */
  label: number;
  /** From a train/ or test/ (val/) level, when the folder has one. */
  split: 'train' | 'test' | null;
  format: ImageFormat;
}

/** The classes and images found in a list of paths. */
export interface ImageLayout {
  classNames: string[];
  items: ImageItem[];
  /** Non-image files and images outside any class folder (clutter is left out). */
  skipped: SkippedFile[];
  /** A single top folder that was stripped (e.g. "dataset/"), or null. */
  wrapper: string | null;
  /** The folder had train/ and test/ levels, used as the split. */
  hasSplit: boolean;
}

const SPLIT_NAMES: Record<string, 'train' | 'test'> = { train: 'train', training: 'train', test: 'test', testing: 'test', val: 'test', valid: 'test', validation: 'test' };

/**
 * Classes from folder names: `<class>/<image>`, after stripping one common top folder (a dropped
 * folder's own name, or a zip's wrapper); `train/<class>/…` and `test/<class>/…` (or val/) become
 * the split. Classes are sorted by code unit (as Keras, alphanumerically; the same everywhere).
 * Throws a DataError naming `source` when there are no images or only one class.
 */
export function layoutImageFolder(paths: string[], source: string): ImageLayout {
  const skipped: SkippedFile[] = [];
  const images: { segs: string[]; format: ImageFormat; path: string }[] = [];
  for (const raw of paths) {
    const path = raw.replace(/\\/g, '/').replace(/^\/+/, '');
    if (path === '' || path.endsWith('/') || isClutter(path)) continue;
    const format = formatFromName(path);
    if (format === null) {
      const ext = extension(path);
      skipped.push({
        path,
        reason: UNSUPPORTED.has(ext) ? `.${ext} images cannot be decoded by browsers; convert to PNG or JPEG` : `not an image (${ext ? `.${ext}` : 'no extension'})`,
      });
      continue;
    }
    images.push({ segs: path.split('/'), format, path });
  }
  let wrapper: string | null = null;
  const stripped: string[] = [];
  // Strip common top folders (the dropped folder's own name, a zip's wrapper) while some image
  // still sits two levels below; images left outside any class folder are reported below.
  while (images.length > 0 && images.every((im) => im.segs.length >= 2 && im.segs[0] === images[0].segs[0]) && images.some((im) => im.segs.length >= 3)) {
    const top = images[0].segs[0];
    if (SPLIT_NAMES[top.toLowerCase()] !== undefined) break;
    stripped.push(top);
    for (const im of images) im.segs = im.segs.slice(1);
  }
  if (stripped.length > 0) wrapper = `${stripped.join('/')}/`;
  const hasSplit =
    images.length > 0 &&
    images.every((im) => im.segs.length >= 3 && SPLIT_NAMES[im.segs[0].toLowerCase()] !== undefined) &&
    images.some((im) => SPLIT_NAMES[im.segs[0].toLowerCase()] === 'train');
  const placed: { path: string; className: string; split: 'train' | 'test' | null; format: ImageFormat }[] = [];
  for (const im of images) {
    const segs = hasSplit ? im.segs.slice(1) : im.segs;
    if (segs.length < 2) {
      skipped.push({ path: im.path, reason: 'not inside a class folder (put each image in a folder named after its class)' });
      continue;
    }
    placed.push({ path: im.path, className: segs[0], split: hasSplit ? (SPLIT_NAMES[im.segs[0].toLowerCase()] ?? null) : null, format: im.format });
  }
  const classNames = [...new Set(placed.map((p) => p.className))].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  if (placed.length === 0) {
    const found = skipped.length > 0 ? ` (${plural(skipped.length, 'file')} skipped, e.g. ${quoteList(skipped.map((s) => s.path), 3)})` : '';
    throw new DataError(
      `${source}: no images in class folders were found${found}. Arrange the images as <class>/<image>.png (PNG, JPEG, GIF, BMP or WebP), one folder per class.`,
      { file: source },
    );
  }
  if (classNames.length < 2) {
    throw new DataError(
      `${source}: all images are in one class folder, "${classNames[0]}"; classification needs at least 2 classes. Add a folder per class next to it.`,
      { file: source, entry: classNames[0] },
    );
  }
  const index = new Map(classNames.map((c, i) => [c, i]));
  const items = placed.map((p) => ({ path: p.path, label: index.get(p.className) ?? 0, split: p.split, format: p.format }));
  return { classNames, items, skipped, wrapper, hasSplit };
}

/** Lower-case extension without the dot ('' when none). */
function extension(path: string): string {
  const base = path.slice(path.lastIndexOf('/') + 1);
  const dot = base.lastIndexOf('.');
  return dot > 0 ? base.slice(dot + 1).toLowerCase() : '';
}
