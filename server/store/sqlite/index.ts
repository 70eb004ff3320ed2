/** The SQLite engine: the synchronous store the clone side uses, and the HubStore over it. */
export { SqliteStore } from './store.js';
export { SqliteHub } from './hub.js';
export { DB_FILE, databaseExists } from './database.js';
export { migrateModule, type MigratedModule } from './migrate.js';
export type { PageRequest } from './pages.js';
