import { MAP_H, MAP_W, project, worldPath } from '../world';
import { text } from '../ui';

export interface Point {
  lat: number;
  lon: number;
  count: number;
  label: string;
}

export function WorldMap({ points }: { points: Point[] }) {
  const max = Math.max(1, ...points.map((p) => p.count));
  return (
    <svg class="worldmap" viewBox={`0 0 ${MAP_W} ${MAP_H}`} role="img" aria-label={`World map of ${points.length} source locations`}>
      <path d={worldPath()} class="land" />
      {points.map((p) => {
        const [x, y] = project(p.lon, p.lat);
        const r = 3 + 12 * Math.sqrt(p.count / max);
        return (
          <circle cx={x} cy={y} r={r} class="dot">
            <title>{`${text(p.label)}: ${p.count}`}</title>
          </circle>
        );
      })}
    </svg>
  );
}
