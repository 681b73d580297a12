import { useEffect, useState } from 'preact/hooks';
import { api, qs, search } from '../api';
import { Tree } from '../components/Tree';
import { ReasonView, type Reason } from '../components/Reason';
import { ResponseRun } from '../components/ResponseRun';
import { quoteValue } from '../query';
import { iso } from '../time';
import { Busy, ErrorBox, Level, Link, fmtTime, tenantLink, text } from '../ui';
import { EventDetail } from './Search';
import { entitiesOf, type Alert } from './Alerts';

interface RuleDoc {
  id: string;
  title: string;
  description?: string;
  level?: string;
  status?: string;
  author?: string;
  tags?: string[];
  references?: string[];
  falsepositives?: string[];
  logsource?: Record<string, string>;
  path?: string;
  yaml?: string;
}

// Fields of an alert the console knows; anything else (what the engine
// records of why it fired) is shown as it comes.
const KNOWN = new Set(['id', 'tenant', 'rule_id', 'rule_title', 'level', 'tags', 'techniques', 'tactics', 'first', 'last', 'count',
  'event_ids', 'entities', 'status', 'assignee', 'triage', 'correlation']);

export function whyOf(a: Record<string, unknown>): [string, unknown][] {
  return Object.entries(a).filter(([k, v]) => !KNOWN.has(k) && v !== null && v !== undefined);
}

function safeURL(u: string): boolean {
  return /^https?:\/\//i.test(u);
}

