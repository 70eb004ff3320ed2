/**
 * Two `s15n serve` processes on one PostgreSQL database (DESIGN §10), one SIGKILLed at a seeded
 * moment of a clone's feed or of a push, the clone's proxy turned to the other at once: nothing
 * lost, nothing duplicated, and the clone converges through the surviving process.
 */
import { rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ReplicaState, openLocalStore } from '../../client/replica/index.js';
import { addRemote } from '../../client/sync/remotes.js';
import { status } from '../../client/sync/status.js';
import type { Item } from '../../server/store/index.js';
import { PostgresHub } from '../../server/store/postgres/index.js';
import { PASSWORDS, tempDir } from '../helpers/instance.js';
import { type TestDatabase, describePostgres, freshDatabase } from '../helpers/postgres.js';
import { runCliAsync } from '../helpers/sync.js';
import { type FaultProxy, startFaultProxy } from './fault-proxy.js';
import { BASE_SEED, FIELDS, type MasterProcess, TRIALS, TRIAL_TIMEOUT, seeded, serveProcess, spawnCli } from './harness.js';

const ITEMS = 300;
const notes = (i: number, v: string) => Array.from({ length: 6 }, (_, line) => `${v} line ${line} of item ${i}: ${'x'.repeat(30)}`).join('\n');

type Phase = 'feed' | 'push';

interface World {
  hub: PostgresHub;
  servers: MasterProcess[];
  proxy: FaultProxy;
  cloneDir: string;
  /** The titles the clone created, each to exist once on the hub. */
  localTitles: string[];
  close(): Promise<void>;
}

const databases: TestDatabase[] = [];
afterAll(async () => {
  for (const db of databases) await db.drop();
});

/** A hub of ITEMS items served by two processes, a clone dir behind a proxy to the first; for a push, cloned and changed locally. */
async function world(phase: Phase): Promise<World> {
  const db = await freshDatabase();
  databases.push(db);
  const hub = await PostgresHub.open(db.url, { create: true });
  await hub.addUser('root', PASSWORDS.root, { admin: true });
  const tracker = await hub.createTracker({ name: 'Tasks', fields: FIELDS.map((f) => ({ ...f, options: 'options' in f ? [...f.options] : undefined })) });
  await hub.createItems(tracker.id, Array.from({ length: ITEMS }, (_, i) => ({ values: { title: `m${i}`, notes: notes(i, 'v0'), n: i } })), 'root');
  const servers = await Promise.all([serveProcess(db.url), serveProcess(db.url)]);
  const proxy = await startFaultProxy(servers[0]!.port);
  const cloneDir = join(tempDir('s15n-fault-'), 'clone');
  const local = openLocalStore(cloneDir, { create: true });
  addRemote(local, { name: 'origin', url: proxy.url, user: 'root', password: PASSWORDS.root });
  local.close();
  const localTitles: string[] = [];
  const w: World = {
    hub,
    servers,
    proxy,
    cloneDir,
    localTitles,
    close: async () => {
      await proxy.close();
      for (const s of servers) s.child.kill('SIGKILL');
      await Promise.all(servers.map((s) => s.exited));
      await hub.close();
      rmSync(dirname(cloneDir), { recursive: true, force: true });
    },
  };
  if (phase === 'push') {
    expect((await runCliAsync(['clone', 'origin', 'Tasks'], { data: cloneDir })).code).toBe(0);
    const c = openLocalStore(cloneDir);
    const t = c.getTracker('Tasks');
    for (const item of c.listItems(t.id).slice(0, 60)) c.updateItem(t.id, item.id, { values: { labels: ['b'] } }, null);
    for (let k = 0; k < 120; k++) localTitles.push(`l${k}`);
    c.createItems(t.id, localTitles.map((title, k) => ({ values: { title, notes: notes(k, 'local') } })), null);
    c.close();
  }
  return w;
}

const OPERATION: Record<Phase, string[]> = { feed: ['clone', 'origin', 'Tasks', '--batch-size', '25'], push: ['push', 'Tasks', '--batch-size', '10'] };
const DIRECTION = { feed: 'down', push: 'up' } as const;

/** Nothing lost or duplicated on the hub; the clone holds exactly the hub's items, each once, with nothing left to push. */
async function checkConverged(w: World): Promise<void> {
  const tracker = await w.hub.getTracker('Tasks');
  const onHub = await w.hub.listItems(tracker.id);
  const titles = onHub.map((i) => String(i.values.title));
  expect(titles.length - new Set(titles).size, 'duplicated on the hub').toBe(0);
  expect(titles.length).toBe(ITEMS + w.localTitles.length);
  for (const title of w.localTitles) expect(titles).toContain(title);
  const local = openLocalStore(w.cloneDir);
  try {
    const lt = local.getTracker('Tasks');
    const replicas = new ReplicaState(local);
    const byId = new Map<number, Item>(onHub.map((i) => [i.id, i]));
    const mine = local.listItems(lt.id);
    expect(mine.length).toBe(onHub.length);
    for (const item of mine) {
      const remote = byId.get(replicas.itemState(item.id)?.remoteId ?? -1);
      expect({ status: item.status, values: item.values }).toEqual({ status: remote?.status, values: remote?.values });
    }
    const st = status(local, 'Tasks');
    expect([st.new.length, st.modified.length, st.conflicts.length]).toEqual([0, 0, 0]);
  } finally {
    local.close();
  }
}

describePostgres('a hub process killed while its sibling serves the same database', () => {
  const totals = new Map<Phase, number>();

  beforeAll(async () => {
    for (const phase of ['feed', 'push'] as Phase[]) {
      const w = await world(phase);
      try {
        const run = await spawnCli(w.cloneDir, OPERATION[phase]).exited;
        expect(run.code, run.stderr).toBe(0);
        totals.set(phase, w.proxy.bytes()[DIRECTION[phase]]);
      } finally {
        await w.close();
      }
    }
  }, TRIAL_TIMEOUT);

  for (const phase of ['feed', 'push'] as Phase[]) {
    for (let k = 0; k < TRIALS; k++) {
      const seed = BASE_SEED + 9000 + 100 * (phase === 'feed' ? 0 : 1) + k;
      it(`mid-${phase} (seed ${seed}): the other process carries the run; nothing lost or duplicated, the clone converges`, async () => {
        const w = await world(phase);
        try {
          const random = seeded(seed);
          const threshold = Math.max(1, Math.floor(totals.get(phase)! * (0.1 + random() * 0.8)));
          const run = spawnCli(w.cloneDir, OPERATION[phase]);
          w.proxy.tripwire(DIRECTION[phase], threshold, () => {
            w.servers[0]!.child.kill('SIGKILL');
            w.proxy.dropAll();
            w.proxy.retarget(w.servers[1]!.port);
          });
          const done = await run.exited;
          expect(w.proxy.tripped(), `seed ${seed}: the kill must land mid-run`).toBe(true);
          expect(await w.servers[0]!.exited).toBe('SIGKILL');
          // The client's retries carry it through the other process; if they ran out, a rerun does.
          const resumed = done.code === 0 ? done : await spawnCli(w.cloneDir, phase === 'feed' ? ['reload', 'Tasks'] : OPERATION.push).exited;
          expect(resumed.code, `seed ${seed}: ${done.stderr}${resumed.stderr}`).toBe(0);
          const settle = await runCliAsync(['reload', 'Tasks', '--json'], { data: w.cloneDir });
          expect(settle.code, settle.stderr).toBe(0);
          await checkConverged(w);
        } finally {
          await w.close();
        }
      }, TRIAL_TIMEOUT);
    }
  }
});
