import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { clone } from '../../client/sync/clone.js';
import { push } from '../../client/sync/push.js';
import { reload } from '../../client/sync/reload.js';
import { ReplicaState } from '../../client/replica/index.js';
import { status } from '../../client/sync/status.js';
import { type ProxiedRequest, type ProxyOptions, type TestProxy, proxyRemote } from '../helpers/proxy.js';
import { FAST, type SyncPair, startPair } from '../helpers/sync.js';

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
