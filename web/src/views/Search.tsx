import { useEffect, useMemo, useState } from 'preact/hooks';
import { ApiError, search, type SearchResult } from '../api';
import { TimeChart, fill, fromTimechart } from '../components/Chart';
import { LiveTail } from '../components/LiveTail';
import { QueryBar } from '../components/QueryBar';
import { SavedSearches } from '../components/SavedSearches';
import { columnsOf, download, toCSV, toNDJSON } from '../export';
import { addFilter, filterPart, pipeOffsets, quoteValue } from '../query';
import { href, params, setParams } from '../router';
import { DEFAULT_FROM, iso, zoomRange, resolve, span, spanMs } from '../time';
import { Busy, ErrorBox, KV, Link, TimePicker, fmtTime, text } from '../ui';

const DEFAULT_COLS = ['@timestamp', 'host.name', 'message'];
const PAGE = 100;

export function SearchView({ tenant, role }: { tenant: string; role?: string }) {
  const p = params();
  const q = p.get('q') ?? '';
  const dataset = p.get('dataset') ?? '';
  const [tail, setTail] = useState(false);
  const [sideError, setSideError] = useState<unknown>(null);
  const from = p.get('from') ?? DEFAULT_FROM;
  const to = p.get('to') ?? '';
  const cols = (p.get('cols') || '').split(',').filter(Boolean);
  const columns = cols.length ? cols : DEFAULT_COLS;
  const [res, setRes] = useState<SearchResult | null>(null);
  const [hist, setHist] = useState<{ times: number[]; values: number[] } | null>(null);
  const [error, setError] = useState<{ message: string; column?: number } | null>(null);
  const [busy, setBusy] = useState(false);
  const [limit, setLimit] = useState(PAGE);
  const [detail, setDetail] = useState<Record<string, any> | null>(null);
  const [field, setField] = useState<string | null>(null);
  const [top, setTop] = useState<{ field: string; rows: { value: any; count: number }[] } | null>(null);
  const piped = pipeOffsets(q).length > 0;

  useEffect(() => {
    const ctl = new AbortController();
    setBusy(true);
    setError(null);
    setDetail(null);
    const now = Date.now();
    const fromMs = resolve(from, now) ?? now - 86400e3;
    const toMs = resolve(to, now) ?? now;
    const sp = span(fromMs, toMs);
    const jobs: Promise<unknown>[] = [
      search(tenant, q, from, to, limit, ctl.signal, dataset).then(setRes),
    ];
    if (!piped) {
      const hq = `${filterPart(q)} | timechart span=${sp} count()`.trim();
      jobs.push(
        search(tenant, hq, from, to, 10000, ctl.signal, dataset).then((r) => {
          const t = fromTimechart(r.events);
          setHist(fill(t.times, t.values, fromMs, toMs, spanMs(sp)));
        }),
      );
    } else setHist(null);
    Promise.all(jobs)
      .catch((e) => {
        if (ctl.signal.aborted) return;
        setRes(null);
        setHist(null);
        setError({ message: e.message, column: e instanceof ApiError ? e.column : undefined });
      })
      .finally(() => !ctl.signal.aborted && setBusy(false));
    return () => ctl.abort();
  }, [tenant, q, from, to, limit, dataset]);

  const events = res?.events ?? [];
  const fieldCounts = useMemo(() => {
    const m = new Map<string, number>();
    for (const e of events) for (const k of Object.keys(e)) m.set(k, (m.get(k) || 0) + 1);
    return [...m.entries()].sort((a, b) => a[0].localeCompare(b[0]));
  }, [res]);
  const shownCols = res?.shape === 'table' ? res.columns ?? columnsOf(events) : columns;

  const loadTop = async (f: string) => {
    if (field === f) {
      setField(null);
      return;
    }
    setField(f);
    setTop(null);
    try {
      const r = await search(tenant, `${filterPart(q)} | stats count() by ${f} | sort -count | head 10`.trim(), from, to, 10, undefined, dataset);
      setTop({ field: f, rows: r.events.map((e) => ({ value: e[f], count: Number(e['count()'] ?? Object.values(e).find((v) => typeof v === 'number') ?? 0) })) });
    } catch (e) {
      setTop({ field: f, rows: [] });
    }
  };
  const filter = (f: string, v: any, neg: boolean) => setParams({ q: addFilter(q, f, v === null || v === undefined ? null : String(v), neg) });
  const toggleCol = (f: string) => {
    const next = columns.includes(f) ? columns.filter((c) => c !== f) : [...columns, f];
    setParams({ cols: next.join(',') }, true);
  };
  const exportAs = async (kind: 'csv' | 'ndjson') => {
    const r = await search(tenant, q, from, to, 10000, undefined, dataset);
    if (kind === 'csv') download('vigil-search.csv', 'text/csv', toCSV(r.events, r.shape === 'table' ? r.columns : undefined));
    else download('vigil-search.ndjson', 'application/x-ndjson', toNDJSON(r.events));
  };

  return (
    <div class="search">
      <div class="toolbar">
        <QueryBar key={q} value={q} fields={fieldCounts.map(([f]) => f)} error={error} onSubmit={(nq) => setParams({ q: nq || undefined, saved: undefined })} />
        <TimePicker />
      </div>
      <div class="toolbar">
        {dataset && (
          <span class="chip dataset">dataset: {dataset} <Link to={href('/search', { q: q || undefined, from, to: to || undefined })}>✕</Link></span>
        )}
        <SavedSearches key={tenant} tenant={tenant} canSave={role !== 'viewer'} onError={setSideError} />
        <button type="button" class="ghost" aria-pressed={tail} disabled={piped || !!dataset} title={piped ? 'Live tail takes a filter without pipes' : 'Stream new matching events'}
          onClick={() => setTail(!tail)}>
          {tail ? 'Stop live tail' : 'Live tail'}
        </button>
      </div>
      <ErrorBox error={sideError} />
      {tail && !piped && !dataset && <LiveTail tenant={tenant} filter={q} cols={columns} onOpen={setDetail} />}
      {hist && (
        <section aria-label="Matches over time" class="panel">
          <TimeChart label="Histogram of matching events over time; drag across it to zoom" times={hist.times} bars
            series={[{ label: 'events', values: hist.values, color: '#3b82f6' }]} height={120}
            onZoom={(a, b) => setParams(zoomRange(a, b, hist.times.length > 1 ? hist.times[1] - hist.times[0] : 60e3))} />
        </section>
      )}
      <div class="results-head">
        <span role="status" aria-live="polite">
          {res ? `${res.total.toLocaleString()} ${res.shape === 'table' ? 'rows' : 'events'} · ${res.took_ms} ms` : ''}
        </span>
        <Busy on={busy} />
        <span class="spacer" />
        <button type="button" class="ghost" onClick={() => exportAs('csv')} disabled={!res}>Export CSV</button>
        <button type="button" class="ghost" onClick={() => exportAs('ndjson')} disabled={!res}>Export NDJSON</button>
      </div>
      <ErrorBox error={error && !error.column ? new Error(error.message) : null} />
      <div class="search-body">
        {res?.shape !== 'table' && (
          <aside class="fields" aria-label="Fields">
            <h2>Fields</h2>
            <ul>
              {fieldCounts.map(([f, n]) => (
                <li>
                  <div class="field-row">
                    <button type="button" class="linkish" aria-expanded={field === f} onClick={() => loadTop(f)} title="Top values">
                      {f}
                    </button>
                    <span class="muted">{n}</span>
                    <button type="button" class="tiny" aria-pressed={columns.includes(f)} title={columns.includes(f) ? 'Remove column' : 'Add column'}
                      onClick={() => toggleCol(f)}>
                      {columns.includes(f) ? '−col' : '+col'}
                    </button>
                  </div>
                  {field === f && (
                    <ul class="top" aria-label={'Top values of ' + f}>
                      {!top || top.field !== f ? <li class="muted">…</li> : top.rows.length === 0 ? <li class="muted">no values</li> : null}
                      {top?.field === f &&
                        top.rows.map((r) => (
                          <li>
                            <span class="val">{r.value === null || r.value === undefined ? '(none)' : text(r.value)}</span>
                            <span class="muted">{r.count}</span>
                            <button type="button" class="tiny" aria-label={`Filter for ${f} ${text(r.value)}`} onClick={() => filter(f, r.value, false)}>+</button>
                            <button type="button" class="tiny" aria-label={`Filter out ${f} ${text(r.value)}`} onClick={() => filter(f, r.value, true)}>−</button>
                          </li>
                        ))}
                    </ul>
                  )}
                </li>
              ))}
            </ul>
          </aside>
        )}
        <section class="results" aria-label="Results">
          <table class="grid" aria-rowcount={events.length}>
            <thead>
              <tr>
                {shownCols.map((c) => (
                  <th scope="col">{c}</th>
                ))}
              </tr>
            </thead>
            <tbody>
              {events.map((e) => (
                <tr tabIndex={res?.shape === 'table' ? undefined : 0} class={detail === e ? 'selected' : ''}
                  onClick={() => res?.shape !== 'table' && setDetail(e)}
                  onKeyDown={(k) => {
                    if (k.key === 'Enter' && res?.shape !== 'table') setDetail(e);
                    if (k.key === 'ArrowDown') ((k.currentTarget as HTMLElement).nextElementSibling as HTMLElement | null)?.focus();
                    if (k.key === 'ArrowUp') ((k.currentTarget as HTMLElement).previousElementSibling as HTMLElement | null)?.focus();
                  }}>
                  {shownCols.map((c) => (
                    <td class={c === 'message' || c === 'event.original' ? 'msg' : ''}>
                      {c === '@timestamp' || c === '_time' ? fmtTime(e[c]) : c === 'message' && e[c] === undefined ? text(e['event.original']) : text(e[c])}
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
          {res && res.shape !== 'table' && events.length < res.total && events.length >= limit && limit < 10000 && (
            <button type="button" class="ghost more" onClick={() => setLimit(Math.min(10000, limit * 2))}>Show more</button>
          )}
        </section>
        {detail && <EventDetail e={detail} onClose={() => setDetail(null)} onFilter={filter} />}
      </div>
    </div>
  );
}

function pivot(field: string, value: unknown, ts: unknown): string {
  const t = Date.parse(String(ts));
  const ex: Record<string, string> = { q: `${field}:${quoteValue(String(value))}` };
  if (!Number.isNaN(t)) {
    ex.from = iso(t - 15 * 60e3);
    ex.to = iso(t + 15 * 60e3);
  }
  return href('/search', ex);
}

const PIVOTS: [string, string][] = [
  ['host.name', 'host'],
  ['user.name', 'user'],
  ['source.ip', 'source IP'],
  ['destination.ip', 'destination IP'],
];

export function EventDetail({ e, onClose, onFilter }: { e: Record<string, any>; onClose: () => void; onFilter?: (f: string, v: any, neg: boolean) => void }) {
  const keys = Object.keys(e).filter((k) => k !== 'event.original').sort();
  return (
    <div class="detail" aria-label="Event detail" role="dialog">
      <div class="detail-head">
        <h2>Event</h2>
        <button type="button" class="ghost" onClick={onClose} aria-label="Close event detail">✕</button>
      </div>
      <div class="pivots" role="group" aria-label="Pivot">
        {PIVOTS.filter(([f]) => e[f] !== undefined && e[f] !== null).map(([f, l]) => (
          <Link to={pivot(f, e[f], e['@timestamp'])}>Same {l} ±15 min</Link>
        ))}
      </div>
      <table class="kv">
        <tbody>
          {keys.map((k) => (
            <tr>
              <th scope="row">{k}</th>
              <td>
                <span>{text(e[k])}</span>
                {onFilter && (
                  <span class="acts">
                    <button type="button" class="tiny" aria-label={`Filter for ${k}`} onClick={() => onFilter(k, e[k], false)}>+</button>
                    <button type="button" class="tiny" aria-label={`Filter out ${k}`} onClick={() => onFilter(k, e[k], true)}>−</button>
                  </span>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {e['event.original'] !== undefined && (
        <>
          <h3>Original</h3>
          <pre class="original">{text(e['event.original'])}</pre>
        </>
      )}
    </div>
  );
}

export { KV };
