/**
 * Items in SQLite: every write takes the next seq and bumps the version; a delete leaves a
 * tombstone (status and version kept, values gone), so the feed can say what went.
 */
import type Database from 'better-sqlite3';
import { BadInput, NotFound } from '../../../shared/errors.js';
import type { ItemState } from '../../../shared/merge/index.js';
import { blobProblems } from '../../../shared/model/files.js';
import type { Problem } from '../../../shared/model/fields.js';
import { type ItemChange, type NewItem, checkChange, checkNewItem } from '../../../shared/model/items.js';
import { duplicateKeys } from '../../../shared/model/keys.js';
import { type Values, applyChange, changedFields } from '../../../shared/model/values.js';
import type { Item, ItemListOptions, Tracker } from '../types.js';
import { type BlobTable, hasFilesField } from './blobs.js';
import type { KeyIndex } from './keys.js';
import { type ItemRow, orderedValues, toItem } from './rows.js';
import type { Sequence } from './sequence.js';
import type { TrackerTable } from './trackers.js';

function prepare(db: Database.Database) {
  return {
    item: db.prepare<[number, number], ItemRow>('SELECT * FROM items WHERE tracker_id = ? AND id = ?'),
    live: db.prepare<[number, number, number], ItemRow>('SELECT * FROM items WHERE tracker_id = ? AND deleted = 0 AND id > ? ORDER BY id LIMIT ?'),
    all: db.prepare<[number, number, number], ItemRow>('SELECT * FROM items WHERE tracker_id = ? AND id > ? ORDER BY id LIMIT ?'),
    count: db.prepare<[number], { n: number }>('SELECT count(*) AS n FROM items WHERE tracker_id = ? AND deleted = 0'),
    insert: db.prepare<[number, string, string, number, string, string | null], { id: number }>(
      'INSERT INTO items (tracker_id, status, values_json, version, seq, deleted, updated_at, updated_by) VALUES (?, ?, ?, 1, ?, 0, ?, ?) RETURNING id',
    ),
    update: db.prepare<[string, string, number, number, string, string | null, number, number], { version: number }>(
      'UPDATE items SET status = ?, values_json = ?, version = version + 1, seq = ?, deleted = ?, updated_at = ?, updated_by = ? WHERE id = ? AND tracker_id = ? RETURNING version',
    ),
    nextAutoincrement: db.prepare<[number, string], { value: number }>(
      `INSERT INTO autoincrements (tracker_id, field, value) VALUES (?, ?, 1)
       ON CONFLICT (tracker_id, field) DO UPDATE SET value = value + 1 RETURNING value`,
    ),
  };
}

export class ItemTable {
  private readonly stmts: ReturnType<typeof prepare>;

  constructor(
    db: Database.Database,
    private readonly trackers: TrackerTable,
    private readonly seq: Sequence,
    private readonly transaction: <T>(fn: () => T) => T,
    readonly keys: KeyIndex,
    private readonly blobs: BlobTable,
  ) {
    this.stmts = prepare(db);
  }

  /** Attachments a local write names without their content in this instance (DESIGN §14: an item never refers to a blob its instance lacks). */
  private missingBlobs(tracker: Tracker, values: Readonly<Values>, prefix: string): Problem[] {
    if (!hasFilesField(tracker.fields)) return [];
    return blobProblems(tracker.fields, values, (sha256) => this.blobs.sizeOf(sha256), { prefix, hint: 'attach the file with `s15n item attach` first' });
  }

  /** Every item write of a tracker with a files field keeps its blob references in step. */
  private syncRefs(tracker: Tracker, itemId: number, values: Readonly<Values>): void {
    if (hasFilesField(tracker.fields)) this.blobs.syncItemRefs(tracker.id, tracker.fields, itemId, values);
  }

  list(trackerId: number, opts: ItemListOptions = {}): Item[] {
    const stmt = opts.includeDeleted ? this.stmts.all : this.stmts.live;
    return stmt.all(trackerId, opts.afterId ?? 0, opts.limit ?? -1).map(toItem);
  }

  count(trackerId: number): number {
    return this.stmts.count.get(trackerId)!.n;
  }

  get(trackerId: number, itemId: number, opts: { includeDeleted?: boolean } = {}): Item | undefined {
    const row = this.stmts.item.get(trackerId, itemId);
    if (!row || (row.deleted === 1 && !opts.includeDeleted)) return undefined;
    return toItem(row);
  }

  require(trackerId: number, itemId: number): Item {
    const item = this.get(trackerId, itemId);
    if (!item) throw new NotFound(`unknown item ${itemId} in tracker "${this.trackers.get(trackerId).name}"`);
    return item;
  }

