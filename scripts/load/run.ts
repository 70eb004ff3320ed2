/**
 * `npm run load`: N s15n clones (default 20) push and reload against one server for a fixed
 * time, on loopback only, and the figures: requests/s, request latency p50 / p99 / max, pushes,
 * reloads, conflicts (expected, not errors), errors (target 0), the server's RSS. Not a test:
 * a run's figures depend on the machine. After the load every clone settles alone and must
 * end equal to the master (no change lost, no item duplicated).
 *
 * The server runs in its own process (scripts/load/server-child.ts), where every request is
 * timed; the clients share this process and its event loop. On 2 cores that is the honest
 * split: one core for the server, one for the clients, none left over for a third process.
 */
import { setMaxListeners } from 'node:events';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { buildMaster } from '../bench/master.js';
import { machine } from '../bench/options.js';
import { Child } from '../bench/rpc.js';
import { LoadClient, type Master } from './client.js';
import { hotCount } from './edits.js';
import { type LoadOptions, USAGE, UsageError, parseOptions } from './options.js';
import type { StartLoadServer, WindowStats } from './server-child.js';
import { mb, summarize } from './stats.js';

const SERVER_SCRIPT = fileURLToPath(new URL('./server-child.js', import.meta.url));
/** Clones made at once while setting up (not measured). */
const CLONE_CONCURRENCY = 4;
/** How long past the deadline a last operation may run before it is cut (and counted as an error). */
const GRACE_MS = 60_000;

type Log = (line: string) => void;

async function inBatches<T>(list: readonly T[], size: number, each: (item: T) => Promise<unknown>): Promise<void> {
  for (let i = 0; i < list.length; i += size) await Promise.all(list.slice(i, i + size).map(each));
}

const sum = (clients: readonly LoadClient[], key: keyof LoadClient['counts']) => clients.reduce((n, c) => n + c.counts[key], 0);
const round = (n: number, digits = 1) => Math.round(n * 10 ** digits) / 10 ** digits;

type Started = { url: string; pid: number; rssMb: number };

/** One clone per client, made a few at a time before the clock starts. */
async function cloneAll(options: LoadOptions, root: string, url: string, trackerId: number, log: Log): Promise<LoadClient[]> {
  const clients = Array.from({ length: options.clients }, (_, i) => {
    const dir = join(root, `client-${i + 1}`);
    mkdirSync(dir);
    return new LoadClient(i + 1, dir, options.items, options.seed);
  });
  const setupAt = performance.now();
  await inBatches(clients, CLONE_CONCURRENCY, (c) => c.clone(url, trackerId));
  log(`${clients.length} clones of ${options.items} items in ${((performance.now() - setupAt) / 1000).toFixed(1)} s`);
  return clients;
}

/** The measured part: every client pushes and reloads until the deadline; what this process spent meanwhile. */
async function runClients(clients: LoadClient[], master: Master, options: LoadOptions, log: Log) {
  log(`load: ${clients.length} clients for ${options.seconds} s`);
  const abort = new AbortController();
  // Every client listens on the one signal while a stream runs: more than the default 10 at once is expected.
  setMaxListeners(options.clients * 2 + 10, abort.signal);
  const loadStart = performance.now();
  const deadline = loadStart + options.seconds * 1000;
  const cut = setTimeout(() => abort.abort(), options.seconds * 1000 + GRACE_MS);
  const cpu = process.cpuUsage();
  const elu = performance.eventLoopUtilization();
  const ticker = setInterval(() => log(`  ${Math.round((performance.now() - loadStart) / 1000)} s: ${sum(clients, 'pushes')} pushes, ${sum(clients, 'reloads')} reloads, ${sum(clients, 'errors')} errors`), 10_000);
  try {
    await Promise.all(clients.map((c) => c.run(master, deadline, abort.signal)));
  } finally {
    clearInterval(ticker);
    clearTimeout(cut);
  }
  const elapsedMs = performance.now() - loadStart;
  const clientCpu = process.cpuUsage(cpu);
  const clientElu = performance.eventLoopUtilization(elu).utilization;
  let clientRss = -1;
  try {
    clientRss = process.memoryUsage().rss;
  } catch {
    // Out of file descriptors (EMFILE): Node reads the RSS from /proc; the errors say the rest.
  }
  return { elapsedMs, clientCpu, clientElu, clientRss, aborted: abort.signal.aborted };
}

type Run = Awaited<ReturnType<typeof runClients>>;

