/**
 * The one list of the WebGPU solver's buffers. `GpuBackend.allocate()` (solver/gpu/backend.ts)
 * creates its buffers from it, and the memory plan (gpuMemoryPlan here, estimateGpuBuffers in
 * data/size.ts, hence data/plan.ts, the CLI's size check and the Worker's memory report) sums
 * it, so what is reported is what is allocated (tests/solver/gpu/state.test.ts measures it).
 *
 * Buffers created inside GpuPcg, GpuNystrom (persistent) and GpuNystrom.rebuild (the sketch,
 * alive only while the preconditioner is rebuilt) are listed with their owner so the totals
 * count them; their sizes must follow pcg.ts and nystrom.ts. Left out: the uniform parameter
 * blocks of the kernel builders, the PCG gate's indirect arguments (a few bytes per dispatch)
 * and the kernel layer's own scratch (gemm.ts).
 */
import { DEFAULT_CONFIG, type ModelKind, type SolverConfig } from '../types';
import { effectiveRank } from '../nystrom-core';
import { exactSolveContext, resolvePreconditioner, type PreconditionerKind, type PreconditionerSetting } from '../preconditioner';

// This module is imported by data/size.ts in pages and the CLI without WebGPU, so it must not
// import the kernel modules (they load WGSL sources). The three facts it needs from them are
// mirrored here; tests/solver/gpu/state.test.ts checks the list against real allocations.

/** Rows per X block under a binding limit (solver/gpu/rowblocks.ts rowsPerBlock, same error). */
function rowsPerBlock(d: number, maxBindingBytes: number): number {
  const rows = Math.floor(maxBindingBytes / (4 * Math.ceil(d / 4) * 4) / 64) * 64;
  if (rows < 64) {
    throw new Error(`One row of X has ${d} features (${4 * d} bytes); 64 rows do not fit in one GPU binding of ${maxBindingBytes} bytes. Reduce the number of features.`);
  }
  return rows;
}

/** Per-class PCG state floats (solver/gpu/pcg.ts PCG_STATE_FLOATS). */
const PCG_STATE = 8;

/** Workgroups of a first-level reduction over `count` elements (solver/gpu/kernels.ts reductionGroups). */
function reductionGroups(count: number, maxGroups = 256): number {
  return Math.max(1, Math.min(maxGroups, Math.ceil(count / 1024)));
}

/**
 * Anderson acceleration on the GPU (solver/gpu/anderson.ts): its memory `m` and the binding limit
 * it must fit under. Its ring is one buffer, so when it does not fit the solver runs without it.
 */
export interface AndersonPlan {
  memory: number;
  maxBindingBytes: number;
}

/** Floats of the Anderson state (solver/gpu/anderson.ts AA): 16 scalars, γ, ΔGᵀg, the Gram and its factor. */
export function andersonStateFloats(m: number): number {
  return 16 + 2 * m + 2 * m * m;
}

/**
 * Floats of the Anderson memory [x | f | g | ΔF (m) | ΔG (m)] for a problem with these
 * dimensions (N = |ζ| = d·K, plus n·K for ReLU), or 0 when it is off or would not fit in one
 * binding of `plan.maxBindingBytes`.
 */
export function andersonMemoryFloats(dims: BufferDims, plan: AndersonPlan): number {
  if (!(plan.memory > 0)) return 0;
  const K = dims.C * (dims.model === 'relu' ? 2 : 1) * dims.P;
  const N = dims.d * K + (dims.model === 'relu' ? dims.n * K : 0);
  const floats = (3 + 2 * plan.memory) * N;
  return storageBytes(floats) <= plan.maxBindingBytes ? floats : 0;
}

/** Who creates a buffer: the ADMM backend itself, GpuPcg, GpuNystrom, or GpuNystrom.rebuild (transient). */
export type BufferOwner = 'admm' | 'pcg' | 'nystrom' | 'sketch' | 'block' | 'woodbury';

