/**
 * Image pixels → feature rows, as pure functions over RGBA byte arrays so they run (and are
 * tested) in Node; the browser part only decodes files into RGBA (app/ingest/images.ts).
 * Images of any size become size×size by area averaging (the exact box filter: every source
 * pixel contributes in proportion to the area it covers, so downscaling does not alias the way
 * nearest-neighbour or bilinear sampling of a large photo does).
 */
import type { Dataset } from '../solver/types';

/** Decoded pixels: width×height×4 bytes, RGBA, not premultiplied. */
export interface RgbaImage {
  width: number;
  height: number;
  data: Uint8Array | Uint8ClampedArray;
}

/** How images become features. */
export interface ImageFeatureOptions {
  /** Output side in pixels (e.g. 28 or 32). */
  size: number;
  /** 1 = greyscale (luma), 3 = RGB. */
  channels: 1 | 3;
  /** 'stretch' (default, as Keras) scales each axis to `size`; 'crop' takes the centred square first. */
  fit?: 'stretch' | 'crop';
  /** Grey level (0–255) behind transparent pixels (default 255: they look as on a white page). */
  background?: number;
}

/** A source rectangle (pixels, may be fractional-free integers). */
export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** The centred largest square of a width×height image. */
export function centerSquare(width: number, height: number): Rect {
  const s = Math.min(width, height);
  return { x: Math.floor((width - s) / 2), y: Math.floor((height - s) / 2), width: s, height: s };
}

/**
 * Area-averaging weights of one axis: output pixel o covers source [o·s, (o+1)·s) with
 * s = inLen/outLen; each covered source pixel gets the length of its overlap / s.
 */
function axisWeights(inLen: number, outLen: number): { start: Int32Array; weights: Float64Array[] } {
  const scale = inLen / outLen;
  const start = new Int32Array(outLen);
  const weights: Float64Array[] = [];
  for (let o = 0; o < outLen; o++) {
    const a = o * scale;
    const b = (o + 1) * scale;
    const i0 = Math.floor(a);
    const i1 = Math.min(inLen, Math.ceil(b - 1e-9));
    const w = new Float64Array(Math.max(1, i1 - i0));
    for (let i = i0; i < i0 + w.length; i++) w[i - i0] = (Math.min(b, i + 1) - Math.max(a, i)) / scale;
    start[o] = i0;
    weights.push(w);
  }
  return { start, weights };
}

/**
 * Fills `out` with row y of a source image: `channels` values per pixel, the whole width.
 * Lets {@link resizeArea} read one source row at a time, so a 12-megapixel photo never exists
 * as a float copy.
 */
export type RowReader = (y: number, out: Float64Array) => void;

/**
 * Resizes the `rect` of a `srcWidth`-wide image (read row by row through `readRow`,
 * `channels` interleaved values per pixel) to outW×outH by area averaging. Separable: a
 * horizontal pass per source row, then a vertical pass.
 */
export function resizeArea(readRow: RowReader, srcWidth: number, channels: number, rect: Rect, outW: number, outH: number): Float64Array {
  if (!(outW >= 1 && outH >= 1 && rect.width >= 1 && rect.height >= 1)) throw new RangeError('image and output sizes must be at least 1 pixel');
  if (rect.x < 0 || rect.x + rect.width > srcWidth) throw new RangeError('rect outside the image');
  const xs = axisWeights(rect.width, outW);
  const ys = axisWeights(rect.height, outH);
  const row = new Float64Array(srcWidth * channels);
  const tmp = new Float64Array(rect.height * outW * channels);
  for (let y = 0; y < rect.height; y++) {
    readRow(rect.y + y, row);
    for (let o = 0; o < outW; o++) {
      const w = xs.weights[o];
      const x0 = rect.x + xs.start[o];
      for (let c = 0; c < channels; c++) {
        let acc = 0;
        for (let k = 0; k < w.length; k++) acc += w[k] * row[(x0 + k) * channels + c];
        tmp[(y * outW + o) * channels + c] = acc;
      }
    }
  }
  const out = new Float64Array(outH * outW * channels);
  for (let o = 0; o < outH; o++) {
    const w = ys.weights[o];
    const y0 = ys.start[o];
    for (let x = 0; x < outW; x++) {
      for (let c = 0; c < channels; c++) {
        let acc = 0;
        for (let k = 0; k < w.length; k++) acc += w[k] * tmp[((y0 + k) * outW + x) * channels + c];
        out[(o * outW + x) * channels + c] = acc;
      }
    }
  }
  return out;
}

/** A {@link RowReader} over a planar array (width·channels values per row). */
export function planarRows(src: ArrayLike<number>, width: number, channels: number): RowReader {
  return (y, out) => {
    const base = y * width * channels;
    for (let i = 0; i < width * channels; i++) out[i] = src[base + i];
  };
}

