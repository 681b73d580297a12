// Time ranges as the API reads them: RFC 3339, or relative ("-15m", "now").

export const RELATIVE = [
  { value: '-15m', label: 'Last 15 minutes' },
  { value: '-1h', label: 'Last hour' },
  { value: '-4h', label: 'Last 4 hours' },
  { value: '-24h', label: 'Last 24 hours' },
  { value: '-7d', label: 'Last 7 days' },
  { value: '-30d', label: 'Last 30 days' },
];

export const DEFAULT_FROM = '-24h';

const UNITS: Record<string, number> = { s: 1e3, m: 60e3, h: 3600e3, d: 86400e3, w: 7 * 86400e3 };

// resolve turns a bound into epoch milliseconds ("" → undefined).
export function resolve(bound: string, now: number): number | undefined {
  const s = bound.trim();
  if (s === '') return undefined;
  if (s === 'now') return now;
  const m = /^(?:now)?([-+])(\d+)([smhdw])$/.exec(s);
  if (m) return now + (m[1] === '-' ? -1 : 1) * Number(m[2]) * UNITS[m[3]];
  if (/^\d+$/.test(s)) return Number(s) * 1000;
  const t = Date.parse(s);
  return Number.isNaN(t) ? undefined : t;
}

// span picks a timechart span giving about 60 to 120 buckets over [from, to).
export function span(fromMs: number, toMs: number): string {
  const steps: [number, string][] = [
    [1e3, '1s'], [5e3, '5s'], [10e3, '10s'], [30e3, '30s'], [60e3, '1m'], [300e3, '5m'], [600e3, '10m'],
    [1800e3, '30m'], [3600e3, '1h'], [3 * 3600e3, '3h'], [6 * 3600e3, '6h'], [12 * 3600e3, '12h'], [86400e3, '1d'],
  ];
  const want = Math.max(1, toMs - fromMs) / 80;
  for (const [ms, s] of steps) if (ms >= want) return s;
  return '1d';
}

export function iso(ms: number): string {
  return new Date(ms).toISOString().replace(/\.000Z$/, 'Z');
}

export function label(from: string, to: string): string {
  const r = RELATIVE.find((x) => x.value === from);
  if (r && (to === '' || to === 'now')) return r.label;
  return `${from || '…'} → ${to || 'now'}`;
}

// toLocalInput and fromLocalInput convert between RFC 3339 and the value of
// an <input type="datetime-local"> (which the console shows in UTC).
export function toLocalInput(bound: string, now: number): string {
  const t = resolve(bound, now);
  return t === undefined ? '' : new Date(t).toISOString().slice(0, 16);
}

export function fromLocalInput(v: string): string {
  return v ? v + ':00Z' : '';
}

export function spanMs(s: string): number {
  const m = /^(\d+)([smhdw])$/.exec(s);
  return m ? Number(m[1]) * UNITS[m[2]] : 60e3;
}

// zoomRange is the range a drag across a bucketed chart selects: from the
// start of the bucket under its left end to the end of the bucket under
// its right end (a bar stands for [t, t+step)).
export function zoomRange(fromMs: number, toMs: number, stepMs: number): { from: string; to: string } {
  const step = Math.max(1000, stepMs);
  return { from: iso(Math.floor(fromMs / step) * step), to: iso((Math.floor(toMs / step) + 1) * step) };
}
