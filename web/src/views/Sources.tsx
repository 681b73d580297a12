// /sources: every log source of the tenant (a listener and a sending
// host) with its events per minute over the last hour, last seen,
// parse-error rate, status and silence threshold (the health baselines),
// a link to its dead letters and to its events; the source-health alerts;
// and, for admins, the per-pipeline counts of the normalisation pipelines.
import { useEffect, useState } from 'preact/hooks';
import { api, qs } from '../api';
import { Sparkline } from '../components/Sparkline';
import { quoteValue } from '../query';
import { Busy, ErrorBox, Level, Link, fmtTime, tenantLink, text } from '../ui';

interface Source {
  source: string;
  host: string;
  parser?: string;
  peer?: string;
  last_seen: string | null;
  last_error?: string;
  eps_1m: number;
  eps_1h: number;
  eps_24h: number;
  events_24h: number;
  per_minute?: number[];
  parse_errors_24h: number;
  parse_error_rate: number;
  silence_after: string;
  status: string;
}

const HEALTH_RULES = ['vigil-source-silent', 'vigil-source-volume-drop', 'vigil-source-parse-errors'];

function ago(t: string | null): string {
  if (!t) return 'never';
  const s = Math.max(0, (Date.now() - Date.parse(t)) / 1000);
  if (s < 90) return `${Math.round(s)} s ago`;
  if (s < 5400) return `${Math.round(s / 60)} min ago`;
  if (s < 172800) return `${Math.round(s / 3600)} h ago`;
  return `${Math.round(s / 86400)} d ago`;
}

function pct(x: number): string {
  return x === 0 ? '0%' : x < 0.001 ? '<0.1%' : (100 * x).toFixed(1) + '%';
}

// pipelineCounts reads vigil_pipeline_events_total from the metrics (admins only).
function pipelineCounts(metrics: string) {
  const m = new Map<string, Record<string, number>>();
  for (const line of metrics.split('\n')) {
    const x = /^vigil_pipeline_events_total\{(.*)\} ([0-9.e+]+)$/.exec(line);
    if (!x) continue;
    const labels: Record<string, string> = {};
    for (const kv of x[1].matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) labels[kv[1]] = kv[2];
    const row = m.get(labels.pipeline) ?? {};
    row[labels.result] = Number(x[2]);
    m.set(labels.pipeline, row);
  }
  return [...m.entries()].filter(([, r]) => (r.handled || 0) + (r.failed || 0) + (r.dropped || 0) > 0).sort((a, b) => (b[1].handled || 0) - (a[1].handled || 0));
}

