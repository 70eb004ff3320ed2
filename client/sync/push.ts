/**
 * Push: send a clone's new, modified and deleted items back to its remote, field by field.
 * Every update carries each changed field's base, so the remote refuses to overwrite what this
 * clone has not seen; every create carries an idempotency key stored locally before it is sent,
 * so a retry after a crash or a lost answer never creates a second item. Answers are applied
 * with the same three-way rule as reload (apply.ts): conflicts are stored for review.
 */
import { ulid } from 'ulid';
import { type Change, MAX_PUSH_CHANGES, type PushChange, type PushResult } from '../../shared/api/schemas.js';
import { BadInput, Forbidden, TooLarge } from '../../shared/errors.js';
import { STATUS_FIELD } from '../../shared/model/fields.js';
import { type FieldMapping, isPushable } from '../../shared/model/transform.js';
import { type FieldValue, type Values, valuesEqual } from '../../shared/model/values.js';
import type { Item, SqliteStore, Tracker } from '../../server/store/index.js';
import type { RemoteClient, RemoteClientOptions } from '../remote/client.js';
import { type ApplyContext, type ApplyOutcome, applyRemoteItem, confirmCreate } from './apply.js';
import { frozenFields, toRemoteItem } from './feed.js';
import { connect } from './remotes.js';
import { type ItemSyncState, type Replica, ReplicaState } from '../replica/index.js';
import type { Report, ReportBuilder } from './report.js';
import { loggedRun, messageOf } from './run.js';
import { LinkTitles } from './titles.js';

export const DEFAULT_PUSH_BATCH = 500;

export interface PushOptions {
  /** Local item ids to push; without them (or with allClean) every change without an open conflict. */
  items?: number[];
  allClean?: boolean;
  /** Push the named items even over a remote change (the remote allows it only with the admin right). */
  overwrite?: boolean;
  /** Send nothing, change nothing: the report says what would be pushed. */
  dryRun?: boolean;
  batchSize?: number;
  onProgress?: (done: number, total: number | undefined) => void;
  signal?: AbortSignal;
  remote?: RemoteClientOptions;
}

/** One item's planned change, with what it needs to settle the answer. */
interface Planned {
  item: Item;
  change: PushChange;
  /** Local edits this change cannot carry (non-pushable fields): the item's error whatever the answer. */
  unpushable: string | null;
}

interface Plan {
  planned: Planned[];
  unchanged: number[];
  /** Named items held back by an open conflict: counted as conflicts, not sent. */
  conflicted: number[];
  errors: { id: number; message: string }[];
}

/** What became of one sent change: an apply outcome, or why it was refused. */
type Settled = ApplyOutcome | { error: string };

function valueOf(item: { status: string; values: Values }, name: string): FieldValue {
  return name === STATUS_FIELD ? item.status : (item.values[name] ?? null);
}

function whyNotPushable(mapping: FieldMapping | undefined): string {
  if (!mapping) return 'no longer a field of the remote tracker';
  if (mapping.remoteType === 'itemlink') return 'an itemlink cloned as text holds a title, not an item id';
  return mapping.reason ?? `${mapping.action} on clone`;
}

/** The item error for local edits of fields that cannot travel back; they stay local. */
function unpushableMessage(names: readonly string[], mappings: ReadonlyMap<string, FieldMapping>): string | null {
  if (names.length === 0) return null;
  const fields = names.map((name) => `field ${name} (${whyNotPushable(mappings.get(name))})`).join(', ');
  return `${fields} changed locally but cannot be pushed; the local value is kept`;
}

/** The update of one modified item: each changed pushable field with its base, and the fields that cannot go. */
function updateOf(tracker: Tracker, mappings: ReadonlyMap<string, FieldMapping>, item: Item, sync: ItemSyncState, overwrite: boolean): { change: PushChange | null; unpushable: string[] } {
  const base = sync.base!;
  // A field in conflict keeps its old base, so it conflicts again on the remote: only the
  // overwrite flag, which the remote grants to the admin right alone, can force it.
  const baseOf = (name: string): FieldValue => valueOf(base, name);
  const fields: Record<string, { base: FieldValue; value: FieldValue }> = {};
  const unpushable: string[] = [];
  if (item.status !== base.status) fields[STATUS_FIELD] = { base: baseOf(STATUS_FIELD), value: item.status };
  for (const field of tracker.fields) {
    if (valuesEqual(field.type, item.values[field.name], base.values[field.name])) continue;
    if (!isPushable(mappings.get(field.name))) unpushable.push(field.name);
    else fields[field.name] = { base: baseOf(field.name), value: valueOf(item, field.name) };
  }
  if (Object.keys(fields).length === 0) return { change: null, unpushable };
  return { change: { op: 'update', id: sync.remoteId!, baseVersion: sync.baseVersion ?? 0, fields, ...(overwrite ? { overwrite: true } : {}) }, unpushable };
}

