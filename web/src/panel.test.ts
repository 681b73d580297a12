import { describe, expect, it } from 'vitest';
import { bars, fillRange, heat, points, series, single, split } from './panel';

const tc = [
  { _time: '2026-12-07T10:00:00Z', 'event.outcome': 'failure', count: 3 },
  { _time: '2026-12-07T10:00:00Z', 'event.outcome': 'success', count: 1 },
  { _time: '2026-12-07T10:05:00Z', 'event.outcome': 'failure', count: 5 },
];

describe('panel shaping', () => {
  it('splits columns', () => {
    expect(split(tc)).toEqual({ time: '_time', labels: ['event.outcome'], values: ['count'] });
  });
  it('makes a series per group, biggest first, zero where a bucket lacks one', () => {
    const s = series(tc, undefined);
    expect(s.times.length).toBe(2);
    expect(s.groups).toEqual([
      { label: 'failure', values: [3, 5] },
      { label: 'success', values: [1, 0] },
    ]);
  });
  it('bars, single value, points', () => {
    const st = [{ 'user.name': 'root', count: 7 }, { 'user.name': null, count: 2 }];
    expect(bars(st)).toEqual([{ label: 'root', value: 7 }, { label: '(none)', value: 2 }]);
    expect(single([{ count: 42 }])).toBe(42);
    expect(single([])).toBe(null);
    const p = points([{ 'source.geo.location.lat': 51.5, 'source.geo.location.lon': -0.1, count: 3 }, { 'source.geo.location.lat': 'x', 'source.geo.location.lon': 1, count: 1 }]);
    expect(p).toEqual([{ lat: 51.5, lon: -0.1, count: 3, label: '51.5, -0.1' }]);
    expect(points([{ 'user.name': 'x', count: 1 }])).toBe(null);
  });
  it('heat map of a timechart: a row per group, a cell per bucket', () => {
    const h = heat(tc);
    expect(h.xs.length).toBe(2);
    expect(h.rows[0]).toEqual({ label: 'failure', cells: [3, 5] });
    expect(h.max).toBe(5);
  });
});

describe('fillRange', () => {
  it('spreads one bucket over the range with the query span', () => {
    const t0 = Date.parse('2026-12-07T10:00:00Z');
    const f = fillRange({ times: [t0], groups: [{ label: 'all', values: [4] }] }, t0 - 120e3, t0 + 60e3, 60e3, 300e3);
    expect(f.times).toEqual([t0 - 120e3, t0 - 60e3, t0]);
    expect(f.groups[0].values).toEqual([0, 0, 4]);
  });
});
