/**
 * DESIGN §13 end to end over real servers: clones follow schema edits on reload (a field added,
 * options added and removed, a label changed, a field removed while a clone holds an unpushed
 * edit of it: a field-removed conflict for status and resolve), and two clones that create the
 * same key offline end with one item on the master, in either order and concurrently.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { ReplicaState } from '../../client/replica/index.js';
import { clone } from '../../client/sync/clone.js';
import { push } from '../../client/sync/push.js';
import { reload } from '../../client/sync/reload.js';
import { addRemote } from '../../client/sync/remotes.js';
import { resolve } from '../../client/sync/resolve.js';
import { status } from '../../client/sync/status.js';
import type { SqliteStore } from '../../server/store/index.js';
import { PASSWORDS, startInstance, tempStore, type TestInstance } from '../helpers/instance.js';
import { FAST, type SyncPair, localEdit, localOf, masterAdd, masterEdit, runCliAsync, startPair } from '../helpers/sync.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

async function pair(): Promise<SyncPair> {
  const p = await startPair({ simple: true });
  cleanups.push(() => p.close());
  await clone(p.clone, 'origin', p.tracker.name, { remote: FAST });
  return p;
}

describe('a clone follows schema edits on reload', () => {
  it('adopts an added field, options added and removed, a changed label, and drops a removed field with its values', async () => {
    const p = await pair();
    const a = masterAdd(p, { title: 'a', notes: 'note a', labels: ['a'] });
    await reload(p.clone, 'Tasks', { remote: FAST });
    const hub = p.master.store;
    hub.editFields(p.tracker.id, { op: 'add', field: { name: 'due', type: 'date', label: 'Due' } });
    hub.editFields(p.tracker.id, { op: 'edit', name: 'labels', patch: { options: ['a', 'b', 'e'], label: 'Labels' } });
    hub.editFields(p.tracker.id, { op: 'remove', name: 'notes' });
    const report = await reload(p.clone, 'Tasks', { remote: FAST });
    expect(report.schema).toEqual({ added: ['due'], removed: ['notes'], retyped: [], changed: ['labels'] });
    const local = p.clone.getTracker('Tasks');
    expect(local.fields.map((f) => f.name)).toEqual(['title', 'n', 'labels', 'due']);
    expect(local.fields.find((f) => f.name === 'labels')).toMatchObject({ label: 'Labels', options: ['a', 'b', 'e'] });
    expect(localOf(p, a.id).values).toEqual({ title: 'a', labels: ['a'] });
    expect(status(p.clone, 'Tasks').modified).toEqual([]);
    // The clone writes the new field and option, and pushes them.
    localEdit(p, a.id, { due: '2025-02-03', labels: ['a', 'e'] });
    expect((await push(p.clone, 'Tasks', { remote: FAST })).counts).toMatchObject({ updated: 1, errors: 0 });
    expect(hub.getItem(p.tracker.id, a.id)!.values).toEqual({ title: 'a', labels: ['a', 'e'], due: '2025-02-03' });
  });

  it('keeps an unpushed edit of a field the remote removed as a field-removed conflict, which status shows and resolve decides', async () => {
    const p = await pair();
    const a = masterAdd(p, { title: 'a', notes: 'old a' });
    const b = masterAdd(p, { title: 'b', notes: 'old b' });
    const c = masterAdd(p, { title: 'c', notes: 'old c' });
    await reload(p.clone, 'Tasks', { remote: FAST });
    localEdit(p, a.id, { notes: 'my unpushed note a' });
    localEdit(p, b.id, { notes: 'my unpushed note b' });
    const mine = p.clone.createItems(p.clone.getTracker('Tasks').id, [{ values: { title: 'new', notes: 'note of a new item' } }], null)[0]!;
    p.master.store.editFields(p.tracker.id, { op: 'remove', name: 'notes' });
    const report = await reload(p.clone, 'Tasks', { remote: FAST });
    expect((report.warnings as string[]).join('\n')).toMatch(/removed notes; 3 items hold unpushed values of it, kept as conflicts \(field-removed\)/);
    expect(localOf(p, c.id).values).toEqual({ title: 'c' });
    expect(p.clone.getTracker('Tasks').fields.map((f) => f.name)).toContain('notes');

    const cli = await runCliAsync(['--json', 'status', 'Tasks'], { data: p.cloneDir });
    const conflicts = cli.json<{ conflicts: { id: number; kind: string; fields: unknown[] }[] }>().conflicts;
    expect(conflicts.map((x) => x.kind)).toEqual(['field-removed', 'field-removed', 'field-removed']);
    expect(conflicts[0]!.fields).toEqual([{ name: 'notes', base: 'old a', local: 'my unpushed note a', remote: null, removed: true }]);
    expect((await runCliAsync(['status', 'Tasks'], { data: p.cloneDir })).stdout).toContain('notes: base old a | local my unpushed note a | remote (field removed)');

    // Held back from push until decided; a later reload that brings the item again keeps the conflict.
    masterEdit(p, a.id, { title: 'a2' });
    await reload(p.clone, 'Tasks', { remote: FAST });
    expect(status(p.clone, 'Tasks').conflicts).toHaveLength(3);
    expect(localOf(p, a.id).values).toEqual({ title: 'a2', notes: 'my unpushed note a' });
    expect((await push(p.clone, 'Tasks', { remote: FAST })).counts).toMatchObject({ seen: 0 });
    const refused = await runCliAsync(['resolve', 'Tasks', String(localOf(p, a.id).id), '--take', 'base'], { data: p.cloneDir });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/removed on the remote: take local .* or remote/);

    expect(resolve(p.clone, 'Tasks', localOf(p, a.id).id, { take: 'remote' })).toMatchObject({ kind: 'field-removed', remaining: [] });
    expect(localOf(p, a.id).values).toEqual({ title: 'a2' });
    resolve(p.clone, 'Tasks', localOf(p, b.id).id, { take: 'local' });
    expect(localOf(p, b.id).values).toEqual({ title: 'b', notes: 'my unpushed note b' });
    resolve(p.clone, 'Tasks', mine.id, { take: 'remote' });
    const st = status(p.clone, 'Tasks');
    expect([st.conflicts, st.modified]).toEqual([[], []]);
    // b's kept value holds the field here, a field of this clone only.
    expect(p.clone.getTracker('Tasks').fields.map((f) => f.name)).toContain('notes');
    expect((await push(p.clone, 'Tasks', { remote: FAST })).counts).toMatchObject({ created: 1, errors: 0 });
  });
});

/** A master whose People tracker has a key field, and `count` clones of it. */
async function keyedClones(count: number): Promise<{ master: TestInstance; trackerId: number; clones: SqliteStore[] }> {
  const master = await startInstance();
  cleanups.push(() => master.close());
  const t = master.store.createTracker({ name: 'People', fields: [{ name: 'email', type: 'email', key: true }, { name: 'name', type: 'text' }, { name: 'phone', type: 'text' }, { name: 'notes', type: 'textarea' }] });
  await master.store.addUser('root', PASSWORDS.root, { admin: true });
  const clones: SqliteStore[] = [];
  for (let i = 0; i < count; i += 1) {
    const c = tempStore();
    cleanups.push(() => c.cleanup());
    addRemote(c.store, { name: 'origin', url: master.url, user: 'root', password: PASSWORDS.root });
    await clone(c.store, 'origin', 'People', { remote: FAST });
    clones.push(c.store);
  }
  return { master, trackerId: t.id, clones };
}

