import { describe, expect, it } from 'vitest';
import { addFilter, complete, pipeOffsets, quoteValue } from './query';

describe('complete', () => {
  it('offers pipes after |', () => {
    const c = complete('event.code:4625 | st', 20, []);
    expect(c.items.map((i) => i.label)).toEqual(['stats']);
    expect(c.from).toBe(18);
  });
  it('offers every pipe right after |', () => {
    expect(complete('a | ', 4, []).items.length).toBe(6);
  });
  it('offers fields with a colon in the filter', () => {
    const c = complete('user', 4, ['user.name', 'user.id']);
    expect(c.items.map((i) => i.insert)).toEqual(['user.id:', 'user.name:', 'user_agent.original:']);
  });
  it('offers fields without colon in a pipe argument', () => {
    const c = complete('x | stats count() by host.n', 27, []);
    expect(c.items[0].insert).toBe('host.name');
  });
  it('keeps the minus of a negated term', () => {
    expect(complete('-source.i', 9, []).items[0].insert).toBe('-source.ip:');
  });
  it('offers nothing inside a value or a phrase', () => {
    expect(complete('user.name:ro', 12, []).items).toEqual([]);
    expect(complete('"failed pass', 12, []).items).toEqual([]);
  });
});

describe('filters', () => {
  it('ignores quoted pipes', () => {
    expect(pipeOffsets('a:"x|y" | head 1')).toEqual([8]);
  });
  it('quotes values the language would read otherwise', () => {
    expect(quoteValue('10.0.0.1')).toBe('10.0.0.1');
    expect(quoteValue('fe80::1')).toBe('fe80::1');
    expect(quoteValue('a b')).toBe('"a b"');
    expect(quoteValue('a*b')).toBe('"a*b"');
    expect(quoteValue('say "hi" \\o')).toBe('"say \\"hi\\" \\\\o"');
    expect(quoteValue('-x')).toBe('"-x"');
  });
  it('adds a term before the pipes', () => {
    expect(addFilter('', 'host.name', 'web1')).toBe('host.name:web1');
    expect(addFilter('*', 'host.name', 'web1')).toBe('host.name:web1');
    expect(addFilter('a | head 5', 'user.name', 'x y', true)).toBe('a NOT user.name:"x y" | head 5');
    expect(addFilter('a OR b', 'f', 'v')).toBe('(a OR b) f:v');
  });
});
