import { useEffect, useMemo, useState } from 'preact/hooks';
import { api, qs } from '../api';
import { params, setParams } from '../router';
import { DEFAULT_FROM } from '../time';
import { Busy, ErrorBox, Level, Link, TimePicker, fmtTime, tenantLink, text } from '../ui';

export interface Alert {
  id: string;
  tenant: string;
  rule_id: string;
  rule_title: string;
  level: string;
  tags?: string[];
  techniques?: string[];
  tactics?: string[];
  first: string;
  last: string;
  count: number;
  event_ids: string[];
  entities: { hosts?: string[]; users?: string[]; source_ips?: string[]; destination_ips?: string[] };
  status: 'open' | 'acknowledged' | 'closed';
  assignee?: string;
  triage?: { by: string; at: string; notes?: { at: string; actor: string; status?: string; assignee?: string; text?: string }[] };
  correlation?: { type: string; group?: Record<string, string>; value: number; timespan: string; alert_ids?: string[] };
  [k: string]: unknown;
}

export function entitiesOf(a: Alert): string[] {
  const e = a.entities || {};
  return [...new Set([...(e.hosts || []), ...(e.users || []), ...(e.source_ips || []), ...(e.destination_ips || [])])];
}

const LIMIT = 1000;

export function AlertsView({ tenant }: { tenant: string }) {
  const p = params();
  const f = {
    level: p.get('level') ?? '',
    status: p.get('status') ?? 'open',
    rule_id: p.get('rule') ?? '',
    entity: p.get('entity') ?? '',
    from: p.get('from') ?? DEFAULT_FROM,
    to: p.get('to') ?? '',
  };
  const group = p.get('group') ?? '';
  const [list, setList] = useState<Alert[]>([]);
  const [total, setTotal] = useState(0);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const [sel, setSel] = useState<Set<string>>(new Set());
  const [reason, setReason] = useState('');
  const [assignee, setAssignee] = useState('');
  const [msg, setMsg] = useState('');
  const [reload, setReload] = useState(0);

  useEffect(() => {
    const ctl = new AbortController();
    setBusy(true);
    setError(null);
    api<{ alerts: Alert[]; total: number }>(
      '/api/v1/alerts' + qs({ tenant, level: f.level, status: f.status === 'all' ? '' : f.status, rule_id: f.rule_id, entity: f.entity, from: f.from, to: f.to, limit: LIMIT }),
      { signal: ctl.signal },
    )
      .then((r) => {
        setList(r.alerts);
        setTotal(r.total);
        setSel(new Set());
      })
      .catch((e) => !ctl.signal.aborted && setError(e))
      .finally(() => !ctl.signal.aborted && setBusy(false));
    return () => ctl.abort();
  }, [tenant, f.level, f.status, f.rule_id, f.entity, f.from, f.to, reload]);

  const groups = useMemo(() => {
    if (!group) return [{ key: '', items: list }];
    const m = new Map<string, Alert[]>();
    for (const a of list) {
      const keys = group === 'rule' ? [a.rule_title || a.rule_id] : entitiesOf(a).length ? entitiesOf(a) : ['(no entity)'];
      for (const k of keys) {
        if (!m.has(k)) m.set(k, []);
        m.get(k)!.push(a);
      }
    }
    return [...m.entries()].sort((a, b) => b[1].length - a[1].length).map(([key, items]) => ({ key, items }));
  }, [list, group]);

  const toggle = (id: string) => {
    const n = new Set(sel);
    if (n.has(id)) n.delete(id);
    else n.add(id);
    setSel(n);
  };
  const bulk = async (body: Record<string, unknown>) => {
    setMsg('');
    try {
      const r = await api<{ alerts: Alert[] }>('/api/v1/alerts/bulk' + qs({ tenant }), { method: 'POST', body: { ids: [...sel], ...body } });
      setMsg(`${r.alerts.length} alerts updated.`);
      setReason('');
      setReload(reload + 1);
    } catch (e) {
      setError(e);
    }
  };

  return (
    <div class="alerts">
      <div class="toolbar" role="group" aria-label="Alert filters">
        <label>
          Level ≥
          <select value={f.level} onChange={(e) => setParams({ level: (e.currentTarget as HTMLSelectElement).value })}>
            <option value="">any</option>
            {['low', 'medium', 'high', 'critical'].map((l) => (
              <option value={l}>{l}</option>
            ))}
          </select>
        </label>
        <label>
          Status
          <select value={f.status} onChange={(e) => setParams({ status: (e.currentTarget as HTMLSelectElement).value })}>
            {['open', 'acknowledged', 'closed', 'all'].map((s) => (
              <option value={s}>{s}</option>
            ))}
          </select>
        </label>
        <label>
          Rule
          <input value={f.rule_id} placeholder="rule id" size={14} onChange={(e) => setParams({ rule: (e.currentTarget as HTMLInputElement).value.trim() })} />
        </label>
        <label>
          Entity
          <input value={f.entity} placeholder="host, user or IP" size={14} onChange={(e) => setParams({ entity: (e.currentTarget as HTMLInputElement).value.trim() })} />
        </label>
        <label>
          Group by
          <select value={group} onChange={(e) => setParams({ group: (e.currentTarget as HTMLSelectElement).value })}>
            <option value="">none</option>
            <option value="rule">rule</option>
            <option value="entity">entity</option>
          </select>
        </label>
        <TimePicker />
      </div>
      <div class="bulkbar" role="group" aria-label="Bulk actions">
        <span>{sel.size} selected</span>
        <input aria-label="Reason" placeholder="reason (required)" value={reason} onInput={(e) => setReason((e.currentTarget as HTMLInputElement).value)} />
        <button type="button" disabled={!sel.size || !reason.trim()} onClick={() => bulk({ status: 'acknowledged', comment: reason.trim() })}>Acknowledge</button>
        <button type="button" disabled={!sel.size || !reason.trim()} onClick={() => bulk({ status: 'closed', comment: reason.trim() })}>Close</button>
        <input aria-label="Assignee" placeholder="assignee" size={10} value={assignee} onInput={(e) => setAssignee((e.currentTarget as HTMLInputElement).value)} />
        <button type="button" disabled={!sel.size} onClick={() => bulk({ assignee: assignee.trim() })}>Assign</button>
        <span role="status" aria-live="polite" class="muted">{msg}</span>
        <Busy on={busy} />
        <span class="spacer" />
        <span class="muted">{total > list.length ? `showing ${list.length} of ${total}` : `${total} alerts`}</span>
      </div>
      <ErrorBox error={error} />
      <table class="grid alerts-table">
        <thead>
          <tr>
            <th scope="col">
              <input type="checkbox" aria-label="Select all" checked={list.length > 0 && sel.size === list.length}
                onChange={(e) => setSel((e.currentTarget as HTMLInputElement).checked ? new Set(list.map((a) => a.id)) : new Set())} />
            </th>
            <th scope="col">Level</th>
            <th scope="col">Rule</th>
            <th scope="col">Entities</th>
            <th scope="col">Count</th>
            <th scope="col">Last</th>
            <th scope="col">Status</th>
            <th scope="col">Assignee</th>
          </tr>
        </thead>
        {groups.map((g) => (
          <tbody>
            {g.key && (
              <tr class="group">
                <th colSpan={8} scope="rowgroup">
                  {g.key} <span class="muted">({g.items.length})</span>
                </th>
              </tr>
            )}
            {g.items.map((a) => (
              <tr class={'alert-row status-' + a.status}>
                <td>
                  <input type="checkbox" aria-label={'Select ' + a.rule_title} checked={sel.has(a.id)} onChange={() => toggle(a.id)} />
                </td>
                <td><Level level={a.level} /></td>
                <td><Link to={tenantLink('/alerts/' + encodeURIComponent(a.id))}>{a.rule_title || a.rule_id}</Link></td>
                <td class="ents">
                  {entitiesOf(a).slice(0, 4).map((e) => (
                    <Link to={tenantLink('/alerts', { entity: e, status: f.status })} class="chip">{e}</Link>
                  ))}
                </td>
                <td class="num">{a.count}</td>
                <td>{fmtTime(a.last)}</td>
                <td>{a.status}</td>
                <td>{text(a.assignee)}</td>
              </tr>
            ))}
          </tbody>
        ))}
      </table>
      {!busy && list.length === 0 && !error && <p class="muted empty">No alerts match.</p>}
    </div>
  );
}
