/**
 * The store contract for DESIGN §13, part of describeHubStore: key fields unique among live items
 * (create, edit, push), a pushed create matched by its keys, schema editing and the CSV upsert.
 */
import { describe, expect, it } from 'vitest';
import type { HubStore } from '../../server/store/index.js';
import { BadInput } from '../../shared/errors.js';

const PEOPLE = [
  { name: 'email', type: 'email', key: true },
  { name: 'name', type: 'text' },
  { name: 'code', type: 'number', key: true },
];

type WithStore = (fn: (store: HubStore) => Promise<void>) => () => Promise<void>;

async function problemsOf(promise: Promise<unknown>): Promise<{ field: string; reason: string }[]> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(BadInput);
  return (error as BadInput).problems;
}

export function describeKeyContract(withStore: WithStore): void {
  describe('key fields', () => {
    const pusher = { user: 'eddie', isAdmin: false };

    it('keeps key values unique among live items on create and edit, naming the field and the other item', withStore(async (store) => {
      const t = await store.createTracker({ name: 'People', fields: PEOPLE });
      expect(t.fields[0]).toMatchObject({ name: 'email', key: true });
      const [bob] = await store.createItems(t.id, [{ values: { email: 'bob@example.org', name: 'Bob' } }], null);
      const dup = await problemsOf(store.createItems(t.id, [{ values: { email: 'bob@example.org' } }], null));
      expect(dup).toEqual([{ field: 'values.email', reason: expect.stringContaining(`key of item ${bob!.id}`) }]);
      // Two of one batch, too; and nothing of the batch is written.
      const batch = await problemsOf(store.createItems(t.id, [{ values: { code: 5 } }, { values: { code: 5 } }], null));
      expect(batch.map((p) => p.field)).toEqual(['items[1].values.code']);
      expect(await store.countItems(t.id)).toBe(1);
      const [ann] = await store.createItems(t.id, [{ values: { email: 'ann@example.org' } }], null);
      expect((await problemsOf(store.updateItems(t.id, [ann!.id], { values: { email: 'bob@example.org' } }, null)))[0]!.reason).toMatch(`item ${bob!.id}`);
      // An item keeps its own value; items without a value are not compared; a deleted item frees its value.
      await store.updateItems(t.id, [bob!.id], { values: { name: 'Robert' } }, null);
      await store.createItems(t.id, [{ values: { name: 'no key 1' } }, { values: { name: 'no key 2' } }], null);
      await store.deleteItems(t.id, [bob!.id], null);
      const [again] = await store.createItems(t.id, [{ values: { email: 'bob@example.org' } }], null);
      expect(again!.id).not.toBe(bob!.id);
    }));

    it('answers a pushed create holding a live item\'s key values as matched, with that item, and writes nothing', withStore(async (store) => {
      const t = await store.createTracker({ name: 'People', fields: PEOPLE });
      const [bob] = await store.createItems(t.id, [{ values: { email: 'bob@example.org', name: 'Bob' } }], null);
      const before = await store.changesSince(t.id, 0, 100);
      const change = { op: 'create' as const, idempotencyKey: 'k-bob', values: { email: 'bob@example.org', name: 'Bobby' } };
      const [matched] = await store.applyPush(t.id, [change], pusher);
      expect(matched).toMatchObject({ status: 'matched', id: bob!.id, version: 1, item: { id: bob!.id, values: { email: 'bob@example.org', name: 'Bob' } } });
      // A retry is matched again; no item, version or feed entry was added.
      expect((await store.applyPush(t.id, [change], pusher))[0]).toEqual(matched);
      expect(await store.countItems(t.id)).toBe(1);
      expect(await store.changesSince(t.id, 0, 100)).toEqual(before);
      // Within one batch: the second create of one key matches the first.
      const [first, second] = await store.applyPush(
        t.id,
        [
          { op: 'create', idempotencyKey: 'k-1', values: { email: 'c@example.org' } },
          { op: 'create', idempotencyKey: 'k-2', values: { email: 'c@example.org', name: 'C' } },
        ],
        pusher,
      );
      expect([first!.status, second!.status, second!.id]).toEqual(['created', 'matched', first!.id]);
    }));

    it('holds across concurrent writers: two pushes of one key create one item, two creates of one key write one', withStore(async (store) => {
      const t = await store.createTracker({ name: 'People', fields: PEOPLE });
      const push = (key: string, name: string) => store.applyPush(t.id, [{ op: 'create', idempotencyKey: key, values: { email: 'bob@example.org', name } }], pusher);
      const answers = (await Promise.all([push('k-a', 'Bob'), push('k-b', 'Robert')])).map(([r]) => r!);
      expect(answers.map((r) => r.status).sort()).toEqual(['created', 'matched']);
      expect(new Set(answers.map((r) => r.id)).size).toBe(1);
      const creates = await Promise.allSettled([1, 2].map(() => store.createItems(t.id, [{ values: { code: 7 } }], null)));
      expect(creates.map((c) => c.status).sort()).toEqual(['fulfilled', 'rejected']);
      expect((creates.find((c) => c.status === 'rejected') as PromiseRejectedResult).reason).toBeInstanceOf(BadInput);
      expect(await store.countItems(t.id)).toBe(2);
    }));

    it('refuses a tracker import whose items share a key value, leaving no tracker', withStore(async (store) => {
      const items = [{ values: { email: 'a@example.org' } }, { values: { email: 'a@example.org' } }];
      expect((await problemsOf(store.importTracker({ name: 'People', fields: PEOPLE }, items, null))).map((p) => p.field)).toEqual(['items[1].values.email']);
      expect(await store.listTrackers()).toEqual([]);
    }));

    it('refuses a pushed update that takes another item\'s key value', withStore(async (store) => {
      const t = await store.createTracker({ name: 'People', fields: PEOPLE });
      const [a, b] = await store.createItems(t.id, [{ values: { email: 'a@example.org' } }, { values: { email: 'b@example.org' } }], null);
      const [refused] = await store.applyPush(t.id, [{ op: 'update', id: b!.id, baseVersion: 1, fields: { email: { base: 'b@example.org', value: 'a@example.org' } } }], pusher);
      expect(refused).toMatchObject({ status: 'rejected', id: b!.id, error: expect.stringMatching(`fields.email: "a@example.org" is already the key of item ${a!.id}`) });
      expect((await store.getItem(t.id, b!.id))!.version).toBe(1);
    }));
  });

  describe('schema editing', () => {
    it('adds, edits and removes fields; each edit changes the schema hash, items keep their values', withStore(async (store) => {
      const t = await store.createTracker({ name: 'Bugs', fields: [{ name: 'title', type: 'text' }, { name: 'prio', type: 'dropdown', options: ['low', 'high'] }] });
      const [a] = await store.createItems(t.id, [{ values: { title: 'a', prio: 'low' } }], null);
      const added = await store.editFields(t.id, { op: 'add', field: { name: 'due', type: 'date', label: 'Due' } });
      expect(added.changed).toBe(true);
      expect(added.tracker.fields.map((f) => f.name)).toEqual(['title', 'prio', 'due']);
      expect(added.tracker.schemaHash).not.toBe(t.schemaHash);
      const opts = await store.editFields(t.id, { op: 'edit', name: 'prio', patch: { options: ['low', 'high', 'urgent'], label: 'Priority' } });
      expect(opts.tracker.fields[1]).toMatchObject({ label: 'Priority', options: ['low', 'high', 'urgent'] });
      expect(opts.tracker.schemaHash).not.toBe(added.tracker.schemaHash);
      expect(await store.editFields(t.id, { op: 'edit', name: 'prio', patch: { label: 'Priority' } })).toMatchObject({ changed: false, tracker: { schemaHash: opts.tracker.schemaHash } });
      expect((await store.getItem(t.id, a!.id))!.values).toEqual({ title: 'a', prio: 'low' });
      const removed = await store.editFields(t.id, { op: 'remove', name: 'prio' });
      expect(removed.tracker.fields.map((f) => f.name)).toEqual(['title', 'due']);
      expect((await store.getItem(t.id, a!.id))!.values).toEqual({ title: 'a' });
      // Added again, the field starts empty: the old values went with it.
      await store.editFields(t.id, { op: 'add', field: { name: 'prio', type: 'dropdown', options: ['low'] } });
      expect((await store.getItem(t.id, a!.id))!.values).toEqual({ title: 'a' });
    }));

    it('refuses what the items do not allow, naming a few of them, and changes nothing', withStore(async (store) => {
      const t = await store.createTracker({ name: 'Bugs', fields: [{ name: 'title', type: 'text' }, { name: 'prio', type: 'dropdown', options: ['low', 'high'] }] });
      const [a, b] = await store.createItems(t.id, [{ values: { title: 'same', prio: 'low' } }, { values: { title: 'same' } }], null);
      const gone = await problemsOf(store.editFields(t.id, { op: 'edit', name: 'prio', patch: { options: ['high'] } }));
      expect(gone).toEqual([{ field: 'options', reason: expect.stringContaining(`"low" is still used by item ${a!.id}`) }]);
      expect((await problemsOf(store.editFields(t.id, { op: 'edit', name: 'prio', patch: { required: true } })))[0]!.reason).toContain(`item ${b!.id} has no value`);
      expect((await problemsOf(store.editFields(t.id, { op: 'add', field: { name: 'owner', type: 'text', required: true } })))[0]!.field).toBe('required');
      expect((await problemsOf(store.editFields(t.id, { op: 'edit', name: 'title', patch: { key: true } })))[0]!.reason).toContain(`items ${a!.id}, ${b!.id}`);
      expect((await problemsOf(store.editFields(t.id, { op: 'add', field: { name: 'title', type: 'number' } })))[0]!.field).toBe('field.name');
      expect((await problemsOf(store.editFields(t.id, { op: 'edit', name: 'title', patch: { options: ['x'] } })))[0]!.field).toBe('options');
      expect((await problemsOf(store.editFields(t.id, { op: 'remove', name: 'nope' })))[0]!.field).toBe('name');
      expect((await store.getTracker(t.id)).schemaHash).toBe(t.schemaHash);
    }));

    it('applies concurrent edits one after the other, none lost', withStore(async (store) => {
      const t = await store.createTracker({ name: 'Bugs', fields: [{ name: 'title', type: 'text' }] });
      await Promise.all(['a', 'b', 'c'].map((name) => store.editFields(t.id, { op: 'add', field: { name, type: 'text' } })));
      expect((await store.getTracker(t.id)).fields.map((f) => f.name).sort()).toEqual(['a', 'b', 'c', 'title']);
    }));

    it('makes a field a key only while its values are unique, and keeps the key index with it', withStore(async (store) => {
      const t = await store.createTracker({ name: 'People', fields: [{ name: 'email', type: 'email' }] });
      const [a] = await store.createItems(t.id, [{ values: { email: 'a@example.org' } }, { values: {} }], null);
      await store.editFields(t.id, { op: 'edit', name: 'email', patch: { key: true } });
      expect((await problemsOf(store.createItems(t.id, [{ values: { email: 'a@example.org' } }], null)))[0]!.reason).toContain(`item ${a!.id}`);
      await store.editFields(t.id, { op: 'edit', name: 'email', patch: { key: false } });
      await store.createItems(t.id, [{ values: { email: 'a@example.org' } }], null);
      expect(await store.countItems(t.id)).toBe(3);
    }));
  });

  describe('rows matched or created (the CSV import)', () => {
    it('updates the item a row matches, creates the rest, counts what did not change; a dry run and a refusal write nothing', withStore(async (store) => {
      const t = await store.createTracker({ name: 'People', fields: PEOPLE });
      const [bob] = await store.createItems(t.id, [{ values: { email: 'bob@example.org', name: 'Bob' } }], null);
      const feed = await store.changesSince(t.id, 0, 100);
      const rows = [{ values: { email: 'bob@example.org', name: 'Robert' } }, { status: 'closed' as const, values: { email: 'ann@example.org', name: 'Ann' } }, { values: { email: 'bob@example.org', name: 'Robert' } }];
      expect(await store.upsertItems(t.id, rows, { match: ['email'], dryRun: true }, 'csv')).toEqual({ created: 1, updated: 1, unchanged: 1, dryRun: true });
      expect(await store.changesSince(t.id, 0, 100)).toEqual(feed);
      const bad = await problemsOf(store.upsertItems(t.id, [...rows, { values: { email: 'x' } }], { match: ['email'] }, 'csv'));
      expect(bad.map((p) => p.field)).toEqual(['rows[3].values.email']);
      expect(await store.changesSince(t.id, 0, 100)).toEqual(feed);
      expect(await store.upsertItems(t.id, rows, { match: ['email'] }, 'csv')).toEqual({ created: 1, updated: 1, unchanged: 1, dryRun: false });
      expect((await store.getItem(t.id, bob!.id))).toMatchObject({ version: 2, updatedBy: 'csv', values: { email: 'bob@example.org', name: 'Robert' } });
      expect((await store.listItems(t.id)).map((i) => [i.status, i.values.email])).toEqual([['open', 'bob@example.org'], ['closed', 'ann@example.org']]);
    }));

    it('matches by a field that is not a key, refusing a row that matches several items', withStore(async (store) => {
      const t = await store.createTracker({ name: 'People', fields: PEOPLE });
      const [ann] = await store.createItems(t.id, [{ values: { name: 'Ann', code: 1 } }, { values: { name: 'Twin' } }, { values: { name: 'Twin' } }], null);
      expect(await store.upsertItems(t.id, [{ values: { name: 'Ann', code: 2 } }, { values: { name: 'Cid' } }], { match: ['name'] }, null)).toMatchObject({ created: 1, updated: 1, unchanged: 0 });
      expect((await store.getItem(t.id, ann!.id))!.values).toEqual({ name: 'Ann', code: 2 });
      expect((await problemsOf(store.upsertItems(t.id, [{ values: { name: 'Twin', code: 3 } }], { match: ['name'] }, null)))[0]!.reason).toContain('several items');
      // A key value a row takes from another item is refused, as on any write.
      expect((await problemsOf(store.upsertItems(t.id, [{ values: { name: 'Cid', code: 2 } }], { match: ['name'] }, null)))[0]!.reason).toContain(`item ${ann!.id}`);
      expect(await store.countItems(t.id)).toBe(4);
    }));
  });
}
