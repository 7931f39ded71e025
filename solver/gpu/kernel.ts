/**
 * Thin helpers over WebGPU compute: storage buffers, uniform parameter blocks, pipelines from
 * WGSL sources, bind groups made once at setup, and read-backs. Every solver kernel goes through
 * these, so the per-iteration path only encodes dispatches.
 */
import { throwIfGpuFailed, type GpuContext } from './context';

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

/** A compiled compute pipeline with bind-group creation. */
export class Kernel {
  readonly pipeline: GPUComputePipeline;

  constructor(
    private readonly ctx: GpuContext,
    readonly label: string,
    code: string,
    constants: Record<string, number> = {},
  ) {
    const module = ctx.device.createShaderModule({ label, code });
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

/** A recorded dispatch: kernel + bind group + grid, replayable every iteration. */
export interface Dispatch {
  kernel: Kernel;
  group: GPUBindGroup;
  grid: [number, number, number];
  /** When set, the grid is read from this INDIRECT buffer at `offset` bytes (written on the GPU). */
  indirect?: { buffer: GPUBuffer; offset: number };
}

/** Makes a {@link Dispatch}. */
export function dispatchOf(kernel: Kernel, buffers: Binding[], x: number, y = 1, z = 1): Dispatch {
  return { kernel, group: kernel.bind(buffers), grid: [x, y, z] };
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
