/**
 * Clones syncing with a PostgreSQL hub: clone, reload, push and a conflict through the real
 * client and server; and an SQLite hub moved with `s15n store copy`, whose clone then reloads and
 * pushes against the PostgreSQL copy served at the same address, with no re-clone.
 */
import { rmSync } from 'node:fs';
import { afterEach, expect, it } from 'vitest';
import { ReplicaState } from '../../client/replica/index.js';
import { clone } from '../../client/sync/clone.js';
import { push } from '../../client/sync/push.js';
import { reload } from '../../client/sync/reload.js';
import { addRemote } from '../../client/sync/remotes.js';
import { status } from '../../client/sync/status.js';
import { startServer } from '../../server/serve.js';
import { type HubStore, type SqliteStore, type Tracker } from '../../server/store/index.js';
import { PostgresHub } from '../../server/store/postgres/index.js';
import { PASSWORDS, api, startInstance, tempStore, type TestInstance } from '../helpers/instance.js';
import { type TestDatabase, describePostgres, freshDatabase, requireCluster } from '../helpers/postgres.js';
import { FAST, runCliAsync } from '../helpers/sync.js';

const FIELDS = [
  { name: 'title', type: 'text', required: true },
  { name: 'notes', type: 'textarea' },
  { name: 'n', type: 'number' },
];

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const done of cleanups.splice(0).reverse()) await done();
});

/** A hub with root and a Tasks tracker of three items, and a clone data dir whose remote "origin" is the hub. */
async function world(hubInstance: TestInstance): Promise<{ hub: HubStore; tracker: Tracker; local: SqliteStore; cloneDir: string }> {
  const hub = hubInstance.hub;
  await hub.addUser('root', PASSWORDS.root, { admin: true });
  const tracker = await hub.createTracker({ name: 'Tasks', fields: FIELDS });
  await hub.createItems(tracker.id, [1, 2, 3].map((i) => ({ values: { title: `t${i}`, n: i } })), 'root');
  const local = tempStore();
  cleanups.push(() => local.cleanup());
  addRemote(local.store, { name: 'origin', url: hubInstance.url, user: 'root', password: PASSWORDS.root });
  return { hub, tracker, local: local.store, cloneDir: local.dataDir };
}

const localItem = (local: SqliteStore, remoteId: number) => {
  const tracker = local.getTracker('Tasks');
  return local.getItem(tracker.id, new ReplicaState(local).itemByRemoteId(tracker.id, remoteId)!.itemId)!;
};

describePostgres('a clone of a PostgreSQL hub', () => {
  it('clones, reloads the hub\'s changes, pushes its own, and meets a conflict like on SQLite', async () => {
    const inst = await startInstance({ engine: 'postgres' });
    cleanups.push(() => inst.close());
    const { hub, tracker, local } = await world(inst);
    const cloned = await clone(local, 'origin', 'Tasks', { remote: FAST });
    expect(cloned.report.counts).toMatchObject({ created: 3, errors: 0 });

    await hub.updateItems(tracker.id, [1], { values: { n: 10 } }, 'root');
    await hub.createItems(tracker.id, [{ values: { title: 't4' } }], 'root');
    expect((await reload(local, 'Tasks', { remote: FAST })).counts).toMatchObject({ seen: 2, created: 1, updated: 1, errors: 0 });
    expect(localItem(local, 1).values.n).toBe(10);

    const lt = local.getTracker('Tasks');
    local.updateItem(lt.id, localItem(local, 2).id, { values: { notes: 'local note' } }, null);
    local.createItem(lt.id, { values: { title: 'from the clone' } }, null);
    expect((await push(local, 'Tasks', { remote: FAST })).counts).toMatchObject({ created: 1, updated: 1, conflicts: 0, errors: 0 });
    expect((await hub.getItem(tracker.id, 2))!.values.notes).toBe('local note');
    expect((await hub.listItems(tracker.id)).map((i) => i.values.title)).toContain('from the clone');

    // Both sides change n of item 3: the push answers a conflict, nothing of the hub's is lost.
    await hub.updateItems(tracker.id, [3], { values: { n: 30 } }, 'root');
    local.updateItem(lt.id, localItem(local, 3).id, { values: { n: 33 } }, null);
    const conflicted = await push(local, 'Tasks', { remote: FAST });
    expect(conflicted.counts.conflicts).toBe(1);
    expect((await hub.getItem(tracker.id, 3))!.values.n).toBe(30);
    expect(status(local, 'Tasks').conflicts.map((c) => c.fields.map((f) => [f.name, f.local, f.remote]))).toEqual([[['n', 33, 30]]]);
  });
});

