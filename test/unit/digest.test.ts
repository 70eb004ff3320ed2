/** Digest hashes (shared/digest.ts): what both sides of a verify compute, so that equal copies hash alike and any difference shows. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DIGEST_HASH_LENGTH, comparableFields, digestHash, digestOfJson } from '../../shared/digest.js';
import type { FieldDef } from '../../shared/model/fields.js';
import { planClone } from '../../shared/model/transform.js';
import { canonicalValues } from '../../shared/model/values.js';

const REMOTE: FieldDef[] = [
  { name: 'title', label: 'title', type: 'text', required: true },
  { name: 'owner', label: 'owner', type: 'user', required: false },
  { name: 'link', label: 'link', type: 'itemlink', required: false, linkedTracker: 2 },
  { name: 'n', label: 'n', type: 'autoincrement', required: false },
  { name: 'at', label: 'at', type: 'datetime', required: false },
  { name: 'tags', label: 'tags', type: 'tags', required: false },
];

describe('digestHash', () => {
  it('is the same for the remote item and a clone holding it, whatever the field types became; the fields it cannot compare are left out', () => {
    const { mappings, localFields } = planClone(REMOTE, { users: ['ann', 'bob'] });
    const names = comparableFields(mappings);
    expect(names).toEqual(['title', 'owner', 'at', 'tags']);
    const remote = { status: 'open', values: canonicalValues(REMOTE, { title: 'x', owner: 'bob', link: 7, n: 3, at: '2024-01-01T00:00:00Z', tags: ['b', 'a'] }) };
    const local = { status: 'open', values: canonicalValues(localFields, { title: 'x', owner: 'bob', link: 'Item seven', at: '2024-01-01T00:00:00.000Z', tags: ['a', 'b'] }) };
    const hash = digestHash(names, remote);
    expect(hash).toHaveLength(DIGEST_HASH_LENGTH);
    expect(digestHash(names, local)).toBe(hash);
  });

  it('hashes a stored row as it is when it holds exactly the named fields in order', () => {
    const values = { title: 'x', at: '2024-01-01T00:00:00.000Z', tags: ['a'] };
    expect(digestOfJson('closed', JSON.stringify(values))).toBe(digestHash(['title', 'owner', 'at', 'tags'], { status: 'closed', values }));
  });

  it('changes with the status or any named field, and not with a field left out', () => {
    const value = fc.oneof(fc.string({ minLength: 1 }), fc.constant(null));
    fc.assert(
      fc.property(value, value, fc.constantFrom('open', 'closed'), (a, b, status) => {
        const one = digestHash(['title'], { status, values: a === null ? {} : { title: a } });
        const two = digestHash(['title'], { status, values: b === null ? {} : { title: b } });
        expect(one === two).toBe(a === b);
        expect(digestHash(['title'], { status: status === 'open' ? 'closed' : 'open', values: a === null ? {} : { title: a } })).not.toBe(one);
        expect(digestHash([], { status, values: { title: a } })).toBe(digestHash([], { status, values: {} }));
      }),
      { numRuns: 200, seed: 15 },
    );
  });
});
