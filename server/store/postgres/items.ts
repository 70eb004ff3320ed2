/**
 * Items on PostgreSQL: reads, and writes planned then committed through ./writes.ts. Every write
 * bumps the version; a delete leaves a tombstone (status and version kept, values gone). Rows a
 * write changes are locked first, in id order, so two writers never deadlock on them. The tracker
 * row is locked before them (./keys.ts), so that key values stay unique and no write runs on a
 * schema an edit replaces.
 */
import type pg from 'pg';
import { BadInput, NotFound } from '../../../shared/errors.js';
import { blobProblems } from '../../../shared/model/files.js';
import type { Problem } from '../../../shared/model/fields.js';
import type { ItemState } from '../../../shared/merge/index.js';
import { type ItemChange, type NewItem, checkChange, checkNewItem } from '../../../shared/model/items.js';
import { type Values, applyChange, changedFields } from '../../../shared/model/values.js';
import { orderedValues } from '../field-order.js';
import type { Item, ItemListOptions, Tracker } from '../types.js';
import { type PgBlobs, hasFiles, namedBlobs } from './blobs.js';
import type { FeedClock } from './clock.js';
import type { PgDatabase, Queryable } from './database.js';
import { ITEM_COLUMNS, type ItemRow, toItem } from './rows.js';
import { KeyBook, type TrackerLock, claimKeys, indexWrites, lockTracker, writeLock } from './keys.js';
import type { PgTrackers } from './trackers.js';
import { type PlannedWrite, commitWrites } from './writes.js';

const ID_BLOCK = 10_000;

export class PgItems {
  constructor(
    private readonly db: PgDatabase,
    private readonly trackers: PgTrackers,
    readonly clock: FeedClock,
    readonly blobs: PgBlobs,
  ) {}

  /**
   * Attachments local writes name without their content in this instance (DESIGN §14: an item
   * never refers to a blob its instance lacks), one list per state; the blobs named are held
   * FOR SHARE until the write commits, so no collection removes them meanwhile.
   */
  async missingBlobs(client: Queryable, tracker: Tracker, states: readonly { values: Readonly<Values> }[], prefix: (i: number) => string): Promise<Problem[]> {
    if (!hasFiles(tracker.fields)) return [];
    const sizes = await this.blobs.heldSizes(client, namedBlobs(tracker.fields, states.map((s) => s.values)));
    return states.flatMap((state, i) => blobProblems(tracker.fields, state.values, (sha256) => sizes.get(sha256), { prefix: prefix(i), hint: 'attach the file with `s15n item attach` first' }));
  }

  async list(trackerId: number, opts: ItemListOptions = {}): Promise<Item[]> {
    const live = opts.includeDeleted ? '' : 'AND NOT deleted';
    const limit = opts.limit !== undefined && opts.limit >= 0 ? `LIMIT ${Math.floor(opts.limit)}` : '';
    const rows = await this.db.query<ItemRow>(`SELECT ${ITEM_COLUMNS} FROM items WHERE tracker_id = $1 ${live} AND id > $2 ORDER BY id ${limit}`, [trackerId, opts.afterId ?? 0]);
    return rows.map(toItem);
  }

  async count(trackerId: number): Promise<number> {
    return (await this.db.query<{ n: number }>('SELECT count(*) AS n FROM items WHERE tracker_id = $1 AND NOT deleted', [trackerId]))[0]!.n;
  }

  async get(trackerId: number, itemId: number, opts: { includeDeleted?: boolean } = {}, client?: Queryable): Promise<Item | undefined> {
    const [row] = await this.db.runner(client)<ItemRow>(`SELECT ${ITEM_COLUMNS} FROM items WHERE tracker_id = $1 AND id = $2`, [trackerId, itemId], 'item');
    if (!row || (row.deleted && !opts.includeDeleted)) return undefined;
    return toItem(row);
  }

  /** The items of `ids` (tombstones included), row-locked until the transaction ends, taken in id order. */
  async lock(client: Queryable, trackerId: number, ids: readonly number[]): Promise<Map<number, Item>> {
    const unique = [...new Set(ids)].sort((a, b) => a - b);
    if (unique.length === 0) return new Map();
    const rows = await this.db.runner(client)<ItemRow>(
      `SELECT ${ITEM_COLUMNS} FROM items WHERE tracker_id = $1 AND id = ANY($2::bigint[]) ORDER BY id FOR UPDATE`,
      [trackerId, unique],
    );
    return new Map(rows.map((row) => [row.id, toItem(row)]));
  }

  /** `count` new item ids from the identity sequence (ascending, as one batch's items are on SQLite). */
  async newIds(client: Queryable, count: number): Promise<number[]> {
    const ids: number[] = [];
    for (let done = 0; done < count; done += ID_BLOCK) {
      const n = Math.min(ID_BLOCK, count - done);
      const rows = await this.db.runner(client)<{ id: number }>("SELECT nextval('items_id_seq') AS id FROM generate_series(1, $1)", [n]);
      ids.push(...rows.map((r) => r.id).sort((a, b) => a - b));
    }
    return ids;
  }