const addBob = (store: SqliteStore, values: Record<string, string>) => store.createItems(store.getTracker('People').id, [{ values: { email: 'bob@example.org', ...values } }], null)[0]!;

/** Reload and push each clone until nothing moves, then every clone must hold what the master holds. */
async function settle(master: TestInstance, trackerId: number, clones: SqliteStore[]): Promise<void> {
  for (let round = 0; round < 2; round += 1) {
    for (const c of clones) {
      await reload(c, 'People', { remote: FAST });
      await push(c, 'People', { remote: FAST });
    }
  }
  for (const c of clones) await reload(c, 'People', { remote: FAST });
  const onMaster = master.store.listItems(trackerId).map((i) => [i.status, i.values]);
  for (const c of clones) expect(c.listItems(c.getTracker('People').id).map((i) => [i.status, i.values])).toEqual(onMaster);
}

describe('two clones create one key offline', () => {
  for (const order of ['A then B', 'B then A', 'at once'] as const) {
    it(`push ${order}: one item on the master, both converge, the differing field a conflict, nothing overwritten`, async () => {
      const { master, trackerId, clones } = await keyedClones(2);
      const [a, b] = clones as [SqliteStore, SqliteStore];
      const itemA = addBob(a, { name: 'Bob', phone: '555-1' });
      const itemB = addBob(b, { name: 'Robert', notes: 'met at FOSDEM' });
      const sequence = order === 'B then A' ? [b, a] : [a, b];
      const reports = order === 'at once' ? await Promise.all(sequence.map((c) => push(c, 'People', { remote: FAST }))) : [];
      if (order !== 'at once') for (const c of sequence) reports.push(await push(c, 'People', { remote: FAST }));
      expect(master.store.listItems(trackerId)).toHaveLength(1);
      // One push created the item, the other was matched to it.
      const lost = reports.findIndex((r) => r.matched);
      expect(reports.map((r) => [r.counts.created, r.counts.conflicts])).toEqual(lost === 0 ? [[0, 1], [1, 0]] : [[1, 0], [0, 1]]);
      const loser = sequence[lost]!;
      const loserItem = loser === a ? itemA : itemB;
      // Linked; the name differs: a conflict, the local value kept; the rest merged from the empty base.
      const st = status(loser, 'People');
      expect(st.conflicts).toEqual([{ id: loserItem.id, kind: 'fields', fields: [{ name: 'name', base: null, local: loser === a ? 'Bob' : 'Robert', remote: loser === a ? 'Robert' : 'Bob' }] }]);
      expect(loser.getItem(loser.getTracker('People').id, loserItem.id)!.values).toEqual({ email: 'bob@example.org', name: loser === a ? 'Bob' : 'Robert', phone: '555-1', notes: 'met at FOSDEM' });
      expect(new ReplicaState(loser).itemState(loserItem.id)?.remoteId).toBe(master.store.listItems(trackerId)[0]!.id);

      resolve(loser, 'People', loserItem.id, { field: 'name', take: 'remote' });
      await settle(master, trackerId, clones);
      expect(master.store.listItems(trackerId).map((i) => i.values)).toEqual([{ email: 'bob@example.org', name: loser === a ? 'Robert' : 'Bob', phone: '555-1', notes: 'met at FOSDEM' }]);
      for (const c of clones) expect(c.countItems(c.getTracker('People').id)).toBe(1);
    });
  }

  it('a clone that reloads before pushing links its new item to the remote one: no second local copy', async () => {
    const { master, trackerId, clones } = await keyedClones(2);
    const [a, b] = clones as [SqliteStore, SqliteStore];
    addBob(a, { name: 'Bob' });
    const mine = addBob(b, { name: 'Bob', phone: '555-2' });
    await push(a, 'People', { remote: FAST });
    const report = await reload(b, 'People', { remote: FAST });
    expect(report.counts).toMatchObject({ seen: 1, created: 0, unchanged: 1 });
    expect(b.countItems(b.getTracker('People').id)).toBe(1);
    expect(new ReplicaState(b).itemState(mine.id)?.remoteId).toBe(master.store.listItems(trackerId)[0]!.id);
    await settle(master, trackerId, clones);
    expect(master.store.listItems(trackerId).map((i) => i.values)).toEqual([{ email: 'bob@example.org', name: 'Bob', phone: '555-2' }]);
  });

  it('push --dry-run predicts the match', async () => {
    const { clones } = await keyedClones(2);
    const [a, b] = clones as [SqliteStore, SqliteStore];
    addBob(a, { name: 'Bob' });
    addBob(b, { name: 'Robert' });
    await push(a, 'People', { remote: FAST });
    const dry = await push(b, 'People', { remote: FAST, dryRun: true });
    const real = await push(b, 'People', { remote: FAST });
    expect(dry.counts).toEqual(real.counts);
    expect(real.counts).toMatchObject({ conflicts: 1, created: 0 });
  });
});
