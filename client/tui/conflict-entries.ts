/** The conflicts of a tracker as the conflict review shows them: one entry per conflicting field, or one per item-level conflict. */
import { CONFLICT_KIND_LABEL } from '../../shared/merge/labels.js';
import { STATUS_FIELD, STATUS_FIELD_DEF } from '../../shared/model/fields.js';
import { itemTitle } from '../../shared/model/title.js';
import type { Values } from '../../shared/model/values.js';
import type { SqliteStore, Tracker } from '../../server/store/index.js';
import { type StatusConflict, status } from '../sync/status.js';
import type { ConflictEntry } from './state/conflict-review.js';

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
  const title = itemTitle(tracker.fields, valuesOf(store, tracker.id, conflict.id));
  const labelOf = (name: string) => (name === STATUS_FIELD ? STATUS_FIELD_DEF.label : (tracker.fields.find((f) => f.name === name)?.label ?? name));
  const typeOf = (name: string) => (name === STATUS_FIELD ? 'dropdown' : (tracker.fields.find((f) => f.name === name)?.type ?? 'text'));
  if (conflict.kind !== 'fields') {
    return [
      {
        itemId: conflict.id,
        title,
        kind: conflict.kind,
        field: null,
        label: CONFLICT_KIND_LABEL[conflict.kind],
        type: 'item',
        base: null,
        local: null,
        remote: null,
        edited: conflict.fields.map((f) => ({ name: f.name, label: labelOf(f.name), base: f.base, local: f.local, remote: f.remote })),
      },
    ];
  }
  return conflict.fields.map((f) => ({
    itemId: conflict.id,
    title,
    kind: 'fields' as const,
    field: f.name,
    label: labelOf(f.name),
    type: typeOf(f.name),
    base: f.base,
    local: f.local,
    remote: f.remote,
    ...(f.hunks ? { hunks: f.hunks } : {}),
  }));
}
