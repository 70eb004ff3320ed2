import { type Server, createServer, connect as netConnect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { clone } from '../../client/sync/clone.js';
import { push } from '../../client/sync/push.js';
import { reload } from '../../client/sync/reload.js';
import { addRemote } from '../../client/sync/remotes.js';
import { ReplicaState } from '../../client/replica/index.js';
import { status } from '../../client/sync/status.js';
import { SqliteHub, type SqliteStore } from '../../server/store/index.js';
import { PASSWORDS, tempStore } from '../helpers/instance.js';
import { FAST, type SyncPair, localEdit, localOf, masterAdd, masterEdit, runCliAsync, startPair } from '../helpers/sync.js';

let pair: SyncPair;
const cleanups: (() => Promise<void> | void)[] = [];

afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

async function cloned(options: Parameters<typeof startPair>[0] = { simple: true }): Promise<SyncPair> {
  pair = await startPair(options);
  cleanups.push(() => pair.close());
  return pair;
}

const local = (p: SyncPair) => p.clone.getTracker(p.tracker.name);
const masterItems = (p: SyncPair) => p.master.store.listItems(p.tracker.id);

/** A second clone of the same master, as a separate instance. */
async function secondClone(p: SyncPair, user: keyof typeof PASSWORDS = 'root'): Promise<SqliteStore> {
  const other = tempStore();
  cleanups.push(() => other.cleanup());
  addRemote(other.store, { name: 'origin', url: p.master.url, user, password: PASSWORDS[user] });
  await clone(other.store, 'origin', p.tracker.name, { remote: FAST });
  return other.store;
}

describe('push of each kind', () => {
  it('creates new local items on the master, remembers their remote ids, and a second push sends nothing', async () => {
    const p = await cloned();
    await clone(p.clone, 'origin', p.tracker.name, { remote: FAST });
    const mine = p.clone.createItems(local(p).id, [{ values: { title: 'new A', n: 1 } }, { status: 'pending', values: { title: 'new B' } }], null);
    const report = await push(p.clone, p.tracker.name, { remote: FAST });
    expect(report.outcome).toBe('success');
    expect(report.counts).toMatchObject({ seen: 2, created: 2, errors: 0 });
    const onMaster = masterItems(p).map((i) => [i.status, i.values.title]);
    expect(onMaster).toEqual([['open', 'new A'], ['pending', 'new B']]);
    const replicas = new ReplicaState(p.clone);
    for (const item of mine) expect(replicas.itemState(item.id)?.remoteId).toBeTypeOf('number');
    expect(status(p.clone, p.tracker.name).new).toEqual([]);
    const again = await push(p.clone, p.tracker.name, { remote: FAST });
    expect(again.counts.seen).toBe(0);
    expect(masterItems(p)).toHaveLength(2);
  });

  it('updates changed fields and the status, and deletes locally deleted items', async () => {
    const p = await cloned();
    const a = masterAdd(p, { title: 'a', n: 1 });
    const b = masterAdd(p, { title: 'b' });
    await clone(p.clone, 'origin', p.tracker.name, { remote: FAST });
    localEdit(p, a.id, { n: 2 }, 'closed');
    p.clone.deleteItems(local(p).id, [localOf(p, b.id).id], null);
    const report = await push(p.clone, p.tracker.name, { remote: FAST });
    expect(report.counts).toMatchObject({ seen: 2, updated: 1, deleted: 1, conflicts: 0, errors: 0 });
    expect(p.master.store.getItem(p.tracker.id, a.id)).toMatchObject({ status: 'closed', values: { title: 'a', n: 2 } });
    expect(p.master.store.getItem(p.tracker.id, b.id)).toBeUndefined();
    const st = status(p.clone, p.tracker.name);
    expect([st.new, st.modified, st.deleted, st.conflicts]).toEqual([[], [], [], []]);
  });

  it('pushes only the named items', async () => {
    const p = await cloned();
    const a = masterAdd(p, { title: 'a' });
    const b = masterAdd(p, { title: 'b' });
    await clone(p.clone, 'origin', p.tracker.name, { remote: FAST });
    localEdit(p, a.id, { n: 1 });
    localEdit(p, b.id, { n: 2 });
    const report = await push(p.clone, p.tracker.name, { items: [localOf(p, a.id).id], remote: FAST });
    expect(report.counts).toMatchObject({ seen: 1, updated: 1 });
    expect(p.master.store.getItem(p.tracker.id, a.id)!.values.n).toBe(1);
    expect(p.master.store.getItem(p.tracker.id, b.id)!.values.n).toBeUndefined();
    await expect(push(p.clone, p.tracker.name, { items: [9999], remote: FAST })).rejects.toThrow(/unknown item 9999/);
  });
});

describe('no lost update', () => {
  it('a push touching other fields goes through and keeps the remote change', async () => {
    const p = await cloned();
    const a = masterAdd(p, { title: 'a', n: 1 });
    await clone(p.clone, 'origin', p.tracker.name, { remote: FAST });
    masterEdit(p, a.id, { notes: 'remote note' });
    localEdit(p, a.id, { n: 5 });
    const report = await push(p.clone, p.tracker.name, { remote: FAST });
    expect(report.counts).toMatchObject({ updated: 1, conflicts: 0 });
    expect(p.master.store.getItem(p.tracker.id, a.id)!.values).toEqual({ title: 'a', notes: 'remote note', n: 5 });
    expect(localOf(p, a.id).values).toEqual({ title: 'a', notes: 'remote note', n: 5 });
  });

  it('a stale base on the same field is a conflict stored locally with base, local and remote; the master keeps its value', async () => {
    const p = await cloned();
    const a = masterAdd(p, { title: 'a', n: 1 });
    await clone(p.clone, 'origin', p.tracker.name, { remote: FAST });
    masterEdit(p, a.id, { n: 10 });
    localEdit(p, a.id, { n: 20 });
    const report = await push(p.clone, p.tracker.name, { remote: FAST });
    expect(report.counts).toMatchObject({ seen: 1, conflicts: 1 });
    expect(report.outcome).toBe('warning');
    expect(p.master.store.getItem(p.tracker.id, a.id)!.values.n).toBe(10);
    expect(status(p.clone, p.tracker.name).conflicts).toEqual([
      { id: localOf(p, a.id).id, kind: 'fields', fields: [{ name: 'n', base: 1, local: 20, remote: 10 }] },
    ]);
  });

  it('items with open conflicts are left out of --all-clean while clean ones go', async () => {
    const p = await cloned();
    const a = masterAdd(p, { title: 'a', n: 1 });
    const b = masterAdd(p, { title: 'b' });
    await clone(p.clone, 'origin', p.tracker.name, { remote: FAST });
    masterEdit(p, a.id, { n: 10 });
    localEdit(p, a.id, { n: 20 });
    await reload(p.clone, p.tracker.name, { remote: FAST });
    localEdit(p, b.id, { n: 3 });
    const report = await push(p.clone, p.tracker.name, { allClean: true, remote: FAST });
    expect(report.counts).toMatchObject({ seen: 1, updated: 1 });
    expect(p.master.store.getItem(p.tracker.id, a.id)!.values.n).toBe(10);
    // Named without --overwrite it is still held back: counted as the conflict it is, and said why.
    const id = localOf(p, a.id).id;
    const named = await push(p.clone, p.tracker.name, { items: [id], remote: FAST });
    expect(named.counts).toMatchObject({ seen: 1, conflicts: 1, errors: 0 });
    expect(named.warnings).toEqual([expect.stringMatching(new RegExp(`^item ${id} has an open conflict and was not pushed: resolve it .* or push it with --overwrite`))]);
    expect(p.master.store.getItem(p.tracker.id, a.id)!.values.n).toBe(10);
  });

  it('after resolve, the chosen value is pushed with the remote value as its base', async () => {
    const p = await cloned();
    const a = masterAdd(p, { title: 'a', n: 1 });
    await clone(p.clone, 'origin', p.tracker.name, { remote: FAST });
    masterEdit(p, a.id, { n: 10 });
    localEdit(p, a.id, { n: 20 });
    await reload(p.clone, p.tracker.name, { remote: FAST });
    const { resolve } = await import('../../client/sync/resolve.js');
    resolve(p.clone, p.tracker.name, localOf(p, a.id).id, { field: 'n', take: 'local' });
    const report = await push(p.clone, p.tracker.name, { remote: FAST });
    expect(report.counts).toMatchObject({ updated: 1, conflicts: 0 });
    expect(p.master.store.getItem(p.tracker.id, a.id)!.values.n).toBe(20);
  });

  it('--overwrite needs the flag and the admin right', async () => {
    const p = await cloned({ simple: true, user: 'eddie' });
    const a = masterAdd(p, { title: 'a', n: 1 });
    await clone(p.clone, 'origin', p.tracker.name, { remote: FAST });
    masterEdit(p, a.id, { n: 10 });
    localEdit(p, a.id, { n: 20 });
    await reload(p.clone, p.tracker.name, { remote: FAST });
    const id = localOf(p, a.id).id;
    const refused = await push(p.clone, p.tracker.name, { items: [id], overwrite: true, remote: FAST });
    expect(refused.counts).toMatchObject({ conflicts: 1, updated: 0 });
    expect(refused.warnings).toEqual([expect.stringMatching(/admin right/)]);
    expect(p.master.store.getItem(p.tracker.id, a.id)!.values.n).toBe(10);

    const admin = await secondClone(p, 'root');
    const adminId = (() => {
      const t = admin.getTracker(p.tracker.name);
      return new ReplicaState(admin).itemByRemoteId(t.id, a.id)!.itemId;
    })();
    admin.updateItem(admin.getTracker(p.tracker.name).id, adminId, { values: { n: 30 } }, null);
    masterEdit(p, a.id, { n: 11 });
    await reload(admin, p.tracker.name, { remote: FAST });
    const forced = await push(admin, p.tracker.name, { items: [adminId], overwrite: true, remote: FAST });
    expect(forced.counts).toMatchObject({ updated: 1, conflicts: 0 });
    expect(p.master.store.getItem(p.tracker.id, a.id)!.values.n).toBe(30);
  });

  it('two clones pushing the same field: exactly one wins, the other gets a conflict', async () => {
    const p = await cloned();
    const a = masterAdd(p, { title: 'a', n: 1 });
    await clone(p.clone, 'origin', p.tracker.name, { remote: FAST });
    const other = await secondClone(p);
    localEdit(p, a.id, { n: 2 });
    const otherTracker = other.getTracker(p.tracker.name);
    other.updateItem(otherTracker.id, new ReplicaState(other).itemByRemoteId(otherTracker.id, a.id)!.itemId, { values: { n: 3 } }, null);
    const [first, second] = await Promise.all([push(p.clone, p.tracker.name, { remote: FAST }), push(other, p.tracker.name, { remote: FAST })]);
    const outcomes = [first.counts, second.counts].map((c) => (c.updated === 1 ? 'won' : c.conflicts === 1 ? 'conflict' : 'other')).sort();
    expect(outcomes).toEqual(['conflict', 'won']);
    expect([2, 3]).toContain(p.master.store.getItem(p.tracker.id, a.id)!.values.n);
  });
});

describe('dry run', () => {
  it('sends nothing, changes nothing, and counts what the real push then does', async () => {
    const p = await cloned();
    const a = masterAdd(p, { title: 'a' });
    const b = masterAdd(p, { title: 'b' });
    await clone(p.clone, 'origin', p.tracker.name, { remote: FAST });
    localEdit(p, a.id, { n: 1 });
    p.clone.deleteItems(local(p).id, [localOf(p, b.id).id], null);
    p.clone.createItem(local(p).id, { values: { title: 'new' } }, null);
    const masterBefore = JSON.stringify(masterItems(p));
    const cloneBefore = JSON.stringify(p.clone.db.prepare('SELECT * FROM replica_items ORDER BY item_id').all());
    const dry = await push(p.clone, p.tracker.name, { dryRun: true, remote: FAST });
    expect(dry.dryRun).toBe(true);
    expect(JSON.stringify(masterItems(p))).toBe(masterBefore);
    expect(JSON.stringify(p.clone.db.prepare('SELECT * FROM replica_items ORDER BY item_id').all())).toBe(cloneBefore);
    const real = await push(p.clone, p.tracker.name, { remote: FAST });
    expect(real.counts).toEqual(dry.counts);
    expect(real.counts).toMatchObject({ seen: 3, created: 1, updated: 1, deleted: 1 });
  });
});

describe('push --dry-run against a remote that changed since the reload', () => {
  it('tells conflicts, merges and clean updates apart by the remote rule, and the real push counts the same', async () => {
    const p = await cloned();
    const [a, b, c, d, e] = ['a', 'b', 'c', 'd', 'e'].map((title) => masterAdd(p, { title, n: 1 }));
    await clone(p.clone, 'origin', p.tracker.name, { remote: FAST });
    masterEdit(p, a!.id, { n: 10 });
    localEdit(p, a!.id, { n: 20 }); // the same field on both sides: a conflict
    masterEdit(p, b!.id, { title: 'b theirs' });
    localEdit(p, b!.id, { n: 2 }); // other fields: the update goes
    masterEdit(p, c!.id, { n: 3 });
    p.clone.deleteItems(local(p).id, [localOf(p, c!.id).id], null); // deleted here, changed there: a conflict
    p.master.store.deleteItems(p.tracker.id, [d!.id], 'root');
    localEdit(p, d!.id, { n: 4 }); // changed here, deleted there: a conflict
    localEdit(p, e!.id, { n: 5 }); // the remote did not touch it
    const masterBefore = JSON.stringify(masterItems(p));
    const replicaBefore = JSON.stringify(p.clone.db.prepare('SELECT * FROM replica_items ORDER BY item_id').all());

    const dry = await push(p.clone, p.tracker.name, { dryRun: true, remote: FAST });
    expect(dry.counts).toMatchObject({ seen: 5, updated: 2, conflicts: 3, errors: 0 });
    expect(JSON.stringify(masterItems(p))).toBe(masterBefore);
    expect(JSON.stringify(p.clone.db.prepare('SELECT * FROM replica_items ORDER BY item_id').all())).toBe(replicaBefore);

    const real = await push(p.clone, p.tracker.name, { remote: FAST });
    expect(real.counts).toEqual(dry.counts);
    expect(p.master.store.getItem(p.tracker.id, a!.id)!.values.n).toBe(10);
    expect(p.master.store.getItem(p.tracker.id, b!.id)!.values).toMatchObject({ title: 'b theirs', n: 2 });
  });
});

describe('crash safety', () => {
  /** A proxy that swallows the answer of the first `drop` requests: the master applies them, the client never hears. */
  async function answerDroppingProxy(target: string, drop: number): Promise<{ url: string; dropped(): number; close(): Promise<void> }> {
    const { port: targetPort } = new URL(target);
    let left = drop;
    const sockets = new Set<{ destroy(): void }>();
    const server: Server = createServer((socket) => {
      const upstream = netConnect(Number(targetPort), '127.0.0.1');
      sockets.add(socket);
      sockets.add(upstream);
      const swallow = left > 0;
      let sawPush = false;
      socket.on('data', (chunk) => {
        if (chunk.toString('latin1').startsWith('POST')) sawPush = true;
        upstream.write(chunk);
      });
      upstream.on('data', (chunk) => {
        if (swallow && sawPush) {
          left -= 1;
          socket.destroy();
          upstream.destroy();
          return;
        }
        socket.write(chunk);
      });
      upstream.on('error', () => socket.destroy());
      socket.on('error', () => upstream.destroy());
      upstream.on('close', () => socket.end());
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address() as { port: number };
    return {
      url: `http://127.0.0.1:${address.port}`,
      dropped: () => drop - left,
      close: () =>
        new Promise<void>((resolve) => {
          for (const socket of sockets) socket.destroy();
          server.close(() => resolve());
        }),
    };
  }

  it('a lost answer is retried with the same idempotency key: one item on the master', async () => {
    const p = await cloned();
    await clone(p.clone, 'origin', p.tracker.name, { remote: FAST });
    const proxy = await answerDroppingProxy(p.master.url, 1);
    cleanups.push(() => proxy.close());
    p.clone.db.prepare('UPDATE remotes SET url = ? WHERE name = ?').run(proxy.url, 'origin');
    p.clone.createItem(local(p).id, { values: { title: 'exactly once' } }, null);
    const report = await push(p.clone, p.tracker.name, { remote: { retries: 2, timeoutMs: 3000, backoffLimitMs: 100 } });
    expect(proxy.dropped()).toBe(1);
    expect(report.counts).toMatchObject({ created: 1, errors: 0 });
    expect(masterItems(p).filter((i) => i.values.title === 'exactly once')).toHaveLength(1);
  });
});

describe('convergence and clone of a clone', () => {
  it('after reload and push with no conflicts both sides hold the same values', async () => {
    const p = await cloned();
    const items = Array.from({ length: 20 }, (_, i) => masterAdd(p, { title: `i${i}`, n: i }));
    await clone(p.clone, 'origin', p.tracker.name, { remote: FAST });
    for (const item of items.slice(0, 10)) masterEdit(p, item.id, { notes: `remote ${item.id}` });
    for (const item of items.slice(5, 15)) localEdit(p, item.id, { n: 100 + item.id });
    p.clone.createItem(local(p).id, { values: { title: 'local new' } }, null);
    await reload(p.clone, p.tracker.name, { remote: FAST });
    const report = await push(p.clone, p.tracker.name, { remote: FAST });
    expect(report.counts.conflicts).toBe(0);
    const replicas = new ReplicaState(p.clone);
    const t = local(p);
    const localByRemote = new Map(p.clone.listItems(t.id).map((i) => [replicas.itemState(i.id)!.remoteId, i]));
    for (const remote of masterItems(p)) {
      const mine = localByRemote.get(remote.id)!;
      expect([mine.status, mine.values]).toEqual([remote.status, remote.values]);
    }
    expect(localByRemote.size).toBe(masterItems(p).length);
  });

  it('A <- B <- C: an edit on C pushed to B, then from B to A, reaches another clone of A', async () => {
    const p = await cloned();
    const a = masterAdd(p, { title: 'a', n: 1 });
    await clone(p.clone, 'origin', p.tracker.name, { remote: FAST });
    const { startServer } = await import('../../server/serve.js');
    await p.clone.addUser('bee', 'bee-pw', { admin: true });
    const b = await startServer({ store: new SqliteHub(p.clone), port: 0 });
    cleanups.push(() => b.close());
    const c = tempStore();
    cleanups.push(() => c.cleanup());
    addRemote(c.store, { name: 'b', url: b.url, user: 'bee', password: 'bee-pw' });
    await clone(c.store, 'b', p.tracker.name, { remote: FAST });
    const ct = c.store.getTracker(p.tracker.name);
    const cItem = c.store.listItems(ct.id)[0]!;
    c.store.updateItem(ct.id, cItem.id, { values: { n: 42 } }, null);
    expect((await push(c.store, p.tracker.name, { remote: FAST })).counts.updated).toBe(1);
    expect(status(p.clone, p.tracker.name).modified.map((i) => i.values.n)).toEqual([42]);
    expect((await push(p.clone, p.tracker.name, { remote: FAST })).counts.updated).toBe(1);
    expect(p.master.store.getItem(p.tracker.id, a.id)!.values.n).toBe(42);
    const d = await secondClone(p);
    expect(d.listItems(d.getTracker(p.tracker.name).id)[0]!.values.n).toBe(42);
  });
});

describe('the push command', () => {
  it('prints the REPORT with --json and exits 3 when conflicts remain', async () => {
    const p = await cloned();
    const a = masterAdd(p, { title: 'a', n: 1 });
    await clone(p.clone, 'origin', p.tracker.name, { remote: FAST });
    masterEdit(p, a.id, { n: 10 });
    localEdit(p, a.id, { n: 20 });
    p.clone.close();
    const result = await runCliAsync(['push', p.tracker.name, '--json'], { data: p.cloneDir });
    expect(result.code).toBe(3);
    const report = result.json<{ outcome: string; dryRun: boolean; counts: Record<string, number>; startedAt: string; endedAt: string; errors: unknown[] }>();
    expect(report).toMatchObject({ outcome: 'warning', dryRun: false, counts: { seen: 1, conflicts: 1 } });
    const log = await runCliAsync(['log', p.tracker.name, '--json'], { data: p.cloneDir });
    expect(JSON.stringify(log.json())).toContain('push');
    const usage = await runCliAsync(['push', p.tracker.name, '1', '--all-clean'], { data: p.cloneDir });
    expect(usage.code).toBe(2);
  });
});
