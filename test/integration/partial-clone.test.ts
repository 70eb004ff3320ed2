/** Partial clones (DESIGN §12): `clone --where`, items moving in and out of the filter, `left` conflicts, and what a partial clone pushes. */
import { afterEach, describe, expect, it } from 'vitest';
import { ReplicaState } from '../../client/replica/index.js';
import { clone } from '../../client/sync/clone.js';
import { push } from '../../client/sync/push.js';
import { reload } from '../../client/sync/reload.js';
import { resolve } from '../../client/sync/resolve.js';
import { status } from '../../client/sync/status.js';
import { startServer } from '../../server/serve.js';
import { SqliteHub, type SqliteStore } from '../../server/store/index.js';
import { BadInput } from '../../shared/errors.js';
import { seededRandom } from '../../shared/random.js';
import { addRemote } from '../../client/sync/remotes.js';
import { PASSWORDS, tempStore } from '../helpers/instance.js';
import { FAST, type SyncPair, localEdit, localOf, masterAdd, masterEdit, startPair } from '../helpers/sync.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

async function pair(): Promise<SyncPair> {
  const p = await startPair({ simple: true });
  cleanups.push(() => p.close());
  return p;
}

/** The clone's live copies as remote id -> [status, values], to compare with the master's matching items. */
function copies(store: SqliteStore, tracker = 'Tasks'): Map<number, unknown> {
  const t = store.getTracker(tracker);
  const replicas = new ReplicaState(store);
  const out = new Map<number, unknown>();
  for (const item of store.listItems(t.id)) {
    const remoteId = replicas.itemState(item.id)?.remoteId;
    if (remoteId) out.set(remoteId, [item.status, item.values]);
  }
  return out;
}

function masterMatching(p: SyncPair, keep: (status: string, values: Record<string, unknown>) => boolean): Map<number, unknown> {
  return new Map(p.master.store.listItems(p.tracker.id).filter((i) => keep(i.status, i.values)).map((i) => [i.id, [i.status, i.values]]));
}

const run = (store: SqliteStore, tracker = 'Tasks') => reload(store, tracker, { remote: FAST });

describe('clone --where', () => {
  it('clones the matching items only, keeps the selector, and shows it in status', async () => {
    const p = await pair();
    const a = masterAdd(p, { title: 'a', n: 5 });
    masterAdd(p, { title: 'b', n: 1 });
    masterAdd(p, { title: 'c', n: 9 }, 'closed');
    const result = await clone(p.clone, 'origin', 'Tasks', { remote: FAST, where: '{"status": "open", "n": {"$gte": 3}}' });
    expect(result.where).toEqual({ status: 'open', n: { $gte: 3 } });
    expect(result.report.counts).toMatchObject({ seen: 1, created: 1 });
    expect([...copies(p.clone).keys()]).toEqual([a.id]);
    expect(status(p.clone, 'Tasks').tracker.where).toEqual({ status: 'open', n: { $gte: 3 } });
  });

  it('refuses a bad selector before anything is created, naming the part and why', async () => {
    const p = await pair();
    const bad = [
      ['{"n": {"$gte": "three"}}', /--where\.n\.\$gte: expected a finite number/],
      ['{"nmae": "x"}', /--where\.nmae: no such field/],
      ['{"labels": "z"}', /--where\.labels: "z" is not one of the options/],
      ['{"n": {"$regex": "1"}}', /--where\.n\.\$regex: unknown operator/],
      ['{"status": {"$gt": "open"}}', /status has no order/],
      ['{"$or": []}', /--where\.\$or: expected a non-empty list/],
      ['not json', /--where: not valid JSON/],
    ] as const;
    for (const [where, message] of bad) {
      const error = await clone(p.clone, 'origin', 'Tasks', { remote: FAST, where }).catch((e: unknown) => e);
      expect(error, where).toBeInstanceOf(BadInput);
      expect((error as Error).message, where).toMatch(message);
    }
    expect(p.clone.listTrackers()).toEqual([]);
  });
});

