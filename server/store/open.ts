/**
 * Opens an instance as a hub, whatever its engine: a data dir (SQLite) or a postgres:// URL.
 * The PostgreSQL engine (and pg) is loaded only for a URL, so SQLite commands never pay for it.
 */
import type { HubStore } from './hub.js';
import { isPostgresUrl } from './location.js';
import { SqliteHub } from './sqlite/index.js';

export async function openHub(location: string, opts: { create?: boolean } = {}): Promise<HubStore> {
  if (!isPostgresUrl(location)) return SqliteHub.open(location, opts);
  const { PostgresHub } = await import('./postgres/index.js');
  return PostgresHub.open(location, opts);
}
