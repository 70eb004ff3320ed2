/** This instance and its remotes: where each remote is, who logs in, whether it answers, what was cloned from it. */
import { Box, Text } from 'ink';
import { useCallback, useState } from 'react';
import { describeError } from '../components/ErrorView.js';
import { Row } from '../components/Row.js';
import { Screen } from '../components/Screen.js';
import { plural } from '../format.js';
import { useEngine } from '../hooks/use-engine.js';
import { useListCursor } from '../hooks/use-list-cursor.js';
import { useNavigation } from '../hooks/use-navigation.js';
import { useOnActive } from '../hooks/use-on-active.js';
import { useScreenSize } from '../hooks/use-screen-size.js';
import { type Binding, moveBindings } from '../keys.js';
import type { RemoteListing } from '../../sync/remotes.js';

type Reach = { state: 'checking' } | { state: 'ok'; trackers: number } | { state: 'failed'; title: string; message: string };

export function Remotes() {
  const engine = useEngine();
  const navigation = useNavigation();
  const { rows: screenRows } = useScreenSize();
  const [remotes, setRemotes] = useState<RemoteListing[]>(() => engine.remotes());
  const [reach, setReach] = useState<Record<string, Reach>>({});
  const [local, setLocal] = useState({ trackers: 0, cloned: 0 });
  const height = Math.max(3, screenRows - 10);
  const list = useListCursor(remotes.length, height);
  const current = remotes[list.cursor];

  const check = useCallback(
    (listing: RemoteListing[]) => {
      setReach(Object.fromEntries(listing.map((r) => [r.name, { state: 'checking' } as Reach])));
      for (const remote of listing) {
        engine.checkRemote(remote.name).then(
          (result) => setReach((prev) => ({ ...prev, [remote.name]: { state: 'ok', trackers: result.trackers } })),
          (error: unknown) => {
            const described = describeError(error);
            setReach((prev) => ({ ...prev, [remote.name]: { state: 'failed', title: described.title, message: described.message } }));
          },
        );
      }
    },
    [engine],
  );

  useOnActive(() => {
    const listing = engine.remotes();
    const trackers = engine.trackers();
    setLocal({ trackers: trackers.length, cloned: trackers.filter((t) => t.remote).length });
    setRemotes(listing);
    check(listing);
  });

  const bindings: Binding[] = [
    ...moveBindings(list.move, height),
    { keys: ['enter', 'c'], label: 'clone from it', help: 'clone a tracker from the remote under the cursor', run: () => current && navigation.push({ screen: 'clone', remote: current.name }) },
    { keys: ['r'], label: 'check again', help: 'check again that each remote answers', run: () => check(remotes) },
    { keys: ['esc', 'q'], label: 'back', run: () => navigation.back() },
  ];

  const reachText = (name: string): { text: string; color: string } => {
    const r = reach[name];
    if (!r || r.state === 'checking') return { text: 'checking…', color: 'gray' };
    if (r.state === 'ok') return { text: `ok, ${plural(r.trackers, 'tracker')} visible`, color: 'green' };
    return { text: r.title, color: 'red' };
  };
  const failed = current ? reach[current.name] : undefined;

  return (
    <Screen title="Instances and remotes" bindings={bindings}>
      <Box flexDirection="column" marginBottom={1}>
        <Text>
          <Text bold>This instance</Text> {engine.dataDir}
        </Text>
        <Text dimColor>
          {plural(local.trackers, 'tracker')}, {local.cloned} cloned
        </Text>
      </Box>
      {remotes.length === 0 ? (
        <Text>No remotes. Add one with `s15n remote add NAME URL --user USER --password-stdin`.</Text>
      ) : (
        <Box flexDirection="column">
          <Row header cells={[{ text: 'Remote', width: 12 }, { text: 'URL', width: 30 }, { text: 'User', width: 10 }, { text: 'Password', width: 9 }, { text: 'Answers', width: 24 }, { text: 'Clones' }]} />
          {remotes.slice(list.top, list.top + height).map((remote, index) => {
            const shown = reachText(remote.name);
            return (
              <Row
                key={remote.name}
                focused={list.top + index === list.cursor}
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
          })}
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
