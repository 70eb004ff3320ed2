/**
 * Push: send a clone's new, modified and deleted items back to its remote, field by field.
 * Every update carries each changed field's base, so the remote refuses to overwrite what this
 * clone has not seen; every create carries an idempotency key stored locally before it is sent,
 * so a retry after a crash or a lost answer never creates a second item. Answers are applied
 * with the same three-way rule as reload (apply.ts): conflicts are stored for review.
 */
import { ulid } from 'ulid';
import type { Change, PushChange, PushResult } from '../../shared/api/schemas.js';
import { BadInput, Forbidden, TooLarge } from '../../shared/errors.js';
import { STATUS_FIELD } from '../../shared/model/fields.js';
import { isPushable } from '../../shared/model/transform.js';
import { type FieldValue, type Values, valuesEqual } from '../../shared/model/values.js';
import type { Item, Store, Tracker } from '../../server/store/index.js';
import type { RemoteClient, RemoteClientOptions } from '../remote/client.js';
import { type ApplyContext, applyRemoteItem, confirmCreate } from './apply.js';
import { frozenFields, toRemoteItem } from './feed.js';
import { connect } from './remotes.js';
import { type ItemSyncState, type Replica, ReplicaState } from './replica-state.js';
import type { Report, ReportBuilder } from './report.js';
import { loggedRun, messageOf } from './run.js';
import { LinkTitles } from './titles.js';

export const DEFAULT_PUSH_BATCH = 500;

export interface PushOptions {
  /** Local item ids to push; without them (or with allClean) every change without an open conflict. */
  items?: number[];
  allClean?: boolean;
  /** Push named items even over a remote change (the remote allows it only with the admin right). */
  overwrite?: boolean;
  /** Send nothing, change nothing: the report says what would be pushed. */
  dryRun?: boolean;
  batchSize?: number;
  onProgress?: (done: number, total: number | undefined) => void;
  signal?: AbortSignal;
  remote?: RemoteClientOptions;
}

/** One item's planned change, with what it needs to apply the answer. */
interface Planned {
  item: Item;
  change: PushChange;
}

interface Plan {
  planned: Planned[];
  unchanged: number[];
  errors: { id: number; message: string }[];
  warnings: string[];
}

function valueOf(item: { status: string; values: Values }, name: string): FieldValue {
  return name === STATUS_FIELD ? item.status : (item.values[name] ?? null);
}

/** The changes of one modified item: each changed pushable field with its base. */
function updateOf(tracker: Tracker, replica: Replica, item: Item, sync: ItemSyncState, overwrite: boolean, plan: Plan): PushChange | null {
  const base = sync.base!;
  const mappings = new Map(replica.mappings.map((m) => [m.name, m]));
  const conflictRemote = new Map(sync.conflict?.kind === 'fields' ? sync.conflict.fields.map((f) => [f.name, f.remote]) : []);
  const fields: Record<string, { base: FieldValue; value: FieldValue }> = {};
  const notPushable: string[] = [];
  if (item.status !== base.status) fields[STATUS_FIELD] = { base: conflictRemote.has(STATUS_FIELD) ? (conflictRemote.get(STATUS_FIELD) ?? null) : base.status, value: item.status };
  for (const field of tracker.fields) {
    if (valuesEqual(field.type, item.values[field.name], base.values[field.name])) continue;
    if (!isPushable(mappings.get(field.name))) {
      notPushable.push(field.name);
      continue;
    }
    // An overwritten conflict goes with the remote's value as its base: that is what it replaces.
    const fieldBase = conflictRemote.has(field.name) ? (conflictRemote.get(field.name) ?? null) : valueOf(base, field.name);
    fields[field.name] = { base: fieldBase, value: valueOf(item, field.name) };
  }
  if (notPushable.length > 0) plan.warnings.push(`item ${item.id}: ${notPushable.join(', ')} changed locally but cannot be pushed (transformed or skipped on clone); kept locally`);
  if (Object.keys(fields).length === 0) return null;
  return { op: 'update', id: sync.remoteId!, baseVersion: sync.baseVersion ?? 0, fields, ...(overwrite ? { overwrite: true } : {}) };
}

