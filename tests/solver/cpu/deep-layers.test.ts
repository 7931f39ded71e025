/**
 * Every float64 layer and both losses of the deep networks against central finite differences
 * (relative error < 1e-6), including 3×3 convolutions and 2×2 poolings of odd sizes; the forward
 * passes against direct definitions written here; a whole MLP and CNN end to end.
 */
import { describe, expect, it } from 'vitest';
import { compileNetwork, backward, forward } from '../../../solver/deep/cpu/network';
import { avgpool2Backward, avgpool2Forward, conv3x3Backward, conv3x3Forward, denseBackward, denseForward, reluBackward, reluForward, type ConvShape } from '../../../solver/deep/cpu/layers';
import { countCorrect, mseLoss, softmaxCrossEntropy } from '../../../solver/deep/cpu/losses';
import { parseArch } from '../../../solver/deep/arch';
import { initParams } from '../../../solver/deep/init';
import { gaussian } from '../../support/cpu-fixtures';
import { dot, relError } from '../../support/helpers';

const H = 1e-6;

/** Central differences of the scalar f at x (x is restored). */
function numericGrad(f: () => number, x: Float64Array): Float64Array {
  const g = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) {
    const x0 = x[i];
    x[i] = x0 + H;
    const fp = f();
    x[i] = x0 - H;
    const fm = f();
    x[i] = x0;
    g[i] = (fp - fm) / (2 * H);
  }
  return g;
}

/** The scalar probe ⟨c, y⟩, whose gradient with respect to y is c. */
const probe = (c: Float64Array) => (y: Float64Array) => dot(c, y);

describe('dense', () => {
  const B = 3, nin = 5, nout = 4;
  const x = gaussian(B * nin, 1);
  const W = gaussian(nin * nout, 2);
  const b = gaussian(nout, 3);
  const c = gaussian(B * nout, 4);
  const L = probe(c);

  it('forward is x·W + b', () => {
    const y = denseForward(x, B, nin, W, nout, b);
    for (let r = 0; r < B; r++) for (let j = 0; j < nout; j++) {
      let s = b[j];
      for (let k = 0; k < nin; k++) s += x[r * nin + k] * W[k * nout + j];
      expect(y[r * nout + j]).toBeCloseTo(s, 12);
    }
  });

  it('backward matches finite differences in x, W and b', () => {
    const dW = new Float64Array(W.length);
    const db = new Float64Array(nout);
    const dx = denseBackward(x, B, nin, W, nout, c, dW, db, true) as Float64Array;
    const f = () => L(denseForward(x, B, nin, W, nout, b));
    expect(relError(dx, numericGrad(f, x))).toBeLessThan(1e-6);
    expect(relError(dW, numericGrad(f, W))).toBeLessThan(1e-6);
    expect(relError(db, numericGrad(f, b))).toBeLessThan(1e-6);
  });

  it('backward adds into the parameter gradient', () => {
    const dW = new Float64Array(W.length).fill(1);
    denseBackward(x, B, nin, W, nout, c, dW, null, false);
    const fresh = new Float64Array(W.length);
    denseBackward(x, B, nin, W, nout, c, fresh, null, false);
    expect(relError(dW, fresh.map((v) => v + 1))).toBeLessThan(1e-15);
  });
});

describe('relu', () => {
  it('matches finite differences away from the kink', () => {
    // Keep every input at least 0.1 from 0 so x ± h never crosses the kink.
    const x = gaussian(40, 5).map((v) => (Math.abs(v) < 0.1 ? v + Math.sign(v || 1) * 0.2 : v));
    const c = gaussian(40, 6);
    const dx = reluBackward(x, c);
    expect(relError(dx, numericGrad(() => dot(c, reluForward(x)), x))).toBeLessThan(1e-6);
    expect(Array.from(reluForward(Float64Array.of(-1, 0, 2)))).toEqual([0, 0, 2]);
    expect(Array.from(reluBackward(Float64Array.of(-1, 0, 2), Float64Array.of(5, 5, 5)))).toEqual([0, 0, 5]);
  });
});

