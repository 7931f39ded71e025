/**
 * Play/pause, step and reset, with the run's status: iteration count, device and the
 * ε-optimal badge when the stopping rule of the spec (§4.4) holds: under the gap rule (the
 * default) it means *certified* within tolerance — the dual bound proves (f − f*)/f ≤ ε.
 */
import type { StopRule } from '../../solver/types';
import type { RunState } from '../runState';

/** Props of {@link Transport}. */
export interface TransportProps {
  state: RunState;
  admmIters: number;
  /** The run's stopping rule: what the badge claims. */
  stopRule: StopRule;
  /** Its tolerance ε. */
  tol: number;
  onPlay(): void;
  onPause(): void;
  onStep(): void;
  onReset(): void;
}

/** The run's transport bar. */
export function Transport({ state, admmIters, stopRule, tol, onPlay, onPause, onStep, onReset }: TransportProps) {
  const { status, latest, finished, device } = state;
  const running = status === 'running';
  const idle = status === 'paused' || status === 'finished';
  const iter = latest?.iter ?? 0;
  return (
    <div className="transport" role="group" aria-label="Run controls">
      <button
        type="button"
        className="btn primary play"
        onClick={running ? onPause : onPlay}
        disabled={!(running || status === 'paused')}
        aria-label={running ? 'Pause' : 'Play'}
        title={running ? 'Pause (the step in flight finishes)' : status === 'finished' ? 'Finished: raise the iteration cap or reset' : 'Run ADMM iterations'}
        data-testid="play"
      >
        <Icon d={running ? ICONS.pause : ICONS.play} /> {running ? 'Pause' : 'Play'}
      </button>
      <button type="button" className="btn" onClick={onStep} disabled={!idle} title="Run one ADMM iteration" data-testid="step">
        <Icon d={ICONS.step} /> Step
      </button>
      <button type="button" className="btn" onClick={onReset} disabled={status === 'loading'} title="Back to iteration 0 (same problem), paused" data-testid="reset">
        <Icon d={ICONS.reset} /> Reset
      </button>
      <div className="run-status" aria-live="polite">
        <span className="iter" data-testid="iteration">
          Iteration <strong>{iter}</strong> / {admmIters}
        </span>
        <span className={`chip status-${status}`} data-testid="run-status">
          {statusText(state)}
        </span>
        {device && (
          <span className={`chip device-${device}`} data-testid="device">
            {device === 'gpu' ? 'WebGPU' : 'CPU · float64'}
          </span>
        )}
        {(latest?.converged || finished === 'converged') && (
          <span
            className="chip optimal"
            data-testid="eps-optimal"
            title={
              stopRule === 'gap'
                ? `Certified within tolerance: the dual lower bound proves f(u) is within ${tol} (relative) of the global optimum f*, with u feasible`
                : 'Primal and dual residuals are below ε_pri and ε_dual (the residual stopping rule of spec §4.4; not a certificate)'
            }
          >
            {stopRule === 'gap' ? 'certified ε-optimal' : 'ε-optimal (residuals)'}
          </span>
        )}
      </div>
    </div>
  );
}

/** 16×16 icon paths (drawn, not font glyphs, so they look the same on every system). */
const ICONS = {
  play: 'M4 2.5v11l9.5-5.5z',
  pause: 'M3.5 2.5h3v11h-3zM9.5 2.5h3v11h-3z',
  step: 'M2.5 2.5v11l8-5.5zM11 2.5h2.5v11H11z',
  reset: 'M8 2.5a5.5 5.5 0 1 1-5.2 3.7l1.7.6A3.7 3.7 0 1 0 8 4.3V6.5L4.5 3.5 8 .5z',
} as const;

/** A transport icon. */
function Icon({ d }: { d: string }) {
  return (
    <svg width="14" height="14" viewBox="0 0 16 16" aria-hidden="true" focusable="false">
      <path d={d} fill="currentColor" />
    </svg>
  );
}

/** A few words on what the run is doing. */
export function statusText(state: Pick<RunState, 'status' | 'finished' | 'phase'>): string {
  switch (state.status) {
    case 'loading':
      return state.phase ?? 'Loading';
    case 'running':
      return 'Running';
    case 'paused':
      return 'Paused';
    case 'finished':
      return state.finished === 'converged' ? 'Converged' : 'Iteration cap reached';
    case 'error':
      return 'Stopped by an error';
  }
}
