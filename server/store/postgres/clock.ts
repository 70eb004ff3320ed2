/**
 * The feed clock: where a PostgreSQL write gets its seqs, and why the feed stays precise with
 * many writers on many processes (DESIGN §10).
 *
 * The trap: a seq taken from a sequence inside a transaction that commits after a transaction
 * holding a higher seq. A reader that saw the higher one and moved its token past it never sees
 * the lower one. Our cure numbers changes in one serialized step at the end of each write:
 *
 * - every write transaction takes its seqs as its last step before COMMIT, by one UPDATE of the
 *   counter row, which row-locks it until the transaction ends;
 * - PostgreSQL makes a commit visible before it releases the transaction's locks, so the next
 *   writer reads the counter (and numbers its changes) only once every lower seq is visible;
 * - a reader's statement sees a snapshot: if it sees seq s, it sees every seq below s, so any
 *   prefix of the feed is final, and a token (an integer, as on the wire) is a precise resume
 *   point. A rolled-back writer gives its seqs back with the counter (no gaps, no holes).
 *
 * The cost is that writers queue for the counter from their last statement to their commit (the
 * write of the rows and the commit's WAL flush); their reads, checks, row locks and judgements
 * run in parallel. A separate stamper (commit unnumbered, number later in commit order) would
 * free the commits but leave a push's answer without its seq and the feed behind by the stamper's
 * delay; horizons (xid8, pg_snapshot_xmin) keep commits free but make tokens pairs and let any
 * long transaction in the database hold every feed back.
 *
 * The NOTIFY that wakes every hub process's feeds is sent in the same statement; PostgreSQL
 * delivers it at commit, never for a rolled-back write.
 */
import type { Queryable } from './database.js';

/** The channel of change notifications; the payload is `TRACKER_ID:LAST_SEQ`. */
export const CHANGES_CHANNEL = 's15n_changes';

export interface FeedClock {
  /**
   * Takes `count` consecutive seqs for the calling transaction and answers the first. The caller
   * writes its rows with them and commits at once: nothing slow may run between the two.
   */
  take(client: Queryable, trackerId: number, count: number): Promise<number>;
}

/** The counter row, locked until commit: numbering serialized in commit order. */
export const serializedClock: FeedClock = {
  async take(client, trackerId, count) {
    const { rows } = await client.query<{ value: number }>(
      `WITH taken AS (UPDATE counters SET value = value + $1 WHERE name = 'seq' RETURNING value)
       SELECT value, pg_notify('${CHANGES_CHANNEL}', $2 || ':' || value) FROM taken`,
      [count, String(trackerId)],
    );
    return rows[0]!.value - count + 1;
  },
};
