/** The three-way rule for deletions (DESIGN §4): a delete wins only over a side that did not change the item. */

/**
 * - delete-local: remote deleted it and local did not change it: tombstone the local item;
 * - push-delete: local deleted it and remote did not change it: send the delete;
 * - conflict: one side deleted it while the other changed it: an item conflict for the user;
 * - gone: both deleted it: nothing left to do but drop the replica state;
 * - keep: neither deleted it: merge its fields with mergeItem.
 */
export type DeletionOutcome = 'delete-local' | 'keep' | 'conflict' | 'push-delete' | 'gone';

/** `localChanged` / `remoteChanged`: the side's state differs from the base (ignored for the side that deleted). */
export function mergeDeletion(args: { localDeleted: boolean; localChanged: boolean; remoteDeleted: boolean; remoteChanged: boolean }): DeletionOutcome {
  const { localDeleted, localChanged, remoteDeleted, remoteChanged } = args;
  if (localDeleted && remoteDeleted) return 'gone';
  // A delete never silently discards the other side's edit.
  if (remoteDeleted) return localChanged ? 'conflict' : 'delete-local';
  if (localDeleted) return remoteChanged ? 'conflict' : 'push-delete';
  return 'keep';
}
