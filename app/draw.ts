/** Canvas helpers: paint a grid of cells one pixel each (CSS scales the canvas up). */
import type { Rgb } from './colors';

/**
 * Resizes `canvas` to width×height pixels and fills pixel (x, y) with `color(x, y)`. One
 * putImageData per call: cheap enough for every snapshot.
 */
export function paintCells(canvas: HTMLCanvasElement, width: number, height: number, color: (x: number, y: number) => Rgb): void {
  if (canvas.width !== width) canvas.width = width;
  if (canvas.height !== height) canvas.height = height;
  const ctx = canvas.getContext('2d');
  if (!ctx || width === 0 || height === 0) return;
  const img = ctx.createImageData(width, height);
  const px = img.data;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const c = color(x, y);
      const o = 4 * (y * width + x);
      px[o] = c[0];
      px[o + 1] = c[1];
      px[o + 2] = c[2];
      px[o + 3] = 255;
    }
  }
  ctx.putImageData(img, 0, 0);
}
