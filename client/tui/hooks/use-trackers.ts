/** The trackers screen's state, its refresh each time it comes back on top, and its keys. */
import { useReducer } from 'react';
import type { TrackerRow } from '../engine.js';
import { type Binding, moveBindings } from '../keys.js';
import { type TrackersState, initialTrackers, nothingToSync, trackersReducer } from '../state/trackers.js';
import { useEngine } from './use-engine.js';
import { type ListCursorControl, useListCursor } from './use-list-cursor.js';
import { type Navigation, useNavigation } from './use-navigation.js';
import { useOnActive } from './use-on-active.js';
import { useScreenSize } from './use-screen-size.js';
import { useTrackerCsv } from './use-tracker-csv.js';

export interface TrackersScreen {
  state: TrackersState;
  list: ListCursorControl;
  /** Rows of trackers shown at a time. */
  height: number;
  dataDir: string;
  bindings: Binding[];
  /** The file name typed for a CSV import or export. */
  onCsvPath(text: string): void;
}

export function useTrackers(): TrackersScreen {
  const engine = useEngine();
  const navigation = useNavigation();
  const { rows: screenRows } = useScreenSize();
  const [state, dispatch] = useReducer(trackersReducer, undefined, () => initialTrackers(engine.trackers()));
  const height = Math.max(3, screenRows - 7);
  const list = useListCursor(state.trackers.length, height);

  // A clone, an edit or a sync elsewhere may have changed the counts.
  const load = () => {
    try {
      dispatch({ type: 'loaded', trackers: engine.trackers() });
    } catch (error) {
      dispatch({ type: 'failed', error });
    }
  };
  useOnActive(load);
  const csv = useTrackerCsv(state, dispatch, load);

  const current = state.trackers[list.cursor];
  const withCurrent = (action: (row: TrackerRow) => void) => () => {
    dispatch({ type: 'notice', notice: null });
    if (current) action(current);
  };
  const ifClone = (action: (row: TrackerRow) => void) =>
    withCurrent((row) => {
      const notice = nothingToSync(row);
      if (notice) dispatch({ type: 'notice', notice });
      else action(row);
    });
  const bindings = csv.confirming ?? [...trackersBindings(navigation, list.move, height, withCurrent, ifClone), ...csv.bindings(current)];
  return { state, list, height, dataDir: engine.dataDir, bindings, onCsvPath: csv.onPath };
}

type OnRow = (action: (row: TrackerRow) => void) => () => void;

function trackersBindings(navigation: Navigation, move: (delta: number) => void, height: number, withCurrent: OnRow, ifClone: OnRow): Binding[] {
  return [
    ...moveBindings(move, height),
    { keys: ['enter'], label: 'items', help: 'open the items of the tracker', run: withCurrent((row) => navigation.push({ screen: 'items', trackerId: row.id })) },
    { keys: ['s'], label: 'sync', help: 'the sync screen of the tracker under the cursor', run: ifClone((row) => navigation.push({ screen: 'sync', trackerId: row.id })) },
    { keys: ['c'], label: 'clone', help: 'clone a tracker from a remote', run: () => navigation.push({ screen: 'clone' }) },
    { keys: ['i'], label: 'remotes', help: 'this instance and its remotes', run: () => navigation.push({ screen: 'remotes' }) },
    { keys: ['f'], label: 'fields', help: 'the schema of the tracker under the cursor (edited on a local tracker)', run: withCurrent((row) => navigation.push({ screen: 'schema', trackerId: row.id })), minor: true },
    { keys: ['L'], label: 'log', help: 'the sync log of the tracker under the cursor', run: ifClone((row) => navigation.push({ screen: 'log', trackerId: row.id })), minor: true },
    { keys: ['q', 'esc'], label: 'quit', help: 'quit', run: () => navigation.back() },
  ];
}
