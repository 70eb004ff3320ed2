/**
 * What a clone holds that its remote does not (DESIGN §3, §9): decided here and only here, from
 * the item and its sync state, so `s15n status`, push and the TUI can never disagree about an
 * item. Nothing of it is stored; it is derived on demand.
 */
import { localChanges } from '../../shared/merge/index.js';
import type { ItemState } from '../../shared/merge/index.js';
import type { FieldDef } from '../../shared/model/fields.js';
import type { Item } from '../../server/store/index.js';
import type { ItemSyncState } from './rows.js';

/** new: never pushed; modified: differs from its base; deleted: deleted here, not yet on the remote; conflict: waits for the user. */
export type LocalChangeKind = 'new' | 'modified' | 'deleted' | 'conflict';

export interface LocalChange {
  kind: LocalChangeKind;
  /** For 'modified': the fields (and 'status') that differ from the base. */
  fields: string[];
}

export function stateOf(item: Item): ItemState {
  return { status: item.status, values: item.values };
}

/** The local change of an item of a cloned tracker, or null when it is as both sides last agreed. */
export function localChangeOf(fields: readonly FieldDef[], item: Item, sync: ItemSyncState | undefined): LocalChange | null {
  if (sync?.conflict) return { kind: 'conflict', fields: [] };
  // A local item deleted before it was ever pushed leaves nothing to do.
  if (!sync || sync.remoteId === null) return item.deleted ? null : { kind: 'new', fields: [] };
  if (item.deleted) return { kind: 'deleted', fields: [] };
  if (!sync.base) return null;
  const changed = localChanges(fields, sync.base, stateOf(item));
  return changed.length > 0 ? { kind: 'modified', fields: changed } : null;
}
