/** Real instances for tests: a temp data dir, the real store, a real server on port 0. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Store, type Tracker } from '../../server/store/index.js';
import { type RunningServer, type ServeOptions, startServer } from '../../server/serve.js';

export interface TestInstance {
  url: string;
  store: Store;
  dataDir: string;
  server: RunningServer;
  close(): Promise<void>;
}

export function tempDir(prefix = 's15n-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** Opens a fresh store in a temp dir (no server). */
export function tempStore(): { store: Store; dataDir: string; cleanup(): void } {
  const dataDir = join(tempDir(), 'data');
  const store = Store.open(dataDir, { create: true });
  return { store, dataDir, cleanup: () => { store.close(); rmSync(dataDir, { recursive: true, force: true }); } };
}

export async function startInstance(opts: Omit<ServeOptions, 'store' | 'port'> = {}): Promise<TestInstance> {
  const dataDir = join(tempDir(), 'data');
  const store = Store.open(dataDir, { create: true });
  const server = await startServer({ ...opts, store, port: 0 });
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
export async function seedUsers(store: Store, tracker: Tracker): Promise<void> {
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
export function createEveryTypeTracker(store: Store, name = 'Bugs'): Tracker {
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

/** Everything the store holds, to check that a refused request changed nothing. */
export function snapshot(store: Store): string {
  const rows = store.db.prepare('SELECT * FROM items ORDER BY id').all();
  const trackers = store.db.prepare('SELECT * FROM trackers ORDER BY id').all();
  const seq = store.db.prepare("SELECT value FROM counters WHERE name = 'seq'").get();
  return JSON.stringify({ rows, trackers, seq });
}
