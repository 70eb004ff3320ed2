/**
 * Push on PostgreSQL, under READ COMMITTED with row locks instead of serializable retries: the
 * items a batch updates or deletes are locked in id order, the keys it creates by are claimed in
 * key order, then every change is judged by the one push rule of shared/push/judge.ts (the dry
 * run's rule) against the locked rows, in batch order, and the writes are committed last.
 *
 * A create key is claimed with INSERT … ON CONFLICT DO NOTHING: when another process holds the
 * same key in a transaction of its own, the claim waits for it; if that one commits, the key is
 * known and the item it created is the answer. Two processes given one key create one item.
 */
import type pg from 'pg';
import type { CreateChange, PushChange, PushResult } from '../../../shared/api/schemas.js';
import { type Pusher, type PushJudgement, answerOf, judgeCreate, judgeDelete, judgeUpdate } from '../../../shared/push/judge.js';
import type { ItemState } from '../../../shared/merge/index.js';
import type { Actor, Item, Tracker } from '../types.js';
import { itemToChange } from '../wire.js';
import type { PgDatabase } from './database.js';
import type { PgItems } from './items.js';
import { ITEM_COLUMNS, type ItemRow, toItem } from './rows.js';
import type { PlannedWrite } from './writes.js';

interface Judged {
  judgement: PushJudgement;
  change: PushChange;
  /** The item the answer shows; its seq is final once the batch is committed. */
  item: Item | undefined;
}

export class PgPush {
  constructor(
    private readonly db: PgDatabase,
    private readonly items: PgItems,
  ) {}

  /** Applies a batch in one transaction; each change is answered on its own. */
  async apply(tracker: Tracker, changes: readonly PushChange[], actor: Actor): Promise<PushResult[]> {
    const pusher: Pusher = { user: actor.user, trackerName: tracker.name, admin: actor.isAdmin };
    const judged = await this.items.write(tracker, (client) => this.plan(client, tracker, changes, pusher));
    return judged.map(({ judgement, change, item }) => answerOf(judgement, change, item && itemToChange(item)));
  }

  private async plan(client: pg.PoolClient, tracker: Tracker, changes: readonly PushChange[], pusher: Pusher): Promise<{ writes: PlannedWrite[]; result: Judged[] }> {
    const targets = changes.flatMap((c) => (c.op === 'create' ? [] : [c.id]));
    const current = await this.items.lock(client, tracker.id, targets);
    const creates = await this.planCreates(client, tracker, changes.filter((c): c is CreateChange => c.op === 'create'), pusher.user);
    const writes: PlannedWrite[] = [];
    const result = changes.map((change): Judged => {
      if (change.op === 'create') {
        const known = creates.known.get(change.idempotencyKey);
        const insert = known ? undefined : creates.inserts.get(change.idempotencyKey);
        if (insert) {
          // The key's first create in this batch; a repeat of it is answered with the same item.
          creates.inserts.delete(change.idempotencyKey);
          creates.known.set(change.idempotencyKey, insert.item);
          writes.push(insert);
          return { judgement: { status: 'created', write: insert.item }, change, item: insert.item };
        }
        return { judgement: judgeCreate(tracker.fields, change, known), change, item: known };
      }
      const held = current.get(change.id);
      const judgement = change.op === 'update' ? judgeUpdate(tracker.fields, held, change, pusher) : judgeDelete(held, change, pusher);
      const state: ItemState | null = judgement.status === 'updated' ? judgement.write : judgement.status === 'deleted' && judgement.write ? { status: held!.status, values: {} } : null;
      if (!state || !held) return { judgement, change, item: held };
      const write = this.items.planUpdate(tracker, held, state, judgement.status === 'deleted', pusher.user);
      current.set(change.id, write.item);
      writes.push(write);
      return { judgement, change, item: write.item };
    });
    return { writes, result };
  }

  /**
   * The creates' keys: those already known (with their items), and for the valid creates of new
   * keys, the claims won and their planned inserts. A claim lost to another transaction that
   * committed the same key meanwhile makes that key known.
   */
  private async planCreates(client: pg.PoolClient, tracker: Tracker, creates: readonly CreateChange[], by: string): Promise<{ known: Map<string, Item>; inserts: Map<string, PlannedWrite> }> {
    const run = this.db.runner(client);
    const known = await this.knownKeys(client, tracker.id, [...new Set(creates.map((c) => c.idempotencyKey))]);
    const wanted = new Map<string, ItemState>();
    for (const change of creates) {
      if (known.has(change.idempotencyKey) || wanted.has(change.idempotencyKey)) continue;
      const judgement = judgeCreate(tracker.fields, change, undefined);
      if (judgement.status === 'created' && judgement.write) wanted.set(change.idempotencyKey, judgement.write);
    }
    const inserts = new Map<string, PlannedWrite>();
    if (wanted.size === 0) return { known, inserts };
    // Ids and autoincrement values in batch order, as SQLite gives them; claims in key order, so two batches never wait on each other crosswise.
    const inBatch = [...wanted.keys()];
    const ids = await this.items.newIds(client, inBatch.length);
    const idOf = new Map(inBatch.map((key, i) => [key, ids[i]!]));
    const keys = [...inBatch].sort();
    const won = await run<{ key: string }>(
      `INSERT INTO idempotency_keys (tracker_id, key, item_id, created_at)
       SELECT $1::bigint, k, i, $4::text FROM unnest($2::text[], $3::bigint[]) AS u(k, i) ORDER BY k COLLATE "C"
       ON CONFLICT (tracker_id, key) DO NOTHING RETURNING key`,
      [tracker.id, keys, keys.map((k) => idOf.get(k)), new Date().toISOString()],
    );
    const claimed = new Set(won.map((r) => r.key));
    for (const [key, item] of await this.knownKeys(client, tracker.id, keys.filter((k) => !claimed.has(k)))) known.set(key, item);
    const mine = inBatch.filter((k) => claimed.has(k));
    const planned = await this.items.planInserts(client, tracker, mine.map((k) => wanted.get(k)!), by, mine.map((k) => idOf.get(k)!));
    mine.forEach((key, i) => inserts.set(key, planned[i]!));
    return { known, inserts };
  }

  /** The items that `keys` created (tombstones included), by key. */
  private async knownKeys(client: pg.PoolClient, trackerId: number, keys: readonly string[]): Promise<Map<string, Item>> {
    if (keys.length === 0) return new Map();
    const rows = await this.db.runner(client)<ItemRow & { key: string }>(
      `SELECT k.key, ${ITEM_COLUMNS.split(', ').map((c) => `i.${c}`).join(', ')}
       FROM idempotency_keys k JOIN items i ON i.id = k.item_id WHERE k.tracker_id = $1 AND k.key = ANY($2::text[])`,
      [trackerId, keys],
    );
    return new Map(rows.map((row) => [row.key, toItem(row)]));
  }
}
