/** The item decision (DESIGN §4, §9): the table over whole items, deletions included, and the properties it must keep. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FIELD_TYPES, type FieldDef, type FieldType, SET_TYPES, STATUSES } from '../../shared/model/fields.js';
import { type FieldValue, type Values, normalizeValue, valuesEqual } from '../../shared/model/values.js';
import { type BaseState, type DecisionInput, type ItemDecision, type ItemState, type RemoteSide, decideItem, localChanges, mergeText, sameState } from '../../shared/merge/index.js';

const field = (name: string, type: FieldType): FieldDef =>
  type === 'dropdown' || type === 'multiselect' ? { name, label: name, type, required: false, options: ['x', 'y', 'z'] } : { name, label: name, type, required: false };

// Small pools, so sides collide often; several spellings of one value, so a difference of representation must not count as a change.
const line = fc.constantFrom('a', 'b', 'c', 'd');
const set = (entries: string[]) => fc.subarray(entries).chain((xs) => fc.shuffledSubarray([...xs, ...xs], { minLength: xs.length }));
const POOLS: Record<FieldType, fc.Arbitrary<unknown>> = {
  text: fc.constantFrom('a', 'b', 'c', ''),
  textarea: fc.array(line, { maxLength: 4 }).map((xs) => xs.join('\n')),
  number: fc.constantFrom(0, -0, 1, 2),
  checkbox: fc.boolean(),
  dropdown: fc.constantFrom('x', 'y', 'z'),
  multiselect: set(['x', 'y', 'z']),
  date: fc.constantFrom('2024-01-01', ' 2024-01-01', '2024-02-03'),
  datetime: fc.constantFrom('2024-01-01T00:00:00Z', '2024-01-01T00:00:00.000Z', '2024-01-01 01:00', '2024-03-31T10:00:00.000Z'),
  email: fc.constantFrom('a@x.org', 'b@x.org'),
  url: fc.constantFrom('http://a.org', 'http://b.org'),
  tags: set(['t1', ' t1', 't2', 't3']),
  location: fc.constantFrom('1,2', ' 1 , 2', '3,4,5'),
  user: fc.constantFrom('ann', 'bob'),
  autoincrement: fc.constantFrom(1, 2),
  page: fc.constantFrom('Home', 'About'),
  itemlink: fc.constantFrom(1, 2),
  files: fc
    .subarray([1, 2, 3].map((n) => ({ name: `f${n}.png`, size: n, type: 'image/png', sha256: String(n).repeat(64) })))
    .chain((xs) => fc.shuffledSubarray([...xs, ...xs], { minLength: xs.length })),
};

const schema = fc.uniqueArray(fc.constantFrom(...FIELD_TYPES), { minLength: 1, maxLength: 6 }).map((types) => types.map((t) => field(`f_${t}`, t)));

/** A state, and a side derived from a base: each of status and the fields kept from the base or drawn anew. */
function state(fields: readonly FieldDef[]): fc.Arbitrary<ItemState> {
  const values = fc.tuple(...fields.map((f) => fc.option(POOLS[f.type], { nil: undefined, freq: 4 })));
  return fc.record({ status: fc.constantFrom(...STATUSES), values }).map(({ status, values: vs }) => {
    const out: Values = {};
    fields.forEach((f, i) => {
      if (vs[i] !== undefined) out[f.name] = vs[i] as FieldValue;
    });
    return { status, values: out };
  });
}

function sideOf(fields: readonly FieldDef[], base: ItemState): fc.Arbitrary<ItemState> {
  const keep = fc.oneof(fc.constant(null), fc.array(fc.boolean(), { minLength: fields.length + 1, maxLength: fields.length + 1 }));
  return fc.tuple(state(fields), keep).map(([own, mask]) => {
    if (mask === null) return base;
    const values: Values = {};
    fields.forEach((f, i) => {
      const from = mask[i + 1] ? base : own;
      if (Object.hasOwn(from.values, f.name)) values[f.name] = from.values[f.name] as FieldValue;
    });
    return { status: mask[0] ? base.status : own.status, values };
  });
}

