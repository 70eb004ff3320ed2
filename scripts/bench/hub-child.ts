/**
 * A process of the hub bench, driven over IPC (./rpc.ts): the hub's builder, a hub server
 * (SQLite data dir or PostgreSQL URL) reporting its own CPU time, a writer, a feed watcher or a
 * reload probe. One role per process, so each one's CPU time is its own.
 */
import { performance } from 'node:perf_hooks';
import type { RunningServer } from '../../server/serve.js';
import type { HubStore } from '../../server/store/index.js';
import { buildHub, copyHub } from './hub-build.js';
import { FeedWatcher, ReloadProbe, runWriter } from './hub-load.js';
import { type Handlers, serveRpc } from './rpc.js';

let server: { running: RunningServer; hub: HubStore } | null = null;
const watcher = new FeedWatcher();
const probe = new ReloadProbe();

const cpuSeconds = () => {
  const used = process.cpuUsage();
  return (used.user + used.system) / 1e6;
};

const handlers = {
  build: (args: { dir: string; items: number }) => buildHub(args.dir, args.items, (line) => process.stderr.write(`[bench] ${line}\n`)),
  copy: (args: { dir: string; url: string }) => copyHub(args.dir, args.url),
  async serve(args: { location: string }): Promise<{ url: string }> {
    const [{ startServer }, { openHub }] = await Promise.all([import('../../server/serve.js'), import('../../server/store/open.js')]);
    const hub = await openHub(args.location);
    const running = await startServer({ store: hub, port: 0 });
    server = { running, hub };
    return { url: running.url };
  },
  cpu: () => cpuSeconds(),
  write: (args: { url: string; trackerId: number; seconds: number; seed: number }) => runWriter(args),
  watchStart: (args: { location: string; trackerId: number }) => watcher.start(args),
  watchStop: () => watcher.finish(),
  probeStart: (args: { location: string; url: string; dir: string; trackerId: number }) => probe.start(args),
  probeStop: () => probe.finish(),
  now: () => performance.timeOrigin + performance.now(),
} satisfies Handlers;

serveRpc(handlers, async () => {
  if (!server) return;
  await server.running.close();
  await server.hub.close();
});
