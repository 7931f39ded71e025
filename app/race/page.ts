/**
 * The page's side of the race that is not drawing: its default settings and the link that
 * replays a race (the page's data and seeds, plus the race section of app/share/race-link.ts).
 */
import { CRONOS_PARAMS } from '../../solver/methods/cronos/params';
import { DEFAULT_RACE, type RaceConfig } from '../../solver/race/index';
import type { Settings } from '../settings';
import type { RaceLink } from '../share/race-link';
import { tryEncodeState } from '../share/state';
import { toShareState, type LocalDataName, type ViewSettings } from '../share/wire';

/** The race view's first settings: the engine's default race, CRONOS capped at its table's default. */
export const PAGE_RACE: RaceConfig = { ...DEFAULT_RACE, cronosIters: CRONOS_PARAMS.admmIters.default };

/** What a link keeps of a race (the per-method lr ranges are the paper's, never set by the page). */
export function raceLinkOf(c: RaceConfig): RaceLink {
  const { lrRanges: _ranges, ...rest } = c;
  return rest;
}

/** The address that replays race `config` on the data of `settings`, or why there is none. */
export function raceLink(
  settings: Settings,
  config: RaceConfig,
  view: ViewSettings,
  local: LocalDataName,
  where: Pick<Location, 'origin' | 'pathname' | 'search'>,
): { ok: true; url: string } | { ok: false; error: string } {
  const r = tryEncodeState({ ...toShareState(settings, view, local), race: raceLinkOf(config) });
  return r.ok ? { ok: true, url: `${where.origin}${where.pathname}${where.search}#${r.hash}` } : { ok: false, error: r.error };
}
