/**
 * `npm run bench -- --hub`: one hub on SQLite and the same hub on PostgreSQL (copied), each served
 * by its own process. Measures the clone of the bench tracker from each (alternating, same run);
 * 1, 2, 4 and 8 clones at once with the server's CPU and a small reload timed meanwhile; W writers
 * pushing 100-item batches with hot items: commits/s, conflicts, commit-to-feed delay.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { type Cluster, clusterCpuSeconds, createDatabase, postgresBinDir, startCluster } from '../postgres/cluster.js';
import type { Measured, SuiteResult } from './figures.js';
import type { HubLayout } from './hub-build.js';
import { type ConcurrentRun, ENGINES, type Engine, type HubSamples, type WriterRun, hubFigures } from './hub-figures.js';
import type { WriterResult } from './hub-load.js';
import type { Processes } from './processes.js';
import { Child } from './rpc.js';
import type { Timed } from './s15n.js';

const HUB_CHILD = fileURLToPath(new URL('./hub-child.js', import.meta.url));
export const CLONE_COUNTS = [1, 2, 4, 8];
export const WRITER_COUNTS = [1, 2, 4, 8];

export interface HubOptions {
  items: number;
  runs: number;
  /** How long each writer count pushes. */
  seconds: number;
  /** An empty PostgreSQL database to use instead of the bench's own cluster. */
  pg: string | null;
}

type Log = (line: string) => void;

interface Served {
  engine: Engine;
  location: string;
  url: string;
  child: Child;
  /** CPU seconds so far: the server process, and the database's processes (ours only). */
  cpu(): Promise<{ server: number; database: number }>;
}

interface Bench {
  p: Processes;
  root: string;
  layout: HubLayout;
  served: Record<Engine, Served>;
  log: Log;
}

/** One call in a fresh hub-child process. */
async function hubTask<T>(name: string, cmd: string, args: unknown): Promise<T> {
  const child = Child.start(name, HUB_CHILD);
  try {
    return await child.call<T>(cmd, args);
  } finally {
    await child.stop();
  }
}

const clone = (b: Bench, engine: Engine, dir: string) =>
  b.p.task<Measured<Timed & { items: number }>>('s15nClone', { url: b.served[engine].url, dir: join(b.root, dir), trackerId: b.layout.bench });

async function cloneRuns(b: Bench, runs: number): Promise<HubSamples['clone']> {
  const out: HubSamples['clone'] = { sqlite: [], postgres: [] };
  for (let r = 0; r < runs; r++) {
    // Alternating which goes first, so neither always gets the warmer machine.
    for (const engine of r % 2 === 0 ? ENGINES : [...ENGINES].reverse()) {
      const dir = `clone-${engine}-${r}`;
      const result = await clone(b, engine, dir);
      rmSync(join(b.root, dir), { recursive: true, force: true });
      out[engine].push({ ms: result.ms, cpuMs: result.cpuMs });
      b.log(`clone ${r + 1}/${runs} from ${engine}: ${(result.ms / 1000).toFixed(2)} s`);
    }
  }
  return out;
}

async function concurrent(b: Bench, engine: Engine, clones: number): Promise<ConcurrentRun> {
  const served = b.served[engine];
  const probe = Child.start(`${engine} probe`, HUB_CHILD);
  await probe.call('probeStart', { location: served.location, url: served.url, dir: join(b.root, `probe-${engine}-${clones}`), trackerId: b.layout.small });
  const before = await served.cpu();
  const dirs = Array.from({ length: clones }, (_, k) => `many-${engine}-${clones}-${k}`);
  const settled = await Promise.allSettled(dirs.map((dir) => clone(b, engine, dir)));
  const after = await served.cpu();
  const probeMs = await probe.call<number[]>('probeStop');
  await probe.stop();
  for (const dir of [...dirs, `probe-${engine}-${clones}`]) rmSync(join(b.root, dir), { recursive: true, force: true });
  const done = settled.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
  const errors = settled.flatMap((s) => (s.status === 'rejected' ? [String((s.reason as Error).message ?? s.reason)] : []));
  b.log(`${engine}: ${clones} clones at once: ${done.length} done, ${errors.length} failed, ${probeMs.length} probe reloads`);
  return {
    engine,
    clones,
    cloneMs: done.map((d) => d.ms),
    errors,
    serverCpuS: after.server - before.server,
    databaseCpuS: after.database - before.database,
    itemsServed: done.reduce((n, d) => n + d.items, 0),
    probeMs,
  };
}

