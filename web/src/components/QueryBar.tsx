// The query bar: autocompletes field names and pipes, and marks a parse
// error at its column.
import { useRef, useState } from 'preact/hooks';
import { complete, type Completion } from '../query';

export function QueryBar(props: {
  value: string;
  fields: string[];
  error?: { message: string; column?: number } | null;
  onSubmit: (q: string) => void;
}) {
  const [q, setQ] = useState(props.value);
  const [comp, setComp] = useState<Completion | null>(null);
  const [sel, setSel] = useState(0);
  const input = useRef<HTMLInputElement>(null);
  const update = (v: string, cursor: number) => {
    setQ(v);
    const c = complete(v, cursor, props.fields);
    setComp(c.items.length ? c : null);
    setSel(0);
  };
  const accept = (i: number) => {
    if (!comp) return;
    const item = comp.items[i];
    const v = q.slice(0, comp.from) + item.insert + q.slice(comp.to);
    const pos = comp.from + item.insert.length;
    setQ(v);
    setComp(null);
    requestAnimationFrame(() => {
      input.current?.focus();
      input.current?.setSelectionRange(pos, pos);
    });
  };
  const err = props.error;
  const col = err?.column;
  return (
    <form class="querybar" role="search" onSubmit={(e) => {
      e.preventDefault();
      setComp(null);
      props.onSubmit(q);
    }}>
      <div class="qwrap">
        <input
          ref={input}
          id="q"
          name="q"
          class={err ? 'invalid' : ''}
          aria-label="Query"
          aria-invalid={err ? 'true' : 'false'}
          aria-describedby={err ? 'qerr' : undefined}
          role="combobox"
          aria-autocomplete="list"
          aria-expanded={comp ? 'true' : 'false'}
          aria-controls="qsuggest"
          aria-activedescendant={comp ? 'qs-' + sel : undefined}
          autocomplete="off"
          spellcheck={false}
          placeholder='event.code:4625 source.ip:10.0.0.0/8 | stats count() by user.name'
          value={q}
          onInput={(e) => {
            const t = e.currentTarget as HTMLInputElement;
            update(t.value, t.selectionStart ?? t.value.length);
          }}
          onKeyDown={(e) => {
            if (!comp) {
              if (e.key === ' ' && e.ctrlKey) {
                e.preventDefault();
                const t = e.currentTarget as HTMLInputElement;
                update(t.value, t.selectionStart ?? t.value.length);
              }
              return;
            }
            if (e.key === 'ArrowDown') {
              e.preventDefault();
              setSel((sel + 1) % comp.items.length);
            } else if (e.key === 'ArrowUp') {
              e.preventDefault();
              setSel((sel - 1 + comp.items.length) % comp.items.length);
            } else if (e.key === 'Tab' || (e.key === 'Enter' && comp.items.length && sel >= 0 && document.activeElement === input.current && comp.items[sel])) {
              e.preventDefault();
              accept(sel);
            } else if (e.key === 'Escape') {
              setComp(null);
            }
          }}
          onBlur={() => setTimeout(() => setComp(null), 150)}
        />
        {comp && (
          <ul id="qsuggest" role="listbox" class="suggest" aria-label="Suggestions">
            {comp.items.map((it, i) => (
              <li id={'qs-' + i} role="option" aria-selected={i === sel} class={i === sel ? 'sel' : ''}
                onMouseDown={(e) => {
                  e.preventDefault();
                  accept(i);
                }}>
                <span>{it.label}</span>
                {it.hint && <span class="muted"> {it.hint}</span>}
              </li>
            ))}
          </ul>
        )}
      </div>
      <button type="submit">Search</button>
      {err && (
        <div id="qerr" class="qerror" role="alert">
          {col ? (
            <div class="qmark" aria-hidden="true">
              <span class="mono">{q.slice(0, col - 1)}</span>
              <span class="mono caret">{q.slice(col - 1, col) || ' '}</span>
              <span class="mono">{q.slice(col)}</span>
            </div>
          ) : null}
          <span>{col ? `At column ${col}: ` : ''}{err.message}</span>
        </div>
      )}
    </form>
  );
}