/** Direct definition of the 'same' 3×3 cross-correlation, written independently of layers.ts. */
function convReference(x: Float64Array, s: ConvShape, K: Float64Array, bias: Float64Array | null): Float64Array {
  const y = new Float64Array(s.B * s.H * s.W * s.cout);
  const at = (b: number, i: number, j: number, ci: number) => (i < 0 || j < 0 || i >= s.H || j >= s.W ? 0 : x[((b * s.H + i) * s.W + j) * s.cin + ci]);
  for (let b = 0; b < s.B; b++) for (let i = 0; i < s.H; i++) for (let j = 0; j < s.W; j++) for (let co = 0; co < s.cout; co++) {
    let v = bias ? bias[co] : 0;
    for (let dy = -1; dy <= 1; dy++) for (let dx = -1; dx <= 1; dx++) for (let ci = 0; ci < s.cin; ci++) v += at(b, i + dy, j + dx, ci) * K[(((dy + 1) * 3 + dx + 1) * s.cin + ci) * s.cout + co];
    y[((b * s.H + i) * s.W + j) * s.cout + co] = v;
  }
  return y;
}

describe('conv3x3 (same padding)', () => {
  for (const s of [{ B: 2, H: 5, W: 7, cin: 2, cout: 3 }, { B: 1, H: 4, W: 4, cin: 1, cout: 2 }, { B: 2, H: 1, W: 3, cin: 3, cout: 1 }] as ConvShape[]) {
    it(`${s.B}×${s.H}×${s.W}×${s.cin} → ${s.cout}: forward is the definition, backward matches finite differences`, () => {
      const x = gaussian(s.B * s.H * s.W * s.cin, 7);
      const K = gaussian(9 * s.cin * s.cout, 8);
      const b = gaussian(s.cout, 9);
      const c = gaussian(s.B * s.H * s.W * s.cout, 10);
      expect(relError(conv3x3Forward(x, s, K, b), convReference(x, s, K, b))).toBeLessThan(1e-14);
      const dK = new Float64Array(K.length);
      const db = new Float64Array(s.cout);
      const dx = conv3x3Backward(x, s, K, c, dK, db, true) as Float64Array;
      const f = () => dot(c, conv3x3Forward(x, s, K, b));
      expect(relError(dx, numericGrad(f, x))).toBeLessThan(1e-6);
      expect(relError(dK, numericGrad(f, K))).toBeLessThan(1e-6);
      expect(relError(db, numericGrad(f, b))).toBeLessThan(1e-6);
    });
  }
});

describe('avgpool2 (VALID, odd sizes drop the last row/column)', () => {
  it('forward averages each 2×2 window of a 5×3 image; the last row is dropped', () => {
    // One image, one channel, values = 10·row + col.
    const x = Float64Array.from({ length: 15 }, (_, k) => 10 * Math.floor(k / 3) + (k % 3));
    const y = avgpool2Forward(x, 1, 5, 3, 1);
    expect(Array.from(y)).toEqual([5.5, 25.5]);
  });

  for (const [Hh, Ww] of [[5, 7], [4, 6], [3, 2]]) {
    it(`${Hh}×${Ww}: backward matches finite differences and gives dropped pixels 0`, () => {
      const B = 2, C = 3;
      const x = gaussian(B * Hh * Ww * C, 11);
      const Ho = Math.floor(Hh / 2), Wo = Math.floor(Ww / 2);
      const c = gaussian(B * Ho * Wo * C, 12);
      const dx = avgpool2Backward(c, B, Hh, Ww, C);
      expect(relError(dx, numericGrad(() => dot(c, avgpool2Forward(x, B, Hh, Ww, C)), x))).toBeLessThan(1e-6);
      if (Hh % 2 === 1) for (let j = 0; j < Ww * C; j++) expect(dx[((Hh - 1) * Ww) * C + j]).toBe(0);
    });
  }
});

