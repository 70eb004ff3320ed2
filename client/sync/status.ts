/**
 * The state of a clone as Tiki's synchronization tab shows it: new local items, items modified
 * locally, items deleted locally, and items in conflict. Derived on demand for each candidate
 * item by the one local-change rule of the replica state; nothing here is a stored flag.
 */
import { STATUS_FIELD } from '../../shared/model/fields.js';
import { STATUS_FIELD_DEF, type TextHunk } from '../../shared/merge/index.js';
import type { ConflictKind } from '../../shared/merge/labels.js';
import { type FieldValue, type Values, valuesEqual } from '../../shared/model/values.js';
import type { Item, SqliteStore, Tracker } from '../../server/store/index.js';
import { type ItemSyncState, ReplicaState, localChangeOf, stateOf } from '../replica/index.js';

/** An item as status lists it (the `--json` ITEM shape). */
export interface StatusItem {
  id: number;
  status: string;
  version: number;
  values: Values;
}

export interface ConflictField {
  name: string;
  base: FieldValue;
  local: FieldValue;
  remote: FieldValue;
  hunks?: TextHunk[];
  /** Removed on the remote: local is the unpushed value this clone holds. */
  removed?: true;
}

export interface StatusConflict {
  id: number;
  /** fields: both sides edited; field-removed: the remote removed a field edited here; remote-deleted / local-deleted: one side deleted what the other edited; left: an item edited here no longer matches the clone's filter. */
  kind: ConflictKind;
  fields: ConflictField[];
}

export interface TrackerStatus {
  /** `where`: a partial clone's selector (DESIGN §12), null for a full clone. */
  tracker: { id: number; name: string; remote: string; remoteTrackerId: number; token: number; lastSyncAt: string | null; where: Record<string, unknown> | null };
  new: StatusItem[];
  modified: StatusItem[];
  deleted: StatusItem[];
  conflicts: StatusConflict[];
}

function toStatusItem(item: Item): StatusItem {
  return { id: item.id, status: item.status, version: item.version, values: item.values };
}

function valueOf(state: { status: string | null; values: Values } | null | undefined, name: string): FieldValue {
  if (!state) return null;
  return name === STATUS_FIELD ? state.status : (state.values[name] ?? null);
}

/** The conflict of an item for review; local values are read now, since the user may have edited since. */
export function describeConflict(tracker: Tracker, item: Item, sync: ItemSyncState): StatusConflict | null {
  const conflict = sync.conflict;
  if (!conflict) return null;
  const local = item.deleted ? null : stateOf(item);
  if (conflict.kind === 'fields' || conflict.kind === 'field-removed') {
    return {
      id: item.id,
      kind: conflict.kind,
      fields: conflict.fields.map((f) => ({
        name: f.name,
        base: f.base ?? null,
        local: valueOf(local, f.name),
        remote: f.remote ?? null,
        ...(f.hunks ? { hunks: f.hunks } : {}),
        ...(f.removed ? { removed: true as const } : {}),
      })),
    };
  }
  // A deletion against an edit: show the fields the editing side changed.
  const remote = conflict.kind === 'local-deleted' ? conflict.remote : null;
  const edited = conflict.kind === 'local-deleted' ? remote : local;
  const fields = [STATUS_FIELD_DEF, ...tracker.fields]
    .filter((field) => !valuesEqual(field.type, valueOf(edited, field.name), valueOf(sync.base, field.name)))
    .map(({ name }) => ({ name, base: valueOf(sync.base, name), local: valueOf(local, name), remote: valueOf(remote, name) }));
  return { id: item.id, kind: conflict.kind, fields };
}

export function status(store: SqliteStore, trackerRef: string | number): TrackerStatus {
  const replicas = new ReplicaState(store);
  const replica = replicas.requireReplica(trackerRef);
  const tracker = store.getTracker(replica.trackerId);
  const result: TrackerStatus = {
    tracker: {
      id: tracker.id,
      name: tracker.name,
      remote: replica.remoteName,
      remoteTrackerId: replica.remoteTrackerId,
      token: replica.token,
      lastSyncAt: replica.lastSyncAt,
      where: replica.where === null ? null : (JSON.parse(replica.where) as Record<string, unknown>),
    },
    new: [],
    modified: [],
    deleted: [],
    conflicts: [],
  };
  for (const id of replicas.candidateItemIds(tracker.id)) {
    const item = store.getItem(tracker.id, id, { includeDeleted: true });
    if (!item) continue;
    const sync = replicas.itemState(id);
    const change = localChangeOf(tracker.fields, item, sync);
    if (change?.kind === 'conflict') result.conflicts.push(describeConflict(tracker, item, sync!)!);
    else if (change?.kind === 'new') result.new.push(toStatusItem(item));
    else if (change?.kind === 'deleted') result.deleted.push(toStatusItem(item));
    else if (change?.kind === 'modified') result.modified.push(toStatusItem(item));
  }
  return result;
}
