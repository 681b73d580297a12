// The world outline for the overview map: Natural Earth's 1:110m countries
// (public domain), as packaged by world-atlas (TopoJSON), embedded in the
// bundle — no tile server, no request leaves the console.
import { feature } from 'topojson-client';
import countries from 'world-atlas/countries-110m.json';

export const MAP_W = 960;
export const MAP_H = 480;

// project maps longitude/latitude to the equirectangular map.
export function project(lon: number, lat: number): [number, number] {
  return [((lon + 180) / 360) * MAP_W, ((90 - lat) / 180) * MAP_H];
}

function ringPath(ring: number[][]): string {
  let d = '';
  let prevX = 0;
  ring.forEach(([lon, lat], i) => {
    const [x, y] = project(lon, lat);
    // A jump across the antimeridian starts a new subpath.
    d += (i === 0 || Math.abs(x - prevX) > MAP_W / 2 ? 'M' : 'L') + x.toFixed(1) + ' ' + y.toFixed(1);
    prevX = x;
  });
  return d + 'Z';
}

let cached: string | null = null;

// worldPath is one SVG path of every country's outline.
export function worldPath(): string {
  if (cached !== null) return cached;
  const topo = countries as any;
  const fc = feature(topo, topo.objects.countries) as any;
  const parts: string[] = [];
  for (const f of fc.features) {
    const g = f.geometry;
    if (!g) continue;
    const polys = g.type === 'Polygon' ? [g.coordinates] : g.type === 'MultiPolygon' ? g.coordinates : [];
    for (const poly of polys) for (const ring of poly) parts.push(ringPath(ring));
  }
  cached = parts.join('');
  return cached;
}
