/**
 * Where the solver runs: the WebGPU adapter and the limits that bound problem size, the memory
 * this problem needs against them, and the speed of the ADMM loop. On the CPU fallback it says
 * so and why.
 */
import { memo } from 'react';
import type { AdapterSummary } from '../../solver/gpu/context';
import type { MetricsRecord } from '../../solver/trainer';
import type { DeviceKind } from '../../solver/types';
import { fmtInt, fmtMs, fmtRate, formatBytes, share } from '../format';
import { numberOf } from '../history';
import type { GpuResourceSample, MemoryReport } from '../protocol';
import { Panel } from './Panel';

/** Props of {@link GpuPanel}. */
export interface GpuPanelProps {
  device: DeviceKind | null;
  adapter: AdapterSummary | null;
  fallbackReason: string | null;
  /** The PCG preconditioner in use and why (RunState.preconditioner). */
  preconditioner?: string | null;
  memory: MemoryReport | null;
  /** Live GPU buffers on the Worker's device (RunState.resources); null on the CPU. */
  resources?: GpuResourceSample | null;
  msPerStep: number | null;
  latest: MetricsRecord | null;
}

/** A readable adapter name ("google swiftshader", "nvidia ampere"). */
export function adapterName(a: AdapterSummary): string {
  return [a.vendor, a.architecture, a.device, a.description].filter((s) => s && s.length > 0).join(' ') || 'unnamed adapter';
}

/** The GPU / device panel. */
export const GpuPanel = memo(function GpuPanel({ device, adapter, fallbackReason, preconditioner, memory, resources, msPerStep, latest }: GpuPanelProps) {
  const limit = adapter ? Math.min(adapter.maxStorageBufferBindingSize, adapter.maxBufferSize) : 0;
  return (
    <Panel title={device === 'cpu' ? 'Device: CPU' : 'GPU'} subtitle="Adapter, the limits that bound the problem size, and throughput." testId="gpu-panel">
      <dl className="kv">
        <dt>Solver</dt>
        <dd data-testid="gpu-device">{device === null ? '—' : device === 'gpu' ? `WebGPU (float32) on ${adapter ? adapterName(adapter) : 'an adapter'}` : 'CPU, float64 reference solver'}</dd>
        {device === 'cpu' && fallbackReason && (
          <>
            <dt>Why not WebGPU</dt>
            <dd>{fallbackReason}</dd>
          </>
        )}
        {preconditioner && (
          <>
            <dt>PCG preconditioner</dt>
            <dd data-testid="gpu-preconditioner">{preconditioner}</dd>
          </>
        )}
        {adapter && (
          <>
            <dt>Feature level</dt>
            <dd>
              {adapter.featureLevel}
              {adapter.features.includes('timestamp-query') ? ', timestamp queries' : ''}
              {adapter.features.includes('shader-f16') ? ', f16' : ''}
            </dd>
            <dt>Max storage binding</dt>
            <dd>{formatBytes(adapter.maxStorageBufferBindingSize)}</dd>
            <dt>Max buffer</dt>
            <dd>{formatBytes(adapter.maxBufferSize)}</dd>
            <dt>Workgroup</dt>
            <dd>
              {fmtInt(adapter.maxComputeInvocationsPerWorkgroup)} invocations, {formatBytes(adapter.maxComputeWorkgroupStorageSize)} shared, {fmtInt(adapter.maxComputeWorkgroupsPerDimension)} groups/dim
            </dd>
            <dt>Storage buffers / stage</dt>
            <dd>{adapter.maxStorageBuffersPerShaderStage}</dd>
          </>
        )}
      </dl>
      {memory && (
        <div className="memory" data-testid="gpu-memory">
          <h3>Memory this problem needs</h3>
          <p>
            Largest buffer <strong>{formatBytes(memory.largestBinding)}</strong>
            {adapter ? (
              <>
                {' '}
                of {formatBytes(limit)} allowed ({share(memory.largestBinding, limit)})
              </>
            ) : (
              ' (no GPU limit applies on the CPU)'
            )}
            ; all buffers {formatBytes(memory.total)}.
          </p>
          {adapter && <meter min={0} max={limit} value={memory.largestBinding} low={limit * 0.5} high={limit * 0.85} optimum={0} aria-label="Largest buffer against the binding limit" />}
          <ul className="buffers">
            {memory.buffers.map((b) => (
              <li key={b.name}>
                <span>{b.name}</span> <span className="num">{formatBytes(b.bytes)}</span>
              </li>
            ))}
          </ul>
        </div>
      )}
      <dl className="kv speed">
        <dt>ADMM iterations / s</dt>
        <dd data-testid="iters-per-second">{fmtRate(msPerStep && msPerStep > 0 ? 1000 / msPerStep : null)}</dd>
        <dt>Time per iteration</dt>
        <dd>{msPerStep === null ? '—' : fmtMs(msPerStep)}</dd>
        <dt>ρ</dt>
        <dd>{numberOf(latest, 'rho') ?? '—'}</dd>
        {resources && (
          <>
            <dt>Live GPU buffers</dt>
            {/* Constant while a run goes on: a count that climbs is a leak (the e2e soak test reads it). */}
            <dd data-testid="gpu-live-buffers" data-buffers={resources.buffers} data-bytes={resources.bytes}>
              {fmtInt(resources.buffers)} ({formatBytes(resources.bytes)}) at iteration {fmtInt(resources.iteration)}
            </dd>
          </>
        )}
      </dl>
    </Panel>
  );
});
