/**
 * Which PCG preconditioner a run uses (spec §5), and the block preconditioner's float64 algebra,
 * shared by the CPU and the WebGPU solver.
 *
 * The block preconditioner (spec §5.5) is M⁻¹ = I_K ⊗ (I + XᵀX)⁻¹: the same d×d matrix applied
 * to every column of the batched d×K variable. It is the exact inverse of the part I + GᵀG of
 * A(ρ) = I + FᵀF/ρ + GᵀG (GᵀG = I ⊗ XᵀX, spec §3), so it depends on X only: one factorisation per
 * problem serves every ρ, and a ρ change needs no rebuild.
 */
import { cholesky, gram, solveLower, solveLowerT } from './linalg';
import { initialRho, type ModelKind, type Problem, type SolverConfig } from './types';

/** The `preconditioner` setting: `auto` picks `block` where it applies and fits, else Nyström. */
export type PreconditionerSetting = 'auto' | 'block' | 'nystrom' | 'none';

/**
 * What a run's u-solve actually uses: a PCG preconditioner, or (`exact`, the CPU solver with few
 * rows, spec §5.6) no PCG at all but the exact Woodbury solve of solver/cpu/woodbury.ts, or
 * (`woodbury`, the GPU solver with few rows) PCG preconditioned by that same inverse of A(ρ),
 * applied in float32 (solver/gpu/woodbury.ts): PCG then only mops up float32 rounding.
 */
export type PreconditionerKind = 'block' | 'nystrom' | 'none' | 'exact' | 'woodbury';

/**
 * Most training rows for which `auto` on the float64 CPU solver replaces PCG by the exact
 * Woodbury u-solve (spec §5.6): its n×n factor is n³/3 flops (a few seconds in JavaScript at
 * 2048) and 8n² bytes twice (64 MiB at 2048), once per ρ.
 */
export const EXACT_MAX_ROWS = 2048;

/**
 * What a solver tells {@link resolvePreconditioner} so that `auto` may take the exact u-solve:
 * its rows, whether ρ stays fixed (no balancing, no race: every ρ change refactors the n×n core),
 * where it runs (`cpu`: the float64 solve itself; `gpu`: its float32 factors as PCG's
 * preconditioner) and, for the GPU's float32 bound, the initial ρ and an upper bound on the
 * core's top eigenvalue.
 */
export interface ExactSolveContext {
  rows: number;
  fixedRho: boolean;
  device: 'cpu' | 'gpu';
  rho: number;
  /** λmax(core) ≤ coreBound: 2P for ReLU (XHXᵀ ≺ I; the Hadamard product with DDᵀ scales by at most P), P·‖X‖_F² for gated ReLU (∞ without X). */
  coreBound: number;
}

/** What {@link exactSolveContext} reads of a problem (X only for gated ReLU's bound). */
export type ExactSolveProblem = Pick<Problem, 'n' | 'beta' | 'model'> & { X?: Float64Array };

/** The {@link ExactSolveContext} of a run with `config` on `problem`. */
export function exactSolveContext(
  config: Pick<SolverConfig, 'adaptiveRho' | 'rhoRace' | 'rho' | 'rhoBeta' | 'P'>,
  problem: ExactSolveProblem,
  device: 'cpu' | 'gpu',
): ExactSolveContext {
  let coreBound = 2 * config.P;
  if (problem.model !== 'relu') {
    // λmax(XXᵀ ∘ DDᵀ) ≤ max_j (DDᵀ)_jj · λmax(XXᵀ) ≤ P·‖X‖_F².
    let fro = 0;
    if (problem.X) for (const v of problem.X) fro += v * v;
    coreBound = problem.X ? config.P * fro : Infinity;
  }
  return { rows: problem.n, fixedRho: !config.adaptiveRho && !(config.rhoRace > 0), device, rho: initialRho(config, problem.beta), coreBound };
}

