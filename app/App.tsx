/**
 * Placeholder playground (the full UI is its own issue): trains a built-in dataset on load in a
 * Web Worker and shows the live metrics of every ADMM iteration.
 */
import { useEffect, useRef, useState } from 'react';
import { DEFAULT_CONFIG, type IterationMetrics } from '../solver/types';
import { BUILTIN_DATASETS } from './datasets';
import { fmt, pct } from './format';
import type { FromWorker, ToWorker } from './protocol';

type Ready = Extract<FromWorker, { type: 'ready' }>;

/** The playground page. */
export function App() {
  const worker = useRef<Worker | null>(null);
  const [datasetId, setDatasetId] = useState(BUILTIN_DATASETS[0].id);
  const [ready, setReady] = useState<Ready | null>(null);
  const [history, setHistory] = useState<IterationMetrics[]>([]);
  const [running, setRunning] = useState(false);
  const [finished, setFinished] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);

  const send = (m: ToWorker) => worker.current?.postMessage(m);

  useEffect(() => {
    const w = new Worker(new URL('./solver.worker.ts', import.meta.url), { type: 'module' });
    worker.current = w;
    w.onmessage = (ev: MessageEvent<FromWorker>) => {
      const m = ev.data;
      if (m.type === 'ready') setReady(m);
      else if (m.type === 'metrics') setHistory((h) => [...h, m.metrics]);
      else if (m.type === 'state') {
        setRunning(m.running);
        setFinished(m.finished);
      } else setError(m.message);
    };
    return () => w.terminate();
  }, []);

  useEffect(() => {
    const dataset = BUILTIN_DATASETS.find((d) => d.id === datasetId) ?? BUILTIN_DATASETS[0];
    setHistory([]);
    setReady(null);
    setError(null);
    send({ type: 'start', dataset, config: { ...DEFAULT_CONFIG, admmIters: 200 }, device: 'auto' });
  }, [datasetId]);

  const last = history[history.length - 1];
  return (
    <main>
      <header>
        <h1>CRONOS Playground</h1>
        <p>Two-layer ReLU networks trained to their global optimum by convex optimisation (ADMM with Nyström-preconditioned CG), live on your GPU.</p>
      </header>
      {ready?.fallbackReason && (
        <p className="banner" role="status">WebGPU is unavailable ({ready.fallbackReason}); running the float64 CPU solver instead.</p>
      )}
      {error && <p className="error" role="alert">{error}</p>}
      <section className="controls" aria-label="Controls">
        <label>
          Dataset{' '}
          <select value={datasetId} onChange={(e) => setDatasetId(e.target.value)}>
            {BUILTIN_DATASETS.map((d) => (
              <option key={d.id} value={d.id}>{d.title}</option>
            ))}
          </select>
        </label>
        <button type="button" onClick={() => send({ type: running ? 'pause' : 'resume' })}>{running ? 'Pause' : 'Play'}</button>
        <button type="button" onClick={() => send({ type: 'step' })} disabled={running}>Step</button>
      </section>
      {ready && (
        <p className="status" data-testid="status">
          {ready.problem.dataset}: n = {ready.problem.n} (test {ready.problem.nTest}), d = {ready.problem.d}, P = {ready.problem.P}, {ready.problem.C === 1 ? 'binary' : `${ready.problem.C} classes`}; {ready.device === 'gpu' ? `WebGPU ${[ready.adapter?.vendor, ready.adapter?.architecture, ready.adapter?.description].filter(Boolean).join(' ') || 'adapter'}` : 'CPU (float64)'}
          {finished && ` — finished: ${finished === 'converged' ? 'ε-optimal (stopping rule holds)' : 'iteration limit'}`}
        </p>
      )}
      <table aria-label="ADMM iterations">
        <thead>
          <tr><th>iter</th><th>objective</th><th>primal res.</th><th>dual res.</th><th>cone viol.</th><th>train acc.</th><th>test acc.</th><th>PCG</th><th>ρ</th><th>ms</th></tr>
        </thead>
        <tbody>
          {history.slice(-12).reverse().map((m) => (
            <tr key={m.iter}>
              <td>{m.iter}</td><td>{fmt(m.objective, 7)}</td><td>{fmt(m.primalResidual)}</td><td>{fmt(m.dualResidual)}</td><td>{fmt(m.coneViolation)}</td>
              <td>{pct(m.trainAccuracy)}</td><td>{pct(m.testAccuracy)}</td><td>{m.pcgIterations}</td><td>{fmt(m.rho, 3)}</td><td>{m.timeMs.toFixed(1)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {last && <p data-testid="summary">After {last.iter} iterations: objective {fmt(last.objective, 7)}, train {pct(last.trainAccuracy)}, test {pct(last.testAccuracy)}.</p>}
      <footer>
        <p>Datasets: Fashion-MNIST © 2017 Zalando SE (MIT); breast cancer and digits from scikit-learn (BSD-3-Clause, origin UCI); Palmer penguins (CC0). See <a href="datasets/LICENSES.md">datasets/LICENSES.md</a>.</p>
      </footer>
    </main>
  );
}
