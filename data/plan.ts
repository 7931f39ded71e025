/**
 * Will a dataset fit before anything is allocated? WebGPU caps each buffer binding
 * (maxStorageBufferBindingSize, often 128 MiB) and each buffer (maxBufferSize); a too-large
 * buffer fails late with an opaque validation error. X may be stored in row blocks across
 * several buffers (solver/gpu/rowblocks.ts), so only X's blocks must fit one binding each; every
 * other solver buffer (n×K products, slacks, sketch) is one buffer and must fit whole. When even
 * that fails, the plan names the limiting buffer and the largest n that fits, so the page can
 * offer a stratified subsample (subsample.ts) of exactly that size.
 */
import type { ModelKind } from '../solver/types';
import { formatCount } from './format';
import { largestFitting } from './search';
import { estimateGpuBuffers, formatBytes, totalBytes, type BufferEstimate, type BufferLimits } from './size';

/** Device limits the plan respects. */
export interface DatasetLimits extends BufferLimits {
  /** GPU memory the page may use in all (WebGPU does not report it; default: no total cap). */
  memoryBudget?: number;
}

/** How X is laid out on the GPU. */
export interface XLayout {
  /** float32 bytes of the n×d training X. */
  bytes: number;
  /** Buffers X needs (1 when it fits one binding). */
  blocks: number;
  /** Rows in each block but the last (n when blocks = 1). */
  rowsPerBlock: number;
}

/** What {@link planDataset} found. */
export interface DatasetPlan {
  fits: boolean;
  n: number;
  d: number;
  P: number;
  C: number;
  model: ModelKind;
  rank: number;
  testRows: number;
  /** min(maxStorageBufferBindingSize, maxBufferSize): the most one non-blocked buffer may hold. */
  bufferLimit: number;
  buffers: BufferEstimate[];
  /** All GPU buffers together. */
  totalBytes: number;
  /** The float64 data the Worker holds (X raw and standardised, labels), for a host-memory line. */
  hostBytes: number;
  x: XLayout;
  /** Why it does not fit (the buffer or the budget), null when it fits. */
  limitedBy: string | null;
  /** Largest training n that fits with everything else unchanged (n itself when it fits; 0 when none does). */
  maxRows: number;
  /** One paragraph for the UI: the sizes, the blocks, and what to do when it does not fit. */
  message: string;
}

/**
 * Rows per X block for d features under a binding limit. Must match rowsPerBlock in
 * solver/gpu/rowblocks.ts (a test checks): rows padded to 4 floats, blocks a multiple of 64 rows
 * so every block's view into an n-row output starts on a 256-byte boundary. 0 when not even 64
 * rows fit one binding.
 */
export function blockRows(d: number, bindingLimit: number): number {
  return Math.floor(bindingLimit / (4 * Math.ceil(d / 4) * 4) / 64) * 64;
}

/**
 * Plans the GPU memory of a training set of n rows, d features, P patterns, C outputs (1 for
 * binary and regression, else the number of classes), the model and the Nyström rank: the
 * buffers, how many row blocks X needs and their size, and, when it cannot fit, the largest n
 * that does. Pure arithmetic: nothing is allocated.
 */
export function planDataset(
  n: number,
  d: number,
  P: number,
  C: number,
  model: ModelKind,
  rank: number,
  limits: DatasetLimits,
  opts: { testRows?: number } = {},
): DatasetPlan {
  const testRows = opts.testRows ?? 0;
  const bindingLimit = limits.maxStorageBufferBindingSize;
  const bufferLimit = Math.min(bindingLimit, limits.maxBufferSize);
  const budget = limits.memoryBudget ?? Infinity;
  const perBlock = blockRows(d, bindingLimit);

  /** The reason n rows do not fit, or null. */
  const problemAt = (rows: number): { why: string; buffer: BufferEstimate | null } | null => {
    const buffers = estimateGpuBuffers(rows, d, P, C, model, rank, testRows);
    for (const b of buffers) {
      if (b.blockable) {
        if (b.bytes > bindingLimit && perBlock === 0) return { why: 'row', buffer: b };
        continue;
      }
      if (b.bytes > bufferLimit) return { why: 'buffer', buffer: b };
    }
    const total = totalBytes(buffers);
    return total > budget ? { why: 'budget', buffer: null } : null;
  };

  const buffers = estimateGpuBuffers(n, d, P, C, model, rank, testRows);
  const total = totalBytes(buffers);
  const xBytes = n * d * 4;
  const oneBlock = xBytes <= bindingLimit || perBlock === 0;
  const x: XLayout = oneBlock ? { bytes: xBytes, blocks: 1, rowsPerBlock: n } : { bytes: xBytes, blocks: Math.ceil(n / perBlock), rowsPerBlock: perBlock };
  const hostBytes = 2 * n * d * 8 + n * 8 + testRows * (d * 8 + 8);
  const problem = problemAt(n);
  const maxRows = problem === null ? n : largestFitting(n, (rows) => problemAt(rows) === null);

  let limitedBy: string | null = null;
  let message: string;
  const blocksLine =
    x.blocks > 1
      ? `X (${formatBytes(xBytes)}) is stored in ${x.blocks} row blocks of up to ${formatCount(x.rowsPerBlock)} rows, since one GPU buffer binding holds at most ${formatBytes(bindingLimit)}`
      : `X takes ${formatBytes(xBytes)} in one buffer`;
  if (problem === null) {
    message = `${formatCount(n)} rows × ${formatCount(d)} features fit: ${blocksLine}; the solver needs about ${formatBytes(total)} of GPU memory in all.`;
  } else {
    let why: string;
    if (problem.why === 'row') {
      limitedBy = 'one row of X';
      why = `one row of X has ${formatCount(d)} features, and not even 64 rows fit one GPU buffer binding of ${formatBytes(bindingLimit)}`;
    } else if (problem.why === 'buffer' && problem.buffer) {
      limitedBy = problem.buffer.name;
      why = `the ${problem.buffer.name} buffer needs ${formatBytes(problem.buffer.bytes)}, but one GPU buffer may hold at most ${formatBytes(bufferLimit)}`;
    } else {
      limitedBy = 'memory budget';
      why = `the solver needs about ${formatBytes(total)} of GPU memory, more than the ${formatBytes(budget)} this page allows itself`;
    }
    const fixes: string[] = [];
    if (maxRows > 0) fixes.push(`subsample to ${formatCount(maxRows)} training rows (stratified, seeded)`);
    fixes.push(`lower P (now ${P})`);
    if (limitedBy.startsWith('Nyström')) fixes.push(`lower the rank (now ${rank})`);
    if (problem.why === 'row') fixes.push('use fewer features (e.g. smaller images)');
    fixes.push('or run on the CPU');
    message =
      `${formatCount(n)} rows × ${formatCount(d)} features do not fit this GPU: ${why}. ` +
      (maxRows > 0 ? `The largest training set that fits is ${formatCount(maxRows)} rows. ` : 'No number of rows fits with these settings. ') +
      `To fit: ${fixes.join(', ')}.`;
  }
  return { fits: problem === null, n, d, P, C, model, rank, testRows, bufferLimit, buffers, totalBytes: total, hostBytes, x, limitedBy, maxRows, message };
}