/** After the load: every clone settles alone, then each must equal the master, which holds every item created. */
async function converge(clients: LoadClient[], server: Child, options: LoadOptions, log: Log) {
  log('settling: every clone alone reloads, takes the remote side of its conflicts and pushes');
  const settleErrors: string[] = [];
  for (const c of clients) await c.settle().catch((error: unknown) => settleErrors.push(error instanceof Error ? error.message : String(error)));
  const snapshot = await server.call<Record<number, string>>('snapshot');
  const differences: string[] = [...settleErrors];
  for (const c of clients) {
    differences.push(...(await c.compare(snapshot).catch((error: unknown) => [`client ${c.index}: ${error instanceof Error ? error.message : String(error)}`])));
  }
  const creates = sum(clients, 'creates');
  const masterItems = Object.keys(snapshot).length;
  if (masterItems !== options.items + creates) differences.push(`the master holds ${masterItems} items, expected ${options.items} + ${creates} created by the clients`);
  return { ok: differences.length === 0, masterItems, problems: differences.slice(0, 20), problemCount: differences.length };
}

/** The figures of one run, from the clients' counts, the server's windows and this process. */
function figures(options: LoadOptions, clients: LoadClient[], run: Run, stats: { started: Started; setup: WindowStats; window: WindowStats }) {
  const { started, setup, window } = stats;
  const timings = clients.flatMap((c) => c.timings);
  return {
    machine: { ...machine(), loadAverage: round(loadavg()[0]!, 2) },
    options: { clients: options.clients, seconds: options.seconds, items: options.items, seed: options.seed, hotItems: hotCount(options.items) },
    layout: 'server in its own process on 127.0.0.1; the clients share one process (one event loop); client retries off',
    load: {
      seconds: round(run.elapsedMs / 1000),
      requests: window.requests,
      requestsPerSecond: Math.round(window.requests / (run.elapsedMs / 1000)),
      latencyMs: window.latencyMs,
      pushes: sum(clients, 'pushes'),
      reloads: sum(clients, 'reloads'),
      conflicts: sum(clients, 'conflicts'),
      resolved: sum(clients, 'resolved'),
      merged: sum(clients, 'merged'),
      localEdits: sum(clients, 'localEdits'),
      masterEdits: window.masterEdits,
      itemsPushed: sum(clients, 'pushed'),
      itemsReloaded: sum(clients, 'reloaded'),
      creates: sum(clients, 'creates'),
      errors: sum(clients, 'errors'),
      serverErrors: window.statuses['5xx'] ?? 0,
      statuses: window.statuses,
      errorSamples: [...clients.flatMap((c) => c.errors).slice(0, 10), ...window.serverErrors],
      operationMs: { push: summarize(timings.filter((t) => t.kind === 'push').map((t) => t.ms)), reload: summarize(timings.filter((t) => t.kind === 'reload').map((t) => t.ms)) },
      byRoute: window.byRoute,
    },
    server: {
      rssMb: { start: started.rssMb, afterClones: setup.rssMb.end, loadStart: window.rssMb.start, end: window.rssMb.end, peak: window.rssMb.peak },
      maxRssMb: window.maxRssMb,
      cpuPercent: window.cpuPercent,
      eventLoopUtilization: window.eventLoopUtilization,
      openConnectionsAtEnd: window.openConnections,
    },
    clientsProcess: {
      cpuPercent: round(((run.clientCpu.user + run.clientCpu.system) / 1000 / run.elapsedMs) * 100),
      eventLoopUtilization: round(run.clientElu, 3),
      rssMb: run.clientRss < 0 ? null : mb(run.clientRss),
    },
  };
}

async function load(options: LoadOptions, root: string, log: Log) {
  log(`building a master of ${options.items} items`);
  const masterDir = join(root, 'master');
  const { trackerId } = await buildMaster(masterDir, options.items);
  const server = Child.start('s15n server', SERVER_SCRIPT);
  try {
    const started = await server.call<Started>('start', { dir: masterDir, trackerId, items: options.items, seed: options.seed } satisfies StartLoadServer);
    if (!started.url.startsWith('http://127.0.0.1:')) throw new Error(`the server must listen on loopback, got ${started.url}`);
    log(`server (pid ${started.pid}) on ${started.url}, RSS ${started.rssMb} MB`);
    const master: Master = { edit: (count: number, mark: string) => server.call<number>('edit', { count, mark }) };

    const clients = await cloneAll(options, root, started.url, trackerId, log);
    const setup = await server.call<WindowStats>('window');
    const run = await runClients(clients, master, options, log);
    const window = await server.call<WindowStats>('window');
    if (run.aborted) log(`operations still running ${GRACE_MS / 1000} s after the deadline were cut (counted as errors)`);
    const convergence = await converge(clients, server, options, log);
    for (const c of clients) c.close();
    return { ...figures(options, clients, run, { started, setup, window }), convergence };
  } finally {
    await server.stop();
  }
}

