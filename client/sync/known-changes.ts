/**
 * Changes a clone already holds: the echo of its own push coming back on the live feed (the
 * remote's item at the very version this clone agreed on), or the tombstone of an item it never
 * had. Applying one decides "nothing to do"; a live sync moves its token past a batch of them
 * without a run, so a push is not followed by a logged run that only says it saw itself.
 */
import { type FeedEntry, isLeftMarker } from '../../shared/api/schemas.js';
import type { SqliteStore } from '../../server/store/index.js';
import type { ReplicaState } from '../replica/index.js';

/** Whether applying `change` would leave the clone exactly as it is. */
export function isKnown(replicas: ReplicaState, trackerId: number, change: FeedEntry): boolean {
  const sync = replicas.itemByRemoteId(trackerId, change.id);
  // A left marker of an item this partial clone never had, like a tombstone of one, changes nothing.
  if (!sync) return isLeftMarker(change) || change.deleted === true;
  if (isLeftMarker(change)) return false;
  return sync.conflict === null && sync.base !== null && sync.baseVersion === change.version;
}

/** When every change is known, moves the token past them (one transaction) and returns true; otherwise changes nothing. */
export function skipKnown(store: SqliteStore, replicas: ReplicaState, trackerId: number, changes: readonly FeedEntry[]): boolean {
  if (changes.length === 0 || !changes.every((change) => isKnown(replicas, trackerId, change))) return false;
  store.transaction(() => {
    const replica = replicas.requireReplica(trackerId);
    replicas.setToken(trackerId, Math.max(replica.token, ...changes.map((change) => change.seq)));
  });
  return true;
}
