// Tree renders any JSON value as nested lists of plain text: the alert's
// "why it fired" data, whatever its exact shape.
import { text } from '../ui';

export function Tree({ value, depth = 0 }: { value: unknown; depth?: number }) {
  if (depth > 8) return <span>{text(value)}</span>;
  if (Array.isArray(value)) {
    if (value.every((v) => v === null || typeof v !== 'object')) return <span class="mono">{value.map(text).join(', ')}</span>;
    return (
      <ol class="tree">
        {value.map((v) => (
          <li><Tree value={v} depth={depth + 1} /></li>
        ))}
      </ol>
    );
  }
  if (value && typeof value === 'object') {
    return (
      <dl class="tree">
        {Object.entries(value as Record<string, unknown>).map(([k, v]) => (
          <>
            <dt>{k}</dt>
            <dd><Tree value={v} depth={depth + 1} /></dd>
          </>
        ))}
      </dl>
    );
  }
  return <span class="mono">{text(value)}</span>;
}