// The remote side as a feed of a full clone sends it (the left marker of a filtered feed is tested in merge-left.test.ts).
type Input = Required<Pick<DecisionInput, 'fields' | 'base' | 'local'>> & { remote: RemoteSide };

const scenario: fc.Arbitrary<Input> = schema.chain((fields) =>
  state(fields).chain((base) =>
    fc.record({
      fields: fc.constant(fields),
      base: fc.oneof({ arbitrary: fc.record({ state: fc.constant(base), version: fc.constantFrom(3, null) }), weight: 9 }, { arbitrary: fc.constant(null), weight: 1 }),
      local: fc.oneof({ arbitrary: sideOf(fields, base), weight: 8 }, fc.constant('deleted' as const), fc.constant('absent' as const)),
      remote: fc.oneof(
        { arbitrary: sideOf(fields, base).map((s) => ({ state: s, version: 4 })), weight: 5 },
        { arbitrary: fc.constant({ deleted: true as const, version: 4 }), weight: 1 },
      ),
    }),
  ),
);

/** Scenarios where both sides hold a copy with a base: the only ones where sides can swap. */
const based = scenario.filter((s): s is Input & { base: NonNullable<Input['base']>; local: ItemState | 'deleted' } => s.base !== null && s.local !== 'absent');

function valueOf(s: BaseState, name: string): unknown {
  return Object.hasOwn(s.values, name) ? s.values[name] : undefined;
}

const S = (status: ItemState['status'], values: Values): ItemState => ({ status, values });
const FIELDS = [field('title', 'text'), field('note', 'textarea'), field('tags', 'tags')];
const B = S('open', { title: 'T', note: 'one\ntwo\nthree', tags: ['a', 'b'] });
const live = (s: ItemState, version = 4) => ({ state: s, version });
const gone = { deleted: true as const, version: 4 };
const decide = (local: DecisionInput['local'], remote: DecisionInput['remote'], base: ItemState | null = B) =>
  decideItem({ fields: FIELDS, base: base && { state: base, version: 3 }, local, remote });

describe('decideItem: the table of §4', () => {
  it('no base or no local copy: a live remote item is created, a deleted one forgotten', () => {
    expect(decide('absent', live(B, 7))).toEqual({ action: 'create', outcome: 'created', local: B, base: B, baseVersion: 7, conflict: null, pending: false });
    expect(decide(B, live(B, 7), null).action).toBe('create');
    expect(decide('deleted', live(B), null).action).toBe('create');
    expect(decide('absent', gone)).toEqual({ action: 'forget', outcome: 'unchanged', base: null, baseVersion: null, conflict: null, pending: false });
  });

  it('l = b: takes r, or keeps l when r is the same', () => {
    const R = S('closed', { ...B.values, title: 'R' });
    expect(decide(B, live(R))).toEqual({ action: 'write', outcome: 'updated', local: R, base: R, baseVersion: 4, conflict: null, pending: false });
    // A difference of representation only: nothing to write, the local state stays as it is.
    const respelled = S('open', { title: 'T', note: 'one\ntwo\nthree', tags: [' b', 'a', 'a'] });
    expect(decide(respelled, live(B))).toMatchObject({ action: 'keep', outcome: 'unchanged', local: respelled, base: B, pending: false });
  });

  it('r = b: keeps l, still to push, on the old base with the remote version', () => {
    const L = S('pending', B.values);
    expect(decide(L, live(B, 5))).toEqual({ action: 'keep', outcome: 'unchanged', local: L, base: B, baseVersion: 5, conflict: null, pending: true });
  });

  it('both changed: different fields merge; text and sets merge; the same scalar differently is a field conflict', () => {
    const L = S('open', { title: 'L', note: 'ONE\ntwo\nthree', tags: ['a', 'b', 'l'] });
    const R = S('closed', { title: 'T', note: 'one\ntwo\nTHREE', tags: ['b'] });
    expect(decide(L, live(R))).toMatchObject({
      action: 'write',
      outcome: 'merged',
      local: S('closed', { title: 'L', note: 'ONE\ntwo\nTHREE', tags: ['b', 'l'] }),
      base: R,
      conflict: null,
      pending: true,
    });
    const R2 = S('closed', { title: 'R', note: 'one\ntwo\nTHREE', tags: ['a', 'b'] });
    const d = decide(L, live(R2));
    expect(d.outcome).toBe('conflict');
    expect(d.conflict).toEqual({ kind: 'fields', fields: [{ name: 'title', base: 'T', local: 'L', remote: 'R' }], remoteVersion: 4 });
    // The conflicting field keeps local's value and its old base; the others merged on the remote base.
    expect(d.local).toEqual(S('closed', { title: 'L', note: 'ONE\ntwo\nTHREE', tags: ['a', 'b', 'l'] }));
    expect(d.base).toEqual(S('closed', { title: 'T', note: 'one\ntwo\nTHREE', tags: ['a', 'b'] }));
  });

  it('both changed: a merge equal to one side counts as unchanged (local) or updated (remote)', () => {
    const L = S('open', { ...B.values, tags: ['a', 'b', 'c'] });
    const R = S('open', { ...B.values, tags: ['a', 'b', 'c', 'd'] });
    expect(decide(R, live(L))).toMatchObject({ action: 'keep', outcome: 'unchanged', pending: true });
    expect(decide(L, live(R))).toMatchObject({ action: 'write', outcome: 'updated', local: R, pending: false });
  });

  it('a conflict on status keeps the old base status', () => {
    const d = decide(S('pending', B.values), live(S('closed', B.values)));
    expect(d.conflict).toMatchObject({ kind: 'fields', fields: [{ name: 'status', base: 'open', local: 'pending', remote: 'closed' }] });
    expect(d.base?.status).toBe('open');
  });
});

