/** The item view's state (pure): the item with its tracker, one line per field value, and how far the lines are scrolled. */
import type { Item, Tracker } from '../../../server/store/index.js';
import { formatSize, isFileList } from '../../../shared/model/files.js';
import { showValue } from './editor.js';

/** One line of the view: a field's label (empty on a textarea's later lines) and its text. */
export interface ViewLine {
  label: string;
  text: string;
  dim?: boolean;
}

export interface ItemViewState {
  tracker: Tracker;
  /** Undefined when the item does not exist (or was deleted meanwhile). */
  item: Item | undefined;
  /** Index of the first line shown. */
  scroll: number;
}

export type ItemViewAction = { type: 'loaded'; tracker: Tracker; item: Item | undefined } | { type: 'scroll'; delta: number; height: number };

export function initialItemView(tracker: Tracker, item: Item | undefined): ItemViewState {
  return { tracker, item, scroll: 0 };
}

export function itemViewReducer(state: ItemViewState, action: ItemViewAction): ItemViewState {
  switch (action.type) {
    case 'loaded':
      return { ...state, tracker: action.tracker, item: action.item };
    case 'scroll': {
      // Down stops at the last screenful, up at the first line.
      const max = Math.max(0, viewLines(state).length - action.height);
      const scroll = action.delta > 0 ? Math.min(max, state.scroll + action.delta) : Math.max(0, state.scroll + action.delta);
      return { ...state, scroll };
    }
  }
}

/** The status, then every field; a multi-line textarea takes one line per line of text, a files field one per attachment (name, size, type). */
export function viewLines(state: Pick<ItemViewState, 'tracker' | 'item'>): ViewLine[] {
  const { tracker, item } = state;
  if (!item) return [];
  const lines: ViewLine[] = [{ label: 'Status', text: item.status }];
  for (const field of tracker.fields) {
    const value = item.values[field.name];
    if (field.type === 'files' && Array.isArray(value) && value.length > 0 && isFileList(value)) {
      value.forEach((file, index) => lines.push({ label: index === 0 ? field.label : '', text: `${file.name}  ${formatSize(file.size)}  ${file.type}` }));
      continue;
    }
    const text = showValue(value);
    if (field.type === 'textarea' && text.includes('\n')) {
      text.split('\n').forEach((line, index) => lines.push({ label: index === 0 ? field.label : '', text: line }));
    } else {
      lines.push({ label: field.label, text: text === '' ? '—' : text, ...(text === '' ? { dim: true } : {}) });
    }
  }
  return lines;
}
