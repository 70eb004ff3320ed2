/** The live bench's samples as figures (median, p99, min–max) and its targets (DESIGN §11, the goals), met or missed. */
import type { SuiteResult } from './figures.js';
import { type Metric, type Target, metric, show } from './report.js';

export interface LiveSamples {
  items: number;
  watchers: number;
  /** ms from a commit on the master (in the server's process) to the change applied on the one watching clone. */
  one: number[];
  /** The same with `watchers` clones watching: one sample per clone and commit. */
  twenty: number[];
  /** ms from a commit by another process on the master's file to the change applied on the watching clone. */
  otherProcess: number[];
  /** ms from a local edit on a watching clone (made by another process) to its commit on the master. */
  localEdit: number[];
  idle: {
    watchers: number;
    feedsOpen: number;
    seconds: number;
    /** Of one core, over the idle time. */
    cpuPercent: number;
    rssGrowthMb: number;
    rssMb: { before: number; start: number; end: number };
    runsWhileIdle: number;
    notes: string[];
  };
}

/** The value below which `share` of the samples fall (nearest rank). */
export function percentile(values: readonly number[], share: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(share * sorted.length) - 1))]!;
}

function latency(label: string, values: readonly number[]): Metric {
  const m = metric(label, 'ms', values);
  const p99 = percentile(values, 0.99);
  m.note = `p99 ${show(p99, 'ms')}, ${values.length} samples`;
  return m;
}

function judged(name: string, goal: string, value: number | null, ok: (v: number) => boolean, unit: (v: number) => string): Target {
  if (value === null) return { name, goal, measured: 'n/a', status: 'n/a' };
  return { name, goal, measured: unit(value), status: ok(value) ? 'met' : 'missed' };
}

const ms = (v: number) => show(v, 'ms');

export function liveFigures(s: LiveSamples): SuiteResult {
  const metrics: Record<string, Metric> = {
    one: latency('live: master commit → applied on 1 watching clone', s.one),
    twenty: latency(`live: master commit → applied on each of ${s.watchers} watching clones`, s.twenty),
    otherProcess: latency('live: commit by another process on the master file → applied (data_version, polled every 50 ms)', s.otherProcess),
    localEdit: latency('live: local edit on a watching clone → committed on the master', s.localEdit),
    idleCpu: metric(`live: server CPU, ${s.idle.feedsOpen} idle feeds for ${s.idle.seconds.toFixed(0)} s (of a core)`, '%', [s.idle.cpuPercent]),
    idleRss: metric(`live: server RSS growth over those ${s.idle.seconds.toFixed(0)} s`, 'MB', [s.idle.rssGrowthMb]),
  };
  metrics.idleRss!.note = `RSS ${s.idle.rssMb.before.toFixed(0)} MB before the watchers, ${s.idle.rssMb.start.toFixed(0)} MB with them, ${s.idle.rssMb.end.toFixed(0)} MB at the end`;
  const p = (values: number[], share: number) => percentile(values, share);
  const targets: Target[] = [
    judged('propagation, 1 watcher: p50', '≤ 100 ms', p(s.one, 0.5), (v) => v <= 100, ms),
    judged('propagation, 1 watcher: p99', '≤ 500 ms', p(s.one, 0.99), (v) => v <= 500, ms),
    judged(`propagation, ${s.watchers} watchers: p50`, '≤ 100 ms', p(s.twenty, 0.5), (v) => v <= 100, ms),
    judged(`propagation, ${s.watchers} watchers: p99`, '≤ 500 ms', p(s.twenty, 0.99), (v) => v <= 500, ms),
    judged('local edit on a watching clone → master: p50', '≤ 1.5 s', p(s.localEdit, 0.5), (v) => v <= 1500, ms),
    judged(`${s.idle.watchers} idle watchers: server CPU`, '< 2% of a core', s.idle.cpuPercent, (v) => v < 2, (v) => `${v.toFixed(2)}%`),
    judged(`${s.idle.watchers} idle watchers: server RSS growth`, '< 50 MB', s.idle.rssGrowthMb, (v) => v < 50, (v) => `${v.toFixed(1)} MB`),
  ];
  return {
    metrics,
    targets,
    details: {
      items: s.items,
      percentiles: Object.fromEntries(
        (['one', 'twenty', 'otherProcess', 'localEdit'] as const).map((key) => [key, { p50: p(s[key], 0.5), p90: p(s[key], 0.9), p99: p(s[key], 0.99), max: p(s[key], 1) }]),
      ),
      idle: s.idle,
    },
  };
}