/** One GPU buffer (or, with `copies`, several of the same size) of the solver. */
export interface GpuBufferSpec {
  /** Name in the backend (allocate() looks buffers up by it). */
  key: string;
  /** Human-readable name with its shape (shown in size errors and the memory report). */
  name: string;
  /** Float32 elements (before rounding up to 16 bytes). */
  floats: number;
  /** Bytes actually allocated per copy (16-byte rounding; X and test X: the sum of their row blocks). */
  bytes: number;
  owner: BufferOwner;
  /** X or the test X, stored in row blocks, so not bound by the one-buffer limit. */
  blockable?: boolean;
  /** Number of buffers of this size (default 1). */
  copies?: number;
  /** Not a storage buffer (the status staging buffer is MAP_READ, the ADMM scalars a uniform). */
  usage?: 'staging' | 'uniform';
}

/** The problem dimensions the buffer list depends on. */
export interface BufferDims {
  n: number;
  d: number;
  P: number;
  C: number;
  model: ModelKind;
}

/** Offsets in the status buffer (f32), filled by the metric reductions each step. */
export const ST = { dk: 0, nk: 5, fit: 10, fitV: 13, test: 16, size: 19 } as const;
/** Quantities per fit reduction (metrics_nc.wgsl): ‖F − Y‖², correct rows, ⟨F − Y, Y⟩. */
export const FIT_Q = 3;

/** Bytes that storageBuffer() allocates for `floats` float32 values (at least 16, a multiple of 16). */
export function storageBytes(floats: number): number {
  return Math.max(16, Math.ceil((floats * 4) / 16) * 16);
}

/** Bytes of an n×d matrix uploaded in row blocks under `maxBlockBytes` (solver/gpu/rowblocks.ts). */
export function rowBlockBytes(n: number, d: number, maxBlockBytes: number): { bytes: number; blocks: number } {
  const per = n * d * 4 <= maxBlockBytes ? n : rowsPerBlock(d, maxBlockBytes);
  let bytes = 0;
  let blocks = 0;
  for (let row0 = 0; row0 < n; row0 += per) {
    bytes += storageBytes(Math.min(per, n - row0) * d);
    blocks++;
  }
  return { bytes, blocks };
}

/**
 * Every buffer of a GPU solver for these dimensions, Nyström rank, test rows and resolved
 * preconditioner (solver/preconditioner.ts), with X split under `maxBlockBytes` (Infinity: one
 * block), and the Anderson buffers of `anderson`. K = C·S·P columns (S = 2 ReLU, 1 gated). Without Nyström the solver keeps a rank-0
 * GpuNystrom (its placeholder buffers), so the plan does too.
 */
