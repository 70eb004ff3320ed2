import { afterEach, describe, expect, it } from 'vitest';
import { clone } from '../../client/sync/clone.js';
import { push } from '../../client/sync/push.js';
import { reload } from '../../client/sync/reload.js';
import { addRemote } from '../../client/sync/remotes.js';
import { ReplicaState } from '../../client/replica/index.js';
import { status } from '../../client/sync/status.js';
import { SqliteHub, type SqliteStore } from '../../server/store/index.js';
import { startServer } from '../../server/serve.js';
import { PASSWORDS, tempStore } from '../helpers/instance.js';
import { FAST, localEdit, localOf, masterAdd, masterEdit, startPair } from '../helpers/sync.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

/** Items by title with their status and values, to compare instances whose ids differ. */
function contents(store: SqliteStore, trackerName: string): Record<string, { status: string; values: unknown }> {
  const tracker = store.getTracker(trackerName);
  return Object.fromEntries(store.listItems(tracker.id).map((i) => [i.values.title as string, { status: i.status, values: i.values }]));
}

async function cloneOf(url: string, remote: string, user: string, password: string, tracker: string): Promise<SqliteStore> {
  const instance = tempStore();
  cleanups.push(() => instance.cleanup());
  addRemote(instance.store, { name: remote, url, user, password });
  await clone(instance.store, remote, tracker, { remote: FAST });
  return instance.store;
}

describe('a clone serves what it cloned', () => {
  it('A <- B <- C: C\'s update, create and delete become B\'s local changes (B\'s base stays), B pushes them to A, and a reload of another clone of A sees them', async () => {
    const p = await startPair({ simple: true });
    cleanups.push(() => p.close());
    const a1 = masterAdd(p, { title: 'a1', n: 1 });
    masterAdd(p, { title: 'a2' });
    const a3 = masterAdd(p, { title: 'a3' });
    const name = p.tracker.name;
    await clone(p.clone, 'origin', name, { remote: FAST });
    const b = p.clone;
    const d = await cloneOf(p.master.url, 'origin', 'root', PASSWORDS.root, name);
    await b.addUser('bee', 'bee-pw', { admin: true });
    const bServer = await startServer({ store: new SqliteHub(b), port: 0 });
    cleanups.push(() => bServer.close());
    const c = await cloneOf(bServer.url, 'b', 'bee', 'bee-pw', name);

    const ct = c.getTracker(name);
    const cItems = new Map(c.listItems(ct.id).map((i) => [i.values.title, i]));
    c.updateItem(ct.id, cItems.get('a1')!.id, { values: { n: 42 }, status: 'pending' }, null);
    c.createItem(ct.id, { values: { title: 'from C' } }, null);
    c.deleteItems(ct.id, [cItems.get('a3')!.id], null);
    const toB = await push(c, name, { remote: FAST });
    expect(toB.counts).toMatchObject({ seen: 3, created: 1, updated: 1, deleted: 1, conflicts: 0, errors: 0 });

    // On B the pushed changes are local changes of the clone; what B agreed with A is untouched.
    const bBase = new ReplicaState(b).itemByRemoteId(b.getTracker(name).id, a1.id)!;
    expect(bBase).toMatchObject({ baseVersion: 1, base: { status: 'open', values: { title: 'a1', n: 1 } } });
    const bStatus = status(b, name);
    expect(bStatus.modified.map((i) => [i.status, i.values])).toEqual([['pending', { title: 'a1', n: 42 }]]);
    expect(bStatus.new.map((i) => i.values)).toEqual([{ title: 'from C' }]);
    expect(bStatus.deleted.map((i) => i.id)).toEqual([localOf(p, a3.id).id]);
    expect(p.master.store.getItem(p.tracker.id, a1.id)!.values.n).toBe(1);

    const toA = await push(b, name, { remote: FAST });
    expect(toA.counts).toMatchObject({ seen: 3, created: 1, updated: 1, deleted: 1, conflicts: 0, errors: 0 });
    expect(p.master.store.getItem(p.tracker.id, a3.id)).toBeUndefined();

    const seenOnD = await reload(d, name, { remote: FAST });
    expect(seenOnD.counts).toMatchObject({ created: 1, updated: 1, deleted: 1, conflicts: 0 });
    const onA = contents(p.master.store, name);
    expect(onA).toEqual({
      a1: { status: 'pending', values: { title: 'a1', n: 42 } },
      a2: { status: 'open', values: { title: 'a2' } },
      'from C': { status: 'open', values: { title: 'from C' } },
    });
    expect(contents(d, name)).toEqual(onA);
    expect(contents(b, name)).toEqual(onA);

    // C, reloading from B, finds its own changes come back with nothing to merge.
    const back = await reload(c, name, { remote: FAST });
    expect(back.counts).toMatchObject({ conflicts: 0, created: 0, updated: 0, deleted: 0, errors: 0 });
    expect(contents(c, name)).toEqual(onA);
  });

  it('a push from C over a change B made meanwhile is a conflict on C and leaves B\'s value', async () => {
    const p = await startPair({ simple: true });
    cleanups.push(() => p.close());
    const a1 = masterAdd(p, { title: 'a1', n: 1 });
    const name = p.tracker.name;
    await clone(p.clone, 'origin', name, { remote: FAST });
    await p.clone.addUser('bee', 'bee-pw', { admin: true });
    const bServer = await startServer({ store: new SqliteHub(p.clone), port: 0 });
    cleanups.push(() => bServer.close());
    const c = await cloneOf(bServer.url, 'b', 'bee', 'bee-pw', name);
    localEdit(p, a1.id, { n: 2 });
    const ct = c.getTracker(name);
    c.updateItem(ct.id, c.listItems(ct.id)[0]!.id, { values: { n: 3 } }, null);
    const report = await push(c, name, { remote: FAST });
    expect(report.counts).toMatchObject({ seen: 1, conflicts: 1 });
    expect(localOf(p, a1.id).values.n).toBe(2);
    expect(status(c, name).conflicts[0]!.fields).toEqual([{ name: 'n', base: 1, local: 3, remote: 2 }]);
    masterEdit(p, a1.id, { title: 'renamed on A' });
    const bToA = await push(p.clone, name, { remote: FAST });
    expect(bToA.counts).toMatchObject({ seen: 1, updated: 1 });
    expect(p.master.store.getItem(p.tracker.id, a1.id)!.values).toEqual({ title: 'renamed on A', n: 2 });
  });
});
