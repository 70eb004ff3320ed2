/**
 * Data dirs written by release 0.1.0 (test/fixtures/release-0.1.0: a master and a clone made with
 * that release's CLI, with a pending new item and two open conflicts) open in place with this
 * release: both tables' modules are versioned, nothing is lost, and the clone reloads, resolves
 * and pushes against the migrated master without a re-clone.
 */
import { cpSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningServer, startServer } from '../../server/serve.js';
import { DB_FILE, SqliteHub, type SqliteStore } from '../../server/store/index.js';
import { ReplicaState, openLocalStore } from '../../client/replica/index.js';
import { push } from '../../client/sync/push.js';
import { reload } from '../../client/sync/reload.js';
import { resolve } from '../../client/sync/resolve.js';
import { status } from '../../client/sync/status.js';
import { FAST } from '../helpers/sync.js';
import { tempDir } from '../helpers/instance.js';

const FIXTURES = new URL('../fixtures/release-0.1.0/', import.meta.url).pathname;

let masterDir: string;
let cloneDir: string;
let master: SqliteStore;
let server: RunningServer;
let clone: SqliteStore;

function moduleVersions(dir: string): Record<string, number> {
  const db = new Database(join(dir, DB_FILE), { readonly: true });
  try {
    expect(db.pragma('user_version', { simple: true })).toBe(100);
    return Object.fromEntries(db.prepare<[], { name: string; version: number }>('SELECT name, version FROM s15n_modules').all().map((r) => [r.name, r.version]));
  } finally {
    db.close();
  }
}

beforeAll(async () => {
  const root = tempDir('s15n-legacy-');
  masterDir = join(root, 'master');
  cloneDir = join(root, 'clone');
  cpSync(join(FIXTURES, 'master'), masterDir, { recursive: true });
  cpSync(join(FIXTURES, 'clone'), cloneDir, { recursive: true });
  // The fixture's master was served on a port that is gone: point the clone's remote at today's.
  master = openLocalStore(masterDir);
  server = await startServer({ store: new SqliteHub(master), port: 0 });
  const raw = new Database(join(cloneDir, DB_FILE));
  expect(raw.pragma('user_version', { simple: true })).toBe(4);
  raw.prepare('UPDATE remotes SET url = ?').run(server.url);
  raw.close();
  clone = openLocalStore(cloneDir);
});

afterAll(async () => {
  clone?.close();
  await server?.close();
  master?.close();
});

describe('a data dir of release 0.1.0', () => {
  it('is migrated in place: modules versioned, every item, tombstone, user and right kept', async () => {
    expect(moduleVersions(masterDir)).toMatchObject({ hub: 1, replica: 4 });
    expect(moduleVersions(cloneDir)).toMatchObject({ hub: 1, replica: 4 });
    const bugs = master.getTracker('Bugs');
    expect(master.listItems(bugs.id).map((i) => i.values.title)).toEqual(['one (remote)', 'two', 'three']);
    expect(master.getItem(bugs.id, 4, { includeDeleted: true })).toMatchObject({ deleted: true });
    expect(await master.verifyUser('alice', 'alice-pw')).toMatchObject({ name: 'alice', admin: true });
  });

  it('keeps the clone state: the new item, the in-sync edit, both conflicts', () => {
    const s = status(clone, 'Bugs');
    expect(s.new.map((i) => i.values.title)).toEqual(['five (new local)']);
    expect(s.modified).toEqual([]);
    expect(s.conflicts.map((c) => [c.id, c.fields.map((f) => f.name)])).toEqual([
      [1, ['title']],
      [3, ['body']],
    ]);
  });

  it('reloads, resolves and pushes against the migrated master, and both sides converge', async () => {
    const bugs = master.getTracker('Bugs');
    master.updateItem(bugs.id, 2, { values: { n: 9 } }, 'alice');
    const reloaded = await reload(clone, 'Bugs', { remote: FAST });
    expect(reloaded.outcome).not.toBe('error');
    expect(reloaded.counts).toMatchObject({ updated: 1 });
    resolve(clone, 'Bugs', 1, { field: 'title', take: 'local' });
    resolve(clone, 'Bugs', 3, { field: 'body', take: 'remote' });
    const pushed = await push(clone, 'Bugs', { remote: FAST, overwrite: false });
    expect(pushed.outcome).toBe('success');
    expect(pushed.counts).toMatchObject({ created: 1, updated: 1, errors: 0, conflicts: 0 });
    const remote = master.listItems(bugs.id).map((i) => [i.values.title, i.values.n ?? null, i.values.body ?? null]);
    expect(remote).toEqual([
      ['one (local)', null, null],
      ['two', 9, null],
      ['three', null, 'l1\nl2 remote\nl3\n'],
      ['five (new local)', null, null],
    ]);
    const local = clone.listItems(clone.getTracker('Bugs').id).map((i) => [i.values.title, i.values.n ?? null, i.values.body ?? null]);
    expect(local).toEqual(remote);
    expect(new ReplicaState(clone).conflictedItems(clone.getTracker('Bugs').id)).toEqual([]);
  });
});
