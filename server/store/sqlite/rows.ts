/** Rows of the hub's SQLite tables and the records they become. */
import type { ItemStatus } from '../../../shared/model/fields.js';
import type { Values } from '../../../shared/model/values.js';
import type { Item } from '../types.js';

export { type TrackerRow, toTracker } from '../tracker-row.js';

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
