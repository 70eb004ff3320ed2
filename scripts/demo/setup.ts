/**
 * Sets up the demo: a master instance with sample trackers and two users, served on a free
 * loopback port in this process, and a clone of its bugs tracker with a few local edits, one
 * new local item and one conflict (the same fields edited on both sides, then a reload).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type RunningServer, startServer } from '../../server/serve.js';
import { SqliteHub, SqliteStore } from '../../server/store/index.js';
import { clone } from '../../client/sync/clone.js';
import { reload } from '../../client/sync/reload.js';
import { addRemote } from '../../client/sync/remotes.js';
import { ReplicaState, openLocalStore } from '../../client/replica/index.js';
import { Readable } from 'node:stream';
import { putBlob } from '../../server/store/sqlite/blob-put.js';
import { fileTypeOf } from '../../shared/model/file-types.js';
import type { FileRef } from '../../shared/model/files.js';
import { COMPONENT_FIELDS, bugFields, bugItems, componentItems } from './data.js';
import { sampleFiles } from './files.js';

export interface DemoUser {
  name: string;
  password: string;
  right: string;
}

export interface Demo {
  root: string;
  master: { dataDir: string; url: string; store: SqliteStore };
  clone: { dataDir: string; store: SqliteStore; remote: string; trackerId: number; trackerName: string };
  users: DemoUser[];
  items: number;
  /** Local item ids of the demo's edits, new item and conflict on the clone. */
  edited: number[];
  created: number;
  conflict: number;
  close(): Promise<void>;
}

export const DEMO_USERS: DemoUser[] = [
  { name: 'alice', password: 'alice-demo-pw', right: 'admin' },
  { name: 'bob', password: 'bob-demo-pw', right: 'edit' },
];

/** The local id of the clone's copy of a master item (ids differ between instances). */
function localIdOf(store: SqliteStore, trackerId: number, remoteId: number): number {
  const sync = new ReplicaState(store).itemByRemoteId(trackerId, remoteId);
  if (!sync) throw new Error(`the clone has no copy of master item ${remoteId}`);
  return sync.itemId;
}

/** The master's side: both users, the components and bugs trackers with their items, bob's rights. */
async function seedMaster(dataDir: string, count: number) {
  const master = openLocalStore(dataDir, { create: true });
  const [alice, bob] = DEMO_USERS as [DemoUser, DemoUser];
  await master.addUser(alice.name, alice.password, { admin: true });
  await master.addUser(bob.name, bob.password);
  const components = master.createTracker({ name: 'components', description: 'Parts of the product', fields: COMPONENT_FIELDS });
  const componentIds = master.createItems(components.id, componentItems(), alice.name).map((item) => item.id);
  const bugs = master.createTracker({ name: 'bugs', description: 'Bug reports of the demo product', fields: bugFields(components.id) });
  // The attachments' contents first: an item never names a blob its instance lacks.
  const attachments: FileRef[] = [];
  for (const { name, bytes } of sampleFiles()) {
    const stored = await putBlob(master.blobs, null, Readable.from([bytes]), { limits: { maxSize: bytes.length, quota: bytes.length } });
    attachments.push({ name, size: stored.size, type: fileTypeOf(name), sha256: stored.sha256 });
  }
  const items = bugItems(count, componentIds, undefined, attachments);
  const masterIds = master.createItems(bugs.id, items, alice.name).map((item) => item.id);
  master.grant(bob.name, bugs.id, 'edit');
  master.grant(bob.name, components.id, 'view');
  return { master, bugsId: bugs.id, masterIds, componentIds };
}

type Seeded = Awaited<ReturnType<typeof seedMaster>>;

/**
 * Work on both sides after the clone: local edits and a new item still to push, a conflict on
 * the first item, master changes that a reload brings in, and some only a later reload shows.
 */
