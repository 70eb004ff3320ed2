/**
 * The store contract: what every HubStore engine must do, written against the interface alone
 * (DESIGN §9), so the SQLite engine and any other run the same suite. `open` makes a fresh,
 * empty instance; `close` is awaited after each test.
 */
import { describe, expect, it } from 'vitest';
import type { HubStore } from '../../server/store/index.js';
import { BadInput, Conflict, NotFound } from '../../shared/errors.js';
import { describeDigestPages } from './hub-store-digest.js';

export interface ContractEngine {
  name: string;
  open(): Promise<HubStore>;
}

const FIELDS = [
  { name: 'title', type: 'text', required: true },
  { name: 'n', type: 'number' },
  { name: 'tags', type: 'tags' },
  { name: 'prio', type: 'dropdown', options: ['low', 'high'] },
  { name: 'ticket', type: 'autoincrement' },
];

export function describeHubStore(engine: ContractEngine): void {
  const withStore = (fn: (store: HubStore) => Promise<void>) => async () => {
    const store = await engine.open();
    try {
      await fn(store);
    } finally {
      await store.close();
    }
  };

  describe(`HubStore contract: ${engine.name}`, () => {
    describe('trackers', () => {
      it('creates a tracker, finds it by id and by name, lists it; an unknown one is NotFound', withStore(async (store) => {
        const t = await store.createTracker({ name: 'Bugs', description: 'd', fields: FIELDS });
        expect(t).toMatchObject({ name: 'Bugs', description: 'd', statuses: ['open', 'pending', 'closed'] });
        expect(t.fields.map((f) => f.name)).toEqual(['title', 'n', 'tags', 'prio', 'ticket']);
        expect(t.schemaHash).toMatch(/^[\w-]{20,}$/);
        expect(await store.findTracker(t.id)).toEqual(t);
        expect(await store.findTracker(String(t.id))).toEqual(t);
        expect(await store.findTracker('Bugs')).toEqual(t);
        expect(await store.findTracker('bugs')).toBeUndefined();
        expect((await store.listTrackers()).map((x) => x.name)).toEqual(['Bugs']);
        await expect(store.getTracker('Nope')).rejects.toBeInstanceOf(NotFound);
      }));

      it('refuses a duplicate name (Conflict) and a bad definition (BadInput naming each field), creating nothing', withStore(async (store) => {
        await store.createTracker({ name: 'Bugs', fields: FIELDS });
        await expect(store.createTracker({ name: 'Bugs', fields: [] })).rejects.toBeInstanceOf(Conflict);
        const bad = store.createTracker({ name: '123', fields: [{ name: 'x y', type: 'nope' }, { name: 'l', type: 'itemlink', linkedTracker: 999 }] });
        await expect(bad).rejects.toBeInstanceOf(BadInput);
        const problems = await bad.catch((error: BadInput) => error.problems.map((p) => p.field));
        expect(problems).toEqual(expect.arrayContaining(['name', 'fields[0].name', 'fields[0].type', 'fields[1].linkedTracker']));
        expect((await store.listTrackers()).length).toBe(1);
      }));

      it('refuses U+0000 in a name or description (BadInput); looking up such a tracker or user finds none', withStore(async (store) => {
        await expect(store.createTracker({ name: 'a\u0000b', fields: FIELDS })).rejects.toBeInstanceOf(BadInput);
        await expect(store.createTracker({ name: 'ok', description: 'x\u0000', fields: FIELDS })).rejects.toBeInstanceOf(BadInput);
        expect(await store.findTracker('a\u0000b')).toBeUndefined();
        await store.addUser('root', 'pw');
        expect(await store.verifyUser('ro\u0000ot', 'pw')).toBeNull();
        expect(await store.listTrackers()).toEqual([]);
      }));

      it('imports a tracker with its items in one transaction; one bad item leaves no tracker', withStore(async (store) => {
        const done = await store.importTracker({ name: 'T', fields: FIELDS }, [{ values: { title: 'a' } }, { status: 'closed', values: { title: 'b', n: 2 } }], 'root');
        expect(done.items).toBe(2);
        expect((await store.listItems(done.tracker.id)).map((i) => [i.status, i.values.title])).toEqual([['open', 'a'], ['closed', 'b']]);
        await expect(store.importTracker({ name: 'U', fields: FIELDS }, [{ values: { title: 'ok' } }, { values: { n: 'x' } }], null)).rejects.toBeInstanceOf(BadInput);
        expect(await store.findTracker('U')).toBeUndefined();
      }));
    });

    describe('items', () => {
      it('creates items with canonical values, versions and rising seqs; autoincrement is assigned', withStore(async (store) => {
        const t = await store.createTracker({ name: 'T', fields: FIELDS });
        const [a, b] = await store.createItems(t.id, [{ values: { title: 'a', tags: ['y', ' x ', 'y'] } }, { values: { title: 'b', n: -0 } }], 'root');
        expect(a).toMatchObject({ status: 'open', version: 1, deleted: false, updatedBy: 'root', values: { title: 'a', tags: ['x', 'y'], ticket: 1 } });
        expect(b!.values).toEqual({ title: 'b', n: 0, ticket: 2 });
        expect(b!.seq).toBeGreaterThan(a!.seq);
        expect(await store.getItem(t.id, a!.id)).toEqual(a);
        expect(await store.countItems(t.id)).toBe(2);
      }));

      it('refuses a batch with one bad item, naming it by index; nothing is written', withStore(async (store) => {
        const t = await store.createTracker({ name: 'T', fields: FIELDS });
        const bad = store.createItems(t.id, [{ values: { title: 'ok' } }, { values: { prio: 'mid' } }], null);
        const problems = await bad.catch((error: BadInput) => error.problems.map((p) => p.field));
        expect(problems).toEqual(expect.arrayContaining(['items[1].values.prio', 'items[1].values.title']));
        expect(await store.countItems(t.id)).toBe(0);
      }));

      it('applies one change to several items; unchanged items keep their version; an unknown id changes nothing', withStore(async (store) => {
        const t = await store.createTracker({ name: 'T', fields: FIELDS });
        const [a, b] = await store.createItems(t.id, [{ values: { title: 'a', n: 1 } }, { values: { title: 'b', n: 2 } }], null);
        const [a2, b2] = await store.updateItems(t.id, [a!.id, b!.id], { values: { n: 2 } }, 'ed');
        expect([a2!.version, b2!.version]).toEqual([2, 1]);
        expect(a2).toMatchObject({ values: { title: 'a', n: 2 }, updatedBy: 'ed' });
        await expect(store.updateItems(t.id, [a!.id, 999], { status: 'closed' }, null)).rejects.toBeInstanceOf(NotFound);
        expect((await store.getItem(t.id, a!.id))!.status).toBe('open');
        await expect(store.updateItems(t.id, [a!.id], { values: { title: null } }, null)).rejects.toBeInstanceOf(BadInput);
      }));

      it('deletes into tombstones: gone from lists and counts, still in the feed', withStore(async (store) => {
        const t = await store.createTracker({ name: 'T', fields: FIELDS });
        const [a, b] = await store.createItems(t.id, [{ values: { title: 'a' } }, { values: { title: 'b' } }], null);
        await store.deleteItems(t.id, [a!.id], null);
        expect(await store.getItem(t.id, a!.id)).toBeUndefined();
        expect(await store.getItem(t.id, a!.id, { includeDeleted: true })).toMatchObject({ deleted: true, values: {}, version: 2 });
        expect((await store.listItems(t.id)).map((i) => i.id)).toEqual([b!.id]);
        expect((await store.listItems(t.id, { includeDeleted: true })).length).toBe(2);
        expect(await store.countItems(t.id)).toBe(1);
        await expect(store.deleteItems(t.id, [b!.id, 999], null)).rejects.toBeInstanceOf(NotFound);
        expect(await store.getItem(t.id, b!.id)).toBeDefined();
      }));

      it('pages items by id', withStore(async (store) => {
        const t = await store.createTracker({ name: 'T', fields: FIELDS });
        const items = await store.createItems(t.id, Array.from({ length: 5 }, (_, i) => ({ values: { title: `t${i}` } })), null);
        const page = await store.listItems(t.id, { afterId: items[1]!.id, limit: 2 });
        expect(page.map((i) => i.id)).toEqual([items[2]!.id, items[3]!.id]);
      }));
    });

    describe('the change feed', () => {
      it('answers items and tombstones after a token in seq order; every prefix is a resume point', withStore(async (store) => {
        const t = await store.createTracker({ name: 'T', fields: FIELDS });
        const other = await store.createTracker({ name: 'O', fields: FIELDS });
        const [a, b, c] = await store.createItems(t.id, [{ values: { title: 'a' } }, { values: { title: 'b' } }, { values: { title: 'c' } }], null);
        await store.createItems(other.id, [{ values: { title: 'elsewhere' } }], null);
        await store.updateItems(t.id, [a!.id], { values: { n: 1 } }, null);
        await store.deleteItems(t.id, [b!.id], null);
        const all = await store.changesSince(t.id, 0, 100);
        expect(all.more).toBe(false);
        expect(all.changes.map((i) => i.id)).toEqual([c!.id, a!.id, b!.id]);
        expect(all.changes.map((i) => i.seq)).toEqual([...all.changes.map((i) => i.seq)].sort((x, y) => x - y));
        expect(all.next).toBe(all.changes[2]!.seq);
        expect(await store.countChangesSince(t.id, 0)).toBe(3);
        let token = 0;
        const seen: number[] = [];
        for (;;) {
          const page = await store.changesSince(t.id, token, 1);
          seen.push(...page.changes.map((i) => i.id));
          token = page.next;
          if (!page.more) break;
        }
        expect(seen).toEqual(all.changes.map((i) => i.id));
        expect(await store.changesSince(t.id, all.next, 10)).toEqual({ changes: [], next: all.next, more: false });
      }));

      it('tells listeners of committed changes', withStore(async (store) => {
        const t = await store.createTracker({ name: 'T', fields: FIELDS });
        const events: number[] = [];
        const stop = store.onChange((event) => events.push(event.seq));
        const [item] = await store.createItems(t.id, [{ values: { title: 'a' } }], null);
        await expect.poll(() => events.length, { timeout: 2000 }).toBeGreaterThan(0);
        expect(Math.max(...events)).toBeGreaterThanOrEqual(item!.seq);
        stop();
        const before = events.length;
        await store.createItems(t.id, [{ values: { title: 'b' } }], null);
        await new Promise((resolve) => setTimeout(resolve, 200));
        expect(events.length).toBe(before);
      }));
    });

    describe('push', () => {
      const pusher = { user: 'eddie', isAdmin: false };
      const admin = { user: 'alice', isAdmin: true };

      it('creates once per idempotency key, answering the same item again', withStore(async (store) => {
        const t = await store.createTracker({ name: 'T', fields: FIELDS });
        const change = { op: 'create' as const, idempotencyKey: 'k1', values: { title: 'x' } };
        const [first] = await store.applyPush(t.id, [change], pusher);
        const [again] = await store.applyPush(t.id, [change], pusher);
        expect(first).toMatchObject({ status: 'created', version: 1, item: { values: { title: 'x', ticket: 1 } } });
        expect(again).toEqual(first);
        expect(await store.countItems(t.id)).toBe(1);
      }));

      it('judges updates field by field: a stale base is a conflict and nothing of that item is written', withStore(async (store) => {
        const t = await store.createTracker({ name: 'T', fields: FIELDS });
        const [a] = await store.createItems(t.id, [{ values: { title: 'a', n: 1 } }], null);
        const results = await store.applyPush(
          t.id,
          [
            { op: 'update', id: a!.id, baseVersion: 1, fields: { n: { base: 0, value: 5 }, title: { base: 'a', value: 'A' } } },
            { op: 'update', id: 999, baseVersion: 1, fields: { n: { base: 1, value: 2 } } },
            { op: 'update', id: a!.id, baseVersion: 1, fields: { n: { base: 1, value: 'x' } } },
          ],
          pusher,
        );
        expect(results.map((r) => r.status)).toEqual(['conflict', 'rejected', 'rejected']);
        expect(results[0]).toMatchObject({ conflicts: ['n'], item: { values: { title: 'a', n: 1 } } });
        expect((await store.getItem(t.id, a!.id))!.version).toBe(1);
        const [ok] = await store.applyPush(t.id, [{ op: 'update', id: a!.id, baseVersion: 1, fields: { n: { base: 1, value: 5 }, status: { base: 'open', value: 'closed' } } }], pusher);
        expect(ok).toMatchObject({ status: 'updated', version: 2, item: { status: 'closed', values: { n: 5 } } });
      }));

      it('grants overwrite and delete to the admin right only', withStore(async (store) => {
        const t = await store.createTracker({ name: 'T', fields: FIELDS });
        const [a] = await store.createItems(t.id, [{ values: { title: 'a', n: 1 } }], null);
        const forced = { op: 'update' as const, id: a!.id, baseVersion: 1, fields: { n: { base: 0, value: 7 } }, overwrite: true };
        const [refused] = await store.applyPush(t.id, [forced], pusher);
        expect(refused).toMatchObject({ status: 'conflict', error: expect.stringMatching(/admin right/) });
        const [denied] = await store.applyPush(t.id, [{ op: 'delete', id: a!.id, baseVersion: 1 }], pusher);
        expect(denied).toMatchObject({ status: 'rejected', error: expect.stringMatching(/admin right/) });
        const [written] = await store.applyPush(t.id, [forced], admin);
        expect(written).toMatchObject({ status: 'updated', item: { values: { n: 7 } } });
        const [stale] = await store.applyPush(t.id, [{ op: 'delete', id: a!.id, baseVersion: 1 }], admin);
        expect(stale).toMatchObject({ status: 'conflict', conflicts: [] });
        const [gone] = await store.applyPush(t.id, [{ op: 'delete', id: a!.id, baseVersion: 2 }], admin);
        expect(gone).toMatchObject({ status: 'deleted', item: { deleted: true } });
        const [edit] = await store.applyPush(t.id, [{ op: 'update', id: a!.id, baseVersion: 2, fields: { n: { base: 7, value: 8 } } }], admin);
        expect(edit).toMatchObject({ status: 'conflict', conflicts: ['n'] });
      }));
    });

    describe('users and rights', () => {
      it('adds users with hashed passwords, verifies them, and orders rights view < edit < admin', withStore(async (store) => {
        const t = await store.createTracker({ name: 'T', fields: FIELDS });
        await store.addUser('root', 'pw:with:colons', { admin: true });
        await store.addUser('ed', 'pw2');
        await expect(store.addUser('ed', 'x')).rejects.toBeInstanceOf(Conflict);
        await expect(store.addUser('bad name', 'x')).rejects.toBeInstanceOf(BadInput);
        expect(await store.verifyUser('root', 'pw:with:colons')).toMatchObject({ name: 'root', admin: true });
        expect(await store.verifyUser('root', 'pw')).toBeNull();
        expect(await store.verifyUser('ghost', 'pw')).toBeNull();
        expect(await store.rightOf('root', t.id)).toBe('admin');
        expect(await store.rightOf('ed', t.id)).toBeNull();
        await store.grant('ed', t.id, 'edit');
        expect(await store.rightOf('ed', t.id)).toBe('edit');
        await expect(store.grant('ed', t.id, 'owner')).rejects.toBeInstanceOf(BadInput);
        await expect(store.grant('ghost', t.id, 'view')).rejects.toBeInstanceOf(NotFound);
        expect(await store.canListUsers('ed')).toBe(false);
        expect(await store.canListUsers('root')).toBe(true);
        await store.setPassword('ed', 'new');
        expect(await store.verifyUser('ed', 'pw2')).toBeNull();
        expect(await store.verifyUser('ed', 'new')).toMatchObject({ name: 'ed' });
        expect((await store.listUsers()).map((u) => u.name)).toEqual(['ed', 'root']);
        expect(await store.getUser('ed')).toMatchObject({ name: 'ed', admin: false });
      }));
    });

    describeDigestPages(withStore);
  });
}
