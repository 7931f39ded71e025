/**
 * Colours. Two-class data uses TensorFlow Playground's orange (class 0, −1) and blue (class 1,
 * +1), which stay apart for the common colour-vision deficiencies; more classes use Paul Tol's
 * qualitative "bright" scheme. Scalar fields use a diverging orange–white–blue scale.
 */

/** An sRGB colour with 0–255 channels. */
export type Rgb = readonly [number, number, number];

/** Class 0 / negative. */
export const ORANGE: Rgb = [245, 147, 34];
/** Class 1 / positive. */
export const BLUE: Rgb = [8, 119, 189];
/** The middle of the diverging scale. */
export const NEUTRAL: Rgb = [232, 234, 235];

/** Paul Tol's "bright" scheme plus two greys for classes 7–8 and a dark for 9. */
const TOL: readonly Rgb[] = [
  [68, 119, 170],
  [238, 102, 119],
  [34, 136, 51],
  [204, 187, 68],
  [102, 204, 238],
  [170, 51, 119],
  [187, 187, 187],
  [119, 85, 51],
  [0, 68, 136],
  [51, 51, 51],
];

/** Colour of class `c` among `classes`. */
export function classColor(c: number, classes: number): Rgb {
  if (classes <= 2) return c === 0 ? ORANGE : BLUE;
  return TOL[c % TOL.length];
}

/** CSS `rgb()` of a colour, with optional alpha in [0, 1]. */
export function css(c: Rgb, alpha = 1): string {
  return alpha >= 1 ? `rgb(${c[0]}, ${c[1]}, ${c[2]})` : `rgba(${c[0]}, ${c[1]}, ${c[2]}, ${alpha})`;
}

/** Linear mix of two colours, t in [0, 1]. */
function mix(a: Rgb, b: Rgb, t: number): Rgb {
  return [Math.round(a[0] + (b[0] - a[0]) * t), Math.round(a[1] + (b[1] - a[1]) * t), Math.round(a[2] + (b[2] - a[2]) * t)];
}

/**
 * Diverging colour of v ∈ [−1, 1] (clamped; NaN is neutral): orange at −1, neutral at 0, blue
 * at +1, quantised to `shades` steps per side like the Playground's heatmap (0 = continuous).
 */
export function diverging(v: number, shades = 0): Rgb {
  if (!Number.isFinite(v)) return NEUTRAL;
  let t = Math.max(-1, Math.min(1, v));
  if (shades > 0) t = Math.round(t * shades) / shades;
  return t < 0 ? mix(NEUTRAL, ORANGE, -t) : mix(NEUTRAL, BLUE, t);
}