export function AlertDetailView({ tenant, id, role }: { tenant: string; id: string; role: string }) {
  const [a, setA] = useState<Alert | null>(null);
  const [rule, setRule] = useState<RuleDoc | null>(null);
  const [events, setEvents] = useState<Record<string, any>[] | null>(null);
  const [ev, setEv] = useState<Record<string, any> | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [comment, setComment] = useState('');
  const [assignee, setAssignee] = useState('');
  const [busy, setBusy] = useState(false);

  const load = async () => {
    try {
      const al = await api<Alert>('/api/v1/alerts/' + encodeURIComponent(id) + qs({ tenant }));
      setA(al);
      setAssignee(al.assignee || '');
      api<RuleDoc>('/api/v1/rules/' + encodeURIComponent(al.rule_id) + qs({ tenant })).then(setRule, () => setRule(null));
      if (al.event_ids?.length) {
        const q = 'event.id:(' + al.event_ids.slice(0, 100).map(quoteValue).join(' OR ') + ')';
        const f = Date.parse(al.first), l = Date.parse(al.last);
        search(tenant, q, Number.isNaN(f) ? '' : iso(f - 3600e3), Number.isNaN(l) ? '' : iso(l + 3600e3), 100).then((r) => setEvents(r.events), () => setEvents([]));
      } else setEvents([]);
    } catch (e) {
      setError(e);
    }
  };
  useEffect(() => {
    load();
  }, [tenant, id]);

  const change = async (body: Record<string, unknown>) => {
    setBusy(true);
    setError(null);
    try {
      const al = await api<Alert>('/api/v1/alerts/' + encodeURIComponent(id) + qs({ tenant }), { method: 'PATCH', body });
      setA(al);
      setComment('');
      // PATCH returns the alert with its notes.
      const full = await api<Alert>('/api/v1/alerts/' + encodeURIComponent(id) + qs({ tenant }));
      setA(full);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  if (!a) return <div><ErrorBox error={error} />{!error && <p class="muted">Loading…</p>}</div>;
  const why = whyOf(a);
  const canChange = role !== 'viewer';
  return (
    <div class="alert-detail">
      <p><Link to={tenantLink('/alerts')}>← Alerts</Link></p>
      <h1><Level level={a.level} /> {a.rule_title || a.rule_id}</h1>
      <ErrorBox error={error} />
      <div class="cols">
        <section class="panel" aria-label="Summary">
          <table class="kv">
            <tbody>
              <tr><th scope="row">Status</th><td class="status">{a.status}</td></tr>
              <tr><th scope="row">Assignee</th><td>{text(a.assignee) || '—'}</td></tr>
              <tr><th scope="row">Count</th><td>{a.count}</td></tr>
              <tr><th scope="row">First</th><td>{fmtTime(a.first)}</td></tr>
              <tr><th scope="row">Last</th><td>{fmtTime(a.last)}</td></tr>
              <tr><th scope="row">Rule id</th><td class="mono">{a.rule_id}</td></tr>
              <tr><th scope="row">ATT&amp;CK</th><td>{[...(a.tactics || []), ...(a.techniques || [])].join(', ') || '—'}</td></tr>
              <tr>
                <th scope="row">Entities</th>
                <td>
                  {entitiesOf(a).map((e) => (
                    <span class="chip-group">
                      <Link class="chip" to={tenantLink('/alerts', { entity: e, status: 'all' })}>{e}</Link>
                      <Link class="tiny-link" to={tenantLink('/search', { q: searchFor(a, e) })} title={'Search events of ' + e}>events</Link>
                    </span>
                  ))}
                </td>
              </tr>
            </tbody>
          </table>
          {canChange && (
            <div class="triage" role="group" aria-label="Triage">
              <div class="row">
                <button type="button" disabled={busy || a.status === 'acknowledged'} onClick={() => change({ status: 'acknowledged', comment: comment.trim() || undefined })}>Acknowledge</button>
                <button type="button" disabled={busy || a.status === 'closed'} onClick={() => change({ status: 'closed', comment: comment.trim() || undefined })}>Close</button>
                <button type="button" disabled={busy || a.status === 'open'} onClick={() => change({ status: 'open', comment: comment.trim() || undefined })}>Reopen</button>
              </div>
              <div class="row">
                <input aria-label="Assignee" placeholder="assignee" value={assignee} onInput={(e) => setAssignee((e.currentTarget as HTMLInputElement).value)} />
                <button type="button" disabled={busy} onClick={() => change({ assignee: assignee.trim() })}>Assign</button>
              </div>
              <div class="row">
                <textarea aria-label="Comment" placeholder="comment" rows={2} value={comment} onInput={(e) => setComment((e.currentTarget as HTMLTextAreaElement).value)} />
                <button type="button" disabled={busy || !comment.trim()} onClick={() => change({ comment: comment.trim() })}>Comment</button>
              </div>
              <Busy on={busy} />
            </div>
          )}
          <ResponseRun tenant={tenant} alertID={a.id} canRun={canChange} />
          {a.triage?.notes?.length ? (
            <>
              <h2>History</h2>
              <ol class="timeline">
                {a.triage.notes.map((n) => (
                  <li>
                    <span class="muted">{fmtTime(n.at)}</span> <b>{n.actor}</b>
                    {n.status && <span> set status {n.status}</span>}
                    {n.assignee && <span> {n.assignee === '-' ? 'unassigned' : 'assigned ' + n.assignee}</span>}
                    {n.text && <blockquote>{n.text}</blockquote>}
                  </li>
                ))}
              </ol>
            </>
          ) : null}
        </section>
        <section class="panel" aria-label="Why it fired">
          <h2>Why it fired</h2>
          {a.correlation && (
            <>
              <p>Correlation <b>{a.correlation.type}</b> over {a.correlation.timespan}: value {a.correlation.value}</p>
              {a.correlation.group && <Tree value={a.correlation.group} />}
              {a.correlation.alert_ids?.length ? (
                <p>Contributing alerts: {a.correlation.alert_ids.map((x) => <Link class="chip" to={tenantLink('/alerts/' + encodeURIComponent(x))}>{x.slice(0, 12)}</Link>)}</p>
              ) : null}
            </>
          )}
          {why.length ? why.map(([k, v]) => k === 'reason' && v && typeof v === 'object' ? <ReasonView reason={v as Reason} /> : (
            <div class="why">
              <h3>{k}</h3>
              <Tree value={v} />
            </div>
          )) : !a.correlation && <p class="muted">This alert records no match details; its events are below.</p>}
          <h2>Rule</h2>
          {rule ? (
            <div class="rule">
              <p><b>{rule.title}</b> <span class="muted">{rule.status}</span></p>
              {rule.description && <p>{rule.description}</p>}
              {rule.tags?.length ? <p>{rule.tags.map((t) => <span class="chip">{t}</span>)}</p> : null}
              {rule.references?.length ? (
                <ul>
                  {rule.references.map((r) => (
                    <li>{safeURL(r) ? <a href={r} rel="noopener noreferrer" target="_blank">{r}</a> : r}</li>
                  ))}
                </ul>
              ) : null}
              {rule.falsepositives?.length ? <p class="muted">False positives: {rule.falsepositives.join('; ')}</p> : null}
              {rule.yaml && (
                <details>
                  <summary>YAML{rule.path ? ' — ' + rule.path : ''}</summary>
                  <pre class="original">{rule.yaml}</pre>
                </details>
              )}
            </div>
          ) : (
            <p class="muted">The rule is not loaded on this node.</p>
          )}
        </section>
      </div>
      <section class="panel" aria-label="Matching events">
        <h2>Matching events {events ? `(${events.length} of ${a.count})` : ''}</h2>
        {events === null ? <p class="muted">Loading…</p> : (
          <table class="grid">
            <thead><tr><th scope="col">@timestamp</th><th scope="col">host.name</th><th scope="col">message</th></tr></thead>
            <tbody>
              {events.map((e) => (
                <tr tabIndex={0} onClick={() => setEv(e)} onKeyDown={(k) => k.key === 'Enter' && setEv(e)}>
                  <td>{fmtTime(e['@timestamp'])}</td>
                  <td>{text(e['host.name'])}</td>
                  <td class="msg">{text(e.message ?? e['event.original'])}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        {ev && <EventDetail e={ev} onClose={() => setEv(null)} />}
      </section>
    </div>
  );
}

function searchFor(a: Alert, v: string): string {
  const e = a.entities || {};
  const f = e.hosts?.includes(v) ? 'host.name' : e.users?.includes(v) ? 'user.name' : e.source_ips?.includes(v) ? 'source.ip' : 'destination.ip';
  return `${f}:${quoteValue(v)}`;
}
