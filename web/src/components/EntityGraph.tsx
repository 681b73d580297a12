// The entity graph of an incident, drawn as SVG: alerts on the left, the
// hosts, users and IPs they name on the right.
import { entityGraph } from '../graph';
import { Link, tenantLink } from '../ui';

const COLORS: Record<string, string> = { alert: 'var(--accent)', host: '#22c55e', user: '#eab308', ip: '#a855f7' };

export function EntityGraph({ alerts }: { alerts: any[] }) {
  const width = 720;
  const n = Math.max(alerts.length, 1);
  const height = Math.min(900, Math.max(200, 40 * Math.max(n, alerts.reduce((s, a) => s + 2, 0) / 2)));
  const g = entityGraph(alerts, width, height);
  const pos = new Map(g.nodes.map((x) => [x.id, x]));
  return (
    <svg class="graph" viewBox={`0 0 ${width} ${height}`} role="img" aria-label={`Graph of ${alerts.length} alerts and the entities they share`}>
      {g.edges.map((e) => {
        const a = pos.get(e.from)!, b = pos.get(e.to)!;
        return <line x1={a.x} y1={a.y} x2={b.x} y2={b.y} class="edge" />;
      })}
      {g.nodes.map((x) => {
        const label = x.label.length > 40 ? x.label.slice(0, 39) + '…' : x.label;
        const body = (
          <g>
            <circle cx={x.x} cy={x.y} r={7} fill={COLORS[x.kind]} />
            <text x={x.kind === 'alert' ? x.x - 12 : x.x + 12} y={x.y + 4} text-anchor={x.kind === 'alert' ? 'end' : 'start'} class="glabel">
              {x.kind === 'alert' ? label : `${x.kind}: ${label}`}
            </text>
          </g>
        );
        if (x.kind === 'alert') return <Link to={tenantLink('/alerts/' + encodeURIComponent(x.id.slice(6)))}>{body}</Link>;
        return body;
      })}
    </svg>
  );
}