/** The values of a new item as the remote's fields hold them: pushable fields only. */
function createValues(replica: Replica, item: Item): Values {
  const values: Values = {};
  for (const mapping of replica.mappings) {
    if (isPushable(mapping) && item.values[mapping.name] !== undefined) values[mapping.name] = item.values[mapping.name]!;
  }
  return values;
}

/** Decides what each selected item sends; assigns (and remembers) create keys. */
function planPush(store: Store, replicas: ReplicaState, tracker: Tracker, replica: Replica, options: PushOptions): Plan {
  const plan: Plan = { planned: [], unchanged: [], errors: [], warnings: [] };
  const named = options.items !== undefined && options.items.length > 0 && !options.allClean;
  const ids = named ? [...new Set(options.items)] : replicas.candidateItemIds(tracker.id);
  for (const id of ids) {
    const item = store.getItem(tracker.id, id, { includeDeleted: true })!;
    let sync = replicas.itemState(id);
    const overwrite = named && options.overwrite === true;
    if (sync?.conflict) {
      if (!named) continue;
      if (!overwrite) {
        plan.errors.push({ id, message: 'has an open conflict: resolve it (s15n resolve) or push it with --overwrite' });
        continue;
      }
      if (sync.conflict.kind === 'remote-deleted') {
        // Keeping a local edit of an item the remote deleted means creating it again.
        sync = { ...sync, remoteId: null, baseVersion: null, base: null, conflict: null, createKey: null };
      }
    }
    if (!sync || sync.remoteId === null) {
      if (item.deleted) {
        if (named) plan.unchanged.push(id);
        continue;
      }
      const key = sync?.createKey ?? ulid();
      if (!sync?.createKey) replicas.putItemState({ itemId: id, trackerId: tracker.id, remoteId: null, baseVersion: null, base: null, createKey: key, conflict: null, syncedSeq: 0 });
      plan.planned.push({ item, change: { op: 'create', idempotencyKey: key, status: item.status, values: createValues(replica, item) } });
      continue;
    }
    if (item.deleted) {
      const baseVersion = overwrite && sync.conflict?.kind === 'local-deleted' ? sync.conflict.remoteVersion : (sync.baseVersion ?? 0);
      plan.planned.push({ item, change: { op: 'delete', id: sync.remoteId, baseVersion, ...(overwrite ? { overwrite: true } : {}) } });
      continue;
    }
    const update = updateOf(tracker, replica, item, sync, overwrite, plan);
    if (update) plan.planned.push({ item, change: update });
    else if (named) plan.unchanged.push(id);
  }
  return plan;
}

/** Applies the answers of one batch in one transaction. */
function applyAnswers(ctx: ApplyContext, replica: Replica, titles: LinkTitles, batch: readonly Planned[], results: readonly PushResult[], report: ReportBuilder): void {
  const { store, replicas, tracker } = ctx;
  const frozen = frozenFields(replica, tracker);
  store.transaction(() => {
    batch.forEach(({ item, change }, i) => {
      const result = results[i]!;
      try {
        const remoteItem = () => {
          const sync = replicas.itemState(item.id);
          const answer = { seq: 0, ...result.item } as Change;
          return toRemoteItem(answer, replica, tracker, titles, frozen, sync?.base?.values);
        };
        switch (result.status) {
          case 'created':
            confirmCreate(ctx, item.id, remoteItem());
            report.count('created');
            break;
          case 'updated':
            store.transaction(() => applyRemoteItem(ctx, remoteItem()));
            report.count('updated');
            break;
          case 'deleted':
            replicas.deleteItemState(item.id);
            report.count('deleted');
            break;
          case 'conflict': {
            const outcome = result.item ? store.transaction(() => applyRemoteItem(ctx, remoteItem())) : 'conflict';
            report.count(outcome === 'conflict' ? 'conflict' : 'merged');
            break;
          }
          case 'rejected':
            report.itemError(item.id, `the remote refused ${change.op === 'create' ? 'the new item' : `remote item ${'id' in change ? change.id : ''}`}: ${result.error ?? 'no reason given'}`);
            break;
        }
      } catch (error) {
        report.itemError(item.id, messageOf(error));
      }
    });
  });
}

