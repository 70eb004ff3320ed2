/** A tracker's items by id and title, virtualised (only the rows on screen are read), with a `/` filter. */
import { TextInput } from '@inkjs/ui';
import { Box, Text } from 'ink';
import { Row } from '../components/Row.js';
import { Screen } from '../components/Screen.js';
import { type FilterInput, useItemList } from '../hooks/use-item-list.js';
import { type ItemListState, type ItemRow, visibleRows } from '../state/item-list.js';

const MARKS: Record<NonNullable<ItemRow['mark']>, { text: string; color: string }> = {
  new: { text: 'new', color: 'green' },
  modified: { text: 'modified', color: 'yellow' },
  deleted: { text: 'deleted', color: 'yellow' },
  conflict: { text: 'conflict', color: 'red' },
};

export function ItemList({ trackerId }: { trackerId: number }) {
  const { tracker, clone, list, height, filter, active, bindings } = useItemList(trackerId);
  const { state } = list;
  return (
    <Screen
      title="Items"
      context={`${tracker.name}${clone ? ' (clone)' : ''}`}
      bindings={bindings}
      keysActive={!filter.open}
      inputBindings={[
        { keys: ['enter'], label: 'keep filter' },
        { keys: ['esc'], label: 'cancel' },
      ]}
    >
      <Row header cells={[{ text: 'ID', width: 8 }, { text: 'Status', width: 8 }, ...(clone ? [{ text: 'Sync', width: 9 }] : []), { text: 'Title' }]} />
      <Box flexDirection="column" height={height}>
        {state.total === 0 ? <Text dimColor>{state.filter ? `Nothing matches "${state.filter}".` : 'No items yet: n adds one.'}</Text> : null}
        {visibleRows(state).map((row, index) => (
          <ItemLine key={row.id} row={row} clone={clone} focused={state.top + index === state.cursor} />
        ))}
      </Box>
      <Box>
        <FilterLine state={state} filter={filter} active={active} />
      </Box>
    </Screen>
  );
}

function ItemLine({ row, clone, focused }: { row: ItemRow; clone: boolean; focused: boolean }) {
  return (
    <Row
      focused={focused}
      cells={[
        { text: String(row.id), width: 8 },
        { text: row.status, width: 8 },
        ...(clone ? [row.mark ? { text: MARKS[row.mark].text, width: 9, color: MARKS[row.mark].color } : { text: '', width: 9 }] : []),
        { text: row.title || '(no title)', ...(row.title ? {} : { dim: true }) },
      ]}
    />
  );
}

/** The filter input while `/` is open, otherwise where the cursor is and the filter in use. */
function FilterLine({ state, filter, active }: { state: ItemListState; filter: FilterInput; active: boolean }) {
  if (filter.open) {
    return (
      <Box>
        <Text color="cyan">/</Text>
        <TextInput defaultValue={state.filter} placeholder="text or id" onChange={filter.onType} onSubmit={filter.onSubmit} isDisabled={!active} />
      </Box>
    );
  }
  return (
    <Text dimColor>
      {state.total === 0 ? 'no items' : `${state.cursor + 1} of ${state.total}`}
      {state.filter ? `  filter: "${state.filter}"` : ''}
    </Text>
  );
}
