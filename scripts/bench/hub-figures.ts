/** From the samples of a hub bench to its figures (per engine, per number of clones or writers) and the targets of DESIGN §10's issue. */
import { type Metric, type Target, metric, show } from './report.js';
import type { SuiteResult } from './figures.js';

export type Engine = 'sqlite' | 'postgres';
export const ENGINES: readonly Engine[] = ['sqlite', 'postgres'];
const NAME: Record<Engine, string> = { sqlite: 'SQLite', postgres: 'PostgreSQL' };

export interface ConcurrentRun {
  engine: Engine;
  clones: number;
  /** Each clone's time (ms) and CPU (ms), of the clones that completed. */
  cloneMs: number[];
  errors: string[];
  /** CPU seconds over the run: the s15n server process, and PostgreSQL's processes (0 on SQLite). */
  serverCpuS: number;
  databaseCpuS: number;
  itemsServed: number;
  /** The small reload, timed again and again meanwhile. */
  probeMs: number[];
}

export interface WriterRun {
  engine: Engine;
  writers: number;
  seconds: number;
  pushes: number;
  updates: number;
  conflicts: number;
  errors: number;
  latencyMs: number[];
  /** Per committed batch: from its answer to the feed showing it (0 when the feed showed it first). */
  feedDelayMs: number[];
  /** Batches the feed never showed (must be none). */
  unseen: number;
}

export interface HubSamples {
  items: number;
  cloneItems: number;
  clone: Record<Engine, { ms: number; cpuMs: number }[]>;
  concurrent: ConcurrentRun[];
  writers: WriterRun[];
  build: Record<string, number>;
  /** How PostgreSQL ran: the bench's own durable cluster, or the database given. */
  postgres: string;
}

/** Nearest-rank percentile. */
export function percentile(values: readonly number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

const one = (label: string, unit: Metric['unit'], value: number | null) => metric(label, unit, value === null ? [] : [value]);

function concurrentMetrics(r: ConcurrentRun): Record<string, Metric> {
  const at = `${NAME[r.engine]}, ${r.clones} clone${r.clones > 1 ? 's' : ''} at once`;
  const perMillion = (cpu: number) => (r.itemsServed > 0 ? (cpu / r.itemsServed) * 1e6 : null);
  const key = `${r.engine}-${r.clones}`;
  const out: Record<string, Metric> = {
    [`${key}-clone`]: metric(`${at}: each clone of ${r.itemsServed / r.clones} items`, 'ms', r.cloneMs, r.errors.length > 0 ? `${r.errors.length} failed` : undefined),
    [`${key}-cpu`]: one(`${at}: s15n server CPU per million items served`, 'CPU s', perMillion(r.serverCpuS)),
    [`${key}-p50`]: one(`${at}: small reload meanwhile, p50 (${r.probeMs.length} reloads)`, 'ms', percentile(r.probeMs, 50)),
    [`${key}-p99`]: one(`${at}: small reload meanwhile, p99`, 'ms', percentile(r.probeMs, 99)),
  };
  if (r.engine === 'postgres') out[`${key}-dbcpu`] = one(`${at}: PostgreSQL CPU per million items served`, 'CPU s', perMillion(r.databaseCpuS));
  return out;
}

function writerMetrics(w: WriterRun): Record<string, Metric> {
  const at = `${NAME[w.engine]}, ${w.writers} writer${w.writers > 1 ? 's' : ''} (100-item batches, 5 hot items each)`;
  const key = `${w.engine}-w${w.writers}`;
  const judged = w.updates + w.conflicts;
  return {
    [`${key}-rate`]: one(`${at}: commits/s`, 'commits/s', w.pushes / w.seconds),
    [`${key}-conflicts`]: one(`${at}: conflict rate (items)`, '%', judged > 0 ? (100 * w.conflicts) / judged : null),
    [`${key}-push`]: one(`${at}: push round trip, p50`, 'ms', percentile(w.latencyMs, 50)),
    [`${key}-feed50`]: one(`${at}: commit-to-feed delay, p50`, 'ms', percentile(w.feedDelayMs, 50)),
    [`${key}-feed99`]: one(`${at}: commit-to-feed delay, p99${w.unseen > 0 ? ` (${w.unseen} batches never seen)` : ''}`, 'ms', percentile(w.feedDelayMs, 99)),
  };
}

function hubTargets(s: HubSamples, metrics: Record<string, Metric>): Target[] {
  const sqlite = metrics['clone-sqlite']?.median ?? null;
  const postgres = metrics['clone-postgres']?.median ?? null;
  const ratio = sqlite && postgres ? postgres / sqlite : null;
  const targets: Target[] = [
    {
      name: `clone of ${s.cloneItems} items, PostgreSQL vs SQLite`,
      goal: '≤ 1.5×',
      measured: ratio === null ? 'n/a' : `${ratio.toFixed(2)}× (${show(postgres, 'ms')} vs ${show(sqlite, 'ms')})`,
      status: ratio === null ? 'n/a' : ratio <= 1.5 ? 'met' : 'missed',
    },
  ];
  for (const engine of ENGINES) {
    const delays = s.writers.filter((w) => w.engine === engine);
    const worst = Math.max(...delays.map((w) => percentile(w.feedDelayMs, 99) ?? Infinity));
    const unseen = delays.reduce((n, w) => n + w.unseen, 0);
    targets.push({
      name: `commit-to-feed p99, ${NAME[engine]} (worst over the writer counts)`,
      goal: '< 200 ms, every commit seen',
      measured: delays.length === 0 ? 'n/a' : `${show(worst, 'ms')}${unseen > 0 ? `, ${unseen} unseen` : ''}`,
      status: delays.length === 0 ? 'n/a' : worst < 200 && unseen === 0 ? 'met' : 'missed',
    });
    const eight = s.concurrent.find((r) => r.engine === engine && r.clones === 8);
    targets.push({
      name: `8 concurrent clones, ${NAME[engine]}`,
      goal: 'all complete, no error',
      measured: eight ? `${eight.cloneMs.length} of 8 completed${eight.errors.length > 0 ? `: ${eight.errors[0]!.slice(0, 80)}` : ''}` : 'n/a',
      status: eight ? (eight.errors.length === 0 && eight.cloneMs.length === 8 ? 'met' : 'missed') : 'n/a',
    });
  }
  return targets;
}

export function hubFigures(s: HubSamples): SuiteResult {
  const metrics: Record<string, Metric> = {};
  for (const engine of ENGINES) {
    const runs = s.clone[engine];
    metrics[`clone-${engine}`] = metric(
      `${NAME[engine]}: clone of ${s.cloneItems} items from a hub of ${s.items}`,
      'ms',
      runs.map((r) => r.ms),
      undefined,
      runs.map((r) => r.cpuMs),
    );
  }
  for (const run of s.concurrent) Object.assign(metrics, concurrentMetrics(run));
  for (const run of s.writers) Object.assign(metrics, writerMetrics(run));
  return { metrics, targets: hubTargets(s, metrics), details: { build: s.build, postgres: s.postgres, concurrent: s.concurrent.map(({ probeMs: _p, ...r }) => r), writers: s.writers.map(({ latencyMs: _l, feedDelayMs: _f, ...w }) => w) } };
}
