import { afterEach, describe, expect, it } from 'vitest';
import { clone } from '../../client/sync/clone.js';
import type { Report } from '../../client/sync/report.js';
import { runCli } from '../helpers/cli.js';
import { snapshot } from '../helpers/instance.js';
import { type TestProxy, proxyRemote } from '../helpers/proxy.js';
import { FAST, type SyncPair, localEdit, localOf, masterAdd, masterEdit, runCliAsync, startPair } from '../helpers/sync.js';

let pair: SyncPair | undefined;
let proxy: TestProxy | undefined;

afterEach(async () => {
  await proxy?.close();
  await pair?.close();
  pair = undefined;
  proxy = undefined;
});

/** A master and a clone whose remote goes through a counting proxy; the CLI runs on the clone's data dir. */
async function cloned(): Promise<{ p: SyncPair; proxy: TestProxy }> {
  pair = await startPair({ simple: true });
  proxy = await proxyRemote(pair.clone, 'origin', pair.master.url);
  await clone(pair.clone, 'origin', pair.tracker.name, { remote: FAST });
  return { p: pair, proxy };
}

const COUNTERS = ['conflicts', 'created', 'deleted', 'errors', 'merged', 'seen', 'unchanged', 'updated'];

function expectReportShape(report: Report): void {
  expect(Object.keys(report)).toEqual(expect.arrayContaining(['outcome', 'dryRun', 'startedAt', 'endedAt', 'counts', 'errors']));
  expect(['success', 'warning', 'error']).toContain(report.outcome);
  expect(Date.parse(report.startedAt)).toBeLessThanOrEqual(Date.parse(report.endedAt));
  expect(Object.keys(report.counts).sort()).toEqual(COUNTERS);
  const { seen, ...rest } = report.counts;
  expect(Object.values(rest).reduce((a, b) => a + b, 0)).toBe(seen);
  for (const error of report.errors) expect(Object.keys(error).sort()).toEqual(['id', 'message']);
}

