import { spawn } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { clone } from '../../client/sync/clone.js';
import { ReplicaState } from '../../client/replica/index.js';
import type { Report } from '../../client/sync/report.js';
import { CLI } from '../helpers/cli.js';
import { FAST, type SyncPair, masterAdd, runCliAsync, startPair, tokenOf } from '../helpers/sync.js';

let pair: SyncPair;
afterEach(async () => {
  await pair?.close();
});

const CHANGES = 5000;

describe('a reload killed with SIGKILL', () => {
  it('resumes from the last committed batch and ends with exactly the master data, nothing lost or duplicated', async () => {
    pair = await startPair({ simple: true });
    masterAdd(pair, { title: 'before the clone' });
    const { tracker } = await clone(pair.clone, 'origin', 'Tasks', { remote: FAST });
    const start = tokenOf(pair.clone, 'Tasks');
    pair.master.store.createItems(
      pair.tracker.id,
      Array.from({ length: CHANGES }, (_, i) => ({ values: { title: `item ${i}`, n: i, notes: `line ${i}\n` } })),
      'root',
    );
    const last = pair.master.store.changesSince(pair.tracker.id, start, CHANGES + 1).next;

    const child = spawn(process.execPath, [CLI, '--data', pair.cloneDir, 'reload', 'Tasks', '--batch-size', '50', '--json'], {
      env: { ...process.env, S15N_DATA: '' },
      stdio: 'ignore',
    });
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.once('exit', (_code, signal) => resolve(signal)));
    // Kill as soon as a first batch is committed (the clone's token moved), while most of the feed is still to come.
    while (tokenOf(pair.clone, 'Tasks') === start && child.exitCode === null) await new Promise((r) => setTimeout(r, 2));
    child.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');

    const killedAt = tokenOf(pair.clone, 'Tasks');
    expect(killedAt).toBeGreaterThan(start);
    expect(killedAt).toBeLessThan(last);
    // Every committed batch is whole: the items applied are exactly the changes up to the token.
    expect(pair.clone.countItems(tracker.id)).toBe(1 + (killedAt - start));
    const interrupted = new ReplicaState(pair.clone).log.list(tracker.id)[0];
    expect(interrupted).toMatchObject({ kind: 'reload', outcome: 'error', errors: [{ message: expect.stringMatching(/interrupted/) }] });

    const rerun = await runCliAsync(['reload', 'Tasks', '--json'], { data: pair.cloneDir });
    expect(rerun.code).toBe(0);
    const report = rerun.json<Report>();
    expect(report.counts).toMatchObject({ seen: last - killedAt, created: last - killedAt, errors: 0, conflicts: 0 });
    expect(tokenOf(pair.clone, 'Tasks')).toBe(last);

    const master = pair.master.store.listItems(pair.tracker.id);
    const local = pair.clone.listItems(tracker.id);
    expect(local).toHaveLength(master.length);
    const replicas = new ReplicaState(pair.clone);
    const byLocalId = new Map(local.map((i) => [i.id, i]));
    for (const item of master) {
      const sync = replicas.itemByRemoteId(tracker.id, item.id);
      expect(sync).toBeDefined();
      const copy = byLocalId.get(sync!.itemId);
      expect({ status: copy?.status, values: copy?.values }).toEqual({ status: item.status, values: item.values });
    }
  }, 60_000);
});
