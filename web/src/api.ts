// The console talks only to Vigil's public HTTP API, on the same origin.
// A session cookie authenticates it; requests that change something carry
// the session's CSRF token.

export interface Session {
  user: string;
  role: string;
  tenants: string[];
  csrf?: string;
  auth: 'session' | 'open' | 'credentials';
}

export class ApiError extends Error {
  status: number;
  column?: number;
  constructor(status: number, message: string, column?: number) {
    super(message);
    this.status = status;
    this.column = column;
  }
}

let csrf = '';
let onUnauthorized: () => void = () => {};

export function setCSRF(token: string | undefined) {
  csrf = token ?? '';
}

export function setUnauthorizedHandler(f: () => void) {
  onUnauthorized = f;
}

export async function api<T = any>(path: string, opts: { method?: string; body?: unknown; signal?: AbortSignal } = {}): Promise<T> {
  const method = opts.method ?? 'GET';
  const headers: Record<string, string> = { 'X-Vigil-Console': '1', Accept: 'application/json' };
  if (method !== 'GET' && method !== 'HEAD') headers['X-CSRF-Token'] = csrf;
  if (opts.body !== undefined) headers['Content-Type'] = 'application/json';
  const r = await fetch(path, {
    method,
    headers,
    body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
    credentials: 'same-origin',
    signal: opts.signal,
  });
  if (r.status === 204) return undefined as T;
  let data: any = null;
  try {
    data = await r.json();
  } catch {
    data = null;
  }
  if (!r.ok) {
    if (r.status === 401 && path !== '/api/v1/session') onUnauthorized();
    throw new ApiError(r.status, (data && data.error) || r.statusText, data?.column);
  }
  return data as T;
}

export function qs(params: Record<string, string | number | undefined | null>): string {
  const u = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v !== undefined && v !== null && v !== '') u.set(k, String(v));
  }
  const s = u.toString();
  return s ? '?' + s : '';
}

export interface SearchResult {
  events: Record<string, any>[];
  total: number;
  took_ms: number;
  shape: 'events' | 'table';
  columns?: string[];
}

export function search(tenant: string, q: string, from: string, to: string, limit = 100, signal?: AbortSignal, dataset?: string) {
  return api<SearchResult>('/api/v1/search' + qs({ q, from, to, limit, tenant, dataset }), { signal });
}
