/** The store contract suite on both engines: a fresh instance per test (a temp data dir; a fresh PostgreSQL database). */
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { SqliteHub } from '../../server/store/index.js';
import { PostgresHub } from '../../server/store/postgres/index.js';
import { describeHubStore } from '../contract/hub-store.js';
import { tempDir } from '../helpers/instance.js';
import { type TestDatabase, cluster, freshDatabase } from '../helpers/postgres.js';

describeHubStore({ name: 'sqlite', open: async () => SqliteHub.open(join(tempDir(), 'data'), { create: true }) });

if (cluster) {
  const databases: TestDatabase[] = [];
  afterAll(async () => {
    for (const db of databases) await db.drop();
  });
  describeHubStore({
    name: 'postgres',
    open: async () => {
      const db = await freshDatabase();
      databases.push(db);
      return PostgresHub.open(db.url, { create: true });
    },
  });
}