async function writers(b: Bench, engine: Engine, count: number, seconds: number): Promise<WriterRun> {
  const served = b.served[engine];
  const watcher = Child.start(`${engine} feed watcher`, HUB_CHILD);
  await watcher.call('watchStart', { location: served.location, trackerId: b.layout.hot });
  const results = await Promise.all(
    Array.from({ length: count }, (_, k) => hubTask<WriterResult>(`${engine} writer ${k}`, 'write', { url: served.url, trackerId: b.layout.hot, seconds, seed: 1000 * count + k })),
  );
  // A last moment for the feed to show the last commits.
  await new Promise((resolve) => setTimeout(resolve, 500));
  const reached = await watcher.call<[number, number][]>('watchStop');
  await watcher.stop();
  const commits = results.flatMap((r) => r.commits);
  // When the feed first stood at or past each commit's seq (tokens only rise).
  const shown = (seq: number) => reached.find(([token]) => token >= seq)?.[1];
  const delays = commits.flatMap((c) => {
    const at = shown(c.seq);
    return at === undefined ? [] : [Math.max(0, at - c.at)];
  });
  const sum = (f: (r: WriterResult) => number) => results.reduce((n, r) => n + f(r), 0);
  b.log(`${engine}: ${count} writers: ${sum((r) => r.pushes)} pushes in ${seconds} s, ${sum((r) => r.conflicts)} conflicts`);
  return {
    engine,
    writers: count,
    seconds,
    pushes: sum((r) => r.pushes),
    updates: sum((r) => r.updates),
    conflicts: sum((r) => r.conflicts),
    errors: sum((r) => r.errors),
    latencyMs: results.flatMap((r) => r.latencies),
    feedDelayMs: delays,
    unseen: commits.length - delays.length,
  };
}

/** The PostgreSQL database: the one given, or a new one in the bench's own durable cluster. */
async function postgres(options: HubOptions): Promise<{ url: string; cluster: Cluster | null }> {
  if (options.pg) return { url: options.pg, cluster: null };
  const bin = postgresBinDir();
  if (!bin) throw new Error('the hub bench needs PostgreSQL: install its server package (initdb), or give --pg postgres://… of an empty database');
  const cluster = await startCluster(bin, { durable: true });
  return { url: await createDatabase(cluster, 'bench'), cluster };
}

async function serve(engine: Engine, location: string, cluster: Cluster | null): Promise<Served> {
  const child = Child.start(`${engine} hub`, HUB_CHILD);
  const { url } = await child.call<{ url: string }>('serve', { location });
  const database = () => (engine === 'postgres' && cluster ? clusterCpuSeconds(cluster) : 0);
  return { engine, location, url, child, cpu: async () => ({ server: await child.call<number>('cpu'), database: database() }) };
}

export async function runHub(p: Processes, root: string, options: HubOptions, log: Log): Promise<SuiteResult> {
  const dir = join(root, 'hub');
  const timed = async <T>(what: string, fn: () => Promise<T>): Promise<[T, number]> => {
    const started = performance.now();
    const value = await fn();
    const ms = performance.now() - started;
    log(`${what}: ${(ms / 1000).toFixed(1)} s`);
    return [value, ms];
  };
  const [layout, buildMs] = await timed(`built the SQLite hub of ${options.items} items`, () => hubTask<HubLayout>('hub builder', 'build', { dir, items: options.items }));
  const { url, cluster } = await postgres(options);
  try {
    const [, copyMs] = await timed('copied it into PostgreSQL (store copy)', () => hubTask('hub copy', 'copy', { dir, url }));
    const served = { sqlite: await serve('sqlite', dir, cluster), postgres: await serve('postgres', url, cluster) };
    const b: Bench = { p, root, layout, served, log };
    try {
      const samples: HubSamples = {
        items: layout.total,
        cloneItems: layout.cloneItems,
        clone: await cloneRuns(b, options.runs),
        concurrent: [],
        writers: [],
        build: { sqliteMs: Math.round(buildMs), copyToPostgresMs: Math.round(copyMs) },
        postgres: cluster ? 'the bench\'s own cluster (durable: fsync and synchronous_commit on), unix socket' : 'the database given with --pg',
      };
      for (const engine of ENGINES) for (const n of CLONE_COUNTS) samples.concurrent.push(await concurrent(b, engine, n));
      for (const engine of ENGINES) for (const n of WRITER_COUNTS) samples.writers.push(await writers(b, engine, n, options.seconds));
      return hubFigures(samples);
    } finally {
      await Promise.all(ENGINES.map((e) => served[e].child.stop()));
    }
  } finally {
    cluster?.stop();
  }
}
