/** `--older-than` durations (client/cli/duration.ts). */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseDuration } from '../../client/cli/duration.js';

describe('parseDuration', () => {
  it('reads a number and a unit, or several in a row', () => {
    expect(parseDuration('30d')).toBe(30 * 86_400_000);
    expect(parseDuration('12h')).toBe(12 * 3_600_000);
    expect(parseDuration('1d12h')).toBe(36 * 3_600_000);
    expect(parseDuration('2W')).toBe(14 * 86_400_000);
    expect(parseDuration('0s')).toBe(0);
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 999_999 }), (n) => {
        expect(parseDuration(`${n}m`)).toBe(n * 60_000);
      }),
      { numRuns: 100, seed: 15 },
    );
  });

  it('refuses anything else, naming the option and the form', () => {
    for (const bad of ['30', 'd', '30 days', '-1d', '1.5h', '', '1y']) expect(() => parseDuration(bad), bad).toThrow(/--older-than: expected a duration such as 30d/);
  });
});