describe('items moving in and out of the filter', () => {
  it('an item that stops matching leaves without a delete pushed; one that starts matching arrives', async () => {
    const p = await pair();
    const a = masterAdd(p, { title: 'a' });
    const b = masterAdd(p, { title: 'b' }, 'closed');
    await clone(p.clone, 'origin', 'Tasks', { remote: FAST, where: '{"status": "open"}' });
    masterEdit(p, a.id, {}, 'closed');
    masterEdit(p, b.id, {}, 'open');
    const report = await run(p.clone);
    expect(report).toMatchObject({ outcome: 'success', left: 1, counts: { seen: 2, created: 1, deleted: 1, errors: 0 } });
    expect([...copies(p.clone).keys()]).toEqual([b.id]);
    // Nothing to push: the copy that left is not a local delete.
    const pushed = await push(p.clone, 'Tasks', { remote: FAST });
    expect(pushed.counts.seen).toBe(0);
    expect(p.master.store.getItem(p.tracker.id, a.id)?.status).toBe('closed');
    // Changes of items the clone never had are ignored, not counted.
    masterEdit(p, a.id, { title: 'a, still closed' });
    expect((await run(p.clone)).counts).toMatchObject({ seen: 0 });
  });

  it('an item edited here that leaves becomes a conflict of kind left; take remote drops it, take local keeps the edit, which is pushed and leaves after', async () => {
    const p = await pair();
    const a = masterAdd(p, { title: 'a' });
    const b = masterAdd(p, { title: 'b' });
    await clone(p.clone, 'origin', 'Tasks', { remote: FAST, where: '{"status": "open"}' });
    localEdit(p, a.id, { notes: 'mine' });
    localEdit(p, b.id, { notes: 'mine too' });
    masterEdit(p, a.id, {}, 'closed');
    masterEdit(p, b.id, {}, 'closed');
    const report = await run(p.clone);
    expect(report.counts).toMatchObject({ seen: 2, conflicts: 2, deleted: 0 });
    const conflicts = status(p.clone, 'Tasks').conflicts;
    expect(conflicts.map((c) => c.kind)).toEqual(['left', 'left']);
    expect(conflicts[0]!.fields.map((f) => f.name)).toEqual(['notes']);

    const [la, lb] = [localOf(p, a.id), localOf(p, b.id)];
    expect(resolve(p.clone, 'Tasks', la.id, { take: 'remote' }).action).toBe('dropped');
    expect(p.clone.getItem(la.trackerId, la.id)).toBeUndefined();
    expect(resolve(p.clone, 'Tasks', lb.id, { take: 'local' }).action).toBe('kept-local');
    const pushed = await push(p.clone, 'Tasks', { remote: FAST });
    expect(pushed.counts).toMatchObject({ seen: 1, updated: 1 });
    expect(p.master.store.getItem(p.tracker.id, b.id)?.values.notes).toBe('mine too');
    expect(p.master.store.getItem(p.tracker.id, a.id)?.values.notes).toBeUndefined();
    // Still closed on the remote: after the push it leaves, as a clean copy.
    expect(await run(p.clone)).toMatchObject({ left: 1, counts: { conflicts: 0 } });
    expect(copies(p.clone).size).toBe(0);
  });

  it('a new local item that does not match is pushed, then leaves on the next reload, with a warning each time', async () => {
    const p = await pair();
    masterAdd(p, { title: 'open one' });
    await clone(p.clone, 'origin', 'Tasks', { remote: FAST, where: '{"status": "open"}' });
    const t = p.clone.getTracker('Tasks');
    const mine = p.clone.createItem(t.id, { status: 'closed', values: { title: 'closed here' } }, null);
    const pushed = await push(p.clone, 'Tasks', { remote: FAST });
    expect(pushed).toMatchObject({ outcome: 'warning', counts: { created: 1 } });
    expect((pushed.warnings as string[]).join()).toMatch(new RegExp(`item ${mine.id} does not match this clone's filter`));
    const report = await run(p.clone);
    expect(report).toMatchObject({ outcome: 'warning', left: 1 });
    expect((report.warnings as string[]).join()).toMatch(new RegExp(`item ${mine.id} was pushed from here but does not match`));
    expect(p.clone.getItem(t.id, mine.id)).toBeUndefined();
    expect(p.master.store.listItems(p.tracker.id).map((i) => i.values.title)).toEqual(['open one', 'closed here']);
  });

  it('two clones of one master with different filters stay exact while items move in and out of both', async () => {
    const p = await pair();
    const second = tempStore();
    cleanups.push(() => second.cleanup());
    addRemote(second.store, { name: 'origin', url: p.master.url, user: 'root', password: PASSWORDS.root });
    const random = seededRandom(15);
    const pick = <T>(xs: readonly T[]) => xs[Math.floor(random() * xs.length)]!;
    const ids = Array.from({ length: 12 }, (_, i) => masterAdd(p, { title: `t${i}`, n: i % 5, labels: [pick(['a', 'b', 'c'])] }, pick(['open', 'closed'])).id);
    const openOnes = (s: string) => s === 'open';
    const labelled = (_s: string, v: Record<string, unknown>) => Array.isArray(v.labels) && (v.labels.includes('a') || (typeof v.n === 'number' && v.n >= 3));
    await clone(p.clone, 'origin', 'Tasks', { remote: FAST, where: '{"status": "open"}' });
    await clone(second.store, 'origin', 'Tasks', { remote: FAST, where: '{"$or": [{"labels": "a"}, {"n": {"$gte": 3}}]}' });
    for (let round = 0; round < 6; round += 1) {
      for (let k = 0; k < 5; k += 1) {
        const id = pick(ids);
        masterEdit(p, id, { labels: [pick(['a', 'b', 'c', 'd'])], n: Math.floor(random() * 5), title: `t${id} r${round}` }, pick(['open', 'pending', 'closed']));
      }
      if (round === 3) p.master.store.deleteItems(p.tracker.id, [ids.pop()!], 'root');
      ids.push(masterAdd(p, { title: `new ${round}`, labels: ['a'] }, pick(['open', 'closed'])).id);
      for (const store of [p.clone, second.store]) expect((await run(store)).counts.errors).toBe(0);
      expect(copies(p.clone), `round ${round}, open`).toEqual(masterMatching(p, openOnes));
      expect(copies(second.store), `round ${round}, labelled`).toEqual(masterMatching(p, labelled));
    }
  });
});

