/** Image datasets: area-averaging resize, colour handling, folder layout, and the whole folder/zip pipeline. */
import { strToU8, zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { loadImageDataset, type ImageLoadOptions } from '../../app/ingest/images';
import { isClutter, layoutImageFolder, sniffImage } from '../../data/image-files';
import { centerSquare, featuresToRgba, imageToFeatures, montageRows, planarRows, resizeArea } from '../../data/images';
import { ArchiveLimitError } from '../../data/zip';
import { asyncDataError, dataError, decodeTestPng, encodePng, makeImage } from '../support/ingest-helpers';

const grey = (v: number) => makeImage(1, 1, () => [v, v, v, 255]);
const resizeGrey = (src: number[], w: number, h: number, ow: number, oh: number) =>
  Array.from(resizeArea(planarRows(src, w, 1), w, 1, { x: 0, y: 0, width: w, height: h }, ow, oh));

describe('area-averaging resize', () => {
  it('averages whole blocks exactly when downscaling by an integer', () => {
    const src = [0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30];
    expect(resizeGrey(src, 4, 4, 2, 2)).toEqual([5, 9, 21, 25]);
  });

  it('weights partial pixels by covered area and keeps the mean', () => {
    const src = [0, 9, 0, 9, 0, 9, 0, 9, 0];
    const out = resizeGrey(src, 3, 3, 2, 2);
    // Output (0,0) covers source [0,1.5)²: weights 1, .5 / .5, .25 → (0 + 4.5 + 4.5 + 0)/2.25.
    expect(out[0]).toBeCloseTo(9 / 2.25, 12);
    expect(out.reduce((a, b) => a + b, 0) / 4).toBeCloseTo(src.reduce((a, b) => a + b, 0) / 9, 12);
  });

  it('replicates pixels when upscaling and keeps constant images constant', () => {
    expect(resizeGrey([1, 2, 3, 4], 2, 2, 4, 4)).toEqual([1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4]);
    expect(resizeGrey(new Array<number>(35).fill(7), 7, 5, 3, 4).every((v) => Math.abs(v - 7) < 1e-12)).toBe(true);
  });

  it('composites alpha over the background, converts to luma, crops or stretches', () => {
    const red = makeImage(2, 2, () => [255, 0, 0, 255]);
    expect(Array.from(imageToFeatures(red, { size: 1, channels: 1 }))[0]).toBeCloseTo(0.299, 12);
    expect(Array.from(imageToFeatures(red, { size: 1, channels: 3 }))).toEqual([1, 0, 0]);
    const clear = makeImage(2, 2, () => [0, 0, 0, 0]);
    expect(Array.from(imageToFeatures(clear, { size: 1, channels: 1 }))).toEqual([1]);
    expect(Array.from(imageToFeatures(clear, { size: 1, channels: 1, background: 0 }))).toEqual([0]);
    // 4×2: black, white, white, black. Stretch averages all; the centred square is all white.
    const bars = makeImage(4, 2, (x) => (x === 1 || x === 2 ? [255, 255, 255, 255] : [0, 0, 0, 255]));
    expect(centerSquare(4, 2)).toEqual({ x: 1, y: 0, width: 2, height: 2 });
    expect(Array.from(imageToFeatures(bars, { size: 1, channels: 1 }))[0]).toBeCloseTo(0.5, 12);
    expect(Array.from(imageToFeatures(bars, { size: 1, channels: 1, fit: 'crop' }))[0]).toBeCloseTo(1, 12);
  });

  it('mixed image sizes all become size×size×channels rows in [0, 1]', () => {
    for (const [w, h] of [
      [1, 1],
      [28, 28],
      [64, 48],
      [3, 100],
    ]) {
      const img = makeImage(w, h, (x, y) => [(x * 37) % 256, (y * 11) % 256, 128, 255]);
      const f = imageToFeatures(img, { size: 8, channels: 3 });
      expect(f.length).toBe(8 * 8 * 3);
      expect(f.every((v) => v >= 0 && v <= 1)).toBe(true);
    }
    const rgba = featuresToRgba(imageToFeatures(grey(51), { size: 2, channels: 1 }), 2, 1);
    expect(Array.from(rgba)).toEqual([51, 51, 51, 255, 51, 51, 51, 255, 51, 51, 51, 255, 51, 51, 51, 255]);
    expect(montageRows([0, 1, 0, 0, 1], 2, 2)).toEqual([[0, 2], [1, 4]]);
  });
});

describe('folder layout', () => {
  it('finds classes under one wrapper folder and skips clutter silently, other files with a reason', () => {
    const l = layoutImageFolder(
      [
        'pets/cats/a.png',
        'pets/cats/b.JPG',
        'pets/dogs/c.webp',
        'pets/dogs/notes.txt',
        'pets/dogs/photo.heic',
        'pets/dogs/.DS_Store',
        'pets/.hidden/x.png',
        '__MACOSX/pets/cats/._a.png',
        'pets/Thumbs.db',
        'pets/readme.png',
      ],
      'pets.zip',
    );
    expect(l.wrapper).toBe('pets/');
    expect(l.classNames).toEqual(['cats', 'dogs']);
    expect(l.items.map((i) => [i.path, i.label, i.format])).toEqual([
      ['pets/cats/a.png', 0, 'png'],
      ['pets/cats/b.JPG', 0, 'jpeg'],
      ['pets/dogs/c.webp', 1, 'webp'],
    ]);
    expect(l.skipped).toEqual([
      { path: 'pets/dogs/notes.txt', reason: 'not an image (.txt)' },
      { path: 'pets/dogs/photo.heic', reason: '.heic images cannot be decoded by browsers; convert to PNG or JPEG' },
      { path: 'pets/readme.png', reason: 'not inside a class folder (put each image in a folder named after its class)' },
    ]);
    expect(isClutter('a/.git/config')).toBe(true);
    expect(isClutter('a/b.png')).toBe(false);
  });

  it('uses train/ and test/ (or val/) levels as the split', () => {
    const l = layoutImageFolder(['d/train/a/1.png', 'd/train/b/2.png', 'd/val/a/3.png', 'd/test/b/4.png'], 'd');
    expect(l.hasSplit).toBe(true);
    expect(l.classNames).toEqual(['a', 'b']);
    expect(l.items.map((i) => i.split)).toEqual(['train', 'train', 'test', 'test']);
  });

  it('no images, or one class only, are errors naming the source', () => {
    expect(dataError(() => layoutImageFolder(['a.txt', 'b/c.csv'], 'stuff.zip')).message).toContain('stuff.zip: no images in class folders were found (2 files skipped');
    const one = dataError(() => layoutImageFolder(['cats/a.png', 'cats/b.png'], 'cats.zip'));
    expect(one.message).toBe('cats.zip: all images are in one class folder, "cats"; classification needs at least 2 classes. Add a folder per class next to it.');
  });

  it('sniffs the real format from magic bytes', () => {
    expect(sniffImage(encodePng(grey(0)))).toBe('png');
    expect(sniffImage(new Uint8Array([0xff, 0xd8, 0xff, 0xe0]))).toBe('jpeg');
    expect(sniffImage(strToU8('GIF89a......'))).toBe('gif');
    expect(sniffImage(strToU8('RIFF....WEBPVP8 '))).toBe('webp');
    expect(sniffImage(strToU8('hello world, not an image'))).toBeNull();
  });
});

describe('loading an image dataset', () => {
  const opts: ImageLoadOptions = { size: 4, channels: 1, testFraction: 0.25, seed: 1, montagePerClass: 2 };
  const png = (v: number, w = 6, h = 6) => encodePng(makeImage(w, h, () => [v, v, v, 255]));
  /** A PNG signature followed by garbage: looks like a PNG, does not decode. */
  const brokenPng = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3, 4, 5, 6, 7, 8, 9]);

  function petsZip(): Uint8Array<ArrayBuffer> {
    return zipSync({
      'pets/cats/1.png': png(10),
      'pets/cats/2.png': png(20, 8, 8),
      'pets/cats/3.png': png(30, 5, 3),
      'pets/cats/4.png': png(40, 16, 12),
      'pets/cats/broken.png': brokenPng,
      'pets/dogs/1.png': png(200),
      'pets/dogs/2.png': png(210),
      'pets/dogs/3.png': png(220, 2, 9),
      'pets/dogs/4.png': png(230),
      'pets/dogs/labels.txt': strToU8('not an image'),
      'pets/dogs/fake.png': strToU8('text pretending to be a png'),
      '__MACOSX/pets/._x': strToU8('resource fork'),
    });
  }

  it('reads a zip of class folders: mixed sizes resized, bad files skipped by name, montage, split, standardised', async () => {
    const progress: number[] = [];
    const res = await loadImageDataset({ kind: 'zip', file: new Blob([petsZip()]), name: 'pets.zip' }, { ...opts, onProgress: (p) => progress.push(p.done) }, decodeTestPng);
    expect(res.classNames).toEqual(['cats', 'dogs']);
    expect(res.train.n + (res.test?.n ?? 0)).toBe(8);
    expect(res.test?.n).toBe(2);
    expect(res.train.d).toBe(16);
    expect(res.train.featureNames[5]).toBe('px_1_1');
    expect(res.train.labelColumn).toBe('folder');
    expect(res.balance.test).toEqual([1, 1]);
    expect(progress.at(-1)).toBe(10);
    const skipped = Object.fromEntries(res.skipped.map((s) => [s.path, s.reason]));
    expect(skipped['pets/dogs/labels.txt']).toBe('not an image (.txt)');
    expect(skipped['pets/cats/broken.png']).toMatch(/^could not be decoded \(.*\); the file may be damaged$/);
    expect(skipped['pets/dogs/fake.png']).toBe('not a valid PNG image (the contents do not match the .png name)');
    expect(Object.keys(skipped).some((p) => p.includes('__MACOSX'))).toBe(false);
    expect(res.sizes.length).toBe(5);
    expect(res.notices.some((n) => n.message.includes('different sizes') && n.message.includes('resized to 4×4'))).toBe(true);
    expect(res.notices.some((n) => n.message.includes('3 files skipped') && n.message.includes('pets/cats/broken.png'))).toBe(true);
    // Montage tiles are the unstandardised images: a cat of grey 10 stays 10.
    expect(res.montage.map((m) => m.tiles.length)).toEqual([2, 2]);
    expect(Array.from(res.montage[0].tiles[0].subarray(0, 4))).toEqual([10, 10, 10, 255]);
    // Standardised on train: each pixel column has mean 0.
    const { X, n, d } = res.train;
    for (let k = 0; k < d; k++) {
      let s = 0;
      for (let j = 0; j < n; j++) s += X[j * d + k];
      expect(Math.abs(s / n)).toBeLessThan(1e-9);
    }
    expect(res.status).toBe('complete');
  });

  it('reads a dropped folder (webkitRelativePath) with train/test levels', async () => {
    const file = (path: string, bytes: Uint8Array<ArrayBuffer>) => {
      const f = new File([bytes], path.slice(path.lastIndexOf('/') + 1));
      Object.defineProperty(f, 'webkitRelativePath', { value: path });
      return f;
    };
    const files = [
      file('digits/train/one/a.png', png(0)),
      file('digits/train/one/b.png', png(10)),
      file('digits/train/two/c.png', png(250)),
      file('digits/train/two/d.png', png(240)),
      file('digits/test/one/e.png', png(5)),
      file('digits/test/two/f.png', png(245)),
    ];
    const res = await loadImageDataset({ kind: 'files', files }, { size: 2, channels: 3 }, decodeTestPng);
    expect(res.train.fileName).toBe('digits');
    expect(res.train.n).toBe(4);
    expect(res.test?.n).toBe(2);
    expect(res.train.d).toBe(12);
    expect(Array.from(res.test?.labels ?? [])).toEqual([0, 1]);
  });

  it('takes the paths of a folder dropped on the page (no webkitRelativePath) from `paths`', async () => {
    const files = [png(0), png(10), png(250), png(240)].map((b, i) => new File([b], `${i}.png`));
    const paths = ['/shapes/round/0.png', '/shapes/round/1.png', '/shapes/square/2.png', '/shapes/square/3.png'];
    const res = await loadImageDataset({ kind: 'files', files, paths }, { size: 2, channels: 1, testFraction: 0 }, decodeTestPng);
    expect(res.train.fileName).toBe('shapes');
    expect(res.classNames).toEqual(['round', 'square']);
    expect(Array.from(res.train.labels)).toEqual([0, 0, 1, 1]);
  });

  it('decodes a stratified subset when there are more images than the cap', async () => {
    const entries: Record<string, Uint8Array> = {};
    for (let i = 0; i < 30; i++) entries[`a/${i}.png`] = png(i);
    for (let i = 0; i < 10; i++) entries[`b/${i}.png`] = png(200 + i);
    const res = await loadImageDataset({ kind: 'zip', file: new Blob([zipSync(entries)]), name: 'big.zip' }, { ...opts, maxImages: 8, testFraction: 0 }, decodeTestPng);
    expect(res.status).toBe('subsampled');
    expect(res.balance.train).toEqual([6, 2]);
    expect(res.notices[0].message).toContain('big.zip: found 40 images, more than the 8 this page keeps');
  });

  it('refuses a zip bomb as a whole and reports undecodable datasets', async () => {
    const bomb = zipSync({ 'a/x.png': new Uint8Array(8 * 1024 * 1024), 'b/y.png': png(1) }, { level: 9 });
    const err = await asyncDataError(() => loadImageDataset({ kind: 'zip', file: new Blob([bomb]), name: 'bomb.zip' }, { ...opts, zip: { maxEntryBytes: 1024 * 1024 } }, decodeTestPng));
    expect(err).toBeInstanceOf(ArchiveLimitError);
    expect(err.message).toContain('bomb.zip: entry "a/x.png" would inflate to 8.00 MiB');
    const allBroken = zipSync({ 'a/1.png': brokenPng, 'b/2.png': brokenPng });
    const e2 = await asyncDataError(() => loadImageDataset({ kind: 'zip', file: new Blob([allBroken]), name: 'broken.zip' }, opts, decodeTestPng));
    expect(e2.message).toContain('broken.zip: none of the 2 images could be read (e.g. "a/1.png: could not be decoded');
    const oneLeft = zipSync({ 'a/1.png': png(1), 'a/2.png': png(2), 'b/2.png': brokenPng });
    const e3 = await asyncDataError(() => loadImageDataset({ kind: 'zip', file: new Blob([oneLeft]), name: 'one.zip' }, opts, decodeTestPng));
    expect(e3.message).toContain('one.zip: images of only one class ("a") could be read');
  });
});
