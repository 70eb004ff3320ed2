/**
 * The sync screen of a cloned tracker, after Tiki's synchronization tab: reload with a progress
 * bar and the run's report, then new local items, modified without conflicts and modified
 * with conflicts, each with checkboxes; `a` selects all clean items and `p` pushes the selection.
 */
import { Box, Text } from 'ink';
import { useCallback, useEffect, useReducer, useState } from 'react';
import { Checkbox } from '../components/Checkbox.js';
import { ErrorView } from '../components/ErrorView.js';
import { ProgressBar } from '../components/ProgressBar.js';
import { ReportView } from '../components/ReportView.js';
import { Screen } from '../components/Screen.js';
import { showTime } from '../format.js';
import { useEngine } from '../hooks/use-engine.js';
import { useNavigation } from '../hooks/use-navigation.js';
import { useOnActive } from '../hooks/use-on-active.js';
import { useScreenSize } from '../hooks/use-screen-size.js';
import { useTask } from '../hooks/use-task.js';
import { type Binding, moveBindings } from '../keys.js';
import type { Report } from '../../sync/report.js';
import { LIST_TITLES, type RunKind, initialSync, isClean, syncLines, syncReducer } from '../state/sync.js';

export function Sync({ trackerId }: { trackerId: number }) {
  const engine = useEngine();
  const navigation = useNavigation();
  const runTask = useTask();
  const { rows: screenRows } = useScreenSize();
  const [tracker] = useState(() => engine.tracker(trackerId));
  const [info, setInfo] = useState(() => engine.replicaInfo(trackerId));
  const [notice, setNotice] = useState<string | null>(null);
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

  const run = (kind: RunKind, work: (signal: AbortSignal) => Promise<Report>) => {
    setNotice(null);
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
  const reload = () => run('reload', (signal) => engine.reload(trackerId, { signal, onProgress }));
  const push = () => {
    const ids = state.rows.filter((r) => state.selected.has(r.id)).map((r) => r.id);
    if (ids.length === 0) {
      setNotice('Nothing selected: Space selects the item under the cursor, a selects all clean items.');
      return;
    }
    run('push', (signal) => engine.push(trackerId, ids, { signal, onProgress }));
  };
  const current = state.rows[state.cursor];
  const open = () => {
    if (!current) return;
    if (current.list === 'conflicts') navigation.push({ screen: 'conflicts', trackerId, start: current.id });
    else if (!current.deleted) navigation.push({ screen: 'item', trackerId, itemId: current.id });
  };

  const bindings: Binding[] = state.running
    ? [{ keys: [], show: 'Ctrl-C', label: `cancel the ${state.running.kind} (what was applied stays)` }]
    : [
        ...moveBindings((delta) => dispatch({ type: 'move', delta }), height),
        {
          keys: ['space'],
          label: 'toggle',
          help: 'select or unselect the item under the cursor (a conflict is resolved first)',
          run: () => {
            if (current?.list === 'conflicts') setNotice(`Item ${current.id} is in conflict: Enter reviews it; once resolved it can be pushed.`);
            else dispatch({ type: 'toggle' });
          },
        },
        { keys: ['a'], label: 'all clean', help: 'select all clean items (new and modified without conflicts); again to unselect', run: () => dispatch({ type: 'select-all-clean' }) },
        { keys: ['p'], label: 'push', help: 'push the selected items to the remote', run: push },
        { keys: ['r'], label: 'reload', help: "reload: bring the remote's changes in", run: reload },
        { keys: ['enter'], label: 'open', help: 'view the item, or review its conflict', run: open },
        { keys: ['L'], label: 'log', help: 'the sync log of this tracker', run: () => navigation.push({ screen: 'log', trackerId }), minor: true },
        { keys: ['esc', 'q'], label: 'back', run: () => navigation.back() },
      ];

  const lines = syncLines(state.rows).slice(state.top, state.top + state.height);
  const selectedCount = state.selected.size;
  return (
    <Screen title="Sync" context={`${tracker.name} ⇄ ${info.remote}/${info.remoteTracker} (${info.url})`} bindings={bindings}>
      <Text dimColor>
        last sync {showTime(info.lastSyncAt)} · token {info.token} · {selectedCount} selected
      </Text>
      <Box flexDirection="column" marginY={1}>
        {state.running ? (
          <ProgressBar label={state.running.kind === 'reload' ? 'Reloading' : 'Pushing'} done={state.running.done} total={state.running.total} unit={state.running.kind === 'reload' ? 'changes' : 'items'} />
        ) : state.last ? (
          <ReportView title={state.last.kind === 'reload' ? 'Reload' : 'Push'} report={state.last.report} maxErrors={3} />
        ) : (
          <Text dimColor>r reloads the remote's changes; then select items and p pushes them.</Text>
        )}
        {state.error ? <ErrorView error={state.error} /> : null}
        {notice ? <Text color="yellow">{notice}</Text> : null}
      </Box>
      <Box flexDirection="column" height={state.height}>
        {lines.map((line) =>
          line.kind === 'header' ? (
            <Text key={`h-${line.list}`} bold color={line.list === 'conflicts' && line.count > 0 ? 'red' : undefined}>
              {LIST_TITLES[line.list]} ({line.count})
            </Text>
          ) : (
            <Checkbox
              key={line.row.id}
              focused={line.index === state.cursor}
              checked={state.selected.has(line.row.id)}
              disabled={!isClean(line.row)}
              label={`${line.row.id} ${line.row.title || '(no title)'}`}
              note={line.row.deleted ? 'deleted here' : line.row.list === 'conflicts' ? `${line.row.detail ?? ''} — Enter to review` : undefined}
            />
          ),
        )}
      </Box>
    </Screen>
  );
}
