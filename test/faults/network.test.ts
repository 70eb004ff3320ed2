/**
 * The network between clone and master breaks: every chunk delayed, connections cut in the
 * middle of an answer (the change stream or a push's answer), reset as the request starts, or
 * black-holed. The client retries what is safe to retry, resumes the stream from the last change
 * it holds, fails a run it cannot finish with a clear error that the sync log records, and a
 * later run on a sound network converges with nothing lost or duplicated.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { clone } from '../../client/sync/clone.js';
import { ReplicaState } from '../../client/replica/index.js';
import { push } from '../../client/sync/push.js';
import { reload } from '../../client/sync/reload.js';
import type { SqliteStore } from '../../server/store/index.js';
import { type SyncPair, masterEdit, startPair } from '../helpers/sync.js';
import { type Fault, type FaultProxy, startFaultProxy } from './fault-proxy.js';
import { seeded } from './harness.js';

let pair: SyncPair | undefined;
let proxy: FaultProxy | undefined;
afterEach(async () => {
  await proxy?.close();
  await pair?.close();
  pair = undefined;
  proxy = undefined;
});

const ITEMS = 600;
/**
 * Retries quick enough for a test; the production client waits longer between them. The cuts
 * below are placed by bytes of plain JSON: these runs ask for no compression (a compressed
 * stream has a test of its own).
 */
const RETRYING = { retries: 4, timeoutMs: 5000, backoffLimitMs: 200, compression: false };

/** A master of ITEMS items and a clone whose remote goes through a fault proxy choosing each connection's fault. */
async function faulty(faultFor: (index: number) => Fault): Promise<{ p: SyncPair; proxy: FaultProxy }> {
  const p = await startPair({ simple: true });
  p.master.store.createItems(
    p.tracker.id,
    Array.from({ length: ITEMS }, (_, i) => ({ values: { title: `m${i}`, n: i, notes: `notes of ${i}\n`.repeat(8) } })),
    'root',
  );
  const px = await startFaultProxy(Number(new URL(p.master.url).port), faultFor);
  p.clone.db.prepare('UPDATE remotes SET url = ? WHERE name = ?').run(px.url, 'origin');
  pair = p;
  proxy = px;
  return { p, proxy: px };
}

/** Both sides hold the same items, each mapped once; the master has no duplicate titles. */
function expectConverged(p: SyncPair): void {
  const onMaster = p.master.store.listItems(p.tracker.id);
  const titles = onMaster.map((i) => i.values.title);
  expect(new Set(titles).size).toBe(titles.length);
  const t = p.clone.getTracker('Tasks');
  const replicas = new ReplicaState(p.clone);
  const mine = p.clone.listItems(t.id);
  expect(mine).toHaveLength(onMaster.length);
  const byId = new Map(onMaster.map((i) => [i.id, i]));
  const seen = new Set<number>();
  for (const item of mine) {
    const remoteId = replicas.itemState(item.id)!.remoteId!;
    expect(seen.has(remoteId)).toBe(false);
    seen.add(remoteId);
    expect({ status: item.status, values: item.values }).toEqual({ status: byId.get(remoteId)?.status, values: byId.get(remoteId)?.values });
  }
  expect(p.clone.db.pragma('integrity_check', { simple: true })).toBe('ok');
}

function lastRun(store: SqliteStore) {
  return new ReplicaState(store).log.list(store.getTracker('Tasks').id)[0];
}

describe('a slow network', () => {
  it('every chunk held 15 ms both ways: clone, reload and push complete and converge', async () => {
    const { p } = await faulty(() => ({ kind: 'delay', ms: 15 }));
    const cloned = await clone(p.clone, 'origin', 'Tasks', { remote: RETRYING });
    expect(cloned.report.outcome).toBe('success');
    expect(cloned.report.counts.created).toBe(ITEMS);
    const first = p.master.store.listItems(p.tracker.id).slice(0, 30);
    for (const item of first) masterEdit(p, item.id, { n: 5000 + item.id });
    expect((await reload(p.clone, 'Tasks', { remote: RETRYING })).counts).toMatchObject({ updated: 30, errors: 0 });
    const t = p.clone.getTracker('Tasks');
    p.clone.createItems(t.id, Array.from({ length: 40 }, (_, k) => ({ values: { title: `l${k}` } })), null);
    expect((await push(p.clone, 'Tasks', { remote: RETRYING, batchSize: 10 })).counts).toMatchObject({ created: 40, errors: 0 });
    expectConverged(p);
  });
});

