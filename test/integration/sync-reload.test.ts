import { afterEach, describe, expect, it } from 'vitest';
import { clone } from '../../client/sync/clone.js';
import { ReplicaState } from '../../client/replica/index.js';
import { push } from '../../client/sync/push.js';
import { reload } from '../../client/sync/reload.js';
import { status } from '../../client/sync/status.js';
import type { SqliteStore } from '../../server/store/index.js';
import { FAST, type SyncPair, localEdit, localOf, masterAdd, masterEdit, startPair, tokenOf } from '../helpers/sync.js';

let pair: SyncPair;
afterEach(async () => {
  await pair?.close();
});

/** Everything a reload may write on the clone: items, replica state, schema, token. */
function cloneState(store: SqliteStore): string {
  const tables = ['items', 'trackers', 'replicas', 'replica_items', 'counters'];
  return JSON.stringify(tables.map((t) => store.db.prepare(`SELECT * FROM ${t} ORDER BY 1`).all()));
}

async function simplePair(): Promise<SyncPair> {
  const p = await startPair({ simple: true });
  return p;
}

const run = (store: SqliteStore, options: Parameters<typeof reload>[2] = {}) => reload(store, 'Tasks', { remote: FAST, ...options });

describe('reload', () => {
  it('applies only the changed items, and an unchanged reload reads nothing', async () => {
    pair = await simplePair();
    const items = [1, 2, 3].map((i) => masterAdd(pair, { title: `t${i}` }));
    await clone(pair.clone, 'origin', 'Tasks', { remote: FAST });
    const before = items.map((i) => localOf(pair, i.id));
    masterEdit(pair, items[1]!.id, { title: 't2 changed' });
    const report = await run(pair.clone);
    expect(report).toMatchObject({ outcome: 'success', counts: { seen: 1, updated: 1, created: 0, unchanged: 0 } });
    expect(localOf(pair, items[1]!.id).values.title).toBe('t2 changed');
    // The other local items were not rewritten.
    expect([localOf(pair, items[0]!.id).seq, localOf(pair, items[2]!.id).seq]).toEqual([before[0]!.seq, before[2]!.seq]);
    const again = await run(pair.clone);
    expect(again.counts).toEqual({ seen: 0, created: 0, updated: 0, deleted: 0, merged: 0, unchanged: 0, conflicts: 0, errors: 0 });
  });

  it('brings in new remote items and reports progress with the total the server announced', async () => {
    pair = await simplePair();
    await clone(pair.clone, 'origin', 'Tasks', { remote: FAST });
    for (let i = 0; i < 7; i += 1) masterAdd(pair, { title: `n${i}` });
    const progress: [number, number | undefined][] = [];
    const report = await run(pair.clone, { batchSize: 3, onProgress: (done, total) => progress.push([done, total]) });
    expect(report.counts).toMatchObject({ seen: 7, created: 7 });
    expect(progress.at(-1)).toEqual([7, 7]);
    expect(progress.map(([done]) => done)).toEqual([0, 3, 6, 7]);
  });

  it('takes the remote value where only the remote changed, keeps the local one where only local changed, per field', async () => {
    pair = await simplePair();
    const item = masterAdd(pair, { title: 'base', n: 1 });
    await clone(pair.clone, 'origin', 'Tasks', { remote: FAST });
    localEdit(pair, item.id, { title: 'local title' });
    masterEdit(pair, item.id, { n: 2 });
    const report = await run(pair.clone);
    expect(report.counts).toMatchObject({ seen: 1, merged: 1 });
    expect(localOf(pair, item.id).values).toEqual({ title: 'local title', n: 2 });
    // The base is now the remote state: the title is still a local change to push.
    const sync = new ReplicaState(pair.clone).itemByRemoteId(pair.clone.getTracker('Tasks').id, item.id);
    expect(sync?.base?.values).toEqual({ title: 'base', n: 2 });
  });

  it('agrees without a conflict when both sides made the same change', async () => {
    pair = await simplePair();
    const item = masterAdd(pair, { title: 'base' });
    await clone(pair.clone, 'origin', 'Tasks', { remote: FAST });
    localEdit(pair, item.id, { title: 'same' });
    masterEdit(pair, item.id, { title: 'same' });
    const report = await run(pair.clone);
    expect(report.counts).toMatchObject({ seen: 1, unchanged: 1, conflicts: 0 });
    expect(new ReplicaState(pair.clone).itemByRemoteId(pair.clone.getTracker('Tasks').id, item.id)?.base?.values.title).toBe('same');
  });

  it('merges textarea edits of different lines with diff3, and stores overlapping edits as a conflict with hunks', async () => {
    pair = await simplePair();
    const clean = masterAdd(pair, { title: 'clean', notes: 'one\ntwo\nthree\n' });
    const clash = masterAdd(pair, { title: 'clash', notes: 'one\ntwo\nthree\n' });
    await clone(pair.clone, 'origin', 'Tasks', { remote: FAST });
    localEdit(pair, clean.id, { notes: 'ONE\ntwo\nthree\n' });
    masterEdit(pair, clean.id, { notes: 'one\ntwo\nTHREE\n' });
    localEdit(pair, clash.id, { notes: 'one\nlocal two\nthree\n' });
    masterEdit(pair, clash.id, { notes: 'one\nremote two\nthree\n' });
    const report = await run(pair.clone);
    expect(report.counts).toMatchObject({ seen: 2, merged: 1, conflicts: 1 });
    expect(report.outcome).toBe('warning');
    expect(localOf(pair, clean.id).values.notes).toBe('ONE\ntwo\nTHREE\n');
    const local = localOf(pair, clash.id);
    expect(local.values.notes).toBe('one\nlocal two\nthree\n');
    const conflict = new ReplicaState(pair.clone).itemState(local.id)?.conflict;
    expect(conflict).toMatchObject({
      kind: 'fields',
      fields: [{ name: 'notes', base: 'one\ntwo\nthree\n', local: 'one\nlocal two\nthree\n', remote: 'one\nremote two\nthree\n', hunks: [{ base: ['two'], local: ['local two'], remote: ['remote two'] }] }],
    });
  });

  it('merges multiselect edits as sets: the adds and removes of both sides', async () => {
    pair = await simplePair();
    const item = masterAdd(pair, { title: 'x', labels: ['a', 'b'] });
    await clone(pair.clone, 'origin', 'Tasks', { remote: FAST });
    localEdit(pair, item.id, { labels: ['a', 'b', 'c'] });
    masterEdit(pair, item.id, { labels: ['b', 'd'] });
    const report = await run(pair.clone);
    expect(report.counts).toMatchObject({ merged: 1, conflicts: 0 });
    expect(localOf(pair, item.id).values.labels).toEqual(['b', 'c', 'd']);
  });

  it('stores a scalar edited on both sides as a conflict with base, local and remote, keeping the local value', async () => {
    pair = await simplePair();
    const item = masterAdd(pair, { title: 'base', n: 1 });
    await clone(pair.clone, 'origin', 'Tasks', { remote: FAST });
    localEdit(pair, item.id, { title: 'mine' }, 'pending');
    masterEdit(pair, item.id, { title: 'theirs' }, 'closed');
    const report = await run(pair.clone);
    expect(report.counts).toMatchObject({ seen: 1, conflicts: 1 });
    const local = localOf(pair, item.id);
    expect(local.values.title).toBe('mine');
    expect(local.status).toBe('pending');
    expect(new ReplicaState(pair.clone).itemState(local.id)?.conflict).toEqual({
      kind: 'fields',
      remoteVersion: 2,
      fields: [
        { name: 'status', base: 'open', local: 'pending', remote: 'closed' },
        { name: 'title', base: 'base', local: 'mine', remote: 'theirs' },
      ],
    });
  });

  it('deletes locally what the remote deleted when the local item is unchanged, and flags a conflict when it was edited', async () => {
    pair = await simplePair();
    const plain = masterAdd(pair, { title: 'plain' });
    const edited = masterAdd(pair, { title: 'edited' });
    await clone(pair.clone, 'origin', 'Tasks', { remote: FAST });
    localEdit(pair, edited.id, { title: 'edited here' });
    const plainLocal = localOf(pair, plain.id);
    pair.master.store.deleteItems(pair.tracker.id, [plain.id, edited.id], 'root');
    const report = await run(pair.clone);
    expect(report.counts).toMatchObject({ seen: 2, deleted: 1, conflicts: 1 });
    expect(pair.clone.getItem(plainLocal.trackerId, plainLocal.id, { includeDeleted: true })?.deleted).toBe(true);
    expect(new ReplicaState(pair.clone).itemState(plainLocal.id)).toBeUndefined();
    const kept = localOf(pair, edited.id);
    expect(kept.deleted).toBe(false);
    expect(kept.values.title).toBe('edited here');
    expect(new ReplicaState(pair.clone).itemState(kept.id)?.conflict).toMatchObject({ kind: 'remote-deleted' });
  });

  it('flags a conflict when the remote edited an item deleted locally, and agrees when both deleted it', async () => {
    pair = await simplePair();
    const edited = masterAdd(pair, { title: 'edited there' });
    const both = masterAdd(pair, { title: 'both' });
    await clone(pair.clone, 'origin', 'Tasks', { remote: FAST });
    const tracker = pair.clone.getTracker('Tasks');
    pair.clone.deleteItems(tracker.id, [localOf(pair, edited.id).id, localOf(pair, both.id).id], null);
    masterEdit(pair, edited.id, { title: 'remote edit' });
    pair.master.store.deleteItems(pair.tracker.id, [both.id], 'root');
    const report = await run(pair.clone);
    expect(report.counts).toMatchObject({ seen: 2, deleted: 1, conflicts: 1 });
    const conflict = new ReplicaState(pair.clone).itemState(localOf(pair, edited.id).id)?.conflict;
    expect(conflict).toMatchObject({ kind: 'local-deleted', remote: { status: 'open', values: { title: 'remote edit' } } });
    expect(localOf(pair, edited.id).deleted).toBe(true);
  });

  it('a dry run reports the counters of the real run after it, changes nothing and does not move the token', async () => {
    pair = await simplePair();
    const items = Array.from({ length: 6 }, (_, i) => masterAdd(pair, { title: `t${i}`, notes: 'a\nb\nc\n', labels: ['a'] }));
    await clone(pair.clone, 'origin', 'Tasks', { remote: FAST });
    const [a, b, c, d, e] = items.map((i) => i.id) as [number, number, number, number, number];
    masterEdit(pair, a, { title: 'remote only' });
    localEdit(pair, b, { notes: 'A\nb\nc\n' });
    masterEdit(pair, b, { notes: 'a\nb\nC\n' });
    localEdit(pair, c, { title: 'mine' });
    masterEdit(pair, c, { title: 'theirs' });
    pair.master.store.deleteItems(pair.tracker.id, [d], 'root');
    localEdit(pair, e, { labels: ['a', 'b'] });
    masterEdit(pair, e, { labels: ['a', 'c'] });
    masterAdd(pair, { title: 'new' });
    const token = tokenOf(pair.clone, 'Tasks');
    const before = cloneState(pair.clone);

    const dry = await run(pair.clone, { dryRun: true, batchSize: 2 });
    expect(dry.dryRun).toBe(true);
    expect(cloneState(pair.clone)).toBe(before);
    expect(tokenOf(pair.clone, 'Tasks')).toBe(token);

    const real = await run(pair.clone, { batchSize: 2 });
    expect(real.dryRun).toBe(false);
    expect(real.counts).toEqual(dry.counts);
    expect(real.counts).toEqual({ seen: 6, created: 1, updated: 1, deleted: 1, merged: 2, unchanged: 0, conflicts: 1, errors: 0 });
    expect(tokenOf(pair.clone, 'Tasks')).toBeGreaterThan(token);
  });

  it('writes every run to the sync log with its kind, dry-run flag and counters', async () => {
    pair = await simplePair();
    masterAdd(pair, { title: 'x' });
    const { tracker } = await clone(pair.clone, 'origin', 'Tasks', { remote: FAST });
    masterAdd(pair, { title: 'y' });
    await run(pair.clone, { dryRun: true });
    await run(pair.clone);
    const runs = new ReplicaState(pair.clone).log.list(tracker.id);
    expect(runs.map((r) => [r.kind, r.dryRun, r.outcome, r.counts?.created])).toEqual([
      ['reload', false, 'success', 1],
      ['reload', true, 'success', 1],
      ['clone', false, 'success', 1],
    ]);
    expect(runs[0]?.report).toMatchObject({ remote: 'origin', token: { from: expect.any(Number), to: expect.any(Number) } });
  });

  it('stops between batches when cancelled, keeps what was applied, and the next reload continues from there', async () => {
    pair = await simplePair();
    await clone(pair.clone, 'origin', 'Tasks', { remote: FAST });
    for (let i = 0; i < 9; i += 1) masterAdd(pair, { title: `n${i}` });
    const controller = new AbortController();
    const stopped = await run(pair.clone, {
      batchSize: 4,
      signal: controller.signal,
      onProgress: (done) => {
        if (done === 4) controller.abort();
      },
    });
    expect(stopped.outcome).toBe('error');
    expect(stopped.errors[0]?.message).toMatch(/cancelled/);
    expect(pair.clone.countItems(pair.clone.getTracker('Tasks').id)).toBe(4);
    const rest = await run(pair.clone);
    expect(rest.counts).toMatchObject({ seen: 5, created: 5 });
  });

  it('a clean item keeps no second copy of its base; any write to the item, by any path, keeps the base first', async () => {
    pair = await simplePair();
    const remote = masterAdd(pair, { title: 'x', n: 1, labels: ['a'] });
    await clone(pair.clone, 'origin', 'Tasks', { remote: FAST });
    const row = () => pair.clone.db.prepare('SELECT base_from_item, base_status, base_values FROM replica_items').get() as Record<string, unknown>;
    expect(row()).toEqual({ base_from_item: 1, base_status: null, base_values: null });
    const mine = localOf(pair, remote.id);
    expect(new ReplicaState(pair.clone).itemState(mine.id)?.base).toEqual({ status: 'open', values: { title: 'x', n: 1, labels: ['a'] } });
    // A raw SQL write stands for every path (CLI, TUI, a push received from a clone of this clone).
    pair.clone.db.prepare(`UPDATE items SET values_json = '{"title":"y","n":1,"labels":["a"]}', status = 'closed' WHERE id = ?`).run(mine.id);
    expect(row()).toMatchObject({ base_from_item: 0, base_status: 'open' });
    expect(new ReplicaState(pair.clone).itemState(mine.id)?.base).toEqual({ status: 'open', values: { title: 'x', n: 1, labels: ['a'] } });
    masterEdit(pair, remote.id, { n: 2 });
    expect((await run(pair.clone)).counts).toMatchObject({ merged: 1, conflicts: 0 });
    expect(localOf(pair, remote.id)).toMatchObject({ status: 'closed', values: { title: 'y', n: 2, labels: ['a'] } });
  });

  it('leaves no connection open after a run: a process that syncs many times holds no idle socket per run', async () => {
    pair = await simplePair();
    const item = masterAdd(pair, { title: 't1' });
    await clone(pair.clone, 'origin', 'Tasks', { remote: FAST });
    for (let i = 0; i < 5; i += 1) {
      masterEdit(pair, item.id, { title: `t1 v${i}` });
      expect((await run(pair.clone)).outcome).toBe('success');
      localEdit(pair, item.id, { notes: `local ${i}` });
      expect((await push(pair.clone, 'Tasks', { remote: FAST })).outcome).toBe('success');
    }
    const server = pair.master.server.server;
    // The client closed its sockets; the server sees the FIN at once, but give the event loop a moment.
    await expect.poll(() => new Promise<number>((done, fail) => server.getConnections((e, n) => (e ? fail(e) : done(n)))), { timeout: 2000 }).toBe(0);
  });

  it('an item that cannot be written is reported on its own: the rest of its batch goes in whole, nothing of it half-written', async () => {
    pair = await simplePair();
    await clone(pair.clone, 'origin', 'Tasks', { remote: FAST });
    for (const title of ['a', 'b', 'poison', 'c', 'd']) masterAdd(pair, { title, n: 1 });
    // A local database that refuses one row (a full disk, a corrupt page would do the same to one write).
    pair.clone.db.exec(`CREATE TRIGGER poison BEFORE INSERT ON items WHEN json_extract(NEW.values_json, '$.title') = 'poison' BEGIN SELECT RAISE(ABORT, 'refused by the test'); END`);
    const report = await run(pair.clone, { batchSize: 10 });
    expect(report.counts).toMatchObject({ seen: 5, created: 4, errors: 1 });
    expect(report.errors).toEqual([{ id: null, message: expect.stringMatching(/remote item \d+: .*refused by the test/) }]);
    const t = pair.clone.getTracker('Tasks');
    expect(pair.clone.listItems(t.id).map((i) => i.values.title)).toEqual(['a', 'b', 'c', 'd']);
    // No sync state without its item: the failed item left nothing behind.
    const states = pair.clone.db.prepare('SELECT count(*) AS n FROM replica_items WHERE tracker_id = ?').get(t.id) as { n: number };
    expect(states.n).toBe(4);
  });
});

