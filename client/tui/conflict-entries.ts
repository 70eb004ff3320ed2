/** The conflicts of a tracker as the conflict review shows them: one entry per conflicting field, or one per item-level conflict. */
import { itemTitle } from '../../shared/model/title.js';
import type { Values } from '../../shared/model/values.js';
import type { SqliteStore, Tracker } from '../../server/store/index.js';
import { type StatusConflict, status } from '../sync/status.js';
import { type ConflictEntry, conflictEntries as entriesOfConflict } from './state/conflict-review.js';

/** An item's values, deleted items included (a conflict may be about a deletion). */
export function valuesOf(store: SqliteStore, trackerId: number, itemId: number): Values {
  return store.getItem(trackerId, itemId, { includeDeleted: true })?.values ?? {};
}

/** Every conflicting field of the tracker's conflicts (or of the given items), for review. */
export function conflictEntries(store: SqliteStore, trackerId: number, itemIds?: readonly number[]): ConflictEntry[] {
  const tracker = store.getTracker(trackerId);
  const wanted = itemIds ? new Set(itemIds) : null;
  return status(store, trackerId)
    .conflicts.filter((c) => !wanted || wanted.has(c.id))
    .flatMap((c) => entriesOf(store, tracker, c));
}

function entriesOf(store: SqliteStore, tracker: Tracker, conflict: StatusConflict): ConflictEntry[] {
  return entriesOfConflict(tracker.fields, conflict, itemTitle(tracker.fields, valuesOf(store, tracker.id, conflict.id)));
}
