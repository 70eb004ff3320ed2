/**
 * Fields the remote removed (DESIGN §13): the clone drops them too, except where it holds an
 * unpushed value of one, which becomes a conflict of kind `field-removed` (never a silent loss)
 * and keeps the field here until the user decides. A field the remote no longer has leaves the
 * local schema once no item holds a value in it.
 */
import type { FieldConflict, ItemConflict } from '../../shared/merge/index.js';
import type { FieldDef } from '../../shared/model/fields.js';
import { valuesEqual } from '../../shared/model/values.js';
import type { SqliteStore, Tracker } from '../../server/store/index.js';
import type { ItemSyncState, ReplicaState } from '../replica/index.js';

/** The item's conflict with `entry` added: to its field conflicts, or as a new field-removed conflict; a deletion conflict stays as it is. */
function withEntry(conflict: ItemConflict | null, entry: FieldConflict, remoteVersion: number): ItemConflict | null {
  if (!conflict) return { kind: 'field-removed', fields: [entry], remoteVersion };
  if (conflict.kind === 'fields' || conflict.kind === 'field-removed') return { ...conflict, fields: [...conflict.fields.filter((f) => f.name !== entry.name), entry] };
  return conflict;
}

/** Whether an item's value of `field` is an unpushed one: a new item's, or one that differs from its base. */
function unpushed(field: FieldDef, value: unknown, sync: ItemSyncState | undefined): boolean {
  if (!sync || sync.remoteId === null || !sync.base) return true;
  return !valuesEqual(field.type, value, sync.base.values[field.name]);
}

/** Turns the unpushed values of one removed field into conflicts; returns the items that keep it. */
function conflictsOf(store: SqliteStore, replicas: ReplicaState, tracker: Tracker, field: FieldDef): number[] {
  const held: number[] = [];
  // Only items that may differ from their base can hold an unpushed value.
  for (const id of replicas.candidateItemIds(tracker.id)) {
    const item = store.getItem(tracker.id, id);
    const value = item?.values[field.name];
    if (!item || value === undefined) continue;
    const sync = replicas.itemState(id);
    if (sync?.conflict?.kind === 'remote-deleted' || sync?.conflict?.kind === 'local-deleted') {
      held.push(id);
      continue;
    }
    if (!unpushed(field, value, sync)) continue;
    held.push(id);
    const entry: FieldConflict = { name: field.name, base: sync?.base?.values[field.name] ?? null, local: value, remote: null, removed: true };
    const state: ItemSyncState = sync ?? { itemId: id, trackerId: tracker.id, remoteId: null, baseVersion: null, base: null, createKey: null, conflict: null, syncedSeq: 0 };
    replicas.putItemState({ ...state, conflict: withEntry(state.conflict, entry, state.baseVersion ?? 0), syncedSeq: 0 });
  }
  return held;
}

/**
 * Retires the fields the remote removed: every value as the remote last had it goes, with the
 * field; an unpushed value stays, as a conflict. Returns the fields some item still holds (they
 * stay in the local schema, no longer applied); must run in a store transaction.
 */
export function retireFields(store: SqliteStore, replicas: ReplicaState, tracker: Tracker, names: readonly string[]): { held: string[]; conflicts: number } {
  const held: string[] = [];
  let conflicts = 0;
  for (const field of tracker.fields.filter((f) => names.includes(f.name))) {
    const keep = conflictsOf(store, replicas, tracker, field);
    replicas.stripField(tracker.id, field.name, keep);
    if (keep.length > 0) held.push(field.name);
    conflicts += keep.length;
  }
  return { held, conflicts };
}

/** Drops from the local schema the fields the remote no longer has and no item holds any more (after a conflict on them was decided). */
export function dropUnheldFields(store: SqliteStore, replicas: ReplicaState, trackerId: number): void {
  const replica = replicas.getReplica(trackerId);
  if (!replica) return;
  const remote = new Set(replica.remoteFields.map((f) => f.name));
  const tracker = store.getTracker(trackerId);
  const gone = new Set(tracker.fields.filter((f) => !remote.has(f.name) && !replicas.fieldHeld(trackerId, f.name)).map((f) => f.name));
  if (gone.size === 0) return;
  store.setTrackerFields(trackerId, tracker.fields.filter((f) => !gone.has(f.name)));
  replicas.setSchema(trackerId, { ...replica, mappings: replica.mappings.filter((m) => !gone.has(m.name)) });
}
