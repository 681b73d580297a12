// Running a configured response (webhook, program, syslog, Kafka) on an
// alert from its page, and the runs of responses on it so far.
import { useEffect, useState } from 'preact/hooks';
import { api, qs } from '../api';
import { Busy, ErrorBox, fmtTime } from '../ui';

interface Available {
  name: string;
  type: string;
  trigger: string;
}

interface RunRecord {
  time: string;
  response: string;
  action: string;
  delivery: string;
  attempt: number;
  outcome: string;
  duration_ms: number;
  detail?: string;
  actor?: string;
  reason?: string;
}

export function ResponseRun({ tenant, alertID, canRun }: { tenant: string; alertID: string; canRun: boolean }) {
  const [avail, setAvail] = useState<Available[] | null>(null);
  const [name, setName] = useState('');
  const [runs, setRuns] = useState<RunRecord[]>([]);
  const [queued, setQueued] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  const loadRuns = () =>
    api<{ responses: RunRecord[] }>('/api/v1/responses' + qs({ tenant, subject: alertID, limit: 50 })).then((r) => {
      setRuns(r.responses);
      return r.responses;
    });
  useEffect(() => {
    api<{ responses: Available[] }>('/api/v1/responses/available' + qs({ tenant })).then((r) => {
      setAvail(r.responses);
      if (r.responses.length) setName(r.responses[0].name);
    }, () => setAvail([]));
    loadRuns().catch(() => {});
  }, [tenant, alertID]);

  const run = async () => {
    setBusy(true);
    setError(null);
    try {
      const r = await api<{ delivery: string }>('/api/v1/alerts/' + encodeURIComponent(alertID) + '/responses' + qs({ tenant }),
        { method: 'POST', body: { response: name } });
      setQueued(r.delivery);
      // The run is asynchronous: its record appears once an attempt ends.
      for (let i = 0; i < 40; i++) {
        const rs = await loadRuns();
        if (rs.some((x) => x.delivery === r.delivery && x.outcome !== 'retry')) break;
        await new Promise((ok) => setTimeout(ok, 250));
      }
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  if (avail === null || (!avail.length && !runs.length)) return null;
  return (
    <div class="response-run" role="group" aria-label="Responses">
      <h2>Responses</h2>
      {canRun && avail.length > 0 && (
        <div class="row">
          <select aria-label="Response" value={name} onChange={(e) => setName((e.currentTarget as HTMLSelectElement).value)}>
            {avail.map((a) => <option value={a.name}>{a.name} ({a.type})</option>)}
          </select>
          <button type="button" disabled={busy || !name} onClick={run}>Run response</button>
          <Busy on={busy} />
        </div>
      )}
      {queued && <p class="muted">Queued as delivery <span class="mono">{queued.slice(0, 16)}</span>.</p>}
      <ErrorBox error={error} />
      {runs.length ? (
        <table class="grid runs">
          <thead><tr><th scope="col">Time</th><th scope="col">Response</th><th scope="col">By</th><th scope="col">Outcome</th><th scope="col">Detail</th></tr></thead>
          <tbody>
            {runs.map((r) => (
              <tr data-outcome={r.outcome}>
                <td>{fmtTime(r.time)}</td>
                <td>{r.response} <span class="muted">{r.action}</span></td>
                <td>{r.actor || <span class="muted">automatic</span>}</td>
                <td class="outcome">{r.outcome}{r.attempt > 1 ? ` (attempt ${r.attempt})` : ''}</td>
                <td class="msg">{r.detail || ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : <p class="muted">No response has run on this alert.</p>}
    </div>
  );
}
