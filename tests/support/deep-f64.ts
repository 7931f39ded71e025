/**
 * Float64 transcriptions of the deep-network semantics (solver/deep/types.ts, the task's rules)
 * written as naive loops for the GPU tests: layers, losses and the four optimizers. Independent of
 * solver/deep/gpu (its own parameter walk: layer order, kernel before bias, dense in×out, conv HWIO).
 */
import type { Architecture, LossKind, OptimizerConfig, Shape } from '../../solver/deep/types';

/** y = conv3x3 'same' (NHWC, HWIO) + bias. */
export function convRef(x: Float64Array, B: number, H: number, W: number, cin: number, cout: number, k: ArrayLike<number>, bias: ArrayLike<number> | null): Float64Array {
  const y = new Float64Array(B * H * W * cout);
  for (let b = 0; b < B; b++)
    for (let py = 0; py < H; py++)
      for (let px = 0; px < W; px++)
        for (let co = 0; co < cout; co++) {
          let s = bias ? bias[co]! : 0;
          for (let ky = 0; ky < 3; ky++)
            for (let kx = 0; kx < 3; kx++) {
              const iy = py + ky - 1;
              const ix = px + kx - 1;
              if (iy < 0 || iy >= H || ix < 0 || ix >= W) continue;
              for (let ci = 0; ci < cin; ci++) s += x[((b * H + iy) * W + ix) * cin + ci]! * k[((ky * 3 + kx) * cin + ci) * cout + co]!;
            }
          y[((b * H + py) * W + px) * cout + co] = s;
        }
  return y;
}

/** dx and dK of {@link convRef} from dy (db is the column sum of dy). */
export function convBackRef(x: Float64Array, dy: Float64Array, B: number, H: number, W: number, cin: number, cout: number, k: ArrayLike<number>): { dx: Float64Array; dk: Float64Array } {
  const dx = new Float64Array(B * H * W * cin);
  const dk = new Float64Array(9 * cin * cout);
  for (let b = 0; b < B; b++)
    for (let py = 0; py < H; py++)
      for (let px = 0; px < W; px++)
        for (let ky = 0; ky < 3; ky++)
          for (let kx = 0; kx < 3; kx++) {
            const iy = py + ky - 1;
            const ix = px + kx - 1;
            if (iy < 0 || iy >= H || ix < 0 || ix >= W) continue;
            for (let ci = 0; ci < cin; ci++)
              for (let co = 0; co < cout; co++) {
                const g = dy[((b * H + py) * W + px) * cout + co]!;
                const w = ((ky * 3 + kx) * cin + ci) * cout + co;
                dx[((b * H + iy) * W + ix) * cin + ci] += g * k[w]!;
                dk[w] += g * x[((b * H + iy) * W + ix) * cin + ci]!;
              }
          }
  return { dx, dk };
}

/** 2×2 average pool, VALID. */
export function poolRef(x: Float64Array, B: number, H: number, W: number, C: number): Float64Array {
  const Ho = Math.floor(H / 2);
  const Wo = Math.floor(W / 2);
  const y = new Float64Array(B * Ho * Wo * C);
  for (let b = 0; b < B; b++)
    for (let yo = 0; yo < Ho; yo++)
      for (let xo = 0; xo < Wo; xo++)
        for (let c = 0; c < C; c++) {
          let s = 0;
          for (let dy = 0; dy < 2; dy++) for (let dx = 0; dx < 2; dx++) s += x[((b * H + 2 * yo + dy) * W + 2 * xo + dx) * C + c]!;
          y[((b * Ho + yo) * Wo + xo) * C + c] = s / 4;
        }
  return y;
}

/** Gradient of {@link poolRef}. */
export function poolBackRef(dy: Float64Array, B: number, H: number, W: number, C: number): Float64Array {
  const Ho = Math.floor(H / 2);
  const Wo = Math.floor(W / 2);
  const dx = new Float64Array(B * H * W * C);
  for (let b = 0; b < B; b++)
    for (let yo = 0; yo < Ho; yo++)
      for (let xo = 0; xo < Wo; xo++)
        for (let c = 0; c < C; c++)
          for (let ddy = 0; ddy < 2; ddy++)
            for (let ddx = 0; ddx < 2; ddx++) dx[((b * H + 2 * yo + ddy) * W + 2 * xo + ddx) * C + c] = dy[((b * Ho + yo) * Wo + xo) * C + c]! / 4;
  return dx;
}

/** Row-major C = A·B (M×K · K×N). */
export function matmulRef(A: ArrayLike<number>, Bm: ArrayLike<number>, M: number, K: number, N: number): Float64Array {
  const C = new Float64Array(M * N);
  for (let i = 0; i < M; i++)
    for (let k = 0; k < K; k++) {
      const a = A[i * K + k]!;
      for (let j = 0; j < N; j++) C[i * N + j] += a * Bm[k * N + j]!;
    }
  return C;
}

