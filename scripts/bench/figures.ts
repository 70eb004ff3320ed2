/** From the samples of a bench run to its figures (median, min–max, ratios) and the targets, met or missed. */
import type { Counts } from '../../client/sync/report.js';
import { type Metric, type Target, metric, ratio, show } from './report.js';
import type { Timed } from './s15n.js';
import type { KeyTimes } from './tui.js';

/** What a task process reports besides its own answer. */
export type Measured<T = object> = T & { ms: number; cpuMs: number; rssMb: number };
type Pushed<T> = Measured<T & { requests: number }>;

export interface Samples {
  items: number;
  changed: number;
  pushEdits: number;
  floorClone: Measured<{ items: number }>[];
  pouchClone: Measured<{ items: number }>[];
  pouchReload: Measured<{ items: number }>[];
  pouchPush: Pushed<{ items: number }>[];
  pouchPushLater: Pushed<{ items: number }>[];
  s15nClone: Measured<Timed & { items: number }>[];
  /** The same clone asking for no compression. */
  s15nClonePlain: Measured<Timed & { items: number }>[];
  /** `s15n clone` through the built CLI, spawn to exit. */
  cliClone: Measured[];
  s15nReload: Measured<Timed>[];
  s15nReloadNone: Measured<Timed>[];
  s15nPush: Pushed<Timed>[];
  s15nPushLater: Pushed<Timed>[];
  s15nCounts?: Record<string, Counts>;
  merge: Measured<{ itemsPerSecond: number }>[];
  mergeTextarea: Measured<{ itemsPerSecond: number }>[];
  tui?: Measured<KeyTimes>;
  tuiError?: string;
  serverRssMb: Record<string, number>;
  build: Record<string, number>;
}

export interface SuiteResult {
  metrics: Record<string, Metric>;
  targets: Target[];
  details: Record<string, unknown>;
}

/** The targets are set for this many items; at another size they are still checked, and the output says so. */
export const TARGET_ITEMS = 100_000;

function time(label: string, list: readonly Measured[]): Metric {
  return metric(
    label,
    'ms',
    list.map((r) => r.ms),
    undefined,
    list.map((r) => r.cpuMs),
  );
}

function tuiMetric(s: Samples): Metric {
  if (!s.tui) return metric('s15n: TUI item list, keypress to frame', 'ms', [], s.tuiError ?? 'n/a');
  const { all, byKey, items } = s.tui;
  const m = metric(`s15n: TUI item list, keypress to frame (${items} items, ${all.length} keys)`, 'ms', all);
  m.note = `by key (max): ${Object.entries(byKey).map(([key, times]) => `${key} ${show(Math.max(...times), 'ms')}`).join(', ')}`;
  return m;
}

