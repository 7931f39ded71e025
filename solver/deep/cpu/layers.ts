/**
 * The float64 layers of the deep networks, forward and backward, on a batch of B examples in the
 * NHWC layout of solver/deep/types.ts. Pure functions over flat arrays: the CPU backend composes
 * them, and the tests check every backward against central finite differences. Backward passes
 * ADD into the parameter gradients (so one buffer collects a whole network's gradient) and
 * return the input gradient only when asked (the first layer does not need it).
 */
import { matmulTB } from '../../linalg';

/** y = x·W (+ b): x is B×nin, W is nin×nout (Flax's Dense kernel), y is B×nout. */
export function denseForward(x: Float64Array, B: number, nin: number, W: Float64Array, nout: number, bias: Float64Array | null): Float64Array {
  const y = new Float64Array(B * nout);
  for (let b = 0; b < B; b++) {
    const yr = b * nout;
    if (bias) for (let j = 0; j < nout; j++) y[yr + j] = bias[j];
    for (let k = 0; k < nin; k++) {
      const xv = x[b * nin + k];
      if (xv === 0) continue;
      const wr = k * nout;
      for (let j = 0; j < nout; j++) y[yr + j] += xv * W[wr + j];
    }
  }
  return y;
}

/** dW += xᵀ·dy, db += Σ_b dy; returns dx = dy·Wᵀ when `needDx`. */
export function denseBackward(
  x: Float64Array, B: number, nin: number, W: Float64Array, nout: number, dy: Float64Array,
  dW: Float64Array, db: Float64Array | null, needDx: boolean,
): Float64Array | null {
  for (let b = 0; b < B; b++) {
    const yr = b * nout;
    if (db) for (let j = 0; j < nout; j++) db[j] += dy[yr + j];
    for (let k = 0; k < nin; k++) {
      const xv = x[b * nin + k];
      if (xv === 0) continue;
      const wr = k * nout;
      for (let j = 0; j < nout; j++) dW[wr + j] += xv * dy[yr + j];
    }
  }
  // dx[b, k] = Σ_j dy[b, j]·W[k, j], summed in j order as before (the tests compare bit for bit).
  return needDx ? matmulTB(dy, W, B, nout, nin) : null;
}

/** max(0, x) element-wise. */
export function reluForward(x: Float64Array): Float64Array {
  const y = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) y[i] = x[i] > 0 ? x[i] : 0;
  return y;
}

/** dx = dy where x > 0, else 0 (JAX's relu gradient: 0 at x = 0). */
export function reluBackward(x: Float64Array, dy: Float64Array): Float64Array {
  const dx = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) dx[i] = x[i] > 0 ? dy[i] : 0;
  return dx;
}

/** Geometry of a 3×3 'same' convolution on a B×H×W×cin batch. */
export interface ConvShape {
  readonly B: number;
  readonly H: number;
  readonly W: number;
  readonly cin: number;
  readonly cout: number;
}

/**
 * The taps of a 3×3 'same' convolution, in the order both passes accumulate them: output pixel by
 * pixel, then ky, kx. One triple per tap inside the image: `yo` (the pixel's offset in the
 * B×H×W×cout output), `xi` (the input pixel's offset), `kb` (the tap's first row of K, in units of
 * cout). Taps outside are the zero padding and contribute nothing. A table rather than a callback
 * per tap: V8 runs the two inlined loop bodies over it as fast as the nested loops they replace.
 */
function convTaps(s: ConvShape): Int32Array {
  const { B, H, W, cin, cout } = s;
  const out = new Int32Array(B * H * W * 9 * 3);
  let n = 0;
  for (let b = 0; b < B; b++) {
    for (let oy = 0; oy < H; oy++) {
      for (let ox = 0; ox < W; ox++) {
        for (let ky = 0; ky < 3; ky++) {
          const iy = oy + ky - 1;
          if (iy < 0 || iy >= H) continue;
          for (let kx = 0; kx < 3; kx++) {
            const ix = ox + kx - 1;
            if (ix < 0 || ix >= W) continue;
            out[n++] = ((b * H + oy) * W + ox) * cout;
            out[n++] = ((b * H + iy) * W + ix) * cin;
            out[n++] = (ky * 3 + kx) * cin;
          }
        }
      }
    }
  }
  return out.subarray(0, n);
}

/**
 * 3×3 convolution, stride 1, zero padding 1 ('same', Flax's default), HWIO kernel K:
 * y[b,y,x,co] = Σ_{ky,kx,ci} x[b, y+ky−1, x+kx−1, ci]·K[ky,kx,ci,co] (+ bias[co]).
 * (Flax/XLA convolutions are cross-correlations, as here.)
 */
