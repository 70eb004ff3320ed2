/**
 * The precise feed on PostgreSQL (DESIGN §10), against the real server: the trap (a lower seq
 * committed after a higher one was read) reproduced with two connections and a deliberately slow
 * commit, on the naive clock (a sequence, as most event stores start) and on ours side by side;
 * then random writers on two `s15n serve` processes with random commit delays, and readers that
 * resume at random tokens: no reader ever passes a change it did not see.
 *
 * The slow commit is the database's own: a deferred constraint trigger that sleeps at COMMIT
 * for the milliseconds in the item's `delay` field, after the write took its seqs, while the
 * transaction still holds its locks. No hook in s15n's code.
 *
 * The property can fail: with serializedClock's counter update replaced by a bare nextval (the
 * naive clock inside the real servers), it fails within two runs for seeds 20261201, 1 and 2.
 * `S15N_SEED=N` replays another seed.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Item, Tracker } from '../../server/store/index.js';
import { type FeedClock, PostgresHub } from '../../server/store/postgres/index.js';
import { seededRandom } from '../../shared/random.js';
import { api } from '../helpers/instance.js';
import { type TestDatabase, describePostgres, freshDatabase } from '../helpers/postgres.js';
import { type ServeProcess, startServeProcess } from '../helpers/serve-process.js';

const FIELDS = [
  { name: 'title', type: 'text', required: true },
  { name: 'delay', type: 'number' },
];

const SLOW_COMMIT = `
  CREATE FUNCTION slow_commit() RETURNS trigger LANGUAGE plpgsql AS $$
  BEGIN
    IF (NEW.values_json::json ->> 'delay') IS NOT NULL THEN
      PERFORM pg_sleep((NEW.values_json::json ->> 'delay')::numeric / 1000);
    END IF;
    RETURN NULL;
  END $$;
  CREATE CONSTRAINT TRIGGER slow_commit AFTER INSERT OR UPDATE ON items
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION slow_commit();`;

/** What most stores do first: a sequence value per change, taken in the transaction, not serialized with the commits. */
const naiveClock: FeedClock = {
  async take(client, _trackerId, count) {
    const { rows } = await client.query<{ first: number }>("SELECT nextval('naive_seq') AS first FROM generate_series(1, $1)", [count]);
    if (count !== 1) throw new Error('the naive clock numbers one change at a time');
    return rows[0]!.first;
  },
};

const databases: TestDatabase[] = [];
afterAll(async () => {
  for (const db of databases) await db.drop();
});

/** A database with s15n's tables and the slow-commit trigger; `naive` also gets the naive clock's sequence. */
async function slowDatabase(): Promise<string> {
  const db = await freshDatabase();
  databases.push(db);
  const setup = await PostgresHub.open(db.url, { create: true });
  await setup.db.query(SLOW_COMMIT);
  await setup.db.query('CREATE SEQUENCE naive_seq');
  await setup.close();
  return db.url;
}

async function until(what: string, condition: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > end) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Another session of the database sleeping in its COMMIT (the slow trigger), or waiting for a lock. */
const sessions = (hub: PostgresHub, wait: 'PgSleep' | 'Lock') =>
  hub.db.query<{ n: number }>(
    `SELECT count(*) AS n FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() AND ${wait === 'Lock' ? "wait_event_type = 'Lock'" : "wait_event = 'PgSleep'"}`,
  );

/**
 * The trap, step by step: writer 1 takes its seq and sleeps in its commit; writer 2 writes while
 * it sleeps; a reader reads the feed from 0 and keeps the token; both commit; the reader resumes
 * from its token. Answers the titles the reader saw, in order.
 */
async function trap(clock: FeedClock): Promise<{ seen: string[]; firstPage: string[] }> {
  const url = await slowDatabase();
  const one = await PostgresHub.open(url, { clock });
  const two = await PostgresHub.open(url, { clock });
  const reader = await PostgresHub.open(url);
  try {
    const tracker = await one.createTracker({ name: 'Feed', fields: FIELDS });
    const slow = one.createItems(tracker.id, [{ values: { title: 'slow', delay: 700 } }], 'w1');
    await until('writer 1 sleeps in its commit', async () => (await sessions(reader, 'PgSleep'))[0]!.n > 0);
    let fastDone = false;
    const fast = two.createItems(tracker.id, [{ values: { title: 'fast' } }], 'w2').then((items) => ((fastDone = true), items));
    // Naive: writer 2 commits at once. Ours: it waits for the counter row until writer 1 has committed.
    await until('writer 2 committed or waits', async () => fastDone || (await sessions(reader, 'Lock'))[0]!.n > 0);
    const page = await reader.changesSince(tracker.id, 0, 100);
    await Promise.all([slow, fast]);
    const rest = await reader.changesSince(tracker.id, page.next, 100);
    const titles = (items: Item[]) => items.map((i) => String(i.values.title));
    return { firstPage: titles(page.changes), seen: [...titles(page.changes), ...titles(rest.changes)] };
  } finally {
    await Promise.all([one.close(), two.close(), reader.close()]);
  }
}

describePostgres('the feed with a slow commit', () => {
  it('a naive sequence skips the slow writer: its lower seq commits after the reader passed a higher one', async () => {
    const { firstPage, seen } = await trap(naiveClock);
    expect(firstPage).toEqual(['fast']);
    expect(seen).toEqual(['fast']);
  });

  it('the feed clock shows both changes to the same reader, once each, in seq order', async () => {
    const { firstPage, seen } = await trap((await import('../../server/store/postgres/index.js')).serializedClock);
    expect(firstPage).toEqual([]);
    expect(seen).toEqual(['slow', 'fast']);
  });
});

