/**
 * Thin helpers over WebGPU compute: storage buffers, uniform parameter blocks, pipelines from
 * WGSL programs, bind groups made once at setup, and read-backs. Every solver kernel goes through
 * these, so the per-iteration path only encodes dispatches.
 *
 * Shader modules are made in one place ({@link Kernel}), which prepends shaders/prelude.wgsl, and
 * pipelines come from one cache per device ({@link programKernel}), keyed by the program's name and
 * variant constants (the model: tfjs-backend-webgpu's webgpu_program.ts).
 */
import { throwIfGpuFailed, type GpuContext } from './context';
import { compiledSource } from './wgsl';

/** Storage buffer usable as kernel input/output, copy source and destination. */
export function storageBuffer(ctx: GpuContext, bytes: number, label: string): GPUBuffer {
  const size = Math.max(16, Math.ceil(bytes / 16) * 16);
  return ctx.device.createBuffer({
    label,
    size,
    usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST,
  });
}

/** A storage buffer filled with `data` (converted to float32). */
export function uploadF32(ctx: GpuContext, data: ArrayLike<number>, label: string): GPUBuffer {
  const buf = storageBuffer(ctx, data.length * 4, label);
  writeF32(ctx, buf, data);
  return buf;
}

/** Overwrites the start of `buf` with `data` as float32. */
export function writeF32(ctx: GpuContext, buf: GPUBuffer, data: ArrayLike<number>, offsetElems = 0): void {
  const f = data instanceof Float32Array ? data : Float32Array.from(data);
  ctx.device.queue.writeBuffer(buf, offsetElems * 4, f.buffer, f.byteOffset, f.byteLength);
}

/**
 * A range of a buffer bound in place of the whole buffer (row blocks of X and of the n-row
 * matrices). `offset` must be a multiple of minStorageBufferOffsetAlignment (256) and `size` of 16.
 */
export interface BufferView {
  buffer: GPUBuffer;
  offset: number;
  size: number;
}

/** What a kernel binding accepts: a whole buffer or a view of one. */
export type Binding = GPUBuffer | BufferView;

/** Kernel parameters: a 16-byte-aligned block of u32 and f32 fields, in declaration order. */
export type ParamValue = { u32: number } | { f32: number };

/** A uniform buffer holding `fields` in order (all 4-byte scalars). */
export function paramsBuffer(ctx: GpuContext, fields: ParamValue[], label: string): GPUBuffer {
  const n = Math.max(4, Math.ceil(fields.length / 4) * 4);
  const raw = new ArrayBuffer(n * 4);
  const u = new Uint32Array(raw);
  const f = new Float32Array(raw);
  fields.forEach((v, i) => {
    if ('u32' in v) u[i] = v.u32 >>> 0;
    else f[i] = v.f32;
  });
  const buf = ctx.device.createBuffer({ label, size: raw.byteLength, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST });
  ctx.device.queue.writeBuffer(buf, 0, raw);
  return buf;
}

/** Shorthand for u32 / f32 parameter fields. */
export const u32 = (v: number): ParamValue => ({ u32: v });
export const f32 = (v: number): ParamValue => ({ f32: v });

/**
 * A compiled compute pipeline with bind-group creation. This is the one place that creates shader
 * modules, so every shader (browser and Node alike) is compiled as `compiledSource` makes it: the
 * prelude, then the shader with its `@unroll` blocks expanded (wgsl.ts).
 */
export class Kernel {
  readonly pipeline: GPUComputePipeline;

  constructor(
    private readonly ctx: GpuContext,
    readonly label: string,
    code: string,
    constants: Record<string, number> = {},
    includes: readonly string[] = [],
  ) {
    const module = ctx.device.createShaderModule({ label, code: compiledSource(code, includes) });
    this.pipeline = ctx.device.createComputePipeline({
      label,
      layout: 'auto',
      compute: { module, entryPoint: 'main', constants },
    });
  }

  /** Bind group for group 0 with `buffers` (whole buffers or row-range views) at bindings 0, 1, 2, … */
  bind(buffers: Binding[]): GPUBindGroup {
    return this.ctx.device.createBindGroup({
      label: this.label,
      layout: this.pipeline.getBindGroupLayout(0),
      entries: buffers.map((b, binding) => ({ binding, resource: b instanceof GPUBuffer ? { buffer: b } : b })),
    });
  }

  /** Records one dispatch of this kernel into an open compute pass. */
  dispatch(pass: GPUComputePassEncoder, group: GPUBindGroup, x: number, y = 1, z = 1): void {
    pass.setPipeline(this.pipeline);
    pass.setBindGroup(0, group);
    pass.dispatchWorkgroups(x, y, z);
  }
}

/**
 * A compute program: one WGSL source (without the prelude) and the variant it is compiled as.
 * Every variant is a named pipeline-overridable constant of the shader (e.g. `X_VEC`, `LOAD`),
 * so one source serves all variants and the cache key says which one a pipeline is.
 */
export interface Program {
  /** Shader name (its file name without `.wgsl`); also the pipeline's label. */
  name: string;
  source: string;
  /** Values of the shader's `override` declarations; absent ones keep their WGSL defaults. */
  constants?: Record<string, number>;
  /**
   * Sources shared by a family of shaders, compiled between the prelude and `source` (fixed per
   * shader name, so not part of the cache key).
   */
  includes?: readonly string[];
}

