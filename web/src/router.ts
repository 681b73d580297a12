// A tiny router: every view has its own path, and its state (query, time
// range, tenant, filters) lives in the query string, so any view can be
// shared as a link.
import { signal } from './signal';

export const location = signal({ path: window.location.pathname, search: window.location.search });

export function params(): URLSearchParams {
  return new URLSearchParams(location.value.search);
}

export function navigate(url: string, replace = false) {
  if (replace) history.replaceState(null, '', url);
  else history.pushState(null, '', url);
  location.value = { path: window.location.pathname, search: window.location.search };
  if (!replace) window.scrollTo(0, 0);
}

// setParams merges params into the current URL (empty values are dropped).
export function setParams(p: Record<string, string | undefined>, replace = false) {
  const u = params();
  for (const [k, v] of Object.entries(p)) {
    if (v === undefined || v === '') u.delete(k);
    else u.set(k, v);
  }
  const s = u.toString();
  navigate(location.value.path + (s ? '?' + s : ''), replace);
}

// href builds a link to path keeping the tenant (and time range when keep says so).
export function href(path: string, extra: Record<string, string | undefined> = {}, keep: string[] = ['tenant']): string {
  const cur = params();
  const u = new URLSearchParams();
  for (const k of keep) {
    const v = cur.get(k);
    if (v) u.set(k, v);
  }
  for (const [k, v] of Object.entries(extra)) {
    if (v !== undefined && v !== '') u.set(k, v);
  }
  const s = u.toString();
  return path + (s ? '?' + s : '');
}

window.addEventListener('popstate', () => {
  location.value = { path: window.location.pathname, search: window.location.search };
});

// linkClick makes an <a href> navigate inside the console.
export function linkClick(e: MouseEvent) {
  if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
  const a = (e.currentTarget as HTMLAnchorElement);
  const url = new URL(a.href);
  if (url.origin !== window.location.origin) return;
  e.preventDefault();
  navigate(url.pathname + url.search);
}
