/** The sync screen's state, its reload and push under Ctrl-C, live mode (`w`), and its keys. */
import { type Dispatch, useCallback, useEffect, useReducer, useRef, useState } from 'react';
import type { Tracker } from '../../../server/store/index.js';
import type { Report } from '../../sync/report.js';
import type { TuiEngine } from '../engine.js';
import { type Binding, moveBindings } from '../keys.js';
import { NOTHING_SELECTED, type RunKind, type SyncAction, type SyncState, initialSync, openRoute, selectedIds, syncReducer } from '../state/sync.js';
import { useEngine } from './use-engine.js';
import { type Navigation, useNavigation } from './use-navigation.js';
import { useOnActive } from './use-on-active.js';
import { useScreenSize } from './use-screen-size.js';
import { useStoreChange } from './use-store-change.js';
import { useTask } from './use-task.js';

export interface SyncScreen {
  tracker: Tracker;
  /** Where the clone syncs from. */
  info: ReturnType<TuiEngine['replicaInfo']>;
  state: SyncState;
  /** The time now (ms), ticking each second in live mode, for the age of the last change. */
  now: number;
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
  // A local edit elsewhere (another screen, a CLI beside the TUI) shows in the lists at once.
  useStoreChange(refresh);
  useEffect(() => dispatch({ type: 'resize', height }), [height]);
  const runs = useRuns(engine, trackerId, dispatch, refresh);
  const live = useLive(engine, trackerId, dispatch, refresh);
  const now = useTicking(state.live !== null);
  const push = () => {
    const ids = selectedIds(state);
    if (ids.length === 0) dispatch({ type: 'notice', notice: NOTHING_SELECTED });
    else runs.push(ids);
  };
  return { tracker, info, state, now, bindings: syncBindings(state, dispatch, navigation, trackerId, height, { reload: runs.reload, push, live }) };
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
  return {
    reload: () => run('reload', (signal) => engine.reload(trackerId, { signal, onProgress })),
    push: (ids) => run('push', (signal) => engine.push(trackerId, ids, { signal, onProgress })),
  };
}

/** Live mode: `w` starts the watch of this tracker and stops it; it stops with the screen too. Returns the toggle. */
function useLive(engine: TuiEngine, trackerId: number, dispatch: Dispatch<SyncAction>, refresh: () => void): () => void {
  const handle = useRef<{ stop(): Promise<void> } | null>(null);
  useEffect(
    () => () => {
      void handle.current?.stop();
      handle.current = null;
    },
    [],
  );
  return () => {
    if (handle.current) {
      void handle.current.stop();
      handle.current = null;
      dispatch({ type: 'live', on: false, at: new Date().toISOString() });
      return;
    }
    dispatch({ type: 'live', on: true, at: new Date().toISOString() });
    handle.current = engine.live(trackerId, {
      onReport: (report) => {
        dispatch({ type: 'live-run', report });
        refresh();
      },
      onNote: (note) => dispatch({ type: 'live-note', note }),
      onEnd: (error) => {
        handle.current = null;
        dispatch({ type: 'live', on: false, at: new Date().toISOString() });
        dispatch({ type: 'failed', error });
      },
    });
  };
}

/** The time now, once a second while `on`. */
function useTicking(on: boolean): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!on) return undefined;
    setNow(Date.now());
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, [on]);
  return now;
}

interface SyncKeys {
  reload(): void;
  push(): void;
  live(): void;
}

function syncBindings(state: SyncState, dispatch: Dispatch<SyncAction>, navigation: Navigation, trackerId: number, height: number, run: SyncKeys): Binding[] {
  if (state.running) return [{ keys: [], show: 'Ctrl-C', label: `cancel the ${state.running.kind} (what was applied stays)` }];
  const open = () => {
    const route = openRoute(state, trackerId);
    if (route) navigation.push(route);
  };
  const moves = moveBindings((delta) => dispatch({ type: 'move', delta }), height);
  const tail: Binding[] = [
    { keys: ['enter'], label: 'open', help: 'view the item, or review its conflict', run: open },
    { keys: ['L'], label: 'log', help: 'the sync log of this tracker', run: () => navigation.push({ screen: 'log', trackerId }), minor: true },
    { keys: ['esc', 'q'], label: 'back', run: () => navigation.back() },
  ];
  // Live, every clean change is pushed by itself: selecting and pushing by hand would race it.
  if (state.live) return [...moves, { keys: ['w'], label: 'stop live', help: 'stop live mode (the current batch ends first)', run: run.live }, ...tail];
  return [
    ...moves,
    { keys: ['space'], label: 'toggle', help: 'select or unselect the item under the cursor (a conflict is resolved first)', run: () => dispatch({ type: 'toggle' }) },
    { keys: ['a'], label: 'all clean', help: 'select all clean items (new and modified without conflicts); again to unselect', run: () => dispatch({ type: 'select-all-clean' }) },
    { keys: ['p'], label: 'push', help: 'push the selected items to the remote', run: run.push },
    { keys: ['r'], label: 'reload', help: "reload: bring the remote's changes in", run: run.reload },
    { keys: ['w'], label: 'live', help: "live mode: the remote's changes come in as they land, every clean local change goes out within a second", run: run.live },
    ...tail,
  ];
}
