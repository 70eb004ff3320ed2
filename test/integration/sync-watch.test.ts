/**
 * `s15n sync --watch` as a real process against a real master: changes from the master's own
 * process, from a second clone's push and from a second CLI process on the master's file all
 * arrive; a local edit made by another CLI process on the clone is pushed; each run is one NDJSON
 * report and one `sync` entry of the log; the echo of its own push costs no run; SIGTERM stops it.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { clone } from '../../client/sync/clone.js';
import { push } from '../../client/sync/push.js';
import { addRemote } from '../../client/sync/remotes.js';
import { PASSWORDS, tempStore } from '../helpers/instance.js';
import { type SyncPair, localOf, masterAdd, masterEdit, runCliAsync as cli, startPair, tokenOf } from '../helpers/sync.js';
import { type WatchProcess, startWatch } from '../helpers/watch.js';
import { waitFor } from '../helpers/wait.js';

let pair: SyncPair | undefined;
let watcher: WatchProcess | undefined;
const cleanups: (() => void)[] = [];
afterEach(async () => {
  await watcher?.stop();
  watcher = undefined;
  await pair?.close();
  pair = undefined;
  for (const cleanup of cleanups.splice(0)) cleanup();
});

const localTitle = (p: SyncPair, remoteId: number) => {
  try {
    return localOf(p, remoteId).values.title;
  } catch {
    return undefined;
  }
};

describe('s15n sync --watch', { timeout: 60_000 }, () => {
  it('brings in changes from the master, a second clone and a second process on the master file, and pushes local edits of any process', async () => {
    pair = await startPair({ simple: true });
    const p = pair;
    const first = masterAdd(p, { title: 'first' });
    await clone(p.clone, 'origin', p.tracker.id);
    watcher = startWatch(p.cloneDir, ['Tasks']);
    await watcher.reported(1, 'the first full sync');

    masterEdit(p, first.id, { title: 'edited on the master' });
    await waitFor(() => localTitle(p, first.id) === 'edited on the master', 'the master edit on the clone');

    const second = tempStore();
    cleanups.push(second.cleanup);
    addRemote(second.store, { name: 'origin', url: p.master.url, user: 'eddie', password: PASSWORDS.eddie });
    const other = await clone(second.store, 'origin', p.tracker.id);
    second.store.createItem(other.tracker.id, { values: { title: 'from a second clone' } }, null);
    expect((await push(second.store, other.tracker.id)).counts.created).toBe(1);
    await waitFor(() => p.clone.listItems(p.clone.getTracker('Tasks').id).some((i) => i.values.title === 'from a second clone'), 'the second clone push on the clone');

    const added = await cli(['--json', 'item', 'add', 'Tasks', '--set', 'title=from a second process'], { data: p.master.dataDir });
    expect(added.code, added.stderr).toBe(0);
    await waitFor(() => localTitle(p, added.json<{ id: number }>().id) === 'from a second process', 'the other process on the master file');

    const local = localOf(p, first.id);
    const edited = await cli(['item', 'edit', 'Tasks', String(local.id), '--set', 'n=42'], { data: p.cloneDir });
    expect(edited.code, edited.stderr).toBe(0);
    await waitFor(() => p.master.store.getItem(p.tracker.id, first.id)?.values.n === 42, 'the local edit on the master');

    // The push comes back on the feed: once the token is past it, stop (after the current run, if any).
    const echo = p.master.store.getItem(p.tracker.id, first.id)!.seq;
    await waitFor(() => tokenOf(p.clone, 'Tasks') >= echo, 'the echo of the push past the token');
    const end = await watcher.stop();
    expect(end).toEqual({ code: 0, signal: null });
    expect(watcher.stderr()).toMatch(/watching Tasks; Ctrl-C stops[\s\S]*stopping after the current batch/);

    const reports = watcher.reports();
    expect(reports.every((r) => r.kind === 'sync' && r.tracker === 'Tasks' && r.outcome === 'success')).toBe(true);
    // The echo is known: no run only says it saw it.
    expect(reports.filter((r) => r.counts.seen > 0 && r.counts.seen === r.counts.unchanged)).toEqual([]);
    const log = await cli(['--json', 'log', 'Tasks'], { data: p.cloneDir });
    expect(log.json<{ kind: string }[]>().filter((run) => run.kind === 'sync')).toHaveLength(reports.length);
  });

  it('keeps conflicts for review without blocking the rest, and exits 3 when stopped with conflicts open', async () => {
    pair = await startPair({ simple: true });
    const p = pair;
    const [a, b] = [masterAdd(p, { title: 'a' }), masterAdd(p, { title: 'b' })];
    await clone(p.clone, 'origin', p.tracker.id);
    masterEdit(p, a.id, { n: 1 });
    p.clone.updateItem(localOf(p, a.id).trackerId, localOf(p, a.id).id, { values: { n: 2 } }, null);
    watcher = startWatch(p.cloneDir, ['Tasks']);
    await watcher.reported(1, 'the first full sync');
    expect(watcher.reports()[0]).toMatchObject({ outcome: 'warning', counts: { conflicts: 1 } });
    masterEdit(p, b.id, { n: 3 });
    await waitFor(() => localOf(p, b.id).values.n === 3, 'the other item still syncs');
    expect(await watcher.stop()).toEqual({ code: 3, signal: null });
  });

  it('follows a schema changed on the master before it applies the changes made under it', async () => {
    pair = await startPair({ simple: true });
    const p = pair;
    const item = masterAdd(p, { title: 'a' });
    await clone(p.clone, 'origin', p.tracker.id);
    watcher = startWatch(p.cloneDir, ['Tasks']);
    await watcher.reported(1, 'the first full sync');
    masterEdit(p, item.id, { n: 1 });
    await waitFor(() => localOf(p, item.id).values.n === 1, 'a change under the old schema');
    const fields = p.master.store.getTracker(p.tracker.id).fields;
    p.master.store.setTrackerFields(p.tracker.id, [...fields, { name: 'owner', label: 'Owner', type: 'text', required: false }]);
    masterEdit(p, item.id, { owner: 'ann' });
    await waitFor(() => localOf(p, item.id).values.owner === 'ann', 'the new field and its value on the clone');
    expect(p.clone.getTracker('Tasks').fields.map((f) => f.name)).toContain('owner');
  });

  it('takes a burst larger than it holds in memory whole, in batches of at most 500 (the feed waits on the wire meanwhile)', async () => {
    pair = await startPair({ simple: true });
    const p = pair;
    const ids = p.master.store.createItems(p.tracker.id, Array.from({ length: 2600 }, (_, i) => ({ values: { title: `t${i}` } })), 'root').map((i) => i.id);
    await clone(p.clone, 'origin', p.tracker.id);
    watcher = startWatch(p.cloneDir, ['Tasks']);
    await watcher.reported(1, 'the first full sync');
    p.master.store.updateItems(p.tracker.id, ids, { values: { n: 7 } }, 'root');
    const last = p.master.store.lastSeq();
    await waitFor(() => tokenOf(p.clone, 'Tasks') === last, 'the whole burst applied');
    const local = p.clone.getTracker('Tasks');
    expect(p.clone.listItems(local.id).filter((i) => i.values.n === 7)).toHaveLength(2600);
    const live = watcher.reports().slice(1);
    expect(live.reduce((n, r) => n + r.reload.counts.updated, 0)).toBe(2600);
    expect(Math.max(...live.map((r) => r.reload.counts.seen))).toBeLessThanOrEqual(500);
  });

  it('stops at once on SIGTERM while the remote is down, instead of waiting out its retries', async () => {
    pair = await startPair({ simple: true });
    masterAdd(pair, { title: 'a' });
    await clone(pair.clone, 'origin', pair.tracker.id);
    await pair.master.server.close();
    watcher = startWatch(pair.cloneDir, ['Tasks']);
    await waitFor(() => /watching Tasks/.test(watcher!.stderr()), 'the watch under way');
    const started = Date.now();
    expect(await watcher.stop()).toEqual({ code: 0, signal: null });
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it('ends with exit 1 and says why when the remote refuses the credentials, instead of retrying forever', async () => {
    pair = await startPair({ simple: true });
    masterAdd(pair, { title: 'a' });
    await clone(pair.clone, 'origin', pair.tracker.id);
    await pair.master.store.setPassword('root', 'changed');
    watcher = startWatch(pair.cloneDir, ['Tasks']);
    const end = await watcher.exited;
    expect(end.code).toBe(1);
    expect(watcher.stderr()).toMatch(/refused the credentials of user "root"/);
  });
});