describe('reload against a remote schema change', () => {
  it('adopts new fields and options, drops a removed field that holds no unpushed value, stops applying a retyped one without touching its local values, and reports it', async () => {
    pair = await simplePair();
    const item = masterAdd(pair, { title: 'x', notes: 'kept note', n: 5, labels: ['a'] });
    await clone(pair.clone, 'origin', 'Tasks', { remote: FAST });
    const remote = pair.master.store.getTracker(pair.tracker.id);
    pair.master.store.setTrackerFields(remote.id, [
      { name: 'title', label: 'title', type: 'text', required: true },
      // notes removed; n retyped; labels gets an option; due added
      { name: 'n', label: 'n', type: 'text', required: false },
      { name: 'labels', label: 'labels', type: 'multiselect', options: ['a', 'b', 'c', 'd', 'e'], required: false },
      { name: 'due', label: 'Due', type: 'date', required: false },
    ]);
    masterEdit(pair, item.id, { title: 'x2', n: 'five', labels: ['a', 'e'], due: '2025-01-02' });

    const report = await run(pair.clone);
    expect(report.outcome).toBe('warning');
    expect(report.schema).toEqual({ added: ['due'], removed: ['notes'], retyped: [{ name: 'n', from: 'number', to: 'text' }], changed: ['labels'] });
    expect((report.warnings as string[])[0]).toMatch(/remote schema changed/);

    const local = pair.clone.getTracker('Tasks');
    expect(local.fields.map((f) => [f.name, f.type])).toEqual([
      ['title', 'text'],
      ['n', 'number'],
      ['labels', 'multiselect'],
      ['due', 'date'],
    ]);
    expect(local.fields.find((f) => f.name === 'labels')?.options).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(localOf(pair, item.id).values).toEqual({ title: 'x2', n: 5, labels: ['a', 'e'], due: '2025-01-02' });
    const mappings = new ReplicaState(pair.clone).requireReplica('Tasks').mappings;
    expect(mappings.find((m) => m.name === 'notes')).toBeUndefined();
    expect(mappings.find((m) => m.name === 'n')).toMatchObject({ action: 'skipped', reason: expect.stringMatching(/number to text/) });

    // Next reload: nothing new to report, and the frozen fields stay as they are.
    masterEdit(pair, item.id, { title: 'x3' });
    const next = await run(pair.clone);
    expect(next.outcome).toBe('success');
    expect(next.schema).toBeUndefined();
    expect(localOf(pair, item.id).values).toEqual({ title: 'x3', n: 5, labels: ['a', 'e'], due: '2025-01-02' });
    expect(status(pair.clone, 'Tasks').modified).toEqual([]);
  });

  it('refreshes the options of user-derived dropdowns on every reload', async () => {
    pair = await startPair();
    await clone(pair.clone, 'origin', 'Bugs', { remote: FAST });
    await pair.master.store.addUser('newbie', 'newbie-pw');
    const report = await reload(pair.clone, 'Bugs', { remote: FAST });
    expect(report.outcome).toBe('success');
    expect(pair.clone.getTracker('Bugs').fields.find((f) => f.name === 'owner')?.options).toContain('newbie');
  });
});
