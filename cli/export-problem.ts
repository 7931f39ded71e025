/**
 * The interchange JSON of spec §10 for cross-checking with an external solver:
 * {X, y, D, beta, model, U, W}. Multi-class problems are C independent one-vs-all problems that
 * share X and D, so they export as a list with one object per class.
 */
import { colIndex, type Problem } from '../solver/types';
import { nested } from './output';

/** One binary problem in the spec §10 format (`W` only for ReLU). */
export interface InterchangeProblem {
  X: number[][];
  y: number[];
  D: number[][];
  beta: number;
  model: Problem['model'];
  U: number[][];
  W?: number[][];
  /** Class of this one-vs-all problem (its rows have y = +1); only in multi-class exports. */
  class?: string;
}

/** Columns (c·S + s)·P + i, i < P, of the d×K matrix `M` as a d×P nested array. */
function block(problem: Problem, M: Float64Array, c: number, s: number): number[][] {
  const { d, P, K } = problem;
  const out: number[][] = [];
  for (let k = 0; k < d; k++) {
    const row = new Array<number>(P);
    for (let i = 0; i < P; i++) row[i] = M[k * K + colIndex(problem, c, s, i)];
    out.push(row);
  }
  return out;
}

/**
 * The export for `problem` and its convex solution `U` (d×K): one object when C = 1, else one
 * per class (`classNames[c]` labels the object of column c of Y).
 */
export function exportProblem(problem: Problem, U: Float64Array, classNames: string[]): InterchangeProblem | InterchangeProblem[] {
  const { n, d, P, C } = problem;
  const X = nested(problem.X, n, d);
  const D = nested(problem.D, n, P);
  const one = (c: number): InterchangeProblem => {
    const y = new Array<number>(n);
    for (let j = 0; j < n; j++) y[j] = problem.Y[j * C + c];
    const obj: InterchangeProblem = { X, y, D, beta: problem.beta, model: problem.model, U: block(problem, U, c, 0) };
    if (problem.model === 'relu') obj.W = block(problem, U, c, 1);
    if (C > 1) obj.class = classNames[c];
    return obj;
  };
  if (C === 1) return one(0);
  return Array.from({ length: C }, (_, c) => one(c));
}
