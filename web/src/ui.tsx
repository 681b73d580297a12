// Small shared pieces of the console's views.
import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import { href, linkClick, params, setParams } from './router';
import { RELATIVE, DEFAULT_FROM, fromLocalInput, toLocalInput } from './time';

export function Link(props: { to: string; children: ComponentChildren; class?: string; title?: string; 'aria-current'?: 'page' | undefined }) {
  return (
    <a href={props.to} onClick={linkClick} class={props.class} title={props.title} aria-current={props['aria-current']}>
      {props.children}
    </a>
  );
}

// text renders any value from an event or an alert as plain text.
export function text(v: unknown): string {
  if (v === undefined || v === null) return '';
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

export function fmtTime(v: unknown): string {
  if (typeof v !== 'string' && typeof v !== 'number') return text(v);
  const d = new Date(v);
  if (Number.isNaN(d.getTime())) return text(v);
  return d.toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z');
}

export function Level({ level }: { level?: string }) {
  return <span class={'level level-' + (level || 'unknown')}>{level || '—'}</span>;
}

export function ErrorBox({ error }: { error: unknown }) {
  if (!error) return null;
  return (
    <div class="error" role="alert">
      {error instanceof Error ? error.message : text(error)}
    </div>
  );
}

export function Busy({ on }: { on: boolean }) {
  return on ? (
    <span class="busy" role="status" aria-live="polite">
      loading…
    </span>
  ) : null;
}

// TimePicker edits the from/to of the URL: a relative range or two absolute times.
export function TimePicker() {
  const p = params();
  const from = p.get('from') ?? DEFAULT_FROM;
  const to = p.get('to') ?? '';
  const isRel = RELATIVE.some((r) => r.value === from) && (to === '' || to === 'now');
  const [absChosen, setAbs] = useState(false);
  const abs = absChosen || !isRel;
  const now = Date.now();
  return (
    <div class="timepicker" role="group" aria-label="Time range">
      <select
        aria-label="Relative time range"
        value={abs ? 'abs' : from}
        onChange={(e) => {
          const v = (e.currentTarget as HTMLSelectElement).value;
          if (v === 'abs') {
            setAbs(true);
            return;
          }
          setAbs(false);
          setParams({ from: v, to: undefined });
        }}
      >
        {RELATIVE.map((r) => (
          <option value={r.value}>{r.label}</option>
        ))}
        <option value="abs">Absolute…</option>
      </select>
      {abs && (
        <>
          <input type="datetime-local" aria-label="From (UTC)" value={toLocalInput(from, now)}
            onChange={(e) => setParams({ from: fromLocalInput((e.currentTarget as HTMLInputElement).value) })} />
          <span aria-hidden="true">→</span>
          <input type="datetime-local" aria-label="To (UTC)" value={toLocalInput(to || 'now', now)}
            onChange={(e) => setParams({ to: fromLocalInput((e.currentTarget as HTMLInputElement).value) })} />
          <span class="muted">UTC</span>
        </>
      )}
    </div>
  );
}

export function tenantLink(path: string, extra: Record<string, string | undefined> = {}) {
  return href(path, extra, ['tenant']);
}

export function KV({ rows }: { rows: [string, unknown][] }) {
  return (
    <table class="kv">
      <tbody>
        {rows.map(([k, v]) => (
          <tr>
            <th scope="row">{k}</th>
            <td>{text(v)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
