/** The first screen: local and cloned trackers, with the remote each clone comes from and its last sync. */
import { Box, Text } from 'ink';
import { useState } from 'react';
import { ErrorView } from '../components/ErrorView.js';
import { Row } from '../components/Row.js';
import { Screen } from '../components/Screen.js';
import type { TrackerRow } from '../engine.js';
import { plural, showTime } from '../format.js';
import { useEngine } from '../hooks/use-engine.js';
import { useListCursor } from '../hooks/use-list-cursor.js';
import { useNavigation } from '../hooks/use-navigation.js';
import { useOnActive } from '../hooks/use-on-active.js';
import { useScreenSize } from '../hooks/use-screen-size.js';
import { type Binding, moveBindings } from '../keys.js';

function origin(row: TrackerRow): string {
  return row.remote ? `${row.remote.name}/${row.remote.trackerName}` : 'local';
}

export function Trackers() {
  const engine = useEngine();
  const navigation = useNavigation();
  const { rows: screenRows } = useScreenSize();
  const [trackers, setTrackers] = useState<TrackerRow[]>(() => engine.trackers());
  const [notice, setNotice] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const height = Math.max(3, screenRows - 7);
  const list = useListCursor(trackers.length, height);
  const current = trackers[list.cursor];

  useOnActive(() => {
    try {
      setTrackers(engine.trackers());
      setError(null);
    } catch (caught) {
      setError(caught);
    }
  });

  const withCurrent = (action: (row: TrackerRow) => void) => () => {
    setNotice(null);
    if (current) action(current);
  };
  const ifClone = (action: (row: TrackerRow) => void) =>
    withCurrent((row) => {
      if (row.remote) action(row);
      else setNotice(`"${row.name}" is a local tracker: there is nothing to sync. Clone one with c.`);
    });

  const bindings: Binding[] = [
    ...moveBindings(list.move, height),
    { keys: ['enter'], label: 'items', help: 'open the items of the tracker', run: withCurrent((row) => navigation.push({ screen: 'items', trackerId: row.id })) },
    { keys: ['s'], label: 'sync', help: 'the sync screen of the tracker under the cursor', run: ifClone((row) => navigation.push({ screen: 'sync', trackerId: row.id })) },
    { keys: ['c'], label: 'clone', help: 'clone a tracker from a remote', run: () => navigation.push({ screen: 'clone' }) },
    { keys: ['i'], label: 'remotes', help: 'this instance and its remotes', run: () => navigation.push({ screen: 'remotes' }) },
    { keys: ['L'], label: 'log', help: 'the sync log of the tracker under the cursor', run: ifClone((row) => navigation.push({ screen: 'log', trackerId: row.id })), minor: true },
    { keys: ['q', 'esc'], label: 'quit', help: 'quit', run: () => navigation.back() },
  ];

  const visible = trackers.slice(list.top, list.top + height);
  return (
    <Screen title="Trackers" context={engine.dataDir} bindings={bindings}>
      {trackers.length === 0 ? (
        <Box flexDirection="column" marginY={1}>
          <Text>No trackers yet.</Text>
          <Text dimColor>Press c to clone one from a remote (i lists the remotes), or create one with `s15n tracker create`.</Text>
        </Box>
      ) : (
        <Box flexDirection="column">
          <Row header cells={[{ text: 'ID', width: 5 }, { text: 'Tracker', width: 24 }, { text: 'Items', width: 8 }, { text: 'From', width: 26 }, { text: 'Last sync', width: 20 }, { text: 'Conflicts' }]} />
          {visible.map((row, index) => (
            <Row
              key={row.id}
              focused={list.top + index === list.cursor}
              cells={[
                { text: String(row.id), width: 5 },
                { text: row.name, width: 24 },
                { text: String(row.items), width: 8 },
                { text: origin(row), width: 26, ...(row.remote ? {} : { dim: true }) },
                { text: row.remote ? showTime(row.remote.lastSyncAt) : '', width: 20 },
                { text: row.remote && row.remote.conflicts > 0 ? plural(row.remote.conflicts, 'conflict') : '', color: 'red' },
              ]}
            />
          ))}
        </Box>
      )}
      {notice ? <Text color="yellow">{notice}</Text> : null}
      {error ? <ErrorView error={error} /> : null}
    </Screen>
  );
}
