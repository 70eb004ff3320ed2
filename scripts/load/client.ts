/**
 * One client of the load: a real s15n clone (its own data dir and SQLite file) that pushes its
 * own edits and reloads the master's and the other clients', through the sync engine as the CLI
 * and the TUI call it. Conflicts are part of the load: they are counted, then decided (local or
 * remote, at random) as a user would, so the edits keep flowing.
 */
import { performance } from 'node:perf_hooks';
import { SqliteStore } from '../../server/store/index.js';
import { clone } from '../../client/sync/clone.js';
import { push } from '../../client/sync/push.js';
import { reload } from '../../client/sync/reload.js';
import { addRemote } from '../../client/sync/remotes.js';
import { ReplicaState, openLocalStore } from '../../client/replica/index.js';
import type { Report } from '../../client/sync/report.js';
import { resolve } from '../../client/sync/resolve.js';
import { status } from '../../client/sync/status.js';
import { PASSWORD, USER, benchItem } from '../bench/items.js';
import { type Rng, int, pickItems, randomChange, rng } from './edits.js';
import { itemKey } from './stats.js';

const REMOTE = 'origin';
/** No retries: a transient failure under load is an error to count, not to hide. */
const REMOTE_OPTIONS = { retries: 0 };
/** Of the operations: pushes (the rest are reloads). */
const PUSH_SHARE = 0.5;
/** Of the reloads: those preceded by edits on the master (the rest bring only other clients' pushes). */
const MASTER_EDIT_SHARE = 0.5;
/** Of the pushes: those that also send a new item (its create carries an idempotency key). */
const CREATE_SHARE = 0.05;

export interface Master {
  edit(count: number, mark: string): Promise<number>;
}

export interface ClientCounts {
  pushes: number;
  reloads: number;
  /** Items answered conflict by the remote (push) or found in conflict (reload). */
  conflicts: number;
  /** Field edits merged automatically (the three-way rule) during reloads and pushes. */
  merged: number;
  /** Items sent by push and accepted (updated or created). */
  pushed: number;
  /** Changes of the master applied by reload (created or updated). */
  reloaded: number;
  /** Conflicts decided (take local or remote) after a run. */
  resolved: number;
  /** Items created locally and pushed. */
  creates: number;
  localEdits: number;
  errors: number;
}

export interface OpTiming {
  kind: 'push' | 'reload';
  ms: number;
}

export class LoadClient {
  readonly counts: ClientCounts = { pushes: 0, reloads: 0, conflicts: 0, merged: 0, pushed: 0, reloaded: 0, resolved: 0, creates: 0, localEdits: 0, errors: 0 };
  readonly errors: string[] = [];
  readonly timings: OpTiming[] = [];
  private readonly next: Rng;
  private store: SqliteStore | null = null;
  private trackerId = 0;
  private ops = 0;

  constructor(
    readonly index: number,
    private readonly dir: string,
    private readonly items: number,
    seed: number,
  ) {
    this.next = rng(seed * 1_000_003 + index * 7_919 + 1);
  }

  private get db(): SqliteStore {
    if (!this.store) throw new Error(`client ${this.index} is not cloned`);
    return this.store;
  }

  /** Clones the master's tracker into a fresh data dir; answers the clone's item count. */
  async clone(url: string, remoteTrackerId: number): Promise<number> {
    this.store = openLocalStore(this.dir, { create: true });
    addRemote(this.store, { name: REMOTE, url, user: USER, password: PASSWORD });
    const result = await clone(this.store, REMOTE, remoteTrackerId, { remote: REMOTE_OPTIONS });
    if (result.report.outcome === 'error') throw new Error(`client ${this.index}: clone failed: ${JSON.stringify(result.report.errors).slice(0, 300)}`);
    this.trackerId = result.tracker.id;
    return this.db.countItems(this.trackerId);
  }

  /** Runs operations back to back until `deadline` (performance.now() ms); `signal` cuts a late one short. */
  async run(master: Master, deadline: number, signal: AbortSignal): Promise<void> {
    while (performance.now() < deadline && !signal.aborted) {
      try {
        if (this.next() < PUSH_SHARE) await this.pushOnce(signal);
        else await this.reloadOnce(master, signal);
        this.decideConflicts();
      } catch (error) {
        this.error(error instanceof Error ? error.message : String(error));
      }
    }
  }

  private error(message: string): void {
    this.counts.errors += 1;
    if (this.errors.length < 5) this.errors.push(`client ${this.index}: ${message}`);
  }

  private tally(report: Report): void {
    this.counts.conflicts += report.counts.conflicts;
    this.counts.merged += report.counts.merged;
    if (report.outcome === 'error' || report.counts.errors > 0) {
      this.counts.errors += report.outcome === 'error' ? Math.max(1, report.counts.errors) : report.counts.errors;
      for (const e of report.errors) if (this.errors.length < 5) this.errors.push(`client ${this.index}: ${e.id === null ? 'run' : `item ${e.id}`}: ${e.message}`);
    }
  }

