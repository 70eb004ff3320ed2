/** The sync log of a tracker: every clone, reload and push run with its outcome and counters, newest first. */
import { Box, Text } from 'ink';
import type { SyncRun } from '../../replica/index.js';
import { ReportView } from '../components/ReportView.js';
import { Row } from '../components/Row.js';
import { Screen } from '../components/Screen.js';
import { showDuration, showTime } from '../format.js';
import { useSyncLog } from '../hooks/use-sync-log.js';

const COLORS: Record<string, string> = { success: 'green', warning: 'yellow', error: 'red', running: 'cyan' };

export function SyncLog({ trackerId }: { trackerId: number }) {
  const { tracker, state, list, height, bindings } = useSyncLog(trackerId);
  const current = state.runs[list.cursor];
  return (
    <Screen title="Sync log" context={tracker.name} bindings={bindings}>
      {state.runs.length === 0 ? (
        <Text dimColor>No sync run yet.</Text>
      ) : (
        <Box flexDirection="column">
          <Row header cells={[{ text: 'Run', width: 5 }, { text: 'Kind', width: 7 }, { text: 'Outcome', width: 9 }, { text: 'Started', width: 20 }, { text: 'Took', width: 8 }, { text: 'Seen/created/updated/deleted/merged/unchanged/conflicts/errors' }]} />
          {state.runs.slice(list.top, list.top + height).map((run, index) => (
            <RunLine key={run.id} run={run} focused={list.top + index === list.cursor} />
          ))}
          <Text dimColor>* dry run</Text>
          {state.details && current?.report ? <ReportView title={`Run ${current.id} (${current.kind})`} report={current.report} /> : null}
          {state.details && current && !current.report ? <Text color="red">{current.errors[0]?.message ?? 'no report'}</Text> : null}
        </Box>
      )}
    </Screen>
  );
}

function RunLine({ run, focused }: { run: SyncRun; focused: boolean }) {
  return (
    <Row
      focused={focused}
      cells={[
        { text: String(run.id), width: 5 },
        { text: `${run.kind}${run.dryRun ? '*' : ''}`, width: 7 },
        { text: run.outcome, width: 9, color: COLORS[run.outcome] ?? 'white' },
        { text: showTime(run.startedAt), width: 20 },
        { text: showDuration(run.startedAt, run.endedAt), width: 8 },
        { text: run.counts ? Object.values(run.counts).join('/') : (run.errors[0]?.message ?? ''), dim: !run.counts },
      ]}
    />
  );
}
