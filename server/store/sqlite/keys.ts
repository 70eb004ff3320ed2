/**
 * The key index in SQLite (table item_keys): each live item's value of each key field, kept with
 * every item write, so a uniqueness check or a push's match is one index lookup (DESIGN §13).
 * The rules (what a key is, what counts as a duplicate or a match) are shared/model/keys.ts.
 */
import type Database from 'better-sqlite3';
import { type KeyHolders, keyEntries, keyFields, keyText } from '../../../shared/model/keys.js';
import type { Values } from '../../../shared/model/values.js';
import type { Tracker } from '../types.js';

function prepare(db: Database.Database) {
  return {
    holders: db.prepare<[number, string, string], { item_id: number }>('SELECT item_id FROM item_keys WHERE tracker_id = ? AND field = ? AND value = ? LIMIT 4'),
    insert: db.prepare<[number, string, string, number]>('INSERT OR IGNORE INTO item_keys (tracker_id, field, value, item_id) VALUES (?, ?, ?, ?)'),
    clearItem: db.prepare<[number]>('DELETE FROM item_keys WHERE item_id = ?'),
    clearField: db.prepare<[number, string]>('DELETE FROM item_keys WHERE tracker_id = ? AND field = ?'),
    page: db.prepare<[number, number], { id: number; values_json: string }>('SELECT id, values_json FROM items WHERE tracker_id = ? AND deleted = 0 AND id > ? ORDER BY id LIMIT 1000'),
  };
}

export class KeyIndex {
  private readonly stmts: ReturnType<typeof prepare>;

  constructor(db: Database.Database) {
    this.stmts = prepare(db);
  }

  /** Who holds a key value in a tracker, as the shared rules ask it. */
  holders(trackerId: number): KeyHolders {
    return (field, text) => this.stmts.holders.all(trackerId, field, text).map((r) => r.item_id);
  }

  /** Indexes an item after a write: its old entries go, its new ones (none for a tombstone) come. A tracker without keys costs nothing. */
  written(tracker: Tracker, itemId: number, values: Readonly<Values>, opts: { deleted: boolean; inserted: boolean }): void {
    if (keyFields(tracker.fields).length === 0) return;
    if (!opts.inserted) this.stmts.clearItem.run(itemId);
    if (opts.deleted) return;
    for (const { field, text } of keyEntries(tracker.fields, values)) this.stmts.insert.run(tracker.id, field, text, itemId);
  }

  /** Indexes one field of every live item afresh (it became a key), or forgets it (`key` false: no longer a key, or removed). */
  reindex(trackerId: number, field: string, key: boolean): void {
    this.stmts.clearField.run(trackerId, field);
    if (!key) return;
    // Pages, not an iterator: the connection cannot write while a statement iterates.
    let rows = this.stmts.page.all(trackerId, 0);
    while (rows.length > 0) {
      for (const row of rows) {
        const text = keyText((JSON.parse(row.values_json) as Values)[field]);
        if (text !== null) this.stmts.insert.run(trackerId, field, text, row.id);
      }
      rows = this.stmts.page.all(trackerId, rows[rows.length - 1]!.id);
    }
  }
}
