/**
 * Counts what a piece of GPU work asks of the device: queue submissions and buffer maps
 * (read-backs). The GPU suites use it to check that one step is one submission with the
 * read-backs the design allows, so a stray per-kernel submit or a hidden read shows up.
 */
import type { GpuContext } from '../../solver/gpu/context';

/** Submissions and mapAsync calls made while `work` ran. */
export interface SubmitCount {
  readonly submits: number;
  readonly maps: number;
}

/**
 * Runs `work` with `queue.submit` and `GPUBuffer.prototype.mapAsync` wrapped to count calls, and
 * restores both afterwards (also when `work` throws), so later tests see the plain device.
 */
export async function countSubmitsAndMaps(ctx: GpuContext, work: () => Promise<void> | void): Promise<SubmitCount> {
  const queue = ctx.device.queue;
  const origSubmit = queue.submit.bind(queue);
  // dawn.node's buffers share one prototype; a throwaway buffer is the way to reach it.
  const probe = ctx.device.createBuffer({ size: 16, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
  const proto = Object.getPrototypeOf(probe) as GPUBuffer;
  probe.destroy();
  const origMap = proto.mapAsync;
  let submits = 0;
  let maps = 0;
  queue.submit = (buffers: Iterable<GPUCommandBuffer>): undefined => {
    submits++;
    return origSubmit(buffers);
  };
  proto.mapAsync = function (this: GPUBuffer, ...args: Parameters<GPUBuffer['mapAsync']>): Promise<undefined> {
    maps++;
    return origMap.apply(this, args);
  };
  try {
    await work();
  } finally {
    queue.submit = origSubmit;
    proto.mapAsync = origMap;
  }
  return { submits, maps };
}
