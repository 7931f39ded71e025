/**
 * First-layer weights of the strongest neurons drawn as images (image datasets): what each
 * neuron of the recovered network looks for, blue = positive weight, orange = negative.
 */
import { memo, useEffect, useRef } from 'react';
import { diverging } from '../colors';
import { paintCells } from '../draw';
import type { ProblemSummary, Snapshot, WeightTiles } from '../protocol';
import { Panel } from './Panel';

/** Props of {@link WeightImages}. */
export interface WeightImagesProps {
  problem: ProblemSummary;
  snapshot: Snapshot | null;
}

/** The weight-image grid. */
export const WeightImages = memo(function WeightImages({ problem, snapshot }: WeightImagesProps) {
  const tiles = snapshot?.tiles ?? null;
  return (
    <Panel
      title="First-layer weights"
      subtitle={`The ${tiles?.count ?? 0} strongest neurons (by ‖u‖), each weight vector as a ${problem.image?.width ?? 0}×${problem.image?.height ?? 0} image; blue > 0 > orange.`}
      testId="weights"
    >
      {tiles && tiles.count > 0 ? (
        <ol className="tiles">
          {Array.from({ length: tiles.count }, (_, t) => (
            <Tile key={t} tiles={tiles} index={t} caption={tileCaption(problem, tiles.column[t])} />
          ))}
        </ol>
      ) : (
        <div className="placeholder">No neurons yet: u = 0 before the first iteration.</div>
      )}
    </Panel>
  );
});

/**
 * Pattern number and what the neuron votes for: binary nets push towards one class (the sign of
 * the output weight picks which); one-vs-all nets push towards or against their class.
 */
export function tileCaption(p: Pick<ProblemSummary, 'S' | 'P' | 'C' | 'classNames'>, column: number): string {
  const c = Math.floor(column / (p.S * p.P));
  const s = Math.floor(column / p.P) % p.S;
  const i = column % p.P;
  if (p.C === 1) return `#${i + 1} → ${p.classNames[s === 0 ? 1 : 0] ?? ''}`;
  return `#${i + 1} → ${s === 0 ? '' : 'not '}${p.classNames[c] ?? ''}`;
}

function Tile({ tiles, index, caption }: { tiles: WeightTiles; index: number; caption: string }) {
  const ref = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    if (!ref.current) return;
    const { width, height, pixels } = tiles;
    const d = width * height;
    let max = 0;
    for (let k = 0; k < d; k++) max = Math.max(max, Math.abs(pixels[index * d + k]));
    const scale = max > 0 ? 1 / max : 0;
    paintCells(ref.current, width, height, (x, y) => diverging(pixels[index * d + y * width + x] * scale));
  }, [tiles, index]);
  return (
    <li>
      <canvas ref={ref} className="pixels" role="img" aria-label={`Weights of neuron ${caption}`} />
      <span>{caption}</span>
    </li>
  );
}
