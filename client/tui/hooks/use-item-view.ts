/** The item view's state: the item read again each time the screen comes back on top (after an edit) or the store changes, its sync state, and its keys. */
import { useReducer } from 'react';
import { itemTitle } from '../../../shared/model/title.js';
import type { ItemSync } from '../engine.js';
import type { Binding } from '../keys.js';
import { type ItemViewState, initialItemView, itemViewReducer } from '../state/item-view.js';
import { useEngine } from './use-engine.js';
import { useNavigation } from './use-navigation.js';
import { useOnActive } from './use-on-active.js';
import { useScreenSize } from './use-screen-size.js';
import { useStoreChange } from './use-store-change.js';

export interface ItemViewScreen {
  state: ItemViewState;
  /** Where a clone's item stands against the remote; null for a local tracker's item. */
  sync: ItemSync | null;
  title: string;
  /** Lines of fields shown at a time. */
  height: number;
  bindings: Binding[];
}

export function useItemView(trackerId: number, itemId: number): ItemViewScreen {
  const engine = useEngine();
  const navigation = useNavigation();
  const { rows: screenRows } = useScreenSize();
  const [state, dispatch] = useReducer(itemViewReducer, undefined, () => initialItemView(engine.tracker(trackerId), engine.item(trackerId, itemId)));
  const height = Math.max(3, screenRows - 6);

  const load = () => dispatch({ type: 'loaded', tracker: engine.tracker(trackerId), item: engine.item(trackerId, itemId) });
  useOnActive(load);
  // The item may change under the eye (a live sync, a CLI beside the TUI): the view follows.
  useStoreChange(load);

  const { tracker, item } = state;
  const sync = item ? engine.itemSync(tracker, item) : null;
  const bindings: Binding[] = [
    { keys: ['down', 'j'], show: '↑/↓', label: 'scroll', run: () => dispatch({ type: 'scroll', delta: 1, height }) },
    { keys: ['up', 'k'], label: 'scroll up', run: () => dispatch({ type: 'scroll', delta: -1, height }), minor: true },
    { keys: ['e'], label: 'edit', help: 'edit this item', run: () => item && navigation.push({ screen: 'edit', trackerId, itemId }) },
    ...(sync?.state === 'conflict'
      ? [{ keys: ['enter'], label: 'review conflict', help: 'review the conflict of this item', run: () => navigation.push({ screen: 'conflicts', trackerId, itemIds: [itemId] }) }]
      : []),
    { keys: ['esc', 'q'], label: 'back', run: () => navigation.back() },
  ];
  return { state, sync, title: item ? itemTitle(tracker.fields, item.values) : '', height, bindings };
}
