import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import './style.css';
import { api, ApiError, setCSRF, setUnauthorizedHandler, type Session } from './api';
import { location, navigate, params, setParams } from './router';
import { signal, theme as themeSignal, useSignal } from './signal';
import { Link } from './ui';
import { LoginView } from './views/Login';
import { SearchView } from './views/Search';
import { AlertsView } from './views/Alerts';
import { AlertDetailView } from './views/AlertDetail';
import { IncidentsView } from './views/Incidents';
import { IncidentDetailView } from './views/IncidentDetail';
import { OverviewView } from './views/Overview';
import { SourcesView } from './views/Sources';
import { DashboardsView, DashboardView } from './views/Dashboards';
import { RulesView } from './views/Rules';

export const session = signal<Session | null | undefined>(undefined);

// tenant is the tenant of the URL, else the principal's first one.
export function currentTenant(): string {
  const t = params().get('tenant');
  if (t) return t;
  const s = session.value;
  if (s && s.tenants.length && !s.tenants.includes('*')) return s.tenants[0];
  return 'default';
}

type Theme = 'dark' | 'light';
function initialTheme(): Theme {
  const saved = localStorage.getItem('vigil.theme');
  if (saved === 'dark' || saved === 'light') return saved;
  return window.matchMedia && window.matchMedia('(prefers-color-scheme: light)').matches ? 'light' : 'dark';
}

function TenantSwitcher({ s }: { s: Session }) {
  const all = s.tenants.includes('*');
  if (!all && s.tenants.length < 2) return null;
  const cur = currentTenant();
  if (all) {
    return (
      <label class="tenant">
        <span>Tenant</span>
        <input aria-label="Tenant" list="tenant-list" value={cur} size={10}
          onChange={(e) => setParams({ tenant: (e.currentTarget as HTMLInputElement).value.trim() || undefined })} />
        <datalist id="tenant-list">
          <option value="default" />
          <option value="demo" />
        </datalist>
      </label>
    );
  }
  return (
    <label class="tenant">
      <span>Tenant</span>
      <select aria-label="Tenant" value={cur} onChange={(e) => setParams({ tenant: (e.currentTarget as HTMLSelectElement).value })}>
        {s.tenants.map((t) => (
          <option value={t}>{t}</option>
        ))}
      </select>
    </label>
  );
}

const NAV = [
  { path: '/', label: 'Overview' },
  { path: '/search', label: 'Search' },
  { path: '/alerts', label: 'Alerts' },
  { path: '/incidents', label: 'Incidents' },
  { path: '/dashboards', label: 'Dashboards' },
  { path: '/sources', label: 'Sources' },
  { path: '/rules', label: 'Rules' },
];

function Shell({ s }: { s: Session }) {
  const loc = useSignal(location);
  const [theme, setTheme] = useState<Theme>(initialTheme());
  useEffect(() => {
    document.documentElement.dataset.theme = theme;
    localStorage.setItem('vigil.theme', theme);
    themeSignal.value = theme;
  }, [theme]);
  const path = loc.path;
  const tenant = currentTenant();
  const keep = (p: string) => p + (params().get('tenant') ? '?tenant=' + encodeURIComponent(tenant) : '');
  let view;
  let m: RegExpMatchArray | null;
  if (path === '/search') view = <SearchView key={'search' + tenant} tenant={tenant} role={s.role} />;
  else if (path === '/alerts') view = <AlertsView key={'alerts' + tenant} tenant={tenant} />;
  else if ((m = path.match(/^\/alerts\/(.+)$/))) view = <AlertDetailView key={m[1] + tenant} tenant={tenant} id={decodeURIComponent(m[1])} role={s.role} />;
  else if (path === '/incidents') view = <IncidentsView key={'inc' + tenant} tenant={tenant} />;
  else if ((m = path.match(/^\/incidents\/(.+)$/))) view = <IncidentDetailView key={m[1] + tenant} tenant={tenant} id={decodeURIComponent(m[1])} role={s.role} />;
  else if (path === '/sources') view = <SourcesView key={'src' + tenant} tenant={tenant} role={s.role} />;
  else if (path === '/dashboards') view = <DashboardsView key={'dash' + tenant} tenant={tenant} canEdit={s.role !== 'viewer'} />;
  else if ((m = path.match(/^\/dashboards\/(.+)$/))) view = <DashboardView key={m[1] + tenant} tenant={tenant} id={decodeURIComponent(m[1])} canEdit={s.role !== 'viewer'} />;
  else if (path === '/rules') view = <RulesView key={'rules' + tenant} tenant={tenant} role={s.role} />;
  else if (path === '/' || path === '/login') view = <OverviewView key={'ov' + tenant} tenant={tenant} />;
  else view = <p>No such page.</p>;
  const section = path === '/' || path === '/login' ? '/' : '/' + path.split('/')[1];
  return (
    <>
      <a class="skip" href="#main">Skip to content</a>
      <header class="top" role="banner">
        <span class="brand">Vigil</span>
        <nav aria-label="Views">
          {NAV.map((n) => (
            <Link to={keep(n.path)} class={section === n.path ? 'active' : ''} aria-current={section === n.path ? 'page' : undefined}>
              {n.label}
            </Link>
          ))}
        </nav>
        <span class="spacer" />
        <TenantSwitcher s={s} />
        <button type="button" class="ghost" aria-label={'Switch to ' + (theme === 'dark' ? 'light' : 'dark') + ' theme'}
          onClick={() => setTheme(theme === 'dark' ? 'light' : 'dark')}>
          {theme === 'dark' ? '☀' : '☾'}
        </button>
        <span class="user" title={s.role}>
          {s.user}
        </span>
        {s.auth === 'session' && (
          <button type="button" class="ghost" onClick={async () => {
            await api('/api/v1/session', { method: 'DELETE' }).catch(() => {});
            session.value = null;
            navigate('/login', true);
          }}>
            Log out
          </button>
        )}
      </header>
      <main id="main" tabIndex={-1}>
        {view}
      </main>
    </>
  );
}

function App() {
  const s = useSignal(session);
  useSignal(location);
  if (s === undefined) return <p class="loading">Loading…</p>;
  if (s === null) return <LoginView onLogin={(ns) => {
    setCSRF(ns.csrf);
    session.value = ns;
    const next = params().get('next');
    navigate(next && next.startsWith('/') && !next.startsWith('//') ? next : '/', true);
  }} />;
  return <Shell s={s} />;
}

function toLogin() {
  if (session.value === null) return;
  session.value = null;
  const here = window.location.pathname + window.location.search;
  if (window.location.pathname !== '/login') navigate('/login?next=' + encodeURIComponent(here), true);
}

setUnauthorizedHandler(toLogin);
document.documentElement.dataset.theme = initialTheme();
api<Session>('/api/v1/session')
  .then((s) => {
    setCSRF(s.csrf);
    session.value = s;
    if (window.location.pathname === '/login') {
      const next = params().get('next');
      navigate(next && next.startsWith('/') && !next.startsWith('//') ? next : '/', true);
    }
  })
  .catch((e) => {
    if (e instanceof ApiError && e.status === 401) toLogin();
    else session.value = null;
  });

render(<App />, document.getElementById('app')!);
