import { describe, expect, it } from 'vitest';
import { parseSample } from './sample';

describe('parseSample', () => {
  it('takes an object, an array, or one object per line', () => {
    expect(parseSample('{"a":1}')).toEqual([{ a: 1 }]);
    expect(parseSample('[{"a":1},{"b":2}]')).toEqual([{ a: 1 }, { b: 2 }]);
    expect(parseSample('{"a":1}\n\n{"b":2}\n')).toEqual([{ a: 1 }, { b: 2 }]);
    expect(parseSample('  ')).toEqual([]);
  });
  it('names the line that is not JSON', () => {
    expect(() => parseSample('{"a":1}\nnope')).toThrow('line 2');
  });
});
