/**
 * Applies what the remote says of an item to the local replica, with the three-way rule:
 * reload calls it for every change of the feed, push for every answer. Nothing local is ever
 * overwritten without a three-way decision; conflicts are stored, never thrown.
 * Every function here must run inside a store transaction.
 */
import type { FieldDef } from '../../shared/model/fields.js';
import { changedFields } from '../../shared/model/values.js';
import { type ItemState, mergeItem } from '../../shared/merge/index.js';
import type { Item, SqliteStore, Tracker } from '../../server/store/index.js';
import type { ItemSyncState, ReplicaState } from '../replica/index.js';

/** What applying one remote item did locally; the report counts these. */
export type ApplyOutcome = 'created' | 'updated' | 'deleted' | 'merged' | 'unchanged' | 'conflict';

/** An item as the remote has it, with values already mapped to the local fields. */
export interface RemoteItem {
  remoteId: number;
  version: number;
  deleted: boolean;
  state: ItemState;
}

export interface ApplyContext {
  store: SqliteStore;
  replicas: ReplicaState;
  tracker: Tracker;
  /** Recorded as the local writer of items changed by sync. */
  by: string | null;
}

export function sameState(fields: readonly FieldDef[], a: ItemState, b: ItemState): boolean {
  return a.status === b.status && changedFields(fields, a.values, b.values).length === 0;
}

export function stateOf(item: Item): ItemState {
  return { status: item.status, values: item.values };
}

/**
 * The base to remember after a merge: the remote state, except that a field still in conflict
 * keeps its old base, so it is neither pushed nor taken until the user decides.
 */
function baseAfterMerge(base: ItemState, remote: ItemState, conflicting: ReadonlySet<string>): ItemState {
  if (conflicting.size === 0) return remote;
  const values = { ...remote.values };
  for (const name of conflicting) {
    if (name === 'status') continue;
    const old = base.values[name];
    if (old === undefined || old === null) delete values[name];
    else values[name] = old;
  }
  return { status: conflicting.has('status') ? base.status : remote.status, values };
}

/**
 * Writes the sync state of an item; `syncedSeq` marks it clean only when local equals base.
 * `written` says the item was just written from the base itself: clean without comparing.
 */
function remember(ctx: ApplyContext, item: Item, state: Omit<ItemSyncState, 'itemId' | 'trackerId' | 'syncedSeq'>, written = false): void {
  const clean = state.base !== null && !item.deleted && state.conflict === null && (written || sameState(ctx.tracker.fields, stateOf(item), state.base));
  ctx.replicas.putItemState({ ...state, itemId: item.id, trackerId: ctx.tracker.id, syncedSeq: clean ? item.seq : 0 });
}

/**
 * Applies one remote item (a change of the feed, or the item a push answer carries). `known` is
 * the item's sync state when the caller has just read it in this transaction (the feed reads
 * it for the base), so a clone looks each item up once.
 */
export function applyRemoteItem(ctx: ApplyContext, remote: RemoteItem, known?: { sync: ItemSyncState | undefined }): ApplyOutcome {
  const { store, replicas, tracker } = ctx;
  const fields = tracker.fields;
  const sync = known ? known.sync : replicas.itemByRemoteId(tracker.id, remote.remoteId);
  const local = sync ? store.getItem(tracker.id, sync.itemId, { includeDeleted: true }) : undefined;
  if (!sync || !local || !sync.base) {
    if (sync) replicas.deleteItemState(sync.itemId);
    if (remote.deleted) return 'unchanged';
    const item = store.saveItem(tracker, null, remote.state, ctx.by);
    remember(ctx, item, { remoteId: remote.remoteId, baseVersion: remote.version, base: remote.state, createKey: null, conflict: null }, true);
    return 'created';
  }
  const base = sync.base;
  const localState = stateOf(local);
  const localChanged = !local.deleted && !sameState(fields, localState, base);
  const keep = { remoteId: remote.remoteId, createKey: null };

  if (remote.deleted) {
    if (local.deleted || !localChanged) {
      if (!local.deleted) store.tombstoneItem(tracker.id, local.id, ctx.by);
      replicas.deleteItemState(local.id);
      return 'deleted';
    }
    remember(ctx, local, { ...keep, baseVersion: sync.baseVersion, base, conflict: { kind: 'remote-deleted', remoteVersion: remote.version } });
    return 'conflict';
  }

  const remoteChanged = !sameState(fields, remote.state, base);
  if (local.deleted) {
    if (!remoteChanged) {
      remember(ctx, local, { ...keep, baseVersion: remote.version, base, conflict: null });
      return 'unchanged';
    }
    remember(ctx, local, { ...keep, baseVersion: sync.baseVersion, base, conflict: { kind: 'local-deleted', remote: remote.state, remoteVersion: remote.version } });
    return 'conflict';
  }
  if (!localChanged) {
    const unchanged = sameState(fields, localState, remote.state);
    const item = unchanged ? local : store.saveItem(tracker, local.id, remote.state, ctx.by);
    remember(ctx, item, { ...keep, baseVersion: remote.version, base: remote.state, conflict: null }, !unchanged);
    return unchanged ? 'unchanged' : 'updated';
  }
  if (!remoteChanged) {
    // Only the local side changed: it stays to be pushed; the base is still what the remote holds.
    remember(ctx, local, { ...keep, baseVersion: remote.version, base, conflict: null });
    return 'unchanged';
  }
  const merge = mergeItem(fields, base, localState, remote.state);
  const conflicting = new Set(merge.conflicts.map((c) => c.name));
  const item = sameState(fields, merge.state, localState) ? local : store.saveItem(tracker, local.id, merge.state, ctx.by);
  const conflict = merge.conflicts.length > 0 ? { kind: 'fields' as const, fields: merge.conflicts, remoteVersion: remote.version } : null;
  remember(ctx, item, { ...keep, baseVersion: remote.version, base: baseAfterMerge(base, remote.state, conflicting), conflict });
  if (conflict) return 'conflict';
  if (sameState(fields, merge.state, localState)) return 'unchanged';
  return sameState(fields, merge.state, remote.state) ? 'updated' : 'merged';
}

/**
 * Records that the remote created a local item under `remote.remoteId`. If a reload already
 * brought that remote item in as a separate local copy (the create's answer was lost and a
 * reload ran before the retry), the copy is dropped now that the remote confirmed the original.
 */
export function confirmCreate(ctx: ApplyContext, itemId: number, remote: RemoteItem): ApplyOutcome {
  const { store, replicas, tracker } = ctx;
  const copy = replicas.itemByRemoteId(tracker.id, remote.remoteId);
  if (copy && copy.itemId !== itemId) {
    const copyItem = store.getItem(tracker.id, copy.itemId, { includeDeleted: true });
    if (copyItem && !copyItem.deleted) store.tombstoneItem(tracker.id, copy.itemId, ctx.by);
    replicas.deleteItemState(copy.itemId);
  }
  const local = store.getItem(tracker.id, itemId, { includeDeleted: true });
  if (!local) return 'unchanged';
  remember(ctx, local, { remoteId: remote.remoteId, baseVersion: remote.version, base: remote.state, createKey: null, conflict: null });
  return 'created';
}