/**
 * A {@link RowReader} of composited colour (3) or luma (1) values in 0–255. Transparent pixels
 * are blended over `background` first, so a transparent edge does not bleed its (arbitrary)
 * colour into the average.
 */
export function rgbaRows(img: RgbaImage, channels: 1 | 3, background = 255): RowReader {
  const { width, height, data } = img;
  if (data.length < width * height * 4) throw new RangeError(`image data has ${data.length} bytes, expected ${width * height * 4}`);
  return (y, out) => {
    for (let x = 0; x < width; x++) {
      const p = (y * width + x) * 4;
      const a = data[p + 3] / 255;
      const bg = (1 - a) * background;
      const r = data[p] * a + bg;
      const g = data[p + 1] * a + bg;
      const b = data[p + 2] * a + bg;
      if (channels === 3) {
        out[x * 3] = r;
        out[x * 3 + 1] = g;
        out[x * 3 + 2] = b;
      } else {
        // ITU-R BT.601 luma, what most greyscale conversions (PIL "L", OpenCV) use.
        out[x] = 0.299 * r + 0.587 * g + 0.114 * b;
      }
    }
  };
}

/** One image → a feature row of size·size·channels values in [0, 1] (row-major, channels last). */
export function imageToFeatures(img: RgbaImage, opts: ImageFeatureOptions): Float64Array {
  if (!(img.width >= 1 && img.height >= 1)) throw new RangeError(`image is ${img.width}×${img.height}`);
  const rows = rgbaRows(img, opts.channels, opts.background ?? 255);
  const rect = opts.fit === 'crop' ? centerSquare(img.width, img.height) : { x: 0, y: 0, width: img.width, height: img.height };
  const out = resizeArea(rows, img.width, opts.channels, rect, opts.size, opts.size);
  for (let i = 0; i < out.length; i++) out[i] = Math.min(1, Math.max(0, out[i] / 255));
  return out;
}

/** A feature row back to RGBA bytes (size×size, opaque) for a montage tile or a canvas. */
export function featuresToRgba(features: ArrayLike<number>, size: number, channels: 1 | 3): Uint8ClampedArray {
  const out = new Uint8ClampedArray(size * size * 4);
  for (let i = 0; i < size * size; i++) {
    for (let c = 0; c < 3; c++) out[i * 4 + c] = Math.round(255 * features[channels === 3 ? i * 3 + c : i]);
    out[i * 4 + 3] = 255;
  }
  return out;
}

/** Names of the features of a size×size×channels image: `px_r_c` or `px_r_c_ch`. */
export function pixelFeatureNames(size: number, channels: 1 | 3): string[] {
  const names: string[] = [];
  const ch = ['r', 'g', 'b'];
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      if (channels === 1) names.push(`px_${y}_${x}`);
      else for (let c = 0; c < 3; c++) names.push(`px_${y}_${x}_${ch[c]}`);
    }
  }
  return names;
}

/** Rows of the first `perClass` images of every class, class by class (for the montage). */
export function montageRows(labels: ArrayLike<number>, numClasses: number, perClass: number): number[][] {
  const rows: number[][] = Array.from({ length: numClasses }, () => []);
  for (let i = 0; i < labels.length; i++) if (rows[labels[i]].length < perClass) rows[labels[i]].push(i);
  return rows;
}

/** Collects feature rows one image at a time into a growable X of bounded size. */
export class ImageRowsBuilder {
  private X: Float64Array;
  private labels: Int32Array;
  private count = 0;
  readonly d: number;

  constructor(
    private readonly opts: ImageFeatureOptions,
    private readonly capacity: number,
  ) {
    this.d = opts.size * opts.size * opts.channels;
    const first = Math.max(1, Math.min(capacity, 256));
    this.X = new Float64Array(first * this.d);
    this.labels = new Int32Array(first);
  }

  /** Images added so far. */
  get n(): number {
    return this.count;
  }

  /** Appends one feature row (from {@link imageToFeatures}). */
  add(features: Float64Array, label: number): void {
    if (features.length !== this.d) throw new RangeError(`feature row has ${features.length} values, expected ${this.d}`);
    if (this.count >= this.capacity) throw new RangeError('image capacity reached');
    if (this.count === this.labels.length) {
      const next = Math.min(this.capacity, this.labels.length * 2);
      const X = new Float64Array(next * this.d);
      X.set(this.X);
      const labels = new Int32Array(next);
      labels.set(this.labels);
      this.X = X;
      this.labels = labels;
    }
    this.X.set(features, this.count * this.d);
    this.labels[this.count++] = label;
  }

  /** The rows so far as a (not yet standardised) Dataset. */
  build(classNames: string[]): Dataset {
    const n = this.count;
    return {
      X: this.X.slice(0, n * this.d),
      n,
      d: this.d,
      labels: this.labels.slice(0, n),
      classNames: classNames.slice(),
      featureNames: pixelFeatureNames(this.opts.size, this.opts.channels),
    };
  }
}
