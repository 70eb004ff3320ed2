/**
 * The last step of every item write on PostgreSQL: the planned states get their seqs from the
 * feed clock and go to the table in a few multi-row statements, right before COMMIT (./clock.ts
 * says why nothing may come between). Planning (reads, row locks, checks, ids, autoincrement
 * values) happens before, in parallel with other writers.
 */
import type pg from 'pg';
import type { Item } from '../types.js';
import type { FeedClock } from './clock.js';

/** One planned item state; `item.seq` is set when the write is committed. A row written twice in one batch keeps its last state. */
export interface PlannedWrite {
  item: Item;
  insert: boolean;
}

const CHUNK = 2000;

const INSERT = `INSERT INTO items (id, tracker_id, status, values_json, version, seq, deleted, updated_at, updated_by)
  SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::text[], $4::text[], $5::int[], $6::bigint[], $7::boolean[], $8::text[], $9::text[])`;

const UPDATE = `UPDATE items AS i SET status = v.status, values_json = v.values_json, version = v.version, seq = v.seq,
    deleted = v.deleted, updated_at = v.updated_at, updated_by = v.updated_by
  FROM unnest($1::bigint[], $2::bigint[], $3::text[], $4::text[], $5::int[], $6::bigint[], $7::boolean[], $8::text[], $9::text[])
    AS v(id, tracker_id, status, values_json, version, seq, deleted, updated_at, updated_by)
  WHERE i.id = v.id AND i.tracker_id = v.tracker_id`;

/** Column arrays of some items, in the order of INSERT and UPDATE's parameters. */
function columns(items: readonly Item[]): unknown[][] {
  return [
    items.map((i) => i.id),
    items.map((i) => i.trackerId),
    items.map((i) => i.status),
    items.map((i) => JSON.stringify(i.values)),
    items.map((i) => i.version),
    items.map((i) => i.seq),
    items.map((i) => i.deleted),
    items.map((i) => i.updatedAt),
    items.map((i) => i.updatedBy),
  ];
}

async function inChunks(client: pg.PoolClient, sql: string, items: readonly Item[]): Promise<void> {
  for (let start = 0; start < items.length; start += CHUNK) await client.query(sql, columns(items.slice(start, start + CHUNK)));
}

/** Numbers the planned writes (in plan order) and writes each row's last state. Call it last in the transaction. */
export async function commitWrites(client: pg.PoolClient, clock: FeedClock, trackerId: number, writes: readonly PlannedWrite[]): Promise<void> {
  if (writes.length === 0) return;
  const first = await clock.take(client, trackerId, writes.length);
  const rows = new Map<number, { item: Item; insert: boolean }>();
  writes.forEach((write, i) => {
    write.item.seq = first + i;
    const earlier = rows.get(write.item.id);
    rows.set(write.item.id, { item: write.item, insert: earlier?.insert ?? write.insert });
  });
  const all = [...rows.values()];
  await inChunks(client, INSERT, all.filter((r) => r.insert).map((r) => r.item));
  await inChunks(client, UPDATE, all.filter((r) => !r.insert).map((r) => r.item));
}
