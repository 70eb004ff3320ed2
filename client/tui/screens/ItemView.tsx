/** One item: every field with its value, and for a clone where the item stands against the remote. */
import { Box, Text } from 'ink';
import { Screen } from '../components/Screen.js';
import type { ItemSync } from '../engine.js';
import { showTime } from '../format.js';
import { useItemView } from '../hooks/use-item-view.js';
import { type ViewLine, viewLines } from '../state/item-view.js';
import type { Item } from '../../../server/store/index.js';

const SYNC_COLORS: Record<ItemSync['state'], string> = { 'in sync': 'green', new: 'green', modified: 'yellow', deleted: 'yellow', conflict: 'red' };

export function ItemView({ trackerId, itemId }: { trackerId: number; itemId: number }) {
  const { state, sync, title, height, bindings } = useItemView(trackerId, itemId);
  const { tracker, item } = state;
  const lines = viewLines(state);
  const labelWidth = Math.min(24, Math.max(8, ...tracker.fields.map((f) => f.label.length + 2)));
  return (
    <Screen title={`Item ${itemId}`} context={`${tracker.name}${title ? ` · ${title}` : ''}`} bindings={bindings}>
      {item ? <Header item={item} sync={sync} /> : null}
      {item ? (
        <Box flexDirection="column" height={Math.min(height, lines.length)}>
          {lines.slice(state.scroll, state.scroll + height).map((line, index) => (
            <FieldLine key={index} line={line} labelWidth={labelWidth} />
          ))}
        </Box>
      ) : (
        <Text color="red">Item {itemId} does not exist (or was deleted).</Text>
      )}
    </Screen>
  );
}

/** Version and sync state: kept above the fields, so scrolling never hides them. */
function Header({ item, sync }: { item: Item; sync: ItemSync | null }) {
  const remote = sync && (sync.remoteId === null ? 'not on the remote yet' : `remote item ${sync.remoteId}, base version ${sync.baseVersion ?? '?'}`);
  return (
    <Box flexDirection="column">
      <Text dimColor wrap="truncate-end">
        version {item.version}, changed {showTime(item.updatedAt)}
        {item.updatedBy ? ` by ${item.updatedBy}` : ''}
      </Text>
      {sync ? (
        <Text wrap="truncate-end">
          sync: <Text color={SYNC_COLORS[sync.state]}>{sync.state}</Text> ({remote})
        </Text>
      ) : null}
    </Box>
  );
}

function FieldLine({ line, labelWidth }: { line: ViewLine; labelWidth: number }) {
  return (
    <Box>
      <Box width={labelWidth} flexShrink={0}>
        <Text bold wrap="truncate-end">
          {line.label}
        </Text>
      </Box>
      <Text wrap="truncate-end" dimColor={line.dim === true}>
        {line.text}
      </Text>
    </Box>
  );
}
