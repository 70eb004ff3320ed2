/**
 * Clones and watchers of the live bench (`--live`) in a process of their own: clones the master
 * into many data dirs, then runs one watch (the engine of `s15n sync --watch`) per clone, each
 * with its own client and connection, and counts what they report while idle.
 */
import { openLocalStore } from '../../client/replica/index.js';
import { clone } from '../../client/sync/clone.js';
import { addRemote } from '../../client/sync/remotes.js';
import { type Watch, watch } from '../../client/sync/watch.js';
import type { SqliteStore } from '../../server/store/index.js';
import { PASSWORD, TRACKER_NAME, USER } from './items.js';
import { type Handlers, serveRpc } from './rpc.js';

const watches: { store: SqliteStore; watching: Watch }[] = [];
const seen = { reports: 0, notes: [] as string[] };

const handlers = {
  /** Clones the master's tracker into each dir, one after the other. */
  async clone(args: { url: string; dirs: string[]; trackerId: number }): Promise<number> {
    for (const dir of args.dirs) {
      const store = openLocalStore(dir, { create: true });
      try {
        addRemote(store, { name: 'origin', url: args.url, user: USER, password: PASSWORD });
        const result = await clone(store, 'origin', args.trackerId);
        if (result.report.outcome === 'error') throw new Error(`clone into ${dir} failed: ${JSON.stringify(result.report.errors)}`);
      } finally {
        store.close();
      }
    }
    return args.dirs.length;
  },
  /** A watch on each (cloned) dir; resolves once every one has made its first run. */
  async watch(args: { dirs: string[] }): Promise<number> {
    const first: Promise<void>[] = [];
    for (const dir of args.dirs) {
      const store = openLocalStore(dir);
      let ready: () => void = () => undefined;
      first.push(new Promise((resolve) => (ready = resolve)));
      const watching = watch(store, [store.getTracker(TRACKER_NAME).id], {
        onReport: () => {
          seen.reports += 1;
          ready();
        },
        onNote: (note) => seen.notes.push(note),
      });
      watches.push({ store, watching });
    }
    await Promise.all(first);
    return watches.length;
  },
  /** Runs reported and notes written so far (a lost connection, a retry). */
  stats(): { reports: number; notes: string[] } {
    return { reports: seen.reports, notes: seen.notes.slice(0, 5) };
  },
} satisfies Handlers;

serveRpc(handlers, async () => {
  await Promise.all(watches.map(({ watching }) => watching.stop()));
  for (const { store } of watches) store.close();
});