describePostgres('an SQLite hub moved to PostgreSQL with s15n store copy', () => {
  it('keeps its clones syncing at the same address: reload and push with no re-clone, ids, tokens and keys intact', async () => {
    const sqlite = await startInstance({ engine: 'sqlite' });
    let sqliteOpen = true;
    cleanups.push(async () => {
      if (sqliteOpen) await sqlite.close();
    });
    const { tracker, local, cloneDir } = await world(sqlite);
    await sqlite.hub.deleteItems(tracker.id, [3], 'root');
    await clone(local, 'origin', 'Tasks', { remote: FAST });
    const lt = local.getTracker('Tasks');
    local.createItem(lt.id, { values: { title: 'pushed before the move' } }, null);
    await push(local, 'Tasks', { remote: FAST });
    // The pushed item comes back once through the feed; after that the clone is settled.
    await reload(local, 'Tasks', { remote: FAST });
    const token = new ReplicaState(local).requireReplica('Tasks').token;

    // The move: stop the SQLite hub, copy, serve the copy on the same port.
    const port = sqlite.server.port;
    await sqlite.server.close();
    const db: TestDatabase = await freshDatabase();
    cleanups.push(() => db.drop());
    const copied = await runCliAsync(['store', 'copy', '--from', sqlite.dataDir, '--to', db.url, '--json']);
    expect(copied.code, copied.stderr).toBe(0);
    expect(copied.json()).toMatchObject({ trackers: 1, items: 4, users: 1, keys: 1, seq: sqlite.store.lastSeq() });
    sqlite.store.close();
    rmSync(sqlite.dataDir, { recursive: true, force: true });
    sqliteOpen = false;
    const hub = await PostgresHub.open(db.url);
    const server = await startServer({ store: hub, port });
    cleanups.push(async () => {
      await server.close();
      await hub.close();
    });

    // Nothing to reload: the token means the same on the copy.
    expect((await reload(local, 'Tasks', { remote: FAST })).counts.seen).toBe(0);
    expect(new ReplicaState(local).requireReplica('Tasks').token).toBe(token);
    // The hub changes an item; the clone edits another and creates one; both ways work.
    await hub.updateItems(tracker.id, [1], { values: { n: 100 } }, 'root');
    local.updateItem(lt.id, localItem(local, 2).id, { values: { notes: 'after the move' } }, null);
    local.createItem(lt.id, { values: { title: 'pushed after the move' } }, null);
    expect((await reload(local, 'Tasks', { remote: FAST })).counts).toMatchObject({ seen: 1, updated: 1, errors: 0 });
    expect((await push(local, 'Tasks', { remote: FAST })).counts).toMatchObject({ created: 1, updated: 1, conflicts: 0, errors: 0 });
    const onHub = await hub.listItems(tracker.id, { includeDeleted: true });
    expect(onHub.map((i) => [i.id, i.values.title ?? null, i.deleted])).toEqual([
      [1, 't1', false],
      [2, 't2', false],
      [3, null, true],
      [4, 'pushed before the move', false],
      [5, 'pushed after the move', false],
    ]);
    expect(onHub[1]!.values.notes).toBe('after the move');
    // The copied push key still answers a retried create with the same item.
    const [copiedKey] = await hub.db.query<{ key: string }>('SELECT key FROM idempotency_keys WHERE item_id = 4');
    const replayed = await hub.applyPush(tracker.id, [{ op: 'create', idempotencyKey: copiedKey!.key, values: { title: 'again' } }], { user: 'root', isAdmin: true });
    expect(replayed[0]).toMatchObject({ status: 'created', id: 4 });
    const again = await runCliAsync(['status', 'Tasks', '--json'], { data: cloneDir });
    expect(again.json()).toMatchObject({ new: [], modified: [], conflicts: [] });
  });
});

describePostgres('a hub whose database goes away', () => {
  it('answers 503 (which clients retry), never a 401 or 404 that would blame the request', async () => {
    const db = await freshDatabase();
    const hub = await PostgresHub.open(db.url, { create: true });
    await hub.addUser('root', PASSWORDS.root, { admin: true });
    const server = await startServer({ store: hub, port: 0 });
    try {
      expect((await api(server.url, '/trackers', { user: 'root' })).status).toBe(200);
      await db.drop();
      const res = await api(server.url, '/trackers', { user: 'root' });
      expect(res.status).toBe(503);
      expect(res.json.error.code).toBe('unavailable');
      expect(res.text).not.toContain(requireCluster().password);
    } finally {
      await server.close();
      await hub.close();
    }
  });
});
