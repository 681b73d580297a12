// Shaping a stats or timechart table for a dashboard panel's chart. Pure
// functions, unit-tested in panel.test.ts.

export type Row = Record<string, any>;

export const TIME = '_time';

// split names a table's columns: the time column, the group (label)
// columns and the value (numeric) columns.
export function split(rows: Row[], columns?: string[]) {
  const cols = columns && columns.length ? columns : rows.length ? Object.keys(rows[0]) : [];
  const numeric = (c: string) => rows.length > 0 && rows.every((r) => r[c] === null || r[c] === undefined || typeof r[c] === 'number');
  const time = cols.includes(TIME) ? TIME : undefined;
  const values = cols.filter((c) => c !== TIME && numeric(c) && !/\.(lat|lon)$/.test(c));
  const labels = cols.filter((c) => c !== TIME && !values.includes(c));
  return { time, labels, values };
}

export function labelOf(r: Row, labels: string[]): string {
  if (labels.length === 0) return 'all';
  return labels.map((l) => (r[l] === null || r[l] === undefined ? '(none)' : String(r[l]))).join(' · ');
}

// series turns a timechart table into aligned series, one per group (the
// top max groups by total), over the sorted bucket times.
export function series(rows: Row[], columns: string[] | undefined, max = 8) {
  const { labels, values } = split(rows, columns);
  const v = values[0];
  const times = [...new Set(rows.map((r) => Date.parse(r[TIME])).filter((t) => !Number.isNaN(t)))].sort((a, b) => a - b);
  const idx = new Map(times.map((t, i) => [t, i]));
  const groups = new Map<string, number[]>();
  for (const r of rows) {
    const g = labelOf(r, labels);
    let a = groups.get(g);
    if (!a) groups.set(g, (a = times.map(() => 0)));
    const i = idx.get(Date.parse(r[TIME]));
    if (i !== undefined && v) a[i] += Number(r[v] ?? 0);
  }
  const total = (a: number[]) => a.reduce((s, x) => s + x, 0);
  const top = [...groups.entries()].sort((a, b) => total(b[1]) - total(a[1])).slice(0, max);
  return { times, groups: top.map(([label, vals]) => ({ label, values: vals })) };
}

// bars turns a table into labelled values (the first value column).
export function bars(rows: Row[], columns?: string[], max = 20) {
  const { time, labels, values } = split(rows, columns);
  const v = values[0];
  const ls = time ? [time, ...labels] : labels;
  return rows.slice(0, max).map((r) => ({ label: labelOf(r, ls), value: v ? Number(r[v] ?? 0) : 0 }));
}

// single is the first value of the first row.
export function single(rows: Row[], columns?: string[]): number | null {
  const { values } = split(rows, columns);
  if (!rows.length || !values.length) return null;
  return Number(rows[0][values[0]] ?? 0);
}

// points reads map points from columns ending in .lat and .lon.
export function points(rows: Row[], columns?: string[]) {
  const cols = columns && columns.length ? columns : rows.length ? Object.keys(rows[0]) : [];
  const lat = cols.find((c) => /(^|\.)lat$/.test(c));
  const lon = cols.find((c) => /(^|\.)lon$/.test(c));
  const { values } = split(rows, columns);
  if (!lat || !lon) return null;
  return rows
    .map((r) => ({ lat: Number(r[lat]), lon: Number(r[lon]), count: values[0] ? Number(r[values[0]] ?? 1) : 1, label: `${r[lat]}, ${r[lon]}` }))
    .filter((p) => Number.isFinite(p.lat) && Number.isFinite(p.lon) && Math.abs(p.lat) <= 90 && Math.abs(p.lon) <= 180);
}

// heat turns a table into a grid: rows are groups, columns are time
// buckets (a timechart) or the second label column (stats by two fields).
export function heat(rows: Row[], columns?: string[], maxRows = 20) {
  const { time, labels, values } = split(rows, columns);
  const v = values[0];
  let xOf: (r: Row) => string;
  let yLabels: string[];
  if (time) {
    xOf = (r) => String(r[TIME]);
    yLabels = labels;
  } else {
    const x = labels[labels.length - 1];
    xOf = (r) => (r[x] === null || r[x] === undefined ? '(none)' : String(r[x]));
    yLabels = labels.slice(0, -1);
  }
  const xs = [...new Set(rows.map(xOf))].sort();
  const cells = new Map<string, Map<string, number>>();
  for (const r of rows) {
    const y = labelOf(r, yLabels);
    if (!cells.has(y)) cells.set(y, new Map());
    const m = cells.get(y)!;
    m.set(xOf(r), (m.get(xOf(r)) || 0) + (v ? Number(r[v] ?? 0) : 1));
  }
  const total = (m: Map<string, number>) => [...m.values()].reduce((s, x) => s + x, 0);
  const ys = [...cells.entries()].sort((a, b) => total(b[1]) - total(a[1])).slice(0, maxRows);
  const max = Math.max(1, ...ys.flatMap(([, m]) => [...m.values()]));
  return { xs, time: !!time, rows: ys.map(([label, m]) => ({ label, cells: xs.map((x) => m.get(x) || 0) })), max };
}

// fillRange spreads series over every bucket of [fromMs, toMs) (at most
// 2000), zero where a bucket has no row, so that one bucket or a gap
// reads as such. stepMs is the query's span, else the smallest gap
// between buckets, else fallbackMs.
export function fillRange(s: { times: number[]; groups: { label: string; values: number[] }[] }, fromMs: number, toMs: number, stepMs: number | undefined, fallbackMs: number) {
  let step = stepMs;
  if (!step) {
    for (let i = 1; i < s.times.length; i++) {
      const d = s.times[i] - s.times[i - 1];
      if (d > 0 && (!step || d < step)) step = d;
    }
  }
  step = Math.max(1000, step || fallbackMs);
  const start = Math.floor(Math.min(fromMs, s.times[0] ?? fromMs) / step) * step;
  const end = Math.max(toMs, (s.times[s.times.length - 1] ?? 0) + 1);
  if ((end - start) / step > 2000) return s;
  const times: number[] = [];
  for (let t = start; t < end; t += step) times.push(t);
  const groups = s.groups.map((g) => {
    const m = new Map(s.times.map((t, i) => [t, g.values[i]]));
    return { label: g.label, values: times.map((t) => m.get(t) ?? 0) };
  });
  return { times, groups };
}
