/** The first screen: local and cloned trackers, with the remote each clone comes from and its last sync. */
import { TextInput } from '@inkjs/ui';
import { Box, Text } from 'ink';
import { ErrorView } from '../components/ErrorView.js';
import { Row } from '../components/Row.js';
import { Screen } from '../components/Screen.js';
import type { TrackerRow } from '../engine.js';
import { plural, showTime } from '../format.js';
import { useActive } from '../hooks/use-active.js';
import { useTrackers } from '../hooks/use-trackers.js';
import type { Binding } from '../keys.js';
import type { CsvStep } from '../state/trackers.js';

/** Where a tracker comes from; a partial clone (cloned with a filter) says so. */
function origin(row: TrackerRow): string {
  return row.remote ? `${row.remote.name}/${row.remote.trackerName}${row.remote.partial ? ' (partial)' : ''}` : 'local';
}

const INPUT_KEYS: Binding[] = [
  { keys: ['enter'], label: 'go on' },
  { keys: ['esc'], label: 'cancel' },
];

export function Trackers() {
  const { state, list, height, dataDir, bindings, onCsvPath } = useTrackers();
  const { trackers } = state;
  const typing = state.csv !== null && state.csv.step !== 'confirm';
  return (
    <Screen title="Trackers" context={dataDir} bindings={bindings} keysActive={!typing} inputBindings={INPUT_KEYS}>
      {trackers.length === 0 ? (
        <NoTrackers />
      ) : (
        <Box flexDirection="column">
          <Row header cells={[{ text: 'ID', width: 5 }, { text: 'Tracker', width: 24 }, { text: 'Items', width: 8 }, { text: 'From', width: 30 }, { text: 'Last sync', width: 20 }, { text: 'Conflicts' }]} />
          {trackers.slice(list.top, list.top + height).map((row, index) => (
            <TrackerLine key={row.id} row={row} focused={list.top + index === list.cursor} />
          ))}
        </Box>
      )}
      {state.csv ? <CsvLine csv={state.csv} onPath={onCsvPath} /> : null}
      {state.notice ? <Text color="yellow">{state.notice}</Text> : null}
      {state.error ? <ErrorView error={state.error} /> : null}
    </Screen>
  );
}

function CsvLine({ csv, onPath }: { csv: CsvStep; onPath: (text: string) => void }) {
  const active = useActive();
  if (csv.step === 'confirm') {
    return (
      <Box flexDirection="column" marginTop={1}>
        <Text>{csv.preview}</Text>
        <Text>
          Enter imports {csv.path} into {csv.name}; Esc imports nothing.
        </Text>
      </Box>
    );
  }
  return (
    <Box marginTop={1}>
      <Text color="cyan">{csv.step === 'export' ? `export ${csv.name} as CSV to` : `import into ${csv.name} the CSV file`}: </Text>
      <TextInput defaultValue={`${csv.name}.csv`} onSubmit={onPath} isDisabled={!active} />
    </Box>
  );
}

function NoTrackers() {
  return (
    <Box flexDirection="column" marginY={1}>
      <Text>No trackers yet.</Text>
      <Text dimColor>Press c to clone one from a remote (i lists the remotes), or create one with `s15n tracker create`.</Text>
    </Box>
  );
}

function TrackerLine({ row, focused }: { row: TrackerRow; focused: boolean }) {
  return (
    <Row
      focused={focused}
      cells={[
        { text: String(row.id), width: 5 },
        { text: row.name, width: 24 },
        { text: String(row.items), width: 8 },
        { text: origin(row), width: 30, ...(row.remote ? {} : { dim: true }) },
        { text: row.remote ? showTime(row.remote.lastSyncAt) : '', width: 20 },
        { text: row.remote && row.remote.conflicts > 0 ? plural(row.remote.conflicts, 'conflict') : '', color: 'red' },
      ]}
    />
  );
}
