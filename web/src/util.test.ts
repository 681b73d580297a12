import { describe, expect, it } from 'vitest';
import { toCSV, toNDJSON } from './export';
import { resolve, span } from './time';
import { entityGraph, shared } from './graph';

describe('export', () => {
  it('writes RFC 4180 CSV and defuses formulas', () => {
    const csv = toCSV([{ a: 'x,y', b: 'say "hi"' }, { a: '=cmd()', c: 1 }]);
    expect(csv).toBe('a,b,c\r\n"x,y","say ""hi""",\r\n\'=cmd(),,1\r\n');
  });
  it('keeps field names and numbers as they are', () => {
    expect(toCSV([{ '@timestamp': '2026-12-07T00:00:00Z', n: -5, s: '-5', '@x(1)': 1 }])).toBe(
      "@timestamp,n,s,'@x(1)\r\n2026-12-07T00:00:00Z,-5,'-5,1\r\n",
    );
  });
  it('writes one JSON object a line', () => {
    expect(toNDJSON([{ a: 1 }, { b: '<script>' }])).toBe('{"a":1}\n{"b":"<script>"}\n');
    expect(toNDJSON([])).toBe('');
  });
});

describe('time', () => {
  const now = Date.UTC(2026, 11, 7, 12, 0, 0);
  it('resolves relative and absolute bounds', () => {
    expect(resolve('-15m', now)).toBe(now - 15 * 60e3);
    expect(resolve('now-1h', now)).toBe(now - 3600e3);
    expect(resolve('now', now)).toBe(now);
    expect(resolve('', now)).toBeUndefined();
    expect(resolve('2026-12-07T11:00:00Z', now)).toBe(now - 3600e3);
  });
  it('picks a span of about 80 buckets', () => {
    expect(span(now - 3600e3, now)).toBe('1m');
    expect(span(now - 86400e3, now)).toBe('30m');
  });
});

describe('graph', () => {
  it('links alerts through shared entities', () => {
    const alerts = [
      { id: 'a1', rule_title: 'scan', entities: { source_ips: ['1.2.3.4'], hosts: ['web1'] } },
      { id: 'a2', rule_title: 'brute', entities: { source_ips: ['1.2.3.4'], users: ['root'] } },
    ];
    const g = entityGraph(alerts);
    expect(g.nodes.length).toBe(5);
    expect(g.edges.filter((e) => e.to === 'ip:1.2.3.4').length).toBe(2);
    expect(shared(alerts)).toEqual(['1.2.3.4']);
  });
});

import { zoomRange } from './time';
describe('zoom', () => {
  it('selects whole buckets', () => {
    const t = Date.UTC(2026, 11, 7, 6, 20, 0);
    expect(zoomRange(t - 90e3, t + 5e3, 60e3)).toEqual({ from: '2026-12-07T06:18:00Z', to: '2026-12-07T06:21:00Z' });
  });
});
