/**
 * The playground page: settings on the left, the live views of the run on the right. The solver
 * lives in a Web Worker (workerClient.ts); this component keeps the settings, folds the Worker's
 * messages into the run state (runState.ts) once per frame, and appends metrics to the history
 * the charts stream from.
 */
import { useCallback, useEffect, useMemo, useReducer, useRef, useState } from 'react';
import { datasetInfo } from './datasets';
import { DEFAULT_METHOD, METHOD_IDS, METHODS, type MethodId } from '../solver/methods/index';
import type { IterationMetrics } from '../solver/types';
import { MetricsHistory, recordMetrics, type XAxis } from './history';
import { convexProblem, type ProblemSummary, type RunSummary } from './protocol';
import { INITIAL_RUN_STATE, runReducer } from './runState';
import { stepBudget, type Settings } from './settings';
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
import { DataPanel } from './components/ingest/DataPanel';
import { INITIAL_INGEST_STATE, ingestReducer } from './components/ingest/ingestState';
import type { ToIngest } from './ingest/protocol';
import { useBootState, useShare } from './share/wire-hooks';
import type { StoredRace } from './share/race-session';
import { ExportMenu } from './components/ExportMenu';
import { ShareDialog } from './components/ShareDialog';
import { ShareNotices } from './components/ShareNotices';
import { RacePanel } from './components/RacePanel';
import { INITIAL_RACE_STATE, raceReducer } from './race/state';
import { PAGE_RACE, raceLink, raceLinkOf } from './race/page';

