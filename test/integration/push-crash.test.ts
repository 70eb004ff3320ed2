import { spawn } from 'node:child_process';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { clone } from '../../client/sync/clone.js';
import { push } from '../../client/sync/push.js';
import { reload } from '../../client/sync/reload.js';
import { addRemote } from '../../client/sync/remotes.js';
import { ReplicaState } from '../../client/sync/replica-state.js';
import type { Report } from '../../client/sync/report.js';
import { status } from '../../client/sync/status.js';
import { Store } from '../../server/store/index.js';
import { CLI } from '../helpers/cli.js';
import { PASSWORDS, startInstance, tempStore } from '../helpers/instance.js';
import { type ProxiedRequest, type ProxyOptions, type TestProxy, proxyRemote } from '../helpers/proxy.js';
import { FAST, type SyncPair, runCliAsync, startPair } from '../helpers/sync.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

async function proxiedPair(options: ProxyOptions): Promise<{ p: SyncPair; proxy: TestProxy }> {
  const p = await startPair({ simple: true });
  cleanups.push(() => p.close());
  const proxy = await proxyRemote(p.clone, 'origin', p.master.url, options);
  cleanups.push(() => proxy.close());
  await clone(p.clone, 'origin', p.tracker.name, { remote: FAST });
  return { p, proxy };
}

const isPush = (request: ProxiedRequest) => request.method === 'POST' && request.path.endsWith('/push');

/** Drops the answers of the first `n` push requests: the master applies them, the clone never hears. */
function dropFirstPushes(n: number): ProxyOptions {
  let left = n;
  return { dropAnswer: (request) => isPush(request) && left-- > 0 };
}

describe('push: idempotency keys', () => {
  it('each create key is committed locally before its request reaches the master', async () => {
    const seen: { key: string; committed: boolean; onMaster: number }[] = [];
    // The proxy starts before the pair it serves is known to this test.
    const holder: { p?: SyncPair } = {};
    const { p } = await proxiedPair({
      onRequest: (request) => {
        const pair = holder.p;
        if (!isPush(request) || !pair) return;
        // Another connection sees only committed rows: the clone's own transaction would be invisible here.
        const reader = new Database(join(pair.cloneDir, 's15n.db'), { readonly: true });
        try {
          const body = JSON.parse(request.body) as { changes: { op: string; idempotencyKey?: string }[] };
          for (const change of body.changes.filter((c) => c.op === 'create')) {
            const row = reader.prepare('SELECT item_id FROM replica_items WHERE create_key = ? AND remote_id IS NULL').get(change.idempotencyKey);
            seen.push({ key: change.idempotencyKey!, committed: row !== undefined, onMaster: pair.master.store.countItems(pair.tracker.id) });
          }
        } finally {
          reader.close();
        }
      },
    });
    holder.p = p;
    const t = p.clone.getTracker(p.tracker.name);
    p.clone.createItems(t.id, Array.from({ length: 5 }, (_, i) => ({ values: { title: `new ${i}` } })), null);
    const report = await push(p.clone, p.tracker.name, { batchSize: 2, remote: FAST });
    expect(report.counts).toMatchObject({ seen: 5, created: 5 });
    expect(seen).toHaveLength(5);
    expect(seen.every((s) => s.committed)).toBe(true);
    expect(new Set(seen.map((s) => s.key)).size).toBe(5);
    // Every request left before the master held its items: the keys came first.
    expect(seen.map((s) => s.onMaster)).toEqual([0, 0, 2, 2, 4]);
  });

  it('a lost answer fails the run; the rerun resends the same key and the master holds one item', async () => {
    const { p, proxy } = await proxiedPair(dropFirstPushes(1));
    const t = p.clone.getTracker(p.tracker.name);
    const mine = p.clone.createItem(t.id, { values: { title: 'exactly once' } }, null);

    const lost = await push(p.clone, p.tracker.name, { remote: FAST });
    expect(proxy.dropped()).toBe(1);
    expect(lost.outcome).toBe('error');
    expect(lost.errors).toEqual([{ id: null, message: expect.stringMatching(/cannot reach .*; push again/) }]);
    // The master applied it; the clone only knows the key it sent.
    expect(p.master.store.listItems(p.tracker.id).map((i) => i.values.title)).toEqual(['exactly once']);
    const key = new ReplicaState(p.clone).itemState(mine.id)!;
    expect(key).toMatchObject({ remoteId: null, createKey: expect.any(String) });

    const rerun = await push(p.clone, p.tracker.name, { remote: FAST });
    expect(rerun.counts).toMatchObject({ seen: 1, created: 1, errors: 0 });
    const onMaster = p.master.store.listItems(p.tracker.id);
    expect(onMaster.map((i) => i.values.title)).toEqual(['exactly once']);
    expect(new ReplicaState(p.clone).itemState(mine.id)).toMatchObject({ remoteId: onMaster[0]!.id, createKey: null });
    const bodies = proxy.requests.filter(isPush).map((r) => JSON.parse(r.body) as { changes: { idempotencyKey: string }[] });
    expect(bodies.map((b) => b.changes[0]!.idempotencyKey)).toEqual([key.createKey, key.createKey]);
  });

  it('a lost answer, then a reload before the rerun: the reloaded copy is dropped once the rerun confirms the original', async () => {
    const { p } = await proxiedPair(dropFirstPushes(1));
    const t = p.clone.getTracker(p.tracker.name);
    const mine = p.clone.createItem(t.id, { values: { title: 'mine', n: 1 } }, null);
    expect((await push(p.clone, p.tracker.name, { remote: FAST })).outcome).toBe('error');
    const reloaded = await reload(p.clone, p.tracker.name, { remote: FAST });
    expect(reloaded.counts).toMatchObject({ created: 1 });
    expect(p.clone.listItems(t.id)).toHaveLength(2);

    const rerun = await push(p.clone, p.tracker.name, { remote: FAST });
    expect(rerun.counts).toMatchObject({ seen: 1, created: 1, errors: 0 });
    const [remote] = p.master.store.listItems(p.tracker.id);
    expect(p.master.store.listItems(p.tracker.id)).toHaveLength(1);
    expect(p.clone.listItems(t.id).map((i) => [i.id, i.values])).toEqual([[mine.id, { title: 'mine', n: 1 }]]);
    expect(new ReplicaState(p.clone).itemState(mine.id)?.remoteId).toBe(remote!.id);
    const st = status(p.clone, p.tracker.name);
    expect([st.new, st.modified, st.deleted, st.conflicts]).toEqual([[], [], [], []]);
  });
});