describe('a filtered clone of a clone', () => {
  it("follows its own filter over what the middle clone holds, itself a partial clone: items leave the one, then the other", async () => {
    const p = await pair();
    for (const [title, n, st] of [['a', 1, 'open'], ['b', 4, 'open'], ['c', 5, 'closed'], ['d', 7, 'open']] as const) masterAdd(p, { title, n }, st);
    await clone(p.clone, 'origin', 'Tasks', { remote: FAST, where: '{"status": "open"}' });
    await p.clone.addUser('bee', 'bee-pw', { admin: true });
    const middle = await startServer({ store: new SqliteHub(p.clone), port: 0 });
    cleanups.push(() => middle.close());
    const last = tempStore();
    cleanups.push(() => last.cleanup());
    addRemote(last.store, { name: 'middle', url: middle.url, user: 'bee', password: 'bee-pw' });
    await clone(last.store, 'middle', 'Tasks', { remote: FAST, where: '{"n": {"$gte": 3}}' });
    const titles = (store: SqliteStore) => store.listItems(store.getTracker('Tasks').id).map((i) => i.values.title).sort();
    expect(titles(p.clone)).toEqual(['a', 'b', 'd']);
    expect(titles(last.store)).toEqual(['b', 'd']);

    const byTitle = (title: string) => p.master.store.listItems(p.tracker.id).find((i) => i.values.title === title)!;
    masterEdit(p, byTitle('b').id, {}, 'closed'); // leaves the middle clone, so the last one too
    masterEdit(p, byTitle('a').id, { n: 9 }); // now matches the last clone's filter
    masterEdit(p, byTitle('c').id, {}, 'open'); // enters both
    await run(p.clone);
    const report = await run(last.store);
    expect(report.counts).toMatchObject({ errors: 0, conflicts: 0 });
    expect(titles(p.clone)).toEqual(['a', 'c', 'd']);
    expect(titles(last.store)).toEqual(['a', 'c', 'd']);
    // A local edit in the last clone travels up to the master through the middle one.
    const d = last.store.listItems(last.store.getTracker('Tasks').id).find((i) => i.values.title === 'd')!;
    last.store.updateItem(d.trackerId, d.id, { values: { notes: 'from the end' } }, null);
    expect((await push(last.store, 'Tasks', { remote: FAST })).counts).toMatchObject({ updated: 1 });
    expect((await push(p.clone, 'Tasks', { remote: FAST })).counts).toMatchObject({ updated: 1 });
    expect(byTitle('d').values.notes).toBe('from the end');
  });
});
