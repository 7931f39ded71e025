/**
 * The playground page: settings on the left, the live views of the run on the right. The solver
 * lives in a Web Worker (workerClient.ts); this component keeps the settings, folds the Worker's
 * messages into the run state (runState.ts) once per frame, and appends metrics to the history
 * the charts stream from.
 */
import { useCallback, useEffect, useReducer, useRef, useState } from 'react';
import { datasetInfo } from './datasets';
import { MetricsHistory, recordMetrics, type XAxis } from './history';
import type { ProblemSummary } from './protocol';
import { INITIAL_RUN_STATE, runReducer } from './runState';
import { DEFAULT_SETTINGS, type Settings } from './settings';
import { createWorkerClient, type WorkerClient } from './workerClient';
import { AccuracyPanel } from './components/AccuracyPanel';
import { Controls } from './components/Controls';
import { ConvergencePanel } from './components/ConvergencePanel';
import { DecisionBoundary } from './components/DecisionBoundary';
import { GpuPanel } from './components/GpuPanel';
import { Licences } from './components/Licences';
import { PatternsPanel } from './components/PatternsPanel';
import { Transport } from './components/Transport';
import { WeightImages } from './components/WeightImages';

/** The playground page. */
export function App() {
  const [settings, setSettings] = useState<Settings>(DEFAULT_SETTINGS);
  const [state, dispatch] = useReducer(runReducer, INITIAL_RUN_STATE);
  const [xAxis, setXAxis] = useState<XAxis>('iteration');
  const history = useRef(new MetricsHistory()).current;
  const client = useRef<WorkerClient | null>(null);
  const initial = useRef(settings);

  useEffect(() => {
    const c = createWorkerClient((messages) => {
      recordMetrics(history, messages);
      dispatch({ type: 'messages', messages });
    });
    client.current = c;
    c.send({ type: 'start', settings: initial.current, autoplay: true });
    return () => {
      c.dispose();
      client.current = null;
    };
  }, [history]);

  const onSettings = useCallback((next: Settings) => {
    setSettings(next);
    initial.current = next;
    client.current?.send({ type: 'settings', settings: next });
  }, []);
  const onPlay = useCallback(() => client.current?.send({ type: 'resume' }), []);
  const onPause = useCallback(() => client.current?.send({ type: 'pause' }), []);
  const onStep = useCallback(() => client.current?.send({ type: 'step' }), []);
  const onReset = useCallback(() => client.current?.send({ type: 'reset' }), []);

  const { problem, view, snapshot, latest } = state;
  const version = history.length;
  return (
    <div className="app">
      <header className="topbar">
        <div className="brand">
          <h1>CRONOS Playground</h1>
          <p>Two-layer ReLU networks trained to their global optimum by convex optimisation: ADMM with Nyström-preconditioned CG, live in your browser.</p>
        </div>
        <Transport state={state} admmIters={settings.admmIters} onPlay={onPlay} onPause={onPause} onStep={onStep} onReset={onReset} />
      </header>

      {state.device === 'cpu' && state.fallbackReason && (
        <p className="banner warn" role="status" data-testid="cpu-banner">
          <strong>Running on the CPU fallback.</strong> {state.fallbackReason} The float64 CPU solver runs the same algorithm, only
          slower; Chrome and Edge ship WebGPU.
        </p>
      )}
      {state.error && (
        <p className="banner error" role="alert" data-testid="error">
          {state.error}
        </p>
      )}

      <div className="layout">
        <aside className="sidebar">
          <Controls settings={settings} onChange={onSettings} />
        </aside>
        <main className="dashboard">
          <ProblemLine problem={problem} />
          <ConvergencePanel history={history} version={version} xAxis={xAxis} onXAxis={setXAxis} latest={latest} model={problem?.model ?? null} />
          <AccuracyPanel history={history} version={version} xAxis={xAxis} latest={latest} snapshot={snapshot} problem={problem} />
          {problem && view?.points && <DecisionBoundary points={view.points} lines={view.gateLines} problem={problem} snapshot={snapshot} />}
          {problem?.image && <WeightImages problem={problem} snapshot={snapshot} />}
          <PatternsPanel view={view?.patterns ?? null} problem={problem} snapshot={snapshot} />
          <GpuPanel device={state.device} adapter={state.adapter} fallbackReason={state.fallbackReason} memory={state.memory} msPerStep={state.msPerStep} latest={latest} />
        </main>
      </div>
      <Licences />
    </div>
  );
}

/** One line on the problem being solved. */
function ProblemLine({ problem }: { problem: ProblemSummary | null }) {
  if (!problem) return <p className="problem-line muted">Preparing the problem…</p>;
  const info = datasetInfo(problem.dataset);
  const classes = problem.classNames.map((c, i) => `${c} ${problem.classCounts[i]}`).join(', ');
  return (
    <p className="problem-line" data-testid="problem-line">
      <strong>{info.title}</strong>: {problem.n} training rows ({classes}), {problem.nTest} test rows {problem.testSource === 'file' ? 'from the test file' : 'held out'}; d ={' '}
      {problem.d} features{problem.bias ? ' (x, y, bias)' : ''}; {problem.model === 'relu' ? 'ReLU' : 'gated ReLU'} with P = {problem.P} patterns, K = {problem.K} columns
      {problem.C > 1 ? ` (${problem.C} one-vs-all outputs)` : ''}; β = {problem.beta}.
    </p>
  );
}
