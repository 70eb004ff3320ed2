/** A row of the trackers table and the Tracker it is: the same columns on both engines (text, JSON in text). */
import type { FieldDef, ItemStatus } from '../../shared/model/fields.js';
import type { Tracker } from './types.js';

export interface TrackerRow {
  id: number;
  name: string;
  description: string;
  fields: string;
  statuses: string;
  schema_hash: string;
  created_at: string;
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
