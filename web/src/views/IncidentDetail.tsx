import { useEffect, useState } from 'preact/hooks';
import { api, qs } from '../api';
import { EntityGraph } from '../components/EntityGraph';
import { shared } from '../graph';
import { ErrorBox, Level, Link, fmtTime, tenantLink, text } from '../ui';
import type { Incident } from './Incidents';

interface Detail extends Incident {
  alerts: any[];
  timeline: { time: string; kind: string; actor?: string; from?: string; to?: string; text?: string; incident?: string; alert?: { id: string; rule_title: string; level: string; count: number } }[];
}

export function IncidentDetailView({ tenant, id, role }: { tenant: string; id: string; role: string }) {
  const [d, setD] = useState<Detail | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [comment, setComment] = useState('');
  const [assignee, setAssignee] = useState('');
  const url = '/api/v1/incidents/' + encodeURIComponent(id) + qs({ tenant });
  useEffect(() => {
    api<Detail>(url).then((x) => {
      setD(x);
      setAssignee(x.assignee || '');
    }, setError);
  }, [tenant, id]);
  const patch = async (body: Record<string, unknown>) => {
    setError(null);
    try {
      setD(await api<Detail>(url, { method: 'PATCH', body }));
      setComment('');
    } catch (e) {
      setError(e);
    }
  };
  if (!d) return <div><ErrorBox error={error} />{!error && <p class="muted">Loading…</p>}</div>;
  const sh = shared(d.alerts);
  return (
    <div class="incident-detail">
      <p><Link to={tenantLink('/incidents')}>← Incidents</Link></p>
      <h1><Level level={d.severity} /> {d.title}</h1>
      <ErrorBox error={error} />
      <div class="cols">
        <section class="panel" aria-label="Summary">
          <table class="kv">
            <tbody>
              <tr><th scope="row">Status</th><td class="status">{d.status}</td></tr>
              <tr><th scope="row">Assignee</th><td>{text(d.assignee) || '—'}</td></tr>
              <tr><th scope="row">Alerts</th><td>{d.alert_count}</td></tr>
              <tr><th scope="row">First</th><td>{fmtTime(d.first)}</td></tr>
              <tr><th scope="row">Last</th><td>{fmtTime(d.last)}</td></tr>
              <tr><th scope="row">Shared entities</th><td>{sh.map((e) => <Link class="chip" to={tenantLink('/alerts', { entity: e, status: 'all' })}>{e}</Link>)}</td></tr>
            </tbody>
          </table>
          {role !== 'viewer' && (
            <div class="triage" role="group" aria-label="Incident handling">
              <div class="row">
                <label>
                  Status
                  <select aria-label="Incident status" value={d.status} onChange={(e) => patch({ status: (e.currentTarget as HTMLSelectElement).value })}>
                    <option value="new">new</option>
                    <option value="in_progress">in progress</option>
                    <option value="closed">closed</option>
                  </select>
                </label>
              </div>
              <div class="row">
                <input aria-label="Assignee" placeholder="assignee" value={assignee} onInput={(e) => setAssignee((e.currentTarget as HTMLInputElement).value)} />
                <button type="button" onClick={() => patch({ assignee: assignee.trim() })}>Assign</button>
              </div>
              <div class="row">
                <textarea aria-label="Comment" rows={2} placeholder="comment" value={comment} onInput={(e) => setComment((e.currentTarget as HTMLTextAreaElement).value)} />
                <button type="button" disabled={!comment.trim()} onClick={() => patch({ comment: comment.trim() })}>Comment</button>
              </div>
            </div>
          )}
        </section>
        <section class="panel" aria-label="Entity graph">
          <h2>Entities</h2>
          <EntityGraph alerts={d.alerts} />
        </section>
      </div>
      <section class="panel" aria-label="Timeline">
        <h2>Timeline</h2>
        <ol class="timeline">
          {d.timeline.map((t) => (
            <li class={'tl-' + t.kind}>
              <span class="muted">{fmtTime(t.time)}</span>{' '}
              {t.kind === 'alert' && t.alert ? (
                <>
                  <Level level={t.alert.level} /> <Link to={tenantLink('/alerts/' + encodeURIComponent(t.alert.id))}>{t.alert.rule_title}</Link>{' '}
                  <span class="muted">×{t.alert.count}</span>
                </>
              ) : t.kind === 'comment' ? (
                <>
                  <b>{t.actor}</b> commented<blockquote>{t.text}</blockquote>
                </>
              ) : (
                <>
                  <b>{t.actor}</b> {t.kind.replace('_', ' ')} {t.from ? `${t.from} → ` : ''}{t.to || t.incident || ''}
                </>
              )}
            </li>
          ))}
        </ol>
      </section>
    </div>
  );
}
