/**
 * Resolve: the user's decision on a conflict the engine stored. For a field, the chosen value
 * becomes the local value and the remote value becomes the field's base (the user has seen
 * it), so a later push sends the choice against the right base. For a deletion against an
 * edit, the item is deleted, restored, kept deleted, or turned back into a new local item.
 */
import { BadInput, NotFound } from '../../shared/errors.js';
import { type BaseState, type ItemState, STATUS_FIELD_DEF, sameState } from '../../shared/merge/index.js';
import { CONFLICT_KIND_LABEL } from '../../shared/merge/labels.js';
import { type FieldDef, type ItemStatus, STATUS_FIELD, clipText } from '../../shared/model/fields.js';
import { parseFieldText } from '../../shared/model/parse.js';
import { type FieldValue, type Values, canonicalValues, describe, validateValue } from '../../shared/model/values.js';
import type { Item, SqliteStore, Tracker } from '../../server/store/index.js';
import { type ItemConflict, type ItemSyncState, ReplicaState, stateOf } from '../replica/index.js';
import { dropUnheldFields } from './retire.js';

export const TAKE = ['local', 'remote', 'base', 'value'] as const;
export type Take = (typeof TAKE)[number];

export interface ResolveChoice {
  /** The conflicting field; omitted for an item-level conflict, or to resolve every field alike. */
  field?: string;
  take: Take;
  /** With take 'value': the new value, as JSON-ish data or as text parsed per field type. */
  value?: unknown;
}

export type ResolveAction = 'fields' | 'deleted' | 'restored' | 'kept-deleted' | 'kept-as-new' | 'dropped' | 'kept-local';

export interface ResolveResult {
  id: number;
  kind: ItemConflict['kind'];
  action: ResolveAction;
  /** Fields decided by this call, and those still in conflict. */
  resolved: string[];
  remaining: string[];
  /** The item after the decision; null when it is now deleted. */
  item: { id: number; status: string; version: number; values: Values } | null;
}

/** Refuses a value for `field`, the field named both in the message and in the problem. */
function refuse(field: FieldDef, reason: string): never {
  throw BadInput.from([{ field: field.name, reason }], `invalid value for "${field.name}"`);
}

/** A value given as text (`--value`, the TUI) is read by the shared parser; data (JSON-ish) is validated as it is. */
function checkedValue(field: FieldDef, raw: unknown): FieldValue {
  let input = raw;
  if (typeof raw === 'string') {
    const parsed = parseFieldText(field, raw);
    if (!parsed.ok) refuse(field, parsed.reason);
    input = parsed.value;
  }
  const check = validateValue(field, input);
  if (!check.ok) refuse(field, check.reason);
  if (check.value === null && field.required) refuse(field, 'required; it cannot be empty');
  return check.value;
}

function toResultItem(item: Item | undefined): ResolveResult['item'] {
  return item && !item.deleted ? { id: item.id, status: item.status, version: item.version, values: item.values } : null;
}

function withField<S extends BaseState>(state: S, fields: readonly FieldDef[], name: string, value: FieldValue): S {
  if (name === STATUS_FIELD) return { ...state, status: (value ?? state.status) as ItemStatus, values: state.values };
  return { ...state, values: canonicalValues(fields, { ...state.values, [name]: value }) };
}

function fieldValue(state: ItemState, name: string): FieldValue {
  return name === STATUS_FIELD ? state.status : (state.values[name] ?? null);
}

/** Writes the sync state; the item is marked clean (synced at its seq) only when it equals its base. */
function remember(replicas: ReplicaState, tracker: Tracker, item: Item, sync: ItemSyncState): void {
  const clean = sync.base !== null && !item.deleted && sync.conflict === null && sameState(tracker.fields, stateOf(item), sync.base);
  replicas.putItemState({ ...sync, syncedSeq: clean ? item.seq : 0 });
}

