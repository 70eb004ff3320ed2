/** Set merge laws for multiselect, tags and files: adds and removes of both sides apply, always clean, canonical output. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { mergeSets } from '../../shared/merge/index.js';

// A small universe so that the three sets share, add and remove entries often; duplicates and any order allowed.
const set = fc.array(fc.constantFrom('a', 'b', 'c', 'd', 'e', 'Z', 'é'), { maxLength: 8 });
const canonicalOf = (xs: readonly string[]) => (xs.length === 0 ? null : [...new Set(xs)].sort());
const has = (xs: readonly string[] | null, x: string) => (xs ?? []).includes(x);

describe('mergeSets', () => {
  it('keeps an entry exactly when both sides kept it, or when one side added it', () => {
    fc.assert(
      fc.property(set, set, set, (base, local, remote) => {
        const merged = mergeSets(base, local, remote);
        for (const entry of new Set([...base, ...local, ...remote])) {
          const expected = base.includes(entry) ? local.includes(entry) && remote.includes(entry) : local.includes(entry) || remote.includes(entry);
          expect(has(merged, entry), entry).toBe(expected);
        }
      }),
    );
  });

  it('keeps every add of both sides', () => {
    fc.assert(
      fc.property(set, set, set, (base, local, remote) => {
        const merged = mergeSets(base, local, remote);
        for (const added of [...local, ...remote].filter((x) => !base.includes(x))) expect(has(merged, added)).toBe(true);
      }),
    );
  });

  it('applies every remove of either side', () => {
    fc.assert(
      fc.property(set, set, set, (base, local, remote) => {
        const merged = mergeSets(base, local, remote);
        for (const removed of base.filter((x) => !local.includes(x) || !remote.includes(x))) expect(has(merged, removed)).toBe(false);
      }),
    );
  });

  it('returns a canonical set: sorted, unique, null when empty', () => {
    fc.assert(
      fc.property(set, set, set, (base, local, remote) => {
        const merged = mergeSets(base, local, remote);
        if (merged === null) return;
        expect(merged.length).toBeGreaterThan(0);
        expect(merged).toEqual(canonicalOf(merged));
      }),
    );
  });

  it('is idempotent: merging a set with itself gives that set', () => {
    fc.assert(
      fc.property(set, set, (base, x) => {
        expect(mergeSets(base, x, x)).toEqual(canonicalOf(x));
        expect(mergeSets(x, x, x)).toEqual(canonicalOf(x));
      }),
    );
  });

  it('takes the side that changed when the other did not', () => {
    fc.assert(
      fc.property(set, set, (base, changed) => {
        expect(mergeSets(base, base, changed)).toEqual(canonicalOf(changed));
        expect(mergeSets(base, changed, base)).toEqual(canonicalOf(changed));
      }),
    );
  });

  it('does not depend on which side is local', () => {
    fc.assert(
      fc.property(set, set, set, (base, local, remote) => {
        expect(mergeSets(base, local, remote)).toEqual(mergeSets(base, remote, local));
      }),
    );
  });

  it('ignores order and duplicates in its inputs', () => {
    fc.assert(
      fc.property(set, set, set, (base, local, remote) => {
        const shuffled = (xs: string[]) => [...xs, ...xs].reverse();
        expect(mergeSets(shuffled(base), shuffled(local), shuffled(remote))).toEqual(mergeSets(base, local, remote));
      }),
    );
  });

  it('example: labels added on both sides and one removed remotely', () => {
    expect(mergeSets(['bug', 'ui'], ['bug', 'ui', 'urgent'], ['bug', 'backend'])).toEqual(['backend', 'bug', 'urgent']);
  });

  it('example: null, undefined and [] are the empty set, and an empty result is null', () => {
    expect(mergeSets(null, undefined, [])).toBeNull();
    expect(mergeSets(['a'], [], ['a', 'b'])).toEqual(['b']);
    expect(mergeSets(['a'], null, [])).toBeNull();
  });
});
