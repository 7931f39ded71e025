/**
 * The ρ race (spec §4.5; research-wave2 §3.1 finding 5): ρ matters more than anything else (the
 * best fixed ρ lies anywhere in 0.3β–10β and a 10× miss costs 3–20×), no residual rule finds it
 * reliably, but a short race does. Each candidate ρ runs `steps` iterations from the zero state;
 * the run continues from the state of the winner, the candidate with the lowest objective among
 * those whose cone violation is small (the "objective gap" criterion: every candidate is compared
 * against the same unknown f*, so the lowest f wins). All race steps are real iterations and are
 * reported (and counted) as such.
 *
 * This module is the bookkeeping only (pure, no device): the driver asks it what to do before
 * and after each step.
 */
import type { IterationMetrics } from '../types';

/** Multiples of the centre (β, or ρ when β = 0) that take part, smallest first. */
export const RHO_RACE_FACTORS: readonly number[] = [0.1, 0.3, 1, 3, 10];

/** Cone violation (relative to max|XU|) above which a candidate only wins if none is below it. */
const FEASIBLE_VIOLATION = 1e-3;

/** The candidate ρ of a race centred on `beta` (β > 0) or, for β = 0, on `rho`. */
export function raceCandidates(beta: number, rho: number): number[] {
  const centre = beta > 0 ? beta : rho;
  return RHO_RACE_FACTORS.map((f) => f * centre);
}

/** The last metrics of one candidate, and its state to continue from. */
export interface RaceEntry<S> {
  rho: number;
  last: IterationMetrics;
  state: S;
}

/** Index of the winner among `entries` (see the module comment). */
export function raceWinner<S>(entries: readonly RaceEntry<S>[]): number {
  if (entries.length === 0) throw new Error('raceWinner: no candidates');
  const violation = (e: RaceEntry<S>): number => e.last.coneViolation / Math.max(e.last.maxAbsXU, Number.MIN_VALUE);
  const ok = (e: RaceEntry<S>): boolean => Number.isFinite(e.last.objective) && violation(e) <= FEASIBLE_VIOLATION;
  const pool = entries.some(ok) ? entries.map((e, i) => [e, i] as const).filter(([e]) => ok(e)) : entries.map((e, i) => [e, i] as const);
  let best = pool[0];
  for (const c of pool) {
    const better = ok(c[0]) ? c[0].last.objective < best[0].last.objective : violation(c[0]) < violation(best[0]);
    if (better) best = c;
  }
  return best[1];
}

/** What the driver must do before the next step. */
export type RaceAction<S> = { kind: 'none' } | { kind: 'start'; rho: number } | { kind: 'resume'; rho: number; state: S };

/** The race's progress. */
export class RhoRace<S> {
  private index = 0;
  private done = 0;
  private readonly entries: RaceEntry<S>[] = [];
  private finished = false;
  /** ρ of the winner once the race is over. */
  winner: number | null = null;

  constructor(
    readonly candidates: readonly number[],
    readonly steps: number,
  ) {
    if (!(Number.isInteger(steps) && steps >= 1)) throw new Error(`ρ race: steps per candidate must be a positive integer (got ${steps}).`);
    if (candidates.length < 1 || candidates.some((r) => !(r > 0 && Number.isFinite(r)))) {
      throw new Error(`ρ race: the candidates must be positive numbers (got ${candidates.join(', ')}); with β = 0 give ρ > 0.`);
    }
  }

  /** Whether race steps remain. */
  get running(): boolean {
    return !this.finished;
  }

  /** Before a step: start a candidate from zero, continue from the winner, or nothing. */
  before(): RaceAction<S> {
    if (this.finished) return { kind: 'none' };
    return this.done === 0 ? { kind: 'start', rho: this.candidates[this.index] } : { kind: 'none' };
  }

  /** Whether the step just measured ends the current candidate (then call {@link record}). */
  endsCandidate(): boolean {
    return !this.finished && this.done + 1 >= this.steps;
  }

  /** Counts a race step; returns true when the candidate is done and its state is needed. */
  count(): boolean {
    if (this.finished) return false;
    this.done++;
    return this.done >= this.steps;
  }

  /** Stores a finished candidate; after the last one, returns how to continue (the winner). */
  record(last: IterationMetrics, state: S): RaceAction<S> {
    this.entries.push({ rho: this.candidates[this.index], last, state });
    this.index++;
    this.done = 0;
    if (this.index < this.candidates.length) return { kind: 'none' };
    this.finished = true;
    const w = this.entries[raceWinner(this.entries)];
    this.winner = w.rho;
    return { kind: 'resume', rho: w.rho, state: w.state };
  }
}
