/**
 * What a push sends: for each selected item, by the one local-change rule of the replica state,
 * a create (with an idempotency key committed before anything is sent), an update (each changed
 * field with its base, so the remote refuses to overwrite what this clone has not seen) or a
 * delete (with its base version), and the local edits that cannot travel back.
 */
import { ulid } from 'ulid';
import type { PushChange } from '../../shared/api/schemas.js';
import { type FieldValue, type Values, valuesEqual } from '../../shared/model/values.js';
import { STATUS_FIELD } from '../../shared/model/fields.js';
import { type FieldMapping, isPushable } from '../../shared/model/transform.js';
import type { Item, SqliteStore, Tracker } from '../../server/store/index.js';
import { type ItemSyncState, type Replica, type ReplicaState, localChangeOf } from '../replica/index.js';

/** One item's planned change, with what it needs to settle the answer. */
export interface Planned {
  item: Item;
  change: PushChange;
  /** Local edits this change cannot carry (non-pushable fields): the item's error whatever the answer. */
  unpushable: string | null;
}

export interface Plan {
  planned: Planned[];
  unchanged: number[];
  /** Named items held back by an open conflict: counted as conflicts, not sent. */
  conflicted: number[];
  errors: { id: number; message: string }[];
}

export interface PlanOptions {
  /** Local item ids to push; without them, every local change without an open conflict. */
  items?: readonly number[];
  /** Push the named items even over a remote change (the remote grants it to the admin right only). */
  overwrite?: boolean;
}

function valueOf(item: { status: string | null; values: Values }, name: string): FieldValue {
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
  const fields: Record<string, { base: FieldValue; value: FieldValue }> = {};
  const unpushable: string[] = [];
  if (item.status !== base.status) fields[STATUS_FIELD] = { base: valueOf(base, STATUS_FIELD), value: item.status };
  for (const field of tracker.fields) {
    if (valuesEqual(field.type, item.values[field.name], base.values[field.name])) continue;
    if (!isPushable(mappings.get(field.name))) unpushable.push(field.name);
    else fields[field.name] = { base: valueOf(base, field.name), value: valueOf(item, field.name) };
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

/**
 * The sync state an item is pushed from. An open conflict holds the item back unless the user
 * named it with overwrite; keeping a local edit of an item the remote deleted means creating it again.
 */
function stateToPush(sync: ItemSyncState | undefined, named: boolean, overwrite: boolean): ItemSyncState | undefined | 'held' | 'skip' {
  if (!sync?.conflict) return sync;
  if (!named) return 'skip';
  if (!overwrite) return 'held';
  if (sync.conflict.kind === 'remote-deleted') return { ...sync, remoteId: null, baseVersion: null, base: null, conflict: null, createKey: null };
  return { ...sync, conflict: null };
}

/** Decides what each selected item sends; assigns (and remembers) create keys. Must run in a store transaction. */
export function planPush(store: SqliteStore, replicas: ReplicaState, tracker: Tracker, replica: Replica, options: PlanOptions): Plan {
  const plan: Plan = { planned: [], unchanged: [], conflicted: [], errors: [] };
  const mappings = new Map(replica.mappings.map((m) => [m.name, m]));
  const named = options.items !== undefined && options.items.length > 0;
  const overwrite = named && options.overwrite === true;
  const add = (item: Item, change: PushChange | null, unpushable: string[]) => {
    const message = unpushableMessage(unpushable, mappings);
    if (change) plan.planned.push({ item, change, unpushable: message });
    else if (message) plan.errors.push({ id: item.id, message });
    else if (named) plan.unchanged.push(item.id);
  };
  for (const id of named ? [...new Set(options.items)] : replicas.candidateItemIds(tracker.id)) {
    const item = store.getItem(tracker.id, id, { includeDeleted: true })!;
    const sync = stateToPush(replicas.itemState(id), named, overwrite);
    if (sync === 'skip') continue;
    if (sync === 'held') {
      plan.conflicted.push(id);
      continue;
    }
    switch (localChangeOf(tracker.fields, item, sync)?.kind) {
      case 'new': {
        const key = sync?.createKey ?? ulid();
        if (!sync?.createKey) replicas.putItemState({ itemId: id, trackerId: tracker.id, remoteId: null, baseVersion: null, base: null, createKey: key, conflict: null, syncedSeq: 0 });
        const { values, unpushable } = createOf(tracker, mappings, item);
        add(item, { op: 'create', idempotencyKey: key, status: item.status, values }, unpushable);
        break;
      }
      case 'deleted':
        add(item, { op: 'delete', id: sync!.remoteId!, baseVersion: sync!.baseVersion ?? 0, ...(overwrite ? { overwrite: true } : {}) }, []);
        break;
      case 'modified': {
        const { change, unpushable } = updateOf(tracker, mappings, item, sync!, overwrite);
        add(item, change, unpushable);
        break;
      }
      default:
        // In sync (or deleted before it was ever pushed): nothing to send.
        add(item, null, []);
    }
  }
  return plan;
}
