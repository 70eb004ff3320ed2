/** The run controls of DESIGN §12 through the built CLI: `reload --verify` on a file edited behind s15n's back, `--limit`, `--stop-on-error`, and `log --prune`. */
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { ReplicaState } from '../../client/replica/index.js';
import { clone } from '../../client/sync/clone.js';
import type { Report } from '../../client/sync/report.js';
import { status } from '../../client/sync/status.js';
import { DB_FILE } from '../../server/store/index.js';
import { FAST, type SyncPair, localEdit, localOf, masterAdd, masterEdit, runCliAsync, startPair, tokenOf } from '../helpers/sync.js';

let pair: SyncPair | undefined;
afterEach(async () => {
  await pair?.close();
  pair = undefined;
});

async function cloned(options: Parameters<typeof startPair>[0] = {}): Promise<SyncPair> {
  pair = await startPair({ simple: true, ...options });
  return pair;
}

const cli = async (p: SyncPair, ...args: string[]) => runCliAsync([...args, '--json'], { data: p.cloneDir });
async function reportOf(p: SyncPair, ...args: string[]): Promise<Report> {
  const result = await cli(p, ...args);
  expect([0, 3], `${args.join(' ')}: ${result.stderr}`).toContain(result.code);
  return result.json<Report>();
}

/** The clone's live copies as remote id -> [status, values]. */
function copies(p: SyncPair): Map<number, unknown> {
  const t = p.clone.getTracker('Tasks');
  const replicas = new ReplicaState(p.clone);
  return new Map(p.clone.listItems(t.id).map((i) => [replicas.itemState(i.id)?.remoteId ?? -i.id, [i.status, i.values]]));
}

describe('reload --verify', { timeout: 60_000 }, () => {
  it('repairs a clone whose SQLite file was edited behind its back (missing, extra and drifted copies), keeping the local edit, deleting nothing remotely', async () => {
    const p = await cloned();
    const m = Array.from({ length: 8 }, (_, i) => masterAdd(p, { title: `t${i}`, n: i }));
    await clone(p.clone, 'origin', 'Tasks', { remote: FAST });
    localEdit(p, m[0]!.id, { notes: 'mine' });
    const local = m.map((item) => localOf(p, item.id).id);
    // Changes on the master the clone will never hear of: its token is moved past them below.
    p.master.store.deleteItems(p.tracker.id, [m[5]!.id], 'root');
    masterEdit(p, m[6]!.id, { title: 't6 changed' });
    const tracker = p.clone.getTracker('Tasks');

    // As the sqlite3 shell would: without foreign keys, so an item row can go from under its sync state.
    const db = new Database(join(p.cloneDir, DB_FILE));
    db.pragma('foreign_keys = OFF');
    db.prepare('DELETE FROM replica_items WHERE item_id = ?').run(local[1]);
    db.prepare('DELETE FROM items WHERE id = ?').run(local[1]);
    db.prepare('DELETE FROM items WHERE id = ?').run(local[2]); // its sync state stays, an orphan
    db.prepare("UPDATE items SET values_json = json_set(values_json, '$.title', 'corrupt') WHERE id = ?").run(local[3]);
    db.prepare('UPDATE replica_items SET base_from_item = 1, base_values = NULL, base_status = NULL WHERE item_id = ?').run(local[3]);
    db.prepare('UPDATE replica_items SET base_version = 99 WHERE item_id = ?').run(local[4]);
    const ghost = db.prepare("INSERT INTO items (tracker_id, status, values_json, version, seq, deleted, updated_at) VALUES (?, 'open', '{\"title\":\"ghost\"}', 1, 999999, 0, 'x') RETURNING id").get(tracker.id) as { id: number };
    db.prepare('INSERT INTO replica_items (item_id, tracker_id, remote_id, base_version, synced_seq, base_from_item) VALUES (?, ?, 987654, 1, 999999, 1)').run(ghost.id, tracker.id);
    db.prepare('UPDATE replicas SET token = ? WHERE tracker_id = ?').run(p.master.store.lastSeq(), tracker.id);
    db.close();

    const plain = await reportOf(p, 'reload', 'Tasks');
    expect(plain.counts.seen).toBe(0);
    const dry = await reportOf(p, 'reload', 'Tasks', '--verify', '--dry-run');
    const report = await reportOf(p, 'reload', 'Tasks', '--verify');
    expect(report.counts).toEqual(dry.counts);
    expect(report).toMatchObject({ repaired: 7, verify: { checked: 7, missing: 2, drifted: 3, extra: 2, repaired: 7 }, counts: { errors: 0, conflicts: 0 } });

    const expected = new Map(p.master.store.listItems(p.tracker.id).map((i) => [i.id, [i.status, i.id === m[0]!.id ? { ...i.values, notes: 'mine' } : i.values]]));
    expect(copies(p)).toEqual(expected);
    // The local edit is still a local edit, and nothing else is left to push.
    expect(status(p.clone, 'Tasks').modified.map((i) => i.values.title)).toEqual(['t0']);
    const pushed = await reportOf(p, 'push', 'Tasks');
    expect(pushed.counts).toMatchObject({ seen: 1, updated: 1, deleted: 0 });
    expect(p.master.store.countItems(p.tracker.id)).toBe(7);
    expect(await reportOf(p, 'reload', 'Tasks', '--verify')).toMatchObject({ repaired: 0, verify: { checked: 7, missing: 0, extra: 0, drifted: 0 } });
  });

  it('on a partial clone compares the matching items only, and an extra copy the filter no longer matches leaves as a left item', async () => {
    const p = await cloned();
    const a = masterAdd(p, { title: 'a' });
    const b = masterAdd(p, { title: 'b' });
    masterAdd(p, { title: 'c' }, 'closed');
    await clone(p.clone, 'origin', 'Tasks', { remote: FAST, where: '{"status": "open"}' });
    masterEdit(p, b.id, {}, 'closed');
    const db = new Database(join(p.cloneDir, DB_FILE));
    db.prepare('UPDATE replicas SET token = ?').run(p.master.store.lastSeq());
    db.close();
    const report = await reportOf(p, 'reload', 'Tasks', '--verify');
    expect(report).toMatchObject({ repaired: 1, left: 1, verify: { checked: 1, extra: 1 } });
    expect([...copies(p).keys()]).toEqual([a.id]);
  });

  it('refuses --verify with --limit (exit 2, nothing run)', async () => {
    const p = await cloned();
    await clone(p.clone, 'origin', 'Tasks', { remote: FAST });
    const result = await cli(p, 'reload', 'Tasks', '--verify', '--limit', '5');
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/--verify .* cannot be limited/);
    expect(new ReplicaState(p.clone).log.list(p.clone.getTracker('Tasks').id)).toHaveLength(1);
  });
});