// The deletion table (formerly mergeDeletion), all 16 rows of [localDeleted, localChanged, remoteDeleted, remoteChanged].
// A deleting side has no state, so its "changed" flag cannot be expressed: its rows repeat the other one.
type Expected = Pick<ItemDecision, 'action' | 'outcome'> & { conflict: 'remote-deleted' | 'local-deleted' | null };
const keepRow = (action: 'keep' | 'write', outcome: ItemDecision['outcome']): Expected => ({ action, outcome, conflict: null });
const deleteLocal: Expected = { action: 'delete-local', outcome: 'deleted', conflict: null };
const pushDelete: Expected = { action: 'keep', outcome: 'unchanged', conflict: null };
const gone16: Expected = { action: 'forget', outcome: 'deleted', conflict: null };
const table: [boolean, boolean, boolean, boolean, Expected][] = [
  [false, false, false, false, keepRow('keep', 'unchanged')],
  [false, false, false, true, keepRow('write', 'updated')],
  [false, true, false, false, keepRow('keep', 'unchanged')],
  [false, true, false, true, keepRow('write', 'merged')],
  [false, false, true, false, deleteLocal],
  [false, false, true, true, deleteLocal],
  [false, true, true, false, { action: 'keep', outcome: 'conflict', conflict: 'remote-deleted' }],
  [false, true, true, true, { action: 'keep', outcome: 'conflict', conflict: 'remote-deleted' }],
  [true, false, false, false, pushDelete],
  [true, true, false, false, pushDelete],
  [true, false, false, true, { action: 'keep', outcome: 'conflict', conflict: 'local-deleted' }],
  [true, true, false, true, { action: 'keep', outcome: 'conflict', conflict: 'local-deleted' }],
  [true, false, true, false, gone16],
  [true, false, true, true, gone16],
  [true, true, true, false, gone16],
  [true, true, true, true, gone16],
];