export function gpuBufferSpecs(
  dims: BufferDims,
  rank: number,
  testRows: number,
  maxBlockBytes = Infinity,
  precond: PreconditionerKind = 'nystrom',
  anderson: AndersonPlan = { memory: 0, maxBindingBytes: Infinity },
): GpuBufferSpec[] {
  const { n, d, P, C, model } = dims;
  const relu = model === 'relu';
  const S = relu ? 2 : 1;
  // Clamped as the solvers clamp it (a rank above S·d·P cannot be sketched).
  rank = precond === 'nystrom' ? effectiveRank(rank, S * d * P) : 0;
  const K = C * S * P;
  const dK = d * K;
  const nK = n * K;
  const N = S * d * P;
  const list: GpuBufferSpec[] = [];
  const add = (key: string, name: string, floats: number, owner: BufferOwner = 'admm', extra: Partial<GpuBufferSpec> = {}): void => {
    list.push({ key, name, floats, bytes: storageBytes(floats), owner, ...extra });
  };
  const x = rowBlockBytes(n, d, maxBlockBytes);
  list.push({ key: 'X', name: `X (n×d = ${n}×${d})`, floats: n * d, bytes: x.bytes, owner: 'admm', blockable: true });
  add('D', `patterns D (n×P = ${n}×${P})`, n * P);
  add('Y', `targets Y (n×C = ${n}×${C})`, n * C);
  add('Z', `X·U (n×K = ${n}×${K})`, nK);
  add('R', `X·U scratch of A (n×K = ${n}×${K})`, nK);
  if (relu) {
    add('S', `slack s (n×K = ${n}×${K})`, nK);
    add('Nu', `dual ν (n×K = ${n}×${K})`, nK);
    add('GU', `Gu (n×K = ${n}×${K})`, nK);
  }
  for (const [key, what] of [
    ['U', 'u'], ['V', 'v'], ['Vprev', 'v_prev'], ['Lam', 'λ'], ['Fty', 'Fᵀy'],
    ['GtS', 'Gᵀs'], ['GtSprev', 'Gᵀs_prev'], ['GtNu', 'Gᵀν'], ['r', 'PCG r'],
  ] as const) {
    add(key, `${what} (d×K = ${d}×${K})`, dK);
  }
  add('Fu', `F·u (n×C = ${n}×${C})`, n * C);
  add('Fv', `F·v (n×C = ${n}×${C})`, n * C);
  add('zres', `Fu − Y (n×C = ${n}×${C})`, n * C);
  add('colnorm', `column norms (2K = ${2 * K})`, 2 * K);
  add('dualnorm', `dual column norms (K = ${K})`, K);
  add('status', `status (${ST.size})`, ST.size);
  const Gdk = reductionGroups(dK);
  const Gnk = reductionGroups(nK);
  const Gn = reductionGroups(n);
  add('partialsDk', `reduction partial sums d×K (${Gdk} groups × 5)`, Gdk * 5);
  add('partialsNk', `reduction partial sums n×K (${Gnk} groups × 5)`, Gnk * 5);
  add('partialsFit', `reduction partial sums F·u (${Gn} groups × ${FIT_Q})`, Gn * FIT_Q);
  add('partialsFitV', `reduction partial sums F·v (${Gn} groups × ${FIT_Q})`, Gn * FIT_Q);
  const readBack = ST.size + 3 * K + PCG_STATE * C;
  list.push({ key: 'staging', name: `status staging (${readBack})`, floats: readBack, bytes: readBack * 4, owner: 'admm', usage: 'staging' });
  list.push({ key: 'admm', name: 'ADMM scalars ρ, β/ρ, tolerance', floats: 4, bytes: 16, owner: 'admm', usage: 'uniform' });
  if (testRows > 0) {
    const xt = rowBlockBytes(testRows, d, maxBlockBytes);
    list.push({ key: 'Xtest', name: `test X (${testRows}×${d})`, floats: testRows * d, bytes: xt.bytes, owner: 'admm', blockable: true });
    if (!relu) add('Dtest', `test patterns (${testRows}×${P})`, testRows * P);
    add('Ytest', `test targets (${testRows}×${C})`, testRows * C);
    add('Ztest', `test X·U (${testRows}×${K})`, testRows * K);
    add('Ftest', `test outputs (${testRows}×${C})`, testRows * C);
    const Gt = reductionGroups(testRows);
    add('partialsFitTest', `reduction partial sums test (${Gt} groups × ${FIT_Q})`, Gt * FIT_Q);
  }
  // Anderson acceleration (solver/gpu/anderson.ts), when on and its ring fits one binding.
  const aaFloats = andersonMemoryFloats(dims, anderson);
  if (aaFloats > 0) {
    const m = anderson.memory;
    const N = aaFloats / (3 + 2 * m);
    add('aaMem', `Anderson memory x, f, g, ΔF, ΔG ((3 + 2·${m})×${N})`, aaFloats);
    add('aaState', `Anderson state (m = ${m})`, andersonStateFloats(m));
    add('aaPartials', `Anderson residual partial sums (${reductionGroups(N)} groups)`, reductionGroups(N));
    // Gated: the apply kernel binds s and ν read-write, so it needs two distinct placeholders.
    if (!relu) add('aaSpare', 'Anderson placeholder (gated)', 4);
  }
  // GpuPcg (solver/gpu/pcg.ts).
  add('pcgState', `PCG state (${C}×${PCG_STATE})`, C * PCG_STATE, 'pcg');
  add('pcgVectors', `PCG p, w, z (each d×K = ${d}×${K})`, dK, 'pcg', { copies: 3 });
  add('pcgDots', `PCG dots (2×${C})`, 2 * C, 'pcg');
  const Gp = reductionGroups(d * S * P, 64);
  add('pcgPartials', `PCG partial sums (${Gp} groups × 2×${C})`, Gp * 2 * C, 'pcg');
  // GpuNystrom (solver/gpu/nystrom.ts).
  add('nysU', `Nyström factor (S·d·P×rank = ${N}×${rank})`, Math.max(1, N * rank), 'nystrom');
  add('nysCoef', `Nyström coefficients (${rank})`, Math.max(1, rank), 'nystrom');
  add('nysT', `Nyström Uᵀx (rank×C = ${rank}×${C})`, Math.max(1, rank * C), 'nystrom');
  if (rank > 0) {
    // GpuNystrom.rebuild: A·Ω as one batched product with rank·S·P columns.
    const Ks = rank * S * P;
    add('sketchOmega', `Nyström test matrix Ω (d×rank·S·P = ${d}×${Ks})`, d * Ks, 'sketch');
    add('sketchY', `Nyström sketch A·Ω (d×rank·S·P = ${d}×${Ks})`, d * Ks, 'sketch');
    add('sketchZR', `Nyström sketch scratch (n×rank·S·P = ${n}×${Ks})`, n * Ks, 'sketch', { copies: 2 });
  }
  // GpuBlockPreconditioner (solver/gpu/block.ts): the factor B = L⁻¹ of (I + XᵀX)⁻¹ = BᵀB, its transpose, and B·r.
  // The Woodbury inverse (solver/gpu/woodbury.ts) applies H through them too (ReLU).
  if (precond === 'block' || (precond === 'woodbury' && relu)) {
    add('blockB', `block preconditioner factors B = L⁻¹ and Bᵀ (each d×d = ${d}×${d})`, d * d, 'block', { copies: 2 });
    add('blockT', `block preconditioner B·r (d×K = ${d}×${K})`, dK, 'block');
  }
  // GpuWoodburyPreconditioner (solver/gpu/woodbury.ts): W = L⁻¹ of ρI + core and Wᵀ, H·x, X·y, F·y and W·F·y.
  if (precond === 'woodbury') {
    add('woodburyW', `Woodbury factors W = L⁻¹ and Wᵀ (each n×n = ${n}×${n})`, n * n, 'woodbury', { copies: 2 });
    if (relu) add('woodburyY', `Woodbury H·x (d×K = ${d}×${K})`, dK, 'woodbury');
    add('woodburyZ', `Woodbury X·y (n×K = ${n}×${K})`, nK, 'woodbury');
    add('woodburyT', `Woodbury F·y and W·F·y (each n×C = ${n}×${C})`, n * C, 'woodbury', { copies: 2 });
  }
  return list;
}

