/** Real instances for tests: a temp data dir, the real store, a real server on port 0. */
import { mkdtempSync, rmSync } from 'node:fs';
import { type IncomingHttpHeaders, request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteHub, SqliteStore, type Tracker } from '../../server/store/index.js';
import { openLocalStore } from '../../client/replica/index.js';
import { type RunningServer, type ServeOptions, startServer } from '../../server/serve.js';

export interface TestInstance {
  url: string;
  store: SqliteStore;
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

export async function startInstance(opts: Omit<ServeOptions, 'store' | 'port'> = {}): Promise<TestInstance> {
  const dataDir = join(tempDir(), 'data');
  const store = openLocalStore(dataDir, { create: true });
  const server = await startServer({ ...opts, store: new SqliteHub(store), port: 0 });
  return {
    url: server.url,
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

export const PASSWORDS = {
  root: 'root:pass:word',
  alice: 'alice-pw',
  eddie: 'eddie-pw',
  vera: 'vera-pw',
  olga: 'olga-pw',
} as const;

/** Users of every kind: root (instance admin), alice (admin right), eddie (edit), vera (view), olga (none). */
export async function seedUsers(store: SqliteStore, tracker: Tracker): Promise<void> {
  await store.addUser('root', PASSWORDS.root, { admin: true });
  await store.addUser('alice', PASSWORDS.alice);
  await store.addUser('eddie', PASSWORDS.eddie);
  await store.addUser('vera', PASSWORDS.vera);
  await store.addUser('olga', PASSWORDS.olga);
  store.grant('alice', tracker.id, 'admin');
  store.grant('eddie', tracker.id, 'edit');
  store.grant('vera', tracker.id, 'view');
}

export function basic(user: keyof typeof PASSWORDS | string, password?: string): string {
  const pw = password ?? PASSWORDS[user as keyof typeof PASSWORDS];
  return `Basic ${Buffer.from(`${user}:${pw}`, 'utf8').toString('base64')}`;
}

/** A tracker with a field of every type (linked tracker created first for the itemlink). */
export function createEveryTypeTracker(store: SqliteStore, name = 'Bugs'): Tracker {
  const people = store.findTracker('People') ?? store.createTracker({ name: 'People', fields: [{ name: 'fullname', type: 'text', required: true }] });
  return store.createTracker({
    name,
    description: 'every field type',
    fields: [
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
      { name: 'person', type: 'itemlink', linkedTracker: people.id },
      { name: 'files', type: 'files' },
    ],
  });
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

export interface ApiAnswer {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
  /** The body's bytes as they came (still compressed if the answer was). */
  body: Buffer;
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
          const body = Buffer.concat(chunks);
          const text = body.toString('utf8');
          let json: unknown;
          try {
            json = JSON.parse(text);
          } catch {
            json = undefined;
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text, body, json });
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