describe('reload --limit', { timeout: 60_000 }, () => {
  it('applies at most N changes a run, the token at the last applied, and says more: true until the feed is drained', async () => {
    const p = await cloned();
    await clone(p.clone, 'origin', 'Tasks', { remote: FAST });
    const added = Array.from({ length: 7 }, (_, i) => masterAdd(p, { title: `n${i}` }));
    const first = await reportOf(p, 'reload', 'Tasks', '--limit', '3');
    expect(first).toMatchObject({ more: true, counts: { seen: 3, created: 3 } });
    expect(tokenOf(p.clone, 'Tasks')).toBe(added[2]!.seq);
    expect(await reportOf(p, 'reload', 'Tasks', '--limit', '3')).toMatchObject({ more: true, counts: { seen: 3 } });
    expect(await reportOf(p, 'reload', 'Tasks', '--limit', '3')).toMatchObject({ more: false, counts: { seen: 1 } });
    expect(p.clone.countItems(p.clone.getTracker('Tasks').id)).toBe(7);
    const bad = await cli(p, 'reload', 'Tasks', '--limit', '0');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--limit: expected a positive integer/);
  });
});

describe('--stop-on-error', { timeout: 60_000 }, () => {
  it('reload: the first item error ends the run, outcome error, the error named, the token at the last change applied; the next run goes on from there', async () => {
    const p = await cloned();
    await clone(p.clone, 'origin', 'Tasks', { remote: FAST });
    const made = ['a', 'b', 'poison', 'c'].map((title) => masterAdd(p, { title }));
    p.clone.db.exec(`CREATE TRIGGER poison BEFORE INSERT ON items WHEN json_extract(NEW.values_json, '$.title') = 'poison' BEGIN SELECT RAISE(ABORT, 'refused by the test'); END`);
    const result = await cli(p, 'reload', 'Tasks', '--stop-on-error', '--batch-size', '10');
    expect(result.code).toBe(1);
    const report = result.json<Report>();
    expect(report).toMatchObject({ outcome: 'error', more: true, counts: { seen: 3, created: 2, errors: 1 } });
    expect(report.errors.map((e) => e.message)).toEqual([expect.stringMatching(/remote item \d+: .*refused by the test/), expect.stringMatching(/stopped at the first item error \(--stop-on-error\): remote item/)]);
    expect(tokenOf(p.clone, 'Tasks')).toBe(made[1]!.seq);
    p.clone.db.exec('DROP TRIGGER poison');
    expect(await reportOf(p, 'reload', 'Tasks', '--stop-on-error')).toMatchObject({ outcome: 'success', counts: { seen: 2, created: 2 } });
  });

  it('sync: a reload part stopped at its first item error is not followed by a push; refused with --watch', async () => {
    const p = await cloned();
    const mine = masterAdd(p, { title: 'mine' });
    await clone(p.clone, 'origin', 'Tasks', { remote: FAST });
    localEdit(p, mine.id, { n: 5 });
    for (const title of ['a', 'poison', 'b']) masterAdd(p, { title });
    p.clone.db.exec(`CREATE TRIGGER poison BEFORE INSERT ON items WHEN json_extract(NEW.values_json, '$.title') = 'poison' BEGIN SELECT RAISE(ABORT, 'refused by the test'); END`);
    const result = await cli(p, 'sync', 'Tasks', '--stop-on-error');
    expect(result.code, result.stderr).toBe(1);
    const [report] = result.json<{ reports: Report[] }>().reports;
    expect(report).toMatchObject({ outcome: 'error', push: null, reload: { outcome: 'error', more: true, counts: { created: 1, errors: 1 } } });
    expect(report!.errors.map((e) => e.message)).toContainEqual(expect.stringMatching(/stopped at the first item error \(--stop-on-error\)/));
    // Nothing was pushed: the local edit is still only here. Without the option the run goes on and pushes it.
    expect(p.master.store.getItem(p.tracker.id, mine.id)!.values.n ?? null).toBeNull();
    const goesOn = await cli(p, 'sync', 'Tasks');
    expect(goesOn.json<{ reports: Report[] }>().reports[0]).toMatchObject({ outcome: 'warning', counts: { errors: 1 } });
    expect(p.master.store.getItem(p.tracker.id, mine.id)!.values.n).toBe(5);
    const watching = await cli(p, 'sync', 'Tasks', '--watch', '--stop-on-error');
    expect(watching.code).toBe(2);
    expect(watching.stderr).toMatch(/--stop-on-error ends one run/);
  });

  it('push: the first item error ends the run; later batches are not sent; by default they are, and the error is counted', async () => {
    const p = await cloned({ user: 'eddie' });
    const items = ['x', 'y', 'z'].map((title) => masterAdd(p, { title }));
    await clone(p.clone, 'origin', 'Tasks', { remote: FAST });
    // eddie has the edit right only: the delete is refused, item by item.
    p.clone.deleteItems(p.clone.getTracker('Tasks').id, [localOf(p, items[0]!.id).id], null);
    localEdit(p, items[1]!.id, { n: 1 });
    localEdit(p, items[2]!.id, { n: 2 });
    const stopped = await cli(p, 'push', 'Tasks', '--stop-on-error', '--batch-size', '1');
    expect(stopped.code).toBe(1);
    expect(stopped.json<Report>()).toMatchObject({ outcome: 'error', requests: 1, counts: { seen: 1, errors: 1 } });
    expect(p.master.store.listItems(p.tracker.id).map((i) => i.values.n ?? null)).toEqual([null, null, null]);
    const goesOn = await reportOf(p, 'push', 'Tasks', '--batch-size', '1');
    expect(goesOn).toMatchObject({ outcome: 'warning', counts: { seen: 3, updated: 2, errors: 1 } });
  });
});

