/** The change feed in SQLite: a tracker's items and tombstones after a token, in seq order, read through the (tracker_id, seq) index. */
import type Database from 'better-sqlite3';
import type { FeedPage, Item } from '../types.js';
import { type ItemRow, toItem } from './rows.js';

export class Feed {
  private readonly stmts;

  constructor(db: Database.Database) {
    this.stmts = {
      changes: db.prepare<[number, number, number], ItemRow>('SELECT * FROM items WHERE tracker_id = ? AND seq > ? ORDER BY seq LIMIT ?'),
      remaining: db.prepare<[number, number], { n: number }>('SELECT count(*) AS n FROM items WHERE tracker_id = ? AND seq > ?'),
    };
  }

  /** Items and tombstones with seq > since, in seq order: every prefix is a valid resume point. */
  since(trackerId: number, since: number, limit: number): FeedPage {
    const rows = this.stmts.changes.all(trackerId, since, limit + 1);
    const more = rows.length > limit;
    const changes = rows.slice(0, limit).map(toItem);
    return { changes, next: changes.length > 0 ? changes[changes.length - 1]!.seq : since, more };
  }

  /** How many changes follow `since` (reads the feed index only). */
  count(trackerId: number, since: number): number {
    return this.stmts.remaining.get(trackerId, since)!.n;
  }

  *iterate(trackerId: number, since: number, pageSize = 1000): IterableIterator<Item> {
    let token = since;
    for (;;) {
      const page = this.since(trackerId, token, pageSize);
      yield* page.changes;
      if (!page.more) return;
      token = page.next;
    }
  }
}
