/**
 * Image datasets for the data Worker: a dropped folder (Files with webkitRelativePath) or a
 * .zip with one sub-folder per class → a standardised classification dataset, the skipped
 * files with reasons, and a montage. Decoding is the only browser-specific step
 * ({@link decodeInBrowser}: createImageBitmap + OffscreenCanvas); it is passed in, so the whole
 * pipeline runs in Node tests with another decoder.
 */
import { classBalance, type ClassBalance } from '../../data/balance';
import { DataError, type Notice } from '../../data/errors';
import { formatCount, plural, quoteList } from '../../data/format';
import { IMAGE_MIME, layoutImageFolder, sniffImage, type ImageItem, type SkippedFile } from '../../data/image-files';
import { featuresToRgba, imageToFeatures, ImageRowsBuilder, type ImageFeatureOptions, type RgbaImage } from '../../data/images';
import { standardizationReport, standardize, stratifiedSplit, subsetRows, type StandardizationReport } from '../../data/preprocess';
import { formatBytes } from '../../data/size';
import { subsampleIndex } from '../../data/subsample';
import type { ClassificationDataset } from '../../data/tabular';
import { ArchiveLimitError, DEFAULT_ZIP_LIMITS, openZip, type ZipLimits } from '../../data/zip';

/** One file of the dropped folder or archive, read on demand. */
export interface ImageFileEntry {
  path: string;
  read(): Promise<Uint8Array<ArrayBuffer>>;
}

/** Turns image bytes into RGBA pixels; rejects when the bytes are not a decodable image. */
export type DecodeImage = (bytes: Uint8Array<ArrayBuffer>, mime: string) => Promise<RgbaImage>;

/** What was dropped. */
export type ImageSource =
  /**
   * Files of a folder. `paths[i]` is file i's path inside the dropped folder: a folder picked
   * with <input webkitdirectory> has it in webkitRelativePath, but a folder dropped on the page
   * does not (walk DataTransferItem.webkitGetAsEntry() and pass the entries' fullPath).
   */
  | { kind: 'files'; files: ArrayLike<File>; paths?: string[]; name?: string }
  | { kind: 'zip'; file: Blob; name?: string };

/** Options of {@link loadImageDataset}: the feature options plus caps, split and montage. */
export interface ImageLoadOptions extends ImageFeatureOptions {
  /** Fraction of images held out when the folder has no train/test levels (default 0.2; 0 = none). */
  testFraction?: number;
  /** Seed of the split and of any subsample (default 0). */
  seed?: number;
  /** Most images decoded (default 20,000); above, a stratified seeded subset is decoded. */
  maxImages?: number;
  /** Most feature values kept, images × size² × channels (default 16,000,000). */
  maxCells?: number;
  /** Caps of the zip reader (defaults: DEFAULT_ZIP_LIMITS) plus the largest .zip read into memory. */
  zip?: Partial<ZipLimits> & { maxZipBytes?: number };
  /** Montage images per class (default 6). */
  montagePerClass?: number;
  /** Called after every image. */
  onProgress?: (p: { done: number; total: number; skipped: number }) => void;
  signal?: AbortSignal;
}

/** A few images of one class as opaque RGBA tiles (size×size) for the montage. */
export interface MontageClass {
  className: string;
  size: number;
  tiles: Uint8ClampedArray[];
}

/** Result of {@link loadImageDataset}. */
export interface ImageLoadResult {
  train: ClassificationDataset;
  test: ClassificationDataset | null;
  classNames: string[];
  skipped: SkippedFile[];
  montage: MontageClass[];
  balance: ClassBalance;
  standardization: StandardizationReport;
  /** 'subsampled' when more images were found than the caps allow. */
  status: 'complete' | 'subsampled';
  /** Distinct original image sizes ("64×48"), with counts. */
  sizes: { size: string; count: number }[];
  notices: Notice[];
}

