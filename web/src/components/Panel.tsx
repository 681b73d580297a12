// One dashboard panel: runs its stats or timechart query over the
// dashboard's time range and draws the table as the panel's chart.
import { useEffect, useState } from 'preact/hooks';
import { search, type SearchResult } from '../api';
import { bars, fillRange, heat, points, series, single, split } from '../panel';
import { href } from '../router';
import { resolve, span, spanMs } from '../time';
import { Busy, Link, fmtTime, text } from '../ui';
import { TimeChart } from './Chart';
import { WorldMap } from './WorldMap';

export interface PanelDef {
  title: string;
  query: string;
  chart: 'line' | 'bar' | 'table' | 'single' | 'map' | 'heatmap';
  width?: number;
}

export const CHARTS: [PanelDef['chart'], string][] = [
  ['line', 'Line'],
  ['bar', 'Bar'],
  ['table', 'Table'],
  ['single', 'Single value'],
  ['map', 'Map'],
  ['heatmap', 'Heat map'],
];

const COLORS = ['#3b82f6', '#ef4444', '#22c55e', '#eab308', '#a855f7', '#06b6d4', '#f97316', '#ec4899'];

export function Panel({ p, tenant, from, to, children }: { p: PanelDef; tenant: string; from: string; to: string; children?: any }) {
  const [res, setRes] = useState<SearchResult | null>(null);
  const [err, setErr] = useState<string | null>(null);
  useEffect(() => {
    const ctl = new AbortController();
    setErr(null);
    search(tenant, p.query, from, to, 1000, ctl.signal).then(setRes, (e) => !ctl.signal.aborted && setErr(e.message));
    return () => ctl.abort();
  }, [tenant, p.query, from, to]);
  return (
    <section class={'panel dpanel w' + (p.width || 1)} aria-label={p.title}>
      <div class="dpanel-head">
        <h2>{p.title}</h2>
        <span class="spacer" />
        <Link to={href('/search', { q: p.query, from, to: to || undefined })} title="Open this query in search">Open in search</Link>
        {children}
      </div>
      {err ? <div class="error" role="alert">{err}</div> : !res ? <Busy on /> : <Body p={p} res={res} from={from} to={to} />}
    </section>
  );
}

function Body({ p, res, from, to }: { p: PanelDef; res: SearchResult; from: string; to: string }) {
  const rows = res.events;
  if (res.shape !== 'table') return <p class="muted">This query returns events: end it with stats or timechart.</p>;
  if (rows.length === 0) return <p class="muted">No data in this range.</p>;
  const cols = res.columns;
  const { time } = split(rows, cols);
  switch (p.chart) {
    case 'single': {
      const v = single(rows, cols);
      return <p class="single-value" aria-label={`${p.title}: ${v ?? 'no value'}`}>{v === null ? '—' : v.toLocaleString()}</p>;
    }
    case 'map': {
      const pts = points(rows, cols);
      if (!pts) return <p class="muted">A map needs columns ending in .lat and .lon: stats count() by source.geo.location.lat, source.geo.location.lon (GeoIP enrichment adds them).</p>;
      return (
        <>
          <WorldMap points={pts} />
          {pts.length === 0 && <p class="muted">No located rows in this range.</p>}
        </>
      );
    }
    case 'heatmap':
      return <Heat rows={rows} cols={cols} />;
    case 'line':
    case 'bar':
      if (time) {
        const now = Date.now();
        const fromMs = resolve(from, now) ?? now - 86400e3;
        const toMs = resolve(to, now) ?? now;
        const m = /\bspan=(\d+[smhdw])\b/.exec(p.query);
        const s = fillRange(series(rows, cols), fromMs, toMs, m ? spanMs(m[1]) : undefined, spanMs(span(fromMs, toMs)));
        return (
          <TimeChart label={`${p.title}: ${p.chart} chart of ${s.groups.map((g) => g.label).join(', ')}`} times={s.times} bars={p.chart === 'bar'} height={180}
            series={s.groups.map((g, i) => ({ label: g.label, values: g.values, color: COLORS[i % COLORS.length] }))} />
        );
      }
      return <Bars rows={rows} cols={cols} />;
    default:
      return <Table rows={rows} cols={cols ?? Object.keys(rows[0])} />;
  }
}

function Bars({ rows, cols }: { rows: Record<string, any>[]; cols?: string[] }) {
  const b = bars(rows, cols);
  const max = Math.max(1, ...b.map((x) => x.value));
  return (
    <ul class="bars wide" role="list">
      {b.map((x) => (
        <li>
          <span class="blabel" title={x.label}>{x.label}</span>
          <span class="bar"><span class="fill" style={{ width: `${(100 * x.value) / max}%`, background: COLORS[0] }} /></span>
          <span class="num">{x.value.toLocaleString()}</span>
        </li>
      ))}
    </ul>
  );
}

function Table({ rows, cols }: { rows: Record<string, any>[]; cols: string[] }) {
  return (
    <div class="dtable">
      <table class="grid">
        <thead>
          <tr>{cols.map((c) => <th scope="col">{c}</th>)}</tr>
        </thead>
        <tbody>
          {rows.slice(0, 200).map((r) => (
            <tr>{cols.map((c) => <td class={typeof r[c] === 'number' ? 'num' : ''}>{c === '_time' ? fmtTime(r[c]) : text(r[c])}</td>)}</tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function Heat({ rows, cols }: { rows: Record<string, any>[]; cols?: string[] }) {
  const h = heat(rows, cols);
  return (
    <div class="heat" role="img" aria-label={`Heat map of ${h.rows.length} groups over ${h.xs.length} columns`}>
      <table>
        <tbody>
          {h.rows.map((r) => (
            <tr>
              <th scope="row" title={r.label}>{r.label}</th>
              {r.cells.map((v, i) => (
                <td style={{ background: v ? `rgba(239, 68, 68, ${0.12 + 0.88 * (v / h.max)})` : undefined }} title={`${r.label} · ${h.time ? fmtTime(h.xs[i]) : h.xs[i]}: ${v}`} />
              ))}
            </tr>
          ))}
        </tbody>
      </table>
      <p class="muted heat-axis">{h.time ? `${fmtTime(h.xs[0])} → ${fmtTime(h.xs[h.xs.length - 1])}` : h.xs.join(' · ')}</p>
    </div>
  );
}
