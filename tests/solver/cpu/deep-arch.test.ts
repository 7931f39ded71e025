/**
 * Architecture text, image shapes and the θ layout (sizes counted by hand for the paper's MLP and
 * CNN), the lecun_normal initialisation (truncation, std, seeding), and the minibatch sampler
 * (every row once per epoch when shuffling, reproducible, a restored position continues).
 */
import { describe, expect, it } from 'vitest';
import { featureEnd, imageShapeFromFeatureNames, layerShapes, paramCount, paramLayout, paramsBefore, parseArch, parseImageShape } from '../../../solver/deep/arch';
import { initParams } from '../../../solver/deep/init';
import { MinibatchSampler } from '../../../solver/deep/sampler';
import { pixelFeatureNames } from '../../../data/images';

const FLAT = (d: number) => ({ h: 1, w: 1, c: d });
const MNIST = { h: 28, w: 28, c: 1 };

describe('parseArch', () => {
  it('mlp:256,256 is Dense(256)→ReLU→Dense(256)→ReLU→Dense(outputs), no biases by default', () => {
    const arch = parseArch('mlp:256,256', { input: FLAT(784), outputs: 1 });
    expect(arch.layers).toEqual([
      { kind: 'dense', out: 256, bias: false }, { kind: 'relu' },
      { kind: 'dense', out: 256, bias: false }, { kind: 'relu' },
      { kind: 'dense', out: 1, bias: false },
    ]);
    expect(parseArch(' MLP ', { input: FLAT(784), outputs: 1 }).layers).toEqual(arch.layers);
    // 784·256 + 256·256 + 256·1 parameters.
    expect(paramCount(paramLayout(arch))).toBe(784 * 256 + 256 * 256 + 256);
    expect(featureEnd(arch)).toBe(4);
    expect(paramsBefore(paramLayout(arch), 4)).toBe(784 * 256 + 256 * 256);
  });

  it("cnn is the paper's Conv3x3(32)→ReLU→AvgPool2→Conv3x3(32)→ReLU→AvgPool2→flatten→Dense, with biases", () => {
    const arch = parseArch('cnn', { input: MNIST, outputs: 1 });
    expect(arch.layers.map((l) => l.kind)).toEqual(['conv3x3', 'relu', 'avgpool2', 'conv3x3', 'relu', 'avgpool2', 'flatten', 'dense']);
    expect(layerShapes(arch).map((s) => `${s.h}x${s.w}x${s.c}`)).toEqual(['28x28x32', '28x28x32', '14x14x32', '14x14x32', '14x14x32', '7x7x32', '1x1x1568', '1x1x1']);
    const slots = paramLayout(arch);
    expect(slots.map((s) => [s.layer, s.name, s.offset, s.size])).toEqual([
      [0, 'kernel', 0, 288], [0, 'bias', 288, 32],
      [3, 'kernel', 320, 9216], [3, 'bias', 9536, 32],
      [7, 'kernel', 9568, 1568], [7, 'bias', 11136, 1],
    ]);
    expect(slots[2].shape).toEqual([3, 3, 32, 32]);
  });

  it('cnn:32,64, bias off/on, odd images, an MLP on an image flattens first', () => {
    const a = parseArch('cnn:32,64', { input: { h: 9, w: 11, c: 3 }, outputs: 4, bias: 'off' });
    expect(layerShapes(a).at(-3)).toEqual({ h: 2, w: 2, c: 64 });
    expect(paramLayout(a).every((s) => s.name === 'kernel')).toBe(true);
    const m = parseArch('mlp:8', { input: MNIST, outputs: 3, bias: 'on' });
    expect(m.layers[0]).toEqual({ kind: 'flatten' });
    expect(paramLayout(m).map((s) => s.size)).toEqual([784 * 8, 8, 24, 3]);
  });

  it('bad text is refused, naming the value', () => {
    const opts = { input: MNIST, outputs: 1 };
    expect(() => parseArch('resnet', opts)).toThrow(/"resnet" is not understood; use mlp, mlp:256,256, cnn or cnn:32,64/);
    expect(() => parseArch('mlp:256,x', opts)).toThrow(/"x" is not a hidden width/);
    expect(() => parseArch('mlp:0', opts)).toThrow(/"0" is not a hidden width in \[1, 4096\]/);
    expect(() => parseArch('cnn:32,', opts)).toThrow(/"" is not a channel count/);
    expect(() => parseArch('cnn', { input: FLAT(784), outputs: 1 })).toThrow(/needs at least 4 pixels a side.*--image 28x28x1/);
    expect(() => parseImageShape('28by28')).toThrow(/"28by28" is not HxWxC/);
    expect(parseImageShape('32×32×3')).toEqual({ h: 32, w: 32, c: 3 });
    expect(parseImageShape('28x28')).toEqual(MNIST);
  });

  it('image shapes are read off pixel column names, and only off a complete grid', () => {
    expect(imageShapeFromFeatureNames(pixelFeatureNames(28, 1))).toEqual(MNIST);
    expect(imageShapeFromFeatureNames(pixelFeatureNames(8, 3))).toEqual({ h: 8, w: 8, c: 3 });
    expect(imageShapeFromFeatureNames(pixelFeatureNames(4, 1).slice(1))).toBeNull();
    expect(imageShapeFromFeatureNames(['a', 'b'])).toBeNull();
  });
});

