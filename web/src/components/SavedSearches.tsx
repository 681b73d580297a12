// Saved searches in the search view: save the current query, time range
// and columns (mine, or shared with the tenant), and open one. A saved
// search also opens by URL: /search?saved=ID.
import { useEffect, useState } from 'preact/hooks';
import { api, qs } from '../api';
import { params, setParams } from '../router';

export interface SavedSearch {
  id: string;
  name: string;
  query: string;
  from?: string;
  to?: string;
  cols?: string[];
  shared: boolean;
  owner: string;
}

function apply(s: SavedSearch) {
  setParams({ q: s.query || undefined, from: s.from || undefined, to: s.to || undefined, cols: s.cols?.join(',') || undefined, saved: s.id });
}

export function SavedSearches({ tenant, canSave, onError }: { tenant: string; canSave: boolean; onError: (e: unknown) => void }) {
  const [list, setList] = useState<SavedSearch[]>([]);
  const [saving, setSaving] = useState(false);
  const [name, setName] = useState('');
  const [shared, setShared] = useState(false);
  const [tick, setTick] = useState(0);
  const p = params();
  const savedId = p.get('saved') ?? '';
  useEffect(() => {
    api<{ saved_searches: SavedSearch[] }>('/api/v1/saved-searches' + qs({ tenant })).then((r) => setList(r.saved_searches), onError);
  }, [tenant, tick]);
  // Opening /search?saved=ID without its query applies it.
  useEffect(() => {
    if (!savedId || p.get('q') !== null) return;
    api<SavedSearch>('/api/v1/saved-searches/' + encodeURIComponent(savedId) + qs({ tenant })).then(apply, (e) =>
      onError(new Error(`saved search ${savedId}: ${e.message}`)));
  }, [tenant, savedId]);
  const save = async (e: Event) => {
    e.preventDefault();
    const cur = params();
    try {
      const s = await api<SavedSearch>('/api/v1/saved-searches' + qs({ tenant }), {
        method: 'POST',
        body: { name: name.trim(), query: cur.get('q') ?? '', from: cur.get('from') ?? undefined, to: cur.get('to') ?? undefined,
          cols: (cur.get('cols') || '').split(',').filter(Boolean), shared },
      });
      setSaving(false);
      setName('');
      setTick(tick + 1);
      setParams({ saved: s.id }, true);
    } catch (err) {
      onError(err);
    }
  };
  const current = list.find((s) => s.id === savedId);
  return (
    <div class="saved" role="group" aria-label="Saved searches">
      <select aria-label="Saved searches" value={current ? current.id : ''} onChange={(e) => {
        const s = list.find((x) => x.id === (e.currentTarget as HTMLSelectElement).value);
        if (s) apply(s);
      }}>
        <option value="">Saved searches ({list.length})</option>
        {list.map((s) => (
          <option value={s.id}>{s.name}{s.shared ? ' (shared' + (s.owner ? ' by ' + s.owner : '') + ')' : ''}</option>
        ))}
      </select>
      {canSave && !saving && <button type="button" class="ghost" onClick={() => setSaving(true)}>Save search</button>}
      {canSave && saving && (
        <form class="save-form" aria-label="Save this search" onSubmit={save}>
          <input aria-label="Saved search name" placeholder="Name" value={name} required maxLength={200} onInput={(e) => setName((e.currentTarget as HTMLInputElement).value)} />
          <label><input type="checkbox" checked={shared} onChange={(e) => setShared((e.currentTarget as HTMLInputElement).checked)} /> share with the tenant</label>
          <button type="submit" disabled={!name.trim()}>Save</button>
          <button type="button" class="ghost" onClick={() => setSaving(false)}>Cancel</button>
        </form>
      )}
    </div>
  );
}