describe('losses', () => {
  const B = 4, O = 3;
  const f = gaussian(B * O, 13);

  it('mse is the mean over the batch of Σ_o (f − y)², gradient matches finite differences', () => {
    const y = Float64Array.from({ length: B * O }, (_, k) => (k % 2 ? 1 : -1));
    const { loss, grad } = mseLoss(f, y, B, true);
    let ref = 0;
    for (let k = 0; k < f.length; k++) ref += (f[k] - y[k]) ** 2;
    expect(loss).toBeCloseTo(ref / B, 12);
    expect(relError(grad as Float64Array, numericGrad(() => mseLoss(f, y, B, false).loss, f))).toBeLessThan(1e-6);
  });

  it('softmax cross-entropy: the definition, finite differences, and no overflow for huge logits', () => {
    const y = new Float64Array(B * O);
    for (let b = 0; b < B; b++) y[b * O + (b % O)] = 1;
    const { loss, grad } = softmaxCrossEntropy(f, y, B, O, true);
    let ref = 0;
    for (let b = 0; b < B; b++) {
      const z = [0, 1, 2].reduce((s, o) => s + Math.exp(f[b * O + o]), 0);
      ref -= Math.log(Math.exp(f[b * O + (b % O)]) / z);
    }
    expect(loss).toBeCloseTo(ref / B, 12);
    expect(relError(grad as Float64Array, numericGrad(() => softmaxCrossEntropy(f, y, B, O, false).loss, f))).toBeLessThan(1e-6);
    // Logits of 1000: a naive exp overflows to Infinity; the stable form gives log 2 for a tie.
    const big = softmaxCrossEntropy(Float64Array.of(1000, 1000), Float64Array.of(1, 0), 1, 2, true);
    expect(big.loss).toBeCloseTo(Math.log(2), 12);
    expect(relError(big.grad as Float64Array, [-0.5, 0.5])).toBeLessThan(1e-15);
  });

  it('accuracy: sign against ±1 of the label for one output (0 is wrong); argmax for several', () => {
    expect(countCorrect(Float64Array.of(0.5, -0.2, 0, 3), Int32Array.of(1, 0, 1, 0), 4, 1)).toBe(2);
    expect(countCorrect(Float64Array.of(1, 2, 0, 5, 4, 0), Int32Array.of(1, 1), 2, 3)).toBe(1);
  });
});

describe('whole networks', () => {
  const cases = [
    { text: 'mlp:6,5', input: { h: 1, w: 1, c: 4 }, outputs: 3, bias: 'on' as const },
    { text: 'cnn:3,2', input: { h: 5, w: 7, c: 2 }, outputs: 2, bias: 'paper' as const },
    // An MLP on an image starts with a flatten, below which no gradient is formed.
    { text: 'mlp:5', input: { h: 2, w: 3, c: 2 }, outputs: 1, bias: 'on' as const },
  ];
  for (const cse of cases) {
    it(`${cse.text} on ${cse.input.h}×${cse.input.w}×${cse.input.c}: ∂(mse)/∂θ matches finite differences`, () => {
      const arch = parseArch(cse.text, { input: cse.input, outputs: cse.outputs, bias: cse.bias });
      const net = compileNetwork(arch);
      const theta = initParams(arch, 3);
      // Non-zero biases, so their gradients are exercised away from 0.
      for (const s of net.slots) if (s.name === 'bias') theta.set(gaussian(s.size, 20 + s.layer).map((v) => 0.1 * v), s.offset);
      const B = 3;
      const width = cse.input.h * cse.input.w * cse.input.c;
      const x = gaussian(B * width, 14);
      const y = gaussian(B * cse.outputs, 15);
      const L = () => mseLoss(forward(net, theta, x, B).output, y, B, false).loss;
      const tape = forward(net, theta, x, B);
      const g = new Float64Array(net.paramCount);
      backward(net, theta, tape, mseLoss(tape.output, y, B, true).grad as Float64Array, g);
      expect(relError(g, numericGrad(L, theta))).toBeLessThan(1e-6);
    });
  }
});