describe('connections cut in the middle of an answer', () => {
  it('the change stream cut at seeded points resumes from the last change held: the clone completes with every item once', async () => {
    const random = seeded(7);
    const cuts = Array.from({ length: 3 }, () => 2000 + Math.floor(random() * 60_000));
    const { p, proxy: px } = await faulty((index) => (index < cuts.length ? { kind: 'cut', afterBytes: cuts[index]! } : { kind: 'pass' }));
    const cloned = await clone(p.clone, 'origin', 'Tasks', { remote: RETRYING, batchSize: 50 });
    expect(cloned.report.outcome).toBe('success');
    expect(cloned.report.counts).toMatchObject({ seen: ITEMS, created: ITEMS, errors: 0 });
    expect(px.connections()).toBeGreaterThan(cuts.length);
    expectConverged(p);
  });

  it('a compressed change stream cut at seeded points (mid-block) resumes the same way', async () => {
    const random = seeded(9);
    // The first past the schema's answer (the first bytes of the first connection), all inside the
    // stream's compressed blocks and short enough that each leaves more of the feed to come.
    const cuts = Array.from({ length: 4 }, (_, k) => (k === 0 ? 1500 : 300) + Math.floor(random() * 1500));
    const { p, proxy: px } = await faulty((index) => (index < cuts.length ? { kind: 'cut', afterBytes: cuts[index]! } : { kind: 'pass' }));
    const cloned = await clone(p.clone, 'origin', 'Tasks', { remote: { ...RETRYING, compression: true }, batchSize: 50 });
    expect(cloned.report.outcome).toBe('success');
    expect(cloned.report.counts).toMatchObject({ seen: ITEMS, created: ITEMS, errors: 0 });
    expect(px.connections()).toBeGreaterThan(cuts.length);
    // The whole feed moved in fewer bytes than the plain one's first 100 items take.
    expect(px.bytes().down).toBeLessThan(ITEMS * 300);
    expectConverged(p);
  });

  it('a network that dies in the middle of the stream fails the clone after the retries, clearly and on record; a later reload completes it', async () => {
    // A budget of bytes for the whole proxy: the connection open when it runs out is cut there, later ones at once.
    const budget = 40_000;
    let faults = true;
    const { p, proxy: px } = await faulty(() => (faults ? { kind: 'cut', afterBytes: Math.max(1, budget - px.bytes().down) } : { kind: 'pass' }));
    const failed = await clone(p.clone, 'origin', 'Tasks', { remote: { ...RETRYING, retries: 2 }, batchSize: 50 }).catch((error: Error) => error);
    expect(failed).not.toBeInstanceOf(Error);
    const report = (failed as Awaited<ReturnType<typeof clone>>).report;
    expect(report.outcome).toBe('error');
    expect(report.errors.at(-1)?.message).toMatch(/origin/);
    expect(report.errors.at(-1)?.message).not.toMatch(/\n\s+at /);
    expect(lastRun(p.clone)).toMatchObject({ kind: 'clone', outcome: 'error' });
    const kept = p.clone.countItems(p.clone.getTracker('Tasks').id);
    expect(kept).toBeGreaterThan(0);
    expect(kept).toBeLessThan(ITEMS);
    faults = false;
    const rest = await reload(p.clone, 'Tasks', { remote: RETRYING });
    expect(rest.counts).toMatchObject({ created: ITEMS - kept, errors: 0 });
    expectConverged(p);
  });

  it("a push's answers cut after the master applied them: the retries resend the same keys and bases, each item lands once", async () => {
    const random = seeded(11);
    let cutting = false;
    const { p, proxy: px } = await faulty(() => (cutting ? { kind: 'cut', afterBytes: 40 + Math.floor(random() * 20_000) } : { kind: 'pass' }));
    await clone(p.clone, 'origin', 'Tasks', { remote: RETRYING });
    const t = p.clone.getTracker('Tasks');
    p.clone.createItems(t.id, Array.from({ length: 60 }, (_, k) => ({ values: { title: `l${k}`, n: k } })), null);
    for (const item of p.clone.listItems(t.id).slice(0, 20)) p.clone.updateItem(t.id, item.id, { values: { n: -item.id } }, null);
    cutting = true;
    const before = px.connections();
    const report = await push(p.clone, 'Tasks', { remote: RETRYING, batchSize: 10 });
    expect(report.errors).toEqual([]);
    expect(report.outcome).toBe('success');
    expect(report.counts).toMatchObject({ created: 60, updated: 20, conflicts: 0, errors: 0 });
    // Answers were lost on the way: connections were cut and the client came back on new ones.
    expect(px.connections() - before).toBeGreaterThan(2);
    cutting = false;
    expect((await reload(p.clone, 'Tasks', { remote: RETRYING })).counts).toMatchObject({ conflicts: 0, errors: 0 });
    expectConverged(p);
  });
});