  /**
   * Creates items in one transaction; one bad item refuses them all and nothing is written. Key
   * values are checked as the items go in, so two items of one batch cannot share one either.
   */
  createMany(trackerId: number, inputs: readonly NewItem[], by: string | null, opts: { indexed?: boolean } = {}): Item[] {
    const tracker = this.trackers.get(trackerId);
    const indexed = opts.indexed === true || inputs.length > 1;
    const at = (i: number) => (indexed ? `items[${i}].` : '');
    const checked = inputs.map((input, i) => checkNewItem(tracker.fields, input, at(i)));
    const problems = checked.flatMap((c, i) => (c.problems.length > 0 ? c.problems : this.missingBlobs(tracker, c.state.values, `${at(i)}values`)));
    if (problems.length > 0) throw BadInput.from(problems, 'invalid item');
    const holders = this.keys.holders(tracker.id);
    return this.transaction(() => {
      const taken: Problem[] = [];
      const items = checked.map((c, i) => {
        taken.push(...duplicateKeys(tracker.fields, c.state.values, null, holders, `${at(i)}values`));
        return this.insert(tracker, c.state, by);
      });
      if (taken.length > 0) throw BadInput.from(taken, 'invalid item');
      return items;
    });
  }

  /** Inserts an already-valid item, assigning autoincrement fields. */
  insert(tracker: Tracker, state: ItemState, by: string | null): Item {
    const values = { ...state.values };
    for (const field of tracker.fields) {
      if (field.type === 'autoincrement') values[field.name] = this.stmts.nextAutoincrement.get(tracker.id, field.name)!.value;
    }
    return this.insertRow(tracker, { status: state.status, values }, by);
  }

  private insertRow(tracker: Tracker, state: ItemState, by: string | null): Item {
    const values = orderedValues(tracker, state.values);
    const seq = this.seq.next();
    const updatedAt = new Date().toISOString();
    const { id } = this.stmts.insert.get(tracker.id, state.status, JSON.stringify(values), seq, updatedAt, by)!;
    this.keys.written(tracker, id, values, { deleted: false, inserted: true });
    this.syncRefs(tracker, id, values);
    return { id, trackerId: tracker.id, status: state.status, values, version: 1, seq, deleted: false, updatedAt, updatedBy: by };
  }

  /** Applies one change to several items in one transaction; items it would not change are left untouched. */
  updateMany(trackerId: number, ids: readonly number[], change: ItemChange, by: string | null): Item[] {
    const tracker = this.trackers.get(trackerId);
    const checked = checkChange(tracker.fields, change);
    if (checked.problems.length > 0) throw BadInput.from(checked.problems, 'invalid change');
    const holders = this.keys.holders(tracker.id);
    const setting = new Set(Object.keys(checked.values));
    return this.transaction(() => {
      const taken: Problem[] = [];
      const items = ids.map((id, i) => {
        const item = this.require(trackerId, id);
        const values = applyChange(tracker.fields, item.values, checked.values);
        const status = checked.status ?? item.status;
        if (status === item.status && changedFields(tracker.fields, item.values, values).length === 0) return item;
        const missing = this.missingBlobs(tracker, values, 'values');
        if (missing.length > 0) throw BadInput.from(missing, 'invalid change');
        taken.push(...duplicateKeys(tracker.fields, values, item.id, holders, ids.length > 1 ? `items[${i}].values` : 'values', setting));
        return this.write(tracker, item.id, { status, values }, false, by);
      });
      if (taken.length > 0) throw BadInput.from(taken, 'invalid change');
      return items;
    });
  }

  deleteMany(trackerId: number, ids: readonly number[], by: string | null): void {
    this.transaction(() => {
      for (const id of ids) this.require(trackerId, id);
      for (const id of ids) this.tombstone(trackerId, id, by);
    });
  }

  /** Writes a new state of an existing item: version + 1, next seq. */
  write(tracker: Tracker, itemId: number, state: ItemState, deleted: boolean, by: string | null): Item {
    const values = orderedValues(tracker, state.values);
    const seq = this.seq.next();
    const updatedAt = new Date().toISOString();
    const row = this.stmts.update.get(state.status, JSON.stringify(values), seq, deleted ? 1 : 0, updatedAt, by, itemId, tracker.id);
    if (!row) throw new NotFound(`unknown item ${itemId} in tracker "${tracker.name}"`);
    this.keys.written(tracker, itemId, values, { deleted, inserted: false });
    this.syncRefs(tracker, itemId, values);
    return { id: itemId, trackerId: tracker.id, status: state.status, values, version: row.version, seq, deleted, updatedAt, updatedBy: by };
  }

  /**
   * Trusted write for the sync engine: values already canonical for this tracker. Takes the
   * tracker itself where the caller has it (a batch of thousands need not read it each time).
   */
  save(trackerRef: Tracker | number, itemId: number | null, state: ItemState, by: string | null): Item {
    const tracker = typeof trackerRef === 'number' ? this.trackers.get(trackerRef) : trackerRef;
    return itemId === null ? this.insertRow(tracker, state, by) : this.write(tracker, itemId, state, false, by);
  }

  /** Turns an item into a tombstone (its last status and version stay; values go). */
  tombstone(trackerId: number, itemId: number, by: string | null): Item {
    const tracker = this.trackers.get(trackerId);
    const item = this.get(trackerId, itemId, { includeDeleted: true });
    if (!item) throw new NotFound(`unknown item ${itemId} in tracker "${tracker.name}"`);
    if (item.deleted) return item;
    return this.write(tracker, itemId, { status: item.status, values: {} }, true, by);
  }
}
