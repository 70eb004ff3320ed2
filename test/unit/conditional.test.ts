/** If-None-Match by RFC 9110 §13.1.2 (shared/api/conditional.ts): lists, weak and strong tags, `*`, commas inside tags, and what does not parse. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { entityTag, notModified, parseIfNoneMatch } from '../../shared/api/conditional.js';

/** An opaque tag: DQUOTE *etagc DQUOTE, etagc being any visible ASCII but '"' (a comma included). */
const opaque = fc.stringMatching(/^[\x21\x23-\x7e]{0,12}$/).map((body) => `"${body}"`);
const member = fc.record({ weak: fc.boolean(), tag: opaque, space: fc.constantFrom('', ' ', '\t', '  ') });
const headerOf = (members: { weak: boolean; tag: string; space: string }[]) => members.map((m) => `${m.space}${m.weak ? 'W/' : ''}${m.tag}${m.space}`).join(',');

describe('parseIfNoneMatch', () => {
  it('reads back the opaque tags of any well-formed list, W/ dropped, in order', () => {
    fc.assert(
      fc.property(fc.array(member, { minLength: 1, maxLength: 6 }), (members) => {
        expect(parseIfNoneMatch(headerOf(members))).toEqual(members.map((m) => m.tag));
      }),
      { seed: 18, numRuns: 300 },
    );
  });

  it('takes * alone, skips empty list members, and refuses what is not a list of tags', () => {
    expect(parseIfNoneMatch(' * ')).toBe('*');
    expect(parseIfNoneMatch('"a", , "b",')).toEqual(['"a"', '"b"']);
    expect(parseIfNoneMatch('"a,b", W/"c"')).toEqual(['"a,b"', '"c"']);
    for (const bad of ['a', '"a', '"a" "b"', '"a", *', 'w/"a"', '"a"b', '"a\u00a0"x']) expect(parseIfNoneMatch(bad), bad).toBeNull();
  });
});

describe('notModified', () => {
  it('matches its own tag in any list, weakly or strongly written, and * always', () => {
    fc.assert(
      fc.property(fc.string(), fc.array(member, { maxLength: 4 }), fc.nat(4), fc.boolean(), (json, others, at, weak) => {
        const tag = entityTag(json);
        const opaqueTag = tag.slice(2);
        const list = [...others];
        list.splice(Math.min(at, list.length), 0, { weak, tag: opaqueTag, space: ' ' });
        expect(notModified(headerOf(list), tag)).toBe(true);
        expect(notModified('*', tag)).toBe(true);
      }),
      { seed: 18, numRuns: 200 },
    );
  });

  it('does not match other tags, an absent header or one that does not parse', () => {
    fc.assert(
      fc.property(fc.string(), fc.array(member, { minLength: 1, maxLength: 4 }), (json, others) => {
        const tag = entityTag(json);
        fc.pre(!others.some((m) => m.tag === tag.slice(2)));
        expect(notModified(headerOf(others), tag)).toBe(false);
      }),
      { seed: 18, numRuns: 200 },
    );
    expect(notModified(undefined, entityTag('{}'))).toBe(false);
    expect(notModified(`${entityTag('{}')} junk`, entityTag('{}'))).toBe(false);
  });

  it('tags equal answers alike and different ones apart', () => {
    expect(entityTag('{"a":1}')).toBe(entityTag('{"a":1}'));
    expect(entityTag('{"a":1}')).not.toBe(entityTag('{"a":2}'));
    expect(entityTag('{}')).toMatch(/^W\/"[A-Za-z0-9_-]{27}"$/);
  });
});