/** The playground page. */
export function App() {
  // The first settings come from a share link in the fragment, if any (share/wire.ts).
  const boot = useBootState();
  const [settings, setSettings] = useState<Settings>(boot.settings);
  // What the run reports, from the method registry (which loads trainer code only on demand).
  const metrics = METHODS[settings.method].metrics;
  const [state, dispatch] = useReducer(runReducer, INITIAL_RUN_STATE);
  const [xAxis, setXAxis] = useState<XAxis>(boot.view.xAxis);
  const history = useRef(new MetricsHistory<IterationMetrics>()).current;
  const client = useRef<WorkerClient | null>(null);
  const initial = useRef(settings);
  const [ingest, ingestDispatch] = useReducer(ingestReducer, INITIAL_INGEST_STATE);
  // The race view (issue 11): open at once, and its race started, when the link holds a race.
  const [raceOpen, setRaceOpen] = useState(boot.race !== null);
  const [raceConfig, setRaceConfig] = useState(boot.race ?? PAGE_RACE);
  const [race, raceDispatch] = useReducer(raceReducer, INITIAL_RACE_STATE);
  const raceIds = useRef(0);
  const bootRace = useRef(boot.race);
  const storedRace = useMemo(() => (race.results && race.progress ? { results: race.results, device: race.progress.device } : null), [race.results, race.progress]);
  // A session file's race: shown finished, its settings in the form, the race view open.
  const onRaceOpened = useCallback((stored: StoredRace) => {
    raceDispatch({ type: 'restore', race: ++raceIds.current, results: stored.results, device: stored.device });
    setRaceConfig(stored.results.config);
    setRaceOpen(true);
  }, []);
  // The address bar replays the race on screen while the race view shows one.
  const raceSection = useMemo(() => (raceOpen && race.config && race.phase !== 'idle' ? raceLinkOf(race.config) : null), [raceOpen, race.config, race.phase]);
  // Link in the fragment, session files, exports (share/wire-hooks.ts).
  const share = useShare({
    boot,
    settings,
    xAxis,
    setSettings,
    setXAxis,
    latest: initial,
    client,
    history,
    run: state.run,
    title: state.problem?.title ?? null,
    status: state.status,
    finished: state.finished,
    race: storedRace,
    onRaceOpened,
    raceSection,
  });
  const receiveShare = share.receive;

  useEffect(() => {
    const c = createWorkerClient(
      (messages) => {
        receiveShare(messages);
        recordMetrics(history, messages);
        dispatch({ type: 'messages', messages });
      },
      undefined,
      (replies) => ingestDispatch({ type: 'replies', replies }),
      (replies) => raceDispatch({ type: 'replies', replies }),
    );
    client.current = c;
    // A race link replays the race; the page's own run then waits, paused.
    c.send({ type: 'start', settings: initial.current, autoplay: bootRace.current === null });
    if (bootRace.current !== null) {
      const id = ++raceIds.current;
      raceDispatch({ type: 'start', race: id, config: bootRace.current });
      c.send({ type: 'race-start', race: id, settings: initial.current, config: bootRace.current });
    }
    return () => {
      c.dispose();
      client.current = null;
    };
  }, [history, receiveShare]);

  const onSettings = useCallback((next: Settings) => {
    setSettings(next);
    initial.current = next;
    client.current?.send({ type: 'settings', settings: next });
  }, []);
  const onPlay = useCallback(() => client.current?.send({ type: 'resume' }), []);
  const onPause = useCallback(() => client.current?.send({ type: 'pause' }), []);
  const onStep = useCallback(() => client.current?.send({ type: 'step' }), []);
  const onReset = useCallback(() => client.current?.send({ type: 'reset' }), []);
  const sendIngest = useCallback((m: ToIngest) => client.current?.send(m), []);
  // The race trains the page's data on the page's device; the page's own run pauses meanwhile.
  const onRaceStart = useCallback(() => {
    const id = ++raceIds.current;
    raceDispatch({ type: 'start', race: id, config: raceConfig });
    client.current?.send({ type: 'pause' });
    client.current?.send({ type: 'race-start', race: id, settings: initial.current, config: raceConfig });
  }, [raceConfig]);
  const onRaceStop = useCallback(() => client.current?.send({ type: 'race-stop', race: raceIds.current }), []);
  // "Train on this data": a fresh start on 'user' takes the dataset loaded now (worker/session.ts).
  const onTrainUser = useCallback(() => {
    const next: Settings = { ...initial.current, dataset: 'user' };
    setSettings(next);
    initial.current = next;
    client.current?.send({ type: 'start', settings: next, autoplay: true });
  }, []);

  const { problem, view, snapshot, latest } = state;
  const localTitle = problem?.title ?? 'your data';
  // Encoded only when what it holds changes (the page re-renders on every Worker batch).
  const raceUrl = useMemo(() => raceLink(settings, raceConfig, { xAxis }, { name: localTitle, label: 'label' }, window.location), [settings, raceConfig, xAxis, localTitle]);
  // The pattern, neuron-norm, boundary and weight-image panels draw CRONOS's convex program only.
  const convex = convexProblem(problem);
  const version = history.length;
  return (
    <div className="app">
      <header className="topbar">
        <div className="brand">
          <h1>CRONOS Playground</h1>
          <p>Two-layer ReLU networks trained to their global optimum by convex optimisation: ADMM with Nyström-preconditioned CG, live in your browser.</p>
        </div>
        <Transport state={state} admmIters={stepBudget(settings) ?? 0} stopRule={settings.stopRule} tol={settings.tol} onPlay={onPlay} onPause={onPause} onStep={onStep} onReset={onReset} />
        <div className="share-actions">
          <button type="button" className={`btn${raceOpen ? ' primary' : ''}`} aria-pressed={raceOpen} onClick={() => setRaceOpen(!raceOpen)} data-testid="race-toggle">
            Race
          </button>
          <ShareDialog share={share} hasRun={problem !== null} />
          <ExportMenu share={share} hasRun={problem !== null} hasMetrics={latest !== null} />
        </div>
      </header>

      {state.device === 'cpu' && state.fallbackReason && (
        <p className="banner warn" role="status" data-testid="cpu-banner">
          <strong>Running on the CPU fallback.</strong> {state.fallbackReason} The float64 CPU solver runs the same algorithm, only
          slower; Chrome and Edge ship WebGPU.
        </p>
      )}
      {state.notice && (
        <p className="banner warn" role="status" data-testid="run-notice">
          {state.notice}
        </p>
      )}
      {state.error && (
        <p className="banner error" role="alert" data-testid="error">
          {state.error}
        </p>
      )}
      <ShareNotices share={share} run={state} />

      <div className="layout">
        <aside className="sidebar">
          <Controls settings={settings} onChange={onSettings} userTitle={ingest.dataset ? ingest.dataset.summary.fileName : null} />
        </aside>
        <main className="dashboard">
          <DataPanel
            state={ingest}
            dispatch={ingestDispatch}
            send={sendIngest}
            settings={settings}
            adapter={state.adapter}
            device={state.device}
            trainingTitle={problem?.dataset === 'user' ? problem.title : null}
            onTrain={onTrainUser}
          />
          <ProblemLine problem={problem} />
          {raceOpen && (
            <RacePanel
              config={raceConfig}
              onConfig={setRaceConfig}
              state={race}
              dataLine={problem ? `${problem.title}: ${problem.n} training rows, ${problem.nTest} test rows` : null}
              onStart={onRaceStart}
              onStop={onRaceStop}
              link={raceUrl}
            />
          )}
          {/* The race view replaces the run's panels: their redraws would share the main thread with the race's. */}
          {!raceOpen && (
            <>
              <ConvergencePanel metrics={metrics} history={history} version={version} xAxis={xAxis} onXAxis={setXAxis} latest={latest} model={convex?.model ?? null} stepName={convex ? undefined : DEEP_STEP_NAME} />
              <AccuracyPanel metrics={metrics} history={history} version={version} xAxis={xAxis} latest={latest} snapshot={snapshot} problem={problem} stepName={convex ? undefined : DEEP_STEP_NAME} />
              {convex && view?.points && <DecisionBoundary points={view.points} lines={view.gateLines} problem={convex} snapshot={snapshot} />}
              {convex?.image && <WeightImages problem={convex} image={convex.image} snapshot={snapshot} />}
              {!convex && problem?.image && snapshot?.tiles?.layer && <WeightImages problem={null} image={problem.image} snapshot={snapshot} />}
              {(problem === null || convex !== null) && <PatternsPanel view={view?.patterns ?? null} problem={convex} snapshot={snapshot} />}
              <GpuPanel device={state.device} adapter={state.adapter} fallbackReason={state.fallbackReason} preconditioner={state.preconditioner} memory={state.memory} resources={state.resources} msPerStep={state.msPerStep} latest={latest} />
            </>
          )}
        </main>
      </div>
      <Licences />
    </div>
  );
}

