/**
 * Migrations on PostgreSQL: run once however many processes open the database at the same
 * moment (several `s15n serve` starting behind one load balancer), under a session advisory lock,
 * one transaction per step, the version kept per module in `s15n_modules` as on SQLite.
 */
import type pg from 'pg';
import { NotFound, S15nError } from '../../../shared/errors.js';
import { type PgDatabase, SCHEMA } from './database.js';
import { HUB_MIGRATIONS } from './migrations.js';

const MODULE = 'hub';
/** pg_advisory_lock key of s15n's migrations ("s15n" in ASCII); advisory locks are per database. */
const MIGRATION_LOCK = 0x7331356e;

async function hubVersion(client: pg.PoolClient): Promise<number | null> {
  const table = await client.query<{ present: boolean }>(`SELECT to_regclass('${SCHEMA}.s15n_modules') IS NOT NULL AS present`);
  if (!table.rows[0]!.present) return null;
  const row = await client.query<{ version: number }>('SELECT version FROM s15n_modules WHERE name = $1', [MODULE]);
  return row.rows[0]?.version ?? 0;
}

function refuseNewer(db: PgDatabase, version: number): void {
  if (version > HUB_MIGRATIONS.length) {
    throw new S15nError('internal', `the database at ${db.target.where} was written by a newer s15n (hub schema ${version}; this version knows ${HUB_MIGRATIONS.length}); upgrade s15n to open it`);
  }
}

/** The steps from `from`, each in its own transaction, under the migration lock. */
async function runSteps(client: pg.PoolClient, from: number): Promise<void> {
  for (let version = from; version < HUB_MIGRATIONS.length; version++) {
    await client.query('BEGIN');
    try {
      await client.query(HUB_MIGRATIONS[version]!);
      await client.query(
        'INSERT INTO s15n_modules (name, version) VALUES ($1, $2) ON CONFLICT (name) DO UPDATE SET version = excluded.version',
        [MODULE, version + 1],
      );
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK');
      throw error;
    }
  }
}

/**
 * Brings the hub's tables to this version; answers whether they were created now. Without
 * `create`, a database with no s15n tables is refused ("run s15n init"), as a missing data dir
 * is; an up-to-date one costs one read, no lock.
 */
export async function migrate(db: PgDatabase, opts: { create?: boolean }): Promise<boolean> {
  let client: pg.PoolClient;
  try {
    client = await db.pool.connect();
  } catch (error) {
    throw db.fail(error);
  }
  try {
    const seen = await hubVersion(client);
    if (seen !== null) refuseNewer(db, seen);
    if (seen === HUB_MIGRATIONS.length) return false;
    if (seen === null && !opts.create) {
      throw new NotFound(`no s15n instance in the database at ${db.target.where}; run \`s15n init --store URL\` first`);
    }
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    try {
      // Another process may have migrated while we waited for the lock.
      const schema = await client.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [SCHEMA]);
      // CREATE SCHEMA IF NOT EXISTS asks for the CREATE privilege even when the schema is there.
      if (schema.rowCount === 0) await client.query(`CREATE SCHEMA ${SCHEMA}`);
      await client.query('CREATE TABLE IF NOT EXISTS s15n_modules (name text PRIMARY KEY, version integer NOT NULL)');
      const version = (await hubVersion(client)) ?? 0;
      refuseNewer(db, version);
      await runSteps(client, version);
      return version === 0;
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]);
    }
  } catch (error) {
    throw db.fail(error);
  } finally {
    client.release();
  }
}