describe('push: cancelled', () => {
  it('an abort stops between batches: the answered batch is applied, the run reads as cancelled, and the rerun sends only the rest', async () => {
    const { p, proxy } = await proxiedPair({});
    const t = p.clone.getTracker(p.tracker.name);
    const mine = p.clone.createItems(t.id, Array.from({ length: 10 }, (_, i) => ({ values: { title: `new ${i}` } })), null);
    const controller = new AbortController();
    const progress: [number, number | undefined][] = [];
    const posts = proxy.count('POST');
    const stopped = await push(p.clone, p.tracker.name, {
      batchSize: 4,
      signal: controller.signal,
      onProgress: (done, total) => {
        progress.push([done, total]);
        if (done >= 4) controller.abort();
      },
      remote: FAST,
    });
    expect(progress).toEqual([[0, 10], [4, 10]]);
    expect(stopped.outcome).toBe('error');
    expect(stopped.errors).toEqual([{ id: null, message: expect.stringMatching(/cancelled after 4 of 10 items/) }]);
    expect(stopped.counts).toMatchObject({ seen: 4, created: 4 });
    expect(proxy.count('POST') - posts).toBe(1);
    const replicas = new ReplicaState(p.clone);
    expect(mine.map((item) => replicas.itemState(item.id)?.remoteId !== null)).toEqual([...Array(4).fill(true), ...Array(6).fill(false)]);

    const rest = await push(p.clone, p.tracker.name, { remote: FAST });
    expect(rest.counts).toMatchObject({ seen: 6, created: 6 });
    expect(p.master.store.listItems(p.tracker.id).map((i) => i.values.title)).toEqual(mine.map((i) => i.values.title));
  });
});