export function figures(s: Samples): SuiteResult {
  const edits = s.pushEdits;
  const metrics: Record<string, Metric> = {
    floorClone: time('Floor: clone (Express + got + better-sqlite3, pages of 1,000)', s.floorClone),
    pouchClone: time('PouchDB: clone (replicate.from)', s.pouchClone),
    pouchReload: time(`PouchDB: reload of 1% changed (${s.changed} docs)`, s.pouchReload),
    pouchPush: time(`PouchDB: push of ${edits} edits (replicate.to, first after the clone)`, s.pouchPush),
    pouchPushRequests: metric('PouchDB: HTTP requests of that push', 'requests', s.pouchPush.map((r) => r.requests)),
    pouchPushLater: time(`PouchDB: a later push of ${edits} edits`, s.pouchPushLater),
    pouchPushLaterRequests: metric('PouchDB: HTTP requests of the later push', 'requests', s.pouchPushLater.map((r) => r.requests)),
    s15nClone: time('s15n: clone (compressed)', s.s15nClone),
    s15nClonePlain: time('s15n: clone without compression', s.s15nClonePlain),
    cliClone: metric('s15n: `s15n clone` through the CLI, process start included', 'ms', s.cliClone.map((r) => r.ms)),
    s15nReload: time(`s15n: reload of 1% changed (${s.changed} items)`, s.s15nReload),
    s15nReloadNone: time('s15n: reload, nothing changed', s.s15nReloadNone),
    s15nPush: time(`s15n: push of ${edits} edited items (first after the clone)`, s.s15nPush),
    s15nPushRequests: metric('s15n: HTTP requests of that push', 'requests', s.s15nPush.map((r) => r.requests)),
    s15nPushLater: time(`s15n: a later push of ${edits} edited items`, s.s15nPushLater),
    merge: metric('s15n: merge engine, one text field in conflict', 'items/s', s.merge.map((r) => r.itemsPerSecond)),
    mergeTextarea: metric('s15n: merge engine, one textarea line in conflict (diff3)', 'items/s', s.mergeTextarea.map((r) => r.itemsPerSecond)),
    floorRss: metric('Floor: client peak RSS (clone)', 'MB', s.floorClone.map((r) => r.rssMb)),
    pouchRss: metric('PouchDB: client peak RSS (clone)', 'MB', s.pouchClone.map((r) => r.rssMb)),
    s15nRss: metric('s15n: client peak RSS (clone)', 'MB', s.s15nClone.map((r) => r.rssMb)),
    s15nServerRss: metric('s15n: server peak RSS (whole bench)', 'MB', s.serverRssMb.s15n === undefined ? [] : [s.serverRssMb.s15n]),
    tuiKey: tuiMetric(s),
  };
  metrics.s15nClone!.vsFloor = ratio(metrics.s15nClone, metrics.floorClone);
  metrics.s15nClonePlain!.vsFloor = ratio(metrics.s15nClonePlain, metrics.floorClone);
  metrics.cliClone!.vsFloor = ratio(metrics.cliClone, metrics.floorClone);
  metrics.pouchClone!.vsFloor = ratio(metrics.pouchClone, metrics.floorClone);
  for (const [key, pouch] of [
    ['s15nClone', 'pouchClone'],
    ['s15nReload', 'pouchReload'],
    ['s15nPush', 'pouchPush'],
    ['s15nPushLater', 'pouchPushLater'],
  ] as const) {
    metrics[key]!.fasterThanPouch = ratio(metrics[pouch], metrics[key]);
  }
  return {
    metrics,
    targets: targets(metrics),
    details: {
      changedItems: s.changed,
      buildMs: s.build,
      serverRssMb: s.serverRssMb,
      s15nCounts: s.s15nCounts,
      tui: s.tui ? { byKey: s.tui.byKey } : { error: s.tuiError },
    },
  };
}

function status(ok: boolean | null): Target['status'] {
  return ok === null ? 'n/a' : ok ? 'met' : 'missed';
}

/** A target on a figure: `show` formats it, `ok` judges it; a missing figure is n/a. */
function target(name: string, goal: string, value: number | null | undefined, show: (v: number) => string, ok: (v: number) => boolean): Target {
  if (value === null || value === undefined) return { name, goal, measured: 'n/a', status: 'n/a' };
  return { name, goal, measured: show(value), status: status(ok(value)) };
}

function targets(metrics: Record<string, Metric>): Target[] {
  const median = (key: string) => metrics[key]?.median ?? null;
  const clone = median('s15nClone');
  const reload = median('s15nReload');
  const faster = (v: number) => `${v.toFixed(1)}× faster`;
  return [
    target('clone vs floor', '≤ 1.5× floor', metrics.s15nClone?.vsFloor, (v) => `${v.toFixed(2)}×`, (v) => v <= 1.5),
    target('`s15n clone` through the CLI vs floor', '≤ 1.5× floor', metrics.cliClone?.vsFloor, (v) => `${v.toFixed(2)}×`, (v) => v <= 1.5),
    target('compression on the loopback clone', '≤ +10%', ratio(metrics.s15nClone, metrics.s15nClonePlain), (v) => `${v >= 1 ? '+' : ''}${((v - 1) * 100).toFixed(1)}%`, (v) => v <= 1.1),
    target('clone vs PouchDB', '≥ 5× faster', metrics.s15nClone?.fasterThanPouch, faster, (v) => v >= 5),
    target(
      'reload of 1%',
      '≤ 3% of the clone time',
      clone && reload !== null ? reload / clone : null,
      (v) => `${(v * 100).toFixed(1)}% (${show(reload, 'ms')})`,
      (v) => v <= 0.03,
    ),
    target('reload, nothing changed', '< 100 ms', median('s15nReloadNone'), (v) => show(v, 'ms'), (v) => v < 100),
    target('push of 1,000 edits: round trips', '≤ 10', median('s15nPushRequests'), String, (v) => v <= 10),
    target('push of 1,000 edits vs PouchDB (first push)', '≥ 5× faster', metrics.s15nPush?.fasterThanPouch, faster, (v) => v >= 5),
    target('push of 1,000 edits vs PouchDB (a later push)', '≥ 5× faster', metrics.s15nPushLater?.fasterThanPouch, faster, (v) => v >= 5),
    target('merge engine', '≥ 200,000 items/s', median('merge'), (v) => show(v, 'items/s'), (v) => v >= 200_000),
  ];
}