async function sendBatch(client: RemoteClient, replica: Replica, batch: readonly Planned[], report: ReportBuilder): Promise<PushResult[] | null> {
  try {
    return await client.push(replica.remoteTrackerId, batch.map((p) => p.change));
  } catch (error) {
    // Refusals of the whole batch are this batch's errors; anything else ends the run.
    if (error instanceof Forbidden || error instanceof TooLarge || error instanceof BadInput) {
      for (const { item } of batch) report.itemError(item.id, error.message);
      return null;
    }
    throw error;
  }
}

/** Pushes a cloned tracker's local changes. Run-level failures end in a report with outcome error; answers applied so far stay. */
export async function push(store: Store, trackerRef: string | number, options: PushOptions = {}): Promise<Report> {
  const replicas = new ReplicaState(store);
  const replica = replicas.requireReplica(trackerRef);
  const tracker = store.getTracker(replica.trackerId);
  const client = connect(store, replica.remoteName, options.remote);
  const batchSize = Math.max(1, options.batchSize ?? DEFAULT_PUSH_BATCH);
  const dryRun = options.dryRun === true;
  if (options.items && options.items.length > 0 && options.allClean) throw new BadInput('name items or use --all-clean, not both', [{ field: 'items', reason: 'with --all-clean' }]);
  // Bad usage is refused before the run starts: nothing is sent, nothing is logged as a run.
  const unknown = (options.items ?? []).filter((id) => !store.getItem(tracker.id, id, { includeDeleted: true }));
  if (unknown.length > 0) throw new BadInput(`unknown item${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')} in tracker "${tracker.name}"`, unknown.map((id) => ({ field: 'items', reason: `no item ${id}` })));

  return loggedRun(store, { trackerId: tracker.id, kind: 'push', dryRun, failureHint: 'push again: what was answered is applied, and resent creates reuse their keys' }, async (report) => {
    // The keys of new items are committed before anything is sent (in a dry run they are rolled back with the rest).
    const plan = store.transaction(() => planPush(store, replicas, tracker, replica, options));
    for (let i = 0; i < plan.unchanged.length; i += 1) report.count('unchanged');
    for (const { id, message } of plan.errors) report.itemError(id, message);
    for (const warning of plan.warnings) report.warn(warning);
    const total = plan.planned.length;
    options.onProgress?.(0, total);
    if (dryRun) {
      for (const { change } of plan.planned) report.count(change.op === 'create' ? 'created' : change.op === 'update' ? 'updated' : 'deleted');
      return { remote: replica.remoteName, planned: total };
    }
    const titles = new LinkTitles(client, replica.remoteFields, replica.mappings);
    const ctx: ApplyContext = { store, replicas, tracker: store.getTracker(tracker.id), by: null };
    let done = 0;
    let requests = 0;
    for (let start = 0; start < total; start += batchSize) {
      if (options.signal?.aborted) {
        report.fail(`cancelled after ${done} of ${total} items; what was answered is applied, push again for the rest`);
        break;
      }
      const batch = plan.planned.slice(start, start + batchSize);
      requests += 1;
      const results = await sendBatch(client, replica, batch, report);
      if (results) {
        await titles.prefetch(results.flatMap((r) => (r.item ? [{ seq: 0, ...r.item } as Change] : [])));
        applyAnswers({ ...ctx, tracker: store.getTracker(tracker.id) }, replicas.getReplica(tracker.id) ?? replica, titles, batch, results, report);
      }
      done += batch.length;
      options.onProgress?.(done, total);
    }
    return { remote: replica.remoteName, requests };
  });
}
