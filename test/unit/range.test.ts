/** The one Range a blob's GET honours: a single byte range within the content, 416 past its end, the whole content for any other form. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseRange, rangeFrom } from '../../shared/api/range.js';

describe('parseRange', () => {
  it('reads a start, an end and a suffix, clamped to the content', () => {
    expect(parseRange('bytes=0-9', 100)).toEqual({ start: 0, end: 9 });
    expect(parseRange('bytes=90-', 100)).toEqual({ start: 90, end: 99 });
    expect(parseRange('bytes=90-500', 100)).toEqual({ start: 90, end: 99 });
    expect(parseRange('bytes=-10', 100)).toEqual({ start: 90, end: 99 });
    expect(parseRange('bytes=-500', 100)).toEqual({ start: 0, end: 99 });
    expect(parseRange(' Bytes = 5 - 6 ', 100)).toEqual({ start: 5, end: 6 });
    expect(parseRange(rangeFrom(42), 100)).toEqual({ start: 42, end: 99 });
  });

  it('answers unsatisfiable for a range that starts at or after the end (0 bytes included), and ignores every other form', () => {
    for (const header of ['bytes=100-', 'bytes=100-200', 'bytes=-0']) expect(parseRange(header, 100), header).toBe('unsatisfiable');
    expect(parseRange('bytes=0-', 0)).toBe('unsatisfiable');
    for (const header of [undefined, '', 'bytes=-', 'bytes=5-2', 'bytes=0-1,5-6', 'items=0-1', 'bytes=a-b', `bytes=${'9'.repeat(20)}-`]) expect(parseRange(header, 100), header).toBeNull();
  });

  it('always gives a range inside the content, of at least one byte', () => {
    fc.assert(
      fc.property(fc.nat(10_000), fc.option(fc.nat(20_000)), fc.option(fc.nat(20_000)), (size, a, b) => {
        const range = parseRange(`bytes=${a ?? ''}-${b ?? ''}`, size);
        if (range === null || range === 'unsatisfiable') return;
        expect(range.start).toBeGreaterThanOrEqual(0);
        expect(range.end).toBeLessThan(size);
        expect(range.end).toBeGreaterThanOrEqual(range.start);
      }),
      { numRuns: 500, seed: 17 },
    );
  });
});
