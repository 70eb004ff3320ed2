/**
 * Real instances for tests: the real store (a temp data dir, or a fresh database of the run's
 * PostgreSQL cluster), a real server on port 0.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { type IncomingHttpHeaders, request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type HubStore, SqliteHub, SqliteStore, type Tracker } from '../../server/store/index.js';
import { PostgresHub } from '../../server/store/postgres/index.js';
import { openLocalStore } from '../../client/replica/index.js';
import { type RunningServer, type ServeOptions, startServer } from '../../server/serve.js';
import { TEST_ENGINE, type TestEngine, freshDatabase } from './postgres.js';

export interface TestInstance {
  engine: TestEngine;
  url: string;
  /** The store behind the server, whatever the engine: what the suites that run on both use. */
  hub: HubStore;
  /** The SQLite store itself (SQLite instances only: on PostgreSQL, reading it throws). */
  store: SqliteStore;
  /** The data dir (SQLite) or the database URL (PostgreSQL). */
  dataDir: string;
  server: RunningServer;
  close(): Promise<void>;
}

export function tempDir(prefix = 's15n-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** Opens a fresh store in a temp dir (no server). */
export function tempStore(): { store: SqliteStore; dataDir: string; cleanup(): void } {
  const dataDir = join(tempDir(), 'data');
  const store = openLocalStore(dataDir, { create: true });
  return { store, dataDir, cleanup: () => { store.close(); rmSync(dataDir, { recursive: true, force: true }); } };
}

export type InstanceOptions = Omit<ServeOptions, 'store' | 'port'> & { engine?: TestEngine };

/** A served instance on `engine` (default: the run's, S15N_TEST_ENGINE). */
export async function startInstance(opts: InstanceOptions = {}): Promise<TestInstance> {
  const { engine = TEST_ENGINE, ...serve } = opts;
  if (engine === 'postgres') return startPostgresInstance(serve);
  const dataDir = join(tempDir(), 'data');
  const store = openLocalStore(dataDir, { create: true });
  const hub = new SqliteHub(store);
  const server = await startServer({ ...serve, store: hub, port: 0 });
  return {
    engine,
    url: server.url,
    hub,
    store,
    dataDir,
    server,
    close: async () => {
      await server.close();
      store.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

async function startPostgresInstance(serve: Omit<ServeOptions, 'store' | 'port'>): Promise<TestInstance> {
  const database = await freshDatabase();
  const hub = await PostgresHub.open(database.url, { create: true });
  const server = await startServer({ ...serve, store: hub, port: 0 });
  const instance = {
    engine: 'postgres' as const,
    url: server.url,
    hub,
    dataDir: database.url,
    server,
    close: async () => {
      await server.close();
      await hub.close();
      await database.drop();
    },
  };
  return Object.defineProperty(instance, 'store', {
    get: () => {
      throw new Error('this test instance is on PostgreSQL: use inst.hub (the HubStore), not the SQLite store');
    },
  }) as unknown as TestInstance;
}

export const PASSWORDS = {
  root: 'root:pass:word',
  alice: 'alice-pw',
  eddie: 'eddie-pw',
  vera: 'vera-pw',
  olga: 'olga-pw',
} as const;

/** Users of every kind: root (instance admin), alice (admin right), eddie (edit), vera (view), olga (none). */
export async function seedUsers(store: SqliteStore | HubStore, tracker: Tracker): Promise<void> {
  await store.addUser('root', PASSWORDS.root, { admin: true });
  await store.addUser('alice', PASSWORDS.alice);
  await store.addUser('eddie', PASSWORDS.eddie);
  await store.addUser('vera', PASSWORDS.vera);
  await store.addUser('olga', PASSWORDS.olga);
  await store.grant('alice', tracker.id, 'admin');
  await store.grant('eddie', tracker.id, 'edit');
  await store.grant('vera', tracker.id, 'view');
}

export function basic(user: keyof typeof PASSWORDS | string, password?: string): string {
  const pw = password ?? PASSWORDS[user as keyof typeof PASSWORDS];
  return `Basic ${Buffer.from(`${user}:${pw}`, 'utf8').toString('base64')}`;
}

const PEOPLE = { name: 'People', fields: [{ name: 'fullname', type: 'text', required: true }] };

/** A field of every type; the itemlink links to `peopleId`. */
const everyTypeFields = (peopleId: number) => [
  { name: 'title', label: 'Title', type: 'text', required: true },
  { name: 'body', label: 'Description', type: 'textarea' },
  { name: 'estimate', type: 'number' },
  { name: 'done', type: 'checkbox' },
  { name: 'priority', type: 'dropdown', options: ['low', 'medium', 'high'] },
  { name: 'platforms', type: 'multiselect', options: ['linux', 'mac', 'windows'] },
  { name: 'due', type: 'date' },
  { name: 'seen', type: 'datetime' },
  { name: 'contact', type: 'email' },
  { name: 'link', type: 'url' },
  { name: 'tags', type: 'tags' },
  { name: 'where', type: 'location' },
  { name: 'owner', type: 'user' },
  { name: 'number', type: 'autoincrement' },
  { name: 'wiki', type: 'page' },
  { name: 'person', type: 'itemlink', linkedTracker: peopleId },
  { name: 'files', type: 'files' },
];

/** A tracker with a field of every type (linked tracker created first for the itemlink). */
export function createEveryTypeTracker(store: SqliteStore, name = 'Bugs'): Tracker {
  const people = store.findTracker('People') ?? store.createTracker(PEOPLE);
  return store.createTracker({ name, description: 'every field type', fields: everyTypeFields(people.id) });
}

/** createEveryTypeTracker on any engine, through the HubStore interface. */
export async function everyTypeTracker(hub: HubStore, name = 'Bugs'): Promise<Tracker> {
  const people = (await hub.findTracker('People')) ?? (await hub.createTracker(PEOPLE));
  return hub.createTracker({ name, description: 'every field type', fields: everyTypeFields(people.id) });
}

/** Everything a request could write (items, trackers, the sequence, idempotency keys, counters), to check that a refused request changed nothing. */
export function snapshot(store: SqliteStore): string {
  const rows = store.db.prepare('SELECT * FROM items ORDER BY id').all();
  const trackers = store.db.prepare('SELECT * FROM trackers ORDER BY id').all();
  const seq = store.db.prepare("SELECT value FROM counters WHERE name = 'seq'").get();
  const keys = store.db.prepare('SELECT * FROM idempotency_keys ORDER BY tracker_id, key').all();
  const numbers = store.db.prepare('SELECT * FROM autoincrements').all();
  return JSON.stringify({ rows, trackers, seq, keys, numbers });
}

/** snapshot() of a test instance on either engine (on PostgreSQL, the same tables read through its pool). */
export async function snapshotOf(inst: TestInstance): Promise<string> {
  if (inst.engine === 'sqlite') return snapshot(inst.store);
  const db = (inst.hub as PostgresHub).db;
  const rows = await db.query('SELECT * FROM items ORDER BY id');
  const trackers = await db.query('SELECT * FROM trackers ORDER BY id');
  const [seq] = await db.query("SELECT value FROM counters WHERE name = 'seq'");
  const keys = await db.query('SELECT * FROM idempotency_keys ORDER BY tracker_id, key');
  const numbers = await db.query('SELECT * FROM autoincrements ORDER BY tracker_id, field');
  return JSON.stringify({ rows, trackers, seq, keys, numbers });
}

export interface ApiAnswer {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
  /** The parsed body, or undefined when it is not JSON. */
  json: any;
}

export interface ApiRequest {
  method?: string;
  /** Sends Basic credentials; the password defaults to PASSWORDS[user]. */
  user?: string;
  password?: string;
  headers?: Record<string, string>;
  /** Sent as JSON (content-type application/json unless headers say otherwise). */
  body?: unknown;
  /** Sent as is, for malformed bodies. */
  raw?: string | Buffer;
  /** Source address of the connection (any 127.x.y.z works on loopback): a second client "IP". */
  localAddress?: string;
  /** https: the CA to trust (a self-signed certificate). */
  ca?: Buffer;
}

/**
 * One request to an instance's API with node:http, so the path goes out exactly as written
 * (fetch would normalise `..` and percent escapes) and the source address can be chosen.
 * `path` is under /api/v1 unless it starts with `//` (then it is taken from the root, minus one '/').
 */
export function api(base: string, path: string, opts: ApiRequest = {}): Promise<ApiAnswer> {
  const url = new URL(base);
  const headers: Record<string, string> = { ...(opts.headers ?? {}) };
  if (opts.user !== undefined) headers.authorization = basic(opts.user, opts.password);
  const payload = opts.raw ?? (opts.body !== undefined ? JSON.stringify(opts.body) : undefined);
  if (payload !== undefined) {
    headers['content-type'] ??= 'application/json';
    headers['content-length'] = String(Buffer.byteLength(payload));
  }
  const fullPath = path.startsWith('//') ? path.slice(1) : `/api/v1${path}`;
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = send(
      {
        host: url.hostname,
        port: url.port,
        path: fullPath,
        method: opts.method ?? (payload !== undefined ? 'POST' : 'GET'),
        headers,
        localAddress: opts.localAddress,
        ca: opts.ca,
        agent: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', reject);
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let json: unknown;
          try {
            json = JSON.parse(text);
          } catch {
            json = undefined;
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
        });
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

/** Parses an NDJSON body: one JSON value per non-empty line. */
export function ndjson(text: string): any[] {
  return text
    .split('\n')
    .filter((line) => line.length > 0)
    .map((line) => JSON.parse(line) as unknown);
}
