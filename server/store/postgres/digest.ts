/**
 * Digest pages on PostgreSQL without parsing values in the process (the `digest` route's fast
 * path, rows hashed by ../digest-rows.ts): the database lists each row's keys in stored order
 * (`json`, not `jsonb`, keeps it), one statement a page by the primary key.
 */
import type { DigestEntry } from '../../../shared/api/schemas.js';
import { type DigestRow, digestRows, digestsFromRows } from '../digest-rows.js';
import type { Tracker } from '../types.js';
import type { PgDatabase } from './database.js';

const PAGE_SQL = `SELECT id, version, status, values_json,
    (SELECT string_agg(k, ',' ORDER BY n) FROM json_object_keys(values_json::json) WITH ORDINALITY AS keys(k, n)) AS keys
  FROM items WHERE tracker_id = $1 AND NOT deleted AND id > $2 ORDER BY id LIMIT $3`;

export class PgDigests {
  constructor(private readonly db: PgDatabase) {}

  /** The page, or null when `names` are not the tracker's fields in order (the caller then hashes parsed items). */
  async digests(tracker: Tracker, after: number, limit: number, names: readonly string[]): Promise<DigestEntry[] | null> {
    if (!digestsFromRows(tracker, names)) return null;
    return digestRows(await this.db.query<DigestRow>(PAGE_SQL, [tracker.id, after, limit], 'digest'), names);
  }
}
