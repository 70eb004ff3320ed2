import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { clone } from '../../client/sync/clone.js';
import { reload } from '../../client/sync/reload.js';
import { ReplicaState } from '../../client/replica/index.js';
import { resolve } from '../../client/sync/resolve.js';
import { status } from '../../client/sync/status.js';
import { FAST, type SyncPair, localEdit, localOf, masterAdd, masterEdit, startPair } from '../helpers/sync.js';

let pair: SyncPair;
afterEach(async () => {
  await pair?.close();
});

const ids = (list: { id: number }[]) => list.map((i) => i.id);
const syncOf = (localId: number) => new ReplicaState(pair.clone).itemState(localId);

/** A clone of Tasks whose item `remoteId` has a conflict on title (base/mine/theirs) and on n (1/10/20). */
async function conflicted(): Promise<{ remoteId: number; localId: number; trackerId: number }> {
  pair = await startPair({ simple: true });
  const item = masterAdd(pair, { title: 'base', n: 1 });
  const { tracker } = await clone(pair.clone, 'origin', 'Tasks', { remote: FAST });
  localEdit(pair, item.id, { title: 'mine', n: 10 });
  masterEdit(pair, item.id, { title: 'theirs', n: 20 });
  await reload(pair.clone, 'Tasks', { remote: FAST });
  return { remoteId: item.id, localId: localOf(pair, item.id).id, trackerId: tracker.id };
}

describe('status', () => {
  it('lists new, modified, deleted and conflicting items, each in one list only, derived from the base', async () => {
    pair = await startPair({ simple: true });
    const [same, modified, deleted, clash, reverted] = ['same', 'modified', 'deleted', 'clash', 'reverted'].map((title) => masterAdd(pair, { title }));
    const { tracker } = await clone(pair.clone, 'origin', 'Tasks', { remote: FAST });
    const fresh = pair.clone.createItem(tracker.id, { values: { title: 'new here' } }, null);
    const gone = pair.clone.createItem(tracker.id, { values: { title: 'new then deleted' } }, null);
    pair.clone.deleteItems(tracker.id, [gone.id], null);
    localEdit(pair, modified!.id, { title: 'modified here' });
    pair.clone.deleteItems(tracker.id, [localOf(pair, deleted!.id).id], null);
    localEdit(pair, clash!.id, { title: 'mine' });
    masterEdit(pair, clash!.id, { title: 'theirs' });
    localEdit(pair, reverted!.id, { title: 'changed' });
    localEdit(pair, reverted!.id, { title: 'reverted' });
    await reload(pair.clone, 'Tasks', { remote: FAST });

    const result = status(pair.clone, 'Tasks');
    expect(result.tracker).toMatchObject({ id: tracker.id, name: 'Tasks', remote: 'origin' });
    expect(ids(result.new)).toEqual([fresh.id]);
    expect(ids(result.modified)).toEqual([localOf(pair, modified!.id).id]);
    expect(result.modified[0]).toMatchObject({ status: 'open', values: { title: 'modified here' }, version: 2 });
    expect(ids(result.deleted)).toEqual([localOf(pair, deleted!.id).id]);
    expect(result.conflicts).toEqual([{ id: localOf(pair, clash!.id).id, kind: 'fields', fields: [{ name: 'title', base: 'clash', local: 'mine', remote: 'theirs' }] }]);
    const listed = [...ids(result.new), ...ids(result.modified), ...ids(result.deleted), ...ids(result.conflicts)];
    expect(listed).not.toContain(localOf(pair, same!.id).id);
    expect(listed).not.toContain(localOf(pair, reverted!.id).id);
  });

  it('shows the fields the other side edited for a delete/edit conflict', async () => {
    pair = await startPair({ simple: true });
    const item = masterAdd(pair, { title: 'x', n: 1 });
    await clone(pair.clone, 'origin', 'Tasks', { remote: FAST });
    localEdit(pair, item.id, { n: 2 });
    pair.master.store.deleteItems(pair.tracker.id, [item.id], 'root');
    await reload(pair.clone, 'Tasks', { remote: FAST });
    expect(status(pair.clone, 'Tasks').conflicts).toEqual([{ id: localOf(pair, item.id).id, kind: 'remote-deleted', fields: [{ name: 'n', base: 1, local: 2, remote: null }] }]);
  });

  it('refuses a tracker that is not a clone', async () => {
    pair = await startPair({ simple: true });
    pair.clone.createTracker({ name: 'Local', fields: [{ name: 'title', type: 'text' }] });
    expect(() => status(pair.clone, 'Local')).toThrow(/not a clone/);
  });
});