describe('s15n push', { timeout: 60_000 }, () => {
  it('--json prints exactly the REPORT; exit 0 when everything went', async () => {
    const { p } = await cloned();
    const a = masterAdd(p, { title: 'a' });
    await runCliAsync(['reload', p.tracker.name], { data: p.cloneDir });
    localEdit(p, a.id, { n: 1 });
    p.clone.createItem(p.clone.getTracker(p.tracker.name).id, { values: { title: 'new' } }, null);
    const result = await runCliAsync(['push', p.tracker.name, '--json'], { data: p.cloneDir });
    expect(result.code, result.stderr).toBe(0);
    const report = result.json<Report>();
    expectReportShape(report);
    expect(report).toMatchObject({ outcome: 'success', dryRun: false, counts: { seen: 2, created: 1, updated: 1 }, errors: [] });
    expect(p.master.store.getItem(p.tracker.id, a.id)!.values.n).toBe(1);
  });

  it('prints a counter summary and each item error for people; exit 3 while a conflict remains, even on a rerun', async () => {
    const { p } = await cloned();
    const a = masterAdd(p, { title: 'a', n: 1 });
    const b = masterAdd(p, { title: 'b' });
    await runCliAsync(['reload', p.tracker.name], { data: p.cloneDir });
    masterEdit(p, a.id, { n: 10 });
    localEdit(p, a.id, { n: 20 });
    localEdit(p, b.id, { labels: ['d'] });
    const fields = p.master.store.getTracker(p.tracker.id).fields;
    p.master.store.setTrackerFields(p.tracker.id, fields.map((f) => (f.name === 'labels' ? { ...f, options: ['a'] } : f)));

    const human = await runCliAsync(['push', p.tracker.name], { data: p.cloneDir });
    expect(human.code, human.stderr).toBe(3);
    expect(human.stdout).toMatch(/^push of Tasks: warning\n/);
    expect(human.stdout).toMatch(/seen 2: created 0, updated 0, deleted 0, merged 0, unchanged 0, conflicts 1, errors 1/);
    expect(human.stdout).toContain(`error: item ${localOf(p, b.id).id}: the remote refused the update of remote item ${b.id}`);

    const rerun = await runCliAsync(['push', p.tracker.name, '--json'], { data: p.cloneDir });
    expect(rerun.code).toBe(3);
    expect(rerun.json<Report>().counts).toMatchObject({ conflicts: 0, errors: 1 });
  });

  it('exit 1 when the run fails (credentials refused), with the REPORT and no password in the output', async () => {
    const { p, proxy } = await cloned();
    p.clone.createItem(p.clone.getTracker(p.tracker.name).id, { values: { title: 'new' } }, null);
    const posts = proxy.count('POST');
    const result = await runCliAsync(['push', p.tracker.name, '--json'], { data: p.cloneDir, env: { S15N_PASSWORD_ORIGIN: 'wrong-password' } });
    expect(result.code).toBe(1);
    const report = result.json<Report>();
    expectReportShape(report);
    expect(report).toMatchObject({ outcome: 'error', errors: [{ id: null, message: expect.stringMatching(/refused the credentials/) }] });
    expect(result.stdout + result.stderr).not.toContain('wrong-password');
    // 401 is not retried.
    expect(proxy.count('POST') - posts).toBe(1);
    expect(p.master.store.countItems(p.tracker.id)).toBe(0);
  });

  it('exit 2 for bad usage, before anything is sent: unknown item, items with --all-clean, --overwrite without items, a bad --batch-size', async () => {
    const { p, proxy } = await cloned();
    const requests = proxy.requests.length;
    for (const args of [['999'], ['1', '--all-clean'], ['--overwrite'], ['--batch-size', '0'], ['abc']]) {
      const result = runCli(['push', p.tracker.name, ...args, '--json'], { data: p.cloneDir });
      expect(result.code, args.join(' ')).toBe(2);
      expect(result.json<{ error: { code: string } }>().error.code, args.join(' ')).toMatch(/bad_input|usage/);
    }
    expect(runCli(['push', 'NoSuchTracker'], { data: p.cloneDir }).code).toBe(1);
    expect(proxy.requests.length).toBe(requests);
  });

  it('--dry-run sends no change (it reads the feed once) and changes nothing; its counters equal those of the real push', async () => {
    const { p, proxy } = await cloned();
    const a = masterAdd(p, { title: 'a' });
    const b = masterAdd(p, { title: 'b' });
    await runCliAsync(['reload', p.tracker.name], { data: p.cloneDir });
    localEdit(p, a.id, { n: 1 }, 'closed');
    p.clone.deleteItems(p.clone.getTracker(p.tracker.name).id, [localOf(p, b.id).id], null);
    p.clone.createItems(p.clone.getTracker(p.tracker.name).id, [{ values: { title: 'x' } }, { values: { title: 'y' } }], null);
    const masterBefore = snapshot(p.master.store);
    const replicaBefore = JSON.stringify(p.clone.db.prepare('SELECT * FROM replica_items ORDER BY item_id').all());
    const cloneBefore = snapshot(p.clone);
    const requests = proxy.requests.length;

    const dry = await runCliAsync(['push', p.tracker.name, '--dry-run', '--json'], { data: p.cloneDir });
    expect(dry.code, dry.stderr).toBe(0);
    const dryReport = dry.json<Report>();
    expect(dryReport).toMatchObject({ dryRun: true, counts: { seen: 4, created: 2, updated: 1, deleted: 1 } });
    expect(proxy.requests.slice(requests).map((r) => `${r.method} ${r.path.split('?')[0]}`)).toEqual([`GET /api/v1/trackers/${p.tracker.id}/changes`]);
    expect(snapshot(p.master.store)).toBe(masterBefore);
    expect(snapshot(p.clone)).toBe(cloneBefore);
    expect(JSON.stringify(p.clone.db.prepare('SELECT * FROM replica_items ORDER BY item_id').all())).toBe(replicaBefore);

    const real = await runCliAsync(['push', p.tracker.name, '--json'], { data: p.cloneDir });
    expect(real.code, real.stderr).toBe(0);
    expect(real.json<Report>().counts).toEqual(dryReport.counts);
    expect(p.master.store.listItems(p.tracker.id).map((i) => i.values.title)).toEqual(['a', 'x', 'y']);
  });

  it('--batch-size N caps the changes per request', async () => {
    const { p, proxy } = await cloned();
    const old = p.master.store.createItems(p.tracker.id, Array.from({ length: 3 }, (_, i) => ({ values: { title: `old ${i}` } })), 'root');
    await runCliAsync(['reload', p.tracker.name], { data: p.cloneDir });
    const t = p.clone.getTracker(p.tracker.name);
    p.clone.createItems(t.id, Array.from({ length: 25 }, (_, i) => ({ values: { title: `new ${i}` } })), null);
    p.clone.deleteItems(t.id, old.map((item) => localOf(p, item.id).id), null);
    const posts = proxy.count('POST');
    const result = await runCliAsync(['push', p.tracker.name, '--batch-size', '10', '--json'], { data: p.cloneDir });
    expect(result.code, result.stderr).toBe(0);
    expect(result.json<Report>()).toMatchObject({ counts: { seen: 28, created: 25, deleted: 3 }, requests: 3 });
    expect(proxy.count('POST') - posts).toBe(3);
    const sizes = proxy.requests.filter((r) => r.method === 'POST').slice(posts).map((r) => (JSON.parse(r.body) as { changes: unknown[] }).changes.length);
    expect(sizes).toEqual([10, 10, 8]);
  });
});