export function conv3x3Forward(x: Float64Array, s: ConvShape, K: Float64Array, bias: Float64Array | null): Float64Array {
  const { B, H, W, cin, cout } = s;
  const y = new Float64Array(B * H * W * cout);
  if (bias) for (let yo = 0; yo < y.length; yo += cout) y.set(bias, yo);
  const taps = convTaps(s);
  for (let t = 0; t < taps.length; t += 3) {
    const yo = taps[t], xi = taps[t + 1], kb = taps[t + 2];
    for (let ci = 0; ci < cin; ci++) {
      const xv = x[xi + ci];
      if (xv === 0) continue;
      const kr = (kb + ci) * cout;
      for (let co = 0; co < cout; co++) y[yo + co] += xv * K[kr + co];
    }
  }
  return y;
}

/** dK += Σ x ⊗ dy over the 3×3 window, db += Σ dy; returns dx when `needDx`. */
export function conv3x3Backward(
  x: Float64Array, s: ConvShape, K: Float64Array, dy: Float64Array,
  dK: Float64Array, db: Float64Array | null, needDx: boolean,
): Float64Array | null {
  const { B, H, W, cin, cout } = s;
  const dx = needDx ? new Float64Array(B * H * W * cin) : null;
  // db takes the pixels in the same order as before (no tap touches it).
  if (db) for (let yo = 0; yo < B * H * W * cout; yo += cout) for (let co = 0; co < cout; co++) db[co] += dy[yo + co];
  const taps = convTaps(s);
  for (let t = 0; t < taps.length; t += 3) {
    const yo = taps[t], xi = taps[t + 1], kb = taps[t + 2];
    for (let ci = 0; ci < cin; ci++) {
      const xv = x[xi + ci];
      const kr = (kb + ci) * cout;
      let s2 = 0;
      for (let co = 0; co < cout; co++) {
        const g = dy[yo + co];
        dK[kr + co] += xv * g;
        s2 += g * K[kr + co];
      }
      if (dx) dx[xi + ci] += s2;
    }
  }
  return dx;
}

/**
 * Calls `window(yo, i00, i10)` for every pooled pixel of a B×H×W×C batch: `yo` is its offset in
 * the ⌊H/2⌋×⌊W/2⌋ output, `i00` and `i10` the offsets of the top-left and bottom-left inputs of
 * its 2×2 window (the right-hand ones are C further on).
 */
function forEachPoolWindow(B: number, H: number, W: number, C: number, window: (yo: number, i00: number, i10: number) => void): void {
  const Ho = Math.floor(H / 2);
  const Wo = Math.floor(W / 2);
  for (let b = 0; b < B; b++) {
    for (let oy = 0; oy < Ho; oy++) {
      for (let ox = 0; ox < Wo; ox++) {
        const i00 = ((b * H + 2 * oy) * W + 2 * ox) * C;
        window(((b * Ho + oy) * Wo + ox) * C, i00, i00 + W * C);
      }
    }
  }
}

/**
 * 2×2 average pooling, stride 2, no padding (Flax `avg_pool(window 2, strides 2, 'VALID')`): the
 * output is ⌊H/2⌋×⌊W/2⌋ and an odd last row or column is dropped.
 */
export function avgpool2Forward(x: Float64Array, B: number, H: number, W: number, C: number): Float64Array {
  const y = new Float64Array(B * Math.floor(H / 2) * Math.floor(W / 2) * C);
  forEachPoolWindow(B, H, W, C, (yo, i00, i10) => {
    for (let c = 0; c < C; c++) y[yo + c] = 0.25 * (x[i00 + c] + x[i00 + C + c] + x[i10 + c] + x[i10 + C + c]);
  });
  return y;
}

/** dx: each pooled pixel's gradient spread ¼ to its 2×2 window; dropped rows/columns get 0. */
export function avgpool2Backward(dy: Float64Array, B: number, H: number, W: number, C: number): Float64Array {
  const dx = new Float64Array(B * H * W * C);
  forEachPoolWindow(B, H, W, C, (yo, i00, i10) => {
    for (let c = 0; c < C; c++) {
      const g = 0.25 * dy[yo + c];
      dx[i00 + c] = g;
      dx[i00 + C + c] = g;
      dx[i10 + c] = g;
      dx[i10 + C + c] = g;
    }
  });
  return dx;
}
