/**
 * `s15n sync --watch` under faults, on the seeded worlds of the kill trials (a master process of
 * 400 items changed on both sides, a clone behind the fault proxy): the server killed and
 * restarted under a watching clone, the watcher SIGKILLed mid-batch and restarted, a proxy that
 * cuts idle connections (heartbeats keep the feed alive), a proxy that buffers whole answers
 * (--interval polls through it). Each ends with the trials' checks: nothing lost, nothing
 * duplicated, both sides converged.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { openLocalStore } from '../../client/replica/index.js';
import type { SqliteStore } from '../../server/store/index.js';
import { startProxy } from '../helpers/proxy.js';
import { waitFor } from '../helpers/wait.js';
import { type WatchProcess, startWatch } from '../helpers/watch.js';
import { startFaultProxy } from './fault-proxy.js';
import { BASE_SEED, type Scenario, TRIAL_TIMEOUT, resumeAndCheck, scenario, serveProcess } from './harness.js';

let world: Scenario | undefined;
let watcher: WatchProcess | undefined;
const closers: (() => unknown)[] = [];
afterEach(async () => {
  if (watcher?.child.exitCode === null) watcher.child.kill('SIGKILL');
  await watcher?.exited;
  watcher = undefined;
  for (const close of closers.splice(0)) await close();
  await world?.cleanup();
  world = undefined;
});

/** A connection of the test's own to a data dir (to the watcher and the server: another process). */
function open(dir: string): SqliteStore {
  const store = openLocalStore(dir);
  closers.push(() => store.close());
  return store;
}

/** Edits `count` master items on the master's file (another process than the server), recording what the end must hold. */
function editMaster(w: Scenario, master: SqliteStore, count: number): void {
  const tracker = master.getTracker('Tasks');
  const items = master.listItems(tracker.id).slice(0, count);
  master.transaction(() => {
    for (const item of items) master.updateItem(tracker.id, item.id, { values: { n: item.id * 7 } }, 'root');
  });
  for (const item of items) {
    const title = item.values.title as string;
    const before = w.expected.get(title);
    if (before && before !== 'deleted') w.expected.set(title, { ...before, n: item.id * 7 });
  }
}

/** New local items on the clone's file (another process than the watcher), recorded. */
function addLocal(w: Scenario, clone: SqliteStore, titles: string[]): void {
  clone.createItems(clone.getTracker('Tasks').id, titles.map((title) => ({ values: { title } })), null);
  for (const title of titles) w.expected.set(title, {});
}

function tokenOf(clone: SqliteStore): number {
  return clone.db.prepare<[], { token: number }>('SELECT token FROM replicas').get()!.token;
}

/** Both sides hold everything: the master the clone's new items, the clone the master's last change. */
async function converged(w: Scenario, master: SqliteStore, clone: SqliteStore, titles: string[]): Promise<void> {
  const tracker = master.getTracker('Tasks');
  await waitFor(() => {
    const onMaster = new Set(master.listItems(tracker.id).map((i) => i.values.title));
    return titles.every((t) => onMaster.has(t)) && tokenOf(clone) >= master.lastSeq();
  }, `convergence; watcher stderr: ${watcher?.stderr()}`, 60_000);
}

