import { afterEach, describe, expect, it } from 'vitest';
import { clone } from '../../client/sync/clone.js';
import { push } from '../../client/sync/push.js';
import { addRemote } from '../../client/sync/remotes.js';
import { ReplicaState } from '../../client/replica/index.js';
import { status } from '../../client/sync/status.js';
import { PASSWORDS, startInstance, tempStore } from '../helpers/instance.js';
import { startProxy } from '../helpers/proxy.js';
import { FAST, type SyncPair, localEdit, localOf, masterAdd, masterEdit, startPair } from '../helpers/sync.js';

let pair: SyncPair | undefined;

afterEach(async () => {
  await pair?.close();
  pair = undefined;
});

async function cloned(options: Parameters<typeof startPair>[0] = { simple: true }): Promise<SyncPair> {
  pair = await startPair(options);
  return pair;
}

const master = (p: SyncPair, id: number) => p.master.store.getItem(p.tracker.id, id, { includeDeleted: true })!;
const localTracker = (p: SyncPair) => p.clone.getTracker(p.tracker.name);
const NOTES = 'one\ntwo\nthree\nfour\nfive\n';

describe('push: the status pseudo-field', () => {
  it('a local status change goes with its base and keeps a remote change of another field', async () => {
    const p = await cloned();
    const a = masterAdd(p, { title: 'a' });
    await clone(p.clone, 'origin', p.tracker.name, { remote: FAST });
    masterEdit(p, a.id, { n: 7 });
    localEdit(p, a.id, {}, 'closed');
    const report = await push(p.clone, p.tracker.name, { remote: FAST });
    expect(report.counts).toMatchObject({ seen: 1, updated: 1, conflicts: 0 });
    expect(master(p, a.id)).toMatchObject({ status: 'closed', values: { title: 'a', n: 7 } });
    expect(localOf(p, a.id)).toMatchObject({ status: 'closed', values: { title: 'a', n: 7 } });
  });

  it('a status changed on both sides to different values is a conflict on status; the master keeps its status', async () => {
    const p = await cloned();
    const a = masterAdd(p, { title: 'a' });
    await clone(p.clone, 'origin', p.tracker.name, { remote: FAST });
    masterEdit(p, a.id, {}, 'pending');
    localEdit(p, a.id, {}, 'closed');
    const report = await push(p.clone, p.tracker.name, { remote: FAST });
    expect(report.counts).toMatchObject({ seen: 1, conflicts: 1, updated: 0 });
    expect(master(p, a.id).status).toBe('pending');
    expect(status(p.clone, p.tracker.name).conflicts).toEqual([
      { id: localOf(p, a.id).id, kind: 'fields', fields: [{ name: 'status', base: 'open', local: 'closed', remote: 'pending' }] },
    ]);
  });
});

describe('push: conflict answers are applied three-way', () => {
  it('nothing of a conflicting item is written; remote changes of other fields are taken locally and the conflict is stored', async () => {
    const p = await cloned();
    const a = masterAdd(p, { title: 'a', n: 1, notes: NOTES });
    await clone(p.clone, 'origin', p.tracker.name, { remote: FAST });
    masterEdit(p, a.id, { n: 10, labels: ['a'] });
    localEdit(p, a.id, { n: 20, title: 'mine' });
    const versionBefore = master(p, a.id).version;
    const report = await push(p.clone, p.tracker.name, { remote: FAST });
    expect(report.counts).toMatchObject({ seen: 1, conflicts: 1 });
    // The title change did not conflict, yet it was not written: the item conflicted as a whole.
    expect(master(p, a.id)).toMatchObject({ version: versionBefore, values: { title: 'a', n: 10, labels: ['a'] } });
    expect(localOf(p, a.id).values).toEqual({ title: 'mine', n: 20, labels: ['a'], notes: NOTES });
    expect(status(p.clone, p.tracker.name).conflicts[0]!.fields).toEqual([{ name: 'n', base: 1, local: 20, remote: 10 }]);
  });

  it('a conflict answer that merges cleanly (textarea lines) counts merged, stays to push, and the next push sends the merge', async () => {
    const p = await cloned();
    const a = masterAdd(p, { title: 'a', notes: NOTES });
    await clone(p.clone, 'origin', p.tracker.name, { remote: FAST });
    masterEdit(p, a.id, { notes: NOTES.replace('five', 'FIVE (remote)') });
    localEdit(p, a.id, { notes: NOTES.replace('one', 'ONE (local)'), n: 3 });
    const merged = 'ONE (local)\ntwo\nthree\nfour\nFIVE (remote)\n';

    const first = await push(p.clone, p.tracker.name, { remote: FAST });
    expect(first.counts).toMatchObject({ seen: 1, merged: 1, conflicts: 0, updated: 0 });
    expect(master(p, a.id).values).toEqual({ title: 'a', notes: NOTES.replace('five', 'FIVE (remote)') });
    expect(localOf(p, a.id).values).toEqual({ title: 'a', notes: merged, n: 3 });
    expect(status(p.clone, p.tracker.name).modified.map((i) => i.id)).toEqual([localOf(p, a.id).id]);

    const second = await push(p.clone, p.tracker.name, { remote: FAST });
    expect(second.counts).toMatchObject({ seen: 1, updated: 1 });
    expect(master(p, a.id).values).toEqual({ title: 'a', notes: merged, n: 3 });
    expect(status(p.clone, p.tracker.name).modified).toEqual([]);
  });
});

