/**
 * The change feed on PostgreSQL: a tracker's items and tombstones after a token, in seq order,
 * through the (tracker_id, seq) index. One statement per page, so one snapshot: with the feed
 * clock's numbering (./clock.ts) every page is a final prefix of what follows the token.
 */
import type { FeedPage } from '../types.js';
import type { PgDatabase } from './database.js';
import { ITEM_COLUMNS, type ItemRow, toItem } from './rows.js';

export class PgFeed {
  constructor(private readonly db: PgDatabase) {}

  async since(trackerId: number, since: number, limit: number): Promise<FeedPage> {
    const rows = await this.db.query<ItemRow>(`SELECT ${ITEM_COLUMNS} FROM items WHERE tracker_id = $1 AND seq > $2 ORDER BY seq LIMIT $3`, [trackerId, since, limit + 1], 'feed');
    const more = rows.length > limit;
    const changes = rows.slice(0, limit).map(toItem);
    return { changes, next: changes.length > 0 ? changes[changes.length - 1]!.seq : since, more };
  }

  async count(trackerId: number, since: number): Promise<number> {
    return (await this.db.query<{ n: number }>('SELECT count(*) AS n FROM items WHERE tracker_id = $1 AND seq > $2', [trackerId, since], 'feed-count'))[0]!.n;
  }

  /** The last seq any write committed (the counter): where a listener that may have missed events re-reads from. */
  async lastSeq(): Promise<number> {
    return (await this.db.query<{ value: number }>("SELECT value FROM counters WHERE name = 'seq'"))[0]!.value;
  }
}
