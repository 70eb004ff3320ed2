/**
 * Carries out what the remote says of an item on the local replica. The decision is the one
 * pure item decision of shared/merge (decideItem: the three-way rule of DESIGN §4 over the
 * whole item, deletions included); this module only writes what it decided. Reload calls it
 * for every change of the feed, push for every answer. Conflicts are stored, never thrown.
 * Every function here must run inside a store transaction.
 */
import { type ApplyOutcome, EMPTY_BASE, type ItemConflict, type ItemDecision, type ItemState, decideItem, sameState } from '../../shared/merge/index.js';
import { keyEntries, keyFields } from '../../shared/model/keys.js';
import type { Item, SqliteStore, Tracker } from '../../server/store/index.js';
import { type ItemSyncState, type ReplicaState, localChangeOf, stateOf } from '../replica/index.js';

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
  if (!sync && !('left' in remote) && !remote.deleted) {
    // A remote item new here whose key values a new local item holds is that item: linked, never a second copy.
    const twin = newLocalTwin(ctx, remote.state);
    if (twin !== null) return linkMatched(ctx, twin, remote);
  }
  const local = sync ? store.getItem(tracker.id, sync.itemId, { includeDeleted: true }) : undefined;
  const decision = keepRetired(sync, decideItem({
    fields: tracker.fields,
    base: sync?.base ? { state: sync.base, version: sync.baseVersion } : null,
    local: !local ? 'absent' : local.deleted ? 'deleted' : stateOf(local),
    remote: 'left' in remote ? { left: true } : remote.deleted ? { deleted: true, version: remote.version } : { state: remote.state, version: remote.version },
  }));
  carryOut(ctx, remote, sync, local, decision);
  return decision.outcome;
}

/**
 * A value of a field the remote removed stays in conflict through any decision that keeps the
 * item here (the remote cannot speak for a field it no longer has): only the user decides it.
 * A deletion conflict decides the whole item instead.
 */
function keepRetired(sync: ItemSyncState | undefined, decision: ItemDecision): ItemDecision {
  const open = sync?.conflict;
  const retired = open && (open.kind === 'fields' || open.kind === 'field-removed') ? open.fields.filter((f) => f.removed) : [];
  if (retired.length === 0 || decision.local === undefined) return decision;
  const now = decision.conflict;
  if (now && now.kind !== 'fields') return decision;
  const conflict: ItemConflict = now
    ? { ...now, fields: [...now.fields.filter((f) => !retired.some((r) => r.name === f.name)), ...retired] }
    : { kind: 'field-removed', fields: retired, remoteVersion: decision.baseVersion ?? 0 };
  return { ...decision, conflict, pending: true };
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

/** The one new local item (never pushed) holding the key values of a remote state, if there is exactly one. */
function newLocalTwin(ctx: ApplyContext, state: ItemState): number | null {
  const { store, replicas, tracker } = ctx;
  if (keyFields(tracker.fields).length === 0) return null;
  const holders = store.keyHolders(tracker.id);
  const found = new Set<number>();
  for (const { field, text } of keyEntries(tracker.fields, state.values)) {
    for (const id of holders(field, text)) if (replicas.itemState(id)?.remoteId == null) found.add(id);
  }
  return found.size === 1 ? [...found][0]! : null;
}

/**
 * Links a local item the remote never had to the remote item that holds its key values (a push
 * answered matched, or a reload brought that item in) and merges the two three-way from an
 * empty base (DESIGN §13): what both hold alike is agreed, what one side lacks the other gives,
 * what both hold differently is a conflict for review. A clean local copy of that remote item,
 * brought in before, is the same item and goes; a copy with local edits keeps its link, and this
 * item is refused rather than merged into two.
 */
export function linkMatched(ctx: ApplyContext, itemId: number, remote: RemoteItem): ApplyOutcome {
  const { store, replicas, tracker } = ctx;
  const local = store.getItem(tracker.id, itemId, { includeDeleted: true });
  if (!local || local.deleted) return 'unchanged';
  const copy = replicas.itemByRemoteId(tracker.id, remote.remoteId);
  if (copy && copy.itemId !== itemId) {
    const copyItem = store.getItem(tracker.id, copy.itemId, { includeDeleted: true });
    if (copyItem && localChangeOf(tracker.fields, copyItem, copy) !== null) {
      throw new Error(`its key values are those of remote item ${remote.remoteId}, already item ${copy.itemId} here with local changes: merge the two by hand (edit item ${copy.itemId}, delete item ${itemId})`);
    }
    if (copyItem && !copyItem.deleted) store.tombstoneItem(tracker.id, copy.itemId, ctx.by);
    replicas.deleteItemState(copy.itemId);
  }
  const decision = decideItem({
    fields: tracker.fields,
    base: { state: EMPTY_BASE, version: null },
    local: stateOf(local),
    remote: { state: remote.state, version: remote.version },
  });
  carryOut(ctx, remote, replicas.itemState(itemId), local, decision);
  return decision.outcome;
}
