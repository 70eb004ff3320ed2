/** The sync log of a tracker: every clone, reload and push run with its outcome and counters, newest first. */
import { Box, Text } from 'ink';
import { useState } from 'react';
import type { SyncRun } from '../../replica/index.js';
import { ReportView } from '../components/ReportView.js';
import { Row } from '../components/Row.js';
import { Screen } from '../components/Screen.js';
import { showDuration, showTime } from '../format.js';
import { useEngine } from '../hooks/use-engine.js';
import { useListCursor } from '../hooks/use-list-cursor.js';
import { useNavigation } from '../hooks/use-navigation.js';
import { useOnActive } from '../hooks/use-on-active.js';
import { useScreenSize } from '../hooks/use-screen-size.js';
import { type Binding, moveBindings } from '../keys.js';

const COLORS: Record<string, string> = { success: 'green', warning: 'yellow', error: 'red', running: 'cyan' };

export function SyncLog({ trackerId }: { trackerId: number }) {
  const engine = useEngine();
  const navigation = useNavigation();
  const { rows: screenRows } = useScreenSize();
  const [tracker] = useState(() => engine.tracker(trackerId));
  const [runs, setRuns] = useState<SyncRun[]>(() => engine.log(trackerId));
  const [details, setDetails] = useState(false);
  const height = Math.max(3, screenRows - (details ? 14 : 6));
  const list = useListCursor(runs.length, height);
  const current = runs[list.cursor];

  useOnActive(() => setRuns(engine.log(trackerId)));

  const bindings: Binding[] = [
    ...moveBindings(list.move, height),
    { keys: ['enter'], label: details ? 'hide report' : 'report', help: 'show or hide the full report of the run under the cursor', run: () => setDetails((d) => !d) },
    { keys: ['esc', 'q'], label: 'back', run: () => navigation.back() },
  ];

  return (
    <Screen title="Sync log" context={tracker.name} bindings={bindings}>
      {runs.length === 0 ? (
        <Text dimColor>No sync run yet.</Text>
      ) : (
        <Box flexDirection="column">
          <Row header cells={[{ text: 'Run', width: 5 }, { text: 'Kind', width: 7 }, { text: 'Outcome', width: 9 }, { text: 'Started', width: 20 }, { text: 'Took', width: 8 }, { text: 'Seen/created/updated/deleted/merged/unchanged/conflicts/errors' }]} />
          {runs.slice(list.top, list.top + height).map((run, index) => (
            <Row
              key={run.id}
              focused={list.top + index === list.cursor}
              cells={[
                { text: String(run.id), width: 5 },
                { text: `${run.kind}${run.dryRun ? '*' : ''}`, width: 7 },
                { text: run.outcome, width: 9, color: COLORS[run.outcome] ?? 'white' },
                { text: showTime(run.startedAt), width: 20 },
                { text: showDuration(run.startedAt, run.endedAt), width: 8 },
                { text: run.counts ? Object.values(run.counts).join('/') : run.errors[0]?.message ?? '', dim: !run.counts },
              ]}
            />
          ))}
          <Text dimColor>* dry run</Text>
          {details && current?.report ? <ReportView title={`Run ${current.id} (${current.kind})`} report={current.report} /> : null}
          {details && current && !current.report ? <Text color="red">{current.errors[0]?.message ?? 'no report'}</Text> : null}
        </Box>
      )}
    </Screen>
  );
}