/** Every dropped File, keyed by `paths[i]`, else its path in a picked folder (webkitRelativePath), else its name. */
export function entriesFromFiles(files: ArrayLike<File>, paths?: string[]): ImageFileEntry[] {
  return Array.from(files, (f, i) => ({
    path: paths?.[i] || f.webkitRelativePath || f.name,
    read: async () => new Uint8Array(await f.arrayBuffer()),
  }));
}

/** The entries of a .zip (read into memory once; entries inflate on demand under the caps). */
export async function entriesFromZip(file: Blob, name: string, limits: Partial<ZipLimits> & { maxZipBytes?: number } = {}): Promise<ImageFileEntry[]> {
  const maxZip = limits.maxZipBytes ?? 512 * 1024 * 1024;
  if (file.size > maxZip) {
    throw new ArchiveLimitError(`${name}: the .zip is ${formatBytes(file.size)}, more than the ${formatBytes(maxZip)} this page reads. Use fewer or smaller images.`, {
      file: name,
    });
  }
  const archive = openZip(new Uint8Array(await file.arrayBuffer()), name, { ...DEFAULT_ZIP_LIMITS, ...limits });
  return archive.entries
    .filter((e) => !e.isDirectory)
    .map((e) => ({ path: e.name, read: async () => archive.read(e) as Uint8Array<ArrayBuffer> }));
}

/** True when a single dropped file is a .zip (by name or by its PK signature). */
export async function isZipFile(file: Blob & { name?: string }): Promise<boolean> {
  if (file.name && /\.zip$/i.test(file.name)) return true;
  const head = new Uint8Array(await file.slice(0, 4).arrayBuffer());
  return head[0] === 0x50 && head[1] === 0x4b && head[2] === 0x03 && head[3] === 0x04;
}

/**
 * Decodes with createImageBitmap and reads the pixels through an OffscreenCanvas (in a Worker).
 * Pixels are taken as stored (no premultiplication or colour-space conversion); images above
 * `maxPixels` are refused before the canvas allocates width×height×4 bytes.
 */
export function decodeInBrowser(maxPixels = 50_000_000): DecodeImage {
  return async (bytes, mime) => {
    const bitmap = await createImageBitmap(new Blob([bytes], { type: mime }), { premultiplyAlpha: 'none', colorSpaceConversion: 'none' });
    try {
      if (bitmap.width * bitmap.height > maxPixels) throw new Error(`${bitmap.width}×${bitmap.height} pixels is too large`);
      const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
      const ctx = canvas.getContext('2d', { willReadFrequently: true });
      if (ctx === null) throw new Error('no 2D canvas in this Worker');
      ctx.drawImage(bitmap, 0, 0);
      const img = ctx.getImageData(0, 0, bitmap.width, bitmap.height);
      return { width: img.width, height: img.height, data: img.data };
    } finally {
      bitmap.close();
    }
  };
}

/**
 * Folder or zip → standardised train/test datasets (fitted on train), skipped files, montage.
 * Non-images, undecodable images (reported by name) and clutter are skipped; a zip past its
 * caps is refused with an {@link ArchiveLimitError}; no images or one class is a DataError.
 */
