/**
 * `s15n sync` without --watch, through the built CLI against a real master: per tracker a reload
 * then a push of every clean local change, one report each naming its tracker in `{"reports"}`,
 * counters that are the sums of the two parts (each a partition), kind `sync` in the log; the
 * trackers of one remote over one connection; --pull-only, --dry-run, exit codes and bad usage.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { clone } from '../../client/sync/clone.js';
import { COUNTERS, type Report } from '../../client/sync/report.js';
import { snapshot } from '../helpers/instance.js';
import { type SyncPair, localEdit, localOf, masterAdd, masterEdit, runCliAsync as cli, startPair } from '../helpers/sync.js';
import { startFaultProxy } from '../faults/fault-proxy.js';

let pair: SyncPair | undefined;
afterEach(async () => {
  await pair?.close();
  pair = undefined;
});

/** A master with two Tasks items cloned, then: one edited on the master, one edited here, one new here. */
async function diverged(): Promise<SyncPair> {
  pair = await startPair({ simple: true });
  const [a, b] = [masterAdd(pair, { title: 'a' }), masterAdd(pair, { title: 'b' })];
  await clone(pair.clone, 'origin', pair.tracker.id);
  masterEdit(pair, a.id, { n: 1 });
  localEdit(pair, b.id, { n: 2 });
  pair.clone.createItem(pair.clone.getTracker('Tasks').id, { values: { title: 'new here' } }, null);
  return pair;
}

function partitions(counts: Report['counts']): boolean {
  return counts.seen === COUNTERS.filter((c) => c !== 'seen').reduce((sum, c) => sum + counts[c], 0);
}

describe('s15n sync', { timeout: 60_000 }, () => {
  it('reloads, then pushes every clean local change; one report naming its tracker, its counters the sums of its parts', async () => {
    const p = await diverged();
    const result = await cli(['--json', 'sync', 'Tasks'], { data: p.cloneDir });
    expect(result.code, result.stderr).toBe(0);
    const { reports } = result.json<{ reports: Report[] }>();
    expect(reports).toHaveLength(1);
    const [report] = reports as [Report & { reload: Report; push: Report }];
    expect(report).toMatchObject({ tracker: 'Tasks', kind: 'sync', outcome: 'success', dryRun: false });
    expect(report.reload.counts).toMatchObject({ seen: 1, updated: 1 });
    expect(report.push.counts).toMatchObject({ seen: 2, created: 1, updated: 1 });
    for (const counter of COUNTERS) expect(report.counts[counter]).toBe(report.reload.counts[counter] + report.push.counts[counter]);
    for (const counts of [report.counts, report.reload.counts, report.push.counts]) expect(partitions(counts)).toBe(true);
    expect(p.master.store.listItems(p.tracker.id).map((i) => [i.values.title, i.values.n ?? null])).toEqual([['a', 1], ['b', 2], ['new here', null]]);
    expect(localOf(p, 1).values.n).toBe(1);
    const log = await cli(['--json', 'log', 'Tasks'], { data: p.cloneDir });
    expect(log.json<{ kind: string; counts: Report['counts'] }[]>()[0]).toMatchObject({ kind: 'sync', counts: report.counts });
  });

  it('--pull-only never pushes; --dry-run changes nothing and predicts the real run', async () => {
    const p = await diverged();
    const before = [snapshot(p.clone), snapshot(p.master.store)];
    const dry = await cli(['--json', 'sync', 'Tasks', '--dry-run'], { data: p.cloneDir });
    expect(dry.code, dry.stderr).toBe(0);
    expect([snapshot(p.clone), snapshot(p.master.store)]).toEqual(before);
    const pulled = await cli(['--json', 'sync', 'Tasks', '--pull-only'], { data: p.cloneDir });
    const pullReport = pulled.json<{ reports: (Report & { push: null })[] }>().reports[0]!;
    expect(pullReport.push).toBeNull();
    expect(pullReport.counts).toMatchObject({ seen: 1, updated: 1 });
    expect(p.master.store.countItems(p.tracker.id)).toBe(2);
    const real = await cli(['--json', 'sync', 'Tasks'], { data: p.cloneDir });
    const dryReport = dry.json<{ reports: Report[] }>().reports[0]!;
    const realReport = real.json<{ reports: (Report & { push: Report })[] }>().reports[0]!;
    expect(dryReport.dryRun).toBe(true);
    expect(realReport.push.counts).toEqual((dryReport as Report & { push: Report }).push.counts);
  });

  it('--all syncs every cloned tracker, the trackers of one remote over one connection', async () => {
    pair = await startPair({ simple: true });
    const other = pair.master.store.createTracker({ name: 'Notes', fields: [{ name: 'title', type: 'text' }] });
    pair.master.store.grant('alice', other.id, 'edit');
    masterAdd(pair, { title: 'a task' });
    await clone(pair.clone, 'origin', pair.tracker.id);
    await clone(pair.clone, 'origin', other.id);
    masterAdd(pair, { title: 'another task' });
    const proxy = await startFaultProxy(Number(new URL(pair.master.url).port));
    try {
      pair.clone.db.prepare('UPDATE remotes SET url = ? WHERE name = ?').run(proxy.url, 'origin');
      const result = await cli(['--json', 'sync', '--all'], { data: pair.cloneDir });
      expect(result.code, result.stderr).toBe(0);
      expect(result.json<{ reports: Report[] }>().reports.map((r) => [r.tracker, r.outcome])).toEqual([['Tasks', 'success'], ['Notes', 'success']]);
      expect(proxy.connections()).toBe(1);
    } finally {
      await proxy.close();
    }
  });

  it('exits 3 when conflicts remain, 1 for an unknown tracker, 2 on bad usage (changing nothing)', async () => {
    const p = await diverged();
    masterEdit(p, 2, { n: 20 });
    const conflicted = await cli(['--json', 'sync', 'Tasks'], { data: p.cloneDir });
    expect(conflicted.code).toBe(3);
    expect(conflicted.json<{ reports: Report[] }>().reports[0]!.counts.conflicts).toBe(1);
    const before = snapshot(p.clone);
    for (const args of [[], ['Tasks', '--all'], ['Tasks', '--watch', '--dry-run'], ['Tasks', '--interval', '0'], ['Tasks', '--watch', '--interval', '1', '--heartbeat', '1'], ['Tasks', '--heartbeat', '1']]) {
      const bad = await cli(['sync', ...args], { data: p.cloneDir });
      expect(bad.code, args.join(' ')).toBe(2);
      expect(bad.stderr).toMatch(/^s15n: /);
    }
    expect((await cli(['sync', 'Nope'], { data: p.cloneDir })).code).toBe(1);
    expect(snapshot(p.clone)).toEqual(before);
  });
});
