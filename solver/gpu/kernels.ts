/**
 * The solver's hand-written WGSL kernels (except the two GEMMs, see gemm.ts), compiled through the
 * one pipeline cache (kernel.ts), and builders for their dispatches with parameters fixed at setup.
 * Each builder's params uniform is owned by the dispatch it returns (`Dispatch.owned`).
 */
import admmRhsSrc from '../../shaders/admm_rhs.wgsl?raw';
import andersonApplySrc from '../../shaders/anderson_apply.wgsl?raw';
import andersonDecideSrc from '../../shaders/anderson_decide.wgsl?raw';
import andersonGramSrc from '../../shaders/anderson_gram.wgsl?raw';
import andersonSolveSrc from '../../shaders/anderson_solve.wgsl?raw';
import andersonVectorsSrc from '../../shaders/anderson_vectors.wgsl?raw';
import axpbySrc from '../../shaders/axpby.wgsl?raw';
import blockDotSrc from '../../shaders/block_dot.wgsl?raw';
import combineSrc from '../../shaders/combine.wgsl?raw';
import dualNormsSrc from '../../shaders/dual_norms.wgsl?raw';
import groupProxSrc from '../../shaders/group_prox.wgsl?raw';
import metricsDkSrc from '../../shaders/metrics_dk.wgsl?raw';
import metricsNcSrc from '../../shaders/metrics_nc.wgsl?raw';
import metricsNkSrc from '../../shaders/metrics_nk.wgsl?raw';
import nysExpandSrc from '../../shaders/nys_expand.wgsl?raw';
import nysProjectSrc from '../../shaders/nys_project.wgsl?raw';
import pcgGateSrc from '../../shaders/pcg_gate.wgsl?raw';
import pcgScalarsSrc from '../../shaders/pcg_scalars.wgsl?raw';
import pcgStepSrc from '../../shaders/pcg_step.wgsl?raw';
import reduceFinalizeSrc from '../../shaders/reduce_finalize.wgsl?raw';
import slackDualSrc from '../../shaders/slack_dual.wgsl?raw';
import type { GpuContext } from './context';
import { dispatchOf, f32, paramsBuffer, programKernel, u32, type Dispatch, type Kernel, type ParamValue } from './kernel';

const SOURCES = {
  admmRhs: admmRhsSrc,
  andersonApply: andersonApplySrc,
  andersonDecide: andersonDecideSrc,
  andersonGram: andersonGramSrc,
  andersonSolve: andersonSolveSrc,
  andersonVectors: andersonVectorsSrc,
  axpby: axpbySrc,
  blockDot: blockDotSrc,
  combine: combineSrc,
  dualNorms: dualNormsSrc,
  groupProx: groupProxSrc,
  metricsDk: metricsDkSrc,
  metricsNc: metricsNcSrc,
  metricsNk: metricsNkSrc,
  nysExpand: nysExpandSrc,
  nysProject: nysProjectSrc,
  pcgGate: pcgGateSrc,
  pcgScalars: pcgScalarsSrc,
  pcgStep: pcgStepSrc,
  reduceFinalize: reduceFinalizeSrc,
  slackDual: slackDualSrc,
} as const;

/** Name of one of the solver's kernels. */
export type KernelName = keyof typeof SOURCES;

/** The compiled kernel `name` for `ctx` (compiled on first use, cached per device). */
export function kernel(ctx: GpuContext, name: KernelName): Kernel {
  return programKernel(ctx, { name, source: SOURCES[name] });
}

/** A dispatch of `name` with a params uniform from `fields` at binding 0, owned by the dispatch. */
function withParams(ctx: GpuContext, name: KernelName, fields: ParamValue[], buffers: GPUBuffer[], x: number, y: number, z: number): Dispatch {
  const params = paramsBuffer(ctx, fields, name);
  return dispatchOf(kernel(ctx, name), [params, ...buffers], x, y, z, [params]);
}

/** Workgroups per dimension used when folding a 1-D grid into 2-D. */
function fold(ctx: GpuContext, groupsNeeded: number): [number, number] {
  const max = ctx.adapter.maxComputeWorkgroupsPerDimension;
  if (groupsNeeded <= max) return [Math.max(1, groupsNeeded), 1];
  const y = Math.ceil(groupsNeeded / max);
  return [Math.ceil(groupsNeeded / y), y];
}

/**
 * A dispatch of an element-wise kernel over `count` items (256 per workgroup), with a params
 * uniform built from `fields` and `buffers` bound after it (binding 1, 2, …).
 */
export function elementwise(
  ctx: GpuContext,
  name: KernelName,
  fields: ParamValue[],
  buffers: GPUBuffer[],
  count: number,
): Dispatch {
  const [x, y] = fold(ctx, Math.ceil(count / 256));
  return withParams(ctx, name, fields, buffers, x, y, 1);
}

/** A dispatch with an explicit grid and params uniform at binding 0. */
export function gridDispatch(
  ctx: GpuContext,
  name: KernelName,
  fields: ParamValue[],
  buffers: GPUBuffer[],
  grid: [number, number, number],
): Dispatch {
  return withParams(ctx, name, fields, buffers, grid[0], grid[1], grid[2]);
}

/** y = a·x + b·y over `count` floats. */
export function axpby(ctx: GpuContext, x: GPUBuffer, y: GPUBuffer, a: number, b: number, count: number): Dispatch {
  return elementwise(ctx, 'axpby', [u32(count), f32(a), f32(b), u32(0)], [x, y], count);
}

/** Second-level reduction: out[dst + q] = Σ_g (or max_g when bit q of maxMask) partials[g·Q + q]. */
export function finalize(
  ctx: GpuContext,
  partials: GPUBuffer,
  G: number,
  Q: number,
  out: GPUBuffer,
  dst: number,
  maxMask = 0,
): Dispatch {
  return gridDispatch(ctx, 'reduceFinalize', [u32(G), u32(Q), u32(maxMask), u32(dst)], [partials, out], [Q, 1, 1]);
}

/** Number of first-level workgroups for a reduction over `count` items (≥ 4 items per thread). */
export function reductionGroups(count: number, maxGroups = 256): number {
  return Math.max(1, Math.min(maxGroups, Math.ceil(count / 1024)));
}