export async function loadImageDataset(source: ImageSource, opts: ImageLoadOptions, decode: DecodeImage = decodeInBrowser()): Promise<ImageLoadResult> {
  const name = source.name ?? (source.kind === 'zip' ? ((source.file as Blob & { name?: string }).name ?? 'images.zip') : firstFolder(source.files, source.paths));
  const entries = source.kind === 'zip' ? await entriesFromZip(source.file, name, opts.zip) : entriesFromFiles(source.files, source.paths);
  const byPath = new Map(entries.map((e) => [e.path.replace(/\\/g, '/').replace(/^\/+/, ''), e]));
  const layout = layoutImageFolder([...byPath.keys()], name);
  const notices: Notice[] = [];
  const skipped: SkippedFile[] = layout.skipped.slice();
  const d = opts.size * opts.size * opts.channels;
  const cap = Math.max(1, Math.min(opts.maxImages ?? 20_000, Math.floor((opts.maxCells ?? 16_000_000) / d)));
  let items: ImageItem[] = layout.items;
  let status: ImageLoadResult['status'] = 'complete';
  if (items.length > cap) {
    const keep = subsampleIndex({ labels: Int32Array.from(items, (it) => it.label), count: layout.classNames.length }, cap, opts.seed ?? 0);
    const found = items.length;
    items = Array.from(keep, (i) => items[i]);
    status = 'subsampled';
    notices.push({
      level: 'warning',
      file: name,
      message:
        `${name}: found ${formatCount(found)} images, more than the ${formatCount(cap)} this page keeps at ${opts.size}×${opts.size}×${opts.channels}; ` +
        `using a random ${formatCount(cap)} with the same share of each class (seed ${opts.seed ?? 0}). Choose a smaller image size to keep more.`,
    });
  }

  const builder = new ImageRowsBuilder(opts, items.length);
  const used: ImageItem[] = [];
  const sizes = new Map<string, number>();
  const perClass = opts.montagePerClass ?? 6;
  const montage: MontageClass[] = layout.classNames.map((className) => ({ className, size: opts.size, tiles: [] }));
  for (let i = 0; i < items.length; i++) {
    if (opts.signal?.aborted) throw opts.signal.reason ?? new Error('aborted');
    const item = items[i];
    const entry = byPath.get(item.path);
    const row = entry ? await imageRow(entry, item, opts, decode, sizes) : 'the file could not be read again';
    if (typeof row === 'string') skipped.push({ path: item.path, reason: row });
    else {
      builder.add(row, item.label);
      used.push(item);
      const tiles = montage[item.label].tiles;
      if (tiles.length < perClass) tiles.push(featuresToRgba(row, opts.size, opts.channels));
    }
    opts.onProgress?.({ done: i + 1, total: items.length, skipped: skipped.length });
  }
  if (builder.n === 0) {
    throw new DataError(
      `${name}: none of the ${plural(items.length, 'image')} could be read (e.g. ${quoteList(skipped.map((s) => `${s.path}: ${s.reason}`), 2, 120)}). ` +
        'Check that the files are PNG, JPEG, GIF, BMP or WebP images.',
      { file: name },
    );
  }
  const decoded = builder.build(layout.classNames);
  const { dataset: raw, dropped } = dropEmptyClasses(decoded);
  if (dropped.length > 0) {
    notices.push({ level: 'warning', file: name, message: `${name}: no image of ${plural(dropped.length, 'class', 'classes')} ${quoteList(dropped)} could be read, so ${dropped.length === 1 ? 'it was' : 'they were'} left out.` });
  }
  if (raw.classNames.length < 2) {
    throw new DataError(
      `${name}: images of only one class ("${raw.classNames[0]}") could be read; classification needs at least 2. Check the skipped files of the other classes.`,
      { file: name },
    );
  }
  if (sizes.size > 1) {
    const list = [...sizes.entries()].sort((a, b) => b[1] - a[1]);
    notices.push({
      level: 'info',
      file: name,
      message: `${name}: the images have ${sizes.size} different sizes (${list.slice(0, 4).map(([s, c]) => `${s}: ${c}`).join(', ')}${list.length > 4 ? ', ...' : ''}); all were resized to ${opts.size}×${opts.size}.`,
    });
  }
  if (skipped.length > 0) {
    notices.push({ level: 'warning', file: name, message: `${name}: ${plural(skipped.length, 'file')} skipped, e.g. ${quoteList(skipped.map((s) => `${s.path} (${s.reason})`), 3, 120)}.` });
  }

  // Split: the folder's own train/test levels, else a seeded stratified hold-out.
  let trainRaw = raw;
  let testRaw: typeof raw | undefined;
  const testFraction = opts.testFraction ?? 0.2;
  if (layout.hasSplit) {
    const isTest = used.map((it) => it.split === 'test');
    trainRaw = subsetRows(raw, indices(isTest, false));
    const t = indices(isTest, true);
    testRaw = t.length > 0 ? subsetRows(raw, t) : undefined;
  } else if (testFraction > 0) {
    const s = stratifiedSplit(raw, testFraction, opts.seed ?? 0);
    trainRaw = s.train;
    testRaw = s.test.n > 0 ? s.test : undefined;
  }
  const { train, test, stats } = standardize(trainRaw, testRaw);
  const wrap = (ds: typeof raw): ClassificationDataset => ({ ...ds, task: 'classification', fileName: name, labelColumn: 'folder' });
  const b = classBalance(raw.classNames, train.labels, test ? test.labels : null, name, 'folder');
  notices.push(...b.notices);
  return {
    train: wrap(train),
    test: test ? wrap(test) : null,
    classNames: raw.classNames.slice(),
    skipped,
    montage: montage.filter((m) => raw.classNames.includes(m.className)),
    balance: b.balance,
    standardization: standardizationReport(stats, raw.featureNames),
    status,
    sizes: [...sizes.entries()].map(([size, count]) => ({ size, count })),
    notices,
  };
}