describe('push: deletions against edits', () => {
  it('a local delete of an item the remote changed is a local-deleted conflict; --overwrite then deletes it', async () => {
    const p = await cloned();
    const b = masterAdd(p, { title: 'b' });
    await clone(p.clone, 'origin', p.tracker.name, { remote: FAST });
    const id = localOf(p, b.id).id;
    p.clone.deleteItems(localTracker(p).id, [id], null);
    masterEdit(p, b.id, { n: 5 });
    const report = await push(p.clone, p.tracker.name, { remote: FAST });
    expect(report.counts).toMatchObject({ seen: 1, conflicts: 1, deleted: 0 });
    expect(master(p, b.id)).toMatchObject({ deleted: false, values: { n: 5 } });
    expect(status(p.clone, p.tracker.name).conflicts.map((c) => [c.id, c.kind])).toEqual([[id, 'local-deleted']]);

    const forced = await push(p.clone, p.tracker.name, { items: [id], overwrite: true, remote: FAST });
    expect(forced.counts).toMatchObject({ seen: 1, deleted: 1 });
    expect(master(p, b.id).deleted).toBe(true);
    expect(status(p.clone, p.tracker.name).conflicts).toEqual([]);
  });

  it('an edit of an item the remote deleted is a remote-deleted conflict; --overwrite creates it again with the local values', async () => {
    const p = await cloned();
    const a = masterAdd(p, { title: 'a', n: 1 });
    await clone(p.clone, 'origin', p.tracker.name, { remote: FAST });
    const id = localOf(p, a.id).id;
    p.master.store.deleteItems(p.tracker.id, [a.id], 'root');
    localEdit(p, a.id, { n: 2 });
    const report = await push(p.clone, p.tracker.name, { remote: FAST });
    expect(report.counts).toMatchObject({ seen: 1, conflicts: 1 });
    expect(status(p.clone, p.tracker.name).conflicts.map((c) => [c.id, c.kind])).toEqual([[id, 'remote-deleted']]);
    expect(p.master.store.listItems(p.tracker.id)).toEqual([]);

    const forced = await push(p.clone, p.tracker.name, { items: [id], overwrite: true, remote: FAST });
    expect(forced.counts).toMatchObject({ seen: 1, created: 1 });
    const [again] = p.master.store.listItems(p.tracker.id);
    expect(again).toMatchObject({ values: { title: 'a', n: 2 } });
    expect(again!.id).not.toBe(a.id);
    expect(new ReplicaState(p.clone).itemState(id)).toMatchObject({ remoteId: again!.id, conflict: null });
  });
});

