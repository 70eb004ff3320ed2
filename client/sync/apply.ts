/**
 * Carries out what the remote says of an item on the local replica. The decision is the one
 * pure item decision of shared/merge (decideItem: the three-way rule of DESIGN §4 over the
 * whole item, deletions included); this module only writes what it decided. Reload calls it
 * for every change of the feed, push for every answer. Conflicts are stored, never thrown.
 * Every function here must run inside a store transaction.
 */
import { type ApplyOutcome, type ItemDecision, type ItemState, decideItem, sameState } from '../../shared/merge/index.js';
import type { Item, SqliteStore, Tracker } from '../../server/store/index.js';
import { type ItemSyncState, type ReplicaState, stateOf } from '../replica/index.js';

export type { ApplyOutcome };

/** An item as the remote has it, with values already mapped to the local fields. */
export interface RemoteItem {
  remoteId: number;
  version: number;
  deleted: boolean;
  state: ItemState;
}

/** A remote item that no longer matches the clone's filter: its values are not sent, only that it left. */
export interface LeftItem {
  remoteId: number;
  left: true;
}

export interface ApplyContext {
  store: SqliteStore;
  replicas: ReplicaState;
  tracker: Tracker;
  /** Recorded as the local writer of items changed by sync. */
  by: string | null;
}

/**
 * Writes the sync state of an item; `syncedSeq` marks it clean only when local equals base.
 * `written` says the item was just written from the base itself: clean without comparing.
 */
function remember(ctx: ApplyContext, item: Item, state: Omit<ItemSyncState, 'itemId' | 'trackerId' | 'syncedSeq'>, written = false): void {
  const clean = state.base !== null && !item.deleted && state.conflict === null && (written || sameState(ctx.tracker.fields, stateOf(item), state.base));
  ctx.replicas.putItemState({ ...state, itemId: item.id, trackerId: ctx.tracker.id, syncedSeq: clean ? item.seq : 0 });
}

/** Writes what the decision says: the local item and its sync state. */
function carryOut(ctx: ApplyContext, remote: RemoteItem | LeftItem, sync: ItemSyncState | undefined, local: Item | undefined, decision: ItemDecision): void {
  const { store, replicas, tracker } = ctx;
  const state = { remoteId: remote.remoteId, baseVersion: decision.baseVersion, base: decision.base, createKey: null, conflict: decision.conflict };
  switch (decision.action) {
    case 'create': {
      // A sync state without a base or without its item is stale: the remote item comes in afresh.
      if (sync) replicas.deleteItemState(sync.itemId);
      remember(ctx, store.saveItem(tracker, null, decision.local!, ctx.by), state, true);
      return;
    }
    case 'forget':
      if (sync) replicas.deleteItemState(sync.itemId);
      return;
    case 'delete-local':
      store.tombstoneItem(tracker.id, local!.id, ctx.by);
      replicas.deleteItemState(local!.id);
      return;
    case 'keep':
      remember(ctx, local!, state);
      return;
    case 'write':
      // Taken from the remote as it is ('updated'): the item now is its base.
      remember(ctx, store.saveItem(tracker, local!.id, decision.local!, ctx.by), state, decision.outcome === 'updated');
      return;
  }
}

/**
 * Applies one remote item (a change of the feed, or the item a push answer carries). `known` is
 * the item's sync state when the caller has just read it in this transaction (the feed reads
 * it for the base), so a clone looks each item up once.
 */
export function applyRemoteItem(ctx: ApplyContext, remote: RemoteItem | LeftItem, known?: { sync: ItemSyncState | undefined }): ApplyOutcome {
  const { store, replicas, tracker } = ctx;
  const sync = known ? known.sync : replicas.itemByRemoteId(tracker.id, remote.remoteId);
  const local = sync ? store.getItem(tracker.id, sync.itemId, { includeDeleted: true }) : undefined;
  const decision = decideItem({
    fields: tracker.fields,
    base: sync?.base ? { state: sync.base, version: sync.baseVersion } : null,
    local: !local ? 'absent' : local.deleted ? 'deleted' : stateOf(local),
    remote: 'left' in remote ? { left: true } : remote.deleted ? { deleted: true, version: remote.version } : { state: remote.state, version: remote.version },
  });
  carryOut(ctx, remote, sync, local, decision);
  return decision.outcome;
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