/** The values of a new item as the remote's fields hold them (pushable fields only), and the fields left out. */
function createOf(tracker: Tracker, mappings: ReadonlyMap<string, FieldMapping>, item: Item): { values: Values; unpushable: string[] } {
  const values: Values = {};
  const unpushable: string[] = [];
  for (const field of tracker.fields) {
    const value = item.values[field.name];
    if (value === undefined) continue;
    if (isPushable(mappings.get(field.name))) values[field.name] = value;
    else unpushable.push(field.name);
  }
  return { values, unpushable };
}

/** Decides what each selected item sends; assigns (and remembers) create keys. */
function planPush(store: SqliteStore, replicas: ReplicaState, tracker: Tracker, replica: Replica, options: PushOptions): Plan {
  const plan: Plan = { planned: [], unchanged: [], conflicted: [], errors: [] };
  const mappings = new Map(replica.mappings.map((m) => [m.name, m]));
  const named = options.items !== undefined && options.items.length > 0;
  const overwrite = named && options.overwrite === true;
  const ids = named ? [...new Set(options.items)] : replicas.candidateItemIds(tracker.id);
  const add = (item: Item, change: PushChange | null, unpushable: string[]) => {
    const message = unpushableMessage(unpushable, mappings);
    if (change) plan.planned.push({ item, change, unpushable: message });
    else if (message) plan.errors.push({ id: item.id, message });
    else if (named) plan.unchanged.push(item.id);
  };
  for (const id of ids) {
    const item = store.getItem(tracker.id, id, { includeDeleted: true })!;
    let sync = replicas.itemState(id);
    if (sync?.conflict) {
      if (!named) continue;
      if (!overwrite) {
        plan.conflicted.push(id);
        continue;
      }
      if (sync.conflict.kind === 'remote-deleted') {
        // Keeping a local edit of an item the remote deleted means creating it again.
        sync = { ...sync, remoteId: null, baseVersion: null, base: null, conflict: null, createKey: null };
      }
    }
    if (!sync || sync.remoteId === null) {
      // A local item deleted before it was ever pushed leaves nothing to send.
      if (item.deleted) {
        add(item, null, []);
        continue;
      }
      const key = sync?.createKey ?? ulid();
      if (!sync?.createKey) replicas.putItemState({ itemId: id, trackerId: tracker.id, remoteId: null, baseVersion: null, base: null, createKey: key, conflict: null, syncedSeq: 0 });
      const { values, unpushable } = createOf(tracker, mappings, item);
      add(item, { op: 'create', idempotencyKey: key, status: item.status, values }, unpushable);
      continue;
    }
    if (item.deleted) {
      add(item, { op: 'delete', id: sync.remoteId, baseVersion: sync.baseVersion ?? 0, ...(overwrite ? { overwrite: true } : {}) }, []);
      continue;
    }
    const { change, unpushable } = updateOf(tracker, mappings, item, sync, overwrite);
    add(item, change, unpushable);
  }
  return plan;
}

/** Counts one item once: a conflict stays a conflict; otherwise a refusal or a field that could not go makes it an error. */
function settle(report: ReportBuilder, { item, unpushable }: Planned, settled: Settled): void {
  if (typeof settled === 'string' && (settled === 'conflict' || unpushable === null)) {
    report.count(settled);
    if (unpushable) report.warn(`item ${item.id}: ${unpushable}`);
    return;
  }
  const messages = typeof settled === 'string' ? [`${unpushable!} (its other changes: ${settled})`] : [settled.error, ...(unpushable ? [unpushable] : [])];
  report.itemError(item.id, messages.join('; '));
}

/** What a dry run says of a planned change: the operation it would send. */
function intended(change: PushChange): ApplyOutcome {
  return change.op === 'create' ? 'created' : change.op === 'update' ? 'updated' : 'deleted';
}

/**
 * What the remote would answer each planned change, for a dry run: `null` where the change would
 * go as sent, else the answer to apply like a real one. The remote's feed since the replica's
 * token is read (one GET; a dry run sends no change): an item it does not name is as the clone
 * last saw it, so its change goes; one it names is judged by the remote's own rule, field by
 * field (a delete by version). Rights are not known without asking: an overwrite is assumed
 * granted, a delete allowed.
 */
