/**
 * The item list's state (pure): a cursor over the whole filtered list, and a window of loaded
 * rows around it. Only the window is ever in memory, so a tracker of 100k items costs what
 * the screen shows; `windowNeed` says which rows to load next, by item id (keyset paging).
 */
import { type ListCursor, clampCursor, moveCursor } from './list-cursor.js';

export interface ItemRow {
  id: number;
  title: string;
  status: string;
  /** Sync state of a cloned tracker's item; absent when it is in sync or the tracker is local. */
  mark?: 'new' | 'modified' | 'deleted' | 'conflict';
}

export interface ItemListState extends ListCursor {
  filter: string;
  /** Rows matching the filter. */
  total: number;
  /** Visible rows. */
  height: number;
  /** Index (in the filtered list) of window[0]. */
  offset: number;
  window: ItemRow[];
  /** After a recount: the id the window reloads from (the row that was on top). */
  anchor?: number;
}

/** What to load: rows after / before an id (ascending either way), the first or the last rows. */
export type WindowNeed =
  | { kind: 'after'; id: number; limit: number }
  | { kind: 'before'; id: number; limit: number }
  | { kind: 'from'; id: number; limit: number }
  | { kind: 'first'; limit: number }
  | { kind: 'last'; limit: number };

export type ItemListAction =
  | { type: 'move'; delta: number }
  | { type: 'resize'; height: number }
  | { type: 'reset'; filter: string; total: number }
  | { type: 'recount'; total: number }
  /** `offset`: for a 'from' load, the index of the first row (the count of rows before the anchor). */
  | { type: 'loaded'; need: WindowNeed; rows: ItemRow[]; offset?: number };

/** Rows fetched beyond the visible ones, so moving line by line rarely queries. */
export const MARGIN = 100;
/** The most rows kept in memory. */
export const MAX_WINDOW = 1000;

export function initialItemList(total: number, height: number, filter = ''): ItemListState {
  return { cursor: 0, top: 0, filter, total, height, offset: 0, window: [] };
}

export function itemListReducer(state: ItemListState, action: ItemListAction): ItemListState {
  switch (action.type) {
    case 'move':
      return { ...state, ...moveCursor(state, action.delta, state.total, state.height) };
    case 'resize':
      return { ...state, height: action.height, ...clampCursor(state, state.total, action.height) };
    case 'reset':
      return { ...initialItemList(action.total, state.height, action.filter) };
    case 'recount': {
      // Rows may have come or gone anywhere: reload the window from the row that was on top.
      const top = state.window[state.top - state.offset];
      const { anchor: _old, ...rest } = state;
      return { ...rest, total: action.total, ...clampCursor(state, action.total, state.height), offset: 0, window: [], ...(top ? { anchor: top.id } : {}) };
    }
    case 'loaded': {
      const { anchor: _done, ...rest } = state;
      return withRows(rest, action.need, action.rows, action.offset ?? 0);
    }
  }
}

/** The rows on screen, in order; shorter than the height only at the end of the list. */
export function visibleRows(state: ItemListState): ItemRow[] {
  const from = state.top - state.offset;
  if (from < 0) return [];
  return state.window.slice(from, from + state.height);
}

export function rowAtCursor(state: ItemListState): ItemRow | undefined {
  return state.window[state.cursor - state.offset];
}

/** What must be loaded for the visible rows, or null when the window holds them all. */
export function windowNeed(state: ItemListState): WindowNeed | null {
  const start = state.top;
  const end = Math.min(state.total, state.top + state.height);
  if (end <= start) return null;
  const windowEnd = state.offset + state.window.length;
  if (state.window.length > 0 && start >= state.offset && end <= windowEnd) return null;
  const first = state.window[0];
  const last = state.window[state.window.length - 1];
  if (last && start >= state.offset && start <= windowEnd) {
    return { kind: 'after', id: last.id, limit: end - windowEnd + MARGIN };
  }
  if (first && end <= windowEnd && end >= state.offset) {
    return { kind: 'before', id: first.id, limit: state.offset - start + MARGIN };
  }
  if (state.anchor !== undefined) return { kind: 'from', id: state.anchor, limit: state.height + MARGIN };
  // A jump (first load, Home, End, a reset): start again from the nearer end of the list.
  if (start < state.total - end) return { kind: 'first', limit: end + MARGIN };
  return { kind: 'last', limit: state.total - start + MARGIN };
}

function withRows(state: ItemListState, need: WindowNeed, rows: ItemRow[], offset: number): ItemListState {
  switch (need.kind) {
    case 'from': {
      // The cursor keeps its row when rows were added or removed before it.
      const shift = offset - state.top;
      const moved = { ...state, offset, window: rows, ...clampCursor({ cursor: state.cursor + shift, top: offset }, state.total, state.height) };
      return trim(moved);
    }
    case 'first':
      return trim({ ...state, offset: 0, window: rows });
    case 'last':
      return trim({ ...state, offset: Math.max(0, state.total - rows.length), window: rows });
    case 'after':
      return trim({ ...state, window: [...state.window, ...rows] });
    case 'before':
      return trim({ ...state, offset: Math.max(0, state.offset - rows.length), window: [...rows, ...state.window] });
  }
}

/** Drops loaded rows far from the visible ones, keeping the window under MAX_WINDOW. */
function trim(state: ItemListState): ItemListState {
  if (state.window.length <= MAX_WINDOW) return state;
  const keepFrom = Math.max(state.offset, state.top - MARGIN);
  const keepTo = Math.min(state.offset + state.window.length, Math.max(keepFrom + MAX_WINDOW, state.top + state.height + MARGIN));
  return { ...state, offset: keepFrom, window: state.window.slice(keepFrom - state.offset, keepTo - state.offset) };
}
