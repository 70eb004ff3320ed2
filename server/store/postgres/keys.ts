/**
 * The key index on PostgreSQL (table item_keys, DESIGN §13), and the tracker lock that makes its
 * checks exact across processes: a write of a tracker with key fields holds the tracker row
 * (FOR NO KEY UPDATE) from its first statement, so no other keyed write of that tracker judges
 * between its reads of the index and its commit; any other write holds it FOR KEY SHARE; a schema
 * edit (or a CSV import) holds it FOR UPDATE, so no write of the tracker runs on the schema it
 * replaces. The rules are shared/model/keys.ts.
 */
import { Conflict } from '../../../shared/errors.js';
import type { Problem } from '../../../shared/model/fields.js';
import { type KeyEntry, type KeyHolders, duplicateKeys, keyEntries, keyFields } from '../../../shared/model/keys.js';
import type { Values } from '../../../shared/model/values.js';
import type { Item, Tracker } from '../types.js';
import type { Queryable } from './database.js';
import type { PlannedWrite } from './writes.js';

const CHUNK = 5000;

/** How a write holds its tracker: any write (share), a write of a keyed tracker, a schema edit or an import (exclusive). */
export type TrackerLock = 'share' | 'keyed' | 'exclusive';

const LOCKS: Record<TrackerLock, string> = { share: 'FOR KEY SHARE', keyed: 'FOR NO KEY UPDATE', exclusive: 'FOR UPDATE' };

/** The lock a plain item write takes for this tracker. */
export const writeLock = (tracker: Tracker): TrackerLock => (keyFields(tracker.fields).length > 0 ? 'keyed' : 'share');

/** A write judged on a schema that an edit replaced before the write got its tracker's lock: nothing was written; run it again. */
export class SchemaChanged extends Conflict {
  constructor(tracker: Tracker) {
    super(`the schema of tracker "${tracker.name}" changed during this write; nothing was written, try again`);
  }
}

/** Locks the tracker row for the rest of the transaction; SchemaChanged when its schema changed since `tracker` was read. */
export async function lockTracker(client: Queryable, tracker: Tracker, lock: TrackerLock): Promise<void> {
  const { rows } = await client.query<{ schema_hash: string }>(`SELECT schema_hash FROM trackers WHERE id = $1 ${LOCKS[lock]}`, [tracker.id]);
  if (rows[0]?.schema_hash !== tracker.schemaHash) throw new SchemaChanged(tracker);
}

/** Runs a write (which reads its tracker afresh) again when a schema edit overtook it; a few times, then SchemaChanged stands (409). */
export async function onFreshSchema<T>(write: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await write();
    } catch (error) {
      if (!(error instanceof SchemaChanged) || attempt >= 3) throw error;
    }
  }
}

const slot = (field: string, text: string) => `${field}\u0000${text}`;

/**
 * The holders of the key values a transaction touches: read from item_keys once (`load`), then
 * kept as the transaction plans its writes (`move`), so the shared rules ask it synchronously.
 */
export class KeyBook {
  private readonly held = new Map<string, Set<number>>();

  constructor(readonly tracker: Tracker) {}

  get keyed(): boolean {
    return keyFields(this.tracker.fields).length > 0;
  }

  /** Reads who holds each of these values (those not read yet). */
  async load(client: Queryable, entries: readonly KeyEntry[]): Promise<void> {
    const missing = new Map<string, KeyEntry>();
    for (const e of entries) if (!this.held.has(slot(e.field, e.text))) missing.set(slot(e.field, e.text), e);
    const wanted = [...missing.values()];
    for (const e of wanted) this.held.set(slot(e.field, e.text), new Set());
    for (let start = 0; start < wanted.length; start += CHUNK) {
      const part = wanted.slice(start, start + CHUNK);
      const { rows } = await client.query<{ field: string; value: string; item_id: number }>(
        `SELECT k.field, k.value, k.item_id FROM item_keys k JOIN unnest($2::text[], $3::text[]) AS w(field, value) ON k.field = w.field AND k.value = w.value WHERE k.tracker_id = $1`,
        [this.tracker.id, part.map((e) => e.field), part.map((e) => e.text)],
      );
      for (const row of rows) this.held.get(slot(row.field, row.value))!.add(row.item_id);
    }
  }

  /** Reads the holders of every key value of these values. */
  loadValues(client: Queryable, values: Iterable<Readonly<Values>>): Promise<void> {
    const entries: KeyEntry[] = [];
    for (const v of values) entries.push(...keyEntries(this.tracker.fields, v));
    return this.load(client, entries);
  }