async function predictAnswers(client: RemoteClient, replica: Replica, planned: readonly Planned[], signal?: AbortSignal): Promise<(PushResult | null)[]> {
  const wanted = new Set(planned.flatMap(({ change }) => (change.op === 'create' ? [] : [change.id])));
  const current = new Map<number, Change>();
  if (wanted.size > 0) {
    for await (const change of client.streamChanges(replica.remoteTrackerId, replica.token, signal ? { signal } : {})) {
      if (wanted.has(change.id)) current.set(change.id, change);
    }
  }
  const types = new Map(replica.remoteFields.map((f) => [f.name, f.type]));
  return planned.map(({ change }): PushResult | null => {
    if (change.op === 'create') return null;
    const now = current.get(change.id);
    if (!now || change.overwrite) return null;
    const conflict = (conflicts: string[]): PushResult => ({ status: 'conflict', id: now.id, version: now.version, item: now, conflicts });
    if (change.op === 'delete') return now.deleted || now.version === change.baseVersion ? null : conflict([]);
    if (now.deleted) return conflict(Object.keys(change.fields));
    const conflicts = Object.entries(change.fields).flatMap(([name, { base, value }]) => {
      const held = name === STATUS_FIELD ? now.status : (now.values[name] ?? null);
      const type = types.get(name);
      const equal = (a: unknown, b: unknown) => (name === STATUS_FIELD || !type ? a === b : valuesEqual(type, a, b));
      return equal(held, value) || equal(held, base) ? [] : [name];
    });
    return conflicts.length > 0 ? conflict(conflicts) : null;
  });
}

/** Applies one answer; must run inside a store transaction. */
function applyAnswer(ctx: ApplyContext, replica: Replica, titles: LinkTitles, frozen: readonly string[], { item, change }: Planned, result: PushResult): Settled {
  const remoteItem = () => {
    const answer = { seq: 0, ...result.item } as Change;
    return toRemoteItem(answer, replica, ctx.tracker, titles, frozen, ctx.replicas.itemState(item.id)?.base?.values);
  };
  switch (result.status) {
    case 'created':
      confirmCreate(ctx, item.id, remoteItem());
      return 'created';
    case 'updated':
      // A conflict here means the item was edited again locally while its push was under way.
      return applyRemoteItem(ctx, remoteItem()) === 'conflict' ? 'conflict' : 'updated';
    case 'deleted':
      ctx.replicas.deleteItemState(item.id);
      return 'deleted';
    case 'conflict': {
      // Applied three-way: what merges cleanly stays to be pushed, the rest is stored for review.
      const outcome = result.item ? applyRemoteItem(ctx, remoteItem()) : 'conflict';
      return outcome === 'conflict' ? 'conflict' : 'merged';
    }
    case 'rejected':
      return { error: `the remote refused ${change.op === 'create' ? 'the new item' : `the ${change.op} of remote item ${change.id}`}: ${result.error ?? 'no reason given'}` };
  }
}

/** Applies the answers of one request in one transaction, each item in its own savepoint. */
function applyAnswers(ctx: ApplyContext, replica: Replica, titles: LinkTitles, batch: readonly Planned[], results: readonly PushResult[], report: ReportBuilder): void {
  const frozen = frozenFields(replica, ctx.tracker);
  const settled = ctx.store.transaction(() =>
    batch.map((planned, i): Settled => {
      try {
        return ctx.store.transaction(() => applyAnswer(ctx, replica, titles, frozen, planned, results[i]!));
      } catch (error) {
        return { error: messageOf(error) };
      }
    }),
  );
  // Counted once committed: a batch that fails to commit is not reported as applied.
  batch.forEach((planned, i) => {
    settle(report, planned, settled[i]!);
    // A conflict may say why it was not forced (an overwrite without the admin right).
    const result = results[i]!;
    if (result.status === 'conflict' && result.error) report.warn(`item ${planned.item.id}: ${result.error}`);
  });
}

function batchesOf(planned: readonly Planned[], size: number): Planned[][] {
  const batches: Planned[][] = [];
  for (let start = 0; start < planned.length; start += size) batches.push(planned.slice(start, start + size));
  return batches;
}

