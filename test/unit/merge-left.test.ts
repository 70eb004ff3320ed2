/** The item decision for a left marker (DESIGN §12): an item that no longer matches a partial clone's filter. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { FieldDef } from '../../shared/model/fields.js';
import { type DecisionInput, type ItemState, decideItem, sameState } from '../../shared/merge/index.js';

const FIELDS: FieldDef[] = [
  { name: 'title', label: 'title', type: 'text', required: false },
  { name: 'tags', label: 'tags', type: 'tags', required: false },
];
const B: ItemState = { status: 'open', values: { title: 'T', tags: ['a'] } };
const left = { left: true as const };
const decide = (local: DecisionInput['local'], base: ItemState | null = B) => decideItem({ fields: FIELDS, base: base && { state: base, version: 3 }, local, remote: left });

describe('decideItem with a left marker', () => {
  it('an unchanged copy leaves (a local tombstone, the sync state dropped: nothing to push)', () => {
    expect(decide(B)).toEqual({ action: 'delete-local', outcome: 'left', base: null, baseVersion: null, conflict: null, pending: false });
    // A difference of representation is no edit.
    expect(decide({ status: 'open', values: { title: 'T', tags: [' a', 'a'] } }).outcome).toBe('left');
  });

  it('an edited or locally deleted copy is a conflict of kind left, keeping the old base and version', () => {
    const L: ItemState = { status: 'pending', values: B.values };
    expect(decide(L)).toEqual({ action: 'keep', outcome: 'conflict', local: L, base: B, baseVersion: 3, conflict: { kind: 'left' }, pending: true });
    expect(decide('deleted')).toEqual({ action: 'keep', outcome: 'conflict', base: B, baseVersion: 3, conflict: { kind: 'left' }, pending: true });
  });

  it('a marker of an item the clone never had (or holds no base for) is ignored', () => {
    expect(decide('absent')).toEqual({ action: 'forget', outcome: 'ignored', base: null, baseVersion: null, conflict: null, pending: false });
    expect(decide(B, null).outcome).toBe('ignored');
  });

  it('never writes a local state and never loses a local edit: it drops a copy equal to its base, or keeps it as it is', () => {
    const state = fc.record({ status: fc.constantFrom('open', 'pending', 'closed' as const), values: fc.record({ title: fc.constantFrom('T', 'U'), tags: fc.subarray(['a', 'b']) }, { requiredKeys: [] }) });
    fc.assert(
      fc.property(state, fc.option(state, { nil: null }), (local, base) => {
        const d = decide(local as ItemState, base as ItemState | null);
        expect(d.action).not.toBe('write');
        expect(d.action).not.toBe('create');
        if (d.action === 'delete-local') expect(sameState(FIELDS, local as ItemState, base as ItemState)).toBe(true);
        if (d.action === 'keep') expect(d.local).toBe(local);
      }),
      { numRuns: 300, seed: 15 },
    );
  });
});