describe('initParams (Flax lecun_normal)', () => {
  const arch = parseArch('mlp:200', { input: FLAT(400), outputs: 3, bias: 'on' });
  const slots = paramLayout(arch);
  const theta = initParams(arch, 7);

  it('kernels have std sqrt(1/fan_in) and stay within the ±2σ truncation; biases are 0', () => {
    for (const s of slots) {
      const v = theta.subarray(s.offset, s.offset + s.size);
      if (s.name === 'bias') {
        expect(v.every((x) => x === 0)).toBe(true);
        continue;
      }
      const target = Math.sqrt(1 / s.shape[0]);
      const std = Math.sqrt(v.reduce((a, x) => a + x * x, 0) / v.length);
      // 80 000 draws: the sample std is within 2% (the kernel of 600 values within 15%).
      expect(Math.abs(std / target - 1)).toBeLessThan(v.length > 10_000 ? 0.02 : 0.15);
      const bound = (2 * target) / 0.87962566103423978;
      expect(v.every((x) => Math.abs(x) <= bound)).toBe(true);
      // Truncated, not clipped: no mass piles up at the bound.
      expect(v.filter((x) => Math.abs(x) > 0.99 * bound).length).toBeLessThan(v.length * 0.01);
    }
  });

  it('a seed reproduces θ; another seed changes it', () => {
    expect(Array.from(initParams(arch, 7))).toEqual(Array.from(theta));
    expect(initParams(arch, 8)[0]).not.toBe(theta[0]);
  });
});

describe('MinibatchSampler', () => {
  it("shuffle: every row exactly once per epoch, the last partial batch kept, a fresh order each epoch", () => {
    const s = new MinibatchSampler(10, 3, 'shuffle', 5);
    expect(s.batchesPerEpoch).toBe(4);
    const epochs: number[][] = [];
    for (let e = 0; e < 3; e++) {
      const batches = Array.from({ length: 4 }, () => Array.from(s.next()));
      expect(batches.map((b) => b.length)).toEqual([3, 3, 3, 1]);
      const all = batches.flat();
      expect([...all].sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
      epochs.push(all);
    }
    expect(s.position).toEqual({ epoch: 3, batch: 0 });
    expect(epochs[1]).not.toEqual(epochs[0]);
  });

  it('replacement: full batches of rows in range, drawn with repeats', () => {
    const s = new MinibatchSampler(7, 5, 'replacement', 1);
    const rows = Array.from({ length: 20 }, () => Array.from(s.next())).flat();
    expect(rows.length).toBe(100);
    expect(rows.every((r) => r >= 0 && r < 7)).toBe(true);
    expect(new Set(rows).size).toBe(7);
  });

  for (const mode of ['shuffle', 'replacement'] as const) {
    it(`${mode}: the same seed gives the same batches; a restored position continues them`, () => {
      const a = new MinibatchSampler(11, 4, mode, 9);
      const ref = Array.from({ length: 9 }, () => Array.from(a.next()));
      const b = new MinibatchSampler(11, 4, mode, 9);
      for (let k = 0; k < 4; k++) b.next();
      const c = new MinibatchSampler(11, 4, mode, 9);
      c.position = b.position;
      expect(Array.from({ length: 5 }, () => Array.from(c.next()))).toEqual(ref.slice(4));
      expect(Array.from(new MinibatchSampler(11, 4, mode, 10).next())).not.toEqual(ref[0]);
      expect(() => (c.position = { epoch: 0, batch: 3 })).toThrow(/batch 3\) is not valid for 3 batches per epoch/);
    });
  }

  it('a batch larger than the data is the whole data; bad sizes are refused', () => {
    expect(new MinibatchSampler(5, 100, 'shuffle', 0).next().length).toBe(5);
    expect(() => new MinibatchSampler(5, 0, 'shuffle', 0)).toThrow(/batch size 0/);
  });
});