interface Write {
  server: number;
  /** -1: a new item; else the index of an earlier create of this run to update. */
  target: number;
  delayMs: number;
  startMs: number;
}

interface Session {
  from: number;
  to: number;
  /** Each change seen, in the order seen. */
  seen: { id: number; version: number; seq: number }[];
}

// Half creates (each a new item, so writers rarely queue on one row), half updates of an earlier create.
const writeArb = fc.record({
  server: fc.integer({ min: 0, max: 1 }),
  target: fc.oneof(fc.constant(-1), fc.integer({ min: 0, max: 7 })),
  delayMs: fc.integer({ min: 0, max: 80 }),
  startMs: fc.integer({ min: 0, max: 30 }),
});
const readerArb = fc.record({ server: fc.integer({ min: 0, max: 1 }), pageSize: fc.integer({ min: 1, max: 4 }), seed: fc.integer() });

describePostgres('random writers on two hub processes, readers resuming at random tokens', () => {
  let url: string;
  let hub: PostgresHub;
  let servers: ServeProcess[];
  let run = 0;

  beforeAll(async () => {
    url = await slowDatabase();
    hub = await PostgresHub.open(url);
    await hub.addUser('root', 'root-pw', { admin: true });
    servers = await Promise.all([startServeProcess(url, ['--log-level', 'warn']), startServeProcess(url, ['--log-level', 'warn'])]);
  }, 60_000);

  afterAll(async () => {
    await Promise.all((servers ?? []).map((s) => s.stop()));
    await hub?.close();
  });

  const push = (server: number, tracker: Tracker, change: unknown) =>
    api(servers[server]!.url, `/trackers/${tracker.id}/push`, { user: 'root', password: 'root-pw', body: { changes: [change] } });

  /** Runs the writes concurrently, each after its offset; an update names an earlier create of the run. */
  async function write(tracker: Tracker, writes: Write[]): Promise<void> {
    const created: Promise<number>[] = [];
    const all = writes.map(async (w, i) => {
      await new Promise((resolve) => setTimeout(resolve, w.startMs));
      const creates = created.length;
      if (w.target < 0 || creates === 0) {
        const made = push(w.server, tracker, { op: 'create', idempotencyKey: `k${i}`, values: { title: `w${i}`, delay: w.delayMs } }).then((r) => r.json.results[0].id as number);
        created.push(made);
        await made;
        return;
      }
      const id = await created[w.target % creates]!;
      const res = await push(w.server, tracker, { op: 'update', id, baseVersion: 0, overwrite: true, fields: { title: { base: null, value: `w${i}` }, delay: { base: null, value: w.delayMs } } });
      expect(res.json.results[0].status).toBe('updated');
    });
    await Promise.all(all);
  }

  /** Reads pages while `busy`, sometimes starting again at a token it was given before; then drains once more. */
  async function read(tracker: Tracker, reader: { server: number; pageSize: number; seed: number }, busy: () => boolean): Promise<Session[]> {
    const random = seededRandom(reader.seed);
    const tokens = [0];
    const sessions: Session[] = [{ from: 0, to: 0, seen: [] }];
    /** A new session from a token this reader was given before. */
    const resume = (): Session => {
      const from = tokens[Math.floor(random() * tokens.length)]!;
      return { from, to: from, seen: [] };
    };
    const page = async (session: Session) => {
      const res = await api(servers[reader.server]!.url, `/trackers/${tracker.id}/changes?since=${session.to}&limit=${reader.pageSize}`, { user: 'root', password: 'root-pw' });
      for (const c of res.json.changes as { id: number; version: number; seq: number }[]) session.seen.push({ id: c.id, version: c.version, seq: c.seq });
      session.to = res.json.next;
      tokens.push(session.to);
      return res.json.more as boolean;
    };
    while (busy()) {
      if (random() < 0.2) sessions.push(resume());
      await page(sessions.at(-1)!);
      await new Promise((resolve) => setTimeout(resolve, random() * 8));
    }
    const last = resume();
    sessions.push(last);
    while (await page(last));
    return sessions;
  }

  /** A session that passed an item's final seq saw that final version; its seqs rise; nothing seen is invented. */
  function check(sessions: Session[], finals: Map<number, Item>): void {
    for (const s of sessions) {
      const seqs = s.seen.map((c) => c.seq);
      expect(seqs, 'in token order, none twice').toEqual([...new Set(seqs)].sort((a, b) => a - b));
      expect(seqs.every((seq) => seq > s.from)).toBe(true);
      for (const c of s.seen) expect(c.version).toBeLessThanOrEqual(finals.get(c.id)!.version);
      for (const item of finals.values()) {
        if (item.seq <= s.from || item.seq > s.to) continue;
        expect(s.seen, `session (${s.from}, ${s.to}] passed seq ${item.seq} of item ${item.id}`).toContainEqual({ id: item.id, version: item.version, seq: item.seq });
      }
    }
  }

  it('every committed change is seen exactly once per reader session, in token order', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(writeArb, { minLength: 4, maxLength: 16 }), fc.array(readerArb, { minLength: 1, maxLength: 3 }), async (writes, readers) => {
        const tracker = await hub.createTracker({ name: `Run${++run}`, fields: FIELDS });
        let busy = true;
        const written = write(tracker, writes).finally(() => (busy = false));
        const read_ = readers.map((r) => read(tracker, r, () => busy));
        await written;
        const results = await Promise.all(read_);
        const finals = new Map((await hub.listItems(tracker.id, { includeDeleted: true })).map((i) => [i.id, i]));
        for (const sessions of results) check(sessions, finals);
      }),
      { numRuns: 8, seed: Number(process.env.S15N_SEED ?? 20261201) },
    );
  }, 120_000);
});
