// Why an alert fired, as the engine records it at match time (the alert's
// "reason"): the rule's matched selections with the field, modifier and the
// event's value; for a correlation, the group-by values and the key fields
// of the contributing events. All plain text.
import { fmtTime, text } from '../ui';
import { Tree } from './Tree';

interface Field { field: string; modifier?: string; value: string; event_field?: string }
export interface Reason {
  selections?: { name: string; fields: Field[] }[];
  group?: Record<string, string>;
  events?: { id: string; rule: string; time: string; fields?: Record<string, string> }[];
}

export function ReasonView({ reason }: { reason: Reason }) {
  const known = new Set(['selections', 'group', 'events']);
  const rest = Object.entries(reason).filter(([k]) => !known.has(k));
  return (
    <div class="reason">
      {reason.selections?.map((s) => (
        <div class="why">
          <h3>Selection <span class="mono">{s.name}</span> matched</h3>
          <table class="grid">
            <thead><tr><th scope="col">field</th><th scope="col">modifier</th><th scope="col">event value</th></tr></thead>
            <tbody>
              {s.fields.map((f) => (
                <tr>
                  <td class="mono">{f.field || '(keyword)'}{f.event_field ? ` → ${f.event_field}` : ''}</td>
                  <td class="mono">{f.modifier || ''}</td>
                  <td class="msg">{text(f.value)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ))}
      {reason.group && Object.keys(reason.group).length > 0 && (
        <div class="why">
          <h3>Group</h3>
          <Tree value={reason.group} />
        </div>
      )}
      {reason.events?.length ? (
        <div class="why">
          <h3>Contributing events</h3>
          <table class="grid">
            <thead><tr><th scope="col">time</th><th scope="col">rule</th><th scope="col">fields</th></tr></thead>
            <tbody>
              {reason.events.map((e) => (
                <tr>
                  <td>{fmtTime(e.time)}</td>
                  <td>{text(e.rule)}</td>
                  <td class="msg">{Object.entries(e.fields || {}).map(([k, v]) => `${k}=${v}`).join('  ')}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      {rest.length > 0 && <Tree value={Object.fromEntries(rest)} />}
    </div>
  );
}
