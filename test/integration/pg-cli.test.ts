/**
 * The CLI on a PostgreSQL instance (DESIGN §10): --store and S15N_STORE on the hub-side commands,
 * the clone-side commands refused with exit 2, and a database that cannot be reached, refuses the
 * login or does not exist: exit 1, host, port and database named, the password never printed.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { type TestDatabase, cluster, describePostgres, freshDatabase, requireCluster, urlWithPassword } from '../helpers/postgres.js';
import { startServeProcess } from '../helpers/serve-process.js';
import { api, tempDir } from '../helpers/instance.js';

let db: TestDatabase;
const SECRET = 'pw-never-printed';

beforeAll(async () => {
  if (cluster) db = await freshDatabase();
});

afterAll(async () => {
  await db?.drop();
});

const pg = (args: string[], input = '') => runCli(['--store', db.url, ...args], { input });

describePostgres('hub-side commands with --store', () => {
  it('init creates the tables once, then user, grant, tracker and item work as on a data dir', () => {
    const init = pg(['init', '--json']);
    expect(init.code, init.stderr).toBe(0);
    expect(init.json()).toMatchObject({ engine: 'postgres', created: true, store: expect.stringMatching(/^postgres:\/\/s15n@\//) });
    expect(init.stdout).not.toContain(requireCluster().password);
    expect(pg(['init', '--json']).json()).toMatchObject({ created: false });

    expect(pg(['user', 'add', 'root', '--admin', '--password-stdin'], 'root-pw\n').code).toBe(0);
    expect(pg(['user', 'add', 'ed', '--password-stdin'], 'ed-pw\n').code).toBe(0);
    const created = pg(['tracker', 'create', 'Bugs', '--field', 'title!:text', '--field', 'prio:dropdown:low,high', '--field', 'n:autoincrement', '--json']);
    expect(created.code, created.stderr).toBe(0);
    expect(pg(['grant', 'ed', 'Bugs', 'edit', '--json']).json()).toMatchObject({ user: 'ed', tracker: 'Bugs', right: 'edit' });
    expect(pg(['item', 'add', 'Bugs', '--set', 'title=one', '--set', 'prio=low']).code).toBe(0);
    expect(pg(['item', 'add', 'Bugs', '--values', '[{"title":"two"},{"title":"three"}]']).code).toBe(0);
    expect(pg(['item', 'edit', 'Bugs', '1', '2', '--set', 'prio=high']).code).toBe(0);
    expect(pg(['item', 'delete', 'Bugs', '3']).code).toBe(0);
    const items = pg(['item', 'list', 'Bugs', '--json']).json<{ id: number; version: number; values: Record<string, unknown> }[]>();
    expect(items.map((i) => [i.id, i.version, i.values])).toEqual([
      [1, 2, { title: 'one', prio: 'high', n: 1 }],
      [2, 2, { title: 'two', prio: 'high', n: 2 }],
    ]);
    const bad = pg(['item', 'add', 'Bugs', '--set', 'prio=mid']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/prio/);
    expect(pg(['tracker', 'list', '--json']).json()).toMatchObject([{ name: 'Bugs', items: 2 }]);
    const exported = pg(['tracker', 'export', 'Bugs']);
    expect(JSON.parse(exported.stdout)).toMatchObject({ name: 'Bugs', items: [{ values: { title: 'one' } }, { values: { title: 'two' } }] });
    expect(pg(['user', 'list', '--json']).json()).toMatchObject([{ name: 'ed' }, { name: 'root', admin: true }]);
  });

  it('S15N_STORE stands for --store; --data beats it; --store with --data is a usage error', () => {
    const viaEnv = runCli(['tracker', 'list', '--json'], { env: { S15N_STORE: db.url } });
    expect(viaEnv.code, viaEnv.stderr).toBe(0);
    expect(viaEnv.json()).toMatchObject([{ name: 'Bugs' }]);
    const both = runCli(['--store', db.url, '--data', '/tmp/nowhere', 'tracker', 'list']);
    expect(both.code).toBe(2);
    expect(both.stderr).toMatch(/--store and --data/);
    const notUrl = runCli(['--store', '/var/lib/s15n', 'init']);
    expect(notUrl.code).toBe(2);
    expect(notUrl.stderr).toMatch(/postgres:\/\//);
  });

  it('serve answers the API from the database', async () => {
    const served = await startServeProcess(db.url);
    try {
      expect(served.stdout()).not.toContain(requireCluster().password);
      const res = await api(served.url, '/trackers', { user: 'root', password: 'root-pw' });
      expect(res.status).toBe(200);
      expect(res.json.trackers).toMatchObject([{ name: 'Bugs' }]);
    } finally {
      expect(await served.stop()).toBe(0);
    }
  });

  it('the clone-side commands refuse a PostgreSQL instance with exit 2, saying so', () => {
    for (const args of [['clone', 'origin', 'Bugs'], ['reload', 'Bugs'], ['push', 'Bugs'], ['status', 'Bugs'], ['resolve', 'Bugs', '1', '--field', 'title', '--take', 'local'], ['log', 'Bugs'], ['remote', 'list'], ['remote', 'add', 'o', 'http://127.0.0.1:9', '--user', 'u'], ['tui']]) {
      for (const run of [pg(args), runCli(args, { env: { S15N_STORE: db.url } })]) {
        expect(run.code, args.join(' ')).toBe(2);
        expect(run.stderr, args.join(' ')).toMatch(new RegExp(`s15n ${args[0]}.* needs an SQLite instance \\(--data DIR\\): postgres://s15n@/.* is a PostgreSQL hub`));
        expect(run.stderr).not.toContain(requireCluster().password);
      }
    }
  });
});

describePostgres('s15n store copy', () => {
  it('refuses a target that holds an instance (unchanged), replaces it with --replace, and names a missing flag', async () => {
    const data = join(tempDir(), 'data');
    expect(runCli(['init'], { data }).code).toBe(0);
    expect(runCli(['tracker', 'create', 'Moved', '--field', 'title:text'], { data }).code).toBe(0);
    expect(runCli(['item', 'add', 'Moved', '--set', 'title=x'], { data }).code).toBe(0);
    const refused = runCli(['store', 'copy', '--from', data, '--to', db.url]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/already holds 1 tracker\(s\) and 2 user\(s\); add --replace/);
    expect(pg(['tracker', 'list', '--json']).json()).toMatchObject([{ name: 'Bugs' }]);
    const replaced = runCli(['store', 'copy', '--from', data, '--to', db.url, '--replace', '--json']);
    expect(replaced.code, replaced.stderr).toBe(0);
    expect(replaced.json()).toMatchObject({ trackers: 1, items: 1, users: 0, seq: 1 });
    expect(pg(['item', 'list', 'Moved', '--json']).json()).toMatchObject([{ id: 1, version: 1, values: { title: 'x' } }]);
    for (const args of [['--to', db.url], ['--from', data], ['--from', data, '--to', data]]) {
      const bad = runCli(['store', 'copy', ...args]);
      expect(bad.code, args.join(' ')).toBe(2);
      expect(bad.stderr).toMatch(/--(from|to)/);
    }
  });
});

describePostgres('a database that cannot be used', () => {
  it('unreachable: exit 1 naming host, port and database, not the password', () => {
    const run = runCli(['--store', `postgres://s15n:${SECRET}@127.0.0.1:1/hubdb`, 'tracker', 'list']);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/cannot reach PostgreSQL at 127\.0\.0\.1:1, database "hubdb"/);
    expect(run.stderr + run.stdout).not.toContain(SECRET);
  });

  it('a refused login: exit 1, which role, where; --json gives the error document', () => {
    const run = runCli(['--store', urlWithPassword(db.name, SECRET), '--json', 'user', 'list']);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(new RegExp(`PostgreSQL at socket .*:\\d+, database "${db.name}" refused the login of role "s15n"`));
    expect(run.json()).toMatchObject({ error: { code: 'unauthorized' } });
    expect(run.stderr + run.stdout).not.toContain(SECRET);
  });

  it('a database that does not exist: exit 1, and init does not create it (the operator does)', () => {
    const { password } = requireCluster();
    const run = runCli(['--store', urlWithPassword('no_such_db', password), 'init']);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/PostgreSQL at .*:\d+ has no database "no_such_db"/);
    expect(run.stderr).not.toContain(password);
  });

  it('a database without s15n tables: the hub-side commands ask for init first', async () => {
    const empty = await freshDatabase();
    try {
      const run = runCli(['--store', empty.url, 'tracker', 'list']);
      expect(run.code).toBe(1);
      expect(run.stderr).toMatch(/no s15n instance in the database .*run `s15n init --store URL`/);
    } finally {
      await empty.drop();
    }
  });
});
