/**
 * Five clones of one master edit random fields of the same few items and push at once, each
 * push and reload a CLI process of its own, while a user of the master edits it through the CLI
 * too (a second writer on the master's SQLite file). Every value a clone writes names the value
 * it replaced ("c2r3i4 after c1r0i4"), so the accepted writes of a field must form one chain
 * from the original value to the master's final value: two accepted writes on the same base
 * would be a lost update. Every refused write must be a conflict on its clone. No 5xx, and no
 * SQLITE_BUSY reaches anyone.
 */
import { rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { clone } from '../../client/sync/clone.js';
import { addRemote } from '../../client/sync/remotes.js';
import { ReplicaState, openLocalStore } from '../../client/replica/index.js';
import type { Report } from '../../client/sync/report.js';
import { resolve } from '../../client/sync/resolve.js';
import { PASSWORDS, tempDir } from '../helpers/instance.js';
import { BASE_SEED, LONG, type MasterProcess, seeded, serveProcess, spawnCli } from './harness.js';

const CLONES = 5;
const ROUNDS = LONG ? 12 : 3;
const ITEMS = 8;
const SHARED = ['f1', 'f2', 'f3'] as const;

const dirs: string[] = [];
let master: MasterProcess | undefined;
afterAll(async () => {
  master?.child.kill('SIGKILL');
  if (master) await master.exited;
  for (const dir of dirs) rmSync(dirname(dir), { recursive: true, force: true });
});

const ORIGINAL = 'orig';
/** The id part of a written value ("c2r3i4 after c1r0i4" -> "c2r3i4"). */
const idOf = (value: unknown) => (typeof value === 'string' ? value.split(' after ')[0]! : ORIGINAL);

interface Write {
  item: string;
  field: string;
  id: string;
  base: string;
}

it(`${CLONES} clones pushing edits of the same items at once: every accepted write is in the chain, every refused one a conflict, none lost`, async () => {
  const random = seeded(BASE_SEED);
  const masterDir = join(tempDir('s15n-conc-'), 'master');
  dirs.push(masterDir);
  const m = openLocalStore(masterDir, { create: true });
  await m.addUser('root', PASSWORDS.root, { admin: true });
  const tracker = m.createTracker({ name: 'Tasks', fields: [{ name: 'title', type: 'text', required: true }, ...[...SHARED, 'f4'].map((name) => ({ name, type: 'text' as const }))] });
  m.createItems(tracker.id, Array.from({ length: ITEMS }, (_, i) => ({ values: { title: `i${i}` } })), 'root');
  m.close();
  master = await serveProcess(masterDir);
  const url = `http://127.0.0.1:${master.port}`;

  const clones: string[] = [];
  for (let c = 0; c < CLONES; c += 1) {
    const dir = join(tempDir('s15n-conc-'), `clone${c}`);
    dirs.push(dir);
    const store = openLocalStore(dir, { create: true });
    addRemote(store, { name: 'origin', url, user: 'root', password: PASSWORDS.root });
    await clone(store, 'origin', 'Tasks');
    store.close();
    clones.push(dir);
  }

  const accepted: Write[] = [];
  const refused: Write[] = [];
  const failures: string[] = [];
  const clientOutput: string[] = [];
  for (let round = 0; round < ROUNDS; round += 1) {
    // Each clone edits two or three random (item, field) pairs, each value naming the one it replaces.
    const writes = clones.map((dir, c) => {
      const store = openLocalStore(dir);
      try {
        const t = store.getTracker('Tasks');
        const items = store.listItems(t.id);
        const mine: (Write & { localId: number })[] = [];
        const count = 2 + Math.floor(random() * 2);
        for (let k = 0; k < count; k += 1) {
          const item = items[Math.floor(random() * items.length)]!;
          const field = SHARED[Math.floor(random() * SHARED.length)]!;
          if (mine.some((w) => w.localId === item.id)) continue;
          const write = { item: item.values.title as string, field, id: `c${c}r${round}${item.values.title as string}`, base: idOf(item.values[field]), localId: item.id };
          store.updateItem(t.id, item.id, { values: { [field]: `${write.id} after ${write.base}` } }, null);
          mine.push(write);
        }
        return mine;
      } finally {
        store.close();
      }
    });
    // All pushes at once, and the master's own user editing f4 through the CLI on the served data dir.
    const masterEdit = spawnCli(masterDir, ['item', 'edit', 'Tasks', ...Array.from({ length: ITEMS }, (_, i) => String(i + 1)), '--set', `f4=round ${round}`]);
    const pushes = await Promise.all(clones.map((dir) => spawnCli(dir, ['push', 'Tasks', '--json']).exited));
    const edited = await masterEdit.exited;
    if (edited.code !== 0) failures.push(`master item edit: ${edited.code} ${edited.stderr}`);
    for (const [c, run] of pushes.entries()) {
      clientOutput.push(run.stdout, run.stderr);
      if (run.code !== 0 && run.code !== 3) failures.push(`clone ${c} push: exit ${run.code}: ${run.stderr}`);
      const report = JSON.parse(run.stdout) as Report;
      if (report.counts.errors > 0) failures.push(`clone ${c} push: ${JSON.stringify(report.errors)}`);
      // Which writes the master took: the base moved to our value. Which it refused: a conflict holding it.
      const store = openLocalStore(clones[c]!);
      try {
        const replicas = new ReplicaState(store);
        for (const write of writes[c]!) {
          const state = replicas.itemState(write.localId)!;
          const mine = `${write.id} after ${write.base}`;
          if (state.conflict) {
            expect(state.conflict.kind).toBe('fields');
            expect(JSON.stringify(state.conflict)).toContain(mine);
            refused.push(write);
          } else {
            expect(state.base?.values[write.field]).toBe(mine);
            accepted.push(write);
          }
        }
      } finally {
        store.close();
      }
    }
    // All reloads at once; then each clone gives up its refused writes (takes the remote's value).
    const reloads = await Promise.all(clones.map((dir) => spawnCli(dir, ['reload', 'Tasks', '--json']).exited));
    for (const [c, run] of reloads.entries()) {
      clientOutput.push(run.stdout, run.stderr);
      if (run.code !== 0 && run.code !== 3) failures.push(`clone ${c} reload: exit ${run.code}: ${run.stderr}`);
      const store = openLocalStore(clones[c]!);
      try {
        const replicas = new ReplicaState(store);
        const t = store.getTracker('Tasks');
        for (const state of replicas.conflictedItems(t.id)) resolve(store, 'Tasks', state.itemId, { take: 'remote' });
      } finally {
        store.close();
      }
    }
  }
  expect(failures).toEqual([]);
  expect(clientOutput.join('\n')).not.toMatch(/SQLITE_BUSY|database is locked|"status":5\d\d|internal/i);
  expect(master.stderr()).not.toMatch(/SQLITE_BUSY|database is locked|"statusCode":5\d\d|"level":50/);
  // The clones really raced: some writes were taken, some refused.
  expect(accepted.length).toBeGreaterThan(0);
  expect(refused.length).toBeGreaterThan(0);

  // One last reload each: every clone holds exactly the master's items.
  for (const dir of clones) expect((await spawnCli(dir, ['reload', 'Tasks']).exited).code).toBe(0);
  const m2 = openLocalStore(masterDir);
  try {
    const finalItems = m2.listItems(m2.getTracker('Tasks').id);
    for (const field of SHARED) {
      for (const item of finalItems) {
        const title = item.values.title as string;
        const chain = accepted.filter((w) => w.item === title && w.field === field);
        // No two accepted writes on the same base: none overwrote a value it had not seen.
        const bases = chain.map((w) => w.base);
        expect(new Set(bases).size, `${title}.${field}: ${JSON.stringify(chain)}`).toBe(bases.length);
        // The chain runs from the original value through every accepted write to the master's value.
        const next = new Map(chain.map((w) => [w.base, w.id]));
        let at = ORIGINAL;
        for (let step = 0; step < chain.length; step += 1) at = next.get(at) ?? `missing after ${at}`;
        expect(at, `${title}.${field}`).toBe(idOf(item.values[field]));
      }
    }
    // The master's own user wrote f4 every round beside the pushes: each edit is there, none refused.
    for (const item of finalItems) expect(item.values.f4).toBe(`round ${ROUNDS - 1}`);
    for (const dir of clones) {
      const store = openLocalStore(dir);
      try {
        const mine = store.listItems(store.getTracker('Tasks').id).map((i) => i.values);
        expect(mine).toEqual(finalItems.map((i) => i.values));
        expect(store.db.pragma('integrity_check', { simple: true })).toBe('ok');
      } finally {
        store.close();
      }
    }
    expect(m2.db.pragma('integrity_check', { simple: true })).toBe('ok');
  } finally {
    m2.close();
  }
}, 180_000);
