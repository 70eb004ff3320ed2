/** The rows of the clone side's tables and the records they become: replicas and per-item sync state. */
import type { FieldDef, ItemStatus } from '../../shared/model/fields.js';
import type { FieldMapping } from '../../shared/model/transform.js';
import type { Values } from '../../shared/model/values.js';
import type { BaseState, ItemConflict } from '../../shared/merge/index.js';

export interface Replica {
  trackerId: number;
  remoteName: string;
  remoteTrackerId: number;
  remoteTrackerName: string;
  remoteSchemaHash: string;
  /** The remote's fields as last accepted (at the clone or the last schema change handled). */
  remoteFields: FieldDef[];
  mappings: FieldMapping[];
  /** The last applied change token: the remote `seq` of the last change applied locally. */
  token: number;
  clonedAt: string;
  lastSyncAt: string | null;
  /** A partial clone's selector (JSON, as given to `clone --where`), sent on every feed request; null for a full clone. */
  where: string | null;
}

export interface ItemSyncState {
  itemId: number;
  trackerId: number;
  /** null for a local item not yet created on the remote. */
  remoteId: number | null;
  baseVersion: number | null;
  /** The remote state (mapped to local fields) both sides last agreed on; null before the first push. */
  base: BaseState | null;
  /** Idempotency key of a create, stored before the request is sent so a retry never duplicates. */
  createKey: string | null;
  conflict: ItemConflict | null;
  /** The local item's seq when its base was last set: a cheap index of which items may have changed since. */
  syncedSeq: number;
  /** This clone pushed the item in a state its selector does not match (set after the push, cleared by any later write of the state). */
  pushedUnmatched?: true;
}

export interface ReplicaRow {
  tracker_id: number;
  remote_name: string;
  remote_tracker_id: number;
  remote_tracker_name: string;
  remote_schema_hash: string;
  remote_fields: string;
  field_map: string;
  token: number;
  cloned_at: string;
  last_sync_at: string | null;
  where_json: string | null;
}

export interface ItemStateRow {
  item_id: number;
  tracker_id: number;
  remote_id: number | null;
  base_version: number | null;
  base_status: string | null;
  base_values: string | null;
  create_key: string | null;
  conflict: string | null;
  synced_seq: number;
  base_from_item: number;
  unmatched_push: number;
  /** The item's own status and values, read only when the base is the item itself. */
  item_status: string | null;
  item_values: string | null;
}

/** replica_items with what a base kept in the item itself needs from it. */
export const ITEM_STATE = `SELECT r.*, CASE WHEN r.base_from_item = 1 THEN i.status END AS item_status, CASE WHEN r.base_from_item = 1 THEN i.values_json END AS item_values
  FROM replica_items r JOIN items i ON i.id = r.item_id`;

export function toReplica(row: ReplicaRow): Replica {
  return {
    trackerId: row.tracker_id,
    remoteName: row.remote_name,
    remoteTrackerId: row.remote_tracker_id,
    remoteTrackerName: row.remote_tracker_name,
    remoteSchemaHash: row.remote_schema_hash,
    remoteFields: JSON.parse(row.remote_fields) as FieldDef[],
    mappings: JSON.parse(row.field_map) as FieldMapping[],
    token: row.token,
    clonedAt: row.cloned_at,
    lastSyncAt: row.last_sync_at,
    where: row.where_json,
  };
}

export function toItemState(row: ItemStateRow): ItemSyncState {
  return {
    itemId: row.item_id,
    trackerId: row.tracker_id,
    remoteId: row.remote_id,
    baseVersion: row.base_version,
    base:
      row.base_from_item === 1
        ? { status: row.item_status as ItemStatus, values: JSON.parse(row.item_values!) as Values }
        : row.base_values === null
          ? null
          : { status: row.base_status as ItemStatus | null, values: JSON.parse(row.base_values) as Values },
    createKey: row.create_key,
    conflict: row.conflict === null ? null : (JSON.parse(row.conflict) as ItemConflict),
    syncedSeq: row.synced_seq,
    ...(row.unmatched_push === 1 ? { pushedUnmatched: true as const } : {}),
  };
}