  /** New items from valid states: ids and autoincrement values taken now, seqs at commit. */
  async planInserts(client: Queryable, tracker: Tracker, states: readonly ItemState[], by: string | null, ids?: readonly number[]): Promise<PlannedWrite[]> {
    if (states.length === 0) return [];
    const given = ids ?? (await this.newIds(client, states.length));
    const numbers = new Map<string, number>();
    for (const field of tracker.fields.filter((f) => f.type === 'autoincrement')) {
      // One counter update per field for the whole batch; the row lock serializes batches of a tracker.
      const [row] = await this.db.runner(client)<{ value: number }>(
        `INSERT INTO autoincrements (tracker_id, field, value) VALUES ($1, $2, $3)
         ON CONFLICT (tracker_id, field) DO UPDATE SET value = autoincrements.value + $3 RETURNING value`,
        [tracker.id, field.name, states.length],
      );
      numbers.set(field.name, row!.value - states.length + 1);
    }
    const updatedAt = new Date().toISOString();
    return states.map((state, i) => {
      const values = { ...state.values };
      for (const [name, first] of numbers) values[name] = first + i;
      const item: Item = { id: given[i]!, trackerId: tracker.id, status: state.status, values: orderedValues(tracker, values), version: 1, seq: 0, deleted: false, updatedAt, updatedBy: by };
      return { item, insert: true };
    });
  }

  /** The next state of an existing item: version + 1, seq at commit. */
  planUpdate(tracker: Tracker, current: Item, state: ItemState, deleted: boolean, by: string | null): PlannedWrite {
    const values = deleted ? {} : orderedValues(tracker, state.values);
    const item: Item = { ...current, status: state.status, values, version: current.version + 1, seq: 0, deleted, updatedAt: new Date().toISOString(), updatedBy: by };
    return { item, insert: false };
  }

  /**
   * Runs `plan` and commits the writes it answers in one transaction; `plan` may read and lock
   * through `client`, and judges key values with `book`. The tracker row is locked first.
   */
  async write<T>(tracker: Tracker, plan: (client: pg.PoolClient, book: KeyBook) => Promise<{ writes: PlannedWrite[]; result: T }>, lock: TrackerLock = writeLock(tracker)): Promise<T> {
    return this.db.transaction(async (client) => {
      await lockTracker(client, tracker, lock);
      const { writes, result } = await plan(client, new KeyBook(tracker));
      await indexWrites(client, tracker, writes);
      await this.blobs.syncRefs(client, tracker.fields, writes);
      await commitWrites(client, this.clock, tracker.id, writes);
      return result;
    });
  }

  /**
   * Creates items in one transaction; one bad item refuses them all and nothing is written. Key
   * values are checked against the live items and the items before in the batch.
   */
  async createMany(trackerId: number, inputs: readonly NewItem[], by: string | null, opts: { indexed?: boolean } = {}): Promise<Item[]> {
    const tracker = await this.trackers.get(trackerId);
    const indexed = opts.indexed === true || inputs.length > 1;
    const at = (i: number) => (indexed ? `items[${i}].` : '');
    const checked = inputs.map((input, i) => checkNewItem(tracker.fields, input, at(i)));
    const problems = checked.flatMap((c) => c.problems);
    if (problems.length > 0) throw BadInput.from(problems, 'invalid item');
    return this.write(tracker, async (client, book) => {
      const missing = await this.missingBlobs(client, tracker, checked.map((c) => c.state), (i) => (indexed ? `items[${i}].values` : 'values'));
      if (missing.length > 0) throw BadInput.from(missing, 'invalid item');
      const writes = await this.planInserts(client, tracker, checked.map((c) => c.state), by);
      const taken = await claimKeys(client, book, writes.map((w) => ({ before: null, after: w.item })), (i) => `${at(i)}values`);
      if (taken.length > 0) throw BadInput.from(taken, 'invalid item');
      return { writes, result: writes.map((w) => w.item) };
    });
  }

  /** Applies one change to several items in one transaction; items it would not change are left untouched. */
  async updateMany(trackerId: number, ids: readonly number[], change: ItemChange, by: string | null): Promise<Item[]> {
    const tracker = await this.trackers.get(trackerId);
    const checked = checkChange(tracker.fields, change);
    if (checked.problems.length > 0) throw BadInput.from(checked.problems, 'invalid change');
    return this.write(tracker, async (client, book) => {
      const current = await this.lock(client, trackerId, ids);
      const writes: PlannedWrite[] = [];
      const moves: { before: Item; after: Item; at: number }[] = [];
      const result = ids.map((id, i) => {
        const item = current.get(id);
        if (!item || item.deleted) throw new NotFound(`unknown item ${id} in tracker "${tracker.name}"`);
        const values = applyChange(tracker.fields, item.values, checked.values);
        const status = checked.status ?? item.status;
        if (status === item.status && changedFields(tracker.fields, item.values, values).length === 0) return item;
        const write = this.planUpdate(tracker, item, { status, values }, false, by);
        // An id given twice sees its first change.
        current.set(id, write.item);
        writes.push(write);
        moves.push({ before: item, after: write.item, at: i });
        return write.item;
      });
      const place = (i: number) => (ids.length > 1 ? `items[${moves[i]!.at}].values` : 'values');
      const taken = await claimKeys(client, book, moves, place, new Set(Object.keys(checked.values)));
      if (taken.length > 0) throw BadInput.from(taken, 'invalid change');
      const missing = await this.missingBlobs(client, tracker, moves.map((m) => m.after), () => 'values');
      if (missing.length > 0) throw BadInput.from(missing, 'invalid change');
      return { writes, result };
    });
  }

  async deleteMany(trackerId: number, ids: readonly number[], by: string | null): Promise<void> {
    const tracker = await this.trackers.get(trackerId);
    await this.write(tracker, async (client) => {
      const current = await this.lock(client, trackerId, ids);
      for (const id of ids) if (!current.get(id) || current.get(id)!.deleted) throw new NotFound(`unknown item ${id} in tracker "${tracker.name}"`);
      const writes = [...new Set(ids)].map((id) => this.planUpdate(tracker, current.get(id)!, { status: current.get(id)!.status, values: {} }, true, by));
      return { writes, result: undefined };
    });
  }
}
