/**
 * Live feeds on a PostgreSQL hub (DESIGN §10, §11): two `s15n serve` processes on one database; a
 * long poll or a continuous feed on one is woken by a push through the other (LISTEN/NOTIFY),
 * and the change it sends is the one committed, once.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Tracker } from '../../server/store/index.js';
import { PostgresHub } from '../../server/store/postgres/index.js';
import { api } from '../helpers/instance.js';
import { type TestDatabase, describePostgres, freshDatabase } from '../helpers/postgres.js';
import { type ServeProcess, startServeProcess } from '../helpers/serve-process.js';

const auth = { user: 'root', password: 'root-pw' };

describePostgres('live feeds across two hub processes on one database', () => {
  let db: TestDatabase;
  let hub: PostgresHub;
  let servers: ServeProcess[];
  let tracker: Tracker;

  beforeAll(async () => {
    db = await freshDatabase();
    hub = await PostgresHub.open(db.url, { create: true });
    await hub.addUser('root', 'root-pw', { admin: true });
    tracker = await hub.createTracker({ name: 'Live', fields: [{ name: 'title', type: 'text' }] });
    servers = await Promise.all([startServeProcess(db.url, ['--log-level', 'warn']), startServeProcess(db.url, ['--log-level', 'warn'])]);
  }, 60_000);

  afterAll(async () => {
    await Promise.all((servers ?? []).map((s) => s.stop()));
    await hub?.close();
    await db?.drop();
  });

  /** The feed's token after everything committed so far. */
  const token = async (server: number): Promise<number> => {
    const page = await api(servers[server]!.url, `/trackers/${tracker.id}/changes?since=0&limit=1000`, auth);
    expect(page.json.more).toBe(false);
    return page.json.next as number;
  };

  const create = (server: number, key: string, title: string) =>
    api(servers[server]!.url, `/trackers/${tracker.id}/push`, { ...auth, body: { changes: [{ op: 'create', idempotencyKey: key, values: { title } }] } });

  it('a long poll on one process answers the push made through the other, at once and with that change only', async () => {
    const since = await token(0);
    const started = Date.now();
    const poll = api(servers[0]!.url, `/trackers/${tracker.id}/changes?since=${since}&feed=longpoll&timeout=20000`, auth);
    await new Promise((resolve) => setTimeout(resolve, 300));
    const pushed = await create(1, 'lp-1', 'woken');
    expect(pushed.json.results[0].status).toBe('created');
    const answer = await poll;
    expect(answer.status).toBe(200);
    expect(Date.now() - started).toBeLessThan(10_000);
    const changes = answer.json.changes as { id: number; values: { title: string } }[];
    expect(changes.map((c) => c.values.title)).toEqual(['woken']);
    expect(changes[0]!.id).toBe(pushed.json.results[0].id);
  });

  it('a long poll with nothing new ends at its timeout with no change and the same token', async () => {
    const since = await token(1);
    const answer = await api(servers[1]!.url, `/trackers/${tracker.id}/changes?since=${since}&feed=longpoll&timeout=1000`, auth);
    expect(answer.status).toBe(200);
    expect(answer.json.changes).toEqual([]);
    expect(answer.json.next).toBe(since);
  });
});