/** Reads, checks and decodes one image: its feature row, or why it was skipped. */
async function imageRow(entry: ImageFileEntry, item: ImageItem, opts: ImageFeatureOptions, decode: DecodeImage, sizes: Map<string, number>): Promise<Float64Array | string> {
  let bytes: Uint8Array<ArrayBuffer>;
  try {
    bytes = await entry.read();
  } catch (e) {
    // A cap or a zip bomb refuses the whole archive; a damaged entry only skips the file.
    if (e instanceof ArchiveLimitError || !(e instanceof DataError)) throw e;
    return e.message.replace(/^[^:]*: entry "[^"]*" /, '');
  }
  const format = sniffImage(bytes);
  if (format === null) return `not a valid ${item.format.toUpperCase()} image (the contents do not match the .${item.path.split('.').pop() ?? ''} name)`;
  let img: RgbaImage;
  try {
    img = await decode(bytes, IMAGE_MIME[format]);
  } catch (e) {
    return `could not be decoded (${e instanceof Error ? e.message : String(e)}); the file may be damaged`;
  }
  if (!(img.width >= 1 && img.height >= 1)) return 'the image is empty (0 pixels)';
  const key = `${img.width}×${img.height}`;
  sizes.set(key, (sizes.get(key) ?? 0) + 1);
  return imageToFeatures(img, opts);
}

/** Removes classes without rows (all their images failed) and renumbers the rest. */
function dropEmptyClasses<T extends { labels: Int32Array; classNames: string[] }>(ds: T): { dataset: T; dropped: string[] } {
  const counts = new Array<number>(ds.classNames.length).fill(0);
  for (const l of ds.labels) counts[l]++;
  const dropped = ds.classNames.filter((_, c) => counts[c] === 0);
  if (dropped.length === 0) return { dataset: ds, dropped };
  const remap = new Int32Array(ds.classNames.length).fill(-1);
  const names: string[] = [];
  ds.classNames.forEach((c, i) => {
    if (counts[i] > 0) {
      remap[i] = names.length;
      names.push(c);
    }
  });
  return { dataset: { ...ds, labels: ds.labels.map((l) => remap[l]), classNames: names }, dropped };
}

function indices(flags: boolean[], want: boolean): Int32Array {
  const out: number[] = [];
  flags.forEach((f, i) => {
    if (f === want) out.push(i);
  });
  return Int32Array.from(out);
}

/** The dropped folder's name (the first segment of the first relative path). */
function firstFolder(files: ArrayLike<File>, paths?: string[]): string {
  const first = (paths?.[0] ?? '').replace(/^\/+/, '') || (files.length > 0 ? files[0].webkitRelativePath || files[0].name : '');
  return first.includes('/') ? first.slice(0, first.indexOf('/')) : 'images';
}