async function divergeClone(seeded: Seeded, cloneStore: SqliteStore, trackerId: number) {
  const { master, bugsId, masterIds, componentIds } = seeded;
  const bob = DEMO_USERS[1] as DemoUser;
  const local = (index: number) => localIdOf(cloneStore, trackerId, masterIds[index] as number);

  // Local work on the clone: two edits and one new item, still to push.
  const edited = [local(1), local(2)];
  cloneStore.updateItems(trackerId, [edited[0] as number], { values: { severity: 'critical', confirmed: true } }, null);
  cloneStore.updateItems(trackerId, [edited[1] as number], { status: 'pending', values: { estimate: 6 } }, null);
  const [created] = cloneStore.createItems(trackerId, [{ values: { title: 'Offline edits lost after a crash', severity: 'major', platforms: ['linux'], description: 'Found while testing the demo.' } }], null);

  // The conflict: the same fields edited on both sides (a text and a textarea, line 3 of both).
  const conflictMaster = masterIds[0] as number;
  const conflict = local(0);
  const base = master.getItem(bugsId, conflictMaster);
  const lines = String(base?.values.description ?? '').split('\n');
  const withLine = (text: string) => [...lines.slice(0, 2), text, ...lines.slice(3)].join('\n');
  master.updateItems(bugsId, [conflictMaster], { values: { title: `${String(base?.values.title)} (seen by bob)`, description: withLine('2. Save a draft twice, quickly') } }, bob.name);
  cloneStore.updateItems(trackerId, [conflict], { values: { title: `${String(base?.values.title)} on Linux`, description: withLine('2. Save a draft with the network off') } }, null);
  // Other work on the master that the reload brings in cleanly.
  master.updateItems(bugsId, masterIds.slice(10, 15), { values: { confirmed: true } }, bob.name);
  master.createItems(bugsId, bugItems(2, componentIds, 99), bob.name);
  await reload(cloneStore, trackerId);
  // And some that only a reload from the TUI will show.
  master.updateItems(bugsId, masterIds.slice(20, 23), { status: 'closed' }, bob.name);
  return { edited, created: created?.id ?? 0, conflict };
}

export async function setupDemo(options: { items?: number; root?: string; host?: string } = {}): Promise<Demo> {
  const root = options.root ?? mkdtempSync(join(tmpdir(), 's15n-demo-'));
  const count = Math.max(10, options.items ?? 300);
  const masterDir = join(root, 'master');
  const cloneDir = join(root, 'clone');

  const seeded = await seedMaster(masterDir, count);
  const { master } = seeded;
  const alice = DEMO_USERS[0] as DemoUser;
  const server: RunningServer = await startServer({ store: new SqliteHub(master), host: options.host ?? '127.0.0.1', port: 0 });
  const cloneStore = openLocalStore(cloneDir, { create: true });
  const close = async () => {
    await server.close();
    cloneStore.close();
    master.close();
  };
  try {
    addRemote(cloneStore, { name: 'origin', url: server.url, user: alice.name, password: alice.password });
    const cloned = await clone(cloneStore, 'origin', seeded.bugsId);
    const trackerId = cloned.tracker.id;
    const work = await divergeClone(seeded, cloneStore, trackerId);
    return {
      root,
      master: { dataDir: masterDir, url: server.url, store: master },
      clone: { dataDir: cloneDir, store: cloneStore, remote: 'origin', trackerId, trackerName: cloned.tracker.name },
      users: DEMO_USERS,
      items: count,
      ...work,
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}

/** The one line the demo prints: what it set up and how to get in. */
export function describeDemo(demo: Demo): string {
  const users = demo.users.map((u) => `${u.name}/${u.password} (${u.right})`).join(', ');
  return (
    `s15n demo: master ${demo.master.url} (data ${demo.master.dataDir}; users ${users}; trackers bugs with ${demo.items} items, components) · ` +
    `clone data ${demo.clone.dataDir} (remote ${demo.clone.remote} as alice; tracker ${demo.clone.trackerName}: 2 local edits, 1 new item, 1 conflict on item ${demo.conflict}) · ` +
    `the master is served while the demo runs`
  );
}
