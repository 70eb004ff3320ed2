/** The s15n master: the instance the clones come from, built once and served in its own process. */
import { startServer } from '../../server/serve.js';
import { SqliteHub, SqliteStore } from '../../server/store/index.js';
import { openLocalStore } from '../../client/replica/index.js';
import { FIELDS, PASSWORD, TRACKER_NAME, USER, benchItem } from './items.js';
import { type Listening, attach } from './listen.js';

const BUILD_BATCH = 5000;

/** The master: a user with every right and the bench tracker with `items` items (validated, like `item add`). */
export async function buildMaster(dataDir: string, items: number): Promise<{ trackerId: number }> {
  const store = openLocalStore(dataDir, { create: true });
  try {
    await store.addUser(USER, PASSWORD, { admin: true });
    const tracker = store.createTracker({ name: TRACKER_NAME, fields: FIELDS });
    for (let start = 0; start < items; start += BUILD_BATCH) {
      const batch = Array.from({ length: Math.min(BUILD_BATCH, items - start) }, (_, i) => benchItem(start + i));
      store.createItems(tracker.id, batch, USER);
    }
    return { trackerId: tracker.id };
  } finally {
    store.close();
  }
}

export async function serveS15n(dataDir: string): Promise<Listening & { store: SqliteStore; close(): Promise<void> }> {
  const store = openLocalStore(dataDir);
  const running = await startServer({ store: new SqliteHub(store), port: 0 });
  return {
    ...attach(running.server),
    store,
    close: async () => {
      await running.close();
      store.close();
    },
  };
}
