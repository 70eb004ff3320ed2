/** Edits as a user makes them: on the master (the changes a reload brings) or on a clone (the edits a push sends). */
import type { SqliteStore } from '../../server/store/index.js';
import { spread } from './items.js';

/** Item ids of a tracker in id order (the ids only: cheap even at a million). */
function itemIds(store: SqliteStore, trackerId: number): number[] {
  return store.db.prepare<[number], number>('SELECT id FROM items WHERE tracker_id = ? AND deleted = 0 ORDER BY id').pluck().all(trackerId);
}

/** Edits `count` items spread over the tracker (title and estimate), each its own change, in one transaction. */
export function editItems(store: SqliteStore, trackerRef: string | number, count: number, mark: string, by: string | null, offset = 0): number {
  const tracker = store.getTracker(trackerRef);
  const ids = itemIds(store, tracker.id);
  const chosen = spread(ids.length, count, offset).map((i) => ids[i]!);
  store.transaction(() => {
    for (const id of chosen) {
      const item = store.requireItem(tracker.id, id);
      store.updateItems(tracker.id, [id], { values: { title: `${String(item.values.title)} (${mark})`, estimate: Number(item.values.estimate ?? 0) + 1 } }, by);
    }
  });
  return chosen.length;
}