describe('decideItem: deletions (a delete wins only over a side that did not change the item)', () => {
  for (const [localDeleted, localChanged, remoteDeleted, remoteChanged, expected] of table) {
    const l = localDeleted ? 'local deleted' : localChanged ? 'local changed' : 'local unchanged';
    const r = remoteDeleted ? 'remote deleted' : remoteChanged ? 'remote changed' : 'remote unchanged';
    const flags = `[${[localDeleted, localChanged, remoteDeleted, remoteChanged].map(Number).join('')}]`;
    it(`${flags} ${l}, ${r} -> ${expected.action} (${expected.outcome})`, () => {
      // Local and remote change different fields, so both changed merges cleanly.
      const local = localDeleted ? 'deleted' : localChanged ? S('open', { ...B.values, title: 'L' }) : B;
      const remote = remoteDeleted ? gone : live(remoteChanged ? S('open', { ...B.values, tags: ['r'] }) : B);
      const d = decide(local, remote);
      expect({ action: d.action, outcome: d.outcome, conflict: d.conflict?.kind ?? null }).toEqual(expected);
      if (expected.conflict) expect(d.baseVersion).toBe(3);
      if (expected === pushDelete) expect(d).toMatchObject({ base: B, baseVersion: 4, pending: true });
      if (localDeleted) expect(d.local).toBeUndefined();
      if (expected.conflict === 'local-deleted') expect(d.conflict).toEqual({ kind: 'local-deleted', remote: (remote as { state: ItemState }).state, remoteVersion: 4 });
      if (expected.action === 'forget' || expected.action === 'delete-local') expect(d).toMatchObject({ base: null, baseVersion: null, pending: false });
    });
  }
});

describe('sameState and localChanges: the one rule of what is a local change', () => {
  it('names status first, then fields in schema order, ignoring differences of representation', () => {
    const local = S('closed', { tags: [' b', 'a'], note: 'x', title: 'T' });
    expect(localChanges(FIELDS, B, local)).toEqual(['status', 'note']);
    expect(localChanges(FIELDS, B, S('open', { title: 'T', note: 'one\ntwo\nthree', tags: ['b', 'a', 'b'], other: 'ignored' }))).toEqual([]);
    expect(sameState(FIELDS, B, S('open', { ...B.values, title: '' }))).toBe(false);
    expect(sameState(FIELDS, S('open', { title: '' }), S('open', { title: null }))).toBe(true);
  });

  it('agrees with localChanges on random states', () => {
    fc.assert(
      fc.property(schema.chain((fields) => fc.tuple(fc.constant(fields), state(fields), state(fields))), ([fields, a, b]) => {
        expect(sameState(fields, a, b)).toBe(localChanges(fields, a, b).length === 0);
      }),
    );
  });
});

/** Whether the decided value of a field keeps local's change of it (DESIGN §4: nothing local is lost without a conflict). */
function keepsLocalEdit(f: FieldDef, base: unknown, local: unknown, remote: unknown, decided: unknown): boolean {
  if (valuesEqual(f.type, local, decided)) return true;
  if (SET_TYPES.has(f.type) || f.type === 'files') {
    // Set entries by value; attachments by their sha256.
    const keys = (v: unknown) => new Set(((normalizeValue(f.type, v) as (string | { sha256: string })[] | null) ?? []).map((e) => (typeof e === 'string' ? e : e.sha256)));
    const [b, l, d] = [base, local, decided].map(keys) as [Set<string>, Set<string>, Set<string>];
    return [...l].every((x) => b.has(x) || d.has(x)) && [...b].every((x) => l.has(x) || !d.has(x));
  }
  if (f.type === 'textarea') {
    // Only the clean line merge of both edits (which keeps both, see merge-text.test.ts); taking remote's text or the base's is a loss.
    const merge = mergeText(base as string | null, local as string | null, remote as string | null);
    return merge.clean && valuesEqual(f.type, merge.text, decided);
  }
  return false;
}

const conflictNames = (d: ItemDecision) => (d.conflict === null ? null : d.conflict.kind === 'fields' ? d.conflict.fields.map((c) => c.name) : ['(item deleted)']);

