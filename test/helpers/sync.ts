/** Two real instances for sync tests: a master served on port 0 and a clone opened directly from a temp data dir. */
import { spawn } from 'node:child_process';
import type { Item, SqliteStore, Tracker } from '../../server/store/index.js';
import type { Values } from '../../shared/model/values.js';
import { addRemote } from '../../client/sync/remotes.js';
import { ReplicaState } from '../../client/replica/index.js';
import { CLI, type CliResult } from './cli.js';
import type { ServeOptions } from '../../server/serve.js';
import { PASSWORDS, type TestInstance, createEveryTypeTracker, seedUsers, startInstance, tempStore } from './instance.js';

/** Client options that fail fast: tests of unreachable remotes must not wait for the production backoff. */
export const FAST = { retries: 0, timeoutMs: 5000 } as const;

export interface SyncPair {
  master: TestInstance;
  /** The master's tracker (every field type unless a simple one was asked for). */
  tracker: Tracker;
  clone: SqliteStore;
  cloneDir: string;
  close(): Promise<void>;
}

/**
 * A master with users of every kind (see seedUsers) and a clone whose remote "origin" logs in
 * as `user` (root, the instance admin, by default).
 */
export async function startPair(options: { user?: keyof typeof PASSWORDS; simple?: boolean; serve?: Omit<ServeOptions, 'store' | 'port'> } = {}): Promise<SyncPair> {
  const master = await startInstance(options.serve);
  const tracker = options.simple
    ? master.store.createTracker({ name: 'Tasks', fields: [{ name: 'title', type: 'text', required: true }, { name: 'notes', type: 'textarea' }, { name: 'n', type: 'number' }, { name: 'labels', type: 'multiselect', options: ['a', 'b', 'c', 'd'] }] })
    : createEveryTypeTracker(master.store);
  await seedUsers(master.store, tracker);
  const user = options.user ?? 'root';
  const clone = tempStore();
  addRemote(clone.store, { name: 'origin', url: master.url, user, password: PASSWORDS[user] });
  return {
    master,
    tracker,
    clone: clone.store,
    cloneDir: clone.dataDir,
    close: async () => {
      clone.cleanup();
      await master.close();
    },
  };
}

/** Creates an item on the master as root. */
export function masterAdd(pair: SyncPair, values: Values, status = 'open'): Item {
  return pair.master.store.createItem(pair.tracker.id, { status, values }, 'root');
}

export function masterEdit(pair: SyncPair, id: number, values: Values, status?: string): Item {
  return pair.master.store.updateItem(pair.tracker.id, id, { values, ...(status ? { status } : {}) }, 'root');
}

/** The local item cloned from master item `remoteId` (tombstones included). */
export function localOf(pair: SyncPair, remoteId: number, trackerRef: string | number = pair.tracker.name): Item {
  const tracker = pair.clone.getTracker(trackerRef);
  const sync = new ReplicaState(pair.clone).itemByRemoteId(tracker.id, remoteId);
  if (!sync) throw new Error(`no local item for remote item ${remoteId}`);
  const item = pair.clone.getItem(tracker.id, sync.itemId, { includeDeleted: true });
  if (!item) throw new Error(`local item ${sync.itemId} is missing`);
  return item;
}

export function localEdit(pair: SyncPair, remoteId: number, values: Values, status?: string): Item {
  const item = localOf(pair, remoteId);
  return pair.clone.updateItem(item.trackerId, item.id, { values, ...(status ? { status } : {}) }, null);
}

export function tokenOf(store: SqliteStore, trackerRef: string | number): number {
  return new ReplicaState(store).requireReplica(trackerRef).token;
}

/**
 * Runs the built CLI without blocking the event loop: runCli (spawnSync) would freeze the
 * master served by this very process, and the child would wait for it forever.
 */
export function runCliAsync(args: string[], opts: { data?: string; input?: string; env?: Record<string, string>; cwd?: string } = {}): Promise<CliResult> {
  const full = opts.data ? ['--data', opts.data, ...args] : args;
  const child = spawn(process.execPath, [CLI, ...full], { env: { ...process.env, S15N_DATA: '', ...opts.env }, ...(opts.cwd ? { cwd: opts.cwd } : {}) });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  child.stdin.end(opts.input ?? '');
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) =>
      resolve({
        code: code ?? -1,
        stdout,
        stderr,
        json<T>() {
          return JSON.parse(stdout) as T;
        },
      }),
    );
  });
}
