/**
 * `--link 20mbit,40ms`: clone, reload of 1% and push of 1,000 edits through a shaped link (the
 * fault proxy of test/faults/ with a bandwidth and a latency each way), for s15n with
 * compression, s15n without it and PouchDB (its server compressing, as express-pouchdb ships),
 * each through its own proxy of the same shape; with the bytes each crossed the link.
 */
import { join } from 'node:path';
import { type FaultProxy, startFaultProxy } from '../../test/faults/fault-proxy.js';
import { type LinkShape, describeLink } from '../../test/faults/link.js';
import type { Measured, SuiteResult } from './figures.js';
import { type Metric, type Target, metric, ratio } from './report.js';
import { type Processes, type Server, runDir } from './processes.js';
import { PUSH_EDITS } from './suite.js';

type Log = (line: string) => void;
type Stack = 's15n' | 's15nPlain' | 'pouch';
const STACKS: Record<Stack, string> = { s15n: 's15n, compressed', s15nPlain: 's15n, without compression', pouch: 'PouchDB' };
const OPERATIONS = ['clone', 'reload', 'push'] as const;
type Operation = (typeof OPERATIONS)[number];

/** One operation through the link: its time and the bytes that crossed (MB, both ways). */
interface Crossed {
  ms: number;
  cpuMs: number;
  mb: number;
}

type Samples = Record<Stack, Record<Operation, Crossed[]>>;

/** Runs `task` and counts the bytes it moved through `proxy`. */
async function crossing(proxy: FaultProxy, task: () => Promise<Measured>): Promise<Crossed> {
  const before = proxy.bytes();
  const done = await task();
  const after = proxy.bytes();
  return { ms: done.ms, cpuMs: done.cpuMs, mb: (after.up - before.up + after.down - before.down) / 1e6 };
}

interface Shaped {
  server: Server;
  proxy: FaultProxy;
  /** The server's URL with the proxy's address. */
  url: string;
}

async function shaped(server: Server, shape: LinkShape): Promise<Shaped> {
  const target = new URL(server.url);
  const proxy = await startFaultProxy(Number(target.port), () => ({ kind: 'pass' }), shape);
  return { server, proxy, url: `${proxy.url}${target.pathname === '/' ? '' : target.pathname}` };
}

interface RunContext {
  p: Processes;
  root: string;
  run: number;
  changed: number;
  items: number;
  samples: Samples;
  log: Log;
}

async function s15nRun(c: RunContext, at: Shaped, trackerId: number, stack: 's15n' | 's15nPlain'): Promise<void> {
  const compression = stack === 's15n';
  const dir = runDir(c.root, c.run, stack);
  const clone = await crossing(at.proxy, () => c.p.task('s15nClone', { url: at.url, dir, trackerId, compression }));
  await at.server.edit(c.changed, `run ${c.run} ${stack}`);
  const reload = await crossing(at.proxy, () => c.p.task('s15nReload', { dir, compression }));
  const push = await crossing(at.proxy, () => c.p.task('s15nPush', { dir, count: PUSH_EDITS, mark: `run ${c.run} ${stack}`, offset: 1, compression }));
  record(c, stack, { clone, reload, push });
}

async function pouchRun(c: RunContext, at: Shaped): Promise<void> {
  const dir = runDir(c.root, c.run, 'pouch');
  const clone = await crossing(at.proxy, () => c.p.task('pouchPull', { url: at.url, dir }));
  await at.server.edit(c.changed, `run ${c.run} pouch`);
  const reload = await crossing(at.proxy, () => c.p.task('pouchPull', { url: at.url, dir }));
  const push = await crossing(at.proxy, () => c.p.task('pouchPush', { url: at.url, dir, total: c.items, count: PUSH_EDITS, mark: `run ${c.run}`, offset: 1 }));
  record(c, 'pouch', { clone, reload, push });
}

function record(c: RunContext, stack: Stack, crossed: Record<Operation, Crossed>): void {
  for (const operation of OPERATIONS) c.samples[stack][operation].push(crossed[operation]);
  const line = OPERATIONS.map((o) => `${o} ${(crossed[o].ms / 1000).toFixed(1)} s (${crossed[o].mb.toFixed(1)} MB)`).join(', ');
  c.log(`run ${c.run}: ${STACKS[stack]}: ${line}`);
}