/** Sends one batch and applies its answers; a batch too large for the remote is sent in halves. Returns the requests made. */
async function sendBatch(
  client: RemoteClient,
  replicas: ReplicaState,
  ctx: Omit<ApplyContext, 'tracker'>,
  trackerId: number,
  titles: LinkTitles,
  batch: readonly Planned[],
  report: ReportBuilder,
): Promise<number> {
  const replica = replicas.getReplica(trackerId)!;
  let results: PushResult[];
  try {
    results = await client.push(replica.remoteTrackerId, batch.map((p) => p.change));
  } catch (error) {
    // A body limit answers before anything is written: halves are safe to send.
    if (error instanceof TooLarge && batch.length > 1) {
      const half = Math.ceil(batch.length / 2);
      const first = await sendBatch(client, replicas, ctx, trackerId, titles, batch.slice(0, half), report);
      return 1 + first + (await sendBatch(client, replicas, ctx, trackerId, titles, batch.slice(half), report));
    }
    // Refusals of the whole batch are its items' errors (never retried); anything else ends the run.
    if (error instanceof Forbidden || error instanceof TooLarge || error instanceof BadInput) {
      for (const planned of batch) settle(report, planned, { error: error.message });
      return 1;
    }
    throw error;
  }
  await titles.prefetch(results.flatMap((r) => (r.item ? [{ seq: 0, ...r.item } as Change] : [])));
  applyAnswers({ ...ctx, tracker: ctx.store.getTracker(trackerId) }, replica, titles, batch, results, report);
  return 1;
}

/** Refuses bad usage before the run starts: nothing is sent, nothing is logged as a run. */
function checkUsage(store: SqliteStore, tracker: Tracker, options: PushOptions): void {
  const named = options.items !== undefined && options.items.length > 0;
  if (named && options.allClean) throw new BadInput('name items or use --all-clean, not both', [{ field: 'items', reason: 'with --all-clean' }]);
  if (options.overwrite && !named) {
    throw new BadInput('--overwrite applies to named items only: name the items to push over remote changes', [{ field: 'overwrite', reason: 'without items' }]);
  }
  const unknown = (options.items ?? []).filter((id) => !store.getItem(tracker.id, id, { includeDeleted: true }));
  if (unknown.length > 0) {
    throw new BadInput(`unknown item${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')} in tracker "${tracker.name}"`, unknown.map((id) => ({ field: 'items', reason: `no item ${id}` })));
  }
}

/** Pushes a cloned tracker's local changes. Run-level failures end in a report with outcome error; answers applied so far stay. */
export async function push(store: SqliteStore, trackerRef: string | number, options: PushOptions = {}): Promise<Report> {
  const replicas = new ReplicaState(store);
  const replica = replicas.requireReplica(trackerRef);
  const tracker = store.getTracker(replica.trackerId);
  checkUsage(store, tracker, options);
  const client = connect(store, replica.remoteName, options.remote);
  try {
    const batchSize = Math.min(MAX_PUSH_CHANGES, Math.max(1, options.batchSize ?? DEFAULT_PUSH_BATCH));
    const dryRun = options.dryRun === true;

    return await loggedRun(store, { trackerId: tracker.id, kind: 'push', dryRun, failureHint: 'push again: what was answered is applied, and resent creates reuse their keys' }, async (report) => {
      // The keys of new items are committed before anything is sent (in a dry run they are rolled back with the rest).
      const plan = store.transaction(() => planPush(store, replicas, tracker, replica, options));
      for (let i = 0; i < plan.unchanged.length; i += 1) report.count('unchanged');
      for (const id of plan.conflicted) {
        report.count('conflict');
        report.warn(`item ${id} has an open conflict and was not pushed: resolve it (s15n resolve) or push it with --overwrite`);
      }
      for (const { id, message } of plan.errors) report.itemError(id, message);
      const total = plan.planned.length;
      options.onProgress?.(0, total);
      const titles = new LinkTitles(client, replica.remoteFields, replica.mappings);
      const ctx = { store, replicas, by: replica.remoteName };
      if (dryRun) {
        // The predicted answers are applied like real ones, in the run's transaction, which is rolled back.
        const answers = await predictAnswers(client, replica, plan.planned, options.signal);
        const answered = plan.planned.flatMap((planned, i) => (answers[i] ? [{ planned, result: answers[i] }] : []));
        for (const [i, planned] of plan.planned.entries()) if (!answers[i]) settle(report, planned, intended(planned.change));
        await titles.prefetch(answered.flatMap(({ result }) => (result.item ? [{ seq: 0, ...result.item } as Change] : [])));
        applyAnswers({ ...ctx, tracker }, replica, titles, answered.map((a) => a.planned), answered.map((a) => a.result), report);
        return { remote: replica.remoteName, planned: total };
      }
      let done = 0;
      let requests = 0;
      for (const batch of batchesOf(plan.planned, batchSize)) {
        if (options.signal?.aborted) {
          report.fail(`cancelled after ${done} of ${total} items; what was answered is applied, push again for the rest`);
          break;
        }
        requests += await sendBatch(client, replicas, ctx, tracker.id, titles, batch, report);
        done += batch.length;
        options.onProgress?.(done, total);
      }
      return { remote: replica.remoteName, requests };
    });
  } finally {
    client.close();
  }
}
