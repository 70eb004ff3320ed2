/**
 * `s15n store copy`: an SQLite instance moved into a PostgreSQL database as it is, so that its
 * clones keep syncing without a re-clone (DESIGN §10): tracker and item ids, seqs, versions,
 * tombstones, the seq counter, users with their hashes, rights, push keys and autoincrement
 * counters. One read transaction on the source (a consistent snapshot even while it serves), one
 * write transaction on the target (all or nothing).
 */
import type pg from 'pg';
import { Conflict } from '../../../shared/errors.js';
import type { SqliteStore } from '../sqlite/index.js';
import type { PostgresHub } from './hub.js';

const CHUNK = 5000;

export interface CopyCounts {
  trackers: number;
  items: number;
  users: number;
  rights: number;
  keys: number;
  /** The instance-wide seq counter, carried over. */
  seq: number;
}

export interface CopyOptions {
  /** Replace what the target holds (trackers, items, users...) instead of refusing a target that is not empty. */
  replace?: boolean;
  /** Called after each chunk of items: copied so far, and the total. */
  progress?: (items: number, total: number) => void;
}

type Row = Record<string, unknown>;

/** A table's rows as column arrays for `unnest`, in `columns` order, with SQLite's 0/1 turned into booleans where asked. */
function arrays(rows: readonly Row[], columns: readonly string[], booleans: readonly string[] = []): unknown[][] {
  return columns.map((c) => rows.map((r) => (booleans.includes(c) ? r[c] === 1 : r[c])));
}

async function insert(client: pg.PoolClient, table: string, columns: string[], types: string[], rows: Row[], booleans: string[] = []): Promise<void> {
  if (rows.length === 0) return;
  const params = types.map((t, i) => `$${i + 1}::${t}[]`).join(', ');
  await client.query(`INSERT INTO ${table} (${columns.join(', ')}) SELECT * FROM unnest(${params})`, arrays(rows, columns, booleans));
}

/** What the target holds already; a target that is not empty is refused unless replaced. */
async function prepareTarget(client: pg.PoolClient, target: PostgresHub, replace: boolean): Promise<void> {
  // The counter row first: no write of a serving process can interleave with the copy.
  await client.query("SELECT value FROM counters WHERE name = 'seq' FOR UPDATE");
  const { rows } = await client.query<{ trackers: number; users: number }>('SELECT (SELECT count(*) FROM trackers) AS trackers, (SELECT count(*) FROM users) AS users');
  const held = rows[0]!;
  if (held.trackers + held.users === 0) return;
  if (!replace) {
    throw new Conflict(`${target.location} already holds ${held.trackers} tracker(s) and ${held.users} user(s); add --replace to replace them with the copy`);
  }
  await client.query('TRUNCATE idempotency_keys, rights, autoincrements, items, trackers, users');
}

/** The items, a chunk at a time by id. */
async function copyItems(client: pg.PoolClient, source: SqliteStore, progress: CopyOptions['progress']): Promise<number> {
  const total = (source.db.prepare('SELECT count(*) AS n FROM items').get() as { n: number }).n;
  const page = source.db.prepare('SELECT * FROM items WHERE id > ? ORDER BY id LIMIT ?');
  const columns = ['id', 'tracker_id', 'status', 'values_json', 'version', 'seq', 'deleted', 'updated_at', 'updated_by'];
  const types = ['bigint', 'bigint', 'text', 'text', 'int', 'bigint', 'boolean', 'text', 'text'];
  let copied = 0;
  let after = 0;
  for (;;) {
    const rows = page.all(after, CHUNK) as Row[];
    if (rows.length === 0) return copied;
    await insert(client, 'items', columns, types, rows, ['deleted']);
    copied += rows.length;
    after = rows[rows.length - 1]!.id as number;
    progress?.(copied, total);
  }
}

/** The identity sequences continue after the copied ids, so new trackers and items never reuse one. */
async function continueIds(client: pg.PoolClient): Promise<void> {
  for (const table of ['trackers', 'items']) {
    await client.query(`SELECT setval('${table}_id_seq', coalesce((SELECT max(id) FROM ${table}), 0) + 1, false)`);
  }
}

export async function copySqliteToPostgres(source: SqliteStore, target: PostgresHub, opts: CopyOptions = {}): Promise<CopyCounts> {
  const all = (sql: string) => source.db.prepare(sql).all() as Row[];
  // A read transaction: every table of the source as of one moment, even while its server writes.
  source.db.exec('BEGIN');
  try {
    return await target.db.transaction(async (client) => {
      await prepareTarget(client, target, opts.replace === true);
      const trackers = all('SELECT * FROM trackers ORDER BY id');
      await insert(client, 'trackers', ['id', 'name', 'description', 'fields', 'statuses', 'schema_hash', 'created_at'], ['bigint', 'text', 'text', 'text', 'text', 'text', 'text'], trackers);
      const items = await copyItems(client, source, opts.progress);
      await insert(client, 'autoincrements', ['tracker_id', 'field', 'value'], ['bigint', 'text', 'bigint'], all('SELECT * FROM autoincrements'));
      const users = all('SELECT * FROM users ORDER BY name');
      await insert(client, 'users', ['name', 'password_hash', 'admin', 'created_at'], ['text', 'text', 'boolean', 'text'], users, ['admin']);
      const rights = all('SELECT * FROM rights');
      await insert(client, 'rights', ['user_name', 'tracker_id', 'level'], ['text', 'bigint', 'text'], rights);
      const keys = all('SELECT * FROM idempotency_keys');
      await insert(client, 'idempotency_keys', ['tracker_id', 'key', 'item_id', 'created_at'], ['bigint', 'text', 'bigint', 'text'], keys);
      const seq = (source.db.prepare("SELECT value FROM counters WHERE name = 'seq'").get() as { value: number }).value;
      await client.query("UPDATE counters SET value = $1 WHERE name = 'seq'", [seq]);
      await continueIds(client);
      return { trackers: trackers.length, items, users: users.length, rights: rights.length, keys: keys.length, seq };
    });
  } finally {
    source.db.exec('COMMIT');
  }
}