describe('resolve a field conflict', () => {
  let ctx: Awaited<ReturnType<typeof conflicted>>;
  beforeEach(async () => {
    ctx = await conflicted();
  });

  it('take local keeps the local value and makes the remote value the base, so push sends it against what the remote holds', () => {
    const result = resolve(pair.clone, 'Tasks', ctx.localId, { field: 'title', take: 'local' });
    expect(result).toMatchObject({ action: 'fields', resolved: ['title'], remaining: ['n'] });
    expect(localOf(pair, ctx.remoteId).values.title).toBe('mine');
    const sync = syncOf(ctx.localId);
    expect(sync?.base?.values.title).toBe('theirs');
    expect(sync?.conflict).toMatchObject({ kind: 'fields', fields: [{ name: 'n' }] });
  });

  it('take remote writes the remote value locally; with no conflicting field left the conflict is cleared and the item is clean', () => {
    resolve(pair.clone, 'Tasks', ctx.localId, { field: 'title', take: 'remote' });
    const last = resolve(pair.clone, 'Tasks', ctx.localId, { field: 'n', take: 'remote' });
    expect(last.remaining).toEqual([]);
    expect(localOf(pair, ctx.remoteId).values).toEqual({ title: 'theirs', n: 20 });
    expect(syncOf(ctx.localId)?.conflict).toBeNull();
    const now = status(pair.clone, 'Tasks');
    expect([now.new, now.modified, now.deleted, now.conflicts].flat()).toEqual([]);
  });

  it('take base goes back to the old base value, to be pushed against the remote value', () => {
    resolve(pair.clone, 'Tasks', ctx.localId, { take: 'base' });
    expect(localOf(pair, ctx.remoteId).values).toEqual({ title: 'base', n: 1 });
    expect(syncOf(ctx.localId)?.base?.values).toEqual({ title: 'theirs', n: 20 });
    expect(ids(status(pair.clone, 'Tasks').modified)).toEqual([ctx.localId]);
  });

  it('take value parses the text per field type and validates it, changing nothing when it is bad', () => {
    expect(() => resolve(pair.clone, 'Tasks', ctx.localId, { field: 'n', take: 'value', value: 'twelve' })).toThrow(/invalid value for "n"/);
    expect(syncOf(ctx.localId)?.conflict?.kind).toBe('fields');
    resolve(pair.clone, 'Tasks', ctx.localId, { field: 'n', take: 'value', value: '12.5' });
    expect(localOf(pair, ctx.remoteId).values.n).toBe(12.5);
    expect(syncOf(ctx.localId)?.base?.values.n).toBe(20);
  });

  it('without --field resolves every conflicting field the same way, but a value needs a field', () => {
    expect(() => resolve(pair.clone, 'Tasks', ctx.localId, { take: 'value', value: 'x' })).toThrow(/--field/);
    const result = resolve(pair.clone, 'Tasks', ctx.localId, { take: 'local' });
    expect(result.resolved).toEqual(['title', 'n']);
    expect(syncOf(ctx.localId)?.conflict).toBeNull();
    expect(ids(status(pair.clone, 'Tasks').modified)).toEqual([ctx.localId]);
  });

  it('after take local, a later reload keeps the choice, and a new remote edit of that field is a new conflict', async () => {
    resolve(pair.clone, 'Tasks', ctx.localId, { take: 'local' });
    masterEdit(pair, ctx.remoteId, { n: 20 }, 'pending');
    await reload(pair.clone, 'Tasks', { remote: FAST });
    expect(localOf(pair, ctx.remoteId)).toMatchObject({ status: 'pending', values: { title: 'mine', n: 10 } });
    expect(syncOf(ctx.localId)?.conflict).toBeNull();
    masterEdit(pair, ctx.remoteId, { title: 'theirs again' });
    await reload(pair.clone, 'Tasks', { remote: FAST });
    expect(syncOf(ctx.localId)?.conflict).toMatchObject({ fields: [{ name: 'title', base: 'theirs', local: 'mine', remote: 'theirs again' }] });
  });

  it('refuses an unknown item, an item without conflict, an unknown field and a field not in conflict, with clear errors', () => {
    expect(() => resolve(pair.clone, 'Tasks', 999, { take: 'local' })).toThrow(expect.objectContaining({ code: 'not_found', message: expect.stringMatching(/unknown item 999/) }));
    const other = pair.clone.createItem(ctx.trackerId, { values: { title: 'calm' } }, null);
    expect(() => resolve(pair.clone, 'Tasks', other.id, { take: 'local' })).toThrow(expect.objectContaining({ code: 'bad_input', message: expect.stringMatching(/no conflict/) }));
    expect(() => resolve(pair.clone, 'Tasks', ctx.localId, { field: 'nope', take: 'local' })).toThrow(expect.objectContaining({ code: 'bad_input', message: expect.stringMatching(/unknown field "nope"/), problems: [{ field: '--field', reason: 'no such field in the tracker' }] }));
    expect(() => resolve(pair.clone, 'Tasks', ctx.localId, { field: 'notes', take: 'local' })).toThrow(expect.objectContaining({ code: 'bad_input', message: expect.stringMatching(/not in conflict/) }));
    expect(() => resolve(pair.clone, 'Tasks', ctx.localId, { field: 'title', take: 'remote', value: 'x' })).toThrow(/--value goes with --take value/);
  });
});