/** Transpose of a row-major R×C matrix. */
export function transposeRef(A: ArrayLike<number>, R: number, C: number): Float64Array {
  const T = new Float64Array(R * C);
  for (let i = 0; i < R; i++) for (let j = 0; j < C; j++) T[j * R + i] = A[i * C + j]!;
  return T;
}

/** Batch loss ('mse' or 'softmax-ce', mean over the B rows) and its gradient wrt F. */
export function lossRef(kind: LossKind, F: ArrayLike<number>, Y: ArrayLike<number>, B: number, K: number): { loss: number; dF: Float64Array } {
  const dF = new Float64Array(B * K);
  let total = 0;
  for (let b = 0; b < B; b++) {
    if (kind === 'mse') {
      for (let k = 0; k < K; k++) {
        const r = F[b * K + k]! - Y[b * K + k]!;
        total += r * r;
        dF[b * K + k] = (2 * r) / B;
      }
    } else {
      let m = -Infinity;
      for (let k = 0; k < K; k++) m = Math.max(m, F[b * K + k]!);
      let z = 0;
      let ys = 0;
      for (let k = 0; k < K; k++) {
        z += Math.exp(F[b * K + k]! - m);
        ys += Y[b * K + k]!;
      }
      const lse = m + Math.log(z);
      for (let k = 0; k < K; k++) {
        const f = F[b * K + k]!;
        total -= Y[b * K + k]! * (f - lse);
        dF[b * K + k] = (ys * Math.exp(f - lse) - Y[b * K + k]!) / B;
      }
    }
  }
  return { loss: total / B, dF };
}

/** Correct rows: one output f > 0 ↔ label 1; else the first argmax equals the label. */
export function correctRef(F: ArrayLike<number>, labels: ArrayLike<number>, n: number, K: number): number {
  let c = 0;
  for (let b = 0; b < n; b++) {
    let pred = 0;
    if (K === 1) pred = F[b]! > 0 ? 1 : 0;
    else for (let k = 1; k < K; k++) if (F[b * K + k]! > F[b * K + pred]!) pred = k;
    if (pred === labels[b]) c++;
  }
  return c;
}

interface LayerRecord {
  readonly shape: Shape;
  readonly kOff: number;
  readonly bOff: number | null;
}

/** Walks the layers: input shape and θ offsets of each (its own walk, not gpuLayout). */
function walk(arch: Architecture): { recs: LayerRecord[]; out: Shape; count: number } {
  let s = arch.input;
  let off = 0;
  const recs: LayerRecord[] = [];
  for (const layer of arch.layers) {
    let kOff = -1;
    let bOff: number | null = null;
    let next = s;
    if (layer.kind === 'dense') {
      kOff = off;
      off += s.h * s.w * s.c * layer.out;
      if (layer.bias) { bOff = off; off += layer.out; }
      next = { h: 1, w: 1, c: layer.out };
    } else if (layer.kind === 'conv3x3') {
      kOff = off;
      off += 9 * s.c * layer.out;
      if (layer.bias) { bOff = off; off += layer.out; }
      next = { h: s.h, w: s.w, c: layer.out };
    } else if (layer.kind === 'avgpool2') next = { h: Math.floor(s.h / 2), w: Math.floor(s.w / 2), c: s.c };
    else if (layer.kind === 'flatten') next = { h: 1, w: 1, c: s.h * s.w * s.c };
    recs.push({ shape: s, kOff, bOff });
    s = next;
  }
  return { recs, out: s, count: off };
}

/** Parameter count of `arch` by the reference walk. */
export function paramCountRef(arch: Architecture): number {
  return walk(arch).count;
}

/** Forward pass of B rows: acts[l] is the input of layer l, acts[L] the output. */
export function forwardRef(arch: Architecture, theta: ArrayLike<number>, X: Float64Array, B: number): Float64Array[] {
  const { recs } = walk(arch);
  const acts = [X];
  arch.layers.forEach((layer, l) => {
    const { shape: s, kOff, bOff } = recs[l]!;
    const x = acts[l]!;
    const din = s.h * s.w * s.c;
    let y: Float64Array;
    if (layer.kind === 'dense') {
      const k = Array.prototype.slice.call(theta, kOff, kOff + din * layer.out) as number[];
      y = matmulRef(x, k, B, din, layer.out);
      if (bOff !== null) for (let b = 0; b < B; b++) for (let j = 0; j < layer.out; j++) y[b * layer.out + j] += theta[bOff + j]!;
    } else if (layer.kind === 'conv3x3') {
      const k = Array.prototype.slice.call(theta, kOff, kOff + 9 * s.c * layer.out) as number[];
      const bias = bOff === null ? null : (Array.prototype.slice.call(theta, bOff, bOff + layer.out) as number[]);
      y = convRef(x, B, s.h, s.w, s.c, layer.out, k, bias);
    } else if (layer.kind === 'relu') y = x.map((v) => Math.max(v, 0));
    else if (layer.kind === 'avgpool2') y = poolRef(x, B, s.h, s.w, s.c);
    else y = x;
    acts.push(y);
  });
  return acts;
}

