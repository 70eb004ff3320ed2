/**
 * The store contract: what every HubStore engine must do, written against the interface alone
 * (DESIGN §9), so the SQLite engine and any other run the same suite. `open` makes a fresh,
 * empty instance; `close` is awaited after each test.
 */
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { HubStore } from '../../server/store/index.js';
import { BadInput, Conflict, NotFound, TooLarge } from '../../shared/errors.js';
import { describeDigestPages } from './hub-store-digest.js';
import { describeKeyContract } from './hub-store-keys.js';

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

    describeKeyContract(withStore);

    describe('blobs', () => {
      const LIMITS = { maxSize: 1 << 20, quota: 1 << 22 };
      const sha = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
      /** The bytes as a stream of small chunks, as a request body arrives. */
      const body = (bytes: Buffer) => Readable.from(Array.from({ length: Math.ceil(bytes.length / 1000) }, (_, i) => bytes.subarray(i * 1000, (i + 1) * 1000)));
      const read = async (store: HubStore, trackerId: number, hash: string, range?: { start: number; end: number }) => {
        const blob = await store.readBlob(trackerId, hash, range);
        if (!blob) return undefined;
        const chunks: Buffer[] = [];
        for await (const chunk of blob.stream) chunks.push(chunk as Buffer);
        return { size: blob.size, bytes: Buffer.concat(chunks) };
      };
      const filesTracker = (store: HubStore, name = 'T') => store.createTracker({ name, fields: [{ name: 'title', type: 'text' }, { name: 'shots', type: 'files' }] });
      const refOf = (bytes: Buffer, name = 'a.bin') => ({ name, size: bytes.length, type: 'application/octet-stream', sha256: sha(bytes) });

      it('stores bytes under their sha256 once, idempotently, and reads them back whole or by range; 0 bytes too', withStore(async (store) => {
        const t = await filesTracker(store);
        const bytes = Buffer.from(Array.from({ length: 2500 }, (_, i) => i % 251));
        const first = await store.putBlob(t.id, body(bytes), { sha256: sha(bytes), limits: LIMITS });
        expect(first).toEqual({ sha256: sha(bytes), size: 2500, created: true });
        expect(await store.putBlob(t.id, body(bytes), { sha256: sha(bytes), limits: LIMITS })).toMatchObject({ created: false });
        expect(await store.blobSize(t.id, sha(bytes))).toBe(2500);
        expect((await read(store, t.id, sha(bytes)))?.bytes.equals(bytes)).toBe(true);
        expect(await read(store, t.id, sha(bytes), { start: 2000, end: 2499 })).toEqual({ size: 2500, bytes: bytes.subarray(2000) });
        const empty = Buffer.alloc(0);
        expect(await store.putBlob(t.id, body(empty), { limits: LIMITS })).toEqual({ sha256: sha(empty), size: 0, created: true });
        expect(await read(store, t.id, sha(empty))).toEqual({ size: 0, bytes: empty });
        expect((await store.collectGarbage()).kept).toBe(2);
      }));

      it('keeps nothing of bytes that hash otherwise than named, pass the size limit or the quota; a path is never a hash', withStore(async (store) => {
        const t = await filesTracker(store);
        const bytes = Buffer.from('the real content');
        const wrong = store.putBlob(t.id, body(bytes), { sha256: 'a'.repeat(64), limits: LIMITS });
        await expect(wrong).rejects.toBeInstanceOf(BadInput);
        await expect(store.putBlob(t.id, body(Buffer.alloc(2000)), { limits: { maxSize: 1000, quota: LIMITS.quota } })).rejects.toBeInstanceOf(TooLarge);
        await store.putBlob(t.id, body(Buffer.alloc(600, 1)), { limits: { maxSize: 1000, quota: 1000 } });
        await expect(store.putBlob(t.id, body(Buffer.alloc(600, 2)), { limits: { maxSize: 1000, quota: 1000 } })).rejects.toBeInstanceOf(TooLarge);
        // The same bytes again count once against the quota.
        await store.putBlob(t.id, body(Buffer.alloc(600, 1)), { limits: { maxSize: 1000, quota: 1000 } });
        expect(await store.blobSize(t.id, sha(bytes))).toBeUndefined();
        expect(await store.blobSize(t.id, 'a'.repeat(64))).toBeUndefined();
        expect((await store.collectGarbage()).kept).toBe(1);
        for (const trick of ['../s15n.db', '../../etc/passwd', `${'a'.repeat(62)}/..`]) expect(await store.readBlob(t.id, trick)).toBeUndefined();
      }));

      it('lets a tracker read only the blobs sent to it or named by its items', withStore(async (store) => {
        const a = await filesTracker(store, 'A');
        const b = await filesTracker(store, 'B');
        const bytes = Buffer.from('a secret of tracker A');
        await store.putBlob(a.id, body(bytes), { limits: LIMITS });
        expect(await store.blobSize(a.id, sha(bytes))).toBe(bytes.length);
        expect(await store.blobSize(b.id, sha(bytes))).toBeUndefined();
        expect(await store.readBlob(b.id, sha(bytes))).toBeUndefined();
        // Naming it in B's push without sending it to B is refused, so B's readers never learn it.
        const [refused] = await store.applyPush(b.id, [{ op: 'create', idempotencyKey: 'k', values: { shots: [refOf(bytes)] } }], { user: 'u', isAdmin: false });
        expect(refused).toMatchObject({ status: 'rejected', error: expect.stringMatching(/^values\.shots: no content for "a\.bin".*upload/) });
      }));

      it('takes items that name blobs it holds, refuses those that name one it lacks or of another size, and stores one file for 100 items', withStore(async (store) => {
        const t = await filesTracker(store);
        const bytes = Buffer.from('a screenshot');
        const missing = store.createItems(t.id, [{ values: { shots: [refOf(bytes)] } }], null);
        await expect(missing).rejects.toBeInstanceOf(BadInput);
        expect(await missing.catch((error: BadInput) => error.problems)).toEqual([{ field: 'values.shots', reason: expect.stringMatching(/no content for "a.bin"/) }]);
        await store.putBlob(null, body(bytes), { limits: LIMITS });
        await expect(store.createItems(t.id, [{ values: { shots: [{ ...refOf(bytes), size: 99 }] } }], null)).rejects.toBeInstanceOf(BadInput);
        const items = await store.createItems(t.id, Array.from({ length: 100 }, (_, i) => ({ values: { title: `i${i}`, shots: [refOf(bytes, `shot-${i}.png`)] } })), null);
        expect(items[99]!.values.shots).toEqual([refOf(bytes, 'shot-99.png')]);
        expect(await store.blobSize(t.id, sha(bytes))).toBe(bytes.length);
        expect((await store.collectGarbage({ graceMs: 0 })).kept).toBe(1);
        const [pushed] = await store.applyPush(t.id, [{ op: 'create', idempotencyKey: 'k', values: { shots: [refOf(bytes, 'again.png')] } }], { user: 'u', isAdmin: false });
        expect(pushed).toMatchObject({ status: 'created' });
        // A push that changes another field keeps the attachments the item names.
        const [retitled] = await store.applyPush(t.id, [{ op: 'update', id: pushed!.id!, baseVersion: 1, fields: { title: { base: null, value: 'renamed' } } }], { user: 'u', isAdmin: false });
        expect(retitled).toMatchObject({ status: 'updated', item: { values: { title: 'renamed', shots: [refOf(bytes, 'again.png')] } } });
      }));

      it('collects a blob once no item version names it and a grace period has passed since a collection first found it so', withStore(async (store) => {
        const t = await filesTracker(store);
        const [one, two] = [Buffer.from('one'), Buffer.from('two')];
        for (const bytes of [one, two]) await store.putBlob(null, body(bytes), { limits: LIMITS });
        const [item] = await store.createItems(t.id, [{ values: { shots: [refOf(one), refOf(two)] } }], null);
        expect(await store.collectGarbage({ graceMs: 0 })).toMatchObject({ removed: 0, kept: 2 });
        await store.updateItems(t.id, [item!.id], { values: { shots: [refOf(one)] } }, null);
        // Unreferenced now, but within the grace period: a clone that read the old version may still fetch it.
        expect(await store.collectGarbage()).toMatchObject({ removed: 0, kept: 2 });
        expect(await store.blobSize(t.id, sha(two))).toBeUndefined();
        expect(await store.collectGarbage({ graceMs: 0 })).toMatchObject({ removed: 1, bytes: 3, kept: 1 });
        await store.deleteItems(t.id, [item!.id], null);
        expect(await store.collectGarbage({ graceMs: 0 })).toMatchObject({ removed: 1, kept: 0 });
        // A blob sent but not yet named waits for its item change through the grace period.
        await store.putBlob(t.id, body(two), { limits: LIMITS });
        expect(await store.collectGarbage()).toMatchObject({ removed: 0, kept: 1 });
        expect(await store.blobSize(t.id, sha(two))).toBe(3);
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

      it('takes user names of any script, NFC-normalised when stored and when checked: two spellings are one user', withStore(async (store) => {
        const t = await store.createTracker({ name: 'T', fields: FIELDS });
        const composed = 'Zo\u00eb';
        const decomposed = 'Zoe\u0308';
        expect((await store.addUser(decomposed, 'pässwörd ✓')).name).toBe(composed);
        await expect(store.addUser(composed, 'x')).rejects.toBeInstanceOf(Conflict);
        expect(await store.verifyUser(composed, 'pässwörd ✓')).toMatchObject({ name: composed });
        expect(await store.verifyUser(decomposed, 'pa\u0308sswo\u0308rd ✓')).toMatchObject({ name: composed });
        await store.grant(decomposed, t.id, 'edit');
        expect(await store.rightOf(composed, t.id)).toBe('edit');
        expect(await store.getUser(decomposed)).toMatchObject({ name: composed });
        expect(await store.canListUsers(decomposed)).toBe(false);
        await store.grant(composed, t.id, 'admin');
        expect(await store.canListUsers(decomposed)).toBe(true);
        await store.setPassword(decomposed, 'neu ✓');
        expect(await store.verifyUser(composed, 'neu ✓')).toMatchObject({ name: composed });
        for (const name of ['Дмитрий', '李小龍', 'محمد', 'देवनागरी', 'o.k_1@x-y', '١٢٣']) expect((await store.addUser(name, 'pw')).name, name).toBe(name);
        for (const name of ['a b', 'a:b', '', '\u0301a', 'x'.repeat(65), 'tab\t', 'Ⅻ', '½', 'emoji😀']) await expect(store.addUser(name, 'pw'), name).rejects.toBeInstanceOf(BadInput);
        expect((await store.listUsers()).map((u) => u.name)).toContain(composed);
      }));
    });

    describeDigestPages(withStore);
  });
}
