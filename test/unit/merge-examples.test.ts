/** Readable examples of the three-way merge of items, one behaviour each. */
import { describe, expect, it } from 'vitest';
import { type ConflictPolicy, type ItemState, defaultConflictPolicy, mergeField, mergeItem } from '../../shared/merge/index.js';
import type { FieldDef } from '../../shared/model/fields.js';
import type { Values } from '../../shared/model/values.js';

const fields: FieldDef[] = [
  { name: 'title', label: 'Title', type: 'text', required: true },
  { name: 'description', label: 'Description', type: 'textarea', required: false },
  { name: 'priority', label: 'Priority', type: 'dropdown', options: ['low', 'high'], required: false },
  { name: 'labels', label: 'Labels', type: 'tags', required: false },
  { name: 'estimate', label: 'Estimate', type: 'number', required: false },
];
const base: ItemState = {
  status: 'open',
  values: { title: 'Crash on save', description: 'Steps:\n1. open\n2. save\n3. crash\n', priority: 'low', labels: ['bug'], estimate: 3 },
};
const edit = (state: ItemState, values: Values, status = state.status): ItemState => ({ status, values: { ...state.values, ...values } });

describe('mergeItem examples', () => {
  it('a title edited locally and a priority edited remotely both end up in the local state, with no conflict', () => {
    const result = mergeItem(fields, base, edit(base, { title: 'Crash on save (Windows)' }), edit(base, { priority: 'high' }));
    expect(result.state.values).toMatchObject({ title: 'Crash on save (Windows)', priority: 'high' });
    expect(result).toMatchObject({ conflicts: [], outcomes: { title: 'local', priority: 'remote' }, localPending: true, remoteTaken: true, merged: false });
  });

  it('a title edited differently on both sides is a conflict that keeps the local title and records all three', () => {
    const result = mergeItem(fields, base, edit(base, { title: 'Local title' }), edit(base, { title: 'Remote title' }));
    expect(result.state.values.title).toBe('Local title');
    expect(result.conflicts).toEqual([{ name: 'title', base: 'Crash on save', local: 'Local title', remote: 'Remote title' }]);
    expect(result.outcomes).toEqual({ title: 'conflict' });
    expect(result.localPending).toBe(true);
  });

  it('a status closed remotely is taken while a local description edit is kept', () => {
    const result = mergeItem(fields, base, edit(base, { description: 'Steps:\n1. open\n2. save\n3. crash\nSeen twice.\n' }), edit(base, {}, 'closed'));
    expect(result.state.status).toBe('closed');
    expect(result.state.values.description).toBe('Steps:\n1. open\n2. save\n3. crash\nSeen twice.\n');
    expect(result.outcomes).toEqual({ status: 'remote', description: 'local' });
  });

  it('a status changed differently on both sides is listed first among the conflicts', () => {
    const result = mergeItem(fields, base, edit(base, { title: 'L' }, 'pending'), edit(base, { title: 'R' }, 'closed'));
    expect(result.conflicts.map((c) => c.name)).toEqual(['status', 'title']);
    expect(result.state.status).toBe('pending');
  });

  it('description edits on different lines merge by diff3 into a value that is new to both sides', () => {
    const local = edit(base, { description: 'Steps:\n1. open the app\n2. save\n3. crash\n' });
    const remote = edit(base, { description: 'Steps:\n1. open\n2. save\n3. crash with "disk full"\n' });
    const result = mergeItem(fields, base, local, remote);
    expect(result.state.values.description).toBe('Steps:\n1. open the app\n2. save\n3. crash with "disk full"\n');
    expect(result).toMatchObject({ conflicts: [], outcomes: { description: 'merged' }, merged: true, localPending: true, remoteTaken: true });
  });

  it('description edits on the same line are a conflict carrying the hunks to review', () => {
    const result = mergeItem(fields, base, edit(base, { description: 'Steps:\n1. open\n2. save twice\n3. crash\n' }), edit(base, { description: 'Steps:\n1. open\n2. save as\n3. crash\n' }));
    expect(result.conflicts).toHaveLength(1);
    expect(result.conflicts[0]?.hunks).toEqual([{ baseIndex: 2, base: ['2. save'], local: ['2. save twice'], remote: ['2. save as'] }]);
  });

  it('labels added on both sides are merged as a set', () => {
    const result = mergeItem(fields, base, edit(base, { labels: ['bug', 'ui'] }), edit(base, { labels: ['bug', 'p1'] }));
    expect(result.state.values.labels).toEqual(['bug', 'p1', 'ui']);
    expect(result.outcomes).toEqual({ labels: 'merged' });
  });

  it('a set merge that comes out equal to the remote value leaves nothing to push', () => {
    const result = mergeItem(fields, base, edit(base, { labels: ['bug', 'ui'] }), edit(base, { labels: ['bug', 'p1', 'ui'] }));
    expect(result.state.values.labels).toEqual(['bug', 'p1', 'ui']);
    expect(result).toMatchObject({ outcomes: { labels: 'merged' }, merged: true, localPending: false, remoteTaken: true });
  });

  it('a field cleared on one side is cleared in the result (no value, no key)', () => {
    const result = mergeItem(fields, base, edit(base, { estimate: null }), base);
    expect('estimate' in result.state.values).toBe(false);
    expect(result.outcomes).toEqual({ estimate: 'local' });
  });

  it('drops values of keys that are not fields of the schema', () => {
    const stray = edit(base, { gone: 'x' });
    expect('gone' in mergeItem(fields, stray, stray, stray).state.values).toBe(false);
  });

  it('does not read a field named like an Object.prototype member from the prototype', () => {
    const named: FieldDef[] = [{ name: 'constructor', label: 'C', type: 'text', required: false }];
    const empty: ItemState = { status: 'open', values: {} };
    expect(mergeItem(named, empty, empty, empty).state.values).toEqual({});
  });
});