function resolveFields(store: SqliteStore, replicas: ReplicaState, tracker: Tracker, item: Item, sync: ItemSyncState, choice: ResolveChoice): ResolveResult {
  const conflict = sync.conflict;
  // A field the remote removed may be held by a new item, which has no base.
  if (!(conflict?.kind === 'fields' && sync.base) && conflict?.kind !== 'field-removed') throw new Error('resolveFields needs a field conflict');
  if (item.deleted) throw new BadInput(`item ${item.id} was deleted locally after its conflict was found; restore it or reload first`, [{ field: 'item', reason: 'deleted locally' }]);
  const names = conflict.fields.map((f) => f.name);
  let chosen = names;
  if (choice.field !== undefined) {
    const known = choice.field === STATUS_FIELD || tracker.fields.some((f) => f.name === choice.field);
    if (!known) throw new BadInput(`unknown field "${clipText(choice.field)}" in tracker "${tracker.name}"`, [{ field: '--field', reason: 'no such field in the tracker' }]);
    if (!names.includes(choice.field)) throw new BadInput(`field "${choice.field}" of item ${item.id} is not in conflict; conflicting: ${names.join(', ')}`, [{ field: '--field', reason: 'not in conflict' }]);
    chosen = [choice.field];
  } else if (choice.take === 'value' && names.length > 1) {
    throw new BadInput(`item ${item.id} has ${names.length} conflicting fields (${names.join(', ')}); name one with --field to give it a value`, [{ field: '--field', reason: 'required with --take value when several fields conflict' }]);
  }
  const removed = conflict.fields.filter((f) => f.removed && chosen.includes(f.name)).map((f) => f.name);
  if (removed.length > 0 && choice.take !== 'local' && choice.take !== 'remote') {
    throw new BadInput(`field ${removed.join(', ')} of item ${item.id} was removed on the remote: take local (keep the value here, a field of this clone only) or remote (drop it)`, [
      { field: '--take', reason: 'local or remote for a field the remote removed' },
    ]);
  }
  let local = stateOf(item);
  let base = sync.base;
  for (const name of chosen) {
    const entry = conflict.fields.find((f) => f.name === name);
    if (!entry) continue;
    const def = name === STATUS_FIELD ? STATUS_FIELD_DEF : (tracker.fields.find((f) => f.name === name) as FieldDef);
    const value =
      choice.take === 'local' ? fieldValue(local, name) : choice.take === 'remote' ? entry.remote : choice.take === 'base' ? entry.base : checkedValue(def, choice.value);
    local = withField(local, tracker.fields, name, value);
    // The user has now seen the remote value: it is the base a later push must name. A value kept
    // of a removed field is agreed to stay here: it is its own base, never a change to push.
    if (base) base = withField(base, tracker.fields, name, entry.removed ? value : entry.remote);
  }
  const remaining = conflict.fields.filter((f) => !chosen.includes(f.name));
  const saved = sameState(tracker.fields, local, stateOf(item)) ? item : store.saveItem(tracker.id, item.id, local, null);
  const next: ItemSyncState = { ...sync, base, conflict: remaining.length > 0 ? { ...conflict, fields: remaining } : null };
  remember(replicas, tracker, saved, next);
  if (removed.length > 0) dropUnheldFields(store, replicas, tracker.id);
  return { id: item.id, kind: conflict.kind, action: 'fields', resolved: chosen, remaining: remaining.map((f) => f.name), item: toResultItem(saved) };
}