/** ∇θ of the batch loss from the forward activations and dF = ∂loss/∂outputs. */
export function backwardRef(arch: Architecture, theta: ArrayLike<number>, acts: Float64Array[], dF: Float64Array, B: number): Float64Array {
  const { recs, count } = walk(arch);
  const g = new Float64Array(count);
  let dy = dF;
  for (let l = arch.layers.length - 1; l >= 0; l--) {
    const layer = arch.layers[l]!;
    const { shape: s, kOff, bOff } = recs[l]!;
    const x = acts[l]!;
    const din = s.h * s.w * s.c;
    if (layer.kind === 'dense') {
      const dk = matmulRef(transposeRef(x, B, din), dy, din, B, layer.out);
      g.set(dk, kOff);
      if (bOff !== null) for (let b = 0; b < B; b++) for (let j = 0; j < layer.out; j++) g[bOff + j] += dy[b * layer.out + j]!;
      const k = Array.prototype.slice.call(theta, kOff, kOff + din * layer.out) as number[];
      dy = matmulRef(dy, transposeRef(k, din, layer.out), B, layer.out, din);
    } else if (layer.kind === 'conv3x3') {
      const k = Array.prototype.slice.call(theta, kOff, kOff + 9 * s.c * layer.out) as number[];
      const r = convBackRef(x, dy, B, s.h, s.w, s.c, layer.out, k);
      g.set(r.dk, kOff);
      if (bOff !== null) for (let p = 0; p < B * s.h * s.w; p++) for (let j = 0; j < layer.out; j++) g[bOff + j] += dy[p * layer.out + j]!;
      dy = r.dx;
    } else if (layer.kind === 'relu') {
      const y = acts[l + 1]!;
      dy = dy.map((v, i) => (y[i]! > 0 ? v : 0));
    } else if (layer.kind === 'avgpool2') dy = poolBackRef(dy, B, s.h, s.w, s.c);
  }
  return g;
}

/** Float64 optimizer state (moments over all of θ, scalars as in the contract). */
export interface RefOptState {
  m: Float64Array;
  v: Float64Array;
  s: Float64Array;
  count: number;
  d: number;
  r: number;
}

/** A fresh optimizer state. */
export function refOptState(P: number, o: OptimizerConfig): RefOptState {
  return { m: new Float64Array(P), v: new Float64Array(P), s: new Float64Array(P), count: 0, d: o.d0, r: 0 };
}

/** One optimizer step on θ[0, n) in float64, transcribed from the task's formulas (spec §7.4 for DAdapt). */
export function optStepRef(o: OptimizerConfig, st: RefOptState, theta: Float64Array, g: ArrayLike<number>, n: number): void {
  const t = st.count + 1;
  if (o.kind === 'sgd') {
    for (let i = 0; i < n; i++) {
      st.m[i] = o.momentum * st.m[i]! + g[i]!;
      theta[i] -= o.lr * st.m[i]!;
    }
  } else if (o.kind === 'adam' || o.kind === 'adamw') {
    const wd = o.kind === 'adamw' ? o.weightDecay : 0;
    for (let i = 0; i < n; i++) {
      st.m[i] = o.beta1 * st.m[i]! + (1 - o.beta1) * g[i]!;
      st.v[i] = o.beta2 * st.v[i]! + (1 - o.beta2) * g[i]! * g[i]!;
      const mh = st.m[i]! / (1 - o.beta1 ** t);
      const vh = st.v[i]! / (1 - o.beta2 ** t);
      theta[i] -= o.lr * (mh / (Math.sqrt(vh) + o.eps) + wd * theta[i]!);
    }
  } else {
    const sb2 = Math.sqrt(o.beta2);
    const bc = Math.sqrt(1 - o.beta2 ** t) / (1 - o.beta1 ** t);
    const dlr = st.d * o.lr * bc;
    let num = 0;
    for (let i = 0; i < n; i++) num += g[i]! * (st.s[i]! / (Math.sqrt(st.v[i]!) + o.eps));
    let s1 = 0;
    for (let i = 0; i < n; i++) {
      st.m[i] = o.beta1 * st.m[i]! + (1 - o.beta1) * dlr * g[i]!;
      st.v[i] = o.beta2 * st.v[i]! + (1 - o.beta2) * g[i]! * g[i]!;
      st.s[i] = sb2 * st.s[i]! + (1 - sb2) * dlr * g[i]!;
      s1 += Math.abs(st.s[i]!);
      theta[i] = theta[i]! - st.m[i]! / (Math.sqrt(st.v[i]!) + o.eps) - o.weightDecay * dlr * theta[i]!;
    }
    st.r = sb2 * st.r + (1 - sb2) * dlr * num;
    if (s1 > 0) st.d = Math.max(st.d, st.r / ((1 - sb2) * s1));
  }
  st.count = t;
}
