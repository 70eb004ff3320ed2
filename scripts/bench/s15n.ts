/** s15n's clone, reload and push of a replica, each timed around the engine call alone (opening the store is not timed). */
import { performance } from 'node:perf_hooks';
import { openLocalStore } from '../../client/replica/index.js';
import type { RemoteClientOptions } from '../../client/remote/client.js';
import { clone } from '../../client/sync/clone.js';
import { push } from '../../client/sync/push.js';
import { reload } from '../../client/sync/reload.js';
import { addRemote } from '../../client/sync/remotes.js';
import type { Report } from '../../client/sync/report.js';
import { editItems } from './edits.js';
import { PASSWORD, TRACKER_NAME, USER } from './items.js';

const REMOTE = 'origin';

export interface Timed {
  ms: number;
  /** CPU time of this process (user + system) during the call. */
  cpuMs: number;
  counts: Report['counts'];
  outcome: Report['outcome'];
  /** What the run says beyond the counters (push: its request count). */
  extra: Record<string, unknown>;
}

interface Start {
  at: number;
  cpu: NodeJS.CpuUsage;
}

function start(): Start {
  return { at: performance.now(), cpu: process.cpuUsage() };
}

function timedReport(started: Start, report: Report): Timed {
  const ms = performance.now() - started.at;
  const cpu = process.cpuUsage(started.cpu);
  const { outcome, counts, errors, dryRun: _d, startedAt: _s, endedAt: _e, ...extra } = report;
  if (outcome === 'error') throw new Error(`s15n run failed: ${JSON.stringify(errors).slice(0, 500)}`);
  return { ms, cpuMs: (cpu.user + cpu.system) / 1000, counts, outcome, extra };
}

/** A clone; `remote`: the HTTP client's settings (the bench compares compression on and off); with `where`, a partial clone of the matching items only. */
export async function s15nClone(dataDir: string, url: string, trackerId: number, opts: { remote?: RemoteClientOptions; where?: string } = {}): Promise<Timed & { items: number }> {
  const store = openLocalStore(dataDir, { create: true });
  try {
    addRemote(store, { name: REMOTE, url, user: USER, password: PASSWORD });
    const started = start();
    const result = await clone(store, REMOTE, trackerId, { remote: opts.remote ?? {}, ...(opts.where === undefined ? {} : { where: opts.where }) });
    const timed = timedReport(started, result.report);
    return { ...timed, items: store.countItems(result.tracker.id) };
  } finally {
    store.close();
  }
}

/** A reload; with `verify`, followed by the comparison of every copy with the remote (`reload --verify`). */
export async function s15nReload(dataDir: string, opts: { remote?: RemoteClientOptions; verify?: boolean } = {}): Promise<Timed> {
  const store = openLocalStore(dataDir);
  try {
    const started = start();
    return timedReport(started, await reload(store, TRACKER_NAME, { remote: opts.remote ?? {}, verify: opts.verify === true }));
  } finally {
    store.close();
  }
}

/** Edits `count` local items (not timed; `offset` picks which), then pushes them (timed). */
export async function s15nPush(dataDir: string, count: number, mark: string, offset: number, remote: RemoteClientOptions = {}): Promise<Timed> {
  const store = openLocalStore(dataDir);
  try {
    editItems(store, TRACKER_NAME, count, mark, null, offset);
    const started = start();
    return timedReport(started, await push(store, TRACKER_NAME, { remote }));
  } finally {
    store.close();
  }
}
