// Helpers for the search language in the query bar: autocompletion of
// field names and pipes, and adding a filter term for a clicked value.

export const PIPES = ['fields', 'sort', 'head', 'where', 'stats', 'timechart'];

export const PIPE_HINTS: Record<string, string> = {
  fields: 'fields a, b — keep these columns',
  sort: 'sort -count — order rows (- for descending)',
  head: 'head 10 — keep the first rows',
  where: 'where count > 5 — filter table rows',
  stats: 'stats count() by user.name — aggregate',
  timechart: 'timechart span=5m count() by host.name — over time',
};

// Fields most events have: offered before any result is seen.
export const COMMON_FIELDS = [
  '@timestamp', 'message', 'event.original', 'event.code', 'event.action', 'event.category', 'event.outcome',
  'event.dataset', 'host.name', 'host.ip', 'user.name', 'source.ip', 'source.port', 'destination.ip',
  'destination.port', 'process.name', 'process.command_line', 'url.path', 'http.response.status_code',
  'user_agent.original', 'log.level', 'network.transport', 'source.geo.country_iso_code',
];

export interface Suggestion {
  // The text to insert in place of [from, to).
  insert: string;
  label: string;
  hint?: string;
}

export interface Completion {
  from: number;
  to: number;
  items: Suggestion[];
}

// splitPipes returns the offsets of the unquoted '|' in q.
export function pipeOffsets(q: string): number[] {
  const out: number[] = [];
  let quoted = false;
  for (let i = 0; i < q.length; i++) {
    const c = q[i];
    if (c === '\\') {
      i++;
      continue;
    }
    if (c === '"') quoted = !quoted;
    else if (c === '|' && !quoted) out.push(i);
  }
  return out;
}

const WORD_BREAK = /[\s(),|]/;

// complete suggests what may go at the cursor: a pipe command right after
// '|', a field name where a filter term or a pipe's field list starts.
export function complete(q: string, cursor: number, fields: string[], max = 12): Completion {
  const none = { from: cursor, to: cursor, items: [] };
  const before = q.slice(0, cursor);
  let start = cursor;
  while (start > 0 && !WORD_BREAK.test(before[start - 1])) start--;
  let end = cursor;
  while (end < q.length && !WORD_BREAK.test(q[end])) end++;
  let word = q.slice(start, cursor);
  const pipes = pipeOffsets(before);
  const inPipe = pipes.length > 0;
  const segStart = inPipe ? pipes[pipes.length - 1] + 1 : 0;
  const seg = before.slice(segStart, start);
  if ((before.slice(0, start).match(/"/g) || []).length % 2 === 1) return none;
  if (inPipe && seg.trim() === '') {
    const items = PIPES.filter((p) => p.startsWith(word.toLowerCase())).map((p) => ({ insert: p + ' ', label: p, hint: PIPE_HINTS[p] }));
    return { from: start, to: end, items };
  }
  if (word.includes(':') || word.includes('=') || word.includes('>') || word.includes('<')) return none;
  let prefix = '';
  if (!inPipe && word.startsWith('-')) {
    prefix = '-';
    word = word.slice(1);
  }
  const all = [...new Set([...fields, ...COMMON_FIELDS])].sort();
  const lw = word.toLowerCase();
  const match = all.filter((f) => f.toLowerCase().startsWith(lw) && f !== word);
  const contains = word ? all.filter((f) => !f.toLowerCase().startsWith(lw) && f.toLowerCase().includes(lw)) : [];
  const suffix = inPipe ? '' : ':';
  const items = [...match, ...contains].slice(0, max).map((f) => ({ insert: prefix + f + suffix, label: f }));
  return { from: start, to: end, items };
}

// quoteValue writes v so that the language reads it back as exactly v.
export function quoteValue(v: string): string {
  if (/^[A-Za-z0-9_.@/:][A-Za-z0-9_.@/:\-]*$/.test(v)) return v;
  return '"' + v.replace(/\\/g, '\\\\').replace(/"/g, '\\"') + '"';
}

// addFilter adds field:value (or NOT field:value) to the filter part of q,
// before its pipes.
export function addFilter(q: string, field: string, value: string | null, negate = false): string {
  const term = value === null || value === undefined ? `${field}:*` : `${field}:${quoteValue(String(value))}`;
  const full = negate ? `NOT ${term}` : term;
  const ps = pipeOffsets(q);
  const cut = ps.length ? ps[0] : q.length;
  let filter = q.slice(0, cut).trim();
  const rest = q.slice(cut);
  if (filter === '*') filter = '';
  if (/\bOR\b/i.test(filter)) filter = `(${filter})`;
  const nf = filter ? `${filter} ${full}` : full;
  return rest ? `${nf} ${rest.trim()}` : nf;
}

// filterPart returns q without its pipes.
export function filterPart(q: string): string {
  const ps = pipeOffsets(q);
  return (ps.length ? q.slice(0, ps[0]) : q).trim();
}
