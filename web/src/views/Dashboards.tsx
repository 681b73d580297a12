// /dashboards: the built-in and the tenant's dashboards; new and import.
// /dashboards/{id}: a dashboard's panels over a time range; edit (add,
// arrange, resize, remove panels), save, save a copy, export, delete.
import { useEffect, useState } from 'preact/hooks';
import { api, ApiError, qs } from '../api';
import { CHARTS, Panel, type PanelDef } from '../components/Panel';
import { download } from '../export';
import { navigate, params } from '../router';
import { DEFAULT_FROM } from '../time';
import { Busy, ErrorBox, Link, TimePicker, fmtTime, tenantLink } from '../ui';

export interface Dashboard {
  id: string;
  title: string;
  description?: string;
  panels: PanelDef[];
  from?: string;
  builtin?: boolean;
  updated_by?: string;
  updated?: string;
}

// exportable is what an export file holds (and an import reads).
function exportable(d: Dashboard) {
  return { title: d.title, description: d.description, from: d.from, panels: d.panels };
}

export function DashboardsView({ tenant, canEdit }: { tenant: string; canEdit: boolean }) {
  const [list, setList] = useState<Dashboard[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [title, setTitle] = useState('');
  useEffect(() => {
    api<{ dashboards: Dashboard[] }>('/api/v1/dashboards' + qs({ tenant })).then((r) => setList(r.dashboards), setError);
  }, [tenant]);
  const create = async (body: unknown) => {
    setError(null);
    try {
      const d = await api<Dashboard>('/api/v1/dashboards' + qs({ tenant }), { method: 'POST', body });
      navigate(tenantLink('/dashboards/' + encodeURIComponent(d.id)));
    } catch (e) {
      setError(e);
    }
  };
  const importFile = async (f: File | undefined) => {
    if (!f) return;
    try {
      const doc = JSON.parse(await f.text());
      await create(exportable(doc));
    } catch (e) {
      setError(e instanceof SyntaxError ? new Error('import: not JSON: ' + e.message) : e);
    }
  };
  return (
    <div class="dashboards">
      <div class="toolbar">
        <h1>Dashboards</h1>
        <Busy on={list === null && !error} />
      </div>
      <ErrorBox error={error} />
      {canEdit && (
        <form class="toolbar" aria-label="New dashboard" onSubmit={(e) => {
          e.preventDefault();
          if (title.trim()) create({ title: title.trim(), panels: [] });
        }}>
          <input aria-label="New dashboard title" placeholder="Title of a new dashboard" value={title} onInput={(e) => setTitle((e.currentTarget as HTMLInputElement).value)} />
          <button type="submit" disabled={!title.trim()}>Create</button>
          <label class="ghost-file">
            <span>Import JSON…</span>
            <input type="file" accept="application/json,.json" aria-label="Import a dashboard from JSON" onChange={(e) => importFile((e.currentTarget as HTMLInputElement).files?.[0])} />
          </label>
        </form>
      )}
      {list && (
        <table class="grid dashboard-list">
          <thead>
            <tr><th scope="col">dashboard</th><th scope="col">panels</th><th scope="col">updated</th></tr>
          </thead>
          <tbody>
            {list.map((d) => (
              <tr>
                <td>
                  <Link to={tenantLink('/dashboards/' + encodeURIComponent(d.id))}>{d.title}</Link>
                  {d.builtin && <span class="chip">built-in</span>}
                  {d.description && <div class="muted">{d.description}</div>}
                </td>
                <td class="num">{d.panels.length}</td>
                <td>{d.updated ? `${fmtTime(d.updated)} by ${d.updated_by}` : ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}

const EMPTY: PanelDef = { title: '', query: '', chart: 'line', width: 1 };

export function DashboardView({ tenant, id, canEdit }: { tenant: string; id: string; canEdit: boolean }) {
  const [d, setD] = useState<Dashboard | null>(null);
  const [saved, setSaved] = useState<Dashboard | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [editing, setEditing] = useState(false);
  const [draft, setDraft] = useState<PanelDef>(EMPTY);
  const [note, setNote] = useState('');
  useEffect(() => {
    api<Dashboard>('/api/v1/dashboards/' + encodeURIComponent(id) + qs({ tenant })).then((x) => {
      setD(x);
      setSaved(x);
    }, setError);
  }, [tenant, id]);
  if (!d) return error ? <ErrorBox error={error} /> : <Busy on />;
  const p = params();
  const from = p.get('from') ?? d.from ?? DEFAULT_FROM;
  const to = p.get('to') ?? '';
  // A relative range shown becomes the dashboard's default when saved.
  const defFrom = /^(now)?-\d+[smhdw]$/.test(from) ? from : d.from;
  const dirty = JSON.stringify(d) !== JSON.stringify(saved) || (defFrom ?? DEFAULT_FROM) !== (saved?.from ?? DEFAULT_FROM);
  const setPanels = (panels: PanelDef[]) => setD({ ...d, panels });
  const move = (i: number, by: number) => {
    const ps = [...d.panels];
    const [x] = ps.splice(i, 1);
    ps.splice(Math.max(0, Math.min(ps.length, i + by)), 0, x);
    setPanels(ps);
  };
  const save = async () => {
    setError(null);
    try {
      const x = await api<Dashboard>('/api/v1/dashboards/' + encodeURIComponent(d.id) + qs({ tenant }), { method: 'PUT', body: { ...exportable(d), from: defFrom } });
      setD(x);
      setSaved(x);
      setNote('Saved.');
    } catch (e) {
      setError(e);
    }
  };
  const copy = async () => {
    setError(null);
    try {
      const x = await api<Dashboard>('/api/v1/dashboards' + qs({ tenant }), { method: 'POST', body: { ...exportable(d), title: d.title + ' (copy)' } });
      navigate(tenantLink('/dashboards/' + encodeURIComponent(x.id)));
    } catch (e) {
      setError(e);
    }
  };
  const remove = async () => {
    if (!confirm(`Delete the dashboard "${d.title}"?`)) return;
    try {
      await api('/api/v1/dashboards/' + encodeURIComponent(d.id) + qs({ tenant }), { method: 'DELETE' });
      navigate(tenantLink('/dashboards'));
    } catch (e) {
      setError(e);
    }
  };
  const addPanel = (e: Event) => {
    e.preventDefault();
    if (!draft.title.trim() || !draft.query.trim()) return;
    setPanels([...d.panels, { ...draft, title: draft.title.trim(), query: draft.query.trim() }]);
    setDraft(EMPTY);
  };
  const editable = canEdit && !d.builtin;
  return (
    <div class="dashboard">
      <div class="toolbar">
        <h1>
          <Link to={tenantLink('/dashboards')}>Dashboards</Link> / {d.title}
          {d.builtin && <span class="chip">built-in</span>}
        </h1>
        <span class="spacer" />
        <TimePicker />
        <button type="button" class="ghost" onClick={() => download(`vigil-dashboard-${d.id}.json`, 'application/json', JSON.stringify(exportable(d), null, 2) + '\n')}>Export JSON</button>
        {canEdit && <button type="button" class="ghost" onClick={copy}>Save a copy</button>}
        {editable && (
          <button type="button" class="ghost" aria-pressed={editing} onClick={() => setEditing(!editing)}>{editing ? 'Done editing' : 'Edit'}</button>
        )}
        {editable && <button type="button" onClick={save} disabled={!dirty}>Save</button>}
        {editable && <button type="button" class="ghost" onClick={remove}>Delete</button>}
      </div>
      {d.description && <p class="muted">{d.description}</p>}
      <ErrorBox error={error instanceof ApiError ? new Error(error.message) : error} />
      {note && !dirty && <p class="muted" role="status">{note}</p>}
      {dirty && <p class="muted" role="status">Unsaved changes.</p>}
      {editing && editable && (
        <form class="panel add-panel" aria-label="Add a panel" onSubmit={addPanel}>
          <h2>Add a panel</h2>
          <div class="toolbar">
            <input aria-label="Panel title" placeholder="Title" value={draft.title} onInput={(e) => setDraft({ ...draft, title: (e.currentTarget as HTMLInputElement).value })} />
            <input class="mono wide" aria-label="Panel query" placeholder="event.code:4625 | timechart count() by host.name" value={draft.query}
              onInput={(e) => setDraft({ ...draft, query: (e.currentTarget as HTMLInputElement).value })} />
            <select aria-label="Chart type" value={draft.chart} onChange={(e) => setDraft({ ...draft, chart: (e.currentTarget as HTMLSelectElement).value as PanelDef['chart'] })}>
              {CHARTS.map(([v, l]) => <option value={v}>{l}</option>)}
            </select>
            <select aria-label="Panel width" value={String(draft.width || 1)} onChange={(e) => setDraft({ ...draft, width: Number((e.currentTarget as HTMLSelectElement).value) })}>
              <option value="1">⅓ width</option>
              <option value="2">⅔ width</option>
              <option value="3">full width</option>
            </select>
            <button type="submit" disabled={!draft.title.trim() || !draft.query.trim()}>Add panel</button>
          </div>
          <p class="muted">A panel's query ends in <code>stats</code> or <code>timechart</code>; a map needs <code>… by source.geo.location.lat, source.geo.location.lon</code>.</p>
        </form>
      )}
      {d.panels.length === 0 && <p class="empty muted">No panels yet{editable ? ': Edit, then add one.' : '.'}</p>}
      <div class="dgrid">
        {d.panels.map((pn, i) => (
          <Panel key={i + pn.query + pn.chart} p={pn} tenant={tenant} from={from} to={to}>
            {editing && editable && (
              <span class="panel-tools" role="group" aria-label={'Arrange ' + pn.title}>
                <button type="button" class="tiny" aria-label={`Move ${pn.title} earlier`} disabled={i === 0} onClick={() => move(i, -1)}>↑</button>
                <button type="button" class="tiny" aria-label={`Move ${pn.title} later`} disabled={i === d.panels.length - 1} onClick={() => move(i, 1)}>↓</button>
                <button type="button" class="tiny" aria-label={`Widen ${pn.title}`} onClick={() => setPanels(d.panels.map((x, j) => (j === i ? { ...x, width: ((x.width || 1) % 3) + 1 } : x)))}>⇔</button>
                <button type="button" class="tiny" aria-label={`Remove ${pn.title}`} onClick={() => setPanels(d.panels.filter((_, j) => j !== i))}>✕</button>
              </span>
            )}
          </Panel>
        ))}
      </div>
    </div>
  );
}