  /** Local edits of 1 to 5 items (by their master id: the hot ones overlap between clients), then push. */
  private async pushOnce(signal: AbortSignal): Promise<void> {
    const store = this.db;
    const replicas = new ReplicaState(store);
    const mark = `c${this.index}.${++this.ops}`;
    store.transaction(() => {
      for (const remoteId of pickItems(this.next, this.items, int(this.next, 1, 5))) {
        const localId = replicas.itemByRemoteId(this.trackerId, remoteId)?.itemId;
        const item = localId === undefined ? undefined : store.getItem(this.trackerId, localId);
        if (!item) continue;
        store.updateItem(this.trackerId, item.id, randomChange(this.next, item, mark), null);
        this.counts.localEdits += 1;
      }
      if (this.next() < CREATE_SHARE) {
        const { status: itemStatus, values } = benchItem(int(this.next, 0, 1_000_000));
        store.createItem(this.trackerId, { status: itemStatus, values: { ...values, title: `New ${mark}` } }, null);
        this.counts.creates += 1;
      }
    });
    const started = performance.now();
    const report = await push(store, this.trackerId, { remote: REMOTE_OPTIONS, signal });
    this.timings.push({ kind: 'push', ms: performance.now() - started });
    this.counts.pushes += 1;
    this.counts.pushed += report.counts.created + report.counts.updated;
    this.tally(report);
  }

  /** Half the time the master edits 1 to 5 items first; then reload. */
  private async reloadOnce(master: Master, signal: AbortSignal): Promise<void> {
    if (this.next() < MASTER_EDIT_SHARE) await master.edit(int(this.next, 1, 5), `m${this.index}.${++this.ops}`);
    const started = performance.now();
    const report = await reload(this.db, this.trackerId, { remote: REMOTE_OPTIONS, signal });
    this.timings.push({ kind: 'reload', ms: performance.now() - started });
    this.counts.reloads += 1;
    this.counts.reloaded += report.counts.created + report.counts.updated;
    this.tally(report);
  }

  /** Every open conflict decided, each item at random: keep the local edit (pushed next time) or take the remote. */
  private decideConflicts(take?: 'local' | 'remote'): void {
    for (const { itemId } of new ReplicaState(this.db).conflictedItems(this.trackerId)) {
      resolve(this.db, this.trackerId, itemId, { take: take ?? (this.next() < 0.5 ? 'local' : 'remote') });
      this.counts.resolved += 1;
    }
  }

  /** After the load, alone: reload, take the remote side of every conflict, push what is left. */
  async settle(): Promise<void> {
    const report = await reload(this.db, this.trackerId, { remote: REMOTE_OPTIONS });
    if (report.outcome === 'error') throw new Error(`client ${this.index}: settling reload failed: ${JSON.stringify(report.errors).slice(0, 300)}`);
    this.decideConflicts('remote');
    const pushed = await push(this.db, this.trackerId, { remote: REMOTE_OPTIONS });
    if (pushed.outcome !== 'success') throw new Error(`client ${this.index}: settling push ended ${pushed.outcome}: ${JSON.stringify(pushed.errors).slice(0, 300)}`);
  }

  /** Reload, then compare with the master: answers what differs (nothing once converged). */
  async compare(master: Record<number, string>): Promise<string[]> {
    const report = await reload(this.db, this.trackerId, { remote: REMOTE_OPTIONS });
    if (report.outcome === 'error') return [`client ${this.index}: final reload failed: ${JSON.stringify(report.errors).slice(0, 300)}`];
    const pending = status(this.db, this.trackerId);
    const problems: string[] = [];
    const left = pending.new.length + pending.modified.length + pending.deleted.length + pending.conflicts.length;
    if (left > 0) problems.push(`client ${this.index}: ${left} items still to sync`);
    const seen = new Set<number>();
    for (const state of new ReplicaState(this.db).itemStates(this.trackerId)) {
      const item = this.db.getItem(this.trackerId, state.itemId);
      if (!item || state.remoteId === null) continue;
      seen.add(state.remoteId);
      if (master[state.remoteId] !== itemKey(item.status, item.values)) problems.push(`client ${this.index}: item ${item.id} (master ${state.remoteId}) differs from the master`);
    }
    const missing = Object.keys(master).filter((id) => !seen.has(Number(id)));
    if (missing.length > 0) problems.push(`client ${this.index}: ${missing.length} master items missing (${missing.slice(0, 5).join(', ')})`);
    return problems;
  }

  close(): void {
    this.store?.close();
    this.store = null;
  }
}
