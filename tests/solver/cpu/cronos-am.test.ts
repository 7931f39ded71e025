/**
 * CRONOS-AM on the CPU (float64, small problems): the head it writes is exactly the network a
 * direct CRONOS solve recovers on the same φ(X) with the same settings; the head stays frozen
 * between solves while the features move; it learns separable problems (binary and 3 classes);
 * a saved state continues exactly; the epoch counter counts passes over the data, not solves;
 * the warm start of a head solve starts where the previous solve ended; bad input is refused by name.
 */
import { describe, expect, it } from 'vitest';
import { CpuSolver } from '../../../solver/cpu/admm';
import { accuracyFromLabels, convexObjective, predictNetwork, recoverNetwork } from '../../../solver/recovery';
import { buildProblem } from '../../../solver/problem';
import { createRng } from '../../../solver/rng';
import { METHODS } from '../../../solver/methods/index';
import { CRONOS_AM_PARAMS, type CronosAmParams } from '../../../solver/methods/cronos-am/params';
import { CronosAmTrainer, headSolverConfig, warmHeadState } from '../../../solver/methods/cronos-am/trainer';
import { decodeLinkFields, defaultsOf, encodeLinkFields, parseFlags, validateValues, type AnyValues } from '../../../solver/params/table';
import type { MetricsRecord, TrainingData } from '../../../solver/trainer';
import type { Dataset, Network } from '../../../solver/types';
import { runSteps } from '../../support/helpers';

/** `classes` Gaussian blobs with centres ±1.5 on the first coordinates (separable with margin), labels round robin. */
function blobs(n: number, d: number, classes: number, seed: number): Dataset {
  const rng = createRng(seed, 321);
  const X = new Float64Array(n * d);
  const labels = new Int32Array(n);
  for (let j = 0; j < n; j++) {
    const c = j % classes;
    labels[j] = c;
    for (let k = 0; k < d; k++) {
      // Class c sits at +1.5 on coordinate c and −1.5 on the others of the first `classes` (binary: ±1.5 on x0, x1).
      const centre = classes === 2 ? (k < 2 ? (c ? 1.5 : -1.5) : 0) : k < classes ? (k === c ? 1.5 : -1.5) : 0;
      X[j * d + k] = centre + 0.6 * rng.normal();
    }
  }
  return { X, n, d, labels, classNames: Array.from({ length: classes }, (_, c) => `c${c}`), featureNames: Array.from({ length: d }, (_, k) => `x${k}`) };
}

function dataOf(classes: number): TrainingData {
  const train = blobs(96, 5, classes, 1);
  const test = blobs(48, 5, classes, 2);
  return { train, test: { X: test.X, n: test.n, labels: test.labels } };
}

const BINARY = dataOf(2);
const THREE = dataOf(3);

/** Small, fast settings: features Dense(8)→ReLU, P = 3, 6 minibatches of 16 per epoch. */
function settingsWith(over: Partial<CronosAmParams> = {}): CronosAmParams {
  return { ...defaultsOf(CRONOS_AM_PARAMS), arch: 'mlp:8', P: 3, rank: 4, admmIters: 8, pcgIters: 10, batch: 16, epochs: 6, checkpoint: 4, ...over };
}

async function trainer(over: Partial<CronosAmParams> = {}, data: TrainingData = BINARY): Promise<CronosAmTrainer> {
  const create = await METHODS['cronos-am'].load();
  const t = await create(data, settingsWith(over), { device: 'cpu' });
  expect(t).toBeInstanceOf(CronosAmTrainer);
  return t as CronosAmTrainer;
}

/** The head's two kernels out of θ: K1 d̃×width, K2 width×C. */
function headOf(t: CronosAmTrainer, theta: Float64Array): { K1: Float64Array; K2: Float64Array; width: number } {
  const { head1, head2 } = t.setup.layout;
  return { K1: theta.slice(head1.offset, head1.offset + head1.size), K2: theta.slice(head2.offset, head2.offset + head2.size), width: head1.shape[1] };
}

/** The direct solve: CRONOS on X̃ with the head's settings, then recovery (spec §6.1). */
function directHead(t: CronosAmTrainer, Xf: Float64Array, data: TrainingData): Promise<{ net: Network; X: Float64Array }> {
  const s = t.setup.settings;
  const train: Dataset = { ...data.train, X: Xf, d: t.setup.layout.featureWidth, featureNames: [] };
  const problem = buildProblem(train, { model: 'relu', P: s.P, beta: s.beta, seed: s.seed });
  const solver = new CpuSolver(problem, headSolverConfig(s));
  return runSteps(solver, s.admmIters).then(async () => ({ net: recoverNetwork(problem, (await solver.solution()).U), X: Xf }));
}