/**
 * Largest ε₃₂·κ for which the GPU takes the Woodbury preconditioner, κ = 1 + coreBound/ρ bounding
 * the condition number of ρI + core: in float32 its apply then errs by at most ~10% in the worst
 * direction, which PCG corrects in a few iterations (measured: 1–2 at ε₃₂·κ ≈ 4e-3). Gated
 * ReLU's core keeps XXᵀ's whole range: on the FMNIST bench slice at β = 1e-3 (ε₃₂·κ ≈ 57) its
 * apply cancelled to noise and PCG diverged.
 */
export const WOODBURY_GPU_MAX_ERROR = 0.1;

/** ε₃₂·(1 + coreBound/ρ): the float32 error bound of the GPU's Woodbury apply (see {@link WOODBURY_GPU_MAX_ERROR}). */
export function woodburyFloat32Error(coreBound: number, rho: number): number {
  return 2 ** -23 * (1 + coreBound / rho);
}

/** Bytes of the GPU's Woodbury factors: W = L⁻¹ of ρI + core, n×n in float32 (twice: W and Wᵀ). */
export function woodburyFactorBytes(n: number): number {
  return 4 * n * n;
}

/** The resolved choice and, for the page and the CLI, why it was made. */
export interface ResolvedPreconditioner {
  kind: PreconditionerKind;
  /** One sentence: what is used and, when the setting was not followed literally, why. */
  reason: string;
}

/**
 * Largest d for which `auto` picks the block preconditioner: its setup is one d×d Cholesky
 * (d³/3 flops, about a second in JavaScript at 2048) and its GPU apply a d×d·d×K product, ≈ 4Pd²
 * flops per class — small next to the X passes of A while d stays well below n.
 */
export const BLOCK_MAX_D = 2048;

/** Bytes of one factor of the block preconditioner on the GPU (d×d in float32; the GPU holds B = L⁻¹ and Bᵀ). */
export function blockPreconditionerBytes(d: number): number {
  return 4 * d * d;
}

/**
 * Resolves the setting for a problem with `d` features (spec §5.5). (Until issue 9's warm-start
 * residual fix, the GPU took Nyström when n < d; the drift that rule avoided was that residual's
 * float32 cancellation, and block now follows float64 there, spec §5.5.) The block preconditioner
 * needs GᵀG, i.e. the ReLU model: for gated ReLU, A = I + FᵀF/ρ has no ρ-independent block
 * part and block-Jacobi on FᵀF/ρ measured worse than plain CG, so `block` falls back to Nyström
 * there (and says so). `nystrom` with rank 0 is plain CG, as before the setting existed. `exact`
 * lets `auto` pick the exact u-solve where n is small and ρ fixed (spec §5.6): on the CPU the
 * solve itself, on the GPU its factors as PCG's preconditioner, where they fit one binding.
 */
export function resolvePreconditioner(
  config: Pick<SolverConfig, 'model' | 'rank' | 'preconditioner'>,
  d: number,
  maxBindingBytes = Infinity,
  exact?: ExactSolveContext,
): ResolvedPreconditioner {
  const nystrom = (why: string): ResolvedPreconditioner =>
    config.rank > 0 ? { kind: 'nystrom', reason: `Nyström, rank ${config.rank}${why}` } : { kind: 'none', reason: `plain CG (Nyström rank 0)${why}` };
  switch (config.preconditioner) {
    case 'none':
      return { kind: 'none', reason: 'plain CG (no preconditioner)' };
    case 'nystrom':
      return nystrom('');
    case 'block':
      if (!blockApplies(config.model)) return nystrom(': the block preconditioner needs the ReLU model (gated ReLU has no GᵀG)');
      return { kind: 'block', reason: `block (I + XᵀX)⁻¹, d = ${d}` };
    case 'auto': {
      // Every ρ change refactors the n×n core, so balancing or a race keeps PCG.
      if (exact && exact.fixedRho && exact.rows <= EXACT_MAX_ROWS) {
        const n = exact.rows;
        if (exact.device === 'cpu') {
          return { kind: 'exact', reason: `exact u-solve (Woodbury, one ${n}×${n} Cholesky; n = ${n} ≤ ${EXACT_MAX_ROWS}, auto on the CPU)` };
        }
        const fits = woodburyFactorBytes(n) <= maxBindingBytes;
        if (fits && woodburyFloat32Error(exact.coreBound, exact.rho) <= WOODBURY_GPU_MAX_ERROR) {
          return { kind: 'woodbury', reason: `the exact inverse of A, applied in float32 (Woodbury, one ${n}×${n} Cholesky in float64; n = ${n} ≤ ${EXACT_MAX_ROWS}, auto): PCG only corrects rounding` };
        }
      }
      if (!blockApplies(config.model)) return nystrom(' (auto: gated ReLU has no GᵀG block)');
      if (d > BLOCK_MAX_D) return nystrom(` (auto: d = ${d} > ${BLOCK_MAX_D} is too large for the block factorisation)`);
      if (blockPreconditionerBytes(d) > maxBindingBytes) return nystrom(` (auto: the d×d block of ${blockPreconditionerBytes(d)} bytes exceeds one GPU binding)`);
      return { kind: 'block', reason: `block (I + XᵀX)⁻¹, d = ${d} (auto)` };
    }
    default:
      throw new Error(`Unknown preconditioner "${String(config.preconditioner)}": use auto, block, nystrom or none.`);
  }
}

