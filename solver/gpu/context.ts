/**
 * One GPU context for the browser (page or Web Worker: `navigator.gpu`) and Node (dawn.node,
 * see node-gpu.ts). Requests the adapter's maximum limits so large problems fit, and records
 * what the UI and the error messages need to know about the adapter.
 */

/** Adapter facts shown in the GPU panel and used to size problems. */
export interface AdapterSummary {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
  /** 'core' or 'compatibility' when the adapter says so. */
  featureLevel: string;
  features: string[];
  maxStorageBufferBindingSize: number;
  maxBufferSize: number;
  maxComputeWorkgroupStorageSize: number;
  maxComputeInvocationsPerWorkgroup: number;
  maxComputeWorkgroupsPerDimension: number;
  maxStorageBuffersPerShaderStage: number;
}

/** A device plus what was learnt about its adapter. */
export interface GpuContext {
  device: GPUDevice;
  adapter: AdapterSummary;
  hasTimestamps: boolean;
  /** Set when the device was lost; every later call should fail with this message. */
  lostReason: string | null;
  /** Live GPU buffers of this device (created and not yet destroyed), for the leak checks. */
  buffers: BufferCensus;
  /** Uncaptured WebGPU errors (validation, out-of-memory) since the last {@link throwIfGpuFailed}. */
  errors: string[];
  destroy(): void;
}

/** Thrown when no usable WebGPU adapter or device exists; callers fall back to the CPU solver. */
export class WebGpuUnavailableError extends Error {
  override name = 'WebGpuUnavailableError';
}

const LIMIT_NAMES = [
  'maxStorageBufferBindingSize',
  'maxBufferSize',
  'maxComputeWorkgroupStorageSize',
  'maxComputeInvocationsPerWorkgroup',
  'maxComputeWorkgroupSizeX',
  'maxComputeWorkgroupSizeY',
  'maxComputeWorkgroupsPerDimension',
  'maxStorageBuffersPerShaderStage',
  'maxBindGroups',
] as const;

/** The WebGPU entry point of this environment, or null (browser without WebGPU, or Node). */
export function browserGpu(): GPU | null {
  const nav = (globalThis as { navigator?: { gpu?: GPU } }).navigator;
  return nav?.gpu ?? null;
}

/** Requests a high-performance adapter and a device with the adapter's maximum limits. */
export async function createGpuContext(gpu: GPU | null = browserGpu()): Promise<GpuContext> {
  if (!gpu) throw new WebGpuUnavailableError('WebGPU is not available here (navigator.gpu is missing).');
  // Compatibility-level adapters (OpenGL ES, older D3D) are only returned when asked for; the
  // solver's kernels stay within compatibility limits, so they are an acceptable second choice.
  const adapter =
    (await gpu.requestAdapter({ powerPreference: 'high-performance' })) ??
    (await gpu.requestAdapter({ powerPreference: 'high-performance', featureLevel: 'compatibility' } as GPURequestAdapterOptions));
  if (!adapter) throw new WebGpuUnavailableError('WebGPU is present but no GPU adapter was found.');
  const requiredLimits: Record<string, number> = {};
  for (const name of LIMIT_NAMES) {
    const v = (adapter.limits as unknown as Record<string, number | undefined>)[name];
    if (typeof v === 'number') requiredLimits[name] = v;
  }
  const hasTimestamps = adapter.features.has('timestamp-query');
  const requiredFeatures: GPUFeatureName[] = hasTimestamps ? ['timestamp-query'] : [];
  let device: GPUDevice;
  try {
    device = await adapter.requestDevice({ requiredLimits, requiredFeatures, label: 'cronos' });
  } catch (e) {
    throw new WebGpuUnavailableError(`The GPU adapter refused a device: ${(e as Error).message}`);
  }
  const info = adapter.info as GPUAdapterInfo | undefined;
  const lim = device.limits;
  const summary: AdapterSummary = {
    vendor: info?.vendor ?? '',
    architecture: info?.architecture ?? '',
    device: info?.device ?? '',
    description: info?.description ?? '',
    featureLevel: (adapter as unknown as { featureLevel?: string }).featureLevel ?? 'core',
    features: [...adapter.features].map(String).sort(),
    maxStorageBufferBindingSize: lim.maxStorageBufferBindingSize,
    maxBufferSize: lim.maxBufferSize,
    maxComputeWorkgroupStorageSize: lim.maxComputeWorkgroupStorageSize,
    maxComputeInvocationsPerWorkgroup: lim.maxComputeInvocationsPerWorkgroup,
    maxComputeWorkgroupsPerDimension: lim.maxComputeWorkgroupsPerDimension,
    maxStorageBuffersPerShaderStage: lim.maxStorageBuffersPerShaderStage,
  };
  const ctx: GpuContext = {
    device,
    adapter: summary,
    hasTimestamps,
    lostReason: null,
    buffers: countBuffers(device),
    errors: [],
    destroy: () => device.destroy(),
  };
  void device.lost.then((info) => {
    ctx.lostReason = `GPU device lost (${info.reason}): ${info.message}`;
  });
  device.addEventListener('uncapturederror', (ev) => {
    const err = (ev as GPUUncapturedErrorEvent).error;
    if (ctx.errors.length < 20) ctx.errors.push(err.message);
  });
  return ctx;
}