/** One line on the problem being solved. */
function ProblemLine({ problem }: { problem: RunSummary | null }) {
  if (!problem) return <p className="problem-line muted">Preparing the problem…</p>;
  // The Worker's title: the catalogue's, or the file name of the user's data.
  const title = problem.title || datasetInfo(problem.dataset).title;
  const classes = problem.task === 'regression' ? `regression on "${problem.target?.name ?? 'target'}"` : problem.classNames.map((c, i) => `${c} ${problem.classCounts[i]}`).join(', ');
  return (
    <p className="problem-line" data-testid="problem-line">
      <strong>{title}</strong>: {problem.n} training rows ({classes}), {problem.nTest} test rows {problem.testSource === 'file' ? 'from the test file' : 'held out'}; d ={' '}
      {problem.d} features{problem.bias ? ' (x, y, bias)' : ''}; {problem.convex ? <ConvexLine problem={{ ...problem, ...problem.convex }} /> : `${METHODS[methodIdOf(problem.method)].title}.`}
    </p>
  );
}

/** The x-axis title of a method that reports every few minibatches rather than per ADMM iteration. */
const DEEP_STEP_NAME = 'reported step (a group of minibatches)';

/** The CRONOS part of the problem line: the convex program's size. */
function ConvexLine({ problem }: { problem: ProblemSummary }) {
  return (
    <>
      {problem.model === 'relu' ? 'ReLU' : 'gated ReLU'} with P = {problem.P} patterns, K = {problem.K} columns
      {problem.C > 1 ? ` (${problem.C} one-vs-all outputs)` : ''}; β = {problem.beta}.
    </>
  );
}

/** A run's method id as a registry key (the Worker only builds registered methods). */
function methodIdOf(id: string): MethodId {
  return METHOD_IDS.find((m) => m === id) ?? DEFAULT_METHOD;
}
