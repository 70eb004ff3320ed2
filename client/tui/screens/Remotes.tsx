/** This instance and its remotes: where each remote is, who logs in, whether it answers, what was cloned from it. */
import { Box, Text } from 'ink';
import { Row } from '../components/Row.js';
import { Screen } from '../components/Screen.js';
import { plural } from '../format.js';
import { useRemotes } from '../hooks/use-remotes.js';
import type { Reach } from '../state/remotes.js';
import type { RemoteListing } from '../../sync/remotes.js';

function reachText(reach: Reach | undefined): { text: string; color: string } {
  if (!reach || reach.state === 'checking') return { text: 'checking…', color: 'gray' };
  if (reach.state === 'ok') return { text: `ok, ${plural(reach.trackers, 'tracker')} visible`, color: 'green' };
  return { text: reach.title, color: 'red' };
}

export function Remotes() {
  const { state, list, height, dataDir, bindings } = useRemotes();
  const current = state.remotes[list.cursor];
  const failed = current ? state.reach[current.name] : undefined;
  return (
    <Screen title="Instances and remotes" bindings={bindings}>
      <Box flexDirection="column" marginBottom={1}>
        <Text>
          <Text bold>This instance</Text> {dataDir}
        </Text>
        <Text dimColor>
          {plural(state.local.trackers, 'tracker')}, {state.local.cloned} cloned
        </Text>
      </Box>
      {state.remotes.length === 0 ? (
        <Text>No remotes. Add one with `s15n remote add NAME URL --user USER --password-stdin`.</Text>
      ) : (
        <Box flexDirection="column">
          <Row header cells={[{ text: 'Remote', width: 12 }, { text: 'URL', width: 30 }, { text: 'User', width: 10 }, { text: 'Password', width: 9 }, { text: 'Answers', width: 24 }, { text: 'Clones' }]} />
          {state.remotes.slice(list.top, list.top + height).map((remote, index) => (
            <RemoteLine key={remote.name} remote={remote} reach={state.reach[remote.name]} focused={list.top + index === list.cursor} />
          ))}
          {failed?.state === 'failed' ? (
            <Text color="red" wrap="truncate-end">
              {current?.name}: {failed.message}
            </Text>
          ) : null}
        </Box>
      )}
    </Screen>
  );
}

function RemoteLine({ remote, reach, focused }: { remote: RemoteListing; reach: Reach | undefined; focused: boolean }) {
  const shown = reachText(reach);
  return (
    <Row
      focused={focused}
      cells={[
        { text: remote.name, width: 12 },
        { text: remote.url, width: 30 },
        { text: remote.user, width: 10 },
        { text: remote.password, width: 9, ...(remote.password === 'missing' ? { color: 'red' } : {}) },
        { text: shown.text, width: 24, color: shown.color },
        { text: remote.clones.join(', ') || '—', dim: remote.clones.length === 0 },
      ]}
    />
  );
}