describe('push: what the remote cannot take', () => {
  it('a local edit of a transformed itemlink is an item error naming the field; the item\'s other changes still go', async () => {
    const p = await cloned({});
    const people = p.master.store.getTracker('People');
    const [ann] = p.master.store.createItems(people.id, [{ values: { fullname: 'Ann' } }, { values: { fullname: 'Bob' } }], 'root');
    const bug = masterAdd(p, { title: 'bug', person: ann!.id, estimate: 1 });
    await clone(p.clone, 'origin', p.tracker.name, { remote: FAST });
    expect(localOf(p, bug.id).values.person).toBe('Ann');
    localEdit(p, bug.id, { person: 'Bob', estimate: 2 });

    const dry = await push(p.clone, p.tracker.name, { dryRun: true, remote: FAST });
    const report = await push(p.clone, p.tracker.name, { remote: FAST });
    expect(report.counts).toEqual(dry.counts);
    expect(report.counts).toMatchObject({ seen: 1, errors: 1, updated: 0 });
    expect(report.errors).toEqual([{ id: localOf(p, bug.id).id, message: expect.stringMatching(/field person \(an itemlink cloned as text.*cannot be pushed.*other changes: updated/) }]);
    expect(master(p, bug.id).values).toMatchObject({ person: ann!.id, estimate: 2 });
    expect(localOf(p, bug.id).values).toMatchObject({ person: 'Bob', estimate: 2 });

    // Nothing else left to send: the field is reported again and nothing is written.
    const version = master(p, bug.id).version;
    const again = await push(p.clone, p.tracker.name, { remote: FAST });
    expect(again.counts).toMatchObject({ seen: 1, errors: 1 });
    expect(again.errors[0]!.message).toMatch(/field person/);
    expect(master(p, bug.id).version).toBe(version);
  });

  it('a new item is created without its itemlink text, and the field is reported as its error', async () => {
    const p = await cloned({});
    await clone(p.clone, 'origin', p.tracker.name, { remote: FAST });
    const mine = p.clone.createItem(localTracker(p).id, { values: { title: 'new bug', person: 'Somebody' } }, null);
    const report = await push(p.clone, p.tracker.name, { remote: FAST });
    expect(report.counts).toMatchObject({ seen: 1, errors: 1, created: 0 });
    expect(report.errors[0]).toEqual({ id: mine.id, message: expect.stringMatching(/field person .*other changes: created/) });
    const created = p.master.store.listItems(p.tracker.id);
    expect(created).toHaveLength(1);
    expect(created[0]!.values).toMatchObject({ title: 'new bug' });
    expect(created[0]!.values.person).toBeUndefined();
    expect(new ReplicaState(p.clone).itemState(mine.id)?.remoteId).toBe(created[0]!.id);
  });

  it('a change the remote rejects keeps the local change, reports the reason, and goes through (same create key) once the remote accepts it', async () => {
    const p = await cloned();
    const a = masterAdd(p, { title: 'a' });
    await clone(p.clone, 'origin', p.tracker.name, { remote: FAST });
    localEdit(p, a.id, { labels: ['d'] });
    const mine = p.clone.createItem(localTracker(p).id, { values: { title: 'new', labels: ['d'] } }, null);
    const fields = p.master.store.getTracker(p.tracker.id).fields;
    const withoutD = fields.map((f) => (f.name === 'labels' ? { ...f, options: ['a', 'b', 'c'] } : f));
    p.master.store.setTrackerFields(p.tracker.id, withoutD);

    const refused = await push(p.clone, p.tracker.name, { remote: FAST });
    expect(refused.counts).toMatchObject({ seen: 2, errors: 2, created: 0, updated: 0 });
    for (const error of refused.errors) expect(error.message).toMatch(/the remote refused .*labels/);
    expect(refused.errors.map((e) => e.id).sort()).toEqual([localOf(p, a.id).id, mine.id].sort());
    expect(p.master.store.listItems(p.tracker.id).map((i) => i.values)).toEqual([{ title: 'a' }]);
    expect(localOf(p, a.id).values.labels).toEqual(['d']);
    const key = new ReplicaState(p.clone).itemState(mine.id)!.createKey;
    expect(key).toMatch(/^[0-9A-Z]{26}$/);

    p.master.store.setTrackerFields(p.tracker.id, fields);
    const accepted = await push(p.clone, p.tracker.name, { remote: FAST });
    expect(accepted.counts).toMatchObject({ seen: 2, created: 1, updated: 1, errors: 0 });
    const onMaster = p.master.store.listItems(p.tracker.id).map((i) => i.values);
    expect(onMaster).toEqual([{ title: 'a', labels: ['d'] }, { title: 'new', labels: ['d'] }]);
    const keys = p.master.store.db.prepare('SELECT key FROM idempotency_keys').all() as { key: string }[];
    expect(keys.map((k) => k.key)).toEqual([key]);
  });
});

describe('push: the remote body limit', () => {
  it('a batch over the limit is sent in halves until it fits; an item alone over it is that item\'s error, the others go', async () => {
    const master = await startInstance({ bodyLimit: '4kb' });
    const proxy = await startProxy(master.url);
    const cl = tempStore();
    try {
      const tracker = master.store.createTracker({ name: 'Notes', fields: [{ name: 'title', type: 'text', required: true }, { name: 'notes', type: 'textarea' }] });
      await master.store.addUser('root', PASSWORDS.root, { admin: true });
      addRemote(cl.store, { name: 'origin', url: proxy.url, user: 'root', password: PASSWORDS.root });
      await clone(cl.store, 'origin', 'Notes', { remote: FAST });
      const t = cl.store.getTracker('Notes');
      const items = cl.store.createItems(t.id, Array.from({ length: 20 }, (_, i) => ({ values: { title: `n${i}`, notes: `${i} `.repeat(250) } })), null);
      const huge = cl.store.createItem(t.id, { values: { title: 'huge', notes: 'x'.repeat(8000) } }, null);
      const posts = proxy.count('POST');

      const report = await push(cl.store, 'Notes', { batchSize: 21, remote: FAST });
      expect(report.counts).toMatchObject({ seen: 21, created: 20, errors: 1 });
      expect(report.errors).toEqual([{ id: huge.id, message: expect.stringMatching(/request too large/) }]);
      expect(report.requests).toBe(proxy.count('POST') - posts);
      expect(report.requests).toBeGreaterThan(3);
      expect(master.store.listItems(tracker.id).map((i) => i.values.title)).toEqual(items.map((i) => i.values.title));
    } finally {
      cl.cleanup();
      await proxy.close();
      await master.close();
    }
  });
});
