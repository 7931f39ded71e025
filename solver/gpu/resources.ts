/**
 * Ownership of GPU buffers. Every buffer the solver allocates has exactly one owner that frees it:
 * a {@link GpuResources} (the solver, a PCG instance, a Nyström factor, one sketch) or, for the
 * small per-dispatch buffers a kernel builder makes (params uniforms, split-K partials), the
 * {@link Dispatch} itself (`Dispatch.owned`) until an owner adopts it. The live count and bytes
 * are what leak checks compare before and after.
 */
import type { GpuContext } from './context';
import { paramsBuffer, storageBuffer, uploadF32, type Dispatch, type ParamValue } from './kernel';

/** A set of GPU buffers freed together by {@link GpuResources.destroy}. */
export class GpuResources {
  private readonly live = new Set<GPUBuffer>();
  private bytes = 0;

  constructor(
    readonly ctx: GpuContext,
    readonly label = 'gpu resources',
  ) {}

  /** A storage buffer of at least `bytes` (see storageBuffer), owned here. */
  buffer(bytes: number, label: string): GPUBuffer {
    return this.adopt(storageBuffer(this.ctx, bytes, label));
  }

  /** A storage buffer filled with `data` as float32, owned here. */
  upload(data: ArrayLike<number>, label: string): GPUBuffer {
    return this.adopt(uploadF32(this.ctx, data, label));
  }

  /** A uniform buffer holding `fields` (see paramsBuffer), owned here. */
  uniform(fields: ParamValue[], label: string): GPUBuffer {
    return this.adopt(paramsBuffer(this.ctx, fields, label));
  }

  /** Any other buffer (staging, indirect arguments, a writable uniform), owned here. */
  create(descriptor: GPUBufferDescriptor): GPUBuffer {
    return this.adopt(this.ctx.device.createBuffer(descriptor));
  }

  /** Takes ownership of `buf` (made elsewhere); adopting twice is a no-op. */
  adopt(buf: GPUBuffer): GPUBuffer {
    if (!this.live.has(buf)) {
      this.live.add(buf);
      this.bytes += buf.size;
    }
    return buf;
  }

  /**
   * Takes ownership of what the dispatches own (their params uniforms and scratch), so they can be
   * replayed until {@link destroy}; returns the list for chaining.
   */
  adoptDispatches<T extends readonly Dispatch[]>(list: T): T {
    for (const d of list) {
      for (const b of d.owned) this.adopt(b);
      d.owned.length = 0;
    }
    return list;
  }

  /** Frees one buffer now (it must be owned here). */
  release(buf: GPUBuffer): void {
    if (!this.live.delete(buf)) throw new Error(`${this.label}: ${buf.label || 'buffer'} is not owned here`);
    this.bytes -= buf.size;
    buf.destroy();
  }

  /** Buffers owned and not yet freed. */
  get liveBuffers(): number {
    return this.live.size;
  }

  /** Bytes of the buffers owned and not yet freed. */
  get liveBytes(): number {
    return this.bytes;
  }

  /** Frees every owned buffer; the owner stays usable (empty) afterwards. */
  destroy(): void {
    for (const b of this.live) b.destroy();
    this.live.clear();
    this.bytes = 0;
  }
}
