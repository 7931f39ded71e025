/**
 * Conversions between the solver's batched variable layout and the spec's flat per-class vector.
 *
 * Batched ("d×K") layout: a row-major d × (B·S·P) matrix whose column (b·S + s)·P + i, row k holds
 * coordinate k of neuron i, sign block s, of block b (a class, or a Nyström sketch column).
 * Flat layout (official flattening of the (S, d, P) tensor, spec §3): index s·dP + k·P + i of a
 * vector of length N = S·d·P. A set of B flat vectors is stored as a row-major N×B matrix.
 */

/** Flat index of coordinate k of neuron i in sign block s (spec §3: s·dP + k·P + i). */
export function flatIndex(d: number, P: number, s: number, k: number, i: number): number {
  return s * d * P + k * P + i;
}

/** Column of neuron i, sign block s, block b in the batched layout. */
export function batchColumn(S: number, P: number, b: number, s: number, i: number): number {
  return (b * S + s) * P + i;
}

/**
 * The correspondence every conversion walks, for block b: for each sign s and row k, the run of P
 * neurons that starts at `batch` in the batched matrix and at `flat` = s·dP + k·P in the block's
 * flat vector (both with stride 1 over the neurons i).
 */
function forEachRun(d: number, P: number, S: number, B: number, b: number, visit: (batch: number, flat: number) => void): void {
  const K = B * S * P;
  for (let s = 0; s < S; s++) {
    const c0 = (b * S + s) * P;
    for (let k = 0; k < d; k++) visit(k * K + c0, s * d * P + k * P);
  }
}

/**
 * Batched d×(B·S·P) → flat N×B (row-major; column b is the flat vector of block b).
 */
export function batchToFlat(
  M: Float64Array,
  d: number,
  P: number,
  S: number,
  B: number,
  out: Float64Array = new Float64Array(S * d * P * B),
): Float64Array {
  for (let b = 0; b < B; b++) {
    // Flat entry f of block b is row f, column b of the N×B matrix.
    forEachRun(d, P, S, B, b, (batch, flat) => {
      for (let i = 0; i < P; i++) out[(flat + i) * B + b] = M[batch + i];
    });
  }
  return out;
}

/** Flat N×B → batched d×(B·S·P); the inverse of {@link batchToFlat}. */
export function flatToBatch(
  F: Float64Array,
  d: number,
  P: number,
  S: number,
  B: number,
  out: Float64Array = new Float64Array(d * B * S * P),
): Float64Array {
  for (let b = 0; b < B; b++) {
    forEachRun(d, P, S, B, b, (batch, flat) => {
      for (let i = 0; i < P; i++) out[batch + i] = F[(flat + i) * B + b];
    });
  }
  return out;
}

/** Copies block b of a batched d×(B·S·P) matrix into a flat vector of length N = S·d·P. */
export function blockToFlat(
  M: Float64Array,
  d: number,
  P: number,
  S: number,
  B: number,
  b: number,
  out: Float64Array = new Float64Array(S * d * P),
): Float64Array {
  forEachRun(d, P, S, B, b, (batch, flat) => {
    for (let i = 0; i < P; i++) out[flat + i] = M[batch + i];
  });
  return out;
}

/** Writes a flat vector of length N = S·d·P into block b of a batched d×(B·S·P) matrix. */
export function flatToBlock(
  x: Float64Array,
  d: number,
  P: number,
  S: number,
  B: number,
  b: number,
  out: Float64Array,
): Float64Array {
  forEachRun(d, P, S, B, b, (batch, flat) => {
    for (let i = 0; i < P; i++) out[batch + i] = x[flat + i];
  });
  return out;
}
