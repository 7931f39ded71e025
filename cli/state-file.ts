/**
 * `--save-state FILE` / `--resume FILE`: a trainer's state (solver/trainer.ts TrainerState) with
 * what it belongs to — the method, the settings that shape the iteration, and the data (shape and
 * a content hash of the standardised rows and labels) — so a resumed run continues exactly (bit
 * for bit on the CPU) or is refused with what differs.
 *
 * ```
 * { "format": "cronos-cli-state", "version": 1, "method"?: id (absent: cronos),
 *   "config": the method's settings without its step budget,
 *   "data": { "n", "d", "classes", "hash"? }, "state": the trainer state (app/share/trainer-state-json.ts) }
 * ```
 * The budget (`change: 'limit'`, CRONOS's admmIters) is not part of the match: it is the total the
 * resumed run goes up to. Files written before `hash` existed are matched by shape only.
 */
import { readFileSync } from 'node:fs';
import { crc32 } from '../app/share/codec';
import { trainerStateFromJson, trainerStateToJson } from '../app/share/trainer-state-json';
import { DataError } from '../data/errors';
import { DEFAULT_METHOD, METHODS, type MethodRegistry } from '../solver/methods/index';
import type { ParamTable } from '../solver/params/table';
import type { TrainerState } from '../solver/trainer';

/** The `format` of a CLI state file. */
export const STATE_FILE_FORMAT = 'cronos-cli-state';

/** What a state belongs to. */
export interface StateContext {
  /** The method's registry id (default CRONOS). */
  method?: string;
  /** The method's settings (CRONOS: its SolverConfig). */
  config: object;
  n: number;
  d: number;
  classes: string[];
  /** The standardised training rows and their labels (hashed, so other data of the same shape is refused). */
  X: Float64Array;
  labels: Int32Array;
}

/** The settings that must match for a resumed run to continue the saved one exactly: every setting but the step budget. */
function matchedConfig(table: ParamTable, config: object): Record<string, unknown> {
  const values = new Map<string, unknown>(Object.entries(config));
  const out: Record<string, unknown> = {};
  // An unset optional setting (CRONOS's pcgTol: the spec's schedule) is written as null, so JSON keeps the key.
  for (const [key, p] of Object.entries(table)) if (p.change !== 'limit') out[key] = values.get(key) ?? null;
  return out;
}

/** CRC-32 of the rows' float64 bytes and of the labels' bytes, as hex: equal for the same standardised data. */
export function dataHash(X: Float64Array, labels: Int32Array): string {
  const hex = (a: ArrayBufferView): string => crc32(new Uint8Array(a.buffer, a.byteOffset, a.byteLength)).toString(16).padStart(8, '0');
  return `${hex(X)}${hex(labels)}`;
}

function methodId(ctx: StateContext): string {
  return ctx.method ?? DEFAULT_METHOD;
}

/** The state file's JSON text. */
export function stateFileText(state: TrainerState, ctx: StateContext, methods: MethodRegistry = METHODS): string {
  const method = methodId(ctx);
  const config = matchedConfig(methods[method].params, ctx.config);
  const data = { n: ctx.n, d: ctx.d, classes: ctx.classes, hash: dataHash(ctx.X, ctx.labels) };
  // CRONOS files keep their layout (no method field).
  const head = method === DEFAULT_METHOD ? {} : { method };
  return `${JSON.stringify({ format: STATE_FILE_FORMAT, version: 1, ...head, config, data, state: trainerStateToJson(state) })}\n`;
}

/** Reads a state file written by {@link stateFileText} for this run, or throws a DataError naming what differs. */
export function readStateFile(path: string, ctx: StateContext, methods: MethodRegistry = METHODS): TrainerState {
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
  const savedMethod = typeof o.method === 'string' ? o.method : DEFAULT_METHOD;
  if (savedMethod !== methodId(ctx)) throw new DataError(`${path}: the state was saved by method ${savedMethod}; this run uses ${methodId(ctx)}. Resume with --method ${savedMethod}.`, { file: path });
  const saved = { ...((o.config ?? {}) as Record<string, unknown>) };
  // CRONOS files from before the setting existed ran Nyström (the message then names --preconditioner).
  if (savedMethod === DEFAULT_METHOD && !('preconditioner' in saved)) saved.preconditioner = 'nystrom';
  const want = matchedConfig(methods[methodId(ctx)].params, ctx.config);
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
  if (data.hash !== undefined && data.hash !== dataHash(ctx.X, ctx.labels)) {
    throw new DataError(`${path}: the state belongs to other data of the same shape (n=${ctx.n}, d=${ctx.d}; the rows or labels differ). Resume on the same training file with the same --split and --seed.`, { file: path });
  }
  try {
    return trainerStateFromJson(o.state, 'state', methods);
  } catch (e) {
    throw new DataError(`${path}: ${e instanceof Error ? e.message : String(e)}`, { file: path });
  }
}