export async function runLink(p: Processes, root: string, items: number, runs: number, shape: LinkShape, log: Log): Promise<SuiteResult> {
  const masterDir = join(root, 'master');
  const pouchDir = join(root, 'pouch-master');
  log(`building the master: ${items} items in s15n and in PouchDB; the link: ${describeLink(shape)}`);
  const [master] = await Promise.all([p.task<Measured<{ trackerId: number }>>('buildMaster', { dir: masterDir, items }), p.task('seedPouch', { dir: pouchDir, items })]);
  const [s15nServer, pouchServer] = await Promise.all([
    p.server({ kind: 's15n', dir: masterDir, trackerId: master.trackerId, items }),
    p.server({ kind: 'pouch', dir: pouchDir, trackerId: 0, items, compress: true }),
  ]);
  const [s15n, pouch] = [await shaped(s15nServer, shape), await shaped(pouchServer, shape)];
  const empty = () => ({ clone: [], reload: [], push: [] });
  const samples: Samples = { s15n: empty(), s15nPlain: empty(), pouch: empty() };
  try {
    for (let run = 1; run <= runs; run++) {
      const c: RunContext = { p, root, run, changed: Math.max(1, Math.round(items / 100)), items, samples, log };
      await s15nRun(c, s15n, master.trackerId, 's15n');
      await s15nRun(c, s15n, master.trackerId, 's15nPlain');
      await pouchRun(c, pouch);
    }
  } finally {
    await Promise.all([s15n.proxy.close(), pouch.proxy.close()]);
    await Promise.all([s15nServer.stop(), pouchServer.stop()]);
  }
  return linkFigures(samples, shape, items);
}

function linkFigures(samples: Samples, shape: LinkShape, items: number): SuiteResult {
  const metrics: Record<string, Metric> = {};
  const what: Record<Operation, string> = { clone: `clone of ${items} items`, reload: 'reload of 1% changed', push: `push of ${PUSH_EDITS} edits` };
  for (const stack of Object.keys(STACKS) as Stack[]) {
    for (const operation of OPERATIONS) {
      const list = samples[stack][operation];
      const key = `${stack}${operation[0]!.toUpperCase()}${operation.slice(1)}`;
      metrics[key] = metric(`${STACKS[stack]}: ${what[operation]}`, 'ms', list.map((x) => x.ms), undefined, list.map((x) => x.cpuMs));
      metrics[`${key}Bytes`] = metric(`${STACKS[stack]}: bytes on the link, ${operation}`, 'MB', list.map((x) => x.mb));
    }
  }
  for (const operation of OPERATIONS) {
    const key = (stack: Stack) => `${stack}${operation[0]!.toUpperCase()}${operation.slice(1)}`;
    metrics[key('s15n')]!.fasterThanPouch = ratio(metrics[key('pouch')], metrics[key('s15n')]);
    metrics[key('s15nPlain')]!.fasterThanPouch = ratio(metrics[key('pouch')], metrics[key('s15nPlain')]);
  }
  return { metrics, targets: linkTargets(metrics), details: { link: { ...shape, described: describeLink(shape) } } };
}

function linkTargets(metrics: Record<string, Metric>): Target[] {
  const share = ratio(metrics.s15nCloneBytes, metrics.s15nPlainCloneBytes);
  const overPlain = ratio(metrics.s15nPlainClone, metrics.s15nClone);
  const overPouch = ratio(metrics.pouchClone, metrics.s15nClone);
  const judge = (ok: boolean | null): Target['status'] => (ok === null ? 'n/a' : ok ? 'met' : 'missed');
  return [
    { name: 'bytes of the clone, compressed vs not', goal: '≤ 25%', measured: share === undefined ? 'n/a' : `${(share * 100).toFixed(1)}%`, status: judge(share === undefined ? null : share <= 0.25) },
    { name: 'shaped clone vs s15n without compression', goal: '≥ 3× faster', measured: overPlain === undefined ? 'n/a' : `${overPlain.toFixed(1)}× faster`, status: judge(overPlain === undefined ? null : overPlain >= 3) },
    { name: 'shaped clone vs PouchDB', goal: '≥ 10× faster', measured: overPouch === undefined ? 'n/a' : `${overPouch.toFixed(1)}× faster`, status: judge(overPouch === undefined ? null : overPouch >= 10) },
  ];
}