const stripTimes = (m: MetricsRecord) => ({ ...m, timeMs: 0, headMs: 0, featureMs: 0 });

describe('CRONOS-AM (CPU)', () => {
  for (const [name, data, C] of [['binary', BINARY, 1], ['3-class', THREE, 3]] as const) {
    it(`${name}: the head is exactly the network of a direct CRONOS solve on the same φ(X); the last Dense is block-diagonal`, async () => {
      const t = await trainer({ logEvery: 1 }, data);
      // The first minibatch is preceded by a solve on φ of the initial θ.
      const Xf = await t.backend.features(t.setup.layout.featureEnd);
      const [m] = await runSteps(t, 1);
      expect(m.headSolves).toBe(1);
      const { net } = await directHead(t, Xf, data);
      const { K1, K2, width } = headOf(t, await t.backend.getParams());
      const d = t.setup.layout.featureWidth;
      const P = t.setup.settings.P;
      expect(width).toBe(C * 2 * P);
      expect(net.m).toBeGreaterThan(0);
      // Class c's recovered units, in recovery order, fill the first columns of its block; the rest is exactly zero.
      const expectK1 = new Float64Array(d * width);
      const expectK2 = new Float64Array(width * C);
      const used = new Array<number>(C).fill(0);
      for (let h = 0; h < net.m; h++) {
        const c = Array.from({ length: C }, (_, k) => k).filter((k) => net.w2[h * C + k] !== 0);
        expect(c).toHaveLength(1);
        const col = c[0] * 2 * P + used[c[0]]++;
        for (let k = 0; k < d; k++) expectK1[k * width + col] = net.W1[k * net.m + h];
        expectK2[col * C + c[0]] = net.w2[h * C + c[0]];
      }
      expect(Array.from(K1)).toEqual(Array.from(expectK1));
      expect(Array.from(K2)).toEqual(Array.from(expectK2));
      for (let col = 0; col < width; col++) for (let c = 0; c < C; c++) if (Math.floor(col / (2 * P)) !== c) expect(K2[col * C + c]).toBe(0);
      // And as a function: the head on X̃ predicts what the recovered network predicts.
      const headNet: Network = { model: 'relu', d, m: width, C, W1: K1, w2: K2 };
      const a = predictNetwork(headNet, Xf, data.train.n);
      const b = predictNetwork(net, Xf, data.train.n);
      for (let k = 0; k < a.length; k++) expect(a[k]).toBeCloseTo(b[k], 12);
      t.dispose();
    });
  }

  it('the head stays frozen between solves (θ and its optimizer moments) while the features move', async () => {
    const t = await trainer({ logEvery: 1, checkpoint: 4 });
    const { trainable, head1, head2 } = t.setup.layout;
    const end = head2.offset + head2.size;
    expect(trainable).toBe(head1.offset);
    const thetas: Float64Array[] = [];
    const solves: number[] = [];
    for (let k = 0; k < 9; k++) {
      solves.push((await t.step()).headSolves as number);
      thetas.push(await t.backend.getParams());
    }
    // Solves before minibatches 0, 4 and 8: in steps 1, 5 and 9.
    expect(solves).toEqual([1, 0, 0, 0, 1, 0, 0, 0, 1]);
    for (let k = 1; k < 9; k++) {
      const head = (x: Float64Array) => Array.from(x.slice(trainable, end));
      const features = (x: Float64Array) => Array.from(x.slice(0, trainable));
      if (solves[k] === 0) expect(head(thetas[k])).toEqual(head(thetas[k - 1]));
      else expect(head(thetas[k])).not.toEqual(head(thetas[k - 1]));
      expect(features(thetas[k])).not.toEqual(features(thetas[k - 1]));
    }
    const opt = await t.backend.getOptimizerState();
    for (const name of ['m', 'v', 's']) expect(opt.arrays[name].slice(trainable).every((x) => x === 0)).toBe(true);
    expect(opt.arrays.v.slice(0, trainable).some((x) => x > 0)).toBe(true);
    t.dispose();
  });

  for (const [name, data] of [['binary', BINARY], ['3-class', THREE]] as const) {
    it(`${name}: learns a separable problem (> 95% train accuracy); the record has every described metric`, async () => {
      const t = await trainer({ epochs: 8 }, data);
      const history = await runSteps(t, 8);
      const last = history[7];
      for (const m of t.metrics) expect(typeof last[m.key]).toBe('number');
      expect(last.trainAccuracy).toBeGreaterThan(0.95);
      expect(last.testAccuracy).toBeGreaterThan(0.9);
      // The features learn too: the loss of the whole network falls below that of the first epoch (a head on nearly random features).
      expect(last.trainLoss as number).toBeLessThan(0.75 * (history[0].trainLoss as number));
      expect(last.d as number).toBeGreaterThan(1e-6);
      expect(Number.isFinite(last.headObjective as number)).toBe(true);
      expect(history.every((m) => (m.headMs as number) >= 0 && (m.featureMs as number) > 0)).toBe(true);
      expect(t.finished(last)).toBe('max-iterations');
      // The reported accuracy is that of the network's outputs against the labels (sign for one output, argmax otherwise).
      const C = t.setup.layout.outputs;
      const testSet = data.test as NonNullable<TrainingData['test']>;
      expect(last.testAccuracy).toBe(accuracyFromLabels(await t.backend.predict('test'), testSet.n, C, testSet.labels));
      expect(last.trainAccuracy).toBe(accuracyFromLabels(await t.backend.predict('train'), data.train.n, C, data.train.labels));
      const model = await t.model();
      // The plain two-layer view is the head acting on φ(x).
      expect(model.network).toMatchObject({ d: 8, m: t.setup.layout.head1.shape[1] });
      t.dispose();
    });
  }

  it('the epoch counter counts passes over the data, not head solves (checkpoint 1: a solve before every minibatch)', async () => {
    const t = await trainer({ checkpoint: 1, epochs: 3 });
    const history = await runSteps(t, 3);
    expect(history.map((m) => m.epoch)).toEqual([1, 2, 3]);
    // 96 rows / 16 = 6 minibatches per epoch, each preceded by a solve.
    expect(history.map((m) => m.headSolves)).toEqual([6, 6, 6]);
    expect(t.finished(history[1])).toBeNull();
    expect(t.finished(history[2])).toBe('max-iterations');
    t.dispose();
  });

  for (const warm of [false, true]) {
    it(`a state saved mid-epoch continues exactly as a straight run (head warm start ${warm ? 'on' : 'off'})`, async () => {
      const over = { logEvery: 4, checkpoint: 3, headWarmStart: warm, sampling: 'replacement' as const };
      const straight = await trainer(over);
      const ref = (await runSteps(straight, 7)).map(stripTimes);
      const first = await trainer(over);
      await runSteps(first, 3);
      const state = await first.saveState();
      expect(state).toMatchObject({ method: 'cronos-am', version: 1, iteration: 3 });
      expect(state.arrays['head.u']).toBeInstanceOf(Float64Array);
      const second = await trainer(over);
      await second.loadState(state);
      expect((await runSteps(second, 4)).map(stripTimes)).toEqual(ref.slice(3));
      expect(Array.from((await second.model()).deep?.theta ?? [])).toEqual(Array.from((await straight.model()).deep?.theta ?? []));
      expect(Array.from(second.headSolution?.u ?? [])).toEqual(Array.from(straight.headSolution?.u ?? []));
    });
  }

  it('refuses a state of other settings or a damaged head solution, changing nothing', async () => {
    const a = await trainer();
    await runSteps(a, 1);
    const state = await a.saveState();
    await expect((await trainer({ checkpoint: 5 })).loadState(state)).rejects.toThrow(/checkpoint 4; this run has 5/);
    await expect((await trainer({ P: 4 })).loadState(state)).rejects.toThrow(/parameters \d+; this run has \d+/);
    const fresh = await trainer();
    const before = await fresh.saveState();
    await expect(fresh.loadState({ ...state, arrays: { ...state.arrays, 'head.v': new Float64Array(2) } })).rejects.toThrow(/head\.v is missing or does not have 48 values \(d̃ × C·2P\)/);
    await expect(fresh.loadState({ ...state, method: 'dadapt-adam' })).rejects.toThrow(/method "dadapt-adam", not "cronos-am"/);
    expect(await fresh.saveState()).toEqual(before);
  });

  it('a warm-started head solve continues from the previous solution: on the same features it beats a cold solve of the same length', async () => {
    const t = await trainer();
    const Xf = await t.backend.features(t.setup.layout.featureEnd);
    const s = t.setup.settings;
    const problem = buildProblem({ ...BINARY.train, X: Xf, d: t.setup.layout.featureWidth, featureNames: [] }, { model: 'relu', P: s.P, beta: s.beta, seed: s.seed });
    const config = headSolverConfig(s);
    const long = new CpuSolver(problem, config);
    await runSteps(long, 40);
    const st = await long.saveState();
    const objLong = convexObjective(problem, (await long.solution()).U);
    const warm = new CpuSolver(problem, config);
    const { u, v, lambda, s: slack, nu } = st.arrays;
    const ws = warmHeadState(problem, { u, v, lambda, s: slack, nu, D: problem.D }, config.rho);
    // On the same patterns the warm state is the solver's own state (Gᵀs, Gᵀν recomputed).
    for (const name of ['GtS', 'GtNu'] as const) for (let k = 0; k < ws.arrays[name].length; k++) expect(ws.arrays[name][k]).toBeCloseTo(st.arrays[name][k], 10);
    await warm.loadState(ws);
    await runSteps(warm, 3);
    const cold = new CpuSolver(problem, config);
    await runSteps(cold, 3);
    const objWarm = convexObjective(problem, (await warm.solution()).U);
    const objCold = convexObjective(problem, (await cold.solution()).U);
    expect(objWarm).toBeLessThan(objCold);
    expect(Math.abs(objWarm - objLong)).toBeLessThan(0.05 * objLong);
    // Patterns that flipped get a fresh slack s = max(Gu, 0) and ν = 0; the others keep theirs.
    const flipped = Uint8Array.from(problem.D, (x, k) => (k % 7 === 0 ? 1 - x : x));
    const ws2 = warmHeadState(problem, { u, v, lambda, s: slack, nu, D: flipped }, config.rho);
    const K = problem.K;
    for (let j = 0; j < problem.n; j++) for (let col = 0; col < K; col++) {
      const t2 = j * K + col;
      if ((j * problem.P + (col % problem.P)) % 7 === 0) expect(ws2.arrays.nu[t2]).toBe(0);
      else expect([ws2.arrays.s[t2], ws2.arrays.nu[t2]]).toEqual([slack[t2], nu[t2]]);
    }
    t.dispose();
  });

  it('the table: CRONOS entries with the official CRONOS-AM defaults (but ρ = 10, spec §7.6), flags and link fields round-trip', () => {
    const defaults = defaultsOf(CRONOS_AM_PARAMS) as AnyValues;
    expect(validateValues(CRONOS_AM_PARAMS, defaults)).toEqual([]);
    expect(defaults).toMatchObject({ P: 10, rho: 10, admmIters: 5, checkpoint: 10, headWarmStart: false, weightDecay: 0, preconditioner: 'nystrom' });
    // The head solves use the run's preconditioner (the block one is settable, spec §7.6).
    const block = parseFlags(CRONOS_AM_PARAMS, ['--preconditioner', 'block']);
    expect(headSolverConfig({ ...(defaults as CronosAmParams), ...block } as CronosAmParams).preconditioner).toBe('block');
    expect(headSolverConfig(defaults as CronosAmParams).preconditioner).toBe('nystrom');
    expect(Object.keys(CRONOS_AM_PARAMS)).not.toContain('lr');
    expect(Object.keys(CRONOS_AM_PARAMS)).not.toContain('loss');
    const parsed = parseFlags(CRONOS_AM_PARAMS, ['--arch', 'cnn', '--checkpoint', '1', '--P', '8', '--head-warm-start', '--admm-iters', '4']);
    expect(parsed).toEqual({ arch: 'cnn', checkpoint: 1, P: 8, headWarmStart: true, admmIters: 4 });
    expect(() => parseFlags(CRONOS_AM_PARAMS, ['--lr', '1'])).toThrow(/unknown option --lr/);
    expect(() => parseFlags(CRONOS_AM_PARAMS, ['--checkpoint', '0'])).toThrow(/--checkpoint: "0" is not an integer in \[1, 100000\]/);
    const values = { ...defaults, ...parsed };
    const link = encodeLinkFields(CRONOS_AM_PARAMS, values, defaults);
    expect(decodeLinkFields(CRONOS_AM_PARAMS, JSON.parse(JSON.stringify(link)), 'solver', defaults)).toEqual(values);
  });

  it('dispose during a head solve ends the step with a clear message', async () => {
    const t = await trainer();
    const pending = t.step();
    t.dispose();
    await expect(pending).rejects.toThrow(/disposed during a head solve/);
  });

  it('bad settings and data get clear messages', async () => {
    await expect(trainer({ checkpoint: 0 })).rejects.toThrow(/Bad cronos-am settings: Head solve every \(minibatches\) \(checkpoint\): 0 is outside \[1, 100000\]/);
    await expect(trainer({ arch: 'mlp:x' })).rejects.toThrow(/"x" is not a hidden width/);
    await expect(trainer({ arch: 'cnn' })).rejects.toThrow(/halves the image 2 times, but the input is 1×1×5/);
    await expect(trainer({}, { ...BINARY, targets: new Float64Array(BINARY.train.n) })).rejects.toThrow(/regression target/);
  });
});
