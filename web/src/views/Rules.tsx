// The rules page: every loaded rule with its state for the tenant, its
// alerts of the last 24 hours and when it last fired; the rules that did
// not load, with why; switching a rule on or off for the tenant; testing a
// rule on pasted events or backtesting it over stored events; and the
// ATT&CK coverage matrix.
import { useEffect, useState } from 'preact/hooks';
import { api, qs } from '../api';
import { params, setParams } from '../router';
import { Busy, ErrorBox, Level, Link, fmtTime, tenantLink, text } from '../ui';
import type { Alert } from './Alerts';
import { parseSample } from '../sample';

export interface RuleRow {
  id: string;
  title: string;
  level?: string;
  kind: 'detection' | 'correlation';
  status?: string;
  tags?: string[];
  tactics?: string[];
  techniques?: string[];
  path?: string;
  silent?: boolean;
  enabled: boolean;
  disabled_by?: string;
  disabled_at?: string;
  alerts_24h: number;
  hits_24h: number;
  last_fired?: string;
}

interface Rejection {
  path: string;
  id?: string;
  title?: string;
  reason: string;
  error: string;
}

interface RulesList {
  rules: RuleRow[];
  rejected: Rejection[];
  loaded_at: string;
  disabled_by_config: number;
}

interface TestResult {
  events: number;
  matches: number;
  alerts: Alert[];
  more_alerts: number;
  took_ms: number;
  matched?: boolean[];
  from?: string;
  to?: string;
  events_in_range?: number;
}

interface Cell {
  tactic: string;
  technique: string;
  rules: string[];
  alerts: number;
  alert_rules: string[];
}

interface Coverage {
  tactics: string[];
  cells: Cell[];
  from: string;
  to: string;
}