describe('resolve a delete/edit conflict', () => {
  async function remoteDeleted(): Promise<{ remoteId: number; localId: number }> {
    pair = await startPair({ simple: true });
    const item = masterAdd(pair, { title: 'x' });
    await clone(pair.clone, 'origin', 'Tasks', { remote: FAST });
    localEdit(pair, item.id, { title: 'edited here' });
    pair.master.store.deleteItems(pair.tracker.id, [item.id], 'root');
    await reload(pair.clone, 'Tasks', { remote: FAST });
    return { remoteId: item.id, localId: localOf(pair, item.id).id };
  }

  async function localDeleted(): Promise<{ remoteId: number; localId: number }> {
    pair = await startPair({ simple: true });
    const item = masterAdd(pair, { title: 'x' });
    const { tracker } = await clone(pair.clone, 'origin', 'Tasks', { remote: FAST });
    const localId = localOf(pair, item.id).id;
    pair.clone.deleteItems(tracker.id, [localId], null);
    masterEdit(pair, item.id, { title: 'edited there' });
    await reload(pair.clone, 'Tasks', { remote: FAST });
    return { remoteId: item.id, localId };
  }

  it('remote deleted, take remote: the item is deleted locally and forgets its remote', async () => {
    const { localId } = await remoteDeleted();
    expect(resolve(pair.clone, 'Tasks', localId, { take: 'remote' }).action).toBe('deleted');
    expect(pair.clone.getItem(pair.clone.getTracker('Tasks').id, localId)).toBeUndefined();
    expect(syncOf(localId)).toBeUndefined();
  });

  it('remote deleted, take local: the item becomes a new local item for push to create again', async () => {
    const { localId } = await remoteDeleted();
    expect(resolve(pair.clone, 'Tasks', localId, { take: 'local' }).action).toBe('kept-as-new');
    expect(syncOf(localId)).toMatchObject({ remoteId: null, base: null, conflict: null });
    expect(ids(status(pair.clone, 'Tasks').new)).toEqual([localId]);
  });

  it('local deleted, take remote: the item is restored with the remote values, same id, clean', async () => {
    const { localId } = await localDeleted();
    const result = resolve(pair.clone, 'Tasks', localId, { take: 'remote' });
    expect(result).toMatchObject({ action: 'restored', item: { id: localId, values: { title: 'edited there' } } });
    expect(syncOf(localId)).toMatchObject({ baseVersion: 2, conflict: null, base: { values: { title: 'edited there' } } });
    const now = status(pair.clone, 'Tasks');
    expect([now.new, now.modified, now.deleted, now.conflicts].flat()).toEqual([]);
  });

  it("local deleted, take local: it stays deleted against the remote's current version, for push to delete", async () => {
    const { localId } = await localDeleted();
    expect(resolve(pair.clone, 'Tasks', localId, { take: 'local' }).action).toBe('kept-deleted');
    expect(syncOf(localId)).toMatchObject({ baseVersion: 2, conflict: null });
    expect(ids(status(pair.clone, 'Tasks').deleted)).toEqual([localId]);
  });

  it('refuses --field and take base or value for a whole-item conflict', async () => {
    const { localId } = await remoteDeleted();
    expect(() => resolve(pair.clone, 'Tasks', localId, { field: 'title', take: 'local' })).toThrow(/without --field/);
    expect(() => resolve(pair.clone, 'Tasks', localId, { take: 'base' })).toThrow(/take local or remote/);
    expect(syncOf(localId)?.conflict?.kind).toBe('remote-deleted');
  });
});
