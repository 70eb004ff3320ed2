/**
 * The sync screen of a cloned tracker, after Tiki's synchronization tab: reload with a progress
 * bar and the run's report, then new local items, modified without conflicts and modified
 * with conflicts, each with checkboxes; `a` selects all clean items and `p` pushes the selection;
 * `w` turns live mode on (the header says `live` and how long ago the last change landed).
 */
import { Box, Text } from 'ink';
import { Checkbox } from '../components/Checkbox.js';
import { ErrorView } from '../components/ErrorView.js';
import { ProgressBar } from '../components/ProgressBar.js';
import { ReportView } from '../components/ReportView.js';
import { Screen } from '../components/Screen.js';
import { showAge, showTime } from '../format.js';
import { useSync } from '../hooks/use-sync.js';
import { LIST_TITLES, type LiveState, type SyncLine, type SyncState, isClean, syncLines } from '../state/sync.js';

export function Sync({ trackerId }: { trackerId: number }) {
  const { tracker, info, state, now, bindings } = useSync(trackerId);
  return (
    <Screen title="Sync" context={`${tracker.name} ⇄ ${info.remote}/${info.remoteTracker} (${info.url})`} bindings={bindings}>
      <Text>
        {state.live ? <LiveHeader live={state.live} now={now} /> : null}
        <Text dimColor>
          last sync {showTime(info.lastSyncAt)} · token {info.token}
          {state.live ? '' : ` · ${state.selected.size} selected`}
        </Text>
      </Text>
      {state.live?.note ? (
        <Text color="yellow" wrap="truncate-end">
          {state.live.note}
        </Text>
      ) : null}
      <Box flexDirection="column" marginY={1}>
        <RunStatus state={state} />
        {state.error ? <ErrorView error={state.error} /> : null}
        {state.notice ? <Text color="yellow">{state.notice}</Text> : null}
      </Box>
      <Box flexDirection="column" height={state.height}>
        {syncLines(state.rows)
          .slice(state.top, state.top + state.height)
          .map((line) => (
            <Line key={line.kind === 'header' ? `h-${line.list}` : line.row.id} line={line} state={state} />
          ))}
      </Box>
    </Screen>
  );
}

/** `live`, and when the last change landed (its age, ticking). */
function LiveHeader({ live, now }: { live: LiveState; now: number }) {
  return (
    <Text>
      <Text bold color="green">
        live
      </Text>
      <Text> · {live.lastChangeAt ? `last change ${showAge(live.lastChangeAt, now)}` : `no change since ${showTime(live.since)}`} · </Text>
    </Text>
  );
}

const RUN_TITLES = { reload: 'Reload', push: 'Push', sync: 'Sync' } as const;

/** The running reload or push, else the report of the last one, else what to do first. */
function RunStatus({ state }: { state: SyncState }) {
  if (state.running) {
    const reload = state.running.kind === 'reload';
    return <ProgressBar label={reload ? 'Reloading' : 'Pushing'} done={state.running.done} total={state.running.total} unit={reload ? 'changes' : 'items'} />;
  }
  if (state.last) return <ReportView title={RUN_TITLES[state.last.kind]} report={state.last.report} maxErrors={3} />;
  if (state.live) return <Text dimColor>Live: the remote's changes come in as they land; every clean local change goes out within a second.</Text>;
  return <Text dimColor>r reloads the remote's changes; then select items and p pushes them (or w: live, by itself).</Text>;
}

/** A list's header with its count, or one of its rows with its checkbox. */
function Line({ line, state }: { line: SyncLine; state: SyncState }) {
  if (line.kind === 'header') {
    return (
      <Text bold color={line.list === 'conflicts' && line.count > 0 ? 'red' : undefined}>
        {LIST_TITLES[line.list]} ({line.count})
      </Text>
    );
  }
  const { row } = line;
  return (
    <Checkbox
      focused={line.index === state.cursor}
      checked={state.selected.has(row.id)}
      disabled={!isClean(row)}
      label={`${row.id} ${row.title || '(no title)'}`}
      note={row.deleted ? 'deleted here' : row.list === 'conflicts' ? `${row.detail ?? ''} — Enter to review` : undefined}
    />
  );
}
