/**
 * Digest pages in SQLite without parsing values (the `digest` route's fast path): when the fields
 * asked for are the tracker's own, in order, a row whose stored JSON holds no other key (SQLite
 * lists the keys, in C) is hashed as it is stored; any other row is read and hashed by the one
 * rule of shared/digest.ts. A verify of a 100k clone reads its remote this way in a quarter of the time.
 */
import type Database from 'better-sqlite3';
import type { DigestEntry } from '../../../shared/api/schemas.js';
import { digestHash, digestOfJson } from '../../../shared/digest.js';
import type { Values } from '../../../shared/model/values.js';
import type { Tracker } from '../types.js';

interface DigestRow {
  id: number;
  version: number;
  status: string;
  values_json: string;
  keys: string | null;
}

/** Whether `keys` (comma-separated, as stored) are some of the fields, in the fields' order: then the stored JSON is the JSON of the named fields. */
function inFieldOrder(keys: string | null, position: ReadonlyMap<string, number>): boolean {
  if (keys === null || keys === '') return true;
  let last = -1;
  for (const key of keys.split(',')) {
    const at = position.get(key);
    if (at === undefined || at <= last) return false;
    last = at;
  }
  return true;
}

export class ItemDigests {
  private readonly page;

  constructor(db: Database.Database) {
    this.page = db.prepare<[number, number, number], DigestRow>(
      `SELECT id, version, status, values_json, (SELECT group_concat(key, ',') FROM json_each(items.values_json)) AS keys
       FROM items WHERE tracker_id = ? AND deleted = 0 AND id > ? ORDER BY id LIMIT ?`,
    );
  }

  /** The page, or null when `names` are not the tracker's fields in order (the caller then hashes parsed items). */
  digests(tracker: Tracker, after: number, limit: number, names: readonly string[]): DigestEntry[] | null {
    if (names.length !== tracker.fields.length || tracker.fields.some((f, i) => f.name !== names[i])) return null;
    const position = new Map(names.map((name, i) => [name, i]));
    return this.page.all(tracker.id, after, limit).map((row) => ({
      id: row.id,
      version: row.version,
      hash: inFieldOrder(row.keys, position) ? digestOfJson(row.status, row.values_json) : digestHash(names, { status: row.status, values: JSON.parse(row.values_json) as Values }),
    }));
  }
}
