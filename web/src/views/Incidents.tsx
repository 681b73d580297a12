import { useEffect, useState } from 'preact/hooks';
import { api, qs } from '../api';
import { params, setParams } from '../router';
import { Busy, ErrorBox, Level, Link, fmtTime, tenantLink, text } from '../ui';

export interface Incident {
  id: string;
  title: string;
  severity: string;
  status: string;
  assignee: string;
  first: string;
  last: string;
  alert_count: number;
  rules: { id: string; title: string; level: string; alerts: number }[];
  entities: { hosts?: string[]; users?: string[]; source_ips?: string[]; destination_ips?: string[] };
  comments?: { author: string; time: string; text: string }[];
}

export function IncidentsView({ tenant }: { tenant: string }) {
  const p = params();
  const status = p.get('status') ?? 'new,in_progress';
  const [list, setList] = useState<Incident[]>([]);
  const [total, setTotal] = useState(0);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    const ctl = new AbortController();
    setBusy(true);
    setError(null);
    api<{ incidents: Incident[]; total: number }>('/api/v1/incidents' + qs({ tenant, status: status === 'all' ? '' : status, limit: 500 }), { signal: ctl.signal })
      .then((r) => {
        setList(r.incidents);
        setTotal(r.total);
      })
      .catch((e) => !ctl.signal.aborted && setError(e))
      .finally(() => !ctl.signal.aborted && setBusy(false));
    return () => ctl.abort();
  }, [tenant, status]);
  return (
    <div class="incidents">
      <div class="toolbar">
        <label>
          Status
          <select value={status} onChange={(e) => setParams({ status: (e.currentTarget as HTMLSelectElement).value })}>
            <option value="new,in_progress">open (new, in progress)</option>
            <option value="new">new</option>
            <option value="in_progress">in progress</option>
            <option value="closed">closed</option>
            <option value="all">all</option>
          </select>
        </label>
        <Busy on={busy} />
        <span class="spacer" />
        <span class="muted">{total} incidents</span>
      </div>
      <ErrorBox error={error} />
      <table class="grid">
        <thead>
          <tr>
            <th scope="col">Severity</th><th scope="col">Incident</th><th scope="col">Alerts</th><th scope="col">Entities</th>
            <th scope="col">Last</th><th scope="col">Status</th><th scope="col">Assignee</th>
          </tr>
        </thead>
        <tbody>
          {list.map((i) => (
            <tr>
              <td><Level level={i.severity} /></td>
              <td><Link to={tenantLink('/incidents/' + encodeURIComponent(i.id))}>{i.title}</Link></td>
              <td class="num">{i.alert_count}</td>
              <td class="ents">{[...(i.entities.hosts || []), ...(i.entities.users || []), ...(i.entities.source_ips || [])].slice(0, 4).map((e) => <span class="chip">{e}</span>)}</td>
              <td>{fmtTime(i.last)}</td>
              <td>{i.status}</td>
              <td>{text(i.assignee)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {!busy && list.length === 0 && !error && <p class="muted empty">No incidents.</p>}
    </div>
  );
}
