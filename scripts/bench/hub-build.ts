/**
 * The hub of `npm run bench -- --hub`: `items` items on SQLite, in trackers of at most 100,000
 * (the bench tracker the clones drain, filler trackers to make up the size), a small tracker the
 * reload probe follows and a hot one the writers push to; then the same instance copied into
 * PostgreSQL by `s15n store copy`'s code, so both engines hold exactly the same data.
 */
import { openLocalStore } from '../../client/replica/index.js';
import { SqliteStore } from '../../server/store/index.js';
import { copySqliteToPostgres } from '../../server/store/postgres/copy.js';
import { PostgresHub } from '../../server/store/postgres/index.js';
import { FIELDS, PASSWORD, TRACKER_NAME, USER, benchItem } from './items.js';

const BATCH = 5000;
const TRACKER_MAX = 100_000;
export const SMALL_ITEMS = 1000;
export const HOT_ITEMS = 2000;

export interface HubLayout {
  /** The tracker the clones drain, and its size. */
  bench: number;
  cloneItems: number;
  small: number;
  hot: number;
  /** Every item of the hub, filler trackers included. */
  total: number;
}

function fill(store: SqliteStore, name: string, count: number): number {
  const tracker = store.createTracker({ name, fields: FIELDS });
  for (let start = 0; start < count; start += BATCH) {
    store.createItems(tracker.id, Array.from({ length: Math.min(BATCH, count - start) }, (_, i) => benchItem(start + i)), USER);
  }
  return tracker.id;
}

/** Builds the hub in `dataDir`: `items` in all, the bench tracker of min(items, 100,000), small and hot trackers on top. */
export async function buildHub(dataDir: string, items: number, log: (line: string) => void): Promise<HubLayout> {
  const store = openLocalStore(dataDir, { create: true });
  try {
    await store.addUser(USER, PASSWORD, { admin: true });
    const cloneItems = Math.min(items, TRACKER_MAX);
    const bench = fill(store, TRACKER_NAME, cloneItems);
    for (let left = items - cloneItems, k = 1; left > 0; left -= TRACKER_MAX, k++) {
      fill(store, `filler-${k}`, Math.min(left, TRACKER_MAX));
      log(`hub: ${items - Math.max(0, left - TRACKER_MAX)} of ${items} items`);
    }
    const small = fill(store, 'small', SMALL_ITEMS);
    const hot = fill(store, 'hot', HOT_ITEMS);
    return { bench, cloneItems, small, hot, total: items + SMALL_ITEMS + HOT_ITEMS };
  } finally {
    store.close();
  }
}

/** The SQLite hub copied into the (empty) database of `url`, as `s15n store copy` does. */
export async function copyHub(dataDir: string, url: string): Promise<{ items: number }> {
  const source = SqliteStore.open(dataDir);
  const target = await PostgresHub.open(url, { create: true });
  try {
    const counts = await copySqliteToPostgres(source, target);
    // Fresh statistics for the planner, as an operator would run after a bulk load.
    await target.db.query('ANALYZE');
    return { items: counts.items };
  } finally {
    await target.close();
    source.close();
  }
}