type Result = Awaited<ReturnType<typeof load>>;

function table(r: Result): string {
  const l = r.load;
  const s = r.server;
  const rows: [string, string][] = [
    ['clients', String(r.options.clients)],
    ['seconds', `${l.seconds.toFixed(1)} (until the last operation begun before the deadline ended)`],
    ['requests', String(l.requests)],
    ['requests/s', String(l.requestsPerSecond)],
    ['latency p50 / p99 / max (ms)', `${l.latencyMs.p50} / ${l.latencyMs.p99} / ${l.latencyMs.max}`],
    ['pushes', `${l.pushes} (p50 ${l.operationMs.push.p50} ms, p99 ${l.operationMs.push.p99} ms; ${l.itemsPushed} items accepted, ${l.creates} created)`],
    ['reloads', `${l.reloads} (p50 ${l.operationMs.reload.p50} ms, p99 ${l.operationMs.reload.p99} ms; ${l.itemsReloaded} changes applied, ${l.masterEdits} master edits)`],
    ['conflicts', `${l.conflicts} (expected: overlapping edits; ${l.resolved} decided, ${l.merged} merged automatically)`],
    ['errors', `${l.errors} (5xx answers: ${l.serverErrors})`],
    ['server RSS start / end / peak (MB)', `${s.rssMb.loadStart} / ${s.rssMb.end} / ${s.rssMb.peak} (at start-up ${s.rssMb.start}, max over its life ${s.maxRssMb})`],
    ['server CPU', `${s.cpuPercent}% of a core, event loop ${Math.round(s.eventLoopUtilization * 100)}% busy, ${s.openConnectionsAtEnd} connections open at the end`],
    ['clients process CPU', `${r.clientsProcess.cpuPercent}% of a core, event loop ${Math.round(r.clientsProcess.eventLoopUtilization * 100)}% busy, RSS ${r.clientsProcess.rssMb ?? 'unknown'} MB`],
    ['converged after', r.convergence.ok ? `yes: every clone equals the master (${r.convergence.masterItems} items)` : `NO: ${r.convergence.problemCount} problems`],
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  const routes = Object.entries(l.byRoute).map(([route, x]) => `| ${route} | ${x.count} | ${x.p50} | ${x.p99} | ${x.max} |`);
  const m = r.machine;
  const problems = [...l.errorSamples, ...r.convergence.problems];
  return [
    `s15n load: ${r.options.clients} clients, ${r.options.seconds} s, ${r.options.items} items (${r.options.hotItems} hot), seed ${r.options.seed}`,
    `${m.nproc} × ${m.cpu}, node ${m.node}, load average ${m.loadAverage} at end`,
    `${r.layout}`,
    '',
    `| ${'figure'.padEnd(width)} | value |`,
    `|${'-'.repeat(width + 2)}|-------|`,
    ...rows.map(([k, v]) => `| ${k.padEnd(width)} | ${v} |`),
    '',
    '| route | requests | p50 ms | p99 ms | max ms |',
    '|-------|---------:|-------:|-------:|-------:|',
    ...routes,
    ...(problems.length > 0 ? ['', 'problems:', ...problems.map((p) => `  ${p}`)] : []),
    '',
  ].join('\n');
}

async function main(): Promise<number> {
  let options: LoadOptions | null;
  try {
    options = parseOptions(process.argv.slice(2));
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`load: ${error.message}\n${USAGE}\n`);
    return 2;
  }
  if (!options) return 0;
  const began = Date.now();
  const log: Log = (line) => process.stderr.write(`[load ${((Date.now() - began) / 1000).toFixed(0).padStart(4)} s] ${line}\n`);
  const root = mkdtempSync(join(tmpdir(), 's15n-load-'));
  try {
    const result = await load(options, root, log);
    process.stdout.write(options.json ? `${JSON.stringify(result, null, 2)}\n` : `\n${table(result)}`);
    return result.load.errors > 0 || result.load.serverErrors > 0 || !result.convergence.ok ? 1 : 0;
  } finally {
    if (options.keep) log(`kept ${root}`);
    else rmSync(root, { recursive: true, force: true });
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`load failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