describe('connections reset or black-holed', () => {
  it('resets as requests start are retried: a push of new items and a reload go through, nothing doubled', async () => {
    // The first three connections after `from` are reset: one request retried three times.
    let from = Infinity;
    const { p, proxy: px } = await faulty((index) => (index >= from && index < from + 3 ? { kind: 'reset' } : { kind: 'pass' }));
    await clone(p.clone, 'origin', 'Tasks', { remote: RETRYING });
    const t = p.clone.getTracker('Tasks');
    p.clone.createItems(t.id, Array.from({ length: 30 }, (_, k) => ({ values: { title: `l${k}` } })), null);
    from = px.connections();
    expect((await push(p.clone, 'Tasks', { remote: RETRYING, batchSize: 5 })).counts).toMatchObject({ created: 30, errors: 0 });
    expect(px.connections() - from).toBeGreaterThanOrEqual(4);
    from = px.connections();
    p.master.store.createItems(p.tracker.id, [{ values: { title: 'from the master' } }], 'root');
    expect((await reload(p.clone, 'Tasks', { remote: RETRYING })).counts).toMatchObject({ created: 1, errors: 0 });
    expectConverged(p);
  });

  it('a black-holed remote fails the run after its timeout, with a clear error on record; nothing local is touched', async () => {
    let hole = false;
    const { p } = await faulty(() => (hole ? { kind: 'blackhole' } : { kind: 'pass' }));
    await clone(p.clone, 'origin', 'Tasks', { remote: RETRYING });
    const t = p.clone.getTracker('Tasks');
    const edited = p.clone.listItems(t.id)[3]!;
    p.clone.updateItem(t.id, edited.id, { values: { n: 424242 } }, null);
    const before = p.clone.listItems(t.id);
    hole = true;
    const started = Date.now();
    const report = await push(p.clone, 'Tasks', { remote: { retries: 1, timeoutMs: 800, backoffLimitMs: 100 } });
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(report.outcome).toBe('error');
    expect(report.errors.at(-1)?.message).toMatch(/origin|timed out|timeout/i);
    expect(lastRun(p.clone)).toMatchObject({ kind: 'push', outcome: 'error' });
    expect(p.clone.listItems(t.id)).toEqual(before);
    hole = false;
    expect((await push(p.clone, 'Tasks', { remote: RETRYING })).counts).toMatchObject({ updated: 1, errors: 0 });
    expect(p.master.store.listItems(p.tracker.id).find((i) => i.values.title === edited.values.title)?.values.n).toBe(424242);
    expectConverged(p);
  });
});
