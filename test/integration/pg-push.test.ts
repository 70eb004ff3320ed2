/**
 * Push across hub processes on PostgreSQL: two hubs (two pools, as two `s15n serve` processes
 * have) on one database, pushing at the same moment. One item per idempotency key; no lost
 * update (disjoint fields all land, one field changed from one base is one update and the rest
 * conflicts); batches that lock the same rows in opposite orders never deadlock.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { PushChange } from '../../shared/api/schemas.js';
import type { Tracker } from '../../server/store/index.js';
import { PostgresHub } from '../../server/store/postgres/index.js';
import { type TestDatabase, describePostgres, freshDatabase } from '../helpers/postgres.js';

const FIELDS = [{ name: 'title', type: 'text', required: true }, ...Array.from({ length: 10 }, (_, i) => ({ name: `f${i}`, type: 'number' })), { name: 'n', type: 'autoincrement' }];
const admin = { user: 'root', isAdmin: true };

let db: TestDatabase;
let hubs: PostgresHub[];
let tracker: Tracker;
let serial = 0;

beforeAll(async () => {
  db = await freshDatabase();
  hubs = [await PostgresHub.open(db.url, { create: true }), await PostgresHub.open(db.url)];
  tracker = await hubs[0]!.createTracker({ name: 'Hot', fields: FIELDS });
});

afterAll(async () => {
  await Promise.all((hubs ?? []).map((h) => h.close()));
  await db?.drop();
});

/** `count` pushes started at once, alternating between the two hubs. */
const together = (count: number, changes: (k: number) => PushChange[]) => Promise.all(Array.from({ length: count }, (_, k) => hubs[k % 2]!.applyPush(tracker.id, changes(k), admin)));

const newItem = async () => (await hubs[0]!.createItems(tracker.id, [{ values: { title: `item ${++serial}` } }], 'root'))[0]!;

describePostgres('pushes at the same moment on two hubs', () => {
  it('one idempotency key given to both at once creates one item; every answer names it', async () => {
    for (let round = 0; round < 5; round++) {
      const key = `same-key-${round}`;
      const answers = (await together(10, () => [{ op: 'create', idempotencyKey: key, values: { title: `once ${round}` } }])).map((r) => r[0]!);
      expect(answers.map((a) => a.status)).toEqual(Array(10).fill('created'));
      expect(new Set(answers.map((a) => a.id)).size).toBe(1);
      const made = (await hubs[1]!.listItems(tracker.id)).filter((i) => i.values.title === `once ${round}`);
      expect(made).toHaveLength(1);
    }
  });

  it('updates of disjoint fields of one item all land (none lost), one version each', async () => {
    const item = await newItem();
    const answers = await together(10, (k) => [{ op: 'update', id: item.id, baseVersion: 1, fields: { [`f${k}`]: { base: null, value: k + 1 } } }]);
    expect(answers.map((a) => a[0]!.status)).toEqual(Array(10).fill('updated'));
    const now = (await hubs[0]!.getItem(tracker.id, item.id))!;
    expect(now.version).toBe(11);
    for (let k = 0; k < 10; k++) expect(now.values[`f${k}`]).toBe(k + 1);
  });

  it('one field changed from one base by many: one update, the others conflicts answered with the winner', async () => {
    const item = await newItem();
    const answers = (await together(10, (k) => [{ op: 'update', id: item.id, baseVersion: 1, fields: { f0: { base: null, value: 100 + k } } }])).map((r) => r[0]!);
    const won = answers.filter((a) => a.status === 'updated');
    expect(won).toHaveLength(1);
    expect(answers.filter((a) => a.status === 'conflict')).toHaveLength(9);
    const winner = (await hubs[0]!.getItem(tracker.id, item.id))!;
    expect(winner.values.f0).toBe(won[0]!.item!.values.f0);
    for (const a of answers.filter((x) => x.status === 'conflict')) expect(a.item!.values.f0).toBe(winner.values.f0);
  });

  it('batches over the same items in opposite orders all commit (rows are locked in id order: no deadlock)', async () => {
    const items = await Promise.all([newItem(), newItem(), newItem()]);
    const ids = items.map((i) => i.id);
    const deadlocks = async () => {
      // Statistics reach the view within a second of the transaction that counted them.
      await new Promise((resolve) => setTimeout(resolve, 1100));
      await hubs[0]!.db.query('SELECT pg_stat_clear_snapshot()');
      return (await hubs[0]!.db.query<{ n: number }>('SELECT deadlocks AS n FROM pg_stat_database WHERE datname = current_database()'))[0]!.n;
    };
    const before = await deadlocks();
    const answers = await together(12, (k) => {
      const order = k % 2 === 0 ? ids : [...ids].reverse();
      return order.map((id) => ({ op: 'update' as const, id, baseVersion: 1, overwrite: true, fields: { f1: { base: null, value: k } } }));
    });
    for (const batch of answers) expect(batch.map((a) => a.status)).toEqual(['updated', 'updated', 'updated']);
    for (const id of ids) expect((await hubs[1]!.getItem(tracker.id, id))!.version).toBe(13);
    // Not one retried behind the scenes either.
    expect(await deadlocks()).toBe(before);
  });

  it('creates on both hubs at once get distinct autoincrement numbers and rising seqs, with none skipped', async () => {
    const answers = await together(8, (k) => Array.from({ length: 5 }, (_, j) => ({ op: 'create' as const, idempotencyKey: `auto-${k}-${j}`, values: { title: `auto ${k} ${j}` } })));
    const created = answers.flat().map((a) => a.item!);
    expect(new Set(created.map((i) => i.values.n)).size).toBe(40);
    expect(new Set(created.map((i) => i.seq)).size).toBe(40);
    const feed = await hubs[0]!.changesSince(tracker.id, Math.min(...created.map((i) => i.seq!)) - 1, 1000);
    for (const item of created) expect(feed.changes.map((c) => c.seq)).toContain(item.seq);
  });
});