describe('log --prune', { timeout: 60_000 }, () => {
  it('keeps the newest N runs, or deletes those older than a duration; refuses what it cannot read', async () => {
    const p = await cloned();
    await clone(p.clone, 'origin', 'Tasks', { remote: FAST });
    for (let i = 0; i < 4; i += 1) await reportOf(p, 'reload', 'Tasks');
    const runs = () => (p.clone.db.prepare('SELECT count(*) AS n FROM sync_runs').get() as { n: number }).n;
    expect(runs()).toBe(5);
    const kept = await cli(p, 'log', 'Tasks', '--prune', '--keep', '2');
    expect(kept.json()).toEqual({ tracker: 'Tasks', pruned: 3, kept: 2 });
    expect((await cli(p, 'log', 'Tasks', '--prune', '--older-than', '30d')).json()).toMatchObject({ pruned: 0, kept: 2 });
    // Both: a run goes only when it is beyond the newest N and older than the duration.
    expect((await cli(p, 'log', 'Tasks', '--prune', '--keep', '1', '--older-than', '0s')).json()).toMatchObject({ pruned: 1, kept: 1 });
    for (const [args, message] of [
      [['--prune', '--older-than', '30 days'], /--older-than: expected a duration such as 30d/],
      [['--prune'], /--prune needs --keep N/],
      [['--keep', '3'], /--keep and --older-than go with --prune/],
      [['--prune', '--keep', '-1'], /--keep: expected a number of runs/],
    ] as const) {
      const refused = await cli(p, 'log', 'Tasks', ...args);
      expect(refused.code, args.join(' ')).toBe(2);
      expect(refused.stderr, args.join(' ')).toMatch(message);
    }
    expect(runs()).toBe(1);
  });
});
