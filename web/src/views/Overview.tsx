import { useEffect, useState } from 'preact/hooks';
import { api, qs, search } from '../api';
import { TimeChart, fill, fromTimechart } from '../components/Chart';
import { WorldMap, type Point } from '../components/WorldMap';
import { params, setParams } from '../router';
import { DEFAULT_FROM, zoomRange, resolve, span, spanMs } from '../time';
import { ErrorBox, Level, Link, TimePicker, tenantLink, text } from '../ui';
import { entitiesOf, type Alert } from './Alerts';

const LEVELS = ['critical', 'high', 'medium', 'low', 'informational'];

function topN(m: Map<string, number>, n = 10): [string, number][] {
  return [...m.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).slice(0, n);
}

export function OverviewView({ tenant }: { tenant: string }) {
  const p = params();
  const from = p.get('from') ?? DEFAULT_FROM;
  const to = p.get('to') ?? '';
  const [series, setSeries] = useState<{ times: number[]; events: number[]; alerts: number[] } | null>(null);
  const [alerts, setAlerts] = useState<Alert[]>([]);
  const [talkers, setTalkers] = useState<Record<string, any>[]>([]);
  const [points, setPoints] = useState<Point[]>([]);
  const [total, setTotal] = useState<number | null>(null);
  const [error, setError] = useState<unknown>(null);

  useEffect(() => {
    const ctl = new AbortController();
    const now = Date.now();
    const fromMs = resolve(from, now) ?? now - 86400e3;
    const toMs = resolve(to, now) ?? now;
    const sp = span(fromMs, toMs);
    const step = spanMs(sp);
    setError(null);
    const ev = search(tenant, `| timechart span=${sp} count()`, from, to, 10000, ctl.signal);
    const al = api<{ alerts: Alert[]; total: number }>('/api/v1/alerts' + qs({ tenant, from, to, limit: 10000 }), { signal: ctl.signal });
    Promise.all([ev, al])
      .then(([e, a]) => {
        const t = fromTimechart(e.events);
        const evs = fill(t.times, t.values, fromMs, toMs, step);
        const byBucket = new Map<number, number>();
        for (const x of a.alerts) {
          const b = Math.floor(Date.parse(x.last) / step) * step;
          byBucket.set(b, (byBucket.get(b) || 0) + 1);
        }
        setSeries({ times: evs.times, events: evs.values, alerts: evs.times.map((b) => byBucket.get(b) || 0) });
        setAlerts(a.alerts);
        setTotal(evs.values.reduce((s, v) => s + v, 0));
      })
      .catch((e) => !ctl.signal.aborted && setError(e));
    search(tenant, 'source.ip:* | stats count() by source.ip | sort -count | head 10', from, to, 10, ctl.signal).then((r) => setTalkers(r.events), () => {});
    search(tenant, 'source.geo.location.lat:* | stats count() by source.geo.location.lat, source.geo.location.lon, source.geo.country_iso_code | sort -count | head 500', from, to, 500, ctl.signal)
      .then((r) =>
        setPoints(
          r.events
            .map((x) => ({ lat: Number(x['source.geo.location.lat']), lon: Number(x['source.geo.location.lon']), count: Number(x['count()'] ?? 0), label: text(x['source.geo.country_iso_code']) }))
            .filter((x) => Number.isFinite(x.lat) && Number.isFinite(x.lon)),
        ),
        () => setPoints([]))
    return () => ctl.abort();
  }, [tenant, from, to]);

  const byLevel = new Map<string, number>();
  const byRule = new Map<string, number>();
  const ruleIds = new Map<string, string>();
  const byEntity = new Map<string, number>();
  for (const a of alerts) {
    byLevel.set(a.level, (byLevel.get(a.level) || 0) + 1);
    const k = a.rule_title || a.rule_id;
    byRule.set(k, (byRule.get(k) || 0) + 1);
    ruleIds.set(k, a.rule_id);
    for (const e of entitiesOf(a)) byEntity.set(e, (byEntity.get(e) || 0) + 1);
  }
  const maxLevel = Math.max(1, ...byLevel.values());
  return (
    <div class="overview">
      <div class="toolbar">
        <h1>Overview</h1>
        <span class="spacer" />
        <TimePicker />
      </div>
      <ErrorBox error={error} />
      <div class="tiles">
        <div class="tile"><span class="big">{total === null ? '…' : total.toLocaleString()}</span><span class="muted">events</span></div>
        <div class="tile"><span class="big">{alerts.length.toLocaleString()}</span><span class="muted">alerts</span></div>
        <div class="tile"><span class="big">{alerts.filter((a) => a.status === 'open').length.toLocaleString()}</span><span class="muted">open alerts</span></div>
      </div>
      <section class="panel" aria-label="Events and alerts over time">
        <h2>Events and alerts over time</h2>
        {series && (
          <TimeChart label="Events and alerts over time; drag to zoom" times={series.times} height={180}
            series={[{ label: 'events', values: series.events, color: '#3b82f6' }, { label: 'alerts', values: series.alerts, color: '#ef4444' }]}
            onZoom={(a, b) => setParams(zoomRange(a, b, series.times.length > 1 ? series.times[1] - series.times[0] : 60e3))} />
        )}
      </section>
      <div class="grid3">
        <section class="panel" aria-label="Alerts by level">
          <h2>Alerts by level</h2>
          <ul class="bars">
            {LEVELS.filter((l) => byLevel.get(l)).map((l) => (
              <li>
                <Link to={tenantLink('/alerts', { level: l, status: 'all', from, to })}><Level level={l} /></Link>
                <span class="bar"><span class={'fill level-bg-' + l} style={{ width: `${(100 * (byLevel.get(l) || 0)) / maxLevel}%` }} /></span>
                <span class="num">{byLevel.get(l)}</span>
              </li>
            ))}
          </ul>
        </section>
        <section class="panel" aria-label="Top rules">
          <h2>Top rules</h2>
          <ol class="toplist">
            {topN(byRule).map(([k, n]) => (
              <li><Link to={tenantLink('/alerts', { rule: ruleIds.get(k), status: 'all', from, to })}>{k}</Link><span class="num">{n}</span></li>
            ))}
          </ol>
        </section>
        <section class="panel" aria-label="Top entities">
          <h2>Top entities</h2>
          <ol class="toplist">
            {topN(byEntity).map(([k, n]) => (
              <li><Link to={tenantLink('/alerts', { entity: k, status: 'all', from, to })}>{k}</Link><span class="num">{n}</span></li>
            ))}
          </ol>
        </section>
      </div>
      <div class="grid2">
        <section class="panel" aria-label="Source IPs on the world map">
          <h2>Source IPs by location</h2>
          <WorldMap points={points} />
          {points.length === 0 && <p class="muted">No source IPs with a GeoIP location in this range (configure enrich.geoip).</p>}
        </section>
        <section class="panel" aria-label="Top talkers">
          <h2>Top talkers</h2>
          <ol class="toplist">
            {talkers.map((r) => (
              <li><Link to={tenantLink('/search', { q: `source.ip:${text(r['source.ip'])}`, from, to })}>{text(r['source.ip'])}</Link><span class="num">{text(r['count()'])}</span></li>
            ))}
          </ol>
        </section>
      </div>
    </div>
  );
}