/** Total bytes of a buffer list, every copy counted. */
export function specTotalBytes(list: GpuBufferSpec[]): number {
  return list.reduce((s, b) => s + b.bytes * (b.copies ?? 1), 0);
}

/**
 * Memory the solver needs on the GPU, from {@link gpuBufferSpecs}: the largest single binding
 * (X is split into row blocks, so only its block counts), the number of row blocks of X, and the
 * total (the sketch buffers included: they are alive while the preconditioner is built).
 */
export function gpuMemoryPlan(
  problem: BufferDims & { beta?: number; X?: Float64Array },
  config: { rank: number; preconditioner?: PreconditionerSetting; anderson?: number } & Partial<Pick<SolverConfig, 'adaptiveRho' | 'rhoRace' | 'rho' | 'rhoBeta' | 'P'>>,
  testRows: number,
  maxBindingBytes = Infinity,
): { largestBinding: number; xBlocks: number; total: number } {
  // Without a setting: Nyström, what the plan meant before the setting existed.
  // The solver's own context (solver/gpu/backend.ts); fields a caller leaves out take the defaults.
  const exact = exactSolveContext({ ...DEFAULT_CONFIG, ...config, P: problem.P }, { n: problem.n, beta: problem.beta ?? DEFAULT_CONFIG.beta, model: problem.model, X: problem.X }, 'gpu');
  const kind = config.preconditioner ? resolvePreconditioner({ model: problem.model, rank: config.rank, preconditioner: config.preconditioner }, problem.d, maxBindingBytes, exact).kind : 'nystrom';
  const list = gpuBufferSpecs(problem, config.rank, testRows, maxBindingBytes, kind, { memory: config.anderson ?? 0, maxBindingBytes });
  const xBlocks = rowBlockBytes(problem.n, problem.d, maxBindingBytes).blocks;
  const largestBinding = Math.max(
    ...list.filter((b) => b.usage === undefined).map((b) => (b.blockable ? Math.min(b.bytes, maxBindingBytes) : b.bytes)),
  );
  return { largestBinding, xBlocks, total: specTotalBytes(list) };
}
