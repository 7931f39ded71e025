/**
 * `--save-state FILE` / `--resume FILE`: the solver's state (solver/trainer.ts TrainerState) with
 * what it belongs to — the settings that shape the iteration and the data's shape — so a resumed
 * run continues exactly (bit for bit on the CPU solver) or is refused with what differs.
 *
 * ```
 * { "format": "cronos-cli-state", "version": 1, "config": SolverConfig without admmIters,
 *   "data": { "n", "d", "classes" }, "state": the trainer state (app/share/trainer-state-json.ts) }
 * ```
 * `admmIters` is not part of the match: it is the total the resumed run goes up to.
 */
import { readFileSync } from 'node:fs';
import { trainerStateFromJson, trainerStateToJson } from '../app/share/trainer-state-json';
import { DataError } from '../data/errors';
import type { TrainerState } from '../solver/trainer';
import type { SolverConfig } from '../solver/types';

/** The `format` of a CLI state file. */
export const STATE_FILE_FORMAT = 'cronos-cli-state';

/** What a state belongs to. */
export interface StateContext {
  config: SolverConfig;
  n: number;
  d: number;
  classes: string[];
}

/** The settings that must match for a resumed run to continue the saved one exactly. */
function matchedConfig(config: SolverConfig): Record<string, unknown> {
  // An absent pcgTol (the spec's schedule) is written as null, so JSON keeps the key.
  const out: Record<string, unknown> = { ...config, pcgTol: config.pcgTol ?? null };
  delete out.admmIters;
  return out;
}

/** The state file's JSON text. */
export function stateFileText(state: TrainerState, ctx: StateContext): string {
  return `${JSON.stringify({ format: STATE_FILE_FORMAT, version: 1, config: matchedConfig(ctx.config), data: { n: ctx.n, d: ctx.d, classes: ctx.classes }, state: trainerStateToJson(state) })}\n`;
}

/** Reads a state file written by {@link stateFileText} for this run, or throws a DataError naming what differs. */
export function readStateFile(path: string, ctx: StateContext): TrainerState {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    const why = (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file; check the path' : 'not a JSON state file written by --save-state';
    throw new DataError(`${path}: cannot read the saved state (${why}).`, { file: path });
  }
  const o = raw as Record<string, unknown> | null;
  if (typeof o !== 'object' || o === null || o.format !== STATE_FILE_FORMAT) throw new DataError(`${path}: not a state file written by --save-state (format is not "${STATE_FILE_FORMAT}").`, { file: path });
  if (o.version !== 1) throw new DataError(`${path}: state file version ${String(o.version)}; this CLI reads version 1.`, { file: path });
  const saved = { ...((o.config ?? {}) as Record<string, unknown>) };
  // Files from before the setting existed ran Nyström (the message then names --preconditioner).
  if (!('preconditioner' in saved)) saved.preconditioner = 'nystrom';
  const want = matchedConfig(ctx.config);
  for (const key of new Set([...Object.keys(want), ...Object.keys(saved)])) {
    if (saved[key] !== want[key]) {
      throw new DataError(`${path}: the state was saved with ${key} = ${JSON.stringify(saved[key])}, this run has ${JSON.stringify(want[key])}. Resume with the same settings (only --admm-iters may change).`, { file: path });
    }
  }
  const data = (o.data ?? {}) as Record<string, unknown>;
  const sameClasses = Array.isArray(data.classes) && data.classes.length === ctx.classes.length && data.classes.every((c, i) => c === ctx.classes[i]);
  if (data.n !== ctx.n || data.d !== ctx.d || !sameClasses) {
    throw new DataError(`${path}: the state belongs to data with n=${String(data.n)}, d=${String(data.d)}; this run has n=${ctx.n}, d=${ctx.d}${sameClasses ? '' : ' and other classes'}. Resume on the same training file.`, { file: path });
  }
  try {
    return trainerStateFromJson(o.state, 'state');
  } catch (e) {
    throw new DataError(`${path}: ${e instanceof Error ? e.message : String(e)}`, { file: path });
  }
}