/** Throws if the device was lost or reported an error since the last check (then clears them). */
export function throwIfGpuFailed(ctx: GpuContext): void {
  if (ctx.lostReason) throw new Error(ctx.lostReason);
  if (ctx.errors.length > 0) {
    const msg = ctx.errors.join('\n');
    ctx.errors.length = 0;
    throw new Error(`WebGPU reported an error: ${msg}`);
  }
}

/** How many GPU buffers of a device are alive (created, not destroyed) and their bytes. */
export interface BufferCensus {
  readonly count: number;
  readonly bytes: number;
}

/**
 * Counts the live buffers of `device` by wrapping its `createBuffer` and each buffer's `destroy`
 * (a buffer destroyed twice counts once). A buffer dropped without `destroy` stays counted: that
 * is exactly a leak of GPU memory until the garbage collector finds it.
 */
export function countBuffers(device: GPUDevice): BufferCensus {
  const live = new WeakSet<GPUBuffer>();
  const census = { count: 0, bytes: 0 };
  const create = device.createBuffer.bind(device);
  device.createBuffer = (descriptor: GPUBufferDescriptor): GPUBuffer => {
    const buffer = create(descriptor);
    live.add(buffer);
    census.count++;
    census.bytes += buffer.size;
    const destroy = buffer.destroy.bind(buffer);
    buffer.destroy = (): undefined => {
      if (live.delete(buffer)) {
        census.count--;
        census.bytes -= buffer.size;
      }
      return destroy();
    };
    return buffer;
  };
  return census;
}

/** Work a device was given since {@link countWork} started counting. */
export interface WorkCensus {
  /** Compute dispatches recorded (direct and indirect). */
  dispatches: number;
  /** Of those, indirect ones (PCG iterations after convergence become zero-size indirect dispatches). */
  indirect: number;
  /** queue.submit calls. */
  submissions: number;
  /** mapAsync calls (read-backs to the host). */
  readBacks: number;
}

/**
 * Counts dispatches, submissions and read-backs on `device` (the benchmark's per-iteration cost),
 * by wrapping its command encoders' compute passes, its queue's submit and GPUBuffer.mapAsync, the
 * way {@link countBuffers} wraps createBuffer. `stop()` restores every wrapped method.
 */
export function countWork(device: GPUDevice): { census: WorkCensus; stop: () => void } {
  const census: WorkCensus = { dispatches: 0, indirect: 0, submissions: 0, readBacks: 0 };
  const createEncoder = device.createCommandEncoder;
  device.createCommandEncoder = function (this: GPUDevice, descriptor?: GPUCommandEncoderDescriptor): GPUCommandEncoder {
    const enc = createEncoder.call(device, descriptor);
    const begin = enc.beginComputePass.bind(enc);
    enc.beginComputePass = (d?: GPUComputePassDescriptor): GPUComputePassEncoder => {
      const pass = begin(d);
      const direct = pass.dispatchWorkgroups.bind(pass);
      const indirect = pass.dispatchWorkgroupsIndirect.bind(pass);
      pass.dispatchWorkgroups = (x: number, y?: number, z?: number): undefined => {
        census.dispatches++;
        return direct(x, y, z);
      };
      pass.dispatchWorkgroupsIndirect = (buffer: GPUBuffer, offset: number): undefined => {
        census.dispatches++;
        census.indirect++;
        return indirect(buffer, offset);
      };
      return pass;
    };
    return enc;
  };
  const queue = device.queue;
  const submit = queue.submit;
  queue.submit = function (this: GPUQueue, buffers: Iterable<GPUCommandBuffer>): undefined {
    census.submissions++;
    return submit.call(queue, buffers);
  };
  // mapAsync lives on the prototype: find it through a probe buffer, made before counting starts.
  const probe = device.createBuffer({ size: 16, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
  const proto = Object.getPrototypeOf(probe) as GPUBuffer;
  probe.destroy();
  const mapAsync = proto.mapAsync;
  proto.mapAsync = function (this: GPUBuffer, ...args: Parameters<GPUBuffer['mapAsync']>): Promise<undefined> {
    census.readBacks++;
    return mapAsync.apply(this, args);
  };
  const stop = (): void => {
    device.createCommandEncoder = createEncoder;
    queue.submit = submit;
    proto.mapAsync = mapAsync;
  };
  return { census, stop };
}
