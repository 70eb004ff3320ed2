/**
 * The item list's window of rows: the pure state of state/item-list.ts, filled from the engine
 * page by page as the cursor moves (the store answers synchronously, so a keypress renders with
 * its rows already loaded, never an empty flash).
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import { type ItemListAction, type ItemListState, initialItemList, itemListReducer, windowNeed } from '../state/item-list.js';
import { useEngine } from './use-engine.js';

export interface ItemWindowControl {
  state: ItemListState;
  move(delta: number): void;
  setFilter(filter: string): void;
  /** Items may have changed (an edit, a reload): count again and reload the rows on screen. */
  refresh(): void;
}

export function useItemWindow(trackerId: number, height: number): ItemWindowControl {
  const engine = useEngine();

  const fill = useCallback(
    (start: ItemListState): ItemListState => {
      let state = start;
      // A few rounds at most: a page that comes back short means rows vanished meanwhile.
      for (let round = 0; round < 4; round++) {
        const need = windowNeed(state);
        if (!need) break;
        const page = engine.itemPage(trackerId, state.filter, need);
        state = itemListReducer(state, { type: 'loaded', need, rows: page.rows, ...(page.offset !== undefined ? { offset: page.offset } : {}) });
        if (page.rows.length === 0) {
          const total = engine.countItems(trackerId, state.filter);
          if (total === state.total) break;
          state = itemListReducer(state, { type: 'recount', total });
        }
      }
      return state;
    },
    [engine, trackerId],
  );

  const [state, setState] = useState<ItemListState>(() => fill(initialItemList(engine.countItems(trackerId, ''), height)));
  const current = useRef(state);

  const dispatch = useCallback(
    (action: ItemListAction) => {
      const next = fill(itemListReducer(current.current, action));
      current.current = next;
      setState(next);
    },
    [fill],
  );

  useEffect(() => {
    if (height !== current.current.height) dispatch({ type: 'resize', height });
  }, [height, dispatch]);

  return {
    state,
    move: useCallback((delta: number) => dispatch({ type: 'move', delta }), [dispatch]),
    setFilter: useCallback((filter: string) => dispatch({ type: 'reset', filter, total: engine.countItems(trackerId, filter) }), [dispatch, engine, trackerId]),
    refresh: useCallback(() => dispatch({ type: 'recount', total: engine.countItems(trackerId, current.current.filter) }), [dispatch, engine, trackerId]),
  };
}
