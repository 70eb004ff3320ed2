/** The sync log's state: the tracker's runs, read again each time the screen comes back on top, and its keys. */
import { useReducer, useState } from 'react';
import type { Tracker } from '../../../server/store/index.js';
import { type Binding, moveBindings } from '../keys.js';
import { type SyncLogState, initialSyncLog, logHeight, syncLogReducer } from '../state/sync-log.js';
import { useEngine } from './use-engine.js';
import { type ListCursorControl, useListCursor } from './use-list-cursor.js';
import { useNavigation } from './use-navigation.js';
import { useOnActive } from './use-on-active.js';
import { useScreenSize } from './use-screen-size.js';

export interface SyncLogScreen {
  tracker: Tracker;
  state: SyncLogState;
  list: ListCursorControl;
  height: number;
  bindings: Binding[];
}

export function useSyncLog(trackerId: number): SyncLogScreen {
  const engine = useEngine();
  const navigation = useNavigation();
  const { rows: screenRows } = useScreenSize();
  const [tracker] = useState(() => engine.tracker(trackerId));
  const [state, dispatch] = useReducer(syncLogReducer, undefined, () => initialSyncLog(engine.log(trackerId)));
  const height = logHeight(state, screenRows);
  const list = useListCursor(state.runs.length, height);

  useOnActive(() => dispatch({ type: 'runs', runs: engine.log(trackerId) }));

  const bindings: Binding[] = [
    ...moveBindings(list.move, height),
    { keys: ['enter'], label: state.details ? 'hide report' : 'report', help: 'show or hide the full report of the run under the cursor', run: () => dispatch({ type: 'toggle-details' }) },
    { keys: ['esc', 'q'], label: 'back', run: () => navigation.back() },
  ];
  return { tracker, state, list, height, bindings };
}