function resolveDeletion(store: SqliteStore, replicas: ReplicaState, tracker: Tracker, item: Item, sync: ItemSyncState, choice: ResolveChoice): ResolveResult {
  const conflict = sync.conflict;
  if (!conflict || conflict.kind === 'fields' || conflict.kind === 'field-removed') throw new Error('resolveDeletion needs an item-level conflict');
  const what = CONFLICT_KIND_LABEL[conflict.kind];
  if (choice.field !== undefined) throw new BadInput(`item ${item.id}: ${what}; resolve the whole item, without --field`, [{ field: '--field', reason: 'not for an item-level conflict' }]);
  if (choice.take !== 'local' && choice.take !== 'remote') throw new BadInput(`item ${item.id}: ${what}; take local or remote`, [{ field: '--take', reason: 'local or remote for an item-level conflict' }]);
  const done = (action: ResolveAction, after: Item | undefined): ResolveResult => ({ id: item.id, kind: conflict.kind, action, resolved: [], remaining: [], item: toResultItem(after) });

  if (conflict.kind === 'remote-deleted') {
    if (choice.take === 'remote') {
      if (!item.deleted) store.tombstoneItem(tracker.id, item.id, null);
      replicas.deleteItemState(item.id);
      return done('deleted', undefined);
    }
    // The remote item is gone: the local one lives on as a new item, which push creates again.
    replicas.putItemState({ itemId: item.id, trackerId: tracker.id, remoteId: null, baseVersion: null, base: null, createKey: null, conflict: null, syncedSeq: 0 });
    return done('kept-as-new', item);
  }
  if (conflict.kind === 'left') return resolveLeft(store, replicas, tracker, item, sync, choice.take, done);
  const remoteState = conflict.remote;
  const next: ItemSyncState = { ...sync, base: remoteState, baseVersion: conflict.remoteVersion, conflict: null };
  if (choice.take === 'remote') {
    const restored = store.saveItem(tracker.id, item.id, remoteState, null);
    remember(replicas, tracker, restored, next);
    return done('restored', restored);
  }
  // Keep the delete against the remote's current version: push then deletes what the user saw.
  remember(replicas, tracker, item, next);
  return done('kept-deleted', undefined);
}

/**
 * An edited item that left the clone's filter. Take remote: the copy goes, as it would have
 * without the edit (nothing is deleted on the remote). Take local: the edit (or the local delete)
 * stays to be pushed against the old base; once pushed, the item leaves on a later reload if it
 * still does not match, or stays if the edit made it match again.
 */
function resolveLeft(store: SqliteStore, replicas: ReplicaState, tracker: Tracker, item: Item, sync: ItemSyncState, take: Take, done: (action: ResolveAction, after: Item | undefined) => ResolveResult): ResolveResult {
  if (take === 'remote') {
    if (!item.deleted) store.tombstoneItem(tracker.id, item.id, null);
    replicas.deleteItemState(item.id);
    return done('dropped', undefined);
  }
  remember(replicas, tracker, item, { ...sync, conflict: null });
  return done(item.deleted ? 'kept-deleted' : 'kept-local', item);
}

/** Applies the user's decision on one item's conflict, in one transaction. */
export function resolve(store: SqliteStore, trackerRef: string | number, itemId: number, choice: ResolveChoice): ResolveResult {
  if (!(TAKE as readonly string[]).includes(choice.take)) throw new BadInput(`--take must be one of ${TAKE.join(', ')}, got ${describe(choice.take)}`, [{ field: '--take', reason: 'unknown side' }]);
  if (choice.take === 'value' && choice.value === undefined) throw new BadInput('--take value needs --value V', [{ field: '--value', reason: 'required with --take value' }]);
  if (choice.take !== 'value' && choice.value !== undefined) throw new BadInput(`--value goes with --take value, not --take ${choice.take}`, [{ field: '--value', reason: 'only with --take value' }]);
  const replicas = new ReplicaState(store);
  const replica = replicas.requireReplica(trackerRef);
  return store.transaction(() => {
    const tracker = store.getTracker(replica.trackerId);
    const item = store.getItem(tracker.id, itemId, { includeDeleted: true });
    if (!item) throw new NotFound(`unknown item ${itemId} in tracker "${tracker.name}"`);
    const sync = replicas.itemState(item.id);
    if (!sync?.conflict) throw new BadInput(`item ${itemId} of tracker "${tracker.name}" has no conflict to resolve`, [{ field: 'item', reason: 'no conflict' }]);
    return sync.conflict.kind === 'fields' || sync.conflict.kind === 'field-removed'
      ? resolveFields(store, replicas, tracker, item, sync, choice)
      : resolveDeletion(store, replicas, tracker, item, sync, choice);
  });
}
