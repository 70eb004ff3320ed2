/**
 * PostgreSQL: an item write that meets a schema edit in flight (another process's, here a
 * transaction of our own holding the tracker row) waits for it, then is judged by the new schema,
 * never written under the one the edit replaced (DESIGN §13; server/store/postgres/keys.ts).
 */
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { PostgresHub } from '../../server/store/postgres/index.js';
import { BadInput } from '../../shared/errors.js';
import { hashSchema } from '../../shared/hash.js';
import { type TestDatabase, describePostgres, freshDatabase } from '../helpers/postgres.js';
import { waitFor } from '../helpers/wait.js';

describePostgres('PostgreSQL: item writes against a schema edit in flight', () => {
  let db: TestDatabase;
  let hub: PostgresHub;
  let editor: pg.Client;

  beforeAll(async () => {
    db = await freshDatabase();
    hub = await PostgresHub.open(db.url, { create: true });
    editor = new pg.Client({ connectionString: db.url, options: '-c search_path=s15n' });
    await editor.connect();
  });

  afterAll(async () => {
    await editor.end();
    await hub.close();
    await db.drop();
  });

  it('waits for the edit, then judges the write by the new schema (an option the edit removed is refused)', async () => {
    const t = await hub.createTracker({ name: 'Bugs', fields: [{ name: 'title', type: 'text' }, { name: 'prio', type: 'dropdown', options: ['low', 'high'] }] });
    const fields = t.fields.map((f) => (f.name === 'prio' ? { ...f, options: ['high'] } : f));
    await editor.query('BEGIN');
    await editor.query('SELECT id FROM trackers WHERE id = $1 FOR UPDATE', [t.id]);
    await editor.query('UPDATE trackers SET fields = $1, schema_hash = $2 WHERE id = $3', [JSON.stringify(fields), hashSchema(fields, t.statuses), t.id]);
    // Checked against the schema it can see (the edit is not committed): then it waits for the tracker's lock.
    const write = hub.createItems(t.id, [{ values: { title: 'a', prio: 'low' } }], null).then(
      () => 'written',
      (error: unknown) => error,
    );
    await waitFor(async () => (await editor.query<{ n: number }>("SELECT count(*)::int AS n FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()")).rows[0]!.n > 0, 'the write waiting for the lock');
    await editor.query('COMMIT');
    const outcome = await write;
    expect(outcome).toBeInstanceOf(BadInput);
    expect((outcome as BadInput).problems[0]).toMatchObject({ field: 'values.prio' });
    expect(await hub.countItems(t.id)).toBe(0);
    // Under the new schema, the same write of an option it keeps goes through.
    expect(await hub.createItems(t.id, [{ values: { title: 'a', prio: 'high' } }], null)).toHaveLength(1);
  });
});