describe('s15n sync --watch under faults', () => {
  it('the server killed and restarted under a watching clone: it retries, resumes from its token, loses and duplicates nothing', async () => {
    const w = (world = await scenario('reload', BASE_SEED + 9000));
    const master = open(w.masterDir);
    const clone = open(w.cloneDir);
    watcher = startWatch(w.cloneDir, ['Tasks']);
    await watcher.reported(1, 'the first full sync');
    editMaster(w, master, 20);
    await converged(w, master, clone, []);

    w.master.child.kill('SIGKILL');
    w.proxy.dropAll();
    await w.master.exited;
    editMaster(w, master, 40);
    addLocal(w, clone, ['d0', 'd1', 'd2']);
    await waitFor(() => /trying again in/.test(watcher!.stderr()), 'a visible retry');

    w.master = await serveProcess(w.masterDir);
    w.proxy.retarget(w.master.port);
    await converged(w, master, clone, ['d0', 'd1', 'd2']);
    expect(await watcher.stop()).toEqual({ code: 0, signal: null });
    expect(watcher.stderr()).toMatch(/is back/);
    await resumeAndCheck(w);
  }, TRIAL_TIMEOUT);

  it('the watcher SIGKILLed mid-batch and restarted: what it applied stays, the rest follows, nothing twice', async () => {
    const w = (world = await scenario('reload', BASE_SEED + 9100));
    const master = open(w.masterDir);
    const clone = open(w.cloneDir);
    watcher = startWatch(w.cloneDir, ['Tasks']);
    await watcher.reported(1, 'the first full sync');
    const killed = watcher;
    // Early in what the change of 400 items moves: each line is some 500 bytes, which the feed's
    // compression (DESIGN §15) makes some 50 on the wire; 4 KB in is past a batch and far from the end.
    w.proxy.tripwire('down', w.proxy.bytes().down + 4_000, () => {
      w.proxy.freeze();
      killed.child.kill('SIGKILL');
    });
    addLocal(w, clone, ['k0', 'k1']);
    editMaster(w, master, 400);
    expect((await killed.exited).signal).toBe('SIGKILL');
    w.proxy.thaw();
    expect(w.proxy.tripped()).toBe(true);
    // Killed midway: part of the change is applied (its batches and their token committed), the rest is not.
    expect(tokenOf(clone)).toBeLessThan(master.lastSeq());

    watcher = startWatch(w.cloneDir, ['Tasks']);
    await converged(w, master, clone, ['k0', 'k1']);
    expect(await watcher.stop()).toEqual({ code: 0, signal: null });
    await resumeAndCheck(w);
  }, TRIAL_TIMEOUT);

  it('heartbeats keep the feed alive through a proxy that cuts idle connections; without them it is cut, and reconnects', async () => {
    const w = (world = await scenario('reload', BASE_SEED + 9200));
    const idle = await startFaultProxy(w.master.port, () => ({ kind: 'idle', ms: 600 }));
    closers.push(() => idle.close());
    const master = open(w.masterDir);
    const clone = open(w.cloneDir);
    clone.db.prepare('UPDATE remotes SET url = ?').run(idle.url);

    watcher = startWatch(w.cloneDir, ['Tasks', '--heartbeat', '0.1']);
    await watcher.reported(1, 'the first full sync');
    const bytes = idle.bytes().down;
    // Fifteen heartbeats (a chunk of 6 bytes each) came through: 1.5 s of idle feed, past the 600 ms cut.
    await waitFor(() => idle.bytes().down >= bytes + 90, 'fifteen heartbeats through the proxy');
    editMaster(w, master, 5);
    await converged(w, master, clone, []);
    expect(watcher.stderr()).not.toMatch(/trying again/);
    expect(await watcher.stop()).toEqual({ code: 0, signal: null });

    watcher = startWatch(w.cloneDir, ['Tasks']);
    await waitFor(() => /change feed .*ended before its last line|trying again/.test(watcher!.stderr()), 'the idle feed cut by the proxy');
    editMaster(w, master, 5);
    await converged(w, master, clone, []);
    expect(await watcher.stop()).toEqual({ code: 0, signal: null });
    await resumeAndCheck(w);
  }, TRIAL_TIMEOUT);

  it('--interval syncs through a proxy that buffers whole answers, where no stream gets through', async () => {
    const w = (world = await scenario('reload', BASE_SEED + 9300));
    const buffering = await startProxy(`http://127.0.0.1:${w.master.port}`);
    closers.push(() => buffering.close());
    const master = open(w.masterDir);
    const clone = open(w.cloneDir);
    clone.db.prepare('UPDATE remotes SET url = ?').run(buffering.url);

    watcher = startWatch(w.cloneDir, ['Tasks', '--interval', '0.2']);
    await watcher.reported(1, 'the first full sync');
    editMaster(w, master, 10);
    addLocal(w, clone, ['p0']);
    await converged(w, master, clone, ['p0']);
    expect(await watcher.stop()).toEqual({ code: 0, signal: null });
    expect(buffering.requests.some((r) => r.path.includes('feed=continuous'))).toBe(false);
    await resumeAndCheck(w);
  }, TRIAL_TIMEOUT);
});
