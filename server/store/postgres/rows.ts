/** Rows of the hub's PostgreSQL tables and the records they become (int8 already numbers, booleans booleans). */
import type { ItemStatus } from '../../../shared/model/fields.js';
import type { Values } from '../../../shared/model/values.js';
import type { Item, User } from '../types.js';

export { type TrackerRow, toTracker } from '../tracker-row.js';

export interface ItemRow {
  id: number;
  tracker_id: number;
  status: string;
  values_json: string;
  version: number;
  seq: number;
  deleted: boolean;
  updated_at: string;
  updated_by: string | null;
}

export interface UserRow {
  name: string;
  password_hash: string;
  admin: boolean;
  created_at: string;
}

export const ITEM_COLUMNS = 'id, tracker_id, status, values_json, version, seq, deleted, updated_at, updated_by';

export const toItem = (row: ItemRow): Item => ({
  id: row.id,
  trackerId: row.tracker_id,
  status: row.status as ItemStatus,
  values: JSON.parse(row.values_json) as Values,
  version: row.version,
  seq: row.seq,
  deleted: row.deleted,
  updatedAt: row.updated_at,
  updatedBy: row.updated_by,
});

export const toUser = (row: UserRow): User => ({ name: row.name, admin: row.admin, createdAt: row.created_at });
