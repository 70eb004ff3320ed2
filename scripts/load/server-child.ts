/**
 * The server of the load in its own process (its RSS and CPU are its own), driven over IPC.
 * Every HTTP request is timed in this process, from the server's 'request' event to the
 * response's 'finish' (the last byte handed to the socket): nothing in the product changes,
 * and the clients' own event loop does not stretch the figures. The master's own edits (a
 * user of the master at work) are made here too, on the server's store, as they would be.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import { serveS15n } from '../bench/master.js';
import { USER } from '../bench/items.js';
import { peakRssMb, serveRpc } from '../bench/rpc.js';
import { pickItems, randomChange, rng } from './edits.js';
import { type Summary, itemKey, mb, summarize } from './stats.js';

export interface StartLoadServer {
  dir: string;
  trackerId: number;
  items: number;
  seed: number;
}

export interface WindowStats {
  requests: number;
  latencyMs: Summary;
  byRoute: Record<string, Summary>;
  /** Answers by status class; `aborted` were closed before their answer was sent. */
  statuses: Record<string, number>;
  /** The first few 5xx answers: route and status. */
  serverErrors: string[];
  /** CPU time of this process over the window, as a share of one core. */
  cpuPercent: number;
  /** Event loop utilisation over the window (1 = never idle). */
  eventLoopUtilization: number;
  rssMb: { start: number; end: number; peak: number };
  /** Peak RSS of the process over its whole life (clones included). */
  maxRssMb: number;
  openConnections: number;
  masterEdits: number;
}

interface Sample {
  route: string;
  ms: number;
}

/** Route of a request with ids and query left out, as the bench counts them. */
function routeOf(req: IncomingMessage): string {
  const path = (req.url ?? '').split('?')[0]!.replace(/\/\d+(?=\/|$)/g, '/:id');
  const stream = /ndjson/.test(String(req.headers.accept ?? '')) ? ' (stream)' : '';
  return `${req.method ?? '?'} ${path}${stream}`;
}

let state: {
  server: Awaited<ReturnType<typeof serveS15n>>;
  args: StartLoadServer;
  next: () => number;
} | null = null;

/** What the current window has seen; reset by `window`. */
let samples: Sample[] = [];
let statuses: Record<string, number> = {};
let serverErrors: string[] = [];
let masterEdits = 0;
let windowStart = { cpu: process.cpuUsage(), at: performance.now(), elu: performance.eventLoopUtilization(), rss: process.memoryUsage().rss };
let rssPeak = 0;

const sampler = setInterval(() => {
  rssPeak = Math.max(rssPeak, process.memoryUsage().rss);
}, 100);
sampler.unref();

function timeRequests(req: IncomingMessage, res: ServerResponse): void {
  const started = performance.now();
  let done = false;
  res.once('finish', () => {
    done = true;
    const route = routeOf(req);
    samples.push({ route, ms: performance.now() - started });
    const cls = `${Math.floor(res.statusCode / 100)}xx`;
    statuses[cls] = (statuses[cls] ?? 0) + 1;
    if (res.statusCode >= 500 && serverErrors.length < 10) serverErrors.push(`${res.statusCode} ${route}`);
  });
  res.once('close', () => {
    if (!done) statuses.aborted = (statuses.aborted ?? 0) + 1;
  });
}

function connections(): Promise<number> {
  return new Promise((resolve) => state!.server.server.getConnections((error, count) => resolve(error ? -1 : count)));
}

const handlers = {
  async start(args: StartLoadServer): Promise<{ url: string; pid: number; rssMb: number }> {
    const server = await serveS15n(args.dir);
    // First in line, so the clock starts before the app sees the request.
    server.server.prependListener('request', timeRequests);
    state = { server, args, next: rng(args.seed * 7919 + 17) };
    return { url: server.url, pid: process.pid, rssMb: mb(process.memoryUsage().rss) };
  },
  /** Starts a new window of figures (the load phase) and answers what the last one saw. */
  async window(): Promise<WindowStats> {
    const cpu = process.cpuUsage(windowStart.cpu);
    const elapsedMs = performance.now() - windowStart.at;
    const rss = process.memoryUsage().rss;
    rssPeak = Math.max(rssPeak, rss);
    const byRouteSamples = new Map<string, number[]>();
    for (const s of samples) {
      const list = byRouteSamples.get(s.route) ?? [];
      list.push(s.ms);
      byRouteSamples.set(s.route, list);
    }
    const stats: WindowStats = {
      requests: samples.length,
      latencyMs: summarize(samples.map((s) => s.ms)),
      byRoute: Object.fromEntries([...byRouteSamples].sort((a, b) => b[1].length - a[1].length).map(([route, ms]) => [route, summarize(ms)])),
      statuses,
      serverErrors,
      cpuPercent: Math.round(((cpu.user + cpu.system) / 1000 / elapsedMs) * 1000) / 10,
      eventLoopUtilization: Math.round(performance.eventLoopUtilization(windowStart.elu).utilization * 1000) / 1000,
      rssMb: { start: mb(windowStart.rss), end: mb(rss), peak: mb(rssPeak) },
      maxRssMb: peakRssMb(),
      openConnections: await connections(),
      masterEdits,
    };
    samples = [];
    statuses = {};
    serverErrors = [];
    masterEdits = 0;
    rssPeak = rss;
    windowStart = { cpu: process.cpuUsage(), at: performance.now(), elu: performance.eventLoopUtilization(), rss };
    return stats;
  },
  /** A user of the master edits `count` items (mostly hot ones), each its own change; answers how many changed. */
  edit(args: { count: number; mark: string }): number {
    const { server, args: start, next } = state!;
    let changed = 0;
    server.store.transaction(() => {
      for (const id of pickItems(next, start.items, args.count)) {
        const item = server.store.getItem(start.trackerId, id);
        if (!item) continue;
        const after = server.store.updateItem(start.trackerId, id, randomChange(next, item, args.mark), USER);
        if (after.version !== item.version) changed += 1;
      }
    });
    masterEdits += changed;
    return changed;
  },
  /** Every live item of the master: id → [status, values] as JSON (the convergence check). */
  snapshot(): Record<number, string> {
    const { server, args } = state!;
    return Object.fromEntries(server.store.listItems(args.trackerId).map((item) => [item.id, itemKey(item.status, item.values)]));
  },
} satisfies Record<string, (args: never) => unknown>;

serveRpc(handlers, () => state?.server.close());