describe('decideItem: properties', () => {
  it('keeps its own invariants: conflict outcome, the local a write needs, no base when forgotten', () => {
    fc.assert(
      fc.property(scenario, (input) => {
        const d = decideItem(input);
        expect(d.outcome === 'conflict').toBe(d.conflict !== null);
        if (d.action === 'create' || d.action === 'write') expect(d.local).toBeDefined();
        expect(d.base === null).toBe(d.action === 'forget' || d.action === 'delete-local');
        if (d.conflict) expect(d.pending).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });

  it('never drops a local change without a conflict', () => {
    fc.assert(
      fc.property(based, (input) => {
        const d = decideItem(input);
        const { fields, base, local, remote } = input;
        if (local === 'deleted') {
          // A local delete against a remote change is a conflict, never a resurrection.
          if (!('deleted' in remote) && !sameState(fields, remote.state, base.state)) expect(d.conflict?.kind).toBe('local-deleted');
          expect(d.local).toBeUndefined();
          return;
        }
        const changed = localChanges(fields, base.state, local);
        if ('deleted' in remote) {
          // A local change of an item the remote deleted is a conflict, never a delete.
          if (changed.length > 0) expect(d).toMatchObject({ action: 'keep', conflict: { kind: 'remote-deleted' } });
          if (changed.length > 0) expect(sameState(fields, d.local!, local)).toBe(true);
          return;
        }
        const open = new Set(conflictNames(d) ?? []);
        for (const name of changed) {
          if (name === 'status') {
            expect(d.local!.status).toBe(local.status);
            continue;
          }
          const f = fields.find((x) => x.name === name)!;
          const [b, l, decided] = [valueOf(base.state, name), valueOf(local, name), valueOf(d.local!, name)];
          // A field in conflict keeps local's value until the user decides.
          const kept = open.has(name) ? valuesEqual(f.type, l, decided) : keepsLocalEdit(f, b, l, valueOf(remote.state, name), decided);
          expect(kept, `${name}: base ${JSON.stringify(b)}, local ${JSON.stringify(l)}, decided ${JSON.stringify(decided)}`).toBe(true);
        }
      }),
      { numRuns: 3000 },
    );
  });

  it('finds the same conflicts whichever side is local', () => {
    fc.assert(
      fc.property(based, (input) => {
        const { local, remote } = input;
        const swapped = decideItem({
          ...input,
          local: 'deleted' in remote ? 'deleted' : remote.state,
          remote: local === 'deleted' ? { deleted: true, version: 4 } : { state: local, version: 4 },
        });
        expect(conflictNames(swapped)).toEqual(conflictNames(decideItem(input)));
      }),
      { numRuns: 3000 },
    );
  });

  it('changes nothing when applied a second time', () => {
    fc.assert(
      fc.property(scenario, (input) => {
        const d = decideItem(input);
        const local = d.local ?? (d.action === 'delete-local' ? 'deleted' : input.local);
        const base = d.base === null ? null : { state: d.base, version: d.baseVersion };
        const again = decideItem({ ...input, local, base });
        expect(again.action).toBe(base === null ? 'forget' : 'keep');
        expect(again.outcome).toBe(d.conflict ? 'conflict' : 'unchanged');
        expect(again.local === undefined).toBe(d.local === undefined);
        if (d.local) expect(sameState(input.fields, again.local!, d.local)).toBe(true);
        expect(again.conflict).toEqual(d.conflict);
        expect(again.baseVersion).toBe(d.baseVersion);
        expect(again.pending).toBe(d.pending);
      }),
      { numRuns: 3000 },
    );
  });

  it('converges: nothing pending means local equals remote, and pushing what is pending leaves nothing pending', () => {
    fc.assert(
      fc.property(scenario, (input) => {
        const d = decideItem(input);
        const { fields, remote } = input;
        if (!d.pending) {
          if ('deleted' in remote) expect(d.local).toBeUndefined();
          else expect(d.local !== undefined && sameState(fields, d.local, remote.state)).toBe(true);
        }
        if (!d.pending || d.conflict || d.base === null) return;
        // The push answer: the remote now holds exactly what local sent (or deleted it).
        const local = d.local ?? 'deleted';
        const answer = d.local ? { state: d.local, version: 9 } : { deleted: true as const, version: 9 };
        const after = decideItem({ ...input, local, base: { state: d.base, version: d.baseVersion }, remote: answer });
        expect(after.pending).toBe(false);
        expect(after.conflict).toBeNull();
        expect(after.action).toBe(d.local ? 'keep' : 'forget');
        if (d.local) expect(sameState(fields, after.base!, d.local)).toBe(true);
      }),
      { numRuns: 3000 },
    );
  });
});
