/** The sync screen's state, its reload and push under Ctrl-C, and its keys. */
import { type Dispatch, useCallback, useEffect, useReducer, useState } from 'react';
import type { Tracker } from '../../../server/store/index.js';
import { type RetryNotice, formatRetry } from '../../remote/retry.js';
import type { Report } from '../../sync/report.js';
import type { TuiEngine } from '../engine.js';
import { type Binding, moveBindings } from '../keys.js';
import { NOTHING_SELECTED, type RunKind, type SyncAction, type SyncState, initialSync, openRoute, selectedIds, syncReducer } from '../state/sync.js';
import { useEngine } from './use-engine.js';
import { type Navigation, useNavigation } from './use-navigation.js';
import { useOnActive } from './use-on-active.js';
import { useScreenSize } from './use-screen-size.js';
import { useTask } from './use-task.js';

export interface SyncScreen {
  tracker: Tracker;
  /** Where the clone syncs from. */
  info: ReturnType<TuiEngine['replicaInfo']>;
  state: SyncState;
  bindings: Binding[];
}

export function useSync(trackerId: number): SyncScreen {
  const engine = useEngine();
  const navigation = useNavigation();
  const { rows: screenRows } = useScreenSize();
  const [tracker] = useState(() => engine.tracker(trackerId));
  const [info, setInfo] = useState(() => engine.replicaInfo(trackerId));
  // Room for the header, the report (or progress bar), the help bar.
  const height = Math.max(5, screenRows - 11);
  const [state, dispatch] = useReducer(syncReducer, height, (h) => syncReducer(initialSync(h), { type: 'rows', rows: engine.syncRows(trackerId) }));

  const refresh = useCallback(() => {
    try {
      dispatch({ type: 'rows', rows: engine.syncRows(trackerId) });
      setInfo(engine.replicaInfo(trackerId));
    } catch (error) {
      dispatch({ type: 'failed', error });
    }
  }, [engine, trackerId]);

  useOnActive(refresh);
  useEffect(() => dispatch({ type: 'resize', height }), [height]);
  const runs = useRuns(engine, trackerId, dispatch, refresh);
  const push = () => {
    const ids = selectedIds(state);
    if (ids.length === 0) dispatch({ type: 'notice', notice: NOTHING_SELECTED });
    else runs.push(ids);
  };
  return { tracker, info, state, bindings: syncBindings(state, dispatch, navigation, trackerId, height, { reload: runs.reload, push }) };
}

/** Reload and push as tasks Ctrl-C cancels; the lists are read again after either, also after a failure (what was applied stays). */
function useRuns(engine: TuiEngine, trackerId: number, dispatch: Dispatch<SyncAction>, refresh: () => void): { reload(): void; push(ids: number[]): void } {
  const runTask = useTask();
  const run = (kind: RunKind, work: (signal: AbortSignal) => Promise<Report>) => {
    dispatch({ type: 'start', kind });
    void runTask(work).then(
      (report) => {
        dispatch({ type: 'finished', kind, report });
        refresh();
      },
      (error: unknown) => {
        dispatch({ type: 'failed', error });
        refresh();
      },
    );
  };
  const onProgress = (done: number, total: number | undefined) => dispatch({ type: 'progress', done, total });
  const onRetry = (notice: RetryNotice) => dispatch({ type: 'retry', message: formatRetry(notice) });
  return {
    reload: () => run('reload', (signal) => engine.reload(trackerId, { signal, onProgress, onRetry })),
    push: (ids) => run('push', (signal) => engine.push(trackerId, ids, { signal, onProgress, onRetry })),
  };
}

function syncBindings(state: SyncState, dispatch: Dispatch<SyncAction>, navigation: Navigation, trackerId: number, height: number, run: { reload(): void; push(): void }): Binding[] {
  if (state.running) return [{ keys: [], show: 'Ctrl-C', label: `cancel the ${state.running.kind} (what was applied stays)` }];
  const open = () => {
    const route = openRoute(state, trackerId);
    if (route) navigation.push(route);
  };
  return [
    ...moveBindings((delta) => dispatch({ type: 'move', delta }), height),
    { keys: ['space'], label: 'toggle', help: 'select or unselect the item under the cursor (a conflict is resolved first)', run: () => dispatch({ type: 'toggle' }) },
    { keys: ['a'], label: 'all clean', help: 'select all clean items (new and modified without conflicts); again to unselect', run: () => dispatch({ type: 'select-all-clean' }) },
    { keys: ['p'], label: 'push', help: 'push the selected items to the remote', run: run.push },
    { keys: ['r'], label: 'reload', help: "reload: bring the remote's changes in", run: run.reload },
    { keys: ['enter'], label: 'open', help: 'view the item, or review its conflict', run: open },
    { keys: ['L'], label: 'log', help: 'the sync log of this tracker', run: () => navigation.push({ screen: 'log', trackerId }), minor: true },
    { keys: ['esc', 'q'], label: 'back', run: () => navigation.back() },
  ];
}