export function SourcesView({ tenant, role }: { tenant: string; role: string }) {
  const [list, setList] = useState<Source[] | null>(null);
  const [alerts, setAlerts] = useState<any[]>([]);
  const [pipes, setPipes] = useState<[string, Record<string, number>][] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [tick, setTick] = useState(0);
  useEffect(() => {
    const ctl = new AbortController();
    api<{ sources: Source[] }>('/api/v1/sources' + qs({ tenant }), { signal: ctl.signal }).then((r) => setList(r.sources), (e) => !ctl.signal.aborted && setError(e));
    Promise.all(HEALTH_RULES.map((rule) => api<{ alerts: any[] }>('/api/v1/alerts' + qs({ tenant, rule_id: rule, status: 'all', limit: 20 }), { signal: ctl.signal }).then((r) => r.alerts ?? [], () => [])))
      .then((ls) => setAlerts(ls.flat().sort((a, b) => String(b.last).localeCompare(String(a.last))).slice(0, 20)));
    if (role === 'admin') {
      fetch('/metrics', { credentials: 'same-origin', signal: ctl.signal, headers: { 'X-Vigil-Console': '1' } })
        .then((r) => (r.ok ? r.text() : ''))
        .then((t) => setPipes(pipelineCounts(t)), () => {});
    }
    const t = setTimeout(() => setTick(tick + 1), 30000);
    return () => {
      ctl.abort();
      clearTimeout(t);
    };
  }, [tenant, tick]);

  return (
    <div class="sources">
      <div class="toolbar">
        <h1>Sources</h1>
        <Busy on={list === null && !error} />
        <span class="spacer" />
        <span class="muted">refreshes every 30 s</span>
      </div>
      <ErrorBox error={error} />
      {list && list.length === 0 && <p class="empty muted">No source has sent events to this tenant yet.</p>}
      {list && list.length > 0 && (
        <section class="panel" aria-label="Log sources">
          <table class="grid sources-table">
            <thead>
              <tr>
                <th scope="col">source</th>
                <th scope="col">host</th>
                <th scope="col">status</th>
                <th scope="col">events per minute, last hour</th>
                <th scope="col" class="num">EPS 1 min</th>
                <th scope="col" class="num">events 24 h</th>
                <th scope="col">last seen</th>
                <th scope="col" class="num">parse errors 24 h</th>
                <th scope="col">silent after</th>
                <th scope="col">links</th>
              </tr>
            </thead>
            <tbody>
              {list.map((s) => (
                <tr class={'source-row status-' + s.status}>
                  <td>
                    <span class="mono">{s.source}</span>
                    <div class="muted">{text(s.parser)}{s.peer ? ' · ' + s.peer : ''}</div>
                  </td>
                  <td class="mono">{s.host || '(no host)'}</td>
                  <td><span class={'status-badge s-' + s.status}>{s.status.replace('_', ' ')}</span></td>
                  <td><Sparkline values={s.per_minute ?? []} label={`${s.source} ${s.host}: events per minute over the last hour, ${s.eps_1h.toFixed(2)} per second on average`} /></td>
                  <td class="num">{s.eps_1m.toFixed(2)}</td>
                  <td class="num">{s.events_24h.toLocaleString()}</td>
                  <td title={s.last_seen ? fmtTime(s.last_seen) : ''}>{ago(s.last_seen)}</td>
                  <td class="num" title={s.last_error ? 'last ' + fmtTime(s.last_error) : ''}>
                    {s.parse_errors_24h.toLocaleString()} ({pct(s.parse_error_rate)})
                  </td>
                  <td>{s.silence_after}</td>
                  <td class="links">
                    <Link to={tenantLink('/search', { q: s.host ? `host.name:${quoteValue(s.host)}` : `vigil.source:${quoteValue(s.source)}`, from: '-1h' })}>events</Link>{' '}
                    <Link to={tenantLink('/search', { dataset: 'deadletters', q: `vigil.source:${quoteValue(s.source)}`, from: '-24h' })}>dead letters</Link>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      )}
      <div class="cols">
        <section class="panel" aria-label="Source health alerts">
          <h2>Source health alerts</h2>
          {alerts.length === 0 ? (
            <p class="muted">None: no source went silent, dropped in volume or failed to parse.</p>
          ) : (
            <ol class="toplist">
              {alerts.map((a) => (
                <li>
                  <Level level={a.level} /> <Link to={tenantLink('/alerts/' + encodeURIComponent(a.id))}>{text(a.title || a.rule_id)}</Link>
                  <span class="num">{fmtTime(a.last)}</span>
                </li>
              ))}
            </ol>
          )}
        </section>
        {pipes && (
          <section class="panel" aria-label="Normalisation pipelines">
            <h2>Normalisation pipelines (this node, all tenants)</h2>
            {pipes.length === 0 ? (
              <p class="muted">No pipeline has handled an event since the start.</p>
            ) : (
              <table class="grid">
                <thead>
                  <tr><th scope="col">pipeline</th><th scope="col" class="num">handled</th><th scope="col" class="num">failed</th><th scope="col" class="num">dropped</th></tr>
                </thead>
                <tbody>
                  {pipes.map(([name, r]) => (
                    <tr><td class="mono">{name}</td><td class="num">{(r.handled || 0).toLocaleString()}</td><td class="num">{(r.failed || 0).toLocaleString()}</td><td class="num">{(r.dropped || 0).toLocaleString()}</td></tr>
                  ))}
                </tbody>
              </table>
            )}
          </section>
        )}
      </div>
    </div>
  );
}
