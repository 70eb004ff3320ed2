/** The built CLI on a PostgreSQL hub for DESIGN §13: field add, edit and remove, a key duplicate refused, CSV in and out. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/instance.js';
import { type TestDatabase, cluster, describePostgres, freshDatabase } from '../helpers/postgres.js';

let db: TestDatabase;

beforeAll(async () => {
  if (cluster) db = await freshDatabase();
});

afterAll(async () => {
  await db?.drop();
});

const pg = (...args: string[]) => runCli(['--store', db.url, ...args]);

describePostgres('schema editing, keys and CSV on a PostgreSQL hub', () => {
  it('edits the schema, keeps keys unique, and round-trips CSV', () => {
    expect(pg('init').code).toBe(0);
    expect(pg('tracker', 'create', 'People', '--field', 'email!*:email', '--field', 'team:dropdown:ops,dev').code).toBe(0);
    expect(pg('item', 'add', 'People', '--set', 'email=ann@example.org', '--set', 'team=ops').code).toBe(0);
    const dup = pg('item', 'add', 'People', '--set', 'email=ann@example.org');
    expect([dup.code, dup.stderr]).toEqual([2, expect.stringMatching(/email: "ann@example.org" is already the key of item 1/)]);
    expect(pg('tracker', 'field', 'add', 'People', 'name:text').code).toBe(0);
    const inUse = pg('tracker', 'field', 'edit', 'People', 'team', '--options', 'dev');
    expect([inUse.code, inUse.stderr]).toEqual([2, expect.stringContaining('"ops" is still used by item 1')]);

    const file = join(tempDir(), 'more.csv');
    writeFileSync(file, '\uFEFFemail,name,team\r\nann@example.org,"Lee, Ann",ops\r\ncid@example.org,Cid,dev\r\n');
    const imported = pg('--json', 'tracker', 'import', file, '--into', 'People');
    expect(imported.json()).toMatchObject({ rows: 2, match: ['email'], created: 1, updated: 1, unchanged: 0 });
    expect(pg('tracker', 'field', 'remove', 'People', 'team').code).toBe(0);
    const csv = pg('tracker', 'export', 'People', '--csv');
    expect(csv.stdout).toBe('email,name,status\r\nann@example.org,"Lee, Ann",open\r\ncid@example.org,Cid,open\r\n');
  });
});
