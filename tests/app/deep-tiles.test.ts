/**
 * Issue 10 ("first-layer filters as images for image data"): a deep network's first layer is
 * drawn as weight tiles — a dense first layer as one data-shaped image per unit, a 3×3
 * convolution as one 3×3 tile per filter — taken from θ in its documented layout (in × out;
 * HWIO), strongest first.
 */
import { describe, expect, it } from 'vitest';
import { deepFirstLayerTiles } from '../../app/snapshot';
import { tilesWhat } from '../../app/components/WeightImages';
import { paramCount, paramLayout, parseArch } from '../../solver/deep/arch';
import { createRng } from '../../solver/rng';

function theta(n: number, seed: number): Float64Array {
  const rng = createRng(seed, 3);
  return Float64Array.from({ length: n }, () => rng.normal());
}

describe('deep first-layer tiles', () => {
  it('a dense first layer on 3×2 images: one 3×2 tile per unit, weights in × out, sorted by norm', () => {
    const arch = parseArch('mlp:5', { input: { h: 3, w: 2, c: 1 }, outputs: 1 });
    const th = theta(paramCount(paramLayout(arch)), 1);
    const tiles = deepFirstLayerTiles({ arch, theta: th }, { width: 2, height: 3 });
    expect(tiles).not.toBeNull();
    if (!tiles) return;
    expect([tiles.count, tiles.width, tiles.height, tiles.layer, tiles.channels]).toEqual([5, 2, 3, 'dense', undefined]);
    const slot = paramLayout(arch).find((s) => s.name === 'kernel');
    expect(slot?.shape).toEqual([6, 5]);
    for (let t = 0; t < 5; t++) {
      const unit = tiles.column[t];
      let sq = 0;
      for (let k = 0; k < 6; k++) {
        expect(tiles.pixels[t * 6 + k]).toBeCloseTo(th[(slot?.offset ?? 0) + k * 5 + unit], 6);
        sq += th[(slot?.offset ?? 0) + k * 5 + unit] ** 2;
      }
      expect(tiles.norm[t]).toBeCloseTo(Math.sqrt(sq), 12);
      if (t > 0) expect(tiles.norm[t]).toBeLessThanOrEqual(tiles.norm[t - 1]);
    }
    expect(new Set(tiles.column).size).toBe(5);
  });

  it('a convolution on RGB input: one 3×3 RGB tile per filter from the HWIO kernel', () => {
    const arch = parseArch('cnn:4', { input: { h: 4, w: 4, c: 3 }, outputs: 1 });
    const th = theta(paramCount(paramLayout(arch)), 2);
    const tiles = deepFirstLayerTiles({ arch, theta: th }, { width: 4, height: 4, channels: 3 });
    expect(tiles).not.toBeNull();
    if (!tiles) return;
    expect([tiles.count, tiles.width, tiles.height, tiles.channels, tiles.layer]).toEqual([4, 3, 3, 3, 'conv3x3']);
    const slot = paramLayout(arch)[0];
    for (let t = 0; t < 4; t++) {
      const co = tiles.column[t];
      for (let ky = 0; ky < 3; ky++)
        for (let kx = 0; kx < 3; kx++)
          for (let ci = 0; ci < 3; ci++) {
            // Tile pixel (y, x, c) = ((y·W + x)·C + c), W = 3; kernel ((ky·3 + kx)·Cin + ci)·Cout + co.
            expect(tiles.pixels[t * 27 + (ky * 3 + kx) * 3 + ci]).toBeCloseTo(th[slot.offset + ((ky * 3 + kx) * 3 + ci) * 4 + co], 6);
          }
    }
    expect(tilesWhat(tiles, false)).toMatch(/3×3 filters of the first convolution/);
  });

  it('no tiles for a dense first layer without an image, or feature vectors', () => {
    const arch = parseArch('mlp:4', { input: { h: 1, w: 1, c: 6 }, outputs: 1 });
    const th = theta(paramCount(paramLayout(arch)), 3);
    expect(deepFirstLayerTiles({ arch, theta: th }, null)).toBeNull();
    // An image whose size does not match the layer's inputs draws nothing rather than garbage.
    expect(deepFirstLayerTiles({ arch, theta: th }, { width: 2, height: 2 })).toBeNull();
  });
});
