/** Store records in their wire shapes (DESIGN §5). */
import type { Change, ItemBody, TrackerSchemaBody, TrackerSummary } from '../../shared/api/schemas.js';
import type { Item, Tracker } from './types.js';

export function itemToWire(item: Item): ItemBody {
  return { id: item.id, status: item.status, version: item.version, values: item.values, updatedAt: item.updatedAt, updatedBy: item.updatedBy };
}

/** An item as a change of the feed; a tombstone carries `deleted: true` and no values. */
export function itemToChange(item: Item): Change {
  if (item.deleted) return { ...itemToWire(item), values: {}, seq: item.seq, deleted: true };
  return { ...itemToWire(item), seq: item.seq };
}

export function trackerToWire(tracker: Tracker): TrackerSchemaBody {
  return {
    id: tracker.id,
    name: tracker.name,
    description: tracker.description,
    fields: tracker.fields.map((f) => ({ ...f })),
    statuses: tracker.statuses,
    schemaHash: tracker.schemaHash,
  };
}

export function trackerSummary(tracker: Tracker): TrackerSummary {
  return { id: tracker.id, name: tracker.name, description: tracker.description, schemaHash: tracker.schemaHash };
}
