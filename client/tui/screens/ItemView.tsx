/** One item: every field with its value, and for a clone where the item stands against the remote. */
import { Box, Text } from 'ink';
import { useState } from 'react';
import { Screen } from '../components/Screen.js';
import type { ItemSync } from '../engine.js';
import { showTime } from '../format.js';
import { useEngine } from '../hooks/use-engine.js';
import { useNavigation } from '../hooks/use-navigation.js';
import { useOnActive } from '../hooks/use-on-active.js';
import { useScreenSize } from '../hooks/use-screen-size.js';
import type { Binding } from '../keys.js';
import { showValue } from '../state/editor.js';
import type { Item, Tracker } from '../../../server/store/index.js';

interface Line {
  label: string;
  text: string;
  dim?: boolean;
  color?: string;
}

const SYNC_COLORS: Record<ItemSync['state'], string> = { 'in sync': 'green', new: 'green', modified: 'yellow', conflict: 'red' };

function linesOf(tracker: Tracker, item: Item): Line[] {
  const lines: Line[] = [{ label: 'Status', text: item.status }];
  for (const field of tracker.fields) {
    const value = item.values[field.name];
    const text = showValue(value);
    if (field.type === 'textarea' && text.includes('\n')) {
      text.split('\n').forEach((line, index) => lines.push({ label: index === 0 ? field.label : '', text: line }));
    } else {
      lines.push({ label: field.label, text: text === '' ? '—' : text, ...(text === '' ? { dim: true } : {}) });
    }
  }
  return lines;
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

export function ItemView({ trackerId, itemId }: { trackerId: number; itemId: number }) {
  const engine = useEngine();
  const navigation = useNavigation();
  const { rows: screenRows } = useScreenSize();
  const [tracker, setTracker] = useState(() => engine.tracker(trackerId));
  const [item, setItem] = useState(() => engine.item(trackerId, itemId));
  const [scroll, setScroll] = useState(0);
  const height = Math.max(3, screenRows - 6);

  useOnActive(() => {
    setTracker(engine.tracker(trackerId));
    setItem(engine.item(trackerId, itemId));
  });

  const sync = item ? engine.itemSync(tracker, item) : null;
  const lines = item ? linesOf(tracker, item) : [];
  const maxScroll = Math.max(0, lines.length - height);
  const labelWidth = Math.min(24, Math.max(8, ...tracker.fields.map((f) => f.label.length + 2)));

  const bindings: Binding[] = [
    { keys: ['down', 'j'], show: '↑/↓', label: 'scroll', run: () => setScroll((s) => Math.min(maxScroll, s + 1)) },
    { keys: ['up', 'k'], label: 'scroll up', run: () => setScroll((s) => Math.max(0, s - 1)), minor: true },
    { keys: ['e'], label: 'edit', help: 'edit this item', run: () => item && navigation.push({ screen: 'edit', trackerId, itemId }) },
    ...(sync?.state === 'conflict'
      ? [{ keys: ['enter'], label: 'review conflict', help: 'review the conflict of this item', run: () => navigation.push({ screen: 'conflicts', trackerId, itemIds: [itemId] }) }]
      : []),
    { keys: ['esc', 'q'], label: 'back', run: () => navigation.back() },
  ];

  const title = item ? engine.titleOf(tracker, item.values) : '';
  return (
    <Screen title={`Item ${itemId}`} context={`${tracker.name}${title ? ` · ${title}` : ''}`} bindings={bindings}>
      {item ? <Header item={item} sync={sync} /> : null}
      {item ? (
        <Box flexDirection="column" height={Math.min(height, lines.length)}>
          {lines.slice(scroll, scroll + height).map((line, index) => (
            <Box key={index}>
              <Box width={labelWidth} flexShrink={0}>
                <Text bold wrap="truncate-end">
                  {line.label}
                </Text>
              </Box>
              <Text wrap="truncate-end" dimColor={line.dim === true} {...(line.color ? { color: line.color } : {})}>
                {line.text}
              </Text>
            </Box>
          ))}
        </Box>
      ) : (
        <Text color="red">Item {itemId} does not exist (or was deleted).</Text>
      )}
    </Screen>
  );
}