describe('mergeField examples', () => {
  const number: FieldDef = { name: 'n', label: 'N', type: 'number', required: false };

  it('compares numbers as numbers: -0 and 0 agree', () => {
    expect(mergeField(number, 1, -0, 0)).toEqual({ outcome: 'agreed', value: 0 });
  });

  it('treats an absent value, null and "" as the same empty value', () => {
    const text: FieldDef = { name: 't', label: 'T', type: 'text', required: false };
    expect(mergeField(text, 'a', undefined, '')).toEqual({ outcome: 'agreed', value: null });
    expect(mergeField(text, null, '', 'b')).toEqual({ outcome: 'remote', value: 'b' });
  });
});

describe('the conflict policy', () => {
  it('is the one place that decides: a policy that refuses to merge text turns a clean diff3 merge into a conflict', () => {
    const strict: ConflictPolicy = { ...defaultConflictPolicy, resolve: () => ({ outcome: 'conflict' }) };
    const local = edit(base, { description: 'Steps:\n1. open the app\n2. save\n3. crash\n' });
    const remote = edit(base, { description: 'Steps:\n1. open\n2. save\n3. crash!\n' });
    expect(mergeItem(fields, base, local, remote).conflicts).toEqual([]);
    expect(mergeItem(fields, base, local, remote, strict).conflicts.map((c) => c.name)).toEqual(['description']);
  });

  it('can be swapped for one that lets remote win, leaving no conflict', () => {
    const remoteWins: ConflictPolicy = { ...defaultConflictPolicy, resolve: (_field, _base, _local, remote) => ({ outcome: 'merged', value: remote }) };
    const result = mergeItem(fields, base, edit(base, { title: 'L' }), edit(base, { title: 'R' }), remoteWins);
    expect(result.conflicts).toEqual([]);
    expect(result.state.values.title).toBe('R');
    expect(result.localPending).toBe(false);
  });
});
