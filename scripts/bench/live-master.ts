/**
 * The master of the live bench (`--live`) in its own process: served with room for every
 * watcher's feed, committing one change when asked and saying when it committed, saying when a
 * clone's push has landed, and reporting its CPU time, RSS and open feeds.
 */
import { openLocalStore } from '../../client/replica/index.js';
import { type RunningServer, startServer } from '../../server/serve.js';
import { SqliteHub, type SqliteStore } from '../../server/store/index.js';
import { now } from './clock.js';
import { TRACKER_NAME, USER } from './items.js';
import { type Handlers, serveRpc } from './rpc.js';


let master: { store: SqliteStore; server: RunningServer; trackerId: number } | null = null;

function running(): NonNullable<typeof master> {
  if (!master) throw new Error('the live master is not started');
  return master;
}

const handlers = {
  async start(args: { dir: string }): Promise<{ url: string; trackerId: number }> {
    const store = openLocalStore(args.dir);
    // Every watcher logs in as the bench user: the per-user limit is raised for them all.
    const server = await startServer({ store: new SqliteHub(store), port: 0, maxFeedsPerUser: 10_000 });
    master = { store, server, trackerId: store.getTracker(TRACKER_NAME).id };
    return { url: server.url, trackerId: master.trackerId };
  },
  /** One commit in this process (as a push through the server would be): item `id`'s title becomes `mark`. */
  touch(args: { id: number; mark: string }): { seq: number; at: number } {
    const { store, trackerId } = running();
    const [item] = store.updateItems(trackerId, [args.id], { values: { title: args.mark } }, USER);
    return { seq: item!.seq, at: now() };
  },
  /** Resolves when item `id` holds title `mark` here (a clone's push committed): when that was. */
  landed(args: { id: number; mark: string }): Promise<{ at: number }> {
    const { store, trackerId } = running();
    const holds = () => store.getItem(trackerId, args.id)?.values.title === args.mark;
    if (holds()) return Promise.resolve({ at: now() });
    return new Promise((resolve) => {
      const stop = store.onChange(() => {
        if (!holds()) return;
        stop();
        resolve({ at: now() });
      });
    });
  },
  usage(): { cpuMs: number; rssMb: number; at: number; feeds: number } {
    const cpu = process.cpuUsage();
    return { cpuMs: (cpu.user + cpu.system) / 1000, rssMb: process.memoryUsage().rss / 2 ** 20, at: now(), feeds: running().server.live.slots.open() };
  },
} satisfies Handlers;

serveRpc(handlers, async () => {
  await master?.server.close();
  master?.store.close();
});
