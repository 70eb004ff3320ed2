/**
 * Push on PostgreSQL, under READ COMMITTED with row locks instead of serializable retries: the
 * items a batch updates or deletes are locked in id order, the keys it creates by are claimed in
 * key order, then every change is judged by the one push rule of shared/push/judge.ts (the dry
 * run's rule) against the locked rows, in batch order, and the writes are committed last.
 *
 * A create key is claimed with INSERT … ON CONFLICT DO NOTHING: when another process holds the
 * same key in a transaction of its own, the claim waits for it; if that one commits, the key is
 * known and the item it created is the answer. Two processes given one key create one item.
 *
 * Key fields (DESIGN §13): the holders of the batch's key values are read once under the tracker
 * lock (./keys.ts) and kept as the batch is planned, so a create holding a live item's key values
 * (or those of a create before it in the batch) is answered `matched` with that item, and an
 * update taking another item's key value is rejected, as on SQLite.
 */
import type pg from 'pg';
import type { CreateChange, PushChange, PushResult, UpdateChange } from '../../../shared/api/schemas.js';
import { type Pusher, type PushJudgement, answerOf, judgeCreate, judgeDelete, judgeUpdate } from '../../../shared/push/judge.js';
import type { ItemState } from '../../../shared/merge/index.js';
import { pushedBlobProblem } from '../../../shared/model/files.js';
import { checkNewItem } from '../../../shared/model/items.js';
import { keyFields } from '../../../shared/model/keys.js';
import { type Values, validateValues } from '../../../shared/model/values.js';
import type { Actor, Item, Tracker } from '../types.js';
import { itemToChange } from '../wire.js';
import { hasFiles, namedBlobs } from './blobs.js';
import type { PgDatabase } from './database.js';
import type { PgItems } from './items.js';
import type { KeyBook } from './keys.js';
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
    const judged = await this.items.write(tracker, (client, book) => this.plan(client, tracker, changes, pusher, book));
    return judged.map(({ judgement, change, item }) => answerOf(judgement, change, item && itemToChange(item)));
  }

  private async plan(client: pg.PoolClient, tracker: Tracker, changes: readonly PushChange[], pusher: Pusher, book: KeyBook): Promise<{ writes: PlannedWrite[]; result: Judged[] }> {
    const targets = changes.flatMap((c) => (c.op === 'create' ? [] : [c.id]));
    const current = await this.items.lock(client, tracker.id, targets);
    const matchable = await this.loadKeys(client, book, changes, current);
    const blobError = await this.blobRule(client, tracker, changes, [...current.values()]);
    const creates = await this.planCreates(client, tracker, changes.filter((c): c is CreateChange => c.op === 'create'), pusher.user, book, blobError);
    for (const insert of creates.inserts.values()) matchable.set(insert.item.id, insert.item);
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
        const error = known ? undefined : creates.refused.get(change.idempotencyKey);
        if (error) return { judgement: { status: 'rejected', error }, change, item: undefined };
        const judgement = judgeCreate(tracker.fields, change, known, book.holders);
        // matched: the item as this batch leaves it so far (nothing of the create is written).
        const item = judgement.status === 'matched' ? (current.get(judgement.id) ?? matchable.get(judgement.id)) : known;
        return { judgement, change, item };
      }
      const held = current.get(change.id);
      const judged = change.op === 'update' ? judgeUpdate(tracker.fields, held, change, pusher, book.holders) : judgeDelete(held, change, pusher);
      const error = judged.status === 'updated' && judged.write ? blobError(judged.write) : null;
      const judgement: PushJudgement = error ? { status: 'rejected', error } : judged;
      const state: ItemState | null = judgement.status === 'updated' ? judgement.write : judgement.status === 'deleted' && judgement.write ? { status: held!.status, values: {} } : null;
      if (!state || !held) return { judgement, change, item: held };
      const write = this.items.planUpdate(tracker, held, state, judgement.status === 'deleted', pusher.user);
      book.move(held.id, held.deleted ? null : held.values, write.item.deleted ? null : write.item.values);
      current.set(change.id, write.item);
      writes.push(write);
      return { judgement, change, item: write.item };
    });
    return { writes, result };
  }

  /**
   * For a tracker with key fields: reads who holds the key values the batch may ask about (its
   * creates' values, the key values its updates set, those its targets hold now), and answers
   * the live items holding them, which a create may be matched to.
   */
  private async loadKeys(client: pg.PoolClient, book: KeyBook, changes: readonly PushChange[], current: ReadonlyMap<number, Item>): Promise<Map<number, Item>> {
    if (!book.keyed) return new Map();
    const fields = book.tracker.fields;
    const keyed = new Set(keyFields(fields).map((f) => f.name));
    const values: Values[] = [...current.values()].filter((item) => !item.deleted).map((item) => item.values);
    for (const change of changes) {
      if (change.op === 'create') values.push(checkNewItem(fields, { status: change.status, values: change.values }).state.values);
      else if (change.op === 'update') values.push(keyValuesSet(fields, keyed, change));
    }
    await book.loadValues(client, values);
    const ids = [...book.holderIds()].filter((id) => !current.has(id));
    return ids.length === 0 ? new Map() : this.items.lock(client, book.tracker.id, ids);
  }

  /**
   * A write naming an attachment the tracker was not sent (or of another size) is rejected: an item
   * never refers to a blob its instance lacks. The blobs the batch's writes may name are held FOR SHARE.
   */
  private async blobRule(client: pg.PoolClient, tracker: Tracker, changes: readonly PushChange[], held: readonly Item[]): Promise<(write: ItemState) => string | null> {
    if (!hasFiles(tracker.fields)) return () => null;
    // What the changes name, and what the items they update name already (a change of the title keeps them).
    const named = held.map((item) => item.values).concat(changes.flatMap((c) => (c.op === 'create' ? [c.values as Values] : c.op === 'update' ? [Object.fromEntries(Object.entries(c.fields).map(([name, f]) => [name, f.value])) as Values] : [])));
    const sizes = await this.items.blobs.scopedSizes(client, tracker.id, namedBlobs(tracker.fields, named));
    return (write) => pushedBlobProblem(tracker.fields, write.values, (sha256) => sizes.get(sha256));
  }

  /**
   * The creates' keys: those already known (with their items), and for the valid creates of new
   * keys, the claims won and their planned inserts. A claim lost to another transaction that
   * committed the same key meanwhile makes that key known. A create whose write names an
   * attachment the tracker lacks is `refused`, with the reason, and claims nothing.
   */
  private async planCreates(
    client: pg.PoolClient,
    tracker: Tracker,
    creates: readonly CreateChange[],
    by: string,
    book: KeyBook,
    blobError: (write: ItemState) => string | null,
  ): Promise<{ known: Map<string, Item>; inserts: Map<string, PlannedWrite>; refused: Map<string, string> }> {
    const run = this.db.runner(client);
    const known = await this.knownKeys(client, tracker.id, [...new Set(creates.map((c) => c.idempotencyKey))]);
    const wanted = new Map<string, ItemState>();
    const refused = new Map<string, string>();
    for (const change of creates) {
      if (known.has(change.idempotencyKey) || wanted.has(change.idempotencyKey) || refused.has(change.idempotencyKey)) continue;
      const judgement = judgeCreate(tracker.fields, change, undefined, book.holders);
      if (judgement.status !== 'created' || !judgement.write) continue;
      const error = blobError(judgement.write);
      if (error) {
        refused.set(change.idempotencyKey, error);
        continue;
      }
      wanted.set(change.idempotencyKey, judgement.write);
      // Held until its id is known (a provisional one, below zero), so a later create of the batch with its key values is matched to it.
      book.move(-wanted.size, null, judgement.write.values);
    }
    const inserts = new Map<string, PlannedWrite>();
    if (wanted.size === 0) return { known, inserts, refused };
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
    inBatch.forEach((key, i) => {
      book.move(-(i + 1), wanted.get(key)!.values, null);
      if (claimed.has(key)) book.move(idOf.get(key)!, null, wanted.get(key)!.values);
    });
    const mine = inBatch.filter((k) => claimed.has(k));
    const planned = await this.items.planInserts(client, tracker, mine.map((k) => wanted.get(k)!), by, mine.map((k) => idOf.get(k)!));
    mine.forEach((key, i) => inserts.set(key, planned[i]!));
    return { known, inserts, refused };
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

/** The canonical values an update sets on key fields (those valid): the values whose holders its judgement asks. */
function keyValuesSet(fields: Tracker['fields'], keyed: ReadonlySet<string>, change: UpdateChange): Values {
  const set: Record<string, unknown> = {};
  for (const [name, { value }] of Object.entries(change.fields)) if (keyed.has(name)) set[name] = value;
  return validateValues(fields, set, { partial: true }).values;
}