/** Cache key of a program: name plus its constants in name order, so equal variants share a pipeline. */
export function programKey(program: Program): string {
  const c = program.constants ?? {};
  const flags = Object.keys(c)
    .sort()
    .map((k) => `${k}=${c[k]}`)
    .join(',');
  return `${program.name}|${flags}`;
}

/** What one device caches: pipelines by program key, and the shared placeholder buffer. */
interface DeviceCache {
  kernels: Map<string, Kernel>;
  placeholder: GPUBuffer | null;
}

/** Keyed by device, not context: two contexts on one device share pipelines. */
const deviceCaches = new WeakMap<GPUDevice, DeviceCache>();

function deviceCache(ctx: GpuContext): DeviceCache {
  let c = deviceCaches.get(ctx.device);
  if (!c) {
    c = { kernels: new Map(), placeholder: null };
    deviceCaches.set(ctx.device, c);
  }
  return c;
}

/** The pipeline of `program` on this context's device, compiled on first use (the one pipeline cache). */
export function programKernel(ctx: GpuContext, program: Program): Kernel {
  const cache = deviceCache(ctx).kernels;
  const key = programKey(program);
  let k = cache.get(key);
  if (!k) {
    k = new Kernel(ctx, program.name, program.source, program.constants, program.includes);
    cache.set(key, k);
  }
  return k;
}

/** Number of pipelines compiled on this context's device so far (for tests of the cache). */
export function cachedPipelineCount(ctx: GpuContext): number {
  return deviceCache(ctx).kernels.size;
}

/**
 * A 16-byte storage buffer bound where a kernel declares a binding its variant never touches. One
 * per device, owned by the device (freed with it), never written by any kernel.
 */
export function placeholderBuffer(ctx: GpuContext): GPUBuffer {
  const cache = deviceCache(ctx);
  if (!cache.placeholder) cache.placeholder = storageBuffer(ctx, 16, 'placeholder');
  return cache.placeholder;
}

/** A recorded dispatch: kernel + bind group + grid, replayable every iteration. */
export interface Dispatch {
  kernel: Kernel;
  group: GPUBindGroup;
  grid: [number, number, number];
  /** When set, the grid is read from this INDIRECT buffer at `offset` bytes (written on the GPU). */
  indirect?: { buffer: GPUBuffer; offset: number };
  /**
   * Buffers the builder allocated for this dispatch alone (its params uniform, scratch such as
   * split-K partials). Whoever keeps the dispatch frees them: {@link destroyDispatches}, or
   * `GpuResources.adopt`. Copies of a dispatch (`{ ...d }`) share this array, so freeing through
   * one copy empties it for all.
   */
  owned: GPUBuffer[];
}

/** Makes a {@link Dispatch}; `owned` lists the buffers made for it (freed with it). */
export function dispatchOf(kernel: Kernel, buffers: Binding[], x: number, y = 1, z = 1, owned: GPUBuffer[] = []): Dispatch {
  return { kernel, group: kernel.bind(buffers), grid: [x, y, z], owned };
}

/** Frees the buffers the dispatches own (idempotent: each list is emptied). The dispatches must not run again. */
export function destroyDispatches(list: readonly Dispatch[]): void {
  for (const d of list) {
    for (const b of d.owned) b.destroy();
    d.owned.length = 0;
  }
}

/** Records the dispatches, in order, into one compute pass (storage writes are visible between dispatches). */
export function encodeDispatches(pass: GPUComputePassEncoder, list: Dispatch[]): void {
  for (const d of list) {
    if (d.indirect) {
      pass.setPipeline(d.kernel.pipeline);
      pass.setBindGroup(0, d.group);
      pass.dispatchWorkgroupsIndirect(d.indirect.buffer, d.indirect.offset);
    } else {
      d.kernel.dispatch(pass, d.group, d.grid[0], d.grid[1], d.grid[2]);
    }
  }
}

/** Runs the dispatches in one submission. */
export function runDispatches(ctx: GpuContext, list: Dispatch[]): void {
  const enc = ctx.device.createCommandEncoder();
  const pass = enc.beginComputePass();
  encodeDispatches(pass, list);
  pass.end();
  ctx.device.queue.submit([enc.finish()]);
}

/** Copies `count` floats from `buf` (at `offsetElems`) back to the CPU. */
export async function readF32(ctx: GpuContext, buf: GPUBuffer, count: number, offsetElems = 0): Promise<Float32Array> {
  const bytes = Math.ceil((count * 4) / 4) * 4;
  const staging = ctx.device.createBuffer({ size: Math.max(4, bytes), usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
  const enc = ctx.device.createCommandEncoder();
  enc.copyBufferToBuffer(buf, offsetElems * 4, staging, 0, bytes);
  ctx.device.queue.submit([enc.finish()]);
  await staging.mapAsync(GPUMapMode.READ);
  const out = new Float32Array(staging.getMappedRange().slice(0));
  staging.unmap();
  staging.destroy();
  throwIfGpuFailed(ctx);
  return out;
}
