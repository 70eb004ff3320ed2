/** The deletion rule of DESIGN §4, over every combination of who deleted and who changed the item. */
import { describe, expect, it } from 'vitest';
import { type DeletionOutcome, mergeDeletion } from '../../shared/merge/index.js';

// [localDeleted, localChanged, remoteDeleted, remoteChanged] -> outcome, all 16 rows.
const table: [boolean, boolean, boolean, boolean, DeletionOutcome][] = [
  [false, false, false, false, 'keep'],
  [false, false, false, true, 'keep'],
  [false, true, false, false, 'keep'],
  [false, true, false, true, 'keep'],
  [false, false, true, false, 'delete-local'],
  [false, false, true, true, 'delete-local'],
  [false, true, true, false, 'conflict'],
  [false, true, true, true, 'conflict'],
  [true, false, false, false, 'push-delete'],
  [true, true, false, false, 'push-delete'],
  [true, false, false, true, 'conflict'],
  [true, true, false, true, 'conflict'],
  [true, false, true, false, 'gone'],
  [true, false, true, true, 'gone'],
  [true, true, true, false, 'gone'],
  [true, true, true, true, 'gone'],
];

describe('mergeDeletion', () => {
  for (const [localDeleted, localChanged, remoteDeleted, remoteChanged, expected] of table) {
    const local = localDeleted ? 'local deleted' : localChanged ? 'local changed' : 'local unchanged';
    const remote = remoteDeleted ? 'remote deleted' : remoteChanged ? 'remote changed' : 'remote unchanged';
    const noted = (localDeleted && localChanged) || (remoteDeleted && remoteChanged) ? ' (a deleting side\'s "changed" flag is ignored)' : '';
    it(`${local}, ${remote} -> ${expected}${noted}`, () => {
      expect(mergeDeletion({ localDeleted, localChanged, remoteDeleted, remoteChanged })).toBe(expected);
    });
  }

  it('never lets a delete discard an edit of the other side', () => {
    for (const [localDeleted, localChanged, remoteDeleted, remoteChanged] of table) {
      const outcome = mergeDeletion({ localDeleted, localChanged, remoteDeleted, remoteChanged });
      if (remoteDeleted && !localDeleted && localChanged) expect(outcome).toBe('conflict');
      if (localDeleted && !remoteDeleted && remoteChanged) expect(outcome).toBe('conflict');
    }
  });
});