  /** Who holds a value, with the writes planned so far; a value not loaded is a bug of the caller. */
  holders: KeyHolders = (field, text) => {
    const ids = this.held.get(slot(field, text));
    if (!ids) throw new Error(`key index: "${field}" value not loaded before it was asked`);
    return [...ids];
  };

  /** Every item holding a value read so far (the items a judgement may name). */
  holderIds(): Set<number> {
    const ids = new Set<number>();
    for (const held of this.held.values()) for (const id of held) ids.add(id);
    return ids;
  }

  /** An item's key values move from `before` to `after` (null: none, a new item or a tombstone); both were loaded. */
  move(id: number, before: Readonly<Values> | null, after: Readonly<Values> | null): void {
    if (!this.keyed) return;
    if (before) for (const e of keyEntries(this.tracker.fields, before)) this.held.get(slot(e.field, e.text))?.delete(id);
    if (after) for (const e of keyEntries(this.tracker.fields, after)) this.held.get(slot(e.field, e.text))?.add(id);
  }
}

/**
 * Key values of planned writes, in order, against the live items and the writes before them:
 * each taken value a problem naming the field and the other item (`at(i)`: where write i's values
 * are named; `only(i)`: the fields it sets, all when absent). The book learns each write.
 */
export async function claimKeys(
  client: Queryable,
  book: KeyBook,
  writes: readonly { before: Item | null; after: Item }[],
  at: (i: number) => string,
  only?: ReadonlySet<string>,
): Promise<Problem[]> {
  if (!book.keyed || writes.length === 0) return [];
  await book.loadValues(client, writes.flatMap((w) => (w.before ? [w.before.values, w.after.values] : [w.after.values])));
  const problems: Problem[] = [];
  writes.forEach(({ before, after }, i) => {
    if (!after.deleted) problems.push(...duplicateKeys(book.tracker.fields, after.values, after.id, book.holders, at(i), only));
    book.move(after.id, before && !before.deleted ? before.values : null, after.deleted ? null : after.values);
  });
  return problems;
}

async function insertEntries(client: Queryable, trackerId: number, rows: { field: string; text: string; id: number }[]): Promise<void> {
  for (let start = 0; start < rows.length; start += CHUNK) {
    const part = rows.slice(start, start + CHUNK);
    await client.query(
      'INSERT INTO item_keys (tracker_id, field, value, item_id) SELECT $1::bigint, * FROM unnest($2::text[], $3::text[], $4::bigint[])',
      [trackerId, part.map((r) => r.field), part.map((r) => r.text), part.map((r) => r.id)],
    );
  }
}

/** Writes the index entries of planned writes (each row's last state): an updated item's old entries go, live ones come. */
export async function indexWrites(client: Queryable, tracker: Tracker, writes: readonly PlannedWrite[]): Promise<void> {
  if (keyFields(tracker.fields).length === 0 || writes.length === 0) return;
  const last = new Map<number, PlannedWrite>();
  const updated = new Set<number>();
  for (const w of writes) {
    last.set(w.item.id, w);
    if (!w.insert) updated.add(w.item.id);
  }
  if (updated.size > 0) await client.query('DELETE FROM item_keys WHERE item_id = ANY($1::bigint[])', [[...updated]]);
  const rows: { field: string; text: string; id: number }[] = [];
  for (const { item } of last.values()) if (!item.deleted) for (const e of keyEntries(tracker.fields, item.values)) rows.push({ ...e, id: item.id });
  await insertEntries(client, tracker.id, rows);
}

/** Indexes one field of the given live items afresh (it became a key), or forgets it (`key` false). */
export async function reindexField(client: Queryable, tracker: Tracker, field: string, key: boolean, live: Iterable<{ id: number; values: Readonly<Values> }>): Promise<void> {
  await client.query('DELETE FROM item_keys WHERE tracker_id = $1 AND field = $2', [tracker.id, field]);
  if (!key) return;
  const only = new Set([field]);
  const fields = tracker.fields.some((f) => f.name === field && f.key) ? tracker.fields : tracker.fields.map((f) => (f.name === field ? { ...f, key: true } : f));
  const rows: { field: string; text: string; id: number }[] = [];
  for (const item of live) for (const e of keyEntries(fields, item.values, only)) rows.push({ ...e, id: item.id });
  await insertEntries(client, tracker.id, rows);
}
