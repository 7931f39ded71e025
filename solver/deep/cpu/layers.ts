/**
 * The float64 layers of the deep networks, forward and backward, on a batch of B examples in the
 * NHWC layout of solver/deep/types.ts. Pure functions over flat arrays: the CPU backend composes
 * them, and the tests check every backward against central finite differences. Backward passes
 * ADD into the parameter gradients (so one buffer collects a whole network's gradient) and
 * return the input gradient only when asked (the first layer does not need it).
 */

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
  if (!needDx) return null;
  const dx = new Float64Array(B * nin);
  for (let b = 0; b < B; b++) {
    const yr = b * nout;
    for (let k = 0; k < nin; k++) {
      const wr = k * nout;
      let s = 0;
      for (let j = 0; j < nout; j++) s += dy[yr + j] * W[wr + j];
      dx[b * nin + k] = s;
    }
  }
  return dx;
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
 * 3×3 convolution, stride 1, zero padding 1 ('same', Flax's default), HWIO kernel K:
 * y[b,y,x,co] = Σ_{ky,kx,ci} x[b, y+ky−1, x+kx−1, ci]·K[ky,kx,ci,co] (+ bias[co]).
 * (Flax/XLA convolutions are cross-correlations, as here.)
 */
export function conv3x3Forward(x: Float64Array, s: ConvShape, K: Float64Array, bias: Float64Array | null): Float64Array {
  const { B, H, W, cin, cout } = s;
  const y = new Float64Array(B * H * W * cout);
  for (let b = 0; b < B; b++) {
    for (let oy = 0; oy < H; oy++) {
      for (let ox = 0; ox < W; ox++) {
        const yo = ((b * H + oy) * W + ox) * cout;
        if (bias) for (let co = 0; co < cout; co++) y[yo + co] = bias[co];
        for (let ky = 0; ky < 3; ky++) {
          const iy = oy + ky - 1;
          if (iy < 0 || iy >= H) continue;
          for (let kx = 0; kx < 3; kx++) {
            const ix = ox + kx - 1;
            if (ix < 0 || ix >= W) continue;
            const xi = ((b * H + iy) * W + ix) * cin;
            const kb = (ky * 3 + kx) * cin;
            for (let ci = 0; ci < cin; ci++) {
              const xv = x[xi + ci];
              if (xv === 0) continue;
              const kr = (kb + ci) * cout;
              for (let co = 0; co < cout; co++) y[yo + co] += xv * K[kr + co];
            }
          }
        }
      }
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
  for (let b = 0; b < B; b++) {
    for (let oy = 0; oy < H; oy++) {
      for (let ox = 0; ox < W; ox++) {
        const yo = ((b * H + oy) * W + ox) * cout;
        if (db) for (let co = 0; co < cout; co++) db[co] += dy[yo + co];
        for (let ky = 0; ky < 3; ky++) {
          const iy = oy + ky - 1;
          if (iy < 0 || iy >= H) continue;
          for (let kx = 0; kx < 3; kx++) {
            const ix = ox + kx - 1;
            if (ix < 0 || ix >= W) continue;
            const xi = ((b * H + iy) * W + ix) * cin;
            const kb = (ky * 3 + kx) * cin;
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
        }
      }
    }
  }
  return dx;
}

/**
 * 2×2 average pooling, stride 2, no padding (Flax `avg_pool(window 2, strides 2, 'VALID')`): the
 * output is ⌊H/2⌋×⌊W/2⌋ and an odd last row or column is dropped.
 */
export function avgpool2Forward(x: Float64Array, B: number, H: number, W: number, C: number): Float64Array {
  const Ho = Math.floor(H / 2);
  const Wo = Math.floor(W / 2);
  const y = new Float64Array(B * Ho * Wo * C);
  for (let b = 0; b < B; b++) {
    for (let oy = 0; oy < Ho; oy++) {
      for (let ox = 0; ox < Wo; ox++) {
        const yo = ((b * Ho + oy) * Wo + ox) * C;
        const i00 = ((b * H + 2 * oy) * W + 2 * ox) * C;
        const i10 = i00 + W * C;
        for (let c = 0; c < C; c++) y[yo + c] = 0.25 * (x[i00 + c] + x[i00 + C + c] + x[i10 + c] + x[i10 + C + c]);
      }
    }
  }
  return y;
}

/** dx: each pooled pixel's gradient spread ¼ to its 2×2 window; dropped rows/columns get 0. */
export function avgpool2Backward(dy: Float64Array, B: number, H: number, W: number, C: number): Float64Array {
  const Ho = Math.floor(H / 2);
  const Wo = Math.floor(W / 2);
  const dx = new Float64Array(B * H * W * C);
  for (let b = 0; b < B; b++) {
    for (let oy = 0; oy < Ho; oy++) {
      for (let ox = 0; ox < Wo; ox++) {
        const yo = ((b * Ho + oy) * Wo + ox) * C;
        const i00 = ((b * H + 2 * oy) * W + 2 * ox) * C;
        const i10 = i00 + W * C;
        for (let c = 0; c < C; c++) {
          const g = 0.25 * dy[yo + c];
          dx[i00 + c] = g;
          dx[i00 + C + c] = g;
          dx[i10 + c] = g;
          dx[i10 + C + c] = g;
        }
      }
    }
  }
  return dx;
}
