// The entity graph of an incident: its alerts and the hosts, users and IPs
// they name; an edge joins an alert to each of its entities, so alerts that
// share an entity are linked through it.

export interface Entities {
  hosts?: string[];
  users?: string[];
  source_ips?: string[];
  destination_ips?: string[];
}

export interface GNode {
  id: string;
  kind: 'alert' | 'host' | 'user' | 'ip';
  label: string;
  x: number;
  y: number;
}

export interface GEdge {
  from: string;
  to: string;
}

export function entityGraph(alerts: { id: string; rule_title?: string; entities?: Entities }[], width = 640, height = 360) {
  const nodes = new Map<string, GNode>();
  const edges: GEdge[] = [];
  const add = (id: string, kind: GNode['kind'], label: string) => {
    if (!nodes.has(id)) nodes.set(id, { id, kind, label, x: 0, y: 0 });
  };
  for (const a of alerts) {
    const aid = 'alert:' + a.id;
    add(aid, 'alert', a.rule_title || a.id);
    const e = a.entities || {};
    const link = (kind: GNode['kind'], vals?: string[]) => {
      for (const v of vals || []) {
        const id = kind + ':' + v;
        add(id, kind, v);
        if (!edges.some((x) => x.from === aid && x.to === id)) edges.push({ from: aid, to: id });
      }
    };
    link('host', e.hosts);
    link('user', e.users);
    link('ip', e.source_ips);
    link('ip', e.destination_ips);
  }
  // Alerts in a column on the left, entities on the right, each sorted so
  // the layout is stable.
  const alertsN = [...nodes.values()].filter((n) => n.kind === 'alert');
  const ents = [...nodes.values()].filter((n) => n.kind !== 'alert').sort((a, b) => a.kind.localeCompare(b.kind) || a.label.localeCompare(b.label));
  const place = (list: GNode[], x: number) =>
    list.forEach((n, i) => {
      n.x = x;
      n.y = ((i + 1) * height) / (list.length + 1);
    });
  place(alertsN, width * 0.25);
  place(ents, width * 0.75);
  return { nodes: [...nodes.values()], edges };
}

// shared returns the entities named by more than one alert.
export function shared(alerts: { entities?: Entities }[]): string[] {
  const count = new Map<string, number>();
  for (const a of alerts) {
    const e = a.entities || {};
    const vals = new Set([...(e.hosts || []), ...(e.users || []), ...(e.source_ips || []), ...(e.destination_ips || [])]);
    for (const v of vals) count.set(v, (count.get(v) || 0) + 1);
  }
  return [...count.entries()].filter(([, n]) => n > 1).map(([v]) => v).sort();
}
