/**
 * Seeded minibatches of training rows. An epoch is ⌈n/B⌉ minibatches (B = min(batch, n)):
 *
 * - 'shuffle' (default): a fresh permutation each epoch, cut into batches of B, the last partial
 *   batch kept (scikit-learn's MLP; every row exactly once per epoch);
 * - 'replacement': every batch B independent uniform draws (the official code's `jrn.choice`).
 *
 * Each epoch's randomness is derived from (seed, epoch) alone, so the sampler's whole state is the
 * position {epoch, batch}: a saved run continues with the same batches.
 */
import { createRng, RNG_STREAM, type Rng } from '../rng';
import type { Sampling } from './types';

/** Where the sampler stands: the next batch is batch `batch` of epoch `epoch` (both from 0). */
export interface SamplerPosition {
  readonly epoch: number;
  readonly batch: number;
}

/** A 32-bit seed for epoch `epoch` of `seed` (murmur3's finaliser: nearby epochs give unrelated streams). */
export function epochSeed(seed: number, epoch: number): number {
  let h = (Math.trunc(seed) ^ Math.imul(epoch + 1, 0x9e3779b9)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b) >>> 0;
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35) >>> 0;
  return (h ^ (h >>> 16)) >>> 0;
}

/** A uniform index in [0, n). */
function draw(rng: Rng, n: number): number {
  return Math.min(n - 1, Math.floor(rng.uniform() * n));
}

/** A uniformly random permutation of 0…n−1 (Fisher–Yates). */
export function permutation(n: number, rng: Rng): Uint32Array {
  const p = new Uint32Array(n);
  for (let i = 0; i < n; i++) p[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = draw(rng, i + 1);
    const t = p[i];
    p[i] = p[j];
    p[j] = t;
  }
  return p;
}

/** The minibatch stream of one run. */
export class MinibatchSampler {
  /** Rows per full batch (the setting, at most n). */
  readonly batchSize: number;
  /** ⌈n / batchSize⌉. */
  readonly batchesPerEpoch: number;
  private epoch = 0;
  private batch = 0;
  /** The current epoch's permutation ('shuffle') or draw stream ('replacement'). */
  private perm: Uint32Array | null = null;
  private rng: Rng | null = null;

  constructor(
    readonly n: number,
    batch: number,
    readonly mode: Sampling,
    readonly seed: number,
  ) {
    if (!(Number.isInteger(n) && n >= 1)) throw new Error(`The sampler needs at least one training row, got n = ${n}.`);
    if (!(Number.isInteger(batch) && batch >= 1)) throw new Error(`The batch size ${batch} is not a whole number ≥ 1.`);
    this.batchSize = Math.min(batch, n);
    this.batchesPerEpoch = Math.ceil(n / this.batchSize);
  }

  /** The position of the next batch. */
  get position(): SamplerPosition {
    return { epoch: this.epoch, batch: this.batch };
  }

  /** Moves to `p` (from a saved state); throws when it is not a position of this sampler. */
  set position(p: SamplerPosition) {
    this.checkPosition(p);
    this.epoch = p.epoch;
    this.batch = p.batch;
    this.startEpoch();
    // Replacement draws are sequential: replay the ones of the batches already taken.
    if (this.rng) for (let k = 0; k < p.batch * this.batchSize; k++) this.rng.uniform();
  }

  /** Throws unless `p` is a position of this sampler (a saved state is user input). */
  checkPosition(p: SamplerPosition): void {
    if (!(Number.isInteger(p.epoch) && p.epoch >= 0 && Number.isInteger(p.batch) && p.batch >= 0 && p.batch < this.batchesPerEpoch)) {
      throw new Error(`The saved sampler position (epoch ${String(p.epoch)}, batch ${String(p.batch)}) is not valid for ${this.batchesPerEpoch} batches per epoch.`);
    }
  }

  /** Rows in batch `batch` of an epoch (the last may be partial). */
  sizeOf(batch: number): number {
    return this.mode === 'replacement' ? this.batchSize : Math.min(this.batchSize, this.n - batch * this.batchSize);
  }

  /** The next minibatch's row indices; moves to the next epoch after its last batch. */
  next(): Uint32Array {
    if (this.perm === null && this.rng === null) this.startEpoch();
    const size = this.sizeOf(this.batch);
    let rows: Uint32Array;
    if (this.mode === 'shuffle') {
      const start = this.batch * this.batchSize;
      rows = (this.perm as Uint32Array).slice(start, start + size);
    } else {
      const rng = this.rng as Rng;
      rows = new Uint32Array(size);
      for (let k = 0; k < size; k++) rows[k] = draw(rng, this.n);
    }
    this.batch += 1;
    if (this.batch === this.batchesPerEpoch) {
      this.batch = 0;
      this.epoch += 1;
      this.perm = null;
      this.rng = null;
    }
    return rows;
  }

  private startEpoch(): void {
    const rng = createRng(epochSeed(this.seed, this.epoch), RNG_STREAM.deepSampler);
    if (this.mode === 'shuffle') {
      this.perm = permutation(this.n, rng);
      this.rng = null;
    } else {
      this.perm = null;
      this.rng = rng;
    }
  }
}