export function RulesView({ tenant, role }: { tenant: string; role: string }) {
  const p = params();
  const tab = p.get('tab') === 'coverage' ? 'coverage' : 'rules';
  const selected = p.get('rule') || '';
  const filter = p.get('filter') || '';
  const [list, setList] = useState<RulesList | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const canChange = role !== 'viewer';

  const load = async () => {
    setBusy(true);
    try {
      setList(await api<RulesList>('/api/v1/rules' + qs({ tenant })));
      setError(null);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  useEffect(() => {
    load();
  }, [tenant]);

  const setEnabled = async (r: RuleRow, on: boolean) => {
    // shown at once; the list is read again once the server has it
    setList((l) => l && { ...l, rules: l.rules.map((x) => (x.id === r.id ? { ...x, enabled: on } : x)) });
    setBusy(true);
    try {
      await api('/api/v1/rules/' + encodeURIComponent(r.id) + qs({ tenant }), { method: 'PATCH', body: { enabled: on } });
      await load();
    } catch (e) {
      setError(e);
      await load();
    }
  };

  const f = filter.toLowerCase();
  const rules = (list?.rules || []).filter((r) => !f || r.title.toLowerCase().includes(f) || r.id.toLowerCase().includes(f) ||
    (r.tags || []).some((t) => t.toLowerCase().includes(f)));
  const sel = list?.rules.find((r) => r.id === selected);
  return (
    <div class="rules">
      <div class="toolbar" role="tablist" aria-label="Rules views">
        <button type="button" role="tab" class={tab === 'rules' ? '' : 'ghost'} aria-selected={tab === 'rules'} onClick={() => setParams({ tab: undefined })}>Rules</button>
        <button type="button" role="tab" class={tab === 'coverage' ? '' : 'ghost'} aria-selected={tab === 'coverage'} onClick={() => setParams({ tab: 'coverage' })}>ATT&amp;CK coverage</button>
        <Busy on={busy} />
        <span class="spacer" />
        {list && (
          <span class="muted">
            {list.rules.length} rules loaded {fmtTime(list.loaded_at)}
            {list.rejected.length ? `, ${list.rejected.length} rejected` : ''}
            {list.disabled_by_config ? `, ${list.disabled_by_config} left out by the configuration` : ''}
          </span>
        )}
      </div>
      <ErrorBox error={error} />
      {tab === 'coverage' ? <CoverageView tenant={tenant} rules={list?.rules || []} /> : (
        <div class="split">
          <section class="panel grow" aria-label="Loaded rules">
            <div class="row">
              <input aria-label="Filter rules" placeholder="filter by title, id or tag" value={filter}
                onInput={(e) => setParams({ filter: (e.currentTarget as HTMLInputElement).value }, true)} />
              <span class="muted">{rules.length} shown</span>
            </div>
            <table class="grid rules-table">
              <thead>
                <tr>
                  <th scope="col">On</th>
                  <th scope="col">Level</th>
                  <th scope="col">Rule</th>
                  <th scope="col">Alerts 24h</th>
                  <th scope="col">Hits 24h</th>
                  <th scope="col">Last fired</th>
                  <th scope="col">ATT&amp;CK</th>
                </tr>
              </thead>
              <tbody>
                {rules.map((r) => (
                  <tr class={(r.id === selected ? 'selected ' : '') + (r.enabled ? '' : 'off')} data-rule={r.id}>
                    <td>
                      <input type="checkbox" checked={r.enabled} disabled={!canChange}
                        aria-label={(r.enabled ? 'Disable ' : 'Enable ') + r.title + ' for ' + tenant}
                        title={r.enabled ? 'enabled for ' + tenant : `disabled for ${tenant} by ${r.disabled_by || '?'} ${fmtTime(r.disabled_at)}`}
                        onChange={(e) => setEnabled(r, (e.currentTarget as HTMLInputElement).checked)} />
                    </td>
                    <td><Level level={r.level} /></td>
                    <td>
                      <button type="button" class="linkish" onClick={() => setParams({ rule: r.id })}>{r.title}</button>
                      {r.kind === 'correlation' && <span class="chip">correlation</span>}
                      {r.silent && <span class="chip" title="raises no alert of its own">silent</span>}
                    </td>
                    <td class="num">{r.alerts_24h ? <Link to={tenantLink('/alerts', { rule: r.id, from: '-24h', status: 'all' })}>{r.alerts_24h}</Link> : 0}</td>
                    <td class="num">{r.hits_24h}</td>
                    <td>{r.last_fired ? fmtTime(r.last_fired) : <span class="muted">never</span>}</td>
                    <td class="muted">{[...(r.tactics || []), ...(r.techniques || [])].join(', ')}</td>
                  </tr>
                ))}
              </tbody>
            </table>
            {list?.rejected.length ? (
              <>
                <h2>Rejected rules</h2>
                <table class="grid rejected">
                  <thead><tr><th scope="col">File</th><th scope="col">Rule</th><th scope="col">Reason</th><th scope="col">Error</th></tr></thead>
                  <tbody>
                    {list.rejected.map((x) => (
                      <tr>
                        <td class="mono">{x.path}</td>
                        <td>{text(x.title || x.id)}</td>
                        <td>{x.reason}</td>
                        <td class="msg">{x.error}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </>
            ) : null}
          </section>
          {sel && <RulePanel key={sel.id + tenant} tenant={tenant} rule={sel} canChange={canChange} onToggle={(on) => setEnabled(sel, on)} />}
        </div>
      )}
    </div>
  );
}

const BACKTEST_RANGES = [
  { value: '-1h', label: 'last hour' },
  { value: '-6h', label: 'last 6 hours' },
  { value: '-24h', label: 'last 24 hours' },
  { value: '-7d', label: 'last 7 days' },
  { value: '-30d', label: 'last 30 days' },
];

function RulePanel({ tenant, rule, canChange, onToggle }: { tenant: string; rule: RuleRow; canChange: boolean; onToggle: (on: boolean) => void }) {
  const [sample, setSample] = useState('');
  const [range, setRange] = useState('-24h');
  const [query, setQuery] = useState('');
  const [result, setResult] = useState<{ kind: 'test' | 'backtest'; r: TestResult } | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const run = async (kind: 'test' | 'backtest') => {
    setBusy(true);
    setError(null);
    setResult(null);
    try {
      const body = kind === 'test' ? { events: parseSample(sample) } : { from: range, query: query.trim() || undefined };
      const r = await api<TestResult>('/api/v1/rules/' + encodeURIComponent(rule.id) + '/' + kind + qs({ tenant }), { method: 'POST', body });
      setResult({ kind, r });
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  return (
    <section class="panel rule-panel" aria-label={'Rule ' + rule.title}>
      <p><button type="button" class="ghost tiny" onClick={() => setParams({ rule: undefined })} aria-label="Close the rule">✕</button></p>
      <h2><Level level={rule.level} /> {rule.title}</h2>
      <table class="kv">
        <tbody>
          <tr><th scope="row">Id</th><td class="mono">{rule.id}</td></tr>
          <tr>
            <th scope="row">For {tenant}</th>
            <td class="rule-state">{rule.enabled ? 'enabled' : `disabled by ${rule.disabled_by || '?'} ${fmtTime(rule.disabled_at)}`}</td>
          </tr>
          <tr><th scope="row">Kind</th><td>{rule.kind}{rule.status ? ', ' + rule.status : ''}</td></tr>
          {rule.path && <tr><th scope="row">File</th><td class="mono">{rule.path}</td></tr>}
          <tr><th scope="row">Tags</th><td>{(rule.tags || []).map((t) => <span class="chip">{t}</span>)}</td></tr>
        </tbody>
      </table>
      {canChange && (
        <p>
          <button type="button" onClick={() => onToggle(!rule.enabled)}>{rule.enabled ? 'Disable for ' + tenant : 'Enable for ' + tenant}</button>
        </p>
      )}
      {canChange && rule.kind === 'detection' && (
        <>
          <h3>Test against a sample</h3>
          <textarea aria-label="Sample events" rows={6} class="sample" placeholder={'{"message": "…", "host.name": "…"}  (a JSON event, an array, or one per line)'}
            value={sample} onInput={(e) => setSample((e.currentTarget as HTMLTextAreaElement).value)} />
          <p><button type="button" disabled={busy || !sample.trim()} onClick={() => run('test')}>Test</button></p>
          <h3>Backtest over stored events</h3>
          <div class="row">
            <select aria-label="Backtest range" value={range} onChange={(e) => setRange((e.currentTarget as HTMLSelectElement).value)}>
              {BACKTEST_RANGES.map((r) => <option value={r.value}>{r.label}</option>)}
            </select>
            <input aria-label="Backtest filter" placeholder="optional search filter" value={query} onInput={(e) => setQuery((e.currentTarget as HTMLInputElement).value)} />
            <button type="button" disabled={busy} onClick={() => run('backtest')}>Backtest</button>
          </div>
        </>
      )}
      <Busy on={busy} />
      <ErrorBox error={error} />
      {result && <TestResultView kind={result.kind} r={result.r} tenant={tenant} />}
    </section>
  );
}

function TestResultView({ kind, r, tenant }: { kind: 'test' | 'backtest'; r: TestResult; tenant: string }) {
  const n = r.alerts.length + r.more_alerts;
  return (
    <div class="test-result" role="status" aria-label={kind === 'test' ? 'Test result' : 'Backtest result'}>
      <p>
        <b>{r.matches}</b> of {r.events_in_range ?? r.events} events matched: it would have raised <b class="would-raise">{n}</b> alert{n === 1 ? '' : 's'}
        {' '}— took <b class="took">{r.took_ms} ms</b>
        {kind === 'backtest' && r.from ? <span class="muted"> ({fmtTime(r.from)} → {fmtTime(r.to)})</span> : null}
      </p>
      {r.events_in_range !== undefined && r.events_in_range !== r.events && (
        <p class="muted">The rule ran on the {r.events} events that hold one of its literals; the store left out the others.</p>
      )}
      {r.matched && r.matched.length > 1 && <p class="muted">Matched: {r.matched.map((m, i) => `#${i + 1} ${m ? '✓' : '✗'}`).join('  ')}</p>}
      {r.alerts.length ? (
        <table class="grid">
          <thead><tr><th scope="col">Level</th><th scope="col">First</th><th scope="col">Last</th><th scope="col">Count</th><th scope="col">Entities</th><th scope="col">Events</th></tr></thead>
          <tbody>
            {r.alerts.slice(0, 50).map((a) => (
              <tr>
                <td><Level level={a.level} /></td>
                <td>{fmtTime(a.first)}</td>
                <td>{fmtTime(a.last)}</td>
                <td class="num">{a.count}</td>
                <td>{[...(a.entities?.hosts || []), ...(a.entities?.users || []), ...(a.entities?.source_ips || [])].join(', ')}</td>
                <td>
                  {kind === 'backtest' && a.event_ids?.length ? (
                    <Link to={tenantLink('/search', { q: 'event.id:(' + a.event_ids.slice(0, 20).map((x) => JSON.stringify(x)).join(' OR ') + ')', from: r.from, to: r.to })}>events</Link>
                  ) : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      {r.alerts.length > 50 && <p class="muted">The first 50 of {n} alerts are shown.</p>}
      <span hidden>{tenant}</span>
    </div>
  );
}

const COVERAGE_RANGES = [
  { value: '-24h', label: 'last 24 hours' },
  { value: '-7d', label: 'last 7 days' },
  { value: '-30d', label: 'last 30 days' },
];

function CoverageView({ tenant, rules }: { tenant: string; rules: RuleRow[] }) {
  const p = params();
  const from = p.get('from') || '-7d';
  const by = p.get('by') === 'alerts' ? 'alerts' : 'rules';
  const cellKey = p.get('cell') || '';
  const [cov, setCov] = useState<Coverage | null>(null);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    api<Coverage>('/api/v1/coverage' + qs({ tenant, from })).then((c) => {
      setCov(c);
      setError(null);
    }, setError);
  }, [tenant, from, rules]);
  if (!cov) return <ErrorBox error={error} />;
  const val = (c: Cell) => (by === 'alerts' ? c.alerts : c.rules.length);
  const max = Math.max(1, ...cov.cells.map(val));
  const title = (id: string) => rules.find((r) => r.id === id)?.title || id;
  const cell = cov.cells.find((c) => c.tactic + '/' + c.technique === cellKey);
  return (
    <div class="coverage">
      <div class="row">
        <label>
          Alerts of the
          <select aria-label="Coverage period" value={from} onChange={(e) => setParams({ from: (e.currentTarget as HTMLSelectElement).value })}>
            {COVERAGE_RANGES.map((r) => <option value={r.value}>{r.label}</option>)}
          </select>
        </label>
        <label>
          Shade by
          <select aria-label="Shade by" value={by} onChange={(e) => setParams({ by: (e.currentTarget as HTMLSelectElement).value === 'alerts' ? 'alerts' : undefined })}>
            <option value="rules">enabled rules</option>
            <option value="alerts">alerts</option>
          </select>
        </label>
        <span class="muted">{cov.cells.length} technique cells; darker: more {by === 'alerts' ? 'alerts' : 'enabled rules'}</span>
      </div>
      <ErrorBox error={error} />
      {cov.tactics.length === 0 ? <p class="muted">No enabled rule or alert carries ATT&amp;CK tags.</p> : (
        <div class="matrix" role="group" aria-label="ATT&CK coverage matrix">
          {cov.tactics.map((t) => (
            <div class="tactic" role="group" aria-label={t}>
              <h3>{t}</h3>
              {cov.cells.filter((c) => c.tactic === t).map((c) => {
                const k = c.tactic + '/' + c.technique;
                const v = val(c);
                return (
                  <button type="button" class={'cell' + (k === cellKey ? ' sel' : '')} data-cell={k}
                    style={{ '--heat': String(v / max) }}
                    aria-label={`${t} ${c.technique}: ${c.rules.length} enabled rules, ${c.alerts} alerts`}
                    onClick={() => setParams({ cell: k === cellKey ? undefined : k })}>
                    <span class="tech">{c.technique === '-' ? '(tactic only)' : c.technique}</span>
                    <span class="counts">{c.rules.length} r · {c.alerts} a</span>
                  </button>
                );
              })}
            </div>
          ))}
        </div>
      )}
      {cell && (
        <section class="panel cell-detail" aria-label="Cell">
          <h2>{cell.tactic} · {cell.technique}</h2>
          <h3>Enabled rules ({cell.rules.length})</h3>
          <ul>
            {cell.rules.map((id) => <li><Link to={tenantLink('/rules', { rule: id })}>{title(id)}</Link></li>)}
          </ul>
          <h3>Alerts in the period ({cell.alerts})</h3>
          <ul>
            {cell.alert_rules.map((id) => <li><Link to={tenantLink('/alerts', { rule: id, from, status: 'all' })}>{title(id)}</Link></li>)}
          </ul>
        </section>
      )}
    </div>
  );
}
