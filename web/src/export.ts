// Export of search results: CSV (RFC 4180) and NDJSON.

// A cell starting with one of these would run as a formula in a
// spreadsheet (CSV injection): it gets a leading apostrophe.
const FORMULA = /^[=+\-@\t\r]/;

// A plain field name (@timestamp, source.ip) cannot form a formula.
const PLAIN_NAME = /^@?[A-Za-z0-9_.]+$/;

function cell(v: unknown, header = false): string {
  if (v === undefined || v === null) return '';
  let s = typeof v === 'object' ? JSON.stringify(v) : String(v);
  // Numbers and booleans are written as they are (a negative number is not a formula).
  if (typeof v === 'string' && FORMULA.test(s) && !(header && PLAIN_NAME.test(s))) s = "'" + s;
  if (/[",\r\n]/.test(s)) s = '"' + s.replace(/"/g, '""') + '"';
  return s;
}

export function columnsOf(rows: Record<string, unknown>[]): string[] {
  const seen = new Set<string>();
  for (const r of rows) for (const k of Object.keys(r)) seen.add(k);
  return [...seen];
}

export function toCSV(rows: Record<string, unknown>[], columns = columnsOf(rows)): string {
  const lines = [columns.map((c) => cell(c, true)).join(',')];
  for (const r of rows) lines.push(columns.map((c) => cell(r[c])).join(','));
  return lines.join('\r\n') + '\r\n';
}

export function toNDJSON(rows: Record<string, unknown>[]): string {
  return rows.map((r) => JSON.stringify(r)).join('\n') + (rows.length ? '\n' : '');
}

export function download(name: string, type: string, text: string) {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
