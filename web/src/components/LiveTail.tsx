// Live tail: new events matching the query's filter, as the server stores
// them, over server-sent events (GET /api/v1/tail). The server bounds
// tails and drops a connection that does not keep up; the console shows
// that notice and offers to resume. It keeps the newest MAX events.
import { useEffect, useState } from 'preact/hooks';
import { qs } from '../api';
import { fmtTime, text } from '../ui';

const MAX = 500;

export function LiveTail({ tenant, filter, cols, onOpen }: { tenant: string; filter: string; cols: string[]; onOpen: (e: Record<string, any>) => void }) {
  const [events, setEvents] = useState<Record<string, any>[]>([]);
  const [state, setState] = useState('connecting…');
  const [run, setRun] = useState(0);
  const [stopped, setStopped] = useState(false);
  useEffect(() => {
    setStopped(false);
    const es = new EventSource('/api/v1/tail' + qs({ tenant, q: filter }), { withCredentials: true });
    let count = 0;
    es.addEventListener('ready', () => setState('live: waiting for new events'));
    es.addEventListener('event', (m) => {
      const e = JSON.parse((m as MessageEvent).data);
      count++;
      setState(`live: ${count} new event${count === 1 ? '' : 's'}`);
      setEvents((l) => [e, ...l].slice(0, MAX));
    });
    es.addEventListener('dropped', (m) => {
      const d = JSON.parse((m as MessageEvent).data);
      es.close();
      setStopped(true);
      setState(`stopped by the server after ${d.sent} events: ${d.reason}`);
    });
    es.addEventListener('end', () => {
      es.close();
      setRun((r) => r + 1); // the server's age limit: reconnect
    });
    es.addEventListener('error', (m) => {
      const data = (m as MessageEvent).data;
      if (data) {
        es.close();
        setStopped(true);
        setState('stopped: ' + JSON.parse(data).error);
      } else if (es.readyState === EventSource.CLOSED) {
        setStopped(true);
        setState('stopped: the server refused the live tail (too many, or a filter with pipes)');
      } else setState('reconnecting…');
    });
    return () => es.close();
  }, [tenant, filter, run]);
  return (
    <section class="panel tail" aria-label="Live tail">
      <div class="results-head">
        <h2>Live tail</h2>
        <span role="status" aria-live="polite" class="tail-state">{state}</span>
        <span class="spacer" />
        {stopped && <button type="button" class="ghost" onClick={() => setRun(run + 1)}>Resume</button>}
        <button type="button" class="ghost" onClick={() => setEvents([])}>Clear</button>
      </div>
      <table class="grid">
        <thead>
          <tr>{cols.map((c) => <th scope="col">{c}</th>)}</tr>
        </thead>
        <tbody>
          {events.map((e) => (
            <tr tabIndex={0} onClick={() => onOpen(e)} onKeyDown={(k) => k.key === 'Enter' && onOpen(e)}>
              {cols.map((c) => (
                <td class={c === 'message' ? 'msg' : ''}>{c === '@timestamp' ? fmtTime(e[c]) : c === 'message' && e[c] === undefined ? text(e['event.original']) : text(e[c])}</td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
