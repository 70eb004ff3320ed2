/** The trackers screen's state (pure): the trackers listed, a notice for a key that cannot apply, a failed listing, a CSV import or export under way. */
import type { TrackerRow } from '../engine.js';

/** CSV in or out of the tracker under the cursor: the file asked for, then (an import) what its dry run found, waiting for Enter. */
export type CsvStep = { step: 'export' | 'import'; trackerId: number; name: string } | { step: 'confirm'; trackerId: number; name: string; path: string; preview: string };

export interface TrackersState {
  trackers: TrackerRow[];
  notice: string | null;
  error: unknown;
  csv: CsvStep | null;
}

export type TrackersAction =
  | { type: 'loaded'; trackers: TrackerRow[] }
  | { type: 'failed'; error: unknown }
  | { type: 'notice'; notice: string | null }
  | { type: 'csv'; csv: CsvStep | null };

export function initialTrackers(trackers: TrackerRow[]): TrackersState {
  return { trackers, notice: null, error: null, csv: null };
}

export function trackersReducer(state: TrackersState, action: TrackersAction): TrackersState {
  switch (action.type) {
    case 'loaded':
      return { ...state, trackers: action.trackers, error: null };
    case 'failed':
      return { ...state, error: action.error, csv: null };
    case 'csv':
      return { ...state, csv: action.csv, ...(action.csv ? { error: null, notice: null } : {}) };
    case 'notice':
      // Clearing a notice that is not shown changes nothing, so it draws nothing either.
      return action.notice === state.notice ? state : { ...state, notice: action.notice };
  }
}

/** Sync and the log need a remote: on a local tracker the key says why it does nothing. */
export function nothingToSync(row: TrackerRow): string | null {
  return row.remote ? null : `"${row.name}" is a local tracker: there is nothing to sync. Clone one with c.`;
}