describe('push: killed with SIGKILL', () => {
  const NEW = 300;
  const KEPT = 40;

  it('at seeded random moments of a push of a few hundred items: the rerun duplicates nothing on the master and loses nothing locally', async () => {
    const master = await startInstance();
    cleanups.push(() => master.close());
    await master.store.addUser('root', PASSWORDS.root, { admin: true });
    let seed = 20261122;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const interrupted: number[] = [];

    for (let trial = 0; trial < 4; trial += 1) {
      const name = `Kill${trial}`;
      const tracker = master.store.createTracker({ name, fields: [{ name: 'title', type: 'text', required: true }, { name: 'n', type: 'number' }] });
      const existing = master.store.createItems(tracker.id, Array.from({ length: KEPT }, (_, i) => ({ values: { title: `old ${i}` } })), 'root');
      const cl = tempStore();
      cleanups.push(() => cl.cleanup());
      addRemote(cl.store, { name: 'origin', url: master.url, user: 'root', password: PASSWORDS.root });
      await clone(cl.store, 'origin', name, { remote: FAST });
      const t = cl.store.getTracker(name);
      const replicas = new ReplicaState(cl.store);
      const localOf = (remoteId: number) => replicas.itemByRemoteId(t.id, remoteId)!.itemId;
      // New items, edits of some existing ones and deletes of others, all in one push.
      cl.store.createItems(t.id, Array.from({ length: NEW }, (_, i) => ({ values: { title: `new ${i}`, n: i } })), null);
      for (const item of existing.slice(0, 20)) cl.store.updateItem(t.id, localOf(item.id), { values: { n: 1000 + item.id } }, null);
      cl.store.deleteItems(t.id, existing.slice(30).map((item) => localOf(item.id)), null);
      const expected = cl.store.listItems(t.id).map((i) => ({ status: i.status, values: i.values }));
      cl.store.close();

      const child = spawn(process.execPath, [CLI, '--data', cl.dataDir, 'push', name, '--batch-size', '20'], { env: { ...process.env, S15N_DATA: '' }, stdio: 'ignore' });
      const exited = new Promise<NodeJS.Signals | null>((resolve) => child.once('exit', (_code, signal) => resolve(signal)));
      // Kill once the master has taken a random part of the creates, a random instant later.
      const threshold = 1 + Math.floor(random() * (NEW - 60));
      while (master.store.countItems(tracker.id) - KEPT < threshold && child.exitCode === null) await new Promise((r) => setTimeout(r, 1));
      await new Promise((r) => setTimeout(r, random() * 15));
      child.kill('SIGKILL');
      if ((await exited) === 'SIGKILL') interrupted.push(master.store.countItems(tracker.id) - KEPT);

      const rerun = await runCliAsync(['push', name, '--json'], { data: cl.dataDir });
      expect(rerun.code, rerun.stderr).toBe(0);
      expect(rerun.json<Report>().counts).toMatchObject({ conflicts: 0, errors: 0 });

      const onMaster = master.store.listItems(tracker.id);
      const titles = onMaster.map((i) => i.values.title as string);
      expect(titles).toHaveLength(new Set(titles).size);
      expect(onMaster).toHaveLength(NEW + 30);
      const store = Store.open(cl.dataDir);
      cleanups.push(() => store.close());
      const local = store.listItems(t.id);
      expect(local.map((i) => ({ status: i.status, values: i.values }))).toEqual(expected);
      const after = new ReplicaState(store);
      const remoteIds = local.map((i) => after.itemState(i.id)?.remoteId);
      expect(new Set(remoteIds).size).toBe(local.length);
      const byId = new Map(onMaster.map((i) => [i.id, i]));
      for (const [i, item] of local.entries()) {
        const remote = byId.get(remoteIds[i]!);
        expect({ status: remote?.status, values: remote?.values }).toEqual({ status: item.status, values: item.values });
      }
      const st = status(store, name);
      expect([st.new.length, st.modified.length, st.deleted.length, st.conflicts.length]).toEqual([0, 0, 0, 0]);
    }
    // The trials must have hit a push in flight, not before or after it.
    expect(interrupted.filter((n) => n > 0 && n < NEW).length).toBeGreaterThanOrEqual(3);
  }, 90_000);
});
