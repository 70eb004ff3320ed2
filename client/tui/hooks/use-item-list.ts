/** The item list screen: its window of rows (read again when items change), the `/` filter typed as it goes, and its keys. */
import { useInput } from 'ink';
import { useCallback, useEffect, useRef, useState } from 'react';
import type { Tracker } from '../../../server/store/index.js';
import { type Binding, moveBindings } from '../keys.js';
import { rowAtCursor } from '../state/item-list.js';
import { useActive } from './use-active.js';
import { useEngine } from './use-engine.js';
import { type ItemWindowControl, useItemWindow } from './use-item-window.js';
import { type Navigation, useNavigation } from './use-navigation.js';
import { useOnActive } from './use-on-active.js';
import { useScreenSize } from './use-screen-size.js';
import { useStoreChange } from './use-store-change.js';

/** Typing filters once it pauses this long: each filter change counts the matches. */
const FILTER_PAUSE_MS = 150;

export interface FilterInput {
  /** Whether the filter input is open (it owns the keyboard then). */
  open: boolean;
  /** Opens the input (`/`). */
  begin(): void;
  onType(text: string): void;
  onSubmit(text: string): void;
}

export interface ItemListScreen {
  tracker: Tracker;
  clone: boolean;
  list: ItemWindowControl;
  height: number;
  filter: FilterInput;
  active: boolean;
  bindings: Binding[];
}

export function useItemList(trackerId: number): ItemListScreen {
  const engine = useEngine();
  const navigation = useNavigation();
  const active = useActive();
  const { rows: screenRows } = useScreenSize();
  const [tracker] = useState(() => engine.tracker(trackerId));
  const [clone] = useState(() => engine.isClone(trackerId));
  const height = Math.max(3, screenRows - 7);
  const list = useItemWindow(trackerId, height);

  useOnActive(() => list.refresh());
  // Items change under the list (a live sync, a CLI beside the TUI): the rows on screen are read again.
  useStoreChange(() => list.refresh());
  const filter = useFilterInput(list, active);
  const bindings = itemListBindings({ trackerId, clone, list, height, navigation, openFilter: filter.begin });
  return { tracker, clone, list, height, filter, active, bindings };
}

function useFilterInput(list: ItemWindowControl, active: boolean): FilterInput {
  // The filter before `/`, for Esc to put back; null while the input is closed.
  const [filtering, setFiltering] = useState<{ before: string } | null>(null);
  // Typing filters as it goes, once the typing pauses: on a large tracker each count costs tens
  // of milliseconds. Enter applies at once.
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
    if (text !== list.state.filter) list.setFilter(text);
    setFiltering(null);
  };

  // Esc closes the input and puts the filter back as it was before `/`.
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
  return { open: filtering !== null, begin: () => setFiltering({ before: list.state.filter }), onType, onSubmit };
}

interface ItemListKeys {
  trackerId: number;
  clone: boolean;
  list: ItemWindowControl;
  height: number;
  navigation: Navigation;
  openFilter(): void;
}

function itemListBindings({ trackerId, clone, list, height, navigation, openFilter }: ItemListKeys): Binding[] {
  const current = rowAtCursor(list.state);
  const filter = list.state.filter;
  return [
    ...moveBindings(list.move, height),
    { keys: ['enter'], label: 'view', help: 'view the item', run: () => current && navigation.push({ screen: 'item', trackerId, itemId: current.id }) },
    { keys: ['e'], label: 'edit', help: 'edit the item', run: () => current && navigation.push({ screen: 'edit', trackerId, itemId: current.id }) },
    { keys: ['n'], label: 'new', help: 'new item', run: () => navigation.push({ screen: 'new', trackerId }) },
    { keys: ['/'], label: 'filter', help: 'filter by text in any field, or by id', run: openFilter },
    ...(clone ? [{ keys: ['s'], label: 'sync', help: 'the sync screen of this tracker', run: () => navigation.push({ screen: 'sync', trackerId }) }] : []),
    {
      keys: ['esc', 'q'],
      label: filter ? 'clear filter' : 'back',
      help: 'clear the filter, or go back',
      run: () => (filter ? list.setFilter('') : navigation.back()),
    },
  ];
}
