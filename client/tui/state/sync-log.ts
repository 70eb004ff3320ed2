/** The sync log's state (pure): the tracker's runs, newest first, and whether the report of the run under the cursor is open. */
import type { SyncRun } from '../../replica/index.js';

export interface SyncLogState {
  runs: SyncRun[];
  details: boolean;
}

export type SyncLogAction = { type: 'runs'; runs: SyncRun[] } | { type: 'toggle-details' };

export function initialSyncLog(runs: SyncRun[]): SyncLogState {
  return { runs, details: false };
}

export function syncLogReducer(state: SyncLogState, action: SyncLogAction): SyncLogState {
  switch (action.type) {
    case 'runs':
      return { ...state, runs: action.runs };
    case 'toggle-details':
      return { ...state, details: !state.details };
  }
}

/** Rows of the run list: fewer while a report takes the room under it. */
export function logHeight(state: SyncLogState, screenRows: number): number {
  return Math.max(3, screenRows - (state.details ? 14 : 6));
}
