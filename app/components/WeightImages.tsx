/**
 * First-layer weights of the strongest neurons drawn as images (image datasets): what each
 * neuron of the recovered network looks for, blue = positive weight, orange = negative. RGB
 * images (user data) are drawn in colour (grey = 0, each channel brighter for positive weights)
 * or as three diverging tiles, one per channel.
 */
import { memo, useEffect, useRef, useState } from 'react';
import { diverging, type Rgb } from '../colors';
import { paintCells } from '../draw';
import type { ProblemSummary, Snapshot, WeightTiles } from '../protocol';
import { Panel } from './Panel';
import { Segmented } from './Segmented';

/** Props of {@link WeightImages}. */
export interface WeightImagesProps {
  /** CRONOS's convex program (tiles are columns of u, captions name pattern and class); null for a deep network's first layer. */
  problem: ProblemSummary | null;
  /** The data's pixel grid (the tile size of CRONOS's u and of a dense first layer). */
  image: { width: number; height: number; channels?: 1 | 3 };
  snapshot: Snapshot | null;
}

/** The weight-image grid. */
export const WeightImages = memo(function WeightImages({ problem, image, snapshot }: WeightImagesProps) {
  const tiles = snapshot?.tiles ?? null;
  const [mode, setMode] = useState<RgbMode>('colour');
  const rgb = (tiles?.channels ?? image.channels ?? 1) === 3;
  const what = tilesWhat(tiles, problem !== null);
  const size = `${tiles?.width ?? image.width}×${tiles?.height ?? image.height}`;
  return (
    <Panel
      title={problem || !tiles?.layer ? 'First-layer weights' : tiles.layer === 'conv3x3' ? 'First-layer filters' : 'First-layer weights'}
      subtitle={
        rgb
          ? `${what}, each as a ${size} RGB image; ${mode === 'colour' ? 'grey = 0, a channel brighter where its weight is positive' : 'one tile per channel (R, G, B), blue > 0 > orange'}.`
          : `${what}, each as a ${size} image; blue > 0 > orange.`
      }
      testId="weights"
      actions={rgb && <RgbSwitch value={mode} onChange={setMode} />}
    >
      {tiles && tiles.count > 0 ? (
        <ol className={`tiles${rgb && mode === 'channels' ? ' per-channel' : ''}`}>
          {Array.from({ length: tiles.count }, (_, t) => (
            <Tile key={t} tiles={tiles} index={t} caption={problem ? tileCaption(problem, tiles.column[t]) : `#${tiles.column[t] + 1}`} mode={mode} />
          ))}
        </ol>
      ) : (
        <div className="placeholder">{problem ? 'No neurons yet: u = 0 before the first iteration.' : 'No weights yet: the network is drawn after its first step.'}</div>
      )}
    </Panel>
  );
});

/** What the tiles show, for the subtitle: CRONOS's strongest neurons, or a deep network's first-layer units or 3×3 filters. */
export function tilesWhat(tiles: Pick<WeightTiles, 'count' | 'layer'> | null, convex: boolean): string {
  const count = tiles?.count ?? 0;
  if (convex || !tiles?.layer) return `The ${count} strongest neurons (by ‖u‖), each weight vector`;
  if (tiles.layer === 'conv3x3') return `The ${count} strongest 3×3 filters of the first convolution (by ‖w‖), as the network trains`;
  return `The ${count} strongest units of the first dense layer (by ‖w‖), their input weights, as the network trains`;
}

/**
 * Pattern number and what the neuron votes for: binary nets push towards one class (the sign of
 * the output weight picks which); one-vs-all nets push towards or against their class.
 */
export function tileCaption(p: Pick<ProblemSummary, 'S' | 'P' | 'C' | 'classNames'>, column: number): string {
  const c = Math.floor(column / (p.S * p.P));
  const s = Math.floor(column / p.P) % p.S;
  const i = column % p.P;
  // Regression has no classes: say which sign block the neuron belongs to.
  if (p.classNames.length === 0) return `#${i + 1} ${p.S === 1 ? '' : s === 0 ? '(+)' : '(−)'}`.trim();
  if (p.C === 1) return `#${i + 1} → ${p.classNames[s === 0 ? 1 : 0] ?? ''}`;
  return `#${i + 1} → ${s === 0 ? '' : 'not '}${p.classNames[c] ?? ''}`;
}

/** How RGB weight tiles are drawn. */
export type RgbMode = 'colour' | 'channels';

/** Colour / per-channel toggle (a radio group, so arrow keys work). */
function RgbSwitch({ value, onChange }: { value: RgbMode; onChange(m: RgbMode): void }) {
  return <Segmented label="RGB weights" name="rgb-weights" options={RGB_MODES} value={value} onChange={onChange} testIdPrefix="weights-" />;
}

/** The two ways of drawing RGB tiles. */
const RGB_MODES = [
  ['colour', 'Colour'],
  ['channels', 'Per channel'],
] as const;

/**
 * The colour of an RGB weight triple scaled to [−1, 1]: mid-grey at 0, each channel brighter
 * for positive and darker for negative weights, so the tile looks like the colour pattern the
 * neuron responds to.
 */
export function weightRgb(r: number, g: number, b: number): Rgb {
  const ch = (v: number): number => Math.round(127.5 + 127.5 * Math.max(-1, Math.min(1, Number.isFinite(v) ? v : 0)));
  return [ch(r), ch(g), ch(b)];
}

function Tile({ tiles, index, caption, mode }: { tiles: WeightTiles; index: number; caption: string; mode: RgbMode }) {
  const channels = tiles.channels ?? 1;
  const perChannel = channels === 3 && mode === 'channels';
  const refs = [useRef<HTMLCanvasElement>(null), useRef<HTMLCanvasElement>(null), useRef<HTMLCanvasElement>(null)];
  useEffect(() => {
    const { width, height, pixels } = tiles;
    const d = width * height * channels;
    const base = index * d;
    let max = 0;
    for (let k = 0; k < d; k++) max = Math.max(max, Math.abs(pixels[base + k]));
    // One scale for all channels, so their strengths compare.
    const scale = max > 0 ? 1 / max : 0;
    const at = (x: number, y: number, c: number): number => pixels[base + (y * width + x) * channels + c] * scale;
    const first = refs[0].current;
    if (!first) return;
    if (channels === 1) paintCells(first, width, height, (x, y) => diverging(at(x, y, 0)));
    else if (!perChannel) paintCells(first, width, height, (x, y) => weightRgb(at(x, y, 0), at(x, y, 1), at(x, y, 2)));
    else
      refs.forEach((ref, c) => {
        if (ref.current) paintCells(ref.current, width, height, (x, y) => diverging(at(x, y, c)));
      });
    // `refs` is left out of the dependencies: the ref objects are stable across renders.
  }, [tiles, index, channels, perChannel]);
  return (
    <li>
      {perChannel ? (
        <div className="channel-tiles">
          {['red', 'green', 'blue'].map((name, c) => (
            <canvas key={name} ref={refs[c]} className="pixels" role="img" aria-label={`${name} weights of neuron ${caption}`} />
          ))}
        </div>
      ) : (
        <canvas ref={refs[0]} className="pixels" role="img" aria-label={`Weights of neuron ${caption}`} />
      )}
      <span>{caption}</span>
    </li>
  );
}