function blockApplies(model: ModelKind): boolean {
  return model === 'relu';
}

/**
 * Lower Cholesky factor L of I + XᵀX (d×d, row-major) for the n×d data X. I + XᵀX ⪰ I, so the
 * factorisation fails only on non-finite data, which gets a message saying so.
 */
export function blockFactor(X: Float64Array, n: number, d: number, gramX: Float64Array | null = null): Float64Array {
  const B = gramX ? Float64Array.from(gramX) : gram(X, n, d);
  for (let k = 0; k < d; k++) B[k * d + k] += 1;
  const L = cholesky(B, d);
  if (!L) throw new Error('I + XᵀX is not positive definite: the data contain NaN or ±∞ values; clean or standardise them.');
  return L;
}

/**
 * out = (L·Lᵀ)⁻¹·x for a d×cols row-major x (`out` may alias `x`). Column by column with two
 * triangular solves, in float64 (the CPU apply); columns with `columnActive(c)` false are left as they are.
 */
export function blockSolve(
  L: Float64Array,
  d: number,
  x: Float64Array,
  cols: number,
  out: Float64Array,
  work: Float64Array = new Float64Array(d),
  columnActive: (c: number) => boolean = () => true,
): Float64Array {
  for (let c = 0; c < cols; c++) {
    if (!columnActive(c)) continue;
    for (let k = 0; k < d; k++) work[k] = x[k * cols + c];
    solveLowerT(L, d, solveLower(L, d, work));
    for (let k = 0; k < d; k++) out[k * cols + c] = work[k];
  }
  return out;
}

/**
 * The inverse factor B = L⁻¹ of I + XᵀX = L·Lᵀ (d×d, row-major, lower triangular), so that
 * (I + XᵀX)⁻¹ = Bᵀ·B. The GPU applies the preconditioner in this factored form, z = Bᵀ(B·r): the
 * explicit inverse in float32 spans the whole condition number of I + XᵀX (1 to 1/λmax, 1e-5 on
 * 28×28 images with n < d) and its product loses the small directions to rounding, which stalled
 * ADMM on the GPU; each factor spans only its square root, and Bᵀ·B is symmetric positive
 * definite by construction.
 */
export function blockInverseFactor(L: Float64Array, d: number): Float64Array {
  // Column j of L⁻¹ solves L·b = e_j; its entries above j are 0, so the substitution starts at j.
  const B = new Float64Array(d * d);
  for (let j = 0; j < d; j++) {
    for (let i = j; i < d; i++) {
      let s = i === j ? 1 : 0;
      for (let t = j; t < i; t++) s -= L[i * d + t] * B[t * d + j];
      B[i * d + j] = s / L[i * d + i];
    }
  }
  return B;
}

/** The transpose of a d×d row-major matrix. */
export function transposeSquare(A: Float64Array, d: number): Float64Array {
  const T = new Float64Array(d * d);
  for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) T[j * d + i] = A[i * d + j];
  return T;
}
