/** A tracker's items by id and title, virtualised (only the rows on screen are read), with a `/` filter. */
import { TextInput } from '@inkjs/ui';
import { Box, Text, useInput } from 'ink';
import { useCallback, useEffect, useRef, useState } from 'react';
import { Row } from '../components/Row.js';
import { Screen } from '../components/Screen.js';
import { useActive } from '../hooks/use-active.js';
import { useEngine } from '../hooks/use-engine.js';
import { useItemList } from '../hooks/use-item-list.js';
import { useNavigation } from '../hooks/use-navigation.js';
import { useOnActive } from '../hooks/use-on-active.js';
import { useScreenSize } from '../hooks/use-screen-size.js';
import { type Binding, moveBindings } from '../keys.js';
import { type ItemRow, rowAtCursor, visibleRows } from '../state/item-list.js';

const MARKS: Record<NonNullable<ItemRow['mark']>, { text: string; color: string }> = {
  new: { text: 'new', color: 'green' },
  modified: { text: 'modified', color: 'yellow' },
  conflict: { text: 'conflict', color: 'red' },
};

const FILTER_PAUSE_MS = 150;

export function ItemList({ trackerId }: { trackerId: number }) {
  const engine = useEngine();
  const navigation = useNavigation();
  const active = useActive();
  const { rows: screenRows } = useScreenSize();
  const [tracker] = useState(() => engine.tracker(trackerId));
  const [clone] = useState(() => engine.isClone(trackerId));
  const height = Math.max(3, screenRows - 7);
  const list = useItemList(trackerId, height);
  const [filtering, setFiltering] = useState<{ before: string } | null>(null);
  const { state } = list;
  const current = rowAtCursor(state);

  useOnActive(() => list.refresh());

  // Typing filters as it goes, once the typing pauses: each filter change counts the matches,
  // which on a large tracker costs tens of milliseconds. Enter applies at once.
  const typing = useRef<NodeJS.Timeout | null>(null);
  const stopTyping = useCallback(() => {
    if (typing.current) clearTimeout(typing.current);
    typing.current = null;
  }, []);
  useEffect(() => stopTyping, [stopTyping]);
  // Stable: the text input calls onChange again whenever its identity changes.
  const { setFilter } = list;
  const onType = useCallback(
    (text: string) => {
      stopTyping();
      typing.current = setTimeout(() => setFilter(text), FILTER_PAUSE_MS);
    },
    [stopTyping, setFilter],
  );
  const onSubmit = (text: string) => {
    stopTyping();
    if (text !== state.filter) list.setFilter(text);
    setFiltering(null);
  };

  useInput(
    (_input, key) => {
      if (!filtering) return;
      if (key.escape) {
        stopTyping();
        list.setFilter(filtering.before);
        setFiltering(null);
      }
    },
    { isActive: active && filtering !== null },
  );

  const bindings: Binding[] = [
    ...moveBindings(list.move, height),
    { keys: ['enter'], label: 'view', help: 'view the item', run: () => current && navigation.push({ screen: 'item', trackerId, itemId: current.id }) },
    { keys: ['e'], label: 'edit', help: 'edit the item', run: () => current && navigation.push({ screen: 'edit', trackerId, itemId: current.id }) },
    { keys: ['n'], label: 'new', help: 'new item', run: () => navigation.push({ screen: 'new', trackerId }) },
    { keys: ['/'], label: 'filter', help: 'filter by text in any field, or by id', run: () => setFiltering({ before: state.filter }) },
    ...(clone ? [{ keys: ['s'], label: 'sync', help: 'the sync screen of this tracker', run: () => navigation.push({ screen: 'sync', trackerId }) }] : []),
    {
      keys: ['esc', 'q'],
      label: state.filter ? 'clear filter' : 'back',
      help: 'clear the filter, or go back',
      run: () => (state.filter ? list.setFilter('') : navigation.back()),
    },
  ];

  const rows = visibleRows(state);
  const position = state.total === 0 ? 'no items' : `${state.cursor + 1} of ${state.total}`;
  return (
    <Screen
      title="Items"
      context={`${tracker.name}${clone ? ' (clone)' : ''}`}
      bindings={bindings}
      keysActive={filtering === null}
      inputBindings={[
        { keys: ['enter'], label: 'keep filter' },
        { keys: ['esc'], label: 'cancel' },
      ]}
    >
      <Row header cells={[{ text: 'ID', width: 8 }, { text: 'Status', width: 8 }, ...(clone ? [{ text: 'Sync', width: 9 }] : []), { text: 'Title' }]} />
      <Box flexDirection="column" height={height}>
        {state.total === 0 ? <Text dimColor>{state.filter ? `Nothing matches "${state.filter}".` : 'No items yet: n adds one.'}</Text> : null}
        {rows.map((row, index) => (
          <Row
            key={row.id}
            focused={state.top + index === state.cursor}
            cells={[
              { text: String(row.id), width: 8 },
              { text: row.status, width: 8 },
              ...(clone ? [row.mark ? { text: MARKS[row.mark].text, width: 9, color: MARKS[row.mark].color } : { text: '', width: 9 }] : []),
              { text: row.title || '(no title)', ...(row.title ? {} : { dim: true }) },
            ]}
          />
        ))}
      </Box>
      <Box>
        {filtering ? (
          <Box>
            <Text color="cyan">/</Text>
            <TextInput defaultValue={state.filter} placeholder="text or id" onChange={onType} onSubmit={onSubmit} isDisabled={!active} />
          </Box>
        ) : (
          <Text dimColor>
            {position}
            {state.filter ? `  filter: "${state.filter}"` : ''}
          </Text>
        )}
      </Box>
    </Screen>
  );
}
