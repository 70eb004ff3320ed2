/** Rows of the hub's SQLite tables and the records they become. */
import type { FieldDef, ItemStatus } from '../../../shared/model/fields.js';
import type { Values } from '../../../shared/model/values.js';
import type { Item, Tracker } from '../types.js';

export interface TrackerRow {
  id: number;
  name: string;
  description: string;
  fields: string;
  statuses: string;
  schema_hash: string;
  created_at: string;
}

export interface ItemRow {
  id: number;
  tracker_id: number;
  status: string;
  values_json: string;
  version: number;
  seq: number;
  deleted: number;
  updated_at: string;
  updated_by: string | null;
}

export const toTracker = (row: TrackerRow): Tracker => ({
  id: row.id,
  name: row.name,
  description: row.description,
  fields: JSON.parse(row.fields) as FieldDef[],
  statuses: JSON.parse(row.statuses) as ItemStatus[],
  schemaHash: row.schema_hash,
  createdAt: row.created_at,
});

export const toItem = (row: ItemRow): Item => ({
  id: row.id,
  trackerId: row.tracker_id,
  status: row.status as ItemStatus,
  values: JSON.parse(row.values_json) as Values,
  version: row.version,
  seq: row.seq,
  deleted: row.deleted === 1,
  updatedAt: row.updated_at,
  updatedBy: row.updated_by,
});

export { orderedValues } from '../field-order.js';
