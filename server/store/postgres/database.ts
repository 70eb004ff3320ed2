/**
 * The connection pool of a PostgreSQL instance: s15n's tables in the schema `s15n`, int8 read as
 * a number (checked safe), transactions under READ COMMITTED retried on a deadlock, and
 * connection failures said in terms of host, port and database.
 */
import pg from 'pg';
import { BadInput } from '../../../shared/errors.js';
import { type Target, connectionFailure } from './target.js';

/** s15n's tables live in this schema of the operator's database, apart from anything else there. */
export const SCHEMA = 's15n';
const INT8_OID = 20;

function parseInt8(text: string): number {
  const value = Number(text);
  if (!Number.isSafeInteger(value)) throw new Error(`an int8 of ${text} is beyond 2^53 - 1; s15n's ids and seqs stay below it`);
  return value;
}

const types = {
  getTypeParser: ((oid: number, format?: string) => (oid === INT8_OID ? parseInt8 : pg.types.getTypeParser(oid, format as 'text'))) as typeof pg.types.getTypeParser,
};

/** What a statement runs on: a pooled client inside a transaction, or the pool itself. */
export type Queryable = Pick<pg.PoolClient, 'query'>;

/** Runs one statement and answers its rows; `name` prepares it once per connection (hot reads). */
export type Run = <R extends pg.QueryResultRow>(text: string, values?: unknown[], name?: string) => Promise<R[]>;

/** deadlock_detected and serialization_failure: the transaction did nothing and may simply run again. */
const RETRYABLE = new Set(['40P01', '40001']);
const ATTEMPTS = 5;

export class PgDatabase {
  readonly pool: pg.Pool;
  /** Set once the instance is open: later failures to connect are the server's (503), not the caller's. */
  opened = false;

  constructor(
    readonly target: Target,
    opts: { max?: number } = {},
  ) {
    this.pool = new pg.Pool({
      connectionString: target.url,
      max: opts.max ?? 10,
      types,
      options: `-c search_path=${SCHEMA}`,
      connectionTimeoutMillis: 10_000,
      idleTimeoutMillis: 30_000,
      application_name: 's15n',
      // A command that forgot nothing still exits promptly once its work is done.
      allowExitOnIdle: true,
    });
    // An idle client whose server went away: the next checkout gets a fresh one; nothing to do here.
    this.pool.on('error', () => undefined);
  }

  /** A pg client with this pool's settings, outside the pool (the LISTEN connection). */
  clientConfig(): pg.ClientConfig {
    return { connectionString: this.target.url, types, options: `-c search_path=${SCHEMA}`, application_name: 's15n-listen' };
  }

  fail(error: unknown): unknown {
    const code = (error as { code?: string } | null)?.code;
    // The last guard: input that reached SQL with a character PostgreSQL text cannot hold.
    if (code === '22021' || code === '22P05') return new BadInput(`text with a character PostgreSQL cannot store (U+0000): ${(error as Error).message}`, [{ field: 'text', reason: 'U+0000 is not allowed' }]);
    return connectionFailure(this.target, error, this.opened);
  }

  async query<R extends pg.QueryResultRow>(text: string, values: unknown[] = [], name?: string): Promise<R[]> {
    try {
      return (await this.pool.query<R>(name ? { name, text, values } : { text, values })).rows;
    } catch (error) {
      throw this.fail(error);
    }
  }

  /** Statements on `client` (inside its transaction), else on the pool (each on its own). */
  runner(client?: Queryable): Run {
    if (!client) return (text, values, name) => this.query(text, values, name);
    return async <R extends pg.QueryResultRow>(text: string, values: unknown[] = [], name?: string) =>
      (await client.query<R>(name ? { name, text, values } : { text, values })).rows;
  }

  /**
   * Runs `fn` in one transaction (READ COMMITTED, PostgreSQL's default): committed when it
   * resolves, rolled back when it throws. A deadlock or serialization failure rolls back
   * everything `fn` did, so it runs again (a few times); `fn` must keep its effects in the database.
   */
  async transaction<T>(fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      let client: pg.PoolClient;
      try {
        client = await this.pool.connect();
      } catch (error) {
        throw this.fail(error);
      }
      let broken: Error | undefined;
      try {
        await client.query('BEGIN');
        const result = await fn(client);
        await client.query('COMMIT');
        return result;
      } catch (error) {
        await client.query('ROLLBACK').catch((rollback: Error) => (broken = rollback));
        const code = (error as { code?: string }).code;
        if (code !== undefined && RETRYABLE.has(code) && attempt < ATTEMPTS) continue;
        throw this.fail(error);
      } finally {
        // A client whose connection broke is destroyed, not handed to the next caller.
        client.release(broken);
      }
    }
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}
