/**
 * The race section of a share link (issue 11): the settings that replay a race on the link's
 * data — methods, architecture, epoch budget, batch, learning-rate draws and their mode, the
 * seed, the target accuracy and CRONOS's iteration cap. An optional v1 field (`race`): a link
 * without it opens the playground as before, so every old link decodes byte for byte. The
 * section is written whole, so a race link does not depend on the engine's defaults.
 */
import { archTextProblem } from '../../solver/deep/params';
import { RACE_METHODS, type LrMode, type RaceConfig } from '../../solver/race/config';
import { array, Invalid, int, num, object, oneOf, own, str, UINT32_MAX } from './validate';

/** What a link carries of a race: a {@link RaceConfig} without per-method lr ranges (the paper's apply). */
export type RaceLink = Omit<RaceConfig, 'lrRanges'>;

/** Bounds of the race fields a link accepts. */
export const RACE_LINK_LIMITS = {
  epochs: [1, 10_000],
  batch: [1, 1 << 20],
  lrDraws: [1, 100],
  cronosIters: [1, 100_000],
  archChars: 200,
} as const;

const RACE_KEYS = ['methods', 'arch', 'epochs', 'batch', 'lrDraws', 'seed', 'lrMode', 'targetAccuracy', 'cronosIters'] as const;
const LR_MODES: readonly LrMode[] = ['random', 'grid'];

/** A required field of the race section. */
function field(o: Record<string, unknown>, key: string, path: string): unknown {
  const v = own(o, key);
  if (v === undefined) throw new Invalid(`${path}.${key}: is required`);
  return v;
}

/** The methods list: known race methods, each once, at least one. */
function methodList(v: unknown, path: string): string[] {
  const items = array(v, path, RACE_METHODS.length);
  if (items.length === 0) throw new Invalid(`${path}: a race needs at least one method`);
  const out = items.map((m, i) => oneOf(m, `${path}[${i}]`, RACE_METHODS));
  const dup = out.find((m, i) => out.indexOf(m) !== i);
  if (dup !== undefined) throw new Invalid(`${path}: ${dup} is listed twice`);
  return out;
}

/** Validates a parsed race section; throws {@link Invalid} naming the field. */
export function validateRaceLink(raw: unknown, path: string): RaceLink {
  const o = object(raw, path, RACE_KEYS);
  const arch = str(field(o, 'arch', path), `${path}.arch`, 1, RACE_LINK_LIMITS.archChars);
  const archProblem = archTextProblem(arch);
  if (archProblem !== null) throw new Invalid(`${path}.arch: ${archProblem}`);
  const L = RACE_LINK_LIMITS;
  const out: { -readonly [K in keyof RaceLink]: RaceLink[K] } = {
    methods: methodList(field(o, 'methods', path), `${path}.methods`),
    arch,
    epochs: int(field(o, 'epochs', path), `${path}.epochs`, L.epochs[0], L.epochs[1]),
    batch: int(field(o, 'batch', path), `${path}.batch`, L.batch[0], L.batch[1]),
    lrDraws: int(field(o, 'lrDraws', path), `${path}.lrDraws`, L.lrDraws[0], L.lrDraws[1]),
    seed: int(field(o, 'seed', path), `${path}.seed`, 0, UINT32_MAX),
    lrMode: oneOf(field(o, 'lrMode', path), `${path}.lrMode`, LR_MODES),
  };
  const target = own(o, 'targetAccuracy');
  if (target !== undefined) out.targetAccuracy = num(target, `${path}.targetAccuracy`, { above: 0, max: 1 });
  const iters = own(o, 'cronosIters');
  if (iters !== undefined) out.cronosIters = int(iters, `${path}.cronosIters`, L.cronosIters[0], L.cronosIters[1]);
  return out;
}

/** The race section as written (every field, optional ones only when set), in a fixed order. */
export function raceLinkJson(r: RaceLink): Record<string, unknown> {
  const out: Record<string, unknown> = { methods: [...r.methods], arch: r.arch, epochs: r.epochs, batch: r.batch, lrDraws: r.lrDraws, seed: r.seed, lrMode: r.lrMode };
  if (r.targetAccuracy !== undefined) out.targetAccuracy = r.targetAccuracy;
  if (r.cronosIters !== undefined) out.cronosIters = r.cronosIters;
  return out;
}

