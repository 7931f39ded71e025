/**
 * TensorFlow Playground's 2-D classification sets (spiral, circles, XOR, two Gaussian blobs),
 * re-implemented after its src/dataset.ts but drawn from the seeded {@link createRng} stream
 * RNG_STREAM.data, so a seed reproduces the same points in every engine. Points live in the
 * Playground's domain [−6, 6]²; labels follow its colour convention (class 0 = orange = −1,
 * class 1 = blue = +1).
 */
import { createRng, RNG_STREAM, type Rng } from '../solver/rng';
import type { Dataset } from '../solver/types';

/** The four generators. */
export type SyntheticKind = 'spiral' | 'circles' | 'xor' | 'gaussian';

/** Every synthetic kind, in the order the page lists them. */
export const SYNTHETIC_KINDS: readonly SyntheticKind[] = ['spiral', 'circles', 'xor', 'gaussian'];

/** Half-width of the square the points are drawn in (the Playground's [−6, 6]² view). */
export const SYNTHETIC_DOMAIN = 6;

/** Largest noise level (the Playground's slider stops at 50 %). */
export const MAX_SYNTHETIC_NOISE = 0.5;

/** Options of {@link syntheticDataset}. */
export interface SyntheticOptions {
  /** Number of points (split evenly between the two classes); the Playground uses 500. */
  n?: number;
  /** Noise level in [0, 0.5] (the Playground's 0–50 % slider divided by 100). */
  noise: number;
  seed: number;
}

/** Class names per kind: index 0 is the −1 (orange) class, index 1 the +1 (blue) class. */
const CLASS_NAMES: Record<SyntheticKind, [string, string]> = {
  spiral: ['arm A', 'arm B'],
  circles: ['ring', 'disc'],
  xor: ['x·y < 0', 'x·y ≥ 0'],
  gaussian: ['blob (−2, −2)', 'blob (2, 2)'],
};

/** A point and its class (0 or 1). */
interface Point {
  x: number;
  y: number;
  label: 0 | 1;
}

/** Uniform in [a, b). */
function uniform(rng: Rng, a: number, b: number): number {
  return a + (b - a) * rng.uniform();
}

/** Two interleaved spiral arms; noise jitters each point by up to ±noise in both coordinates. */
function spiral(n: number, noise: number, rng: Rng): Point[] {
  const out: Point[] = [];
  const half = Math.floor(n / 2);
  const arm = (count: number, deltaT: number, label: 0 | 1): void => {
    for (let i = 0; i < count; i++) {
      const r = (i / count) * 5;
      const t = ((1.75 * i) / count) * 2 * Math.PI + deltaT;
      out.push({ x: r * Math.sin(t) + uniform(rng, -1, 1) * noise, y: r * Math.cos(t) + uniform(rng, -1, 1) * noise, label });
    }
  };
  arm(n - half, 0, 1);
  arm(half, Math.PI, 0);
  return out;
}

/**
 * A disc (radius < 2.5, class 1) inside a ring (3.5–5, class 0). As in the Playground the label
 * is decided after the noise is added, so noise blurs the boundary instead of mislabelling.
 */
function circles(n: number, noise: number, rng: Rng): Point[] {
  const radius = 5;
  const out: Point[] = [];
  const half = Math.floor(n / 2);
  const ring = (count: number, rMin: number, rMax: number): void => {
    for (let i = 0; i < count; i++) {
      const r = uniform(rng, rMin, rMax);
      const angle = uniform(rng, 0, 2 * Math.PI);
      const x = r * Math.sin(angle);
      const y = r * Math.cos(angle);
      const nx = uniform(rng, -radius, radius) * noise;
      const ny = uniform(rng, -radius, radius) * noise;
      const label = Math.hypot(x + nx, y + ny) < radius * 0.5 ? 1 : 0;
      out.push({ x, y, label });
    }
  };
  ring(n - half, 0, radius * 0.5);
  ring(half, radius * 0.7, radius);
  return out;
}

/** Uniform points off the axes (padding 0.3); class 1 where x·y ≥ 0 after the noise. */
function xor(n: number, noise: number, rng: Rng): Point[] {
  const padding = 0.3;
  const out: Point[] = [];
  for (let i = 0; i < n; i++) {
    let x = uniform(rng, -5, 5);
    x += x > 0 ? padding : -padding;
    let y = uniform(rng, -5, 5);
    y += y > 0 ? padding : -padding;
    const nx = uniform(rng, -5, 5) * noise;
    const ny = uniform(rng, -5, 5) * noise;
    out.push({ x, y, label: (x + nx) * (y + ny) >= 0 ? 1 : 0 });
  }
  return out;
}

/** Two isotropic Gaussians at (2, 2) (class 1) and (−2, −2) (class 0); noise widens them. */
function gaussian(n: number, noise: number, rng: Rng): Point[] {
  // The Playground maps noise 0…0.5 linearly to a variance of 0.5…4.
  const variance = 0.5 + (noise / MAX_SYNTHETIC_NOISE) * 3.5;
  const sd = Math.sqrt(variance);
  const out: Point[] = [];
  const half = Math.floor(n / 2);
  const blob = (count: number, c: number, label: 0 | 1): void => {
    for (let i = 0; i < count; i++) out.push({ x: c + sd * rng.normal(), y: c + sd * rng.normal(), label });
  };
  blob(n - half, 2, 1);
  blob(half, -2, 0);
  return out;
}

const GENERATORS: Record<SyntheticKind, (n: number, noise: number, rng: Rng) => Point[]> = { spiral, circles, xor, gaussian };

/**
 * A Playground-style 2-D dataset: n×2 features (`x1`, `x2`, in the [−6, 6]² domain, not
 * standardised) and labels 0/1. The same (kind, n, noise, seed) always gives the same rows.
 */
export function syntheticDataset(kind: SyntheticKind, opts: SyntheticOptions): Dataset {
  const n = opts.n ?? 500;
  if (!Number.isInteger(n) || n < 4) throw new RangeError(`a synthetic dataset needs an integer n ≥ 4, got ${n}`);
  if (!(opts.noise >= 0 && opts.noise <= MAX_SYNTHETIC_NOISE)) {
    throw new RangeError(`noise must be in [0, ${MAX_SYNTHETIC_NOISE}], got ${opts.noise}`);
  }
  const rng = createRng(opts.seed, RNG_STREAM.data);
  const points = GENERATORS[kind](n, opts.noise, rng);
  const X = new Float64Array(2 * n);
  const labels = new Int32Array(n);
  points.forEach((p, j) => {
    X[2 * j] = p.x;
    X[2 * j + 1] = p.y;
    labels[j] = p.label;
  });
  return { X, n, d: 2, labels, classNames: [...CLASS_NAMES[kind]], featureNames: ['x1', 'x2'] };
}
